"""Transformers' ``get_*`` schedules, name for name, on native families.

Each ``get_*`` here is a schedule class registered as
``"transformers.<name>"``. Its first argument ``base_lr`` replaces the
optimizer (Transformers reads ``optimizer.defaults["lr"]``); the other
arguments are Transformers' own, and ``s(t)`` is the optimizer's LR after
``t`` calls of ``scheduler.step()``, i.e. ``base_lr * lr_lambda(t)``.
``last_epoch`` (resuming a torch scheduler) has no counterpart: the step is
the argument of ``s``.

Quirks reproduced (Transformers 5.x):

* Every warmup starts at 0: the first update (``t = 0``) has LR 0.
* ``get_cosine_schedule_with_warmup`` and the ``min_lr`` variants do not stop
  at ``num_training_steps``: the cosine keeps going, so with the default
  ``num_cycles=0.5`` the LR rises again after the end of training.
* ``get_cosine_with_hard_restarts_schedule_with_warmup`` is 0 from
  ``num_training_steps`` on.
* ``get_cosine_with_min_lr_schedule_with_warmup_lr_rate`` (scheduler type
  ``"cosine_warmup_with_min_lr"``) warms up to ``base_lr`` at step
  ``num_warmup_steps - 1`` (its first LR is ``base_lr / num_warmup_steps``,
  or ``warmup_lr_rate * base_lr``) and its cosine runs one step ahead.
* ``get_inverse_sqrt_schedule``'s ``timescale`` defaults to
  ``num_warmup_steps``, or 10000 when that is 0.

Stricter than Transformers (each a ``ValueError`` naming the argument):
negative step counts; ``num_training_steps <= num_warmup_steps`` (the decay
would have no length: Transformers divides by ``max(1, ...)`` or by zero);
``power <= 0``; ``num_cycles <= 0`` for hard restarts; a ``min_lr`` or rate
outside ``[0, base_lr]`` / ``[0, 1]``; ``get_wsd_schedule`` phases that do
not fit in ``num_training_steps`` or disagree with ``num_stable_steps``.

Example (a recipe's ``get_cosine_schedule_with_warmup(opt, 500, N)`` with
``lr=3e-4``):
  >>> from optax_sched.compat import transformers as hf
  >>> s = hf.get_cosine_schedule_with_warmup(3e-4, 500, 10_000)
  >>> [round(float(s(k)), 7) for k in (0, 250, 500, 10_000)]
  [0.0, 0.00015, 0.0003, 0.0]
"""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp

from optax_sched import _validate as v
from optax_sched._base import Composite, Schedule, constant_schedule, fl, register, static
from optax_sched._dtypes import Real
from optax_sched._math import linear_interpolate
from optax_sched.combinators import join_schedules, warmup
from optax_sched.families.cosine_cycles import cosine_cycles_schedule
from optax_sched.families.polynomial import linear_schedule, warmup_polynomial_decay_schedule
from optax_sched.families.restarts import cosine_restarts_schedule
from optax_sched.families.rsqrt import rsqrt_schedule
from optax_sched.families.wsd import wsd_schedule

WSD_SHAPES = ("linear", "cosine", "1-sqrt")


def _check_warmup(owner):
  v.real(owner, "base_lr")
  v.nonnegative(owner, "num_warmup_steps")


def _check_training(owner):
  """``num_training_steps`` must leave room for a decay after the warmup."""
  _check_warmup(owner)
  v.real(owner, "num_training_steps")
  v.compare(
    owner,
    "num_training_steps",
    ">",
    "num_warmup_steps",
    "it counts the warmup too, and the decay needs at least one step",
  )


def _decay_steps(owner):
  return owner.num_training_steps - owner.num_warmup_steps


def _check_min_lr(owner):
  """Exactly one of ``min_lr`` / ``min_lr_rate``, each in its range."""
  if owner.min_lr is not None and owner.min_lr_rate is not None:
    v.fail(
      owner,
      "min_lr_rate",
      owner.min_lr_rate,
      f"give only one of min_lr (got {owner.min_lr!r}) and min_lr_rate",
    )
  if owner.min_lr is None and owner.min_lr_rate is None:
    v.fail(owner, "min_lr", None, "give one of min_lr or min_lr_rate")
  if owner.min_lr_rate is not None:
    v.in_range(owner, "min_lr_rate", 0.0, 1.0)
    return
  v.nonnegative(owner, "min_lr")
  v.compare(owner, "min_lr", "<=", "base_lr")


