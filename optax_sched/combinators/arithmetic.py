"""Pointwise scaling and bounds on schedules: ``scale``, ``minimum``, ``maximum``, ``clip``.

Each operand is a schedule (or a jnp-traceable callable) or a number; numbers
are hyperparameters (pytree leaves), so ``jax.vmap`` can sweep them. The
products and sums the operators build (``multiply``, ``divide``, ``add``) are
in ``optax_sched._base``, beside :class:`~optax_sched.Schedule`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import jax.numpy as jnp

from optax_sched import _validate as v
from optax_sched._base import Schedule, ScheduleLike, evaluate, operand, register, union_jumps
from optax_sched._dtypes import Real
from optax_sched.combinators._operand import Wrapper


@register
class scale(Wrapper):
  """``factor * schedule(t)``; ``factor`` a number (a sweepable leaf).

  Example:
    >>> from optax_sched import cosine_decay_schedule
    >>> round(float(scale(cosine_decay_schedule(1.0, 100), 1e-3)(50)), 7)
    0.0005
  """

  schedule: ScheduleLike
  factor: Real

  def _check(self):
    v.real(self, "factor")

  def _value(self, t):
    return self.factor * evaluate(self.schedule, t)


def _extremum_init(self, *schedules: Any, **kwargs: Any):
  # Positional for users (``minimum(a, b)``); ``schedules=`` for configs and
  # repr. Set in each class body: a dataclass would replace an inherited one.
  if set(kwargs) - {"schedules"} or (schedules and kwargs):
    raise TypeError(
      f"{self.name}() takes schedules positionally, or one keyword argument schedules=[...]"
    )
  if kwargs:
    schedules = kwargs["schedules"]
    if not isinstance(schedules, (list, tuple)):
      v.fail(self, "schedules", schedules, "it must be a list of schedules")
  object.__setattr__(
    self, "schedules", tuple(operand(self, f"schedules[{i}]", s) for i, s in enumerate(schedules))
  )
  self.__post_init__()


class _Extremum(Schedule):
  """``schedules`` reduced pointwise; built as ``cls(s1, s2, ...)``."""

  def _check(self):
    if len(self.schedules) < 2:
      v.fail(
        self, "schedules", list(self.schedules), "it must hold at least two schedules or numbers"
      )

  def declared_jumps(self, total_steps):
    """Where any operand jumps."""
    return union_jumps(*self.schedules, total_steps=total_steps)

  def _value(self, t):
    values = [evaluate(s, t) for s in self.schedules]
    out = values[0]
    for x in values[1:]:
      out = self._op(out, x)
    return out


@register
class minimum(_Extremum):
  """The pointwise minimum of schedules and numbers: ``v(t) = min(s_1(t), ..., s_n(t))``.

  Example (a cosine that never exceeds a warmup ramp):
    >>> from optax_sched import cosine_decay_schedule, linear_schedule
    >>> s = minimum(cosine_decay_schedule(1.0, 100), linear_schedule(0.0, 1.0, 10))
    >>> [round(float(s(k)), 4) for k in (5, 50)]
    [0.5, 0.5]
  """

  schedules: Sequence[ScheduleLike]
  __init__ = _extremum_init
  _op = staticmethod(jnp.minimum)


@register
class maximum(_Extremum):
  """The pointwise maximum of schedules and numbers: ``v(t) = max(s_1(t), ..., s_n(t))``.

  Example (a floor under a decay):
    >>> from optax_sched import linear_schedule
    >>> round(float(maximum(linear_schedule(1.0, 0.0, 10), 0.2)(10)), 6)
    0.2
  """

  schedules: Sequence[ScheduleLike]
  __init__ = _extremum_init
  _op = staticmethod(jnp.maximum)


@register
class clip(Schedule):
  """``schedule(t)`` limited to ``[floor, ceiling]`` (either may be None).

  ``v(t) = min(max(schedule(t), floor(t)), ceiling(t))``; ``floor`` and
  ``ceiling`` are numbers or schedules. Concrete numbers must
  satisfy ``floor <= ceiling``.

  Example:
    >>> from optax_sched import linear_schedule
    >>> s = clip(linear_schedule(0.0, 1.0, 10), floor=0.1, ceiling=0.8)
    >>> [round(float(s(k)), 4) for k in (0, 5, 10)]
    [0.1, 0.5, 0.8]
  """

  schedule: ScheduleLike
  floor: ScheduleLike | None = None
  ceiling: ScheduleLike | None = None

  def __post_init__(self):
    for name in ("schedule", "floor", "ceiling"):
      x = getattr(self, name)
      if x is not None or name == "schedule":
        object.__setattr__(self, name, operand(self, name, x))
    super().__post_init__()

  def _check(self):
    lo, hi = (
      None if isinstance(x, Schedule) else v.concrete(x) for x in (self.floor, self.ceiling)
    )
    if lo is not None and hi is not None and not lo <= hi:
      v.fail(self, "ceiling", self.ceiling, f"it must be >= floor={lo.item()!r}")

  def declared_jumps(self, total_steps):
    """Where the schedule or a bound jumps."""
    return union_jumps(self.schedule, self.floor, self.ceiling, total_steps=total_steps)

  def _value(self, t):
    out = evaluate(self.schedule, t)
    if self.floor is not None:
      out = jnp.maximum(out, evaluate(self.floor, t))
    if self.ceiling is not None:
      out = jnp.minimum(out, evaluate(self.ceiling, t))
    return out
