"""Warmup-stable-decay: a stable phase (constant or rsqrt) then a short decay.

The warmup is not part of the family: put one in front with
``optax_sched.combinators.warmup``. The stable and decay phases are measured
from the end of the warmup.
"""

from __future__ import annotations

import jax.numpy as jnp

from optax_sched import _validate as v
from optax_sched._base import Schedule, fl, register, static
from optax_sched._dtypes import Real
from optax_sched._math import raised_cosine, safe_pow
from optax_sched.families.rsqrt import rsqrt

STABLE_SHAPES = ("constant", "rsqrt", "power")
DECAY_SHAPES = ("linear", "cosine", "1-sqrt", "power", "exp")


def decay_factor(
  pos,
  length,
  shape,
  exponent: Real = 1.0,
  decay_ratio: Real = 0.1,
  num_cycles: Real = 0.5,
):
  """The decay phase's factor at ``pos`` steps of ``length`` (progress ``f =
  pos / length``): 1 at 0, 0 at 1 (``cosine`` with ``num_cycles != 0.5``
  ends elsewhere). Each shape is written so that its last steps keep their
  float32 digits: ``1 - f`` as ``(length - pos) / length``, ``1 - sqrt f``
  as ``(1 - f) / (1 + sqrt f)``, ``1 - f**a`` through ``expm1``/``log1p``."""
  pos, length = fl(pos), fl(length)
  left = (length - pos) / length
  frac = pos / length
  if shape == "linear":
    return left
  if shape == "cosine":
    return raised_cosine(2 * fl(num_cycles) * pos, length, wrap=True)
  if shape == "1-sqrt":
    return left / (1 + safe_pow(frac, 0.5))
  if shape == "power":
    near_end = -jnp.expm1(exponent * jnp.log1p(-jnp.minimum(left, 0.5)))
    return jnp.where(left < 0.5, near_end, 1 - safe_pow(frac, exponent))
  r = fl(decay_ratio)
  # (r**f - r) / (1 - r) with r**f - r = r * expm1((1 - f) * -log r).
  return r * jnp.expm1(-left * jnp.log(r)) / (1 - r)


