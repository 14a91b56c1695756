"""The shared arithmetic, seen through public schedules, against Python references.

Fast, eager and small: ``scripts/mutation.py`` runs this file for every
mutant of ``optax_sched/_math.py``. Every expected value comes from a formula
written here in plain Python (fractions, loops), never from the code under test.
"""

import fractions
import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from optax_sched import (
  constant_schedule,
  cosine_decay_schedule,
  exponential_decay,
  join_schedules,
  linear_schedule,
  multistep_decay_schedule,
  piecewise_constant_schedule,
  piecewise_interpolate_schedule,
  piecewise_values_schedule,
  polynomial_decay_schedule,
  polynomial_schedule,
  repeat,
  rsqrt_schedule,
  step_decay_schedule,
  warmup,
  wsd_schedule,
)


def values(s, steps):
  return np.asarray(s(np.asarray(steps)), dtype=np.float64)


def cycle_ref(t, period, mult):
  """(cycle index, position, length) by walking the cycles."""
  i, start, length = 0, 0, period
  while t >= start + length:
    start, length, i = start + length, length * mult, i + 1
  return i, t - start, length


@pytest.mark.parametrize("step_size", [3, 7, 2.4, 0.5])
def test_staircase_boundaries_are_exact(step_size):
  s = step_decay_schedule(1.0, step_size, 0.5)
  steps = list(range(0, 40))
  want = [0.5 ** math.floor(fractions.Fraction(t) / fractions.Fraction(step_size)) for t in steps]
  np.testing.assert_allclose(values(s, steps), want, rtol=1e-6)


def test_staircase_at_float_steps():
  s = exponential_decay(1.0, 4, 0.5, staircase=True)
  steps = [0.0, 3.999, 4.0, 4.5, 7.9, 8.0, 12.0]
  want = [0.5 ** math.floor(t / 4) for t in steps]
  np.testing.assert_allclose(values(s, steps), want, rtol=1e-6)


def test_staircase_of_one_step_at_float_steps():
  """``0.5 ** floor(t)``: a step inside the first period is still in it."""
  s = exponential_decay(1.0, 1, 0.5, staircase=True)
  steps = [0.0, 0.5, 1.0, 1.5, 2.0]
  np.testing.assert_allclose(values(s, steps), [0.5 ** math.floor(t) for t in steps], rtol=1e-6)


@pytest.mark.parametrize("n", [3, 40])
def test_multistep_counts_milestones_passed(n):
  milestones = [5 * k + 3 for k in range(n)]
  s = multistep_decay_schedule(1.0, milestones, 0.9)
  steps = list(range(0, 5 * n + 10))
  want = [0.9 ** sum(m <= t for m in milestones) for t in steps]
  np.testing.assert_allclose(values(s, steps), want, rtol=1e-5)


@pytest.mark.parametrize("n", [2, 30])
@pytest.mark.parametrize("closed_right", [False, True])
def test_piecewise_values_piece_of_each_step(n, closed_right):
  bounds = [7 * k + 1 for k in range(n)]
  vals = [float(k + 1) for k in range(n + 1)]
  s = piecewise_values_schedule(bounds, vals, closed_right=closed_right)
  steps = list(range(0, 7 * n + 5))
  if closed_right:
    want = [vals[sum(b < t for b in bounds)] for t in steps]
  else:
    want = [vals[sum(b <= t for b in bounds)] for t in steps]
  np.testing.assert_array_equal(values(s, steps), want)


@pytest.mark.parametrize("n", [2, 30])
def test_piecewise_constant_multiplies_in_order(n):
  scales = {4 * k + 2: 0.5 + 0.05 * k for k in range(n)}
  s = piecewise_constant_schedule(2.0, scales)
  steps = list(range(0, 4 * n + 6))
  want = []
  for t in steps:
    v = 2.0
    for b in sorted(scales):
      if b <= t:
        v *= scales[b]
    want.append(v)
  np.testing.assert_allclose(values(s, steps), want, rtol=1e-5)


def test_piecewise_constant_with_traced_scales_matches_concrete():
  def at(scale):
    return piecewise_constant_schedule(2.0, {3: scale, 6: 0.5})(np.arange(9))

  want = [2.0] * 3 + [0.5] * 3 + [0.25] * 3
  np.testing.assert_allclose(jax.jit(at)(0.25), want, rtol=1e-6)


