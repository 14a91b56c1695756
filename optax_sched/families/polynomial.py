"""Constant, linear and polynomial schedules (optax's names and numbers)."""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from optax_sched import _validate as v
from optax_sched._base import Composite, Schedule, fl, register, static
from optax_sched._dtypes import Real
from optax_sched._math import ceil_div, safe_pow


def polynomial(t, init_value, end_value, power, transition_steps, transition_begin: Real = 0):
  """``(I - E) * (1 - clip(t - B, 0, T) / T) ** P + E``; a step at B if T=0.

  Evaluated from the nearer end: in the first half of the transition as
  ``I + (E - I) * (1 - r ** P)`` with ``1 - r ** P`` taken from the exact
  fraction done (``expm1``/``log1p`` for ``P != 1``), in the second half as
  ``E + (I - E) * r ** P``. A warmup from 0 is then as accurate at step 1 as
  anywhere (``1 - r`` from the far end loses digits there).
  """
  frac, done = _remaining(t, transition_steps, transition_begin)
  known, end = v.concrete(power), v.concrete(end_value)
  # A decay to a known 0 needs no near-end form (nothing cancels): as fast
  # as optax's formula.
  if (known is not None and known.ndim == 0 and known == 0) or (
    end is not None and end.ndim == 0 and end == 0
  ):
    return (init_value - end_value) * safe_pow(frac, power) + end_value
  far = (init_value - end_value) * safe_pow(frac, power) + end_value
  if known is not None and known.ndim == 0 and known == 1:
    rise = done
  else:
    # 1 - (1 - d) ** P for d <= 1/2, without cancelling.
    d = jnp.minimum(done, 0.5)
    rise = -jnp.expm1(fl(power) * jnp.log1p(-d))
  near = init_value + (end_value - init_value) * rise
  return jnp.where(frac > 0.5, near, far)


def _remaining(t, length, begin):
  """``(r, d)``: the fraction of the transition still to go, ``r = clip((B
  + T - t) / T, 0, 1)``, and the fraction done, ``d = 1 - r`` (each computed
  from its own end, so the small one is accurate).

  Written as ``(B + T - t) / T`` rather than optax's ``1 - count / T``: XLA
  may divide by multiplying with a reciprocal, and ``1 - count / T`` then
  misses 0 at the end by an ulp, which a fractional power turns into NaN or a
  visible offset. ``T = 0`` is a step from 1 to 0 at ``B``.
  """
  T, B = v.concrete(length), v.concrete(begin)
  if T is not None and B is not None and T.ndim == 0 and B.ndim == 0 and T > 0:
    # The common case, known lengths: no branch on T = 0, so vmapped traces
    # cost what optax's formula does.
    end = B + T
    if (
      jnp.issubdtype(jnp.asarray(t).dtype, jnp.integer)
      and float(end).is_integer()
      and end <= np.iinfo(np.int32).max
    ):
      # Integer steps: exact wherever the step is, also past 2**24.
      left = fl(jnp.clip(int(end) - t, 0, int(np.ceil(T))))
      return jnp.minimum(left / fl(T), 1), jnp.maximum((fl(T) - left) / fl(T), 0)
    count = jnp.clip(fl(t) - fl(B), 0, fl(T))
    return jnp.clip((fl(end) - fl(t)) / fl(T), 0, 1), count / fl(T)
  has_length = jnp.asarray(length) > 0
  safe_length = jnp.where(has_length, length, 1)
  count = jnp.clip(fl(t) - fl(begin), 0, fl(safe_length))
  frac = jnp.where(
    has_length,
    jnp.clip((safe_length - count) / safe_length, 0, 1),
    (fl(t) < fl(begin)).astype(count.dtype),
  )
  return frac, jnp.where(has_length, count / safe_length, 1 - frac)


class _Transition(Schedule):
  """Shared checks of a transition from ``init_value`` to ``end_value``."""

  def _check(self):
    v.real(self, "init_value")
    v.real(self, "end_value")
    v.nonnegative(self, "transition_steps")
    v.nonnegative(self, "transition_begin")


@register
class polynomial_schedule(_Transition):
  r"""Polynomial transition from ``init_value`` to ``end_value``.

  .. math::
    v(t) = (I - E)\,\bigl(1 - \tfrac{\min(\max(t - B, 0), T)}{T}\bigr)^P + E

  Args:
    init_value: value before and at ``transition_begin``.
    end_value: value from ``transition_begin + transition_steps`` on.
    power: exponent ``P`` >= 0 of the transition (1 is linear).
    transition_steps: length ``T`` in steps, >= 0. With 0 the value jumps to
      ``end_value`` at ``transition_begin`` (optax stays at ``init_value``).
    transition_begin: steps ``B`` >= 0 to hold ``init_value`` first.

  Example:
    >>> s = polynomial_schedule(1e-3, 1e-5, power=2.0, transition_steps=100)
    >>> round(float(s(50)), 8)
    0.0002575
  """

  init_value: Real
  end_value: Real
  power: Real
  transition_steps: Real
  transition_begin: Real = 0

  def _check(self):
    super()._check()
    # A negative power turns the end of the transition (0 ** P) into inf.
    v.nonnegative(self, "power")

  def _value(self, t):
    return polynomial(
      t, self.init_value, self.end_value, self.power, self.transition_steps, self.transition_begin
    )


@register
class linear_schedule(_Transition):
  r"""Linear transition from ``init_value`` to ``end_value``.

  .. math::
    v(t) = I + (E - I) \min(\max(t - B, 0), T) / T

  Example:
    >>> s = linear_schedule(0.0, 1e-3, transition_steps=1000)
    >>> round(float(s(500)), 7)
    0.0005
  """

  init_value: Real
  end_value: Real
  transition_steps: Real
  transition_begin: Real = 0

  def _value(self, t):
    return polynomial(
      t, self.init_value, self.end_value, 1, self.transition_steps, self.transition_begin
    )