def _min_lr(owner):
  if owner.min_lr is not None:
    return owner.min_lr
  return owner.min_lr_rate * owner.base_lr


@register(name="transformers.get_constant_schedule")
class get_constant_schedule(Composite):
  """``base_lr`` at every step: ``v(t) = base_lr``.

  Example:
    >>> round(float(get_constant_schedule(1e-3)(100)), 7)
    0.001
  """

  base_lr: Real

  def _check(self):
    v.real(self, "base_lr")

  def native(self) -> Schedule:
    return constant_schedule(self.base_lr)


@register(name="transformers.get_constant_schedule_with_warmup")
class get_constant_schedule_with_warmup(Composite):
  """``base_lr * t / W`` for ``t < W``, then ``base_lr``.

  Example:
    >>> s = get_constant_schedule_with_warmup(1e-3, 10)
    >>> [round(float(s(k)), 7) for k in (0, 5, 10)]
    [0.0, 0.0005, 0.001]
  """

  base_lr: Real
  num_warmup_steps: Real

  def _check(self):
    _check_warmup(self)

  def native(self) -> Schedule:
    return warmup(constant_schedule(self.base_lr), self.num_warmup_steps)


@register(name="transformers.get_linear_schedule_with_warmup")
class get_linear_schedule_with_warmup(Composite):
  """Warmup from 0, then a straight line to 0 at ``num_training_steps``.

  .. math::
    v(t) = b \\cdot \\begin{cases} t / W & t < W \\\\
    \\max(0, (N - t) / (N - W)) & t \\ge W \\end{cases}

  Example:
    >>> s = get_linear_schedule_with_warmup(1e-3, 10, 110)
    >>> [round(float(s(k)), 7) for k in (0, 10, 60, 200)]
    [0.0, 0.001, 0.0005, 0.0]
  """

  base_lr: Real
  num_warmup_steps: Real
  num_training_steps: Real

  def _check(self):
    _check_training(self)

  def native(self) -> Schedule:
    decay = linear_schedule(self.base_lr, 0.0, _decay_steps(self))
    return warmup(decay, self.num_warmup_steps)


@register(name="transformers.get_cosine_schedule_with_warmup")
class get_cosine_schedule_with_warmup(Composite):
  """Warmup from 0, then ``num_cycles`` cosine waves over the rest.

  .. math::
    v(t) = b \\cdot \\tfrac12\\bigl(1 + \\cos(2\\pi n\\,(t - W) / (N - W))\\bigr),
    \\quad t \\ge W

  Not clipped at ``N``: past ``num_training_steps`` the cosine rises again,
  as in Transformers. ``num_cycles > 0.5`` rises before the end.

  Example:
    >>> s = get_cosine_schedule_with_warmup(1e-3, 10, 110)
    >>> [round(float(s(k)), 7) for k in (0, 10, 60, 110, 160)]
    [0.0, 0.001, 0.0005, 0.0, 0.0005]
  """

  base_lr: Real
  num_warmup_steps: Real
  num_training_steps: Real
  num_cycles: Real = 0.5

  def _check(self):
    _check_training(self)
    v.real(self, "num_cycles")

  def native(self) -> Schedule:
    decay = cosine_cycles_schedule(self.base_lr, _decay_steps(self), self.num_cycles)
    return warmup(decay, self.num_warmup_steps)


@register(name="transformers.get_cosine_with_hard_restarts_schedule_with_warmup")
class get_cosine_with_hard_restarts_schedule_with_warmup(Composite):
  """Warmup from 0, then ``num_cycles`` cosine decays that jump back up; 0
  from ``num_training_steps`` on.

  Each decay lasts ``(N - W) / num_cycles`` steps
  (:class:`~optax_sched.cosine_restarts_schedule`).

  Example:
    >>> s = get_cosine_with_hard_restarts_schedule_with_warmup(1e-3, 0, 100, 2)
    >>> [round(float(s(k)), 7) for k in (0, 25, 50, 75, 100)]
    [0.001, 0.0005, 0.001, 0.0005, 0.0]
  """

  base_lr: Real
  num_warmup_steps: Real
  num_training_steps: Real
  num_cycles: Real = 1

  def _check(self):
    _check_training(self)
    v.positive(self, "num_cycles")

  def native(self) -> Schedule:
    length = _decay_steps(self)
    cycles = cosine_restarts_schedule(self.base_lr, length / self.num_cycles)
    return warmup(join_schedules([cycles, constant_schedule(0.0)], [length]), self.num_warmup_steps)


