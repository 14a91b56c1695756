"""Cosine annealing that keeps following the cosine (torch's CosineAnnealingLR)."""

from __future__ import annotations

from optax_sched import _validate as v
from optax_sched._base import Schedule, register
from optax_sched._dtypes import Real
from optax_sched._math import cosine_interpolate, cycle


@register
class cosine_annealing_schedule(Schedule):
  r"""A cosine from ``init_value`` down to ``end_value`` over ``decay_steps``
  that is not clamped: past ``decay_steps`` it climbs back up, with period
  ``2 * decay_steps``.

  .. math::
    v(t) = E + \tfrac12 (I - E)\left(1 + \cos\tfrac{\pi t}{T}\right)

  This is what torch's ``CosineAnnealingLR`` gives if stepped past ``T_max``
  (its recursive update follows this closed form); ``cosine_decay_schedule``
  holds the floor instead.

  Args:
    init_value: ``I``, the value at step 0 (and at every ``2kT``).
    decay_steps: ``T`` > 0, steps from ``I`` down to ``E``.
    end_value: ``E``, the value at ``T`` (and every odd multiple of it).

  Example:
    >>> s = cosine_annealing_schedule(1.0, 10, 0.0)
    >>> [round(float(s(k)), 4) for k in (0, 5, 10, 15, 20)]
    [1.0, 0.5, 0.0, 0.5, 1.0]

  References:
    Loshchilov & Hutter, SGDR: Stochastic Gradient Descent with Warm
    Restarts, 2017.
  """

  init_value: Real
  decay_steps: Real
  end_value: Real = 0.0

  def _check(self):
    v.real(self, "init_value")
    v.positive(self, "decay_steps")
    v.real(self, "end_value")

  def _value(self, t):
    # The position inside the period 2T, exact for integer steps, keeps the
    # cosine's argument small: float32 would lose the phase at large t.
    _, pos, _ = cycle(t, 2 * self.decay_steps)
    return cosine_interpolate(self.init_value, self.end_value, pos, self.decay_steps)
