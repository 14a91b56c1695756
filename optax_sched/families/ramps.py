"""Ramps of a multiplicative factor on a base value (torch's LinearLR, ConstantLR)."""

from __future__ import annotations

import jax.numpy as jnp

from optax_sched import _validate as v
from optax_sched._base import Schedule, fl, register
from optax_sched._dtypes import Real
from optax_sched.families.polynomial import polynomial


class _Factor(Schedule):
  def _check(self):
    v.real(self, "base_value")
    v.positive(self, "total_steps")


@register
class linear_factor_schedule(_Factor):
  r"""``base_value`` times a factor moving linearly from ``start_factor`` to
  ``end_factor`` over ``total_steps``, then held.

  .. math::
    v(t) = B\left(f_0 + (f_1 - f_0)\,\frac{\min(t, N)}{N}\right)

  Args:
    base_value: ``B``, the value the factors multiply.
    start_factor: ``f_0``, the factor at step 0.
    end_factor: ``f_1``, the factor from step ``N`` on.
    total_steps: ``N`` > 0 steps of the ramp.

  Example (a 5-step warmup from a third of the value, torch's ``LinearLR``):
    >>> s = linear_factor_schedule(0.3, 1 / 3, 1.0, 5)
    >>> [round(float(s(k)), 4) for k in (0, 1, 5, 9)]
    [0.1, 0.14, 0.3, 0.3]
  """

  base_value: Real
  start_factor: Real = 1.0 / 3
  end_factor: Real = 1.0
  total_steps: Real = 5

  def _check(self):
    super()._check()
    v.real(self, "start_factor")
    v.real(self, "end_factor")

  def _value(self, t):
    return self.base_value * polynomial(t, self.start_factor, self.end_factor, 1, self.total_steps)


@register
class constant_factor_schedule(_Factor):
  r"""``base_value * factor`` for the first ``total_steps`` steps, then
  ``base_value``.

  .. math::
    v(t) = \begin{cases} B f & t < N \\ B & t \ge N \end{cases}

  Args:
    base_value: ``B``, the value from step ``N`` on.
    factor: ``f``, the factor applied before step ``N``.
    total_steps: ``N`` > 0 steps with the factor.

  Example (torch's ``ConstantLR(factor=0.5, total_iters=4)``):
    >>> s = constant_factor_schedule(0.1, 0.5, 4)
    >>> [round(float(s(k)), 6) for k in (0, 3, 4)]
    [0.05, 0.05, 0.1]
  """

  base_value: Real
  factor: Real = 1.0 / 3
  total_steps: Real = 5

  def _check(self):
    super()._check()
    v.real(self, "factor")

  def _value(self, t):
    before = fl(t) < fl(self.total_steps)
    return self.base_value * jnp.where(before, fl(self.factor), 1.0)

  def declared_jumps(self, total_steps):
    """The step where the factor ends."""
    end = v.concrete(self.total_steps)
    return () if end is None else (float(end),)
