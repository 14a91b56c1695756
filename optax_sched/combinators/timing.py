"""Combinators that change time: delay, rescale, repeat, step per epoch.

Each maps the step ``t`` to the step its child sees, in O(1) per step.
Integer steps stay integers wherever the mapping allows (``shift``,
``per_epoch``, ``repeat`` with a constant period), so those are exact for
every int32 step.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from optax_sched import _validate as v
from optax_sched._base import Schedule, ScheduleFn, fl, jumps, register, static
from optax_sched._dtypes import Real
from optax_sched._math import cycle, quotient, quotient_remainder
from optax_sched.combinators._operand import Wrapper, known


class _Timed(Wrapper):
  """One child ``schedule`` seen through a map of time."""

  schedule: ScheduleFn  # a field of each registered subclass

  def __post_init__(self):
    if not (isinstance(self.schedule, Schedule) or callable(self.schedule)):
      v.fail(self, "schedule", self.schedule, "it must be a schedule or a callable of the step")
    super().__post_init__()


@register
class shift(_Timed):
  """Delays ``schedule`` by ``steps``: ``schedule(max(t - steps, 0))``.

  The first ``steps`` steps hold ``schedule(0)``. A negative ``steps``
  advances the schedule instead: ``shift(s, -1)(t) = s(t + 1)`` ports a
  recipe written with the ``t + 1`` convention (the LR of update ``t``
  computed from ``t + 1`` updates done, as in OLMo and fairseq).

  Example:
    >>> from optax_sched import linear_schedule
    >>> s = shift(linear_schedule(0.0, 1.0, 10), 100)
    >>> [float(s(k)) for k in (0, 100, 105)]
    [0.0, 0.0, 0.5]
    >>> [round(float(shift(linear_schedule(0.0, 1.0, 10), -1)(k)), 6) for k in (0, 9)]
    [0.1, 1.0]
  """

  schedule: ScheduleFn
  steps: Real

  def _check(self):
    v.real(self, "steps")

  def _value(self, t):
    return self.schedule(jnp.maximum(t - self.steps, 0))

  def declared_jumps(self, total_steps):
    if not known(self.steps):
      return ()
    return jumps(self.schedule, total_steps - float(self.steps)) + float(self.steps)


@register
class hold(_Timed):
  """Holds the value of the last update of a run: ``schedule(min(t, steps - 1))``.

  ``steps`` is the run's number of updates; past it (a run resumed or
  extended, an evaluation loop that keeps stepping) the value stays at the
  last in-run value ``schedule(steps - 1)`` instead of following the
  formula on (a cosine rising again, a linear decay going negative, a
  staircase decaying once more). It replaces the hand-made
  ``join_schedules([s, constant_schedule(s(steps - 1))], [steps])``.

  Example:
    >>> from optax_sched import cosine_decay_schedule
    >>> s = hold(cosine_decay_schedule(1.0, 100), 50)
    >>> [round(float(s(k)), 6) for k in (0, 49, 50, 1000)]
    [1.0, 0.515705, 0.515705, 0.515705]
  """

  schedule: ScheduleFn
  steps: Real

  def _check(self):
    v.number(self, "steps", ok=lambda n: n >= 1, allowed="it must be >= 1 (updates in the run)")

  def _value(self, t):
    last = jnp.asarray(self.steps) - 1
    if jnp.issubdtype(t.dtype, jnp.integer) and jnp.issubdtype(last.dtype, jnp.integer):
      return self.schedule(jnp.minimum(t, last.astype(t.dtype)))  # exact for any int step
    return self.schedule(jnp.minimum(fl(t), fl(last)))

  def declared_jumps(self, total_steps):
    if not known(self.steps):
      return ()
    inner = jumps(self.schedule, total_steps)
    return inner[inner <= float(self.steps) - 1]


@register
class stretch(_Timed):
  """Rescales time: ``schedule(t / factor)``; ``factor > 1`` lasts longer.

  Resuming a recipe into a run ``factor`` times as long keeps its shape:
  every boundary and decay length is multiplied by ``factor`` (Composer's
  ``scale_schedule_ratio``). The child sees a float step; one within a
  few ulps of an integer is taken as that integer, so a boundary ``b`` of
  the child is crossed exactly at step ``b * factor`` when that is a whole
  number.

  Example:
    >>> from optax_sched import linear_schedule
    >>> s = stretch(linear_schedule(0.0, 1.0, 10), 2.0)
    >>> [float(s(k)) for k in (10, 20)]
    [0.5, 1.0]
  """

  schedule: ScheduleFn
  factor: Real

  def _check(self):
    v.positive(self, "factor")

  def _value(self, t):
    u = fl(t) / fl(self.factor)
    # Snap a few-ulp miss onto the integer: with factor 1.1, step 110 must
    # reach the child's boundary 100, not 99.99999.
    # The snap is a constant offset for autodiff: d/dfactor stays -t/f^2.
    r = jnp.round(u)
    near = jnp.abs(u - r) <= 4 * jnp.finfo(u.dtype).eps * u
    return self.schedule(u + jax.lax.stop_gradient(jnp.where(near, r - u, 0)))

  def declared_jumps(self, total_steps):
    if not known(self.factor):
      return ()
    f = float(self.factor)
    return jumps(self.schedule, total_steps / f) * f


@register
class per_epoch(_Timed):
  """Steps ``schedule`` once per epoch: ``schedule(floor(t / steps_per_epoch))``.

  What a PyTorch loop does when it calls ``scheduler.step()`` after each
  epoch: the child counts epochs, and the value is constant within one.
  Integer steps give an integer epoch, exact for any int32 step.

  Example (StepLR-like: halve every 2 epochs of 100 steps):
    >>> from optax_sched import exponential_decay
    >>> s = per_epoch(exponential_decay(1.0, 2, 0.5, staircase=True), 100)
    >>> [float(s(k)) for k in (199, 200, 399, 400)]
    [1.0, 0.5, 0.5, 0.25]
  """

  schedule: ScheduleFn
  steps_per_epoch: Real

  def _check(self):
    v.positive(self, "steps_per_epoch")

  def _value(self, t):
    return self.schedule(quotient(t, self.steps_per_epoch))

  def declared_jumps(self, total_steps):
    """Every epoch boundary: the value moves in steps there by design."""
    if not known(self.steps_per_epoch):
      return ()
    every = float(self.steps_per_epoch)
    return np.arange(every, total_steps, every)


@register
class repeat(_Timed):
  r"""Restarts ``schedule`` in cycles: warm restarts, cyclic schedules.

  Cycle ``i`` (from 0) lasts :math:`L_i = P m^i` steps and starts at
  :math:`S_i = P (m^i - 1) / (m - 1)` (:math:`S_i = iP` when ``m = 1``):

  .. math::
    v(t) = d^{\,i}\, s\!\left(\frac{t - S_i}{m^i}\right),
    \quad S_i \le t < S_{i+1}

  With ``stretch_cycles=False`` the child sees ``t - S_i`` unscaled (e.g. a
  warmup of fixed length in every cycle). The cycle is found in O(1) by
  modular arithmetic or a logarithm, never by walking n cycles. With a
  constant period (``period_mult=1``) and integer steps the arithmetic is in
  integers, exact for every int32 step; otherwise in floats.

  Args:
    schedule: the cycle's shape, a schedule of the step within the cycle.
    period: ``P`` > 0, the length of the first cycle.
    period_mult: ``m`` >= 1, each cycle's length over the previous one's.
    decay: ``d`` >= 0, each cycle's value scale over the previous one's (a
      negative one would flip the sign every cycle).
    stretch_cycles: scale the child's time so every cycle plays the child's
      first ``P`` steps (what SGDR's ``T_mult`` does).

  Example (SGDR: cosine cycles of 10, 20, 40 steps, each at half height):
    >>> from optax_sched import cosine_decay_schedule
    >>> s = repeat(cosine_decay_schedule(1.0, 10), 10, period_mult=2, decay=0.5)
    >>> [round(float(s(k)), 6) for k in (0, 5, 10, 20, 30, 70)]
    [1.0, 0.5, 0.5, 0.25, 0.25, 0.125]
  """

  schedule: ScheduleFn
  period: Real
  period_mult: Real = 1.0
  decay: Real = 1.0
  stretch_cycles: bool = static(default=True)

  def _check(self):
    v.positive(self, "period")
    # Shrinking cycles (m < 1) would end the schedule at P / (1 - m).
    v.number(self, "period_mult", ok=lambda m: m >= 1, allowed="it must be >= 1")
    v.nonnegative(self, "decay")
    v.flag(self, "stretch_cycles")

  def _value(self, t):
    m = v.concrete(self.period_mult)
    if m is not None and m == 1:
      # Integer steps stay integers: exact for every int32 step.
      i, inner = quotient_remainder(t, self.period)
      if all(jnp.issubdtype(jnp.asarray(x).dtype, jnp.integer) for x in (t, self.period)):
        inner = t - i * self.period  # integer steps stay integers
    else:
      i, pos, length = cycle(t, self.period, self.period_mult)
      inner = pos * (fl(self.period) / length) if self.stretch_cycles else pos
    value = self.schedule(inner)
    d = v.concrete(self.decay)
    if d is not None and d == 1:
      return value
    return value * jnp.power(fl(self.decay), fl(i))

  def declared_jumps(self, total_steps):
    """Every cycle start (a restart), and the child's jumps in each cycle."""
    if not known(self.period, self.period_mult):
      return ()
    p, m = float(self.period), float(self.period_mult)
    out, start, length = [], 0.0, p
    inner = jumps(self.schedule, p if self.stretch_cycles else total_steps)
    while start < total_steps:
      scale = length / p if self.stretch_cycles else 1.0
      out += [start] + [start + j * scale for j in inner if j * scale < length]
      start, length = start + length, length * m
    out = np.asarray(out[1:])
    return out[out < total_steps]
