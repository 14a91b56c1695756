"""Cosine decay, warmup + cosine decay and SGDR (optax's names and numbers)."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence

import jax.numpy as jnp
import numpy as np

from optax_sched import _validate as v
from optax_sched._base import Schedule, fl, register
from optax_sched._dtypes import Real
from optax_sched._math import raised_cosine, safe_div
from optax_sched.families.polynomial import polynomial


def cosine_decay(t, init_value, decay_steps, alpha: Real = 0.0, exponent: Real = 1.0):
  """``I * ((1 - a) * (0.5 * (1 + cos(pi * min(t, T) / T))) ** p + a)``."""
  count = jnp.clip(fl(t), 0, fl(decay_steps))
  # Clipped: an ulp of overshoot would make a fractional exponent give NaN.
  cosine = jnp.clip(raised_cosine(count, decay_steps), 0, 1)
  return init_value * ((1 - alpha) * cosine**exponent + alpha)


@register
class cosine_decay_schedule(Schedule):
  r"""Cosine decay from ``init_value`` to ``alpha * init_value``.

  .. math::
    v(t) = I \left((1 - \alpha)\left(\tfrac{1}{2}\bigl(1 + \cos\tfrac{\pi
    \min(t, T)}{T}\bigr)\right)^{p} + \alpha\right)

  Args:
    init_value: value at step 0.
    decay_steps: ``T`` > 0, steps to reach the floor; held after.
    alpha: floor as a fraction of ``init_value``.
    exponent: ``p``, the power of the cosine factor.

  Example (the optax lesson's printed values):
    >>> s = cosine_decay_schedule(1e-3, 10000, alpha=0.0)
    >>> [round(float(s(k)), 6) for k in (0, 5000, 10000)]
    [0.001, 0.0005, 0.0]

  References:
    Loshchilov & Hutter, SGDR: Stochastic Gradient Descent with Warm
    Restarts, 2017.
  """

  init_value: Real
  decay_steps: Real
  alpha: Real = 0.0
  exponent: Real = 1.0

  def _check(self):
    v.real(self, "init_value")
    v.positive(self, "decay_steps")
    v.real(self, "alpha")
    v.real(self, "exponent")

  def _value(self, t):
    return cosine_decay(t, self.init_value, self.decay_steps, self.alpha, self.exponent)


def warmup_cosine(
  t, init_value, peak_value, warmup_steps, decay_steps, end_value: Real = 0.0, exponent: Real = 1.0
):
  """Linear warmup to ``peak_value`` then cosine decay to ``end_value``."""
  alpha = safe_div(end_value, peak_value)
  warm = polynomial(t, init_value, peak_value, 1, warmup_steps)
  decay = cosine_decay(
    jnp.maximum(fl(t) - fl(warmup_steps), 0),
    peak_value,
    fl(decay_steps) - fl(warmup_steps),
    alpha,
    exponent,
  )
  return jnp.where(fl(t) < fl(warmup_steps), warm, decay)


@register
class warmup_cosine_decay_schedule(Schedule):
  r"""Linear warmup then cosine decay: the standard recipe.

  .. math::
    v(t) = \begin{cases}
      I + (P - I)\, t / W & t < W \\
      P\left((1-\alpha)\tfrac12\bigl(1+\cos\tfrac{\pi \min(t - W, D - W)}
      {D - W}\bigr)^{p} + \alpha\right),\ \alpha = E/P & t \ge W
    \end{cases}

  Args:
    init_value: value at step 0.
    peak_value: value at the end of warmup.
    warmup_steps: ``W`` >= 0 steps of linear warmup.
    decay_steps: ``D`` > ``W``, the total length *including* warmup.
    end_value: value from step ``D`` on.
    exponent: power of the cosine factor.

  Example:
    >>> s = warmup_cosine_decay_schedule(0.0, 1e-3, 1000, 50000, 1e-5)
    >>> [round(float(s(k)), 7) for k in (0, 500, 1000, 50000)]
    [0.0, 0.0005, 0.001, 1e-05]
  """

  init_value: Real
  peak_value: Real
  warmup_steps: Real
  decay_steps: Real
  end_value: Real = 0.0
  exponent: Real = 1.0

  def _check(self):
    for name in ("init_value", "peak_value", "end_value", "exponent"):
      v.real(self, name)
    v.nonnegative(self, "warmup_steps")
    v.real(self, "decay_steps")
    w, d = v.concrete(self.warmup_steps), v.concrete(self.decay_steps)
    if w is not None and d is not None and not d > w:
      v.fail(
        self,
        "decay_steps",
        self.decay_steps,
        f"it must be > warmup_steps={w.item()!r} (decay_steps counts the warmup too)",
      )

  def _value(self, t):
    return warmup_cosine(
      t,
      self.init_value,
      self.peak_value,
      self.warmup_steps,
      self.decay_steps,
      self.end_value,
      self.exponent,
    )


@register
class sgdr_schedule(Schedule):
  r"""Warm restarts: warmup-cosine cycles one after another.

  ``cosine_kwargs`` is a list of ``warmup_cosine_decay_schedule`` argument
  dicts; cycle ``k`` starts when the ``decay_steps`` of the cycles before it
  have passed, and sees the step counted from its own start:

  .. math::
    v(t) = c_k(t - s_k) \quad \text{for } s_k \le t < s_{k+1},\qquad
    s_k = \textstyle\sum_{j < k} D_j

  with :math:`c_k` the ``warmup_cosine_decay_schedule`` of cycle :math:`k` and
  :math:`D_j` its ``decay_steps``.

  Example:
    >>> s = sgdr_schedule([dict(init_value=1e-3, peak_value=1e-3,
    ...                         decay_steps=100, warmup_steps=10)] * 2)
    >>> [round(float(s(k)), 6) for k in (0, 100, 150)]
    [0.001, 0.001, 0.000587]

  References:
    Loshchilov & Hutter, SGDR: Stochastic Gradient Descent with Warm
    Restarts, 2017.
  """

  cosine_kwargs: Sequence[Mapping[str, Real]]

  def __post_init__(self):
    if not isinstance(self.cosine_kwargs, (list, tuple)) or not all(
      isinstance(k, dict) for k in self.cosine_kwargs
    ):
      v.fail(
        self,
        "cosine_kwargs",
        self.cosine_kwargs,
        "it must be a list of warmup_cosine_decay_schedule argument dicts",
      )
    object.__setattr__(self, "cosine_kwargs", tuple(dict(k) for k in self.cosine_kwargs))
    super().__post_init__()

  def _check(self):
    if not self.cosine_kwargs:
      v.fail(self, "cosine_kwargs", [], "it must hold at least one cycle")
    for i, kwargs in enumerate(self.cosine_kwargs):
      try:
        warmup_cosine_decay_schedule(**kwargs)
      except (TypeError, ValueError) as e:
        raise ValueError(f"sgdr_schedule: cosine_kwargs[{i}]: {e}") from None

  def declared_jumps(self, total_steps):
    """Each cycle after the first restarts at its own ``init_value``."""
    lengths = v.concrete_all(k.get("decay_steps") for k in self.cosine_kwargs)
    if lengths is None:
      return ()
    return tuple(np.cumsum([float(n) for n in lengths])[:-1])

  def _value(self, t):
    # A join of one family: O(log n) per step for any number of cycles.
    from optax_sched.combinators import join_schedules

    pieces = [warmup_cosine_decay_schedule(**k) for k in self.cosine_kwargs]
    lengths = [k["decay_steps"] for k in self.cosine_kwargs]
    known = v.concrete_all(lengths)
    if known is not None:
      # Python sums, like optax: integer lengths give integer boundaries.
      ends = list(itertools.accumulate(x.item() for x in known))
    else:
      ends = list(jnp.cumsum(jnp.stack([fl(x) for x in lengths])))
    return join_schedules(pieces, ends[:-1])(t)