@pytest.mark.parametrize("kind", ["linear", "cosine"])
def test_piecewise_interpolate_between_boundaries(kind):
  s = piecewise_interpolate_schedule(kind, 8.0, {4: 0.5, 10: 0.25})
  knots = [(0, 8.0), (4, 4.0), (10, 1.0)]

  def ref(t):
    if t >= 10:
      return 1.0
    (a, va), (b, vb) = (knots[0], knots[1]) if t < 4 else (knots[1], knots[2])
    p = (t - a) / (b - a)
    if kind == "cosine":
      return vb + (va - vb) * (1 + math.cos(math.pi * p)) / 2
    return va + (vb - va) * p

  steps = list(range(0, 14))
  np.testing.assert_allclose(values(s, steps), [ref(t) for t in steps], rtol=1e-6)


@pytest.mark.parametrize(
  ("period", "mult", "decay"), [(3, 2.0, 0.5), (5, 1.5, 0.5), (4, 3.0, 0.5), (3, 1.0, 2.0)]
)
def test_repeat_restarts_where_a_cycle_walk_does(period, mult, decay):
  child = linear_schedule(1.0, 0.0, period)
  s = repeat(child, period, period_mult=mult, decay=decay)
  steps = list(range(0, 60))
  want = []
  for t in steps:
    i, pos, length = cycle_ref(t, period, mult)
    want.append(decay**i * max(0.0, 1.0 - pos * period / length / period))
  np.testing.assert_allclose(values(s, steps), want, rtol=1e-5, atol=1e-7)


def test_repeat_constant_period_at_int32_steps():
  s = repeat(linear_schedule(1.0, 0.0, 10), 10)
  steps = [0, 9, 10, 2**31 - 1, 2**31 - 8]
  want = [1.0 - (t % 10) / 10 for t in steps]
  np.testing.assert_allclose(values(s, steps), want, rtol=1e-6)


@pytest.mark.parametrize("shape", ["linear", "cosine", "exponential", "constant", "1-sqrt"])
def test_warmup_shapes(shape):
  s = warmup(0.8, 10, init_value=0.1, shape=shape)
  steps = list(range(0, 13))

  def ref(t):
    if t >= 10:
      return 0.8
    p = t / 10
    return {
      "linear": 0.1 + 0.7 * p,
      "cosine": 0.8 + (0.1 - 0.8) * (1 + math.cos(math.pi * p)) / 2,
      "exponential": 0.1 * 8**p,
      "constant": 0.1,
      "1-sqrt": 0.1 + 0.7 * (1 - math.sqrt(1 - p)),
    }[shape]

  np.testing.assert_allclose(values(s, steps), [ref(t) for t in steps], rtol=1e-5)


@pytest.mark.parametrize("power", [0.0, 0.5, 1.0, 2.0, 3.0, 2.5])
def test_polynomial_powers(power):
  s = polynomial_schedule(1.0, 0.1, power, 10)
  steps = list(range(0, 13))
  want = [0.1 + 0.9 * (1 - min(t, 10) / 10) ** power for t in steps]
  np.testing.assert_allclose(values(s, steps), want, rtol=1e-5)


def test_polynomial_fractional_power_has_finite_gradient_at_the_end():
  def at(end):
    return polynomial_schedule(1.0, end, 0.5, 10)(12)

  assert np.isfinite(jax.grad(at)(0.1))


def test_cosine_decay_values():
  s = cosine_decay_schedule(2.0, 10, alpha=0.1)
  steps = list(range(0, 13))
  want = [2.0 * (0.9 * (1 + math.cos(math.pi * min(t, 10) / 10)) / 2 + 0.1) for t in steps]
  np.testing.assert_allclose(values(s, steps), want, rtol=1e-5)