@register(name="transformers.get_polynomial_decay_schedule_with_warmup")
class get_polynomial_decay_schedule_with_warmup(Composite):
  """Warmup from 0, then ``(b - e) (1 - (t - W)/(N - W))**power + e``;
  ``lr_end`` from ``num_training_steps`` on
  (:class:`~optax_sched.warmup_polynomial_decay_schedule`).

  Like Transformers, ``lr_end`` must be below ``base_lr``.

  Example:
    >>> s = get_polynomial_decay_schedule_with_warmup(1e-3, 10, 110, 1e-5, 2.0)
    >>> [round(float(s(k)), 8) for k in (0, 10, 60, 110)]
    [0.0, 0.001, 0.0002575, 1e-05]
  """

  base_lr: Real
  num_warmup_steps: Real
  num_training_steps: Real
  lr_end: Real = 1e-7
  power: Real = 1.0

  def _check(self):
    _check_training(self)
    v.real(self, "lr_end")
    v.positive(self, "power")
    v.compare(self, "lr_end", "<", "base_lr", "as in Transformers")

  def native(self) -> Schedule:
    return warmup_polynomial_decay_schedule(
      0.0, self.base_lr, self.num_warmup_steps, self.num_training_steps, self.lr_end, self.power
    )


@register(name="transformers.get_inverse_sqrt_schedule")
class get_inverse_sqrt_schedule(Composite):
  """Warmup from 0, then ``b / sqrt(1 + (t - W) / timescale)``
  (:class:`~optax_sched.rsqrt_schedule`).

  ``timescale`` defaults to ``num_warmup_steps`` (Noam's schedule), or
  10000 without warmup.

  Example:
    >>> s = get_inverse_sqrt_schedule(1e-3, 100)
    >>> [round(float(s(k)), 7) for k in (50, 100, 400)]
    [0.0005, 0.001, 0.0005]
  """

  base_lr: Real
  num_warmup_steps: Real
  timescale: Real | None = None

  def _check(self):
    _check_warmup(self)
    if self.timescale is not None:
      v.positive(self, "timescale")

  def native(self) -> Schedule:
    timescale = self.timescale
    if timescale is None:
      w = self.num_warmup_steps
      timescale = jnp.where(fl(w) > 0, fl(w), 10_000.0)
    return warmup(rsqrt_schedule(self.base_lr, timescale), self.num_warmup_steps)


@register(name="transformers.get_cosine_with_min_lr_schedule_with_warmup")
class get_cosine_with_min_lr_schedule_with_warmup(Composite):
  """:class:`get_cosine_schedule_with_warmup` whose waves bottom out at
  ``min_lr`` (or ``min_lr_rate * base_lr``) instead of 0.

  Example:
    >>> s = get_cosine_with_min_lr_schedule_with_warmup(
    ...     1e-3, 10, 110, min_lr_rate=0.1)
    >>> [round(float(s(k)), 7) for k in (0, 10, 60, 110)]
    [0.0, 0.001, 0.00055, 0.0001]
  """

  base_lr: Real
  num_warmup_steps: Real
  num_training_steps: Real
  num_cycles: Real = 0.5
  min_lr: Real | None = None
  min_lr_rate: Real | None = None

  def _check(self):
    _check_training(self)
    v.real(self, "num_cycles")
    _check_min_lr(self)

  def native(self) -> Schedule:
    decay = cosine_cycles_schedule(self.base_lr, _decay_steps(self), self.num_cycles, _min_lr(self))
    return warmup(decay, self.num_warmup_steps)