@register
class wsd_schedule(Schedule):
  r"""Stable at ``peak_value`` (or an rsqrt from it), then decay to ``end_value``.

  With :math:`d = t - S` steps into the decay and :math:`f = \min(\max(d,
  0) / D, 1)`:

  .. math::
    v(t) = \begin{cases}
      E + (\max(P\,g(t), E) - E)\,h(f) & d < D \\
      E & d \ge D
    \end{cases}

  Stable shapes :math:`g`: ``"constant"`` 1; ``"rsqrt"``
  :math:`(1 + t/\tau)^{-1/2}`; ``"power"`` :math:`(1 + t/\tau)^{-q}`. A
  decaying stable phase keeps decaying under the decay (big_vision's rsqrt
  with a linear cooldown) and never falls below ``E``.

  Decay shapes :math:`h`: ``"linear"`` :math:`1 - f`; ``"cosine"``
  :math:`\tfrac12(1 + \cos 2\pi n f)` (``n = 0.5``: half a cosine);
  ``"1-sqrt"`` :math:`1 - \sqrt f`; ``"power"`` :math:`1 - f^a`;
  ``"exp"`` :math:`(r^f - r) / (1 - r)`, an exponential decay to ``r``
  rescaled to reach ``E``.

  Which arguments give which published variant (``W`` a warmup in front,
  see ``combinators.warmup``):

  * Transformers ``get_wsd_schedule``: ``decay_shape`` ``"linear"``,
    ``"cosine"`` (with ``num_cycles``) or ``"1-sqrt"``, ``end_value =
    min_lr_ratio * P`` (``compat.transformers``).
  * timm ``WSDLRScheduler``: all shapes; ``stable_shape`` ``"rsqrt"`` /
    ``"power"`` with ``timescale=W`` is big_vision's rsqrt + cooldown
    (``compat.timm``).
  * MiniCPM (an exponential decay to a fraction ``r`` of the peak):
    ``decay_shape="exp", decay_ratio=r, end_value=r * P``, which is
    exactly :math:`P\,r^{f}`.
  * levanter / MaxText WSD: ``decay_shape`` ``"linear"`` or ``"cosine"``
    with ``end_value = min_lr_ratio * P`` (the final fraction).

  Args:
    peak_value: ``P``, the stable value.
    stable_steps: ``S`` >= 0 steps before the decay starts.
    decay_steps: ``D`` >= 0 steps of decay; ``E`` from ``S + D`` on.
    end_value: ``E``.
    decay_shape: one of ``"linear", "cosine", "1-sqrt", "power", "exp"``.
    exponent: ``a`` > 0 of the ``"power"`` decay.
    decay_ratio: ``r`` in (0, 1) of the ``"exp"`` decay.
    num_cycles: ``n`` of the ``"cosine"`` decay (waves over ``D``).
    stable_shape: one of ``"constant", "rsqrt", "power"``.
    timescale: ``tau`` > 0 of the ``"rsqrt"``/``"power"`` stable phase.
    stable_power: ``q`` > 0 of the ``"power"`` stable phase.

  Example:
    >>> s = wsd_schedule(1e-3, stable_steps=800, decay_steps=200,
    ...                  decay_shape="linear")
    >>> [round(float(s(k)), 7) for k in (0, 800, 900, 1000)]
    [0.001, 0.001, 0.0005, 0.0]

  References:
    Hu et al., MiniCPM, 2024; Hägele et al., Scaling Laws and
    Compute-Optimal Training Beyond Fixed Training Durations, 2024;
    Zhai et al., Scaling Vision Transformers, 2022.
  """

  peak_value: Real
  stable_steps: Real
  decay_steps: Real
  end_value: Real = 0.0
  decay_shape: str = static(default="1-sqrt")
  exponent: Real = 1.0
  decay_ratio: Real = 0.1
  num_cycles: Real = 0.5
  stable_shape: str = static(default="constant")
  timescale: Real | None = None
  stable_power: Real = 0.5

  def _check(self):
    v.real(self, "peak_value")
    v.nonnegative(self, "stable_steps")
    v.nonnegative(self, "decay_steps")
    v.real(self, "end_value")
    v.choice(self, "decay_shape", DECAY_SHAPES)
    v.positive(self, "exponent")
    v.in_range(self, "decay_ratio", 0.0, 1.0, lo_open=True, hi_open=True)
    v.real(self, "num_cycles")
    v.choice(self, "stable_shape", STABLE_SHAPES)
    v.positive(self, "stable_power")
    if self.stable_shape != "constant":
      if self.timescale is None:
        v.fail(
          self,
          "timescale",
          None,
          f"stable_shape={self.stable_shape!r} needs a timescale > 0 (the"
          " warmup length gives big_vision's rsqrt)",
        )
      v.positive(self, "timescale")

  def _value(self, t):
    tf = fl(t)
    if self.stable_shape == "constant":
      stable = jnp.broadcast_to(fl(self.peak_value), tf.shape)
    else:
      power = 0.5 if self.stable_shape == "rsqrt" else self.stable_power
      stable = rsqrt(tf, self.peak_value, self.timescale, power)
    end = fl(self.end_value)
    stable = jnp.maximum(stable, end)
    into = tf - fl(self.stable_steps)
    has_length = fl(self.decay_steps) > 0
    length = jnp.where(has_length, fl(self.decay_steps), 1.0)
    pos = jnp.where(has_length, jnp.clip(into, 0, length), 0.0)
    h = decay_factor(
      pos, length, self.decay_shape, self.exponent, self.decay_ratio, self.num_cycles
    )
    return jnp.where(into >= fl(self.decay_steps), end, end + (stable - end) * h)
