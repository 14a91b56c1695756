"""Hypothesis specs for the families behind compat.transformers and compat.timm.

Same shape as ``property_specs`` (which merges these into ``SPECS``): each
draws valid hyperparameters and gives a float64 NumPy reference written from
the family's docstring formula (not from our code).
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from property_specs import Case, _cos_frac, cycles, fracs, lrs

import optax_sched as sched

timescales = st.integers(1, 500)
cycle_mults = st.sampled_from([1.0, 2.0, 1.5, 3.0])
cycle_limits = st.sampled_from([1, 1, 2, 4, None])


@st.composite
def rsqrt(draw):
  a, tau, p = draw(lrs), draw(timescales), draw(st.floats(0.1, 2.0))

  def ref(t):
    return a * (1 + t / tau) ** -p

  return Case(
    sched.rsqrt_schedule(a, tau, p), ref, 0.0, a, 20 * tau, "down", max_jump=a * p / tau * 1.001
  )


def _wsd_shape(f, shape, a, r, n):
  """h(f) of the docstring: 1 at the start of the decay."""
  if shape == "linear":
    return 1 - f
  if shape == "cosine":
    return 0.5 * (1 + np.cos(2 * np.pi * n * f))
  if shape == "1-sqrt":
    return 1 - np.sqrt(f)
  if shape == "power":
    return 1 - f**a
  return (r**f - r) / (1 - r)


def _wsd_first_step(shape, a, r, n, d):
  """The largest change of h between adjacent steps of a D-step decay."""
  return {
    "linear": 1 / d,
    "cosine": np.pi * abs(n) / d,
    "1-sqrt": d**-0.5,
    "power": a / d if a >= 1 else d**-a,
    "exp": abs(np.log(r)) / (1 - r) / d,
  }[shape]


@st.composite
def wsd(draw):
  peak, s, d = draw(lrs), draw(st.integers(0, 2000)), draw(st.integers(1, 2000))
  end = peak * draw(fracs)
  shape = draw(st.sampled_from(["linear", "cosine", "1-sqrt", "power", "exp"]))
  a, r = draw(st.floats(0.3, 3.0)), draw(st.floats(0.01, 0.9))
  n = draw(st.sampled_from([0.5, 0.5, 0.25, 1.5]))
  stable = draw(st.sampled_from(["constant", "rsqrt", "power"]))
  tau, q = draw(timescales), draw(st.floats(0.1, 2.0))
  q = 0.5 if stable == "rsqrt" else q

  def ref(t):
    g = np.ones_like(t) if stable == "constant" else (1 + t / tau) ** -q
    top = np.maximum(peak * g, end)
    f = np.clip((t - s) / d, 0, 1)
    return np.where(t - s >= d, end, end + (top - end) * _wsd_shape(f, shape, a, r, n))

  # A cosine of n != 1/2 waves ends off the floor: a jump to E at S + D.
  ends_on_floor = shape != "cosine" or n == 0.5
  slope = (peak - end) * _wsd_first_step(shape, a, r, n, d)
  if stable != "constant":
    slope += peak * q / tau
  return Case(
    sched.wsd_schedule(
      peak, s, d, end, shape, a, r, n, stable, None if stable == "constant" else tau, q
    ),
    ref,
    end,
    peak,
    s + d + 10,
    "down" if ends_on_floor else None,
    continuous=ends_on_floor,
    max_jump=slope * 1.001,
  )


def _restart_case(draw, shape, build, slope, gap=0.0):
  """A restarting family: ``shape(r)`` over each cycle, ``build`` the schedule
  from ``(init, period, mult, decay, end, limit)``; ``slope`` the largest
  change of ``shape`` per unit of ``r`` (None: steep, continuity unchecked),
  ``gap`` its value at the end of the cycle (the step down to the floor)."""
  a, period, mult = draw(lrs), draw(st.integers(5, 500)), draw(cycle_mults)
  decay, end, limit = draw(st.floats(0.2, 1.0)), a * draw(fracs) * 0.5, draw(cycle_limits)

  def ref(t):
    i, start, length = cycles(t, period, mult)
    v = end + (a * decay**i - end) * shape((t - start) / length)
    return v if limit is None else np.where(i < limit, v, end)

  # Decayed peaks may fall below the floor: the cycle then rises to it.
  lo = 0.0 if decay < 1 else end
  one = limit == 1
  return Case(
    build(a, period, mult, decay, end, limit),
    ref,
    lo,
    a,
    period * 6,
    "down" if one else None,
    continuous=one and slope is not None,
    max_jump=None if slope is None else (a - end) * (slope / period + gap) * 1.001,
  )


@st.composite
def tanh(draw):
  lb = draw(st.floats(-8.0, 2.0))
  ub = lb + draw(st.floats(0.5, 10.0))

  def shape(r):
    return 0.5 * (1 - np.tanh(lb * (1 - r) + ub * r))

  # The sweep's slope is at most (ub - lb) / 2; it ends (1 - tanh ub) / 2
  # above the floor, then steps down to it.
  return _restart_case(
    draw,
    shape,
    lambda a, n, m, d, e, c: sched.tanh_schedule(a, n, e, lb, ub, m, d, c),
    0.5 * (ub - lb),
    0.5 * (1 - np.tanh(ub)),
  )


@st.composite
def polynomial_restarts(draw):
  p, k = draw(st.floats(0.5, 4.0)), draw(st.floats(0.5, 3.0))

  def shape(r):
    return (1 - r**k) ** p

  return _restart_case(
    draw,
    shape,
    lambda a, n, m, d, e, c: sched.polynomial_restarts_schedule(a, n, p, m, d, e, c, k),
    p * k if (p >= 1 and k >= 1) else None,
  )


@st.composite
def tri_stage(draw):
  peak, w, h, d = (
    draw(lrs),
    draw(st.integers(0, 1000)),
    draw(st.integers(0, 1000)),
    draw(st.integers(1, 2000)),
  )
  s0, s1 = draw(fracs), draw(st.floats(0.001, 1.0))

  def ref(t):
    warm = peak * s0 + (peak - peak * s0) * t / max(w, 1)
    decay = peak * s1 ** ((t - w - h) / d)
    return np.where(t < w, warm, np.where(t < w + h, peak, np.maximum(decay, peak * s1)))

  return Case(
    sched.tri_stage_schedule(peak, w, h, d, s0, s1),
    ref,
    peak * min(s0, s1),
    peak,
    w + h + d + 10,
    max_jump=(peak * (1 - s0) / max(w, 1) + peak * abs(np.log(s1)) / d) * 1.001,
  )


@st.composite
def cosine_cycles(draw):
  a, e, n = draw(lrs), draw(lrs), draw(st.floats(-2.0, 2.0))
  # T >= 100: the checks run 1024 steps, and a float32 phase of thousands of
  # radians is off by ~1e-4 (a precision limit, not a formula error).
  T = draw(st.integers(100, 5000))

  def ref(t):
    return e + (a - e) * _cos_frac(2 * n * t / T)

  return Case(
    sched.cosine_cycles_schedule(a, T, n, e),
    ref,
    min(a, e),
    max(a, e),
    T,
    max_jump=abs(a - e) * np.pi * abs(n) / T * 1.001,
  )


@st.composite
def warmup_polynomial(draw):
  init, peak, end = draw(lrs), draw(lrs), draw(lrs)
  w = draw(st.integers(0, 1000))
  d = w + draw(st.integers(1, 3000))
  p = draw(st.floats(0.5, 4.0))

  def ref(t):
    warm = init + (peak - init) * t / max(w, 1)
    decay = (peak - end) * (1 - np.minimum(t - w, d - w) / (d - w)) ** p + end
    return np.where(t < w, warm, decay)

  vals = (init, peak, end)
  steep = p < 1
  return Case(
    sched.warmup_polynomial_decay_schedule(init, peak, w, d, end, p),
    ref,
    min(vals),
    max(vals),
    d + 10,
    continuous=not steep,
    max_jump=(abs(peak - init) / max(w, 1) + abs(peak - end) * p / (d - w)) * 1.001,
  )


HF_TIMM_SPECS = {
  "rsqrt_schedule": rsqrt,
  "wsd_schedule": wsd,
  "tanh_schedule": tanh,
  "polynomial_restarts_schedule": polynomial_restarts,
  "tri_stage_schedule": tri_stage,
  "cosine_cycles_schedule": cosine_cycles,
  "warmup_polynomial_decay_schedule": warmup_polynomial,
}
