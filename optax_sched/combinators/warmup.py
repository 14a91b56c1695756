"""``warmup``: a ramp into any schedule."""

from __future__ import annotations

import jax.numpy as jnp

from optax_sched import _validate as v
from optax_sched._base import Schedule, ScheduleLike, fl, register, static
from optax_sched._dtypes import Real
from optax_sched._math import cosine_interpolate, linear_interpolate, safe_div, safe_pow
from optax_sched.combinators._operand import Wrapper

SHAPES = ("linear", "cosine", "exponential", "constant", "1-sqrt")


@register
class warmup(Wrapper):
  r"""Ramps from ``init_value`` to a target over ``warmup_steps``, then ``schedule``.

  With :math:`W` = ``warmup_steps``, :math:`I` = ``init_value``,
  :math:`T` the target and :math:`p = t / W`, for :math:`t < W`:

  =============== =====================================
  ``shape``       value
  =============== =====================================
  ``linear``      :math:`I + (T - I)\,p`
  ``cosine``      :math:`T + (I - T)(1 + \cos \pi p)/2`
  ``exponential`` :math:`I\,(T / I)^{p}` (needs :math:`I, T > 0`)
  ``constant``    :math:`I` (then a jump to the schedule)
  ``1-sqrt``      :math:`I + (T - I)(1 - \sqrt{1 - p})`
  =============== =====================================

  From :math:`t = W` on the value is ``schedule(t - W)`` when ``prefix``
  (the schedule starts after the warmup; timm's ``warmup_prefix=True``),
  else ``schedule(t)`` (the warmup overrides the schedule's first steps;
  timm's default). The target :math:`T` is ``peak_value``, by default the
  value where the warmup hands over: ``schedule(0)`` if ``prefix`` else
  ``schedule(W)``, so the curve is continuous.

  Args:
    schedule: what follows the warmup (a schedule, callable or number).
    warmup_steps: ``W`` >= 0; 0 means no warmup.
    init_value: value at step 0.
    shape: one of ``"linear"``, ``"cosine"``, ``"exponential"``,
      ``"constant"``, ``"1-sqrt"``.
    peak_value: the value the ramp reaches at ``W`` (default: see above).
    prefix: whether ``schedule`` starts counting after the warmup.

  Example:
    >>> from optax_sched import cosine_decay_schedule
    >>> s = warmup(cosine_decay_schedule(1e-3, 1000), 100)
    >>> [round(float(s(k)), 7) for k in (0, 50, 100, 600)]
    [0.0, 0.0005, 0.001, 0.0005]
  """

  schedule: ScheduleLike
  warmup_steps: Real
  init_value: Real = 0.0
  shape: str = static(default="linear")
  peak_value: Real | None = None
  prefix: bool = static(default=True)

  def _check(self):
    v.nonnegative(self, "warmup_steps")
    v.choice(self, "shape", SHAPES)
    v.flag(self, "prefix")
    if self.shape == "exponential":
      v.positive(self, "init_value")
      if self.peak_value is not None:
        v.positive(self, "peak_value")
    else:
      v.real(self, "init_value")
      if self.peak_value is not None:
        v.real(self, "peak_value")

  def _main(self, t):
    if isinstance(self.schedule, Schedule):
      if self.prefix:
        t = jnp.maximum(t - self.warmup_steps, 0)
      return self.schedule(t)
    return jnp.broadcast_to(fl(self.schedule), jnp.shape(t))

  def _value(self, t):
    w = self.warmup_steps
    target = self.peak_value
    if target is None:
      # The value the schedule takes at step W: where the warmup hands over.
      target = self._main(jnp.asarray(w))
    pct = safe_div(fl(t), fl(w))
    init = fl(self.init_value)
    if self.shape == "linear":
      ramp = linear_interpolate(init, target, pct)
    elif self.shape == "cosine":
      ramp = cosine_interpolate(init, target, pct)
    elif self.shape == "exponential":
      ramp = init * jnp.power(safe_div(target, init), pct)
    elif self.shape == "1-sqrt":
      # Transformers' WSD warmup; safe_pow keeps the gradient finite at p = 1.
      ramp = linear_interpolate(init, target, 1 - safe_pow(1 - pct, 0.5))
    else:
      ramp = jnp.broadcast_to(init, jnp.shape(t))
    return jnp.where(fl(t) < fl(w), ramp, self._main(t))

  def declared_jumps(self, total_steps):
    """The schedule's own jumps where it runs, and ``W`` itself when the ramp
    does not end at the schedule's value there (a ``"constant"`` ramp, or
    ``peak_value`` given without ``prefix``: timm's warmup)."""
    w = v.concrete(self.warmup_steps)
    if w is None or not isinstance(self.schedule, Schedule):
      return ()
    w = float(w)
    if self.prefix:
      inner = [w + j for j in self.schedule.declared_jumps(max(int(total_steps - w), 0))]
    else:
      inner = [j for j in self.schedule.declared_jumps(total_steps) if j > w]
    ends_apart = self.shape == "constant" or (self.peak_value is not None and not self.prefix)
    return tuple(([w] if w > 0 and ends_apart else []) + inner)
