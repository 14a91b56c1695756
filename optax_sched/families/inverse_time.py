"""Inverse-time decay (Keras's InverseTimeDecay)."""

from __future__ import annotations

import numpy as np

from optax_sched import _validate as v
from optax_sched._base import Schedule, fl, register, static
from optax_sched._dtypes import Real
from optax_sched._math import floor_div


@register
class inverse_time_decay_schedule(Schedule):
  r"""The value divided by ``1 + decay_rate * t / decay_steps``.

  .. math::
    v(t) = \frac{I}{1 + r\,t / T} \quad\text{(} \lfloor t / T \rfloor
    \text{ if staircase)}

  Args:
    init_value: ``I``, the value at step 0.
    decay_steps: ``T`` > 0, the step unit of the decay.
    decay_rate: ``r`` >= 0.
    staircase: decay in discrete jumps every ``T`` steps.

  Example:
    >>> s = inverse_time_decay_schedule(0.1, 10, 0.5)
    >>> [round(float(s(k)), 6) for k in (0, 10, 15, 20)]
    [0.1, 0.066667, 0.057143, 0.05]
    >>> s = inverse_time_decay_schedule(0.1, 10, 0.5, staircase=True)
    >>> [round(float(s(k)), 6) for k in (0, 10, 15, 20)]
    [0.1, 0.066667, 0.066667, 0.05]
  """

  init_value: Real
  decay_steps: Real
  decay_rate: Real
  staircase: bool = static(default=False)

  def _check(self):
    v.real(self, "init_value")
    v.positive(self, "decay_steps")
    v.nonnegative(self, "decay_rate")
    v.flag(self, "staircase")

  def _value(self, t):
    if self.staircase:
      p = floor_div(t, self.decay_steps)
    else:
      p = fl(t) / fl(self.decay_steps)
    return self.init_value / (1 + self.decay_rate * p)

  def declared_jumps(self, total_steps):
    """With ``staircase``, the stairs: every multiple of ``decay_steps``."""
    every = v.concrete(self.decay_steps)
    if not self.staircase or every is None:
      return ()
    return np.arange(float(every), total_steps, float(every))