@pytest.mark.parametrize("power", [1.0, 2.0, 0.5])
def test_polynomial_decay_cycle_grows_the_horizon(power):
  s = polynomial_decay_schedule(1.0, 5, end_value=0.1, power=power, cycle=True)
  steps = list(range(0, 23))

  def ref(t):  # TensorFlow's PolynomialDecay(cycle=True)
    length = 5 * max(math.ceil(t / 5), 1)
    return 0.9 * (1 - t / length) ** power + 0.1

  np.testing.assert_allclose(values(s, steps), [ref(t) for t in steps], rtol=1e-5)


@pytest.mark.parametrize("n", [3, 24])
@pytest.mark.parametrize("same_family", [True, False])
def test_join_picks_the_piece_and_restarts_its_clock(n, same_family):
  if same_family:
    pieces = [linear_schedule(1.0 + k, 0.5, 4) for k in range(n + 1)]
  else:
    pieces = [
      linear_schedule(1.0 + k, 0.5, 4) if k % 2 else constant_schedule(1.0 + k)
      for k in range(n + 1)
    ]
  bounds = [3 * k + 2 for k in range(n)]
  s = join_schedules(pieces, bounds)
  steps = list(range(0, 3 * n + 8))

  def ref(t):
    k = sum(b <= t for b in bounds)
    start = bounds[k - 1] if k else 0
    local = t - start
    if same_family or k % 2:
      return (1.0 + k) + (0.5 - (1.0 + k)) * min(local, 4) / 4
    return 1.0 + k

  np.testing.assert_allclose(values(s, steps), [ref(t) for t in steps], rtol=1e-6)


def test_milestones_past_the_int32_range_are_never_reached():
  # (2**31 - 1 itself reaches it today: the milestone is clipped to the int32 maximum.)
  s = multistep_decay_schedule(1.0, [10, 2**40], 0.5)
  np.testing.assert_allclose(values(s, [9, 10, 2**31 - 2]), [1.0, 0.5, 0.5])


@pytest.mark.parametrize("n", [4, 20])
def test_fractional_milestones(n):
  milestones = [2.5 * k + 1.5 for k in range(n)]
  s = piecewise_values_schedule(milestones, [float(k) for k in range(n + 1)])
  steps = list(range(0, int(2.5 * n) + 5))
  want = [float(sum(m <= t for m in milestones)) for t in steps]
  np.testing.assert_array_equal(values(s, steps), want)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_many_irregular_boundaries_at_every_step(seed):
  rng = np.random.default_rng(seed)
  # Clusters, duplicates and far gaps: bucket tables of every fill.
  bounds = sorted(
    int(b)
    for b in np.concatenate([rng.integers(0, 50, 12), rng.integers(1000, 1003, 5), [2**31 - 2]])
  )
  s = piecewise_values_schedule(bounds, [float(k) for k in range(len(bounds) + 1)])
  steps = sorted(set(bounds) | {b - 1 for b in bounds} | {b + 1 for b in bounds[:-1]} | {0})
  steps = [t for t in steps if t >= 0] + [2**31 - 1]
  want = [float(sum(b <= t for b in bounds)) for t in steps]
  np.testing.assert_array_equal(values(s, steps), want)


def test_bounds_from_traced_steps_match_concrete():
  def at(b):
    return piecewise_values_schedule([b, b + 5], [1.0, 2.0, 3.0])(np.arange(12))

  want = [1.0] * 3 + [2.0] * 5 + [3.0] * 4
  np.testing.assert_array_equal(jax.jit(at)(3), want)
  np.testing.assert_array_equal(jax.jit(at)(3.0), want)


@pytest.mark.parametrize("mult", [1.0, 2.0, 1.25])
def test_repeat_with_traced_period_mult(mult):
  """With 1.25, float32 logarithms put steps 4 and 9, where the second and third cycles
  start, one cycle early: the correction moves them on."""

  def at(m):
    return repeat(linear_schedule(1.0, 0.0, 4), 4, period_mult=m)(np.arange(30))

  want = []
  for t in range(30):
    _, pos, length = cycle_ref(t, 4, mult)
    want.append(1.0 - pos / length)
  np.testing.assert_allclose(jax.jit(at)(mult), want, rtol=1e-5, atol=1e-6)


