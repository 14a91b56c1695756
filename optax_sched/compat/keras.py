"""Keras 3's ``keras.optimizers.schedules``, number for number.

Each class takes Keras's own arguments (without ``name``: the schedule's
name is its class); ``s(t)`` equals ``schedule(t)`` in Keras.

Example:
  >>> from optax_sched.compat import keras as kl
  >>> s = kl.PiecewiseConstantDecay([100, 200], [1.0, 0.5, 0.1])
  >>> [round(float(s(k)), 6) for k in (100, 101, 201)]
  [1.0, 0.5, 0.1]

What differs from Keras, on purpose: arguments Keras accepts but that give
``nan`` or nonsense (a ``decay_rate`` <= 0, ``t_mul`` < 1, boundaries out
of order) raise ``ValueError`` here, naming the argument.
"""

from __future__ import annotations

from collections.abc import Sequence

from optax_sched import _validate as v
from optax_sched._base import register, static
from optax_sched._dtypes import Real
from optax_sched.compat._mapping import Mapping
from optax_sched.families.cosine import cosine_decay_schedule, warmup_cosine_decay_schedule
from optax_sched.families.exponential import exponential_decay
from optax_sched.families.inverse_time import inverse_time_decay_schedule
from optax_sched.families.polynomial import polynomial_decay_schedule
from optax_sched.families.restarts import cosine_restarts_schedule
from optax_sched.families.step import piecewise_values_schedule


@register(name="keras.ExponentialDecay")
class ExponentialDecay(Mapping):
  """``initial_learning_rate * decay_rate ** (step / decay_steps)``
  (exponent floored if ``staircase``): :class:`exponential_decay`.

  Example:
    >>> from optax_sched.compat.keras import ExponentialDecay
    >>> s = ExponentialDecay(0.1, decay_steps=2, decay_rate=0.5)
    >>> [round(float(s(k)), 6) for k in range(5)]
    [0.1, 0.070711, 0.05, 0.035355, 0.025]
  """

  initial_learning_rate: Real
  decay_steps: Real
  decay_rate: Real
  staircase: bool = static(default=False)

  renames = {"init_value": "initial_learning_rate", "transition_steps": "decay_steps"}

  def native(self):
    return exponential_decay(
      self.initial_learning_rate, self.decay_steps, self.decay_rate, staircase=self.staircase
    )


@register(name="keras.PiecewiseConstantDecay")
class PiecewiseConstantDecay(Mapping):
  """``values[i]`` for ``boundaries[i-1] < step <= boundaries[i]``.

  Keras switches one step *after* each boundary: the boundary step itself
  still has the earlier value (torch and optax switch *at* it). This is
  :class:`piecewise_values_schedule` with ``closed_right=True``.

  Example:
    >>> from optax_sched.compat.keras import PiecewiseConstantDecay
    >>> s = PiecewiseConstantDecay([2, 4], [0.1, 0.05, 0.01])
    >>> [round(float(s(k)), 6) for k in range(6)]
    [0.1, 0.1, 0.1, 0.05, 0.05, 0.01]
  """

  boundaries: Sequence[Real]
  values: Sequence[Real]

  def __post_init__(self):
    for name in ("boundaries", "values"):
      value = getattr(self, name)
      if isinstance(value, (list, tuple)):
        object.__setattr__(self, name, tuple(value))
    super().__post_init__()

  def _check_args(self):
    # Keras documents strictly increasing boundaries; equal ones would make
    # a piece that is never used.
    v.increasing(self, "boundaries", self.boundaries, strict=True)

  def native(self):
    return piecewise_values_schedule(self.boundaries, self.values, closed_right=True)


@register(name="keras.PolynomialDecay")
class PolynomialDecay(Mapping):
  r"""Polynomial decay to ``end_learning_rate``, restarting with ``cycle``:
  :class:`polynomial_decay_schedule`.

  With :math:`D` = ``decay_steps``, :math:`E` = ``end_learning_rate`` and :math:`p` =
  ``power``, and without ``cycle``:

  .. math::
    v(t) = (\text{initial\_learning\_rate} - E)\,(1 - \min(t, D) / D)^p + E

  With ``cycle``, :math:`D` becomes :math:`D \lceil t / D \rceil` (at least :math:`D`).

  Example (with ``cycle``, each cycle stretches to the next multiple):
    >>> from optax_sched.compat.keras import PolynomialDecay
    >>> s = PolynomialDecay(0.1, 4, end_learning_rate=0.01, power=2.0, cycle=True)
    >>> [round(float(s(k)), 6) for k in (0, 2, 4, 5, 8, 12)]
    [0.1, 0.0325, 0.01, 0.022656, 0.01, 0.01]
  """

  initial_learning_rate: Real
  decay_steps: Real
  end_learning_rate: Real = 0.0001
  power: Real = 1.0
  cycle: bool = static(default=False)

  renames = {"init_value": "initial_learning_rate", "end_value": "end_learning_rate"}

  def native(self):
    return polynomial_decay_schedule(
      self.initial_learning_rate, self.decay_steps, self.end_learning_rate, self.power, self.cycle
    )


