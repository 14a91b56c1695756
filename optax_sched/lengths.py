"""The natural length of a schedule: the run it was written for.

``natural_length(s)`` is the number of updates after which ``s`` has played
its whole shape, read from its arguments: a decay's ``decay_steps``, a
one-cycle's ``transition_steps``, a join's last boundary plus its last
piece, a warmup in front of a decay, the sum of ``cycles``' lengths. A
schedule with no end (a constant, an exponential or step decay, restarts
that never stop, an inverse square root) has none: ``None``. Compat
schedules answer through the native schedule they map onto.

``optax-sched plot`` and ``show`` use it when ``--steps`` is not given.

Example:
  >>> import optax_sched as sched
  >>> natural_length(sched.warmup_cosine_decay_schedule(0.0, 1e-3, 100, 1000))
  1000
  >>> natural_length(sched.warmup(sched.cosine_decay_schedule(1e-3, 900), 100))
  1000
  >>> natural_length(sched.exponential_decay(1e-3, 100, 0.5)) is None
  True
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from optax_sched._base import Composite, Schedule
from optax_sched._validate import concrete


def _int(x: Any) -> int | None:
  arr = concrete(x)
  if arr is None or arr.ndim or not np.isfinite(arr):
    return None
  return math.ceil(float(arr))


def _sum(*parts: Any) -> int | None:
  values = [_int(p) if not isinstance(p, int) else p for p in parts]
  known = [x for x in values if x is not None]
  return sum(known) if len(known) == len(values) else None


def _field(name: str) -> Callable[[Any], int | None]:
  return lambda s: _int(getattr(s, name))


def _operands(*names: str) -> Callable[[Any], int | None]:
  """The longest natural length among schedule operands (numbers have none)."""

  def length(s):
    found = []
    for name in names:
      value = getattr(s, name)
      for x in value if isinstance(value, (list, tuple)) else (value,):
        if isinstance(x, Schedule) and (n := natural_length(x)) is not None:
          found.append(n)
    return max(found) if found else None

  return length


def _join(s) -> int | None:
  if not s.boundaries:
    return natural_length(s.schedules[0])
  return _sum(s.boundaries[-1], natural_length(s.schedules[-1]))


def _warmup(s) -> int | None:
  inner = natural_length(s.schedule)
  if inner is None:
    return None
  return _sum(s.warmup_steps, inner) if s.prefix else max(inner, _int(s.warmup_steps) or 0)


def _scaled(s, factor) -> int | None:
  inner, f = natural_length(s.schedule), concrete(factor)
  return None if inner is None or f is None else math.ceil(inner * float(f))


def _per_sample(s) -> int | None:
  inner = natural_length(s.schedule)
  if inner is None:
    return None
  starts, consumed, batch = s._tables()
  j = int(np.searchsorted(consumed, inner, side="right") - 1)
  return int(starts[j] + -(-(inner - int(consumed[j])) // int(batch[j])))


def _piecewise_interpolate(s) -> int | None:
  keys = [k for k in s.boundaries_and_scales or {}]
  return _int(max(keys)) if keys else None


def _restarts(period_field: str) -> Callable[[Any], int | None]:
  """Restarts that stop after ``cycle_limit`` cycles: the sum of their periods."""

  def length(s):
    limit, period = concrete(s.cycle_limit), _int(getattr(s, period_field))
    m = concrete(s.period_mult)
    if limit is None or period is None or m is None or not 1 <= float(limit) < 1e6:
      return None
    return math.ceil(sum(period * float(m) ** i for i in range(int(limit))))

  return length


def _sgdr(s) -> int | None:
  return _sum(*(kw.get("decay_steps") for kw in s.cosine_kwargs))


_RULES: dict[str, Callable[[Any], int | None]] = {
  "linear_schedule": lambda s: _sum(s.transition_begin, s.transition_steps),
  "polynomial_schedule": lambda s: _sum(s.transition_begin, s.transition_steps),
  "cosine_decay_schedule": _field("decay_steps"),
  "warmup_cosine_decay_schedule": _field("decay_steps"),
  "cosine_annealing_schedule": _field("decay_steps"),
  "cosine_cycles_schedule": _field("decay_steps"),
  "polynomial_decay_schedule": lambda s: None if s.cycle else _int(s.decay_steps),
  "linear_onecycle_schedule": _field("transition_steps"),
  "cosine_onecycle_schedule": _field("transition_steps"),
  "onecycle_schedule": _field("total_steps"),
  "piecewise_interpolate_schedule": _piecewise_interpolate,
  "sgdr_schedule": _sgdr,
  "cosine_restarts_schedule": _restarts("first_period"),
  "polynomial_restarts_schedule": _restarts("first_period"),
  "tanh_schedule": _restarts("decay_steps"),
  "transformers.get_cosine_with_min_lr_schedule_with_warmup_lr_rate": _field("num_training_steps"),
  "wsd_schedule": lambda s: _sum(s.stable_steps, s.decay_steps),
  "tri_stage_schedule": lambda s: _sum(s.warmup_steps, s.hold_steps, s.decay_steps),
  "join_schedules": _join,
  "warmup": _warmup,
  "multiply": _operands("a", "b"),
  "divide": _operands("a", "b"),
  "add": _operands("a", "b"),
  "minimum": _operands("schedules"),
  "maximum": _operands("schedules"),
  "scale": _operands("schedule"),
  "clip": _operands("schedule", "floor", "ceiling"),
  "shift": lambda s: None if (n := natural_length(s.schedule)) is None else _sum(n, s.steps),
  "hold": _field("steps"),
  "stretch": lambda s: _scaled(s, s.factor),
  "per_epoch": lambda s: _scaled(s, s.steps_per_epoch),
  "per_sample": _per_sample,
  "cycles": lambda s: _sum(*s.lengths),
}


def natural_length(schedule: Any) -> int | None:
  """The number of updates ``schedule`` was written for, or None (see the module)."""
  if not isinstance(schedule, Schedule):
    return None
  rule = _RULES.get(schedule.name)
  if rule is not None:
    n = rule(schedule)
  elif isinstance(schedule, Composite) and (native := schedule.native()).name != schedule.name:
    n = natural_length(native)
  else:
    n = None
  return n if n is None or n >= 1 else None