@register(name="transformers.get_cosine_with_min_lr_schedule_with_warmup_lr_rate")
class get_cosine_with_min_lr_schedule_with_warmup_lr_rate(Schedule):
  """Scheduler type ``"cosine_warmup_with_min_lr"``: a warmup that reaches
  ``base_lr`` one step early and a cosine that runs one step ahead.

  .. math::
    v(t) = \\begin{cases}
      b\\,\\bigl(r + (1 - r)\\,t / \\max(1, W - 1)\\bigr) & t < W \\\\
      c(t - W + 1) & t \\ge W
    \\end{cases}

  with ``c`` the cosine of :class:`get_cosine_with_min_lr_schedule_with_warmup`
  and ``r = warmup_lr_rate``, by default ``1 / W`` (so the first LR is
  ``b / W``, not 0). Without warmup the cosine starts one step in.

  Example:
    >>> s = get_cosine_with_min_lr_schedule_with_warmup_lr_rate(
    ...     1e-3, 10, 110, min_lr_rate=0.0)
    >>> [round(float(s(k)), 7) for k in (0, 9, 10, 59)]
    [0.0001, 0.001, 0.0009998, 0.0005]
  """

  base_lr: Real
  num_warmup_steps: Real
  num_training_steps: Real
  num_cycles: Real = 0.5
  min_lr: Real | None = None
  min_lr_rate: Real | None = None
  warmup_lr_rate: Real | None = None

  def _check(self):
    _check_training(self)
    v.real(self, "num_cycles")
    _check_min_lr(self)
    if self.warmup_lr_rate is not None:
      v.in_range(self, "warmup_lr_rate", 0.0, 1.0)

  def _value(self, t):
    # Not a warmup in front of the cosine: the ramp ends a step early and the
    # cosine is read one step ahead, which no prefix of warmup expresses
    # when num_warmup_steps is 0 or 1.
    w = fl(self.num_warmup_steps)
    rate = 1.0 / jnp.maximum(w, 1.0) if self.warmup_lr_rate is None else fl(self.warmup_lr_rate)
    ramp = linear_interpolate(rate, 1.0, fl(t) / jnp.maximum(w - 1.0, 1.0))
    cosine = cosine_cycles_schedule(
      self.base_lr, _decay_steps(self), self.num_cycles, _min_lr(self)
    )
    decay = cosine(fl(t) - w + 1.0)
    return jnp.where(fl(t) < w, self.base_lr * ramp, decay)


@register(name="transformers.get_wsd_schedule")
class get_wsd_schedule(Composite):
  """Warmup, stable, decay (:class:`~optax_sched.wsd_schedule`).

  The warmup rises from ``min_lr_ratio * base_lr`` along ``warmup_type``;
  the decay falls to it along ``decay_type`` (``"cosine"`` makes
  ``num_cycles`` waves) and holds it from ``W + S + D`` on. The stable
  length ``S`` is ``num_stable_steps``, or ``num_training_steps - W - D``.

  Example:
    >>> s = get_wsd_schedule(1e-3, 10, 20, num_training_steps=100,
    ...                      decay_type="linear")
    >>> [round(float(s(k)), 7) for k in (0, 10, 80, 90, 100)]
    [0.0, 0.001, 0.001, 0.0005, 0.0]
  """

  base_lr: Real
  num_warmup_steps: Real
  num_decay_steps: Real
  num_training_steps: Real | None = None
  num_stable_steps: Real | None = None
  warmup_type: str = static(default="linear")
  decay_type: str = static(default="cosine")
  min_lr_ratio: Real = 0.0
  num_cycles: Real = 0.5

  def _check(self):
    _check_warmup(self)
    v.nonnegative(self, "num_decay_steps")
    v.choice(self, "warmup_type", WSD_SHAPES)
    v.choice(self, "decay_type", WSD_SHAPES)
    v.in_range(self, "min_lr_ratio", 0.0, 1.0)
    v.real(self, "num_cycles")
    if self.num_training_steps is None and self.num_stable_steps is None:
      v.fail(self, "num_training_steps", None, "give num_training_steps or num_stable_steps")
    if self.num_stable_steps is not None:
      v.nonnegative(self, "num_stable_steps")
    if self.num_training_steps is None:
      return
    v.real(self, "num_training_steps")
    parts = [
      v.concrete(getattr(self, k))
      for k in ("num_training_steps", "num_warmup_steps", "num_decay_steps", "num_stable_steps")
    ]
    if any(p is None for p in parts[:3]):
      return
    n, w, d, s = parts
    if self.num_stable_steps is None and not n >= w + d:
      v.fail(
        self,
        "num_training_steps",
        self.num_training_steps,
        f"it must be >= num_warmup_steps + num_decay_steps = {(w + d).item()!r}",
      )
    if s is not None and n != w + s + d:
      v.fail(
        self,
        "num_stable_steps",
        self.num_stable_steps,
        f"num_warmup_steps + num_stable_steps + num_decay_steps must equal"
        f" num_training_steps={n.item()!r} when both are given",
      )

  def native(self) -> Schedule:
    stable = self.num_stable_steps
    if stable is None:
      stable = self.num_training_steps - self.num_warmup_steps - self.num_decay_steps
    floor = self.min_lr_ratio * self.base_lr
    body = wsd_schedule(
      self.base_lr,
      stable,
      self.num_decay_steps,
      floor,
      decay_shape=self.decay_type,
      num_cycles=self.num_cycles,
    )
    return warmup(body, self.num_warmup_steps, init_value=floor, shape=self.warmup_type)


