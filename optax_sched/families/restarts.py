"""Cosine annealing with warm restarts: one family for torch, timm and Keras."""
from __future__ import annotations

from typing import Any

import jax.numpy as jnp

from optax_sched import _validate as v
from optax_sched._base import Schedule, fl, register, static
from optax_sched._math import cycle


@register
class cosine_restarts_schedule(Schedule):
  r"""Cosine cycles that restart, growing in length and shrinking in height.

  Cycle :math:`i` lasts :math:`L_i = L\,m^i` steps; at position
  :math:`p \in [0, L_i)` inside it, with :math:`c = \tfrac12(1 + \cos(\pi
  (p/L_i)^k))` and :math:`\gamma = d^i`:

  .. math::
    v = \begin{cases}
      E + (I\gamma - E)\,c & \text{decay\_mode="peak" (torch, timm)} \\
      E + \gamma (I - E)\,c & \text{decay\_mode="amplitude" (Keras)}
    \end{cases}

  and :math:`v = E` once ``cycle_limit`` cycles have run.

  Args:
    init_value: ``I``, the value at the start of the first cycle.
    first_period: ``L`` > 0, steps in the first cycle (torch ``T_0``, timm
      ``t_initial``, Keras ``first_decay_steps``).
    period_mult: ``m`` >= 1, each cycle is this much longer than the last
      (torch ``T_mult``, timm ``cycle_mul``, Keras ``t_mul``).
    decay: ``d`` >= 0, each cycle's height factor (timm ``cycle_decay``,
      Keras ``m_mul``; torch has none: 1).
    end_value: ``E``, the floor every cycle decays to (torch ``eta_min``, timm
      ``lr_min``, Keras ``alpha * initial_learning_rate``).
    cycle_limit: number of cycles to run, then hold ``E``; ``None`` for ever.
    k_decay: ``k`` > 0, warps the cosine's progress (timm's ``k_decay``).
    decay_mode: ``"peak"`` decays the peak towards the fixed floor;
      ``"amplitude"`` decays the height above the floor.

  Example (torch's CosineAnnealingWarmRestarts(T_0=10, T_mult=2)):
    >>> s = cosine_restarts_schedule(1.0, 10, period_mult=2)
    >>> [round(float(s(k)), 4) for k in (0, 5, 10, 20, 30)]
    [1.0, 0.5, 1.0, 0.5, 1.0]

  References:
    Loshchilov & Hutter, SGDR: Stochastic Gradient Descent with Warm
    Restarts, 2017.
  """

  init_value: Any
  first_period: Any
  period_mult: Any = 1.0
  decay: Any = 1.0
  end_value: Any = 0.0
  cycle_limit: Any = None
  k_decay: Any = 1.0
  decay_mode: str = static("peak")

  def _check(self):
    v.real(self, "init_value")
    v.positive(self, "first_period")
    v.number(self, "period_mult", ok=lambda a: a >= 1,
             allowed="it must be >= 1 (shrinking cycles would end in finite"
             " time)")
    v.nonnegative(self, "decay")
    v.real(self, "end_value")
    if self.cycle_limit is not None:
      v.number(self, "cycle_limit", ok=lambda a: (a >= 1) & (a == a // 1),
               allowed="it must be a whole number >= 1, or None for no limit")
    v.positive(self, "k_decay")
    v.choice(self, "decay_mode", ("peak", "amplitude"))

  def _value(self, t):
    i, pos, length = cycle(t, self.first_period, self.period_mult)
    c = 0.5 * (1 + jnp.cos(jnp.pi * (pos / length) ** self.k_decay))
    gamma = fl(self.decay) ** i
    floor = fl(self.end_value)
    if self.decay_mode == "peak":
      value = floor + (self.init_value * gamma - floor) * c
    else:
      value = floor + gamma * (self.init_value - floor) * c
    if self.cycle_limit is not None:
      value = jnp.where(i < self.cycle_limit, value, floor)
    return value

  def restart_steps(self, total_steps: int) -> list[int]:
    """The steps, below ``total_steps``, where a new cycle starts."""
    import numpy as np
    steps = np.arange(int(total_steps))
    i = np.asarray(cycle(steps, self.first_period, self.period_mult)[0])
    return [int(s) for s in steps[1:][np.diff(i) > 0]]

  def declared_jumps(self, total_steps: int) -> list[int]:
    """Cycle starts are deliberate restarts (see ``Schedule.declared_jumps``)."""
    return self.restart_steps(total_steps)