@register
class warmup_constant_schedule(Schedule):
  r"""Linear warmup from ``init_value`` to ``peak_value``, then constant.

  With :math:`I` = ``init_value``, :math:`P` = ``peak_value`` and :math:`W` =
  ``warmup_steps``: :math:`v(t) = I + (P - I)\min(t, W) / W`.

  With ``warmup_steps=0`` the value is ``peak_value`` from step 0 (optax
  stays at ``init_value`` for ever).

  Example:
    >>> s = warmup_constant_schedule(0.0, 1e-3, warmup_steps=100)
    >>> [round(float(s(k)), 7) for k in (0, 50, 1000)]
    [0.0, 0.0005, 0.001]
  """

  init_value: Real
  peak_value: Real
  warmup_steps: Real

  def _check(self):
    v.real(self, "init_value")
    v.real(self, "peak_value")
    v.nonnegative(self, "warmup_steps")

  def _value(self, t):
    return polynomial(t, self.init_value, self.peak_value, 1, self.warmup_steps)


@register
class warmup_polynomial_decay_schedule(Composite):
  r"""Linear warmup to ``peak_value``, then polynomial decay to ``end_value``.

  .. math::
    v(t) = \begin{cases}
      I + (P - I)\, t / W & t < W \\
      (P - E)\bigl(1 - \tfrac{\min(t - W,\ D - W)}{D - W}\bigr)^{p} + E
        & t \ge W
    \end{cases}

  A warmup (``combinators.warmup``) in front of
  :class:`polynomial_schedule`; ``decay_steps`` counts the warmup too, as in
  :class:`~optax_sched.warmup_cosine_decay_schedule`. BERT's and
  Transformers' ``get_polynomial_decay_schedule_with_warmup`` is
  ``init_value=0``.

  Args:
    init_value: ``I``, the value at step 0.
    peak_value: ``P``, the value at the end of warmup.
    warmup_steps: ``W`` >= 0.
    decay_steps: ``D`` > ``W``, the total length including warmup.
    end_value: ``E``, the value from ``D`` on.
    power: ``p`` > 0.

  Example:
    >>> s = warmup_polynomial_decay_schedule(0.0, 1e-3, 100, 1100, 1e-5, 2.0)
    >>> [round(float(s(k)), 8) for k in (50, 100, 600, 1100)]
    [0.0005, 0.001, 0.0002575, 1e-05]
  """

  init_value: Real
  peak_value: Real
  warmup_steps: Real
  decay_steps: Real
  end_value: Real = 0.0
  power: Real = 1.0

  def _check(self):
    for name in ("init_value", "peak_value", "end_value"):
      v.real(self, name)
    v.positive(self, "power")
    v.nonnegative(self, "warmup_steps")
    v.real(self, "decay_steps")
    v.compare(self, "decay_steps", ">", "warmup_steps", "decay_steps counts the warmup too")

  def native(self) -> Schedule:
    from optax_sched.combinators import warmup

    decay = polynomial_schedule(
      self.peak_value, self.end_value, self.power, self.decay_steps - self.warmup_steps
    )
    return warmup(decay, self.warmup_steps, init_value=self.init_value)


@register
class polynomial_decay_schedule(Schedule):
  r"""Polynomial decay to ``end_value`` that can restart (``cycle``).

  .. math::
    v(t) = (I - E)\left(1 - \tfrac{\min(t, T)}{T}\right)^P + E

  With ``cycle=True`` the decay is not held: ``T`` grows to the first
  multiple of ``decay_steps`` that is >= ``t`` (``decay_steps`` itself at
  step 0), so cycle ``k`` (from 1) starts near ``(I - E) / k**P + E`` and
  decays to ``E`` again (TensorFlow's and Keras's ``PolynomialDecay``).
  Without ``cycle`` this is ``polynomial_schedule(I, E, P, T)``.

  Args:
    init_value: ``I``, the value at step 0.
    decay_steps: ``T`` > 0 steps to reach ``end_value``.
    end_value: ``E``.
    power: ``P`` >= 0.
    cycle: whether to restart after ``decay_steps``.

  Example:
    >>> s = polynomial_decay_schedule(1.0, 10, 0.0, cycle=True)
    >>> [round(float(s(k)), 4) for k in (0, 5, 10, 11, 15, 20)]
    [1.0, 0.5, 0.0, 0.45, 0.25, 0.0]
  """

  init_value: Real
  decay_steps: Real
  end_value: Real = 0.0
  power: Real = 1.0
  cycle: bool = static(default=False)

  def _check(self):
    v.real(self, "init_value")
    v.positive(self, "decay_steps")
    v.real(self, "end_value")
    v.nonnegative(self, "power")
    v.flag(self, "cycle")

  def _value(self, t):
    if not self.cycle:
      return polynomial(t, self.init_value, self.end_value, self.power, self.decay_steps)
    cycles = jnp.maximum(ceil_div(t, self.decay_steps), 1)
    length = fl(self.decay_steps) * cycles
    frac = jnp.clip((length - fl(t)) / length, 0, 1)
    return (self.init_value - self.end_value) * safe_pow(frac, self.power) + (self.end_value)

  def declared_jumps(self, total_steps):
    """With ``cycle``, the step after each multiple of ``decay_steps``."""
    every = v.concrete(self.decay_steps)
    if not self.cycle or every is None:
      return ()
    ends = np.arange(float(every), total_steps, float(every))
    return np.floor(ends) + 1
