"""Exponential decay, with and without warmup (optax's names and numbers)."""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from optax_sched import _validate as v
from optax_sched._base import Schedule, fl, register, static
from optax_sched._dtypes import Real
from optax_sched._math import floor_div, rate_power
from optax_sched.families.polynomial import polynomial


def exponential(
  t,
  init_value,
  transition_steps,
  decay_rate,
  transition_begin: Real = 0,
  staircase=False,
  end_value: Real | None = None,
):
  """``I * r ** ((t - B) / T)`` (floored if ``staircase``), clipped at E."""
  since = fl(t) - fl(transition_begin)
  if staircase:
    p = floor_div(jnp.maximum(jnp.asarray(t) - transition_begin, 0), transition_steps)
  else:
    p = since / fl(transition_steps)
  value = jnp.where(since <= 0, fl(init_value), init_value * rate_power(decay_rate, p))
  if end_value is not None:
    value = jnp.where(
      fl(decay_rate) < 1, jnp.maximum(value, end_value), jnp.minimum(value, end_value)
    )
  return value


class _Exponential(Schedule):
  """Shared checks of the exponential decays (their fields, declared by each)."""

  init_value: Real
  transition_steps: Real
  decay_rate: Real
  transition_begin: Real
  staircase: bool
  end_value: Real | None

  def _check(self):
    v.real(self, "init_value")
    v.positive(self, "transition_steps")
    v.positive(self, "decay_rate")
    v.nonnegative(self, "transition_begin")
    v.flag(self, "staircase")
    if self.end_value is not None:
      v.real(self, "end_value")

  def declared_jumps(self, total_steps):
    """Staircase drops at ``begin + k * transition_steps`` (k >= 1)."""
    start = v.concrete(getattr(self, "warmup_steps", 0))
    begin = v.concrete(self.transition_begin)
    every = v.concrete(self.transition_steps)
    if not self.staircase or start is None or begin is None or every is None:
      return ()
    first = float(start) + float(begin)
    return np.arange(first + float(every), total_steps, float(every))


@register
class exponential_decay(_Exponential):
  r"""Exponential decay by ``decay_rate`` every ``transition_steps``.

  .. math::
    v(t) = \begin{cases} I & t \le B \\
    I\, r^{(t - B)/T} \text{ (exponent floored if staircase)} & t > B
    \end{cases}

  then clipped from below by ``end_value`` when ``r < 1`` (from above when
  ``r > 1``).

  Args:
    init_value: value up to ``transition_begin``.
    transition_steps: ``T`` > 0 steps per factor of ``decay_rate``.
    decay_rate: ``r`` > 0 (< 1 decays, > 1 grows).
    transition_begin: ``B`` >= 0 steps to hold ``init_value`` first.
    staircase: decay in discrete jumps every ``T`` steps.
    end_value: optional floor (ceiling when ``r > 1``).

  Example:
    >>> s = exponential_decay(1e-3, transition_steps=1000, decay_rate=0.5)
    >>> [round(float(s(k)), 7) for k in (0, 1000, 2000)]
    [0.001, 0.0005, 0.00025]
  """

  init_value: Real
  transition_steps: Real
  decay_rate: Real
  transition_begin: Real = 0
  staircase: bool = static(default=False)
  end_value: Real | None = None

  def _value(self, t):
    return exponential(
      t,
      self.init_value,
      self.transition_steps,
      self.decay_rate,
      self.transition_begin,
      self.staircase,
      self.end_value,
    )


@register
class warmup_exponential_decay_schedule(_Exponential):
  r"""Linear warmup to ``peak_value``, then :class:`exponential_decay`.

  The decay sees the step counted from the end of warmup, so
  ``transition_begin`` is measured from there. With :math:`I` = ``init_value``,
  :math:`W` = ``warmup_steps``,
  :math:`P` = ``peak_value``, :math:`b` = ``transition_begin``, :math:`T` =
  ``transition_steps`` and :math:`r` = ``decay_rate``:

  .. math::
    v(t) = \begin{cases}
      I + (P - I)\,t / W & t < W \\
      P\,r^{\max(t - W - b, 0) / T} & t \ge W
    \end{cases}

  (the exponent floored with ``staircase``), held at ``end_value`` once it is passed.

  Example:
    >>> s = warmup_exponential_decay_schedule(0.0, 1e-3, 100, 1000, 0.5)
    >>> [round(float(s(k)), 7) for k in (50, 100, 1100)]
    [0.0005, 0.001, 0.0005]
  """

  init_value: Real
  peak_value: Real
  warmup_steps: Real
  transition_steps: Real
  decay_rate: Real
  transition_begin: Real = 0
  staircase: bool = static(default=False)
  end_value: Real | None = None

  def _check(self):
    super()._check()
    v.real(self, "peak_value")
    v.nonnegative(self, "warmup_steps")

  def _value(self, t):
    warm = polynomial(t, self.init_value, self.peak_value, 1, self.warmup_steps)
    after = jnp.maximum(jnp.asarray(t) - self.warmup_steps, 0)
    decay = exponential(
      after,
      self.peak_value,
      self.transition_steps,
      self.decay_rate,
      self.transition_begin,
      self.staircase,
      self.end_value,
    )
    return jnp.where(fl(t) < fl(self.warmup_steps), warm, decay)
