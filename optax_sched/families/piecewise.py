"""Piecewise-constant, piecewise-interpolated and one-cycle schedules.

Every evaluation is a ``searchsorted`` over the boundaries and a gather, so
the cost per step is O(log n) and the compiled program does not grow with the
number of boundaries (optax evaluates every boundary on every call).
"""

from __future__ import annotations

from collections.abc import Mapping

import jax.numpy as jnp
import numpy as np

from optax_sched import _validate as v
from optax_sched._base import Schedule, fl, float_dtype, register, static
from optax_sched._dtypes import Real
from optax_sched._math import (
  cumulative_product,
  exact,
  interpolate_pieces,
  reachable,
  select_piece,
  steps_array,
)


def _check_boundaries_and_scales(owner):
  bs = owner.boundaries_and_scales
  if bs is None:
    return
  if not isinstance(bs, dict):
    v.fail(owner, "boundaries_and_scales", bs, "it must be a dict {step: scale} or None")
  for b, scale in bs.items():
    if (
      isinstance(b, bool) or not isinstance(b, (int, float, np.integer, np.floating)) or not b >= 0
    ):
      v.fail(
        owner, "boundaries_and_scales", bs, f"every boundary must be a step >= 0 (got key {b!r})"
      )
    v.number(
      owner,
      f"boundaries_and_scales[{b!r}]",
      scale,
      ok=lambda a: a >= 0,
      allowed="scales must be >= 0",
    )


def _sorted_items(bs):
  items = sorted((bs or {}).items())
  bounds = [b for b, _ in items]
  scales = [s for _, s in items]
  return bounds, scales


@register
class piecewise_constant_schedule(Schedule):
  """Multiplies the value by ``scale`` from each boundary step on.

  .. math::
    v(t) = I \\prod_{b_i \\le t} s_i

  Args:
    init_value: value before the first boundary.
    boundaries_and_scales: ``{step: scale}``; scales >= 0, steps >= 0.

  Example (a StepLR-like decay):
    >>> s = piecewise_constant_schedule(1e-3, {5000: 0.1, 8000: 0.1})
    >>> [round(float(s(k)), 8) for k in (4999, 5000, 8000)]
    [0.001, 0.0001, 1e-05]
  """

  init_value: Real
  boundaries_and_scales: Mapping[int, Real] | None = None

  def _check(self):
    v.real(self, "init_value")
    _check_boundaries_and_scales(self)

  def _value(self, t):
    bounds, scales = _sorted_items(self.boundaries_and_scales)
    if not bounds:
      return jnp.broadcast_to(fl(self.init_value), jnp.shape(t))
    values = cumulative_product(self.init_value, scales)
    return select_piece(values, steps_array(bounds), t)

  def declared_jumps(self, total_steps):
    return tuple(
      b
      for b, s in (self.boundaries_and_scales or {}).items()
      if v.concrete(s) is not None and v.concrete(s) != 1
    )


@register
class piecewise_interpolate_schedule(Schedule):
  """Interpolates between the values reached at each boundary.

  With values ``v_0 = I`` and ``v_i = v_{i-1} s_i``, the value moves from
  ``v_{i-1}`` at ``b_{i-1}`` (``b_0 = 0``) to ``v_i`` at ``b_i``, linearly or
  along half a cosine; it is ``v_n`` after the last boundary.

  Example:
    >>> s = piecewise_interpolate_schedule("linear", 1.0, {10: 0.5})
    >>> [float(s(k)) for k in (0, 5, 10, 20)]
    [1.0, 0.75, 0.5, 0.5]
  """

  interpolate_type: str = static()
  init_value: Real
  boundaries_and_scales: Mapping[int, Real] | None = None

  def _check(self):
    v.choice(self, "interpolate_type", ("linear", "cosine"))
    v.real(self, "init_value")
    _check_boundaries_and_scales(self)

  def _value(self, t):
    bounds, scales = _sorted_items(self.boundaries_and_scales)
    values = cumulative_product(self.init_value, scales)
    # Boundaries past the int range are dropped (never reached), but the last
    # piece a step can be in still ends at the first of them.
    k = reachable(bounds)
    end = int(bounds[k]) if k < len(bounds) else None
    starts = steps_array([0] + bounds)
    return interpolate_pieces(t, starts, values[: k + 2], self.interpolate_type, end=end)


class _OneCycle(Schedule):
  """Shared checks and pieces of the one-cycle schedules (fields of each)."""

  transition_steps: Real
  peak_value: Real
  div_factor: Real
  final_div_factor: Real

  def _check(self):
    v.positive(self, "transition_steps")
    v.real(self, "peak_value")
    v.in_range(self, "pct_start", 0.0, 1.0)
    v.positive(self, "div_factor")
    v.positive(self, "final_div_factor")

  def _at(self, pct):
    return exact(lambda m, p, n: m.floor(p * n), pct, self.transition_steps)

  def _interpolate(self, t, fractions, scales, kind):
    bounds = (
      [jnp.zeros((), float_dtype())]
      + [fl(self._at(f)) for f in fractions]
      + [fl(self.transition_steps)]
    )
    values = [fl(self.peak_value) / self.div_factor]
    for s in scales:
      values.append(values[-1] * s)
    return interpolate_pieces(t, jnp.stack(bounds), jnp.stack(values), kind)


@register
class linear_onecycle_schedule(_OneCycle):
  """Three linear pieces: ``P/d -> P -> P/d -> P/(d f)``.

  Boundaries at ``floor(pct_start*T)``, ``floor(pct_final*T)`` and ``T``
  (optax's one-cycle; torch's ``OneCycleLR`` differs, see ``compat.torch``).

  Example:
    >>> s = linear_onecycle_schedule(1000, 1e-3)
    >>> [round(float(s(k)), 10) for k in (0, 300, 850, 1000)]
    [4e-05, 0.001, 4e-05, 4e-09]

  References:
    Smith & Topin, Super-Convergence, 2017.
  """

  transition_steps: Real
  peak_value: Real
  pct_start: Real = 0.3
  pct_final: Real = 0.85
  div_factor: Real = 25.0
  final_div_factor: Real = 1e4

  def _check(self):
    super()._check()
    v.in_range(self, "pct_final", 0.0, 1.0)
    s, f = v.concrete(self.pct_start), v.concrete(self.pct_final)
    if s is not None and f is not None and not f >= s:
      v.fail(self, "pct_final", self.pct_final, f"it must be >= pct_start={s.item()!r}")

  def _value(self, t):
    d = self.div_factor
    return self._interpolate(
      t, [self.pct_start, self.pct_final], [d, 1.0 / d, 1.0 / self.final_div_factor], "linear"
    )


@register
class cosine_onecycle_schedule(_OneCycle):
  """Two cosine pieces: ``P/d -> P`` until ``floor(pct_start*T)``, then
  ``-> P/(d f)`` at ``T`` (optax's one-cycle).

  Example:
    >>> s = cosine_onecycle_schedule(1000, 1e-3)
    >>> [round(float(s(k)), 9) for k in (0, 300, 1000)]
    [4e-05, 0.001, 4e-09]

  References:
    Smith & Topin, Super-Convergence, 2017.
  """

  transition_steps: Real
  peak_value: Real
  pct_start: Real = 0.3
  div_factor: Real = 25.0
  final_div_factor: Real = 1e4

  def _value(self, t):
    d = self.div_factor
    return self._interpolate(t, [self.pct_start], [d, 1.0 / (d * self.final_div_factor)], "cosine")
