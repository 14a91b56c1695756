"""Hyperbolic-tangent decay, with optional restarts (timm's ``TanhLRScheduler``)."""

from __future__ import annotations

import jax

from optax_sched import _validate as v
from optax_sched._base import register
from optax_sched._dtypes import Real
from optax_sched.families.restarts import Restarting, check_restarts, restarting


@register
class tanh_schedule(Restarting):
  r"""Decay along ``1 - tanh`` swept from ``lb`` to ``ub``, then hold ``end_value``.

  Inside cycle :math:`i` (length :math:`L_i = L\,m^i`, position
  :math:`p`, :math:`r = p / L_i`):

  .. math::
    v = E + \tfrac12 (I d^i - E)\bigl(1 - \tanh(lb\,(1 - r) + ub\,r)\bigr)

  and :math:`v = E` once ``cycle_limit`` cycles have run. With the default
  ``lb=-7`` the curve starts a hair below ``I`` (``tanh(-7) != -1``), like
  timm.

  Args:
    init_value: ``I``, the peak of the first cycle.
    decay_steps: ``L`` > 0, the length of the (first) decay.
    end_value: ``E``, the floor.
    lb: where the tanh sweep starts (< ``ub``).
    ub: where it ends.
    period_mult: ``m`` >= 1, each cycle is this much longer than the last.
    decay: ``d`` >= 0, each cycle's peak factor.
    cycle_limit: cycles to run before holding ``E`` (default 1: no
      restarts); ``None`` for ever.

  Example:
    >>> s = tanh_schedule(1.0, 100)
    >>> [round(float(s(k)), 4) for k in (0, 50, 70, 100)]
    [1.0, 0.982, 0.5, 0.0]

  References:
    Hsueh et al., Stochastic Gradient Descent with Hyperbolic-Tangent Decay
    on Classification, 2019.
  """

  init_value: Real
  decay_steps: Real
  end_value: Real = 0.0
  lb: Real = -7.0
  ub: Real = 3.0
  period_mult: Real = 1.0
  decay: Real = 1.0
  cycle_limit: Real | None = 1

  _period_field = "decay_steps"

  def _check(self):
    v.positive(self, "decay_steps")
    check_restarts(self)
    v.real(self, "lb")
    v.real(self, "ub")
    v.compare(self, "ub", ">", "lb")

  def _value(self, t):
    lb, ub = self.lb, self.ub
    return restarting(
      t,
      # (1 - tanh(x)) / 2 as sigmoid(-2x): no cancellation where tanh nears 1.
      lambda pos, length: jax.nn.sigmoid(-2 * (lb * (length - pos) + ub * pos) / length),
      self.init_value,
      self.decay_steps,
      self.period_mult,
      self.decay,
      self.end_value,
      self.cycle_limit,
    )
