"""Hypothesis specs for the families behind compat.torch and compat.keras.

Same shape as ``property_specs`` (which merges these into ``SPECS``): each
draws valid hyperparameters and gives a float64 NumPy reference written from
the family's docstring formula.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from property_specs import Case, _cos_frac, fracs, lengths, lrs

import optax_sched as sched

steps = st.integers(1, 500)


@st.composite
def step_decay(draw):
  a, n, g = draw(lrs), draw(steps), draw(fracs)
  return Case(
    sched.step_decay_schedule(a, n, g),
    lambda t: a * g ** np.floor(t / n),
    0.0,
    a,
    10 * n,
    "down",
    continuous=False,
  )


@st.composite
def multistep_decay(draw):
  a, g = draw(lrs), draw(fracs)
  ms = sorted(draw(st.lists(st.integers(0, 3000), min_size=1, max_size=6)))

  def ref(t):
    return a * g ** np.searchsorted(ms, t, side="right")

  return Case(
    sched.multistep_decay_schedule(a, ms, g), ref, 0.0, a, ms[-1] + 10, "down", continuous=False
  )


@st.composite
def piecewise_values(draw):
  bounds = sorted(draw(st.lists(st.integers(0, 3000), min_size=1, max_size=6)))
  values = [draw(lrs) for _ in range(len(bounds) + 1)]
  closed = draw(st.booleans())
  side = "left" if closed else "right"

  def ref(t):
    return np.asarray(values)[np.searchsorted(bounds, t, side=side)]

  return Case(
    sched.piecewise_values_schedule(bounds, values, closed),
    ref,
    min(values),
    max(values),
    bounds[-1] + 10,
    continuous=False,
  )


@st.composite
def linear_factor(draw):
  a, n = draw(lrs), draw(lengths)
  f0, f1 = draw(st.floats(0.01, 1.0)), draw(fracs)

  def ref(t):
    return a * (f0 + (f1 - f0) * np.minimum(t, n) / n)

  return Case(
    sched.linear_factor_schedule(a, f0, f1, n),
    ref,
    a * min(f0, f1),
    a * max(f0, f1),
    n + 10,
    "down" if f1 <= f0 else "up",
    max_jump=a * abs(f1 - f0) / n * 1.001,
  )


@st.composite
def constant_factor(draw):
  a, f, n = draw(lrs), draw(fracs), draw(lengths)

  def ref(t):
    return a * np.where(t < n, f, 1.0)

  return Case(
    sched.constant_factor_schedule(a, f, n), ref, a * f, a, n + 10, "up", continuous=False
  )


@st.composite
def cosine_annealing(draw):
  a, n, e = draw(lrs), draw(lengths), draw(fracs)
  end = a * e

  def ref(t):
    return end + (a - end) * _cos_frac(t / n)

  return Case(
    sched.cosine_annealing_schedule(a, n, end),
    ref,
    end,
    a,
    3 * n,
    max_jump=(a - end) * min(1.0, np.pi / (2 * n)) * 1.001,
  )


@st.composite
def cyclic(draw):
  lo, hi = sorted([draw(lrs), draw(lrs)])
  up, down = draw(st.integers(1, 300)), draw(st.integers(0, 300))
  mode = draw(st.sampled_from(["triangular", "triangular2", "exp_range"]))
  gamma = draw(st.floats(0.99, 1.0))

  def ref(t):
    c, p = np.floor(t / (up + down)), np.mod(t, up + down)
    h = np.where(p <= up, p / up, (up + down - p) / max(down, 1))
    scale = {"triangular": 1.0, "triangular2": 0.5**c, "exp_range": gamma**t}[mode]
    return lo + (hi - lo) * h * scale

  return Case(
    sched.cyclic_schedule(lo, hi, up, down, mode, gamma),
    ref,
    lo,
    hi,
    6 * (up + down),
    continuous=down > 0,
    max_jump=(hi - lo) / min(up, down or up) * 1.001,
  )


@st.composite
def onecycle(draw):
  n, peak = draw(st.integers(3, 3000)), draw(lrs)
  three = draw(st.booleans())
  p = draw(st.floats(0.0, 0.5 if three else 1.0).filter(lambda p: p * n != 1.0))
  kind = draw(st.sampled_from(["cos", "linear"]))
  d, f = draw(st.floats(2.0, 50.0)), draw(st.floats(2.0, 1e4))
  start, low = peak / d, peak / d / f
  if three:
    ends, vals = [p * n - 1, 2 * p * n - 2, n - 1], [start, peak, start, low]
  else:
    ends, vals = [p * n - 1, n - 1], [start, peak, low]
  los = [0.0] + ends[:-1]

  def ref(t):
    t = np.minimum(t, n - 1)
    out = np.full_like(t, vals[-1])
    for k in reversed(range(len(ends))):
      span = ends[k] - los[k]
      pct = (t - los[k]) / span if span else np.zeros_like(t)
      a, b = vals[k], vals[k + 1]
      inside = b + (a - b) / 2 * (np.cos(np.pi * pct) + 1) if kind == "cos" else a + (b - a) * pct
      out = np.where(t <= ends[k], inside, out)
    return out

  shortest = (
    min(e - lo for e, lo in zip(ends, los, strict=True) if e > lo)
    if any(e > lo for e, lo in zip(ends, los, strict=True))
    else 1.0
  )
  return Case(
    sched.onecycle_schedule(n, peak, p, kind, d, f, three),
    ref,
    low,
    peak,
    n,
    max_jump=peak * min(1.0, 2.0 / shortest),
  )


@st.composite
def inverse_time(draw):
  a, n, r, stair = draw(lrs), draw(steps), draw(st.floats(0.0, 5.0)), draw(st.booleans())

  def ref(t):
    return a / (1 + r * (np.floor(t / n) if stair else t / n))

  return Case(
    sched.inverse_time_decay_schedule(a, n, r, stair),
    ref,
    0.0,
    a,
    20 * n,
    "down",
    continuous=not stair,
    max_jump=a * r / n * 1.001,
  )


@st.composite
def polynomial_decay(draw):
  a, e, n = draw(lrs), draw(lrs), draw(lengths)
  p, cycle = draw(st.floats(0.5, 4.0)), draw(st.booleans())

  def ref(t):
    if cycle:
      length = n * np.maximum(np.ceil(t / n), 1)
    else:
      length, t = n, np.minimum(t, n)
    return (a - e) * (1 - t / length) ** p + e

  return Case(
    sched.polynomial_decay_schedule(a, n, e, p, cycle),
    ref,
    min(a, e),
    max(a, e),
    3 * n,
    None if cycle else ("down" if e <= a else "up"),
    continuous=not cycle,
    max_jump=abs(a - e) * max(p, 1.0) * 4.0 / n if p >= 1 else abs(a - e),
  )


TORCH_KERAS_SPECS = {
  "step_decay_schedule": step_decay,
  "multistep_decay_schedule": multistep_decay,
  "piecewise_values_schedule": piecewise_values,
  "linear_factor_schedule": linear_factor,
  "constant_factor_schedule": constant_factor,
  "cosine_annealing_schedule": cosine_annealing,
  "cyclic_schedule": cyclic,
  "onecycle_schedule": onecycle,
  "inverse_time_decay_schedule": inverse_time,
  "polynomial_decay_schedule": polynomial_decay,
}