def test_repeat_at_float_steps():
  s = repeat(linear_schedule(1.0, 0.0, 4), 4, period_mult=2.0)
  steps = [0.0, 3.5, 4.0, 11.99, 12.0, 27.5, 28.0]
  want = []
  for t in steps:
    _, pos, length = cycle_ref(t, 4, 2.0)
    want.append(1.0 - pos / length)
  np.testing.assert_allclose(values(s, steps), want, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("period", [1, 1.0, 3.0, 2.5])
def test_repeat_constant_period(period):
  s = repeat(linear_schedule(1.0, 0.0, 4), period)
  steps = [0.0, 0.5, 1.0, 2.0, 2.5, 3.0, 5.0, 7.5, 9.0] if period != 1 else list(range(6))
  want = [1.0 - (t - period * math.floor(t / period)) / 4 for t in steps]
  np.testing.assert_allclose(values(s, steps), want, rtol=1e-6)


def test_zero_length_warmup_is_the_schedule():
  s = warmup(linear_schedule(1.0, 0.0, 10), 0, init_value=0.3)
  np.testing.assert_allclose(values(s, [0, 5, 10]), [1.0, 0.5, 0.0], atol=1e-7)


def test_fractional_power_gradient_is_zero_where_the_decay_ended():
  def at(power):
    return polynomial_schedule(1.0, 0.1, power, 10)(12)

  g = jax.grad(at)(0.5)
  assert g == 0.0


@pytest.mark.parametrize("bounds", [{}, None])
def test_piecewise_without_boundaries_is_constant(bounds):
  s = piecewise_interpolate_schedule("linear", 3.0, bounds)
  np.testing.assert_array_equal(values(s, [0, 1, 100]), [3.0, 3.0, 3.0])
  s = piecewise_constant_schedule(2.5, bounds)
  np.testing.assert_array_equal(values(s, [0, 1, 100]), [2.5, 2.5, 2.5])
  # A traced init_value: one piece, of that value.
  for build in (
    lambda v: piecewise_interpolate_schedule("linear", v, bounds),
    lambda v: piecewise_constant_schedule(v, bounds),
  ):
    got = jax.jit(lambda v, build=build: build(v)(jnp.asarray([0, 1, 100])))(1.5)
    np.testing.assert_array_equal(got, [1.5, 1.5, 1.5])


@pytest.mark.parametrize("period", [10, 0.4, 2.5])
def test_repeat_with_a_traced_unit_period_mult(period):
  """A traced ``period_mult`` of 1 is a constant period, exact at int32 steps."""
  steps = np.asarray([0, 1, 2, 3, 7, 2**31 - 11, 2**31 - 2, 2**31 - 1])
  if period != 10:
    steps = steps[:5]

  def at(m):
    return repeat(linear_schedule(1.0, 0.0, 10), period, period_mult=m, stretch_cycles=False)(steps)

  p = fractions.Fraction(str(period))  # the decimal as written: 2 / 0.4 is 5
  want = [float(1 - (t - p * math.floor(t / p)) / 10) for t in steps.tolist()]
  np.testing.assert_allclose(jax.jit(at)(1.0), want, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("pairs", [False, True])
def test_boundaries_in_pairs_at_every_step(pairs):
  """Two boundaries one step apart: the step between them is in the middle piece."""
  bounds = sorted(
    [10 * k for k in range(1, 21)] + ([10 * k + 1 for k in range(1, 21)] if pairs else [])
  )
  vals = [float(k) for k in range(len(bounds) + 1)]
  steps = list(range(0, 215)) + [10**6, 2**31 - 1]
  s = piecewise_values_schedule(bounds, vals)
  np.testing.assert_array_equal(
    values(s, steps), [vals[sum(b <= t for b in bounds)] for t in steps]
  )
  s = multistep_decay_schedule(1.0, bounds, 0.9)
  want = [0.9 ** sum(b <= t for b in bounds) for t in steps]
  np.testing.assert_allclose(values(s, steps), want, rtol=1e-5)


def test_join_of_array_hyperparameters():
  """Pieces whose hyperparameters are NumPy/JAX scalars join like Python numbers."""
  pieces = [linear_schedule(jnp.asarray(1.0 + k), np.float32(0.5), np.int32(4)) for k in range(4)]
  s = join_schedules(pieces, [3, 6, 9])
  steps = list(range(0, 16))

  def ref(t):
    k = sum(b <= t for b in (3, 6, 9))
    local = t - 3 * k
    return (1.0 + k) + (0.5 - (1.0 + k)) * min(local, 4) / 4

  np.testing.assert_allclose(values(s, steps), [ref(t) for t in steps], rtol=1e-6)


def test_no_boundaries_is_the_single_piece():
  steps = [0, 3, 10, 2**31 - 1]
  s = join_schedules([linear_schedule(1.0, 0.5, 4)], [])
  np.testing.assert_allclose(values(s, steps), [1.0, 0.625, 0.5, 0.5])
  s = multistep_decay_schedule(2.0, [], 0.1)
  np.testing.assert_allclose(values(s, steps), [2.0] * 4)


@pytest.mark.parametrize("power", [0.5, 1.0, 2.0])
def test_rsqrt_powers(power):
  """``I (1 + t / tau) ** -p``, written out in Python floats."""
  s = rsqrt_schedule(2.0, timescale=4, power=power)
  steps = [0, 1, 4, 12, 100]
  want = [2.0 * (1 + t / 4) ** -power for t in steps]
  np.testing.assert_allclose(values(s, steps), want, rtol=1e-6)


def test_join_at_step_0_starts_with_the_second_piece():
  """A boundary at 0 is allowed (a step >= 0): the first piece never runs."""
  s = join_schedules([constant_schedule(5.0), linear_schedule(1.0, 0.0, 4)], [0])
  np.testing.assert_allclose(values(s, [0, 1, 2, 4, 9]), [1.0, 0.75, 0.5, 0.0, 0.0])


@pytest.mark.parametrize("power", [1.0, 2.0])
@pytest.mark.parametrize("length", [10, 7])
def test_polynomial_with_a_traced_length_and_a_begin(power, length):
  """``(I - E) (1 - clip(t - B, 0, T) / T) ** P + E`` with ``T`` traced."""
  steps = np.arange(0, 30)

  def at(n):
    return polynomial_schedule(1.0, 0.25, power, n, transition_begin=5)(steps)

  want = [0.75 * (1 - min(max(t - 5, 0), length) / length) ** power + 0.25 for t in steps.tolist()]
  np.testing.assert_allclose(jax.jit(at)(length), want, rtol=1e-6)


def wsd_ref(t, peak, stable, decay, end, decay_shape, stable_shape, **kw):
  """The documented WSD formula, in Python floats."""
  tau, q = kw.get("timescale"), kw.get("stable_power", 0.5)
  g = (
    1.0 if stable_shape == "constant" else (1 + t / tau) ** -(0.5 if stable_shape == "rsqrt" else q)
  )
  d = t - stable
  if d >= decay:
    return end
  f = min(max(d, 0) / decay, 1)
  h = {
    "linear": lambda: 1 - f,
    "cosine": lambda: 0.5 * (1 + math.cos(2 * math.pi * kw.get("num_cycles", 0.5) * f)),
    "1-sqrt": lambda: 1 - math.sqrt(f),
    "power": lambda: 1 - f ** kw.get("exponent", 1.0),
    "exp": lambda: (kw["decay_ratio"] ** f - kw["decay_ratio"]) / (1 - kw["decay_ratio"]),
  }[decay_shape]()
  return end + (max(peak * g, end) - end) * h


WSD = [
  dict(decay_shape="linear", stable_shape="constant"),
  dict(decay_shape="cosine", stable_shape="rsqrt", timescale=5, num_cycles=1.0),
  dict(decay_shape="1-sqrt", stable_shape="power", timescale=4, stable_power=1.5),
  dict(decay_shape="power", stable_shape="rsqrt", timescale=3, exponent=2.0),
  dict(decay_shape="exp", stable_shape="constant", decay_ratio=0.2),
  dict(decay_shape="cosine", stable_shape="constant", num_cycles=1.75),
]


@pytest.mark.parametrize("kw", WSD, ids=[f"{k['stable_shape']}-{k['decay_shape']}" for k in WSD])
def test_wsd_follows_the_documented_formula(kw):
  s = wsd_schedule(2.0, stable_steps=12, decay_steps=8, end_value=0.1, **kw)
  steps = list(range(0, 24))
  want = [wsd_ref(t, 2.0, 12, 8, 0.1, **kw) for t in steps]
  np.testing.assert_allclose(values(s, steps), want, rtol=2e-6, atol=1e-7)


def test_piecewise_interpolate_with_many_boundaries():
  """More boundaries than a chain of compares handles (a gather per knot): the linear
  interpolation of the knots, and ``init_value`` at negative steps (step 0's value)."""
  scales = {10 * k: 0.9 for k in range(1, 41)}
  s = piecewise_interpolate_schedule("linear", 2.0, scales)
  knots = [(0, 2.0)]
  for b, f in scales.items():
    knots.append((b, knots[-1][1] * f))

  def ref(t):
    if t <= 0:
      return 2.0
    for (a, va), (b, vb) in zip(knots, knots[1:], strict=False):
      if t < b:
        return va + (vb - va) * (t - a) / (b - a)
    return knots[-1][1]

  steps = list(range(-5, 420, 3))
  np.testing.assert_allclose(values(s, steps), [ref(t) for t in steps], rtol=2e-6)


def test_piecewise_boundaries_below_1_are_allowed():
  """A boundary is any finite step >= 0: 0 and 0.5 are steps like the others."""
  fractional: dict = {0.5: 0.5, 3: 0.5}  # typed for int steps; any step >= 0 is allowed
  s = piecewise_constant_schedule(1.0, fractional)
  np.testing.assert_array_equal(values(s, [0, 1, 2, 10]), [1.0, 0.5, 0.5, 0.25])
  s = piecewise_constant_schedule(1.0, {0: 0.5})
  np.testing.assert_array_equal(values(s, [1, 10]), [0.5, 0.5])


def test_wsd_exponential_decay_factor_defaults_to_a_ratio_of_a_tenth():
  """``decay_factor`` without ``decay_ratio``: ``(r**f - r) / (1 - r)`` with r = 0.1."""
  from optax_sched.families.wsd import decay_factor

  got = [float(decay_factor(p, 10.0, "exp")) for p in (0.0, 3.0, 7.5, 10.0)]
  want = [(0.1 ** (p / 10) - 0.1) / 0.9 for p in (0.0, 3.0, 7.5, 10.0)]
  np.testing.assert_allclose(got, want, rtol=2e-6, atol=1e-7)


def test_join_of_one_family_keeps_integer_local_steps_past_2_24():
  """``v(t) = s_1(t - 2)``, ``s_1(u) = 0.5 ** floor(u / b)``: local steps ``b - 1``
  and ``b`` (2**24 and 2**24 + 1, merged by float32) stay apart at int32 steps."""
  b = 2**24 + 1
  s = join_schedules([step_decay_schedule(1.0, 10, 0.5), step_decay_schedule(1.0, b, 0.5)], [2])
  assert [float(s(jnp.int32(2 + k))) for k in (b - 1, b)] == [1.0, 0.5]


def test_exponential_decay_raises_the_rate_as_written_not_its_float32_rounding():
  """0.9997 is 0.99970001 in float32; raised to the 30000th power that rounding is a
  relative error of 3e-4. The decay follows the decimal as written."""
  s = exponential_decay(1.0, 1, 0.9997)
  steps = [1000, 10000, 30000]
  want = [0.9997**t for t in steps]
  np.testing.assert_allclose(values(s, steps), want, rtol=2e-5)


def test_tri_stage_follows_the_documented_formula():
  """Warmup from ``P s0``, a hold at ``P``, ``P s1 ** ((t - W - H) / D)``, then ``P s1``."""
  from optax_sched import tri_stage_schedule

  p, w, h, d, s0, s1 = 2.0, 4, 3, 10, 0.05, 0.1
  s = tri_stage_schedule(p, w, h, d, init_scale=s0, final_scale=s1)

  def ref(t):
    if t < w:
      return p * s0 + (p - p * s0) * t / w
    if t < w + h:
      return p
    if t < w + h + d:
      return p * s1 ** ((t - w - h) / d)
    return p * s1

  steps = list(range(0, 25))
  np.testing.assert_allclose(values(s, steps), [ref(t) for t in steps], rtol=2e-6)
