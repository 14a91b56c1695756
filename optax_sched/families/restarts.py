"""Decays that restart: cosine (torch, timm, Keras) and polynomial (timm) cycles.

Every family here shares :func:`restarting`: cycle ``i`` lasts
``L * m**i`` steps, its peak shrinks by ``d**i``, a shape maps the position
inside the cycle to a factor in ``[0, 1]``, and after ``cycle_limit`` cycles
the value holds at the floor.
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from optax_sched import _validate as v
from optax_sched._base import Schedule, fl, register, static
from optax_sched._dtypes import Real
from optax_sched._math import cycle, raised_cosine, safe_pow


def restarting(
  t,
  shape,
  init_value,
  first_period,
  period_mult: Real = 1.0,
  decay: Real = 1.0,
  end_value: Real = 0.0,
  cycle_limit: Real | None = None,
  decay_mode="peak",
):
  """``E + (I d**i - E) * shape(p / L_i)``, or ``E`` after ``cycle_limit`` cycles.

  ``shape`` maps the position in the cycle and its length (``p`` in ``[0,
  L_i)``, ``L_i``) to a factor that is 1 at the start of the cycle.
  ``decay_mode="amplitude"`` decays the height above the floor instead:
  ``E + d**i (I - E) * shape``.
  """
  i, pos, length = cycle(t, first_period, period_mult)
  c = shape(pos, length)
  gamma = fl(decay) ** i
  floor = fl(end_value)
  if decay_mode == "peak":
    value = floor + (init_value * gamma - floor) * c
  else:
    value = floor + gamma * (init_value - floor) * c
  if cycle_limit is not None:
    value = jnp.where(i < cycle_limit, value, floor)
  return value


def _unit(k) -> bool:
  """Whether a progress warp ``k`` is known to be 1 (no warp)."""
  known = v.concrete(k)
  return known is not None and known.ndim == 0 and known == 1


def _cosine(pos, length, k):
  """``(1 + cos(pi (pos / length) ** k)) / 2``, to a few ulps when ``k`` is 1."""
  if _unit(k):
    return raised_cosine(pos, length)
  return raised_cosine(safe_pow(pos / length, k), 1.0)


def _left(pos, length, k):
  """``1 - (pos / length) ** k``, from the nearer end when ``k`` is 1."""
  if _unit(k):
    return (length - pos) / length
  return 1 - safe_pow(pos / length, k)


def check_restarts(owner):
  """Checks of the arguments every restarting family shares."""
  v.real(owner, "init_value")
  v.number(
    owner,
    "period_mult",
    ok=lambda a: a >= 1,
    allowed="it must be >= 1 (shrinking cycles would end in finite time)",
  )
  v.nonnegative(owner, "decay")
  v.real(owner, "end_value")
  if owner.cycle_limit is not None:
    v.number(
      owner,
      "cycle_limit",
      ok=lambda a: (a >= 1) & (a == a // 1),
      allowed="it must be a whole number >= 1, or None for no limit",
    )


class Restarting(Schedule):
  """A family built on :func:`restarting`: its cycle starts are restarts."""

  period_mult: Real  # fields of each subclass
  cycle_limit: Real | None

  #: The field that holds the first cycle's length.
  _period_field = "first_period"

  def declared_jumps(self, total_steps: int) -> list[int]:
    """The cycle starts below ``total_steps`` (within ``cycle_limit``; none
    when the periods are traced): deliberate restarts, for lint and plot."""
    period = v.concrete(getattr(self, self._period_field))
    mult = v.concrete(self.period_mult)
    if period is None or mult is None:
      return []
    steps = np.arange(int(total_steps))
    i = np.asarray(cycle(steps, period, mult)[0])
    new = np.diff(i) > 0
    limit = None if self.cycle_limit is None else v.concrete(self.cycle_limit)
    if limit is not None:
      new &= i[1:] < limit
    return [int(s) for s in steps[1:][new]]


@register
class cosine_restarts_schedule(Restarting):
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

  init_value: Real
  first_period: Real
  period_mult: Real = 1.0
  decay: Real = 1.0
  end_value: Real = 0.0
  cycle_limit: Real | None = None
  k_decay: Real = 1.0
  decay_mode: str = static(default="peak")

  def _check(self):
    v.positive(self, "first_period")
    check_restarts(self)
    v.positive(self, "k_decay")
    v.choice(self, "decay_mode", ("peak", "amplitude"))

  def _value(self, t):
    k = self.k_decay
    return restarting(
      t,
      lambda pos, length: _cosine(pos, length, k),
      self.init_value,
      self.first_period,
      self.period_mult,
      self.decay,
      self.end_value,
      self.cycle_limit,
      self.decay_mode,
    )


@register
class polynomial_restarts_schedule(Restarting):
  r"""Polynomial decays that restart (timm's ``PolyLRScheduler``).

  Cycle :math:`i` lasts :math:`L_i = L\,m^i` steps; at position
  :math:`p \in [0, L_i)` inside it

  .. math::
    v = E + (I d^i - E)\,\bigl(1 - (p / L_i)^k\bigr)^{P}

  and :math:`v = E` once ``cycle_limit`` cycles have run (default: one
  cycle, a plain polynomial decay held at ``E``).

  Args:
    init_value: ``I``, the value at the start of the first cycle.
    first_period: ``L`` > 0, steps in the first cycle.
    power: ``P`` > 0, the exponent of the decay.
    period_mult: ``m`` >= 1, each cycle is this much longer than the last.
    decay: ``d`` >= 0, each cycle's peak factor.
    end_value: ``E``, the floor.
    cycle_limit: cycles to run before holding ``E``; ``None`` for ever.
    k_decay: ``k`` > 0, warps the progress inside a cycle.

  Example:
    >>> s = polynomial_restarts_schedule(1.0, 100, power=2.0)
    >>> [round(float(s(k)), 4) for k in (0, 50, 99, 100)]
    [1.0, 0.25, 0.0001, 0.0]
  """

  init_value: Real
  first_period: Real
  power: Real = 0.5
  period_mult: Real = 1.0
  decay: Real = 1.0
  end_value: Real = 0.0
  cycle_limit: Real | None = 1
  k_decay: Real = 1.0

  def _check(self):
    v.positive(self, "first_period")
    v.positive(self, "power")
    check_restarts(self)
    v.positive(self, "k_decay")

  def _value(self, t):
    k, p = self.k_decay, self.power
    # Clipped to [0, 1]: below 0 a fractional power is NaN, and above 1 (a float32
    # position rounded below 0, with a traced period at large steps) the value
    # would pass init_value.
    return restarting(
      t,
      lambda pos, length: safe_pow(jnp.clip(_left(pos, length, k), 0, 1), p),
      self.init_value,
      self.first_period,
      self.period_mult,
      self.decay,
      self.end_value,
      self.cycle_limit,
    )