@register(name="keras.InverseTimeDecay")
class InverseTimeDecay(Mapping):
  """``initial_learning_rate / (1 + decay_rate * step / decay_steps)``:
  :class:`inverse_time_decay_schedule`.

  Example:
    >>> from optax_sched.compat.keras import InverseTimeDecay
    >>> s = InverseTimeDecay(0.1, decay_steps=2, decay_rate=1.0)
    >>> [round(float(s(k)), 6) for k in range(5)]
    [0.1, 0.066667, 0.05, 0.04, 0.033333]
  """

  initial_learning_rate: Real
  decay_steps: Real
  decay_rate: Real
  staircase: bool = static(default=False)

  renames = {"init_value": "initial_learning_rate"}

  def native(self):
    return inverse_time_decay_schedule(
      self.initial_learning_rate, self.decay_steps, self.decay_rate, self.staircase
    )


@register(name="keras.CosineDecay")
class CosineDecay(Mapping):
  r"""Cosine decay to ``alpha`` times its start, after an optional warmup.

  Without ``warmup_target``: :class:`cosine_decay_schedule` from
  ``initial_learning_rate``. With it: a linear warmup from
  ``initial_learning_rate`` to ``warmup_target`` over ``warmup_steps``, then
  a cosine from ``warmup_target`` to ``alpha * warmup_target`` over
  ``decay_steps`` *more* steps (:class:`warmup_cosine_decay_schedule`, whose
  ``decay_steps`` counts the warmup too).

  Without warmup, with :math:`D` = ``decay_steps``, :math:`I` =
  ``initial_learning_rate`` and :math:`\alpha` = ``alpha``:

  .. math::
    v(t) = I\,\bigl((1 - \alpha)(1 + \cos(\pi \min(t, D) / D)) / 2 + \alpha\bigr)

  Example (a warmup of 2 steps, then 4 steps of cosine):
    >>> from optax_sched.compat.keras import CosineDecay
    >>> s = CosineDecay(0.0, 4, alpha=0.1, warmup_target=0.1, warmup_steps=2)
    >>> [round(float(s(k)), 6) for k in range(7)]
    [0.0, 0.05, 0.1, 0.08682, 0.055, 0.02318, 0.01]
  """

  initial_learning_rate: Real
  decay_steps: Real
  alpha: Real = 0.0
  warmup_target: Real | None = None
  warmup_steps: Real = 0

  renames = {"init_value": "initial_learning_rate", "peak_value": "warmup_target"}

  def _check_args(self):
    v.positive(self, "decay_steps")
    v.real(self, "alpha")
    v.nonnegative(self, "warmup_steps")

  def native(self):
    if self.warmup_target is None:
      return cosine_decay_schedule(self.initial_learning_rate, self.decay_steps, self.alpha)
    return warmup_cosine_decay_schedule(
      self.initial_learning_rate,
      self.warmup_target,
      self.warmup_steps,
      self.warmup_steps + self.decay_steps,
      self.alpha * self.warmup_target,
    )


@register(name="keras.CosineDecayRestarts")
class CosineDecayRestarts(Mapping):
  r"""Cosine cycles from ``initial_learning_rate`` towards
  ``alpha * initial_learning_rate``; cycle ``i`` is ``t_mul ** i`` times
  longer and its height above the floor ``m_mul ** i`` times smaller:
  :class:`cosine_restarts_schedule` with ``decay_mode="amplitude"``.

  In cycle :math:`i`, of length :math:`T_i = T_0\,t_{mul}^i` with :math:`t_i` steps into it:

  .. math::
    v(t) = I\,\bigl(m_{mul}^i (1 - \alpha)(1 + \cos(\pi t_i / T_i)) / 2 + \alpha\bigr)

  Example:
    >>> from optax_sched.compat.keras import CosineDecayRestarts
    >>> s = CosineDecayRestarts(0.1, 2, t_mul=2.0, m_mul=0.5)
    >>> [round(float(s(k)), 6) for k in range(8)]
    [0.1, 0.05, 0.05, 0.042678, 0.025, 0.007322, 0.025, 0.024048]
  """

  initial_learning_rate: Real
  first_decay_steps: Real
  t_mul: Real = 2.0
  m_mul: Real = 1.0
  alpha: Real = 0.0

  renames = {
    "init_value": "initial_learning_rate",
    "first_period": "first_decay_steps",
    "period_mult": "t_mul",
    "decay": "m_mul",
  }

  def _check_args(self):
    v.real(self, "alpha")

  def native(self):
    return cosine_restarts_schedule(
      self.initial_learning_rate,
      self.first_decay_steps,
      self.t_mul,
      self.m_mul,
      self.alpha * self.initial_learning_rate,
      decay_mode="amplitude",
    )


__all__ = [
  "ExponentialDecay",
  "PiecewiseConstantDecay",
  "PolynomialDecay",
  "InverseTimeDecay",
  "CosineDecay",
  "CosineDecayRestarts",
]
