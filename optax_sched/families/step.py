"""Step functions: decay every N steps, at milestones, or to listed values."""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from optax_sched import _validate as v
from optax_sched._base import Schedule, fl, register, static
from optax_sched._dtypes import Real
from optax_sched._math import searchsorted_right, select_piece, stack, steps_array
from optax_sched.families.exponential import exponential


def _check_steps(owner, name):
  """Checks a sequence of step boundaries: numbers >= 0, non-decreasing."""
  steps = getattr(owner, name)
  for i, b in enumerate(steps):
    v.nonnegative(owner, f"{name}[{i}]", b)
  v.increasing(owner, name, steps)


def _as_tuple(owner, name):
  value = getattr(owner, name)
  if isinstance(value, (str, bytes, dict)) or not hasattr(value, "__iter__"):
    v.fail(owner, name, value, "it must be a list of numbers")
  object.__setattr__(owner, name, tuple(value))


@register
class step_decay_schedule(Schedule):
  r"""Multiplies the value by ``gamma`` every ``step_size`` steps.

  .. math::
    v(t) = I\,\gamma^{\lfloor t / N \rfloor}

  Args:
    init_value: ``I``, the value for the first ``step_size`` steps.
    step_size: ``N`` > 0 steps between decays.
    gamma: ``\gamma`` >= 0, the factor applied at each decay.

  Example (torch's ``StepLR(step_size=30, gamma=0.1)``):
    >>> s = step_decay_schedule(1e-3, 30, 0.1)
    >>> [round(float(s(k)), 8) for k in (0, 29, 30, 60)]
    [0.001, 0.001, 0.0001, 1e-05]
  """

  init_value: Real
  step_size: Real
  gamma: Real = 0.1

  def _check(self):
    v.real(self, "init_value")
    v.positive(self, "step_size")
    v.nonnegative(self, "gamma")

  def _value(self, t):
    return exponential(t, self.init_value, self.step_size, self.gamma, staircase=True)

  def declared_jumps(self, total_steps):
    """Every multiple of ``step_size``."""
    every = v.concrete(self.step_size)
    if every is None:
      return ()
    return np.arange(float(every), total_steps, float(every))


@register
class multistep_decay_schedule(Schedule):
  r"""Multiplies the value by ``gamma`` at each milestone step.

  .. math::
    v(t) = I\,\gamma^{\#\{m_i \le t\}}

  A milestone listed twice decays twice (torch's ``MultiStepLR``).

  Args:
    init_value: ``I``, the value before the first milestone.
    milestones: steps >= 0 in non-decreasing order.
    gamma: ``\gamma`` >= 0, the factor applied at each milestone.

  Example:
    >>> s = multistep_decay_schedule(1.0, [30, 80], 0.1)
    >>> [round(float(s(k)), 6) for k in (29, 30, 80)]
    [1.0, 0.1, 0.01]
  """

  init_value: Real
  milestones: Real
  gamma: Real = 0.1

  def __post_init__(self):
    _as_tuple(self, "milestones")
    super().__post_init__()

  def _check(self):
    v.real(self, "init_value")
    _check_steps(self, "milestones")
    v.nonnegative(self, "gamma")

  def _value(self, t):
    if not self.milestones:
      return jnp.broadcast_to(fl(self.init_value), jnp.shape(t))
    n = searchsorted_right(steps_array(self.milestones), t)
    return self.init_value * fl(self.gamma) ** fl(n)

  def declared_jumps(self, total_steps):
    """The milestones."""
    steps = [v.concrete(m) for m in self.milestones]
    return () if any(m is None for m in steps) else tuple(float(m) for m in steps)


@register
class piecewise_values_schedule(Schedule):
  r"""Takes ``values[i]`` between ``boundaries[i-1]`` and ``boundaries[i]``.

  .. math::
    v(t) = V_{\#\{b_i \le t\}} \quad\text{or, with closed\_right,}\quad
    V_{\#\{b_i < t\}}

  By default the new value starts *at* the boundary step (optax, torch);
  with ``closed_right=True`` it starts one step *after* it, so the boundary
  step still has the old value (Keras's ``PiecewiseConstantDecay``).

  Args:
    boundaries: steps >= 0 in non-decreasing order.
    values: one more value than boundaries.
    closed_right: whether the boundary step belongs to the earlier piece.

  Example:
    >>> s = piecewise_values_schedule([10], [1.0, 0.5])
    >>> [float(s(k)) for k in (9, 10, 11)]
    [1.0, 0.5, 0.5]
    >>> s = piecewise_values_schedule([10], [1.0, 0.5], closed_right=True)
    >>> [float(s(k)) for k in (9, 10, 11)]
    [1.0, 1.0, 0.5]
  """

  boundaries: Real
  values: Real
  closed_right: bool = static(default=False)

  def __post_init__(self):
    _as_tuple(self, "boundaries")
    _as_tuple(self, "values")
    super().__post_init__()

  def _check(self):
    _check_steps(self, "boundaries")
    if len(self.values) != len(self.boundaries) + 1:
      v.fail(
        self,
        "values",
        list(self.values),
        f"it must hold len(boundaries) + 1 = {len(self.boundaries) + 1}"
        f" values, one per piece (got {len(self.values)})",
      )
    for i, x in enumerate(self.values):
      v.real(self, f"values[{i}]", x)
    v.flag(self, "closed_right")

  def _value(self, t):
    values = stack(self.values)
    if not self.boundaries:
      return jnp.broadcast_to(values[0], jnp.shape(t))
    side = "left" if self.closed_right else "right"
    return select_piece(values, steps_array(self.boundaries), t, side=side)

  def declared_jumps(self, total_steps):
    """The boundaries (the step after each, with ``closed_right``)."""
    steps = [v.concrete(b) for b in self.boundaries]
    if any(b is None for b in steps):
      return ()
    if self.closed_right:
      return tuple(np.floor(float(b)) + 1 for b in steps)
    return tuple(float(b) for b in steps)