#: Transformers' ``SchedulerType`` values and the schedule each names.
SCHEDULER_TYPES = {
  "linear": get_linear_schedule_with_warmup,
  "cosine": get_cosine_schedule_with_warmup,
  "cosine_with_restarts": get_cosine_with_hard_restarts_schedule_with_warmup,
  "polynomial": get_polynomial_decay_schedule_with_warmup,
  "constant": get_constant_schedule,
  "constant_with_warmup": get_constant_schedule_with_warmup,
  "inverse_sqrt": get_inverse_sqrt_schedule,
  "cosine_with_min_lr": get_cosine_with_min_lr_schedule_with_warmup,
  "cosine_warmup_with_min_lr": get_cosine_with_min_lr_schedule_with_warmup_lr_rate,
  "warmup_stable_decay": get_wsd_schedule,
}
#: Scheduler types driven by a metric, not by the step alone.
_METRIC_DRIVEN = ("reduce_lr_on_plateau", "greedy")


def get_scheduler(
  name: Any,
  base_lr: Any,
  num_warmup_steps: Any = None,
  num_training_steps: Any = None,
  scheduler_specific_kwargs: dict | None = None,
) -> Schedule:
  """The schedule Transformers' ``get_scheduler`` builds for ``name``.

  ``name`` is a ``SchedulerType`` value (``"linear"``, ``"cosine"``, ...) or
  the enum itself. Like Transformers, ``"constant"`` ignores the step
  counts, ``"constant_with_warmup"`` and ``"inverse_sqrt"`` need only
  ``num_warmup_steps``, the others need both (``"warmup_stable_decay"`` may
  give ``num_stable_steps`` in ``scheduler_specific_kwargs`` instead of
  ``num_training_steps``).

  Example:
    >>> s = get_scheduler("linear", 1e-3, num_warmup_steps=10,
    ...                   num_training_steps=110)
    >>> s
    transformers.get_linear_schedule_with_warmup(base_lr=0.001, num_warmup_steps=10,
      num_training_steps=110)
  """
  key = getattr(name, "value", name)
  if key in _METRIC_DRIVEN:
    raise ValueError(
      f"transformers.get_scheduler: name={key!r} is not allowed: it follows a"
      " metric, not the step, so it is no function of the step"
    )
  if key not in SCHEDULER_TYPES:
    raise ValueError(
      f"transformers.get_scheduler: name={name!r} is not allowed: it must be"
      " one of " + ", ".join(map(repr, SCHEDULER_TYPES))
    )
  kwargs = dict(scheduler_specific_kwargs or {})
  cls = SCHEDULER_TYPES[key]
  if key == "constant":
    return cls(base_lr)
  if num_warmup_steps is None:
    raise ValueError(
      f"transformers.get_scheduler: {key} requires `num_warmup_steps`,"
      " please provide that argument."
    )
  if key == "constant_with_warmup":
    return cls(base_lr, num_warmup_steps)
  if key in ("inverse_sqrt", "warmup_stable_decay"):
    if key == "warmup_stable_decay":
      kwargs["num_training_steps"] = num_training_steps
    return _call(cls, base_lr, num_warmup_steps, kwargs)
  if num_training_steps is None:
    raise ValueError(
      f"transformers.get_scheduler: {key} requires `num_training_steps`,"
      " please provide that argument."
    )
  kwargs["num_training_steps"] = num_training_steps
  return _call(cls, base_lr, num_warmup_steps, kwargs)


def _call(cls, base_lr, num_warmup_steps, kwargs):
  try:
    return cls(base_lr, num_warmup_steps=num_warmup_steps, **kwargs)
  except TypeError as e:
    raise ValueError(
      f"transformers.get_scheduler: scheduler_specific_kwargs={kwargs!r} is"
      f" not allowed for {cls.name}: {e}"
    ) from None


__all__ = [
  "get_constant_schedule",
  "get_constant_schedule_with_warmup",
  "get_linear_schedule_with_warmup",
  "get_cosine_schedule_with_warmup",
  "get_cosine_with_hard_restarts_schedule_with_warmup",
  "get_polynomial_decay_schedule_with_warmup",
  "get_inverse_sqrt_schedule",
  "get_cosine_with_min_lr_schedule_with_warmup",
  "get_cosine_with_min_lr_schedule_with_warmup_lr_rate",
  "get_wsd_schedule",
  "get_scheduler",
]
