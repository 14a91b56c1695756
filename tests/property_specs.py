"""Hypothesis strategies and independent float64 references, one per schedule.

Each spec draws valid hyperparameters and returns a ``Case``: the schedule, a
NumPy float64 reference of its formula written here from the documentation
(not from our code), the range of values it may take, and its shape
properties. ``tests/test_properties.py`` checks every spec the same way.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable

import numpy as np
from hypothesis import strategies as st

import optax_sched as sched


@dataclasses.dataclass
class Case:
  schedule: object
  reference: Callable[[np.ndarray], np.ndarray]  # float64 steps >= 0 -> values
  lo: float
  hi: float
  length: int  # steps worth looking at (the run)
  monotone: str | None = None  # "down", "up" or None
  continuous: bool = True  # adjacent steps differ by at most max_jump
  max_jump: float | None = None  # default: (hi - lo) * 4 / length


lrs = st.floats(1e-6, 1.0)
fracs = st.floats(0.0, 1.0)
lengths = st.integers(2, 5000)


def _cos_frac(x):
  return 0.5 * (1 + np.cos(np.pi * x))


@st.composite
def constant(draw):
  v = draw(st.floats(-1.0, 1.0))
  return Case(sched.constant_schedule(v), lambda t: np.full_like(t, v), v, v, 100, "down")


@st.composite
def linear(draw):
  a, b, n, begin = draw(lrs), draw(lrs), draw(lengths), draw(st.integers(0, 100))

  def ref(t):
    return a + (b - a) * np.clip(t - begin, 0, n) / n

  return Case(
    sched.linear_schedule(a, b, n, begin),
    ref,
    min(a, b),
    max(a, b),
    n + begin,
    "down" if b <= a else "up",
    max_jump=abs(b - a) / n * 1.001,
  )


@st.composite
def polynomial(draw):
  a, b, n = draw(lrs), draw(lrs), draw(lengths)
  p = draw(st.floats(0.5, 4.0))

  def ref(t):
    return b + (a - b) * (1 - np.clip(t, 0, n) / n) ** p

  # Fractional powers are steep near the end: bound the slope by the power.
  return Case(
    sched.polynomial_schedule(a, b, p, n),
    ref,
    min(a, b),
    max(a, b),
    n,
    "down" if b <= a else "up",
    max_jump=abs(a - b) * max(p, 1.0) * 4.0 / n if p >= 1 else abs(a - b),
  )


@st.composite
def cosine(draw):
  a, n, alpha = draw(lrs), draw(lengths), draw(fracs)
  e = draw(st.sampled_from([1.0, 2.0, 0.5]))

  def ref(t):
    return a * ((1 - alpha) * _cos_frac(np.minimum(t, n) / n) ** e + alpha)

  return Case(
    sched.cosine_decay_schedule(a, n, alpha, e),
    ref,
    a * alpha,
    a,
    n,
    "down",
    max_jump=a * 4.0 / n if e >= 1 else a,
  )


@st.composite
def warmup_cosine(draw):
  peak, n = draw(lrs), draw(st.integers(10, 5000))
  w = draw(st.integers(0, n - 1))
  init, end = peak * draw(fracs), peak * draw(fracs)

  def ref(t):
    warm = init + (peak - init) * np.clip(t, 0, w) / max(w, 1)
    d = np.minimum(np.maximum(t - w, 0), n - w) / (n - w)
    return np.where(t < w, warm, end + (peak - end) * _cos_frac(d))

  return Case(
    sched.warmup_cosine_decay_schedule(init, peak, w, n, end),
    ref,
    min(init, end),
    peak,
    n,
    max_jump=max(peak - init, 0) / max(w, 1) + 4 * peak / (n - w),
  )


@st.composite
def warmup_constant(draw):
  init, peak, w = draw(lrs), draw(lrs), draw(st.integers(0, 2000))

  def ref(t):
    return init + (peak - init) * np.clip(t, 0, w) / w if w else np.full_like(t, peak)

  return Case(
    sched.warmup_constant_schedule(init, peak, w),
    ref,
    min(init, peak),
    max(init, peak),
    w + 10,
    "up" if peak >= init else "down",
    continuous=w > 0,
    max_jump=abs(peak - init) * 2 / max(w, 1),
  )


@st.composite
def exponential(draw):
  a, n = draw(lrs), draw(st.integers(1, 500))
  r = draw(st.floats(0.05, 0.999))
  begin = draw(st.integers(0, 100))
  stair = draw(st.booleans())
  end = draw(st.one_of(st.none(), st.floats(0.0, 1.0).map(lambda f: a * f)))

  def ref(t):
    p = np.maximum(t - begin, 0) / n
    p = np.floor(p) if stair else p
    v = a * r**p
    return v if end is None else np.maximum(v, end)

  return Case(
    sched.exponential_decay(a, n, r, begin, stair, end),
    ref,
    0.0 if end is None else min(end, a),
    a,
    begin + 20 * n,
    "down",
    continuous=not stair,
    max_jump=a * (1 - r ** (1 / n)) * 1.001,
  )


@st.composite
def piecewise_constant(draw):
  a = draw(lrs)
  bounds = sorted(set(draw(st.lists(st.integers(1, 3000), min_size=1, max_size=8))))
  scales = [draw(st.floats(0.0, 2.0)) for _ in bounds]

  def ref(t):
    v = np.full_like(t, a)
    for b, s in zip(bounds, scales, strict=True):
      v = np.where(t >= b, v * s, v)
    return v

  vals = np.cumprod([a] + scales)
  return Case(
    sched.piecewise_constant_schedule(a, dict(zip(bounds, scales, strict=True))),
    ref,
    float(vals.min()),
    float(vals.max()),
    bounds[-1] + 10,
    continuous=False,
  )


@st.composite
def piecewise_interpolate(draw):
  kind = draw(st.sampled_from(["linear", "cosine"]))
  a = draw(lrs)
  bounds = sorted(set(draw(st.lists(st.integers(1, 3000), min_size=1, max_size=6))))
  scales = [draw(st.floats(0.1, 2.0)) for _ in bounds]
  vals = np.cumprod([a] + scales)
  knots = np.array([0] + bounds, float)

  def ref(t):
    out = np.full_like(t, vals[-1])
    for i in range(len(bounds)):
      lo, hi = knots[i], knots[i + 1]
      pct = (t - lo) / max(hi - lo, 1)
      w = pct if kind == "linear" else 1 - _cos_frac(pct)
      out = np.where((t >= lo) & (t < hi), vals[i] + (vals[i + 1] - vals[i]) * w, out)
    return out

  gaps = np.diff(knots)
  return Case(
    sched.piecewise_interpolate_schedule(kind, a, dict(zip(bounds, scales, strict=True))),
    ref,
    float(vals.min()),
    float(vals.max()),
    bounds[-1] + 10,
    max_jump=float(np.max(np.abs(np.diff(vals)) * 4 / np.maximum(gaps, 1))),
  )


@st.composite
def onecycle(draw):
  n = draw(st.integers(100, 5000))
  peak = draw(lrs)
  ps = draw(st.floats(0.05, 0.6))
  d, f = draw(st.floats(2.0, 50.0)), draw(st.floats(2.0, 1e4))
  b1 = math.floor(ps * n)
  low, top, end = peak / d, peak, peak / (d * f)

  def ref(t):
    pct1 = np.clip(t / max(b1, 1), 0, 1)
    pct2 = np.clip((t - b1) / max(n - b1, 1), 0, 1)
    up = top + (low - top) * _cos_frac(pct1)
    down = end + (top - end) * _cos_frac(pct2)
    return np.where(t < b1, up, np.where(t < n, down, end))

  return Case(
    sched.cosine_onecycle_schedule(n, peak, ps, d, f),
    ref,
    end,
    top,
    n,
    max_jump=4 * top / min(max(b1, 1), n - b1),
  )


def cycles(t, period, mult):
  """(cycle index, its first step, its length) of float64 steps ``t``, cycle
  ``i`` lasting ``period * mult**i`` steps."""
  t = np.asarray(t, np.float64)
  if mult == 1:
    i = np.floor(t / period)
    return i, i * period, np.full_like(t, period)
  i = np.zeros_like(t)
  start, length = np.zeros_like(t), np.full_like(t, float(period))
  for _ in range(40):  # walk forward cycle by cycle
    nxt = t >= start + length
    start, i, length = (
      np.where(nxt, start + length, start),
      i + nxt,
      np.where(nxt, length * mult, length),
    )
  return i, start, length


@st.composite
def restarts(draw):
  a, period = draw(lrs), draw(st.integers(5, 500))
  mult = draw(st.sampled_from([1.0, 2.0, 1.5, 3.0]))
  decay, floor_frac = draw(st.floats(0.2, 1.0)), draw(fracs)
  mode = draw(st.sampled_from(["peak", "amplitude"]))
  floor = a * floor_frac * (decay if mode == "peak" else 1.0) * 0.5

  def ref(t):
    i, start, length = cycles(t, period, mult)
    c = _cos_frac((t - start) / length)
    g = decay**i
    return floor + (a * g - floor) * c if mode == "peak" else floor + g * (a - floor) * c

  # In "peak" mode the decayed peaks may fall below the floor (the cosine
  # then rises to it), so the range reaches down towards 0.
  lo = min(floor, 0.0) if (mode == "peak" and decay < 1) else min(floor, a)
  return Case(
    sched.cosine_restarts_schedule(a, period, mult, decay, floor, None, 1.0, mode),
    ref,
    lo,
    a,
    period * 6,
    continuous=False,
  )


SPECS = {
  "constant_schedule": constant,
  "linear_schedule": linear,
  "polynomial_schedule": polynomial,
  "cosine_decay_schedule": cosine,
  "warmup_cosine_decay_schedule": warmup_cosine,
  "warmup_constant_schedule": warmup_constant,
  "exponential_decay": exponential,
  "piecewise_constant_schedule": piecewise_constant,
  "piecewise_interpolate_schedule": piecewise_interpolate,
  "cosine_onecycle_schedule": onecycle,
  "cosine_restarts_schedule": restarts,
}

# Defined after everything they import from here.
from property_specs_hf_timm import HF_TIMM_SPECS  # noqa: E402
from property_specs_torchkeras import TORCH_KERAS_SPECS  # noqa: E402

SPECS.update(TORCH_KERAS_SPECS)
SPECS.update(HF_TIMM_SPECS)
