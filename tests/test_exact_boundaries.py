"""Every restart and staircase boundary lands on the right integer step,
from 0 to 2**31 - 1, in float32 and float64 (issue 12, point 1).

References are pure Python integers and fractions computed here from the
definitions (cycle i starts at L (m**i - 1) / (m - 1); a staircase of period
P has stepped floor(t / P) times), never from the code under test.
"""

import math
from fractions import Fraction

import jax
import numpy as np
import pytest

import optax_sched as sched
from optax_sched._math import cycle, quotient
from optax_sched.compat import keras, timm, torch

TOP = 2**31 - 1
TARGETS = (2**19, 2**20, 2**24, 2**28, TOP)


def first_steps(period, mult):
  """The first integer step of every cycle that starts at or before TOP."""
  length, m = Fraction(period), Fraction(mult)
  out, i = [], 0
  while True:
    first = math.ceil(length * (m**i - 1) / (m - 1))
    if first > TOP:
      return out
    out.append(first)
    i += 1


def probes(firsts):
  """Steps around the cycle starts nearest each target, and TOP."""
  steps = {TOP, TOP - 1}
  for target in TARGETS:
    k = max(j for j, f in enumerate(firsts) if f <= target)
    for f in firsts[max(k - 1, 0) : k + 2]:
      steps.update(s for s in (f - 1, f, f + 1) if 0 <= s <= TOP)
  return np.asarray(sorted(steps), np.int64)


def cycle_index(firsts, steps):
  return np.searchsorted(np.asarray(firsts), steps, side="right") - 1


PERIODS = [(3, 2), (100, 2), (7, 3), (13, 1.5), (10, 1.25), (1, 1.01), (30, 2.5)]


@pytest.mark.parametrize("x64", [False, True])
@pytest.mark.parametrize("period,mult", PERIODS)
def test_cycle_index_is_exact_at_every_restart(period, mult, x64):
  firsts = first_steps(period, mult)
  steps = probes(firsts)
  with jax.enable_x64(x64):
    t = steps.astype(np.int64 if x64 else np.int32)
    i, pos, length = (np.asarray(x, np.float64) for x in cycle(t, period, mult))
  expected = cycle_index(firsts, steps)
  np.testing.assert_array_equal(i, expected)
  # The position is the exact distance from the cycle's start (to float32).
  starts = [Fraction(period) * (Fraction(mult) ** int(k) - 1) / (Fraction(mult) - 1) for k in i]
  exact = np.asarray([float(s - a) for s, a in zip(steps, starts, strict=True)])
  np.testing.assert_allclose(pos, exact, rtol=1e-6, atol=1e-6 * period)
  assert np.all(pos <= length)  # float32 rounds length - 1 up to length past 2**24


def restarting_names(period, mult):
  """Every public restarting schedule with cycles of ``period * mult**i``,
  peak 1 in every cycle and a floor near 0."""
  return {
    "repeat": sched.repeat(sched.cosine_decay_schedule(1.0, period), period, period_mult=mult),
    "cosine_restarts_schedule": sched.cosine_restarts_schedule(1.0, period, mult),
    "polynomial_restarts_schedule": sched.polynomial_restarts_schedule(
      1.0, period, power=1.0, period_mult=mult, cycle_limit=None
    ),
    "tanh_schedule": sched.tanh_schedule(1.0, period, period_mult=mult, cycle_limit=None),
    "torch.CosineAnnealingWarmRestarts": torch.CosineAnnealingWarmRestarts(
      1.0, T_0=period, T_mult=int(mult)
    ),
    "timm.CosineLRScheduler": timm.CosineLRScheduler(
      1.0, t_initial=period, cycle_mul=mult, cycle_limit=100
    ),
    "timm.TanhLRScheduler": timm.TanhLRScheduler(
      1.0, t_initial=period, cycle_mul=mult, cycle_limit=100
    ),
    "timm.PolyLRScheduler": timm.PolyLRScheduler(
      1.0, t_initial=period, power=1.0, cycle_mul=mult, cycle_limit=100
    ),
    "keras.CosineDecayRestarts": keras.CosineDecayRestarts(1.0, period, t_mul=mult),
  }


@pytest.mark.parametrize("x64", [False, True])
@pytest.mark.parametrize("name", sorted(restarting_names(3, 2)))
def test_every_restarting_name_restarts_on_the_exact_step(name, x64):
  """At the first step of a cycle the value is back at its peak; one step
  before, it is at the bottom of the previous cycle."""
  period, mult = 3, 2
  firsts = [f for f in first_steps(period, mult) if f >= 2**18]
  steps = np.asarray([s for f in firsts for s in (f - 1, f)], np.int64)
  with jax.enable_x64(x64):
    s = restarting_names(period, mult)[name]
    values = np.asarray(s(steps.astype(np.int64 if x64 else np.int32)), np.float64)
  before, at = values[0::2], values[1::2]
  assert np.all(at > 0.99), (name, steps[1::2][at <= 0.99])
  assert np.all(before < 0.01), (name, steps[0::2][before >= 0.01])


def test_issue_example_does_not_restart_early():
  s = sched.repeat(sched.cosine_decay_schedule(1.0, 3), 3, period_mult=2)
  assert float(s(786428)) < 1e-9  # the last step of the cycle that starts at 393213
  assert float(s(786429)) == 1.0


def floor_quotients(period, steps):
  """floor(t / P) for the float64 P, as exact fractions (Python's t // P)."""
  p = Fraction(period)
  return np.asarray([math.floor(Fraction(int(t)) / p) for t in steps])


STAIR_PERIODS = [2.4, 1251.2, 312.5, 7.0, 1.1, 100 / 3]


@pytest.mark.parametrize("x64", [False, True])
@pytest.mark.parametrize("period", STAIR_PERIODS)
def test_fractional_staircase_boundaries_are_exact(period, x64):
  p = Fraction(period)
  steps = set(range(0, 2000))
  for target in TARGETS:
    k = math.floor(Fraction(target) / p)
    for j in (k - 1, k, k + 1):
      b = math.ceil(j * p)  # the first step of stair j
      steps.update(s for s in (b - 1, b, b + 1) if 0 <= s <= TOP)
  steps = np.asarray(sorted(steps), np.int64)
  with jax.enable_x64(x64):
    q = np.asarray(quotient(steps.astype(np.int64 if x64 else np.int32), period))
  np.testing.assert_array_equal(q, floor_quotients(period, steps))


def staircases(period):
  """Public staircases times 0.9 every ``period`` steps (torch's StepLR takes
  whole steps only)."""
  return {
    "step_decay_schedule": sched.step_decay_schedule(1.0, period, 0.9),
    "exponential_decay": sched.exponential_decay(1.0, period, 0.9, staircase=True),
    "per_epoch": sched.per_epoch(sched.exponential_decay(1.0, 1, 0.9, staircase=True), period),
    "timm.StepLRScheduler": timm.StepLRScheduler(1.0, decay_t=period, decay_rate=0.9),
  }


@pytest.mark.parametrize("x64", [False, True])
@pytest.mark.parametrize("name", sorted(staircases(2.4)))
def test_every_staircase_steps_on_the_exact_boundary(name, x64):
  """timm's EfficientNet recipe (decay_t=2.4) over 450 epochs: every one of
  its boundaries (60 / 2.4 = 25 exactly, not 24.999998)."""
  steps = np.arange(451)
  expected = 0.9 ** floor_quotients(2.4, steps).astype(np.float64)
  with jax.enable_x64(x64):
    s = staircases(2.4)[name]
    values = np.asarray(s(steps.astype(np.int64 if x64 else np.int32)), np.float64)
  np.testing.assert_allclose(values, expected, rtol=1e-5)


FAR = 2**40  # a boundary no int32 step reaches (a way to write "never")
NEAR_TOP = np.array([0, 9, 10, 11, 2**24, TOP - 1, TOP], np.int32)


def _count(bounds, t):
  return sum(1 for b in bounds if b <= t)


@pytest.mark.parametrize(
  "make, reference",
  [
    (
      lambda: sched.multistep_decay_schedule(1.0, [10, FAR], 0.5),
      lambda t: 0.5 ** _count([10, FAR], t),
    ),
    (
      lambda: sched.piecewise_constant_schedule(1.0, {10: 0.5, FAR: 0.5}),
      lambda t: 0.5 ** _count([10, FAR], t),
    ),
    (
      lambda: sched.piecewise_values_schedule([10, FAR], [1.0, 0.5, 0.25]),
      lambda t: [1.0, 0.5, 0.25][_count([10, FAR], t)],
    ),
    (
      lambda: sched.join_schedules(
        [sched.constant_schedule(1.0), sched.cosine_decay_schedule(2.0, 10)], [FAR]
      ),
      lambda t: 1.0,
    ),
    (
      # 1 - t/FAR in exact fractions: the slope runs to the real boundary.
      lambda: sched.piecewise_interpolate_schedule("linear", 1.0, {10: 0.5, FAR: 0.0}),
      lambda t: (
        float(1 - Fraction(t, 20))
        if t < 10
        else float(Fraction(1, 2) * (1 - Fraction(t - 10, FAR - 10)))
      ),
    ),
    (
      # Half a cosine from 0.5 at 10 to 0 at the real boundary, in float64.
      lambda: sched.piecewise_interpolate_schedule("cosine", 1.0, {10: 0.5, FAR: 0.0}),
      lambda t: (
        0.5 + 0.25 * (1 + math.cos(math.pi * t / 10))
        if t < 10
        else 0.25 * (1 + math.cos(math.pi * float(Fraction(t - 10, FAR - 10))))
      ),
    ),
    (
      # Mixed pieces (optax's join), one boundary reached and one not.
      lambda: sched.join_schedules(
        [
          sched.constant_schedule(1.0),
          sched.linear_schedule(1.0, 0.0, 20),
          sched.cosine_decay_schedule(2.0, 10),
        ],
        [10, FAR],
      ),
      lambda t: 1.0 if t < 10 else max(0.0, 1 - (t - 10) / 20),
    ),
  ],
  ids=[
    "multistep",
    "piecewise_constant",
    "piecewise_values",
    "join",
    "piecewise_interpolate",
    "piecewise_interpolate_cosine",
    "join_mixed",
  ],
)
def test_boundaries_past_the_int_range_are_never_reached(make, reference):
  # They were clipped to 2**31 - 1, so the last int32 step crossed them.
  s = make()
  for fn in (s, jax.jit(s)):
    got = np.asarray(fn(NEAR_TOP), np.float64)
    want = [reference(int(t)) for t in NEAR_TOP]
    np.testing.assert_allclose(got, want, rtol=1e-6)


@pytest.mark.parametrize("kind", ["linear", "cosine"])
def test_float_steps_past_a_boundary_no_int32_step_reaches_take_the_last_value(kind):
  """A float step can pass FAR: from there on the value is the last one, 1 * 0.5 * 0.25,
  as past any last boundary (the slope toward FAR does not run on)."""
  s = sched.piecewise_interpolate_schedule(kind, 1.0, {10: 0.5, FAR: 0.25})
  steps = np.array([FAR, 2 * FAR, 1e30], np.float32)
  for fn in (s, jax.jit(s)):
    np.testing.assert_allclose(np.asarray(fn(steps)), [1.0 * 0.5 * 0.25] * 3, rtol=1e-6)


def test_warmup_exponential_staircase_declares_its_drops():
  """The staircase drops at ``W + b + k T`` (k >= 1), counted after the warmup; where
  it is declared the value halves, and a smooth decay declares nothing."""
  w, b, every, peak = 5, 3, 10, 1.0
  s = sched.warmup_exponential_decay_schedule(0.0, peak, w, every, 0.5, b, staircase=True)
  jumps = [float(x) for x in s.declared_jumps(60)]
  assert jumps == [18.0, 28.0, 38.0, 48.0, 58.0]
  values = np.asarray(s(np.arange(60)))
  for j in (18, 28, 38, 48, 58):
    k = (j - w - b) // every
    assert values[j - 1] == pytest.approx(peak * 0.5 ** (k - 1), rel=1e-6)
    assert values[j] == pytest.approx(peak * 0.5**k, rel=1e-6)
  smooth = sched.warmup_exponential_decay_schedule(0.0, peak, w, every, 0.5, b)
  assert len(smooth.declared_jumps(60)) == 0
  plain = sched.exponential_decay(peak, every, 0.5, b, staircase=True)
  assert [float(x) for x in plain.declared_jumps(40)] == [13.0, 23.0, 33.0]


def test_quotient_remainder_of_integers_is_exact_with_a_traced_period():
  """Integer step and integer period: the remainder is exact even when the period is
  traced (a float32 ``t - q * b`` is 648 here, not 647)."""
  from optax_sched._math import quotient_remainder

  t, b = 2**31 - 1, 1000
  q, r = jax.jit(quotient_remainder)(np.int32(t), np.int32(b))
  assert int(q) == t // b and float(r) == t % b


def test_repeat_hands_integer_steps_to_its_child_past_2_24():
  """Integer steps and period: the child sees its integer step, so a staircase
  boundary just past ``2**24`` inside a long period is met exactly."""
  period, b = 2**30, 2**25 + 1
  child = sched.piecewise_constant_schedule(1.0, {b: 0.5})
  s = sched.repeat(child, period)
  steps = np.asarray([b - 1, b, period + b - 1, period + b], np.int32)
  assert np.asarray(s(steps)).tolist() == [1.0, 0.5, 1.0, 0.5]


def test_stacked_hyperparameters_take_the_library_dtypes():
  """NumPy scalars of other widths stack as float32 / int32 values, unchanged (a float16
  leaf is not left to compute in float16)."""
  from optax_sched._math import stack_leaves

  floats = stack_leaves([np.float16(0.1), np.float16(0.3), 2])
  assert floats.dtype == np.float32
  assert np.asarray(floats).tolist() == [float(np.float16(0.1)), float(np.float16(0.3)), 2.0]
  ints = stack_leaves([np.int64(3), np.int16(4)])
  assert ints.dtype == np.int32 and np.asarray(ints).tolist() == [3, 4]


def _ulps_apart(got, want) -> np.ndarray:
  """How many float32 ulps apart each value of ``got`` is from ``want``."""
  bits = [np.asarray(x, np.float32).view(np.int32).astype(np.int64) for x in (got, want)]
  return np.abs(bits[0] - bits[1])


def _waves(num_cycles, steps, length) -> list[float]:
  """``(1 + cos(2 pi n t / T)) / 2`` with ``n t / T`` reduced modulo 1 exactly first
  (the angle itself would lose the digits)."""
  n = Fraction(num_cycles)
  return [math.cos(math.pi * float(n * Fraction(int(t), length) % 1)) ** 2 for t in steps]


ZERO_LENGTH = {
  "linear": lambda: sched.linear_schedule(1.0, 0.25, 0, transition_begin=5),
  "power-0.5": lambda: sched.polynomial_schedule(1.0, 0.25, 0.5, 0, transition_begin=5),
  "power-2": lambda: sched.polynomial_schedule(1.0, 0.25, 2.0, 0, transition_begin=5),
  "wsd": lambda: sched.wsd_schedule(1.0, stable_steps=5, decay_steps=0, end_value=0.25),
}


@pytest.mark.parametrize("dtype", [np.int32, np.float32])
@pytest.mark.parametrize("name", sorted(ZERO_LENGTH))
def test_a_transition_of_length_0_is_a_step_at_its_start(name, dtype):
  """``transition_steps=0`` (WSD: ``decay_steps=0``): the initial value before the start,
  the end value from it on."""
  steps = np.arange(0, 10, 1 if dtype is np.int32 else 0.5).astype(dtype)
  want = [1.0 if t < 5 else 0.25 for t in steps]
  assert np.asarray(ZERO_LENGTH[name]()(steps)).tolist() == want


@pytest.mark.parametrize("dtype", [np.int32, np.float32])
@pytest.mark.parametrize("family", [sched.linear_schedule, sched.warmup_constant_schedule])
def test_a_linear_rise_from_0_is_t_over_T_to_an_ulp(family, dtype):
  """Taken from the nearer end, a linear rise from 0 to 1 is the fraction ``t / T`` to one
  float32 ulp at every step (``1 - (1 - t / T)`` loses digits near 0)."""
  n = 3000
  steps = np.arange(n + 3)
  got = np.asarray(family(0.0, 1.0, n)(steps.astype(dtype)), np.float32)
  want = [float(min(Fraction(int(t), n), 1)) for t in steps]
  ulps = _ulps_apart(got, want)
  assert ulps.max() <= 1, steps[ulps > 1]


@pytest.mark.parametrize("num_cycles", [1.5, 2.0])
def test_wsd_cosine_waves_keep_their_digits_next_to_each_zero(num_cycles):
  """``(1 + cos(2 pi n f)) / 2`` past its first wave, each value to float32 accuracy
  relative to itself; the reference reduces ``n f`` modulo 1 exactly before the cosine."""
  d = 1000
  s = sched.wsd_schedule(
    1.0, stable_steps=0, decay_steps=d, decay_shape="cosine", num_cycles=num_cycles
  )
  want = _waves(num_cycles, range(d), d)
  got = np.asarray(s(np.arange(d)), np.float64)
  np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-12)


@pytest.mark.parametrize("num_cycles", [0.5, 1.5])
def test_cosine_cycles_keep_waving_far_past_decay_steps(num_cycles):
  """``cosine_cycles_schedule`` is never clipped: millions of steps past ``decay_steps`` it
  is still ``(1 + cos(2 pi n t / T)) / 2`` to float32 accuracy (the reference reduces
  ``n t / T`` modulo 1 exactly; the angle itself would lose the digits)."""
  d = 100
  steps = np.concatenate([np.arange(0, 400, 7), [1_000_003, 2_000_050, 5_000_017]])
  s = sched.cosine_cycles_schedule(1.0, d, num_cycles=num_cycles)
  want = _waves(num_cycles, steps, d)
  got = np.asarray(s(steps.astype(np.int32)), np.float64)
  np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-12)


@pytest.mark.parametrize("dtype", [np.int32, np.float32])
@pytest.mark.parametrize(
  "init,end,power", [(3.0, 0.1, 3), (0.3, 0.001, 3), (3.0, 0.1, 2), (1.0, 0.25, 1)]
)
def test_a_polynomial_to_a_nonzero_floor_is_exact_to_2_ulps(init, end, power, dtype):
  """``(I - E) (1 - clip(t - B, 0, T) / T) ** P + E`` at every step, half-steps included:
  ``I`` before ``transition_begin``, the midpoint (where taking the value from the start
  would cancel) and the floor after the end, each to 2 float32 ulps of the exact fraction."""
  T, B = 4, 3
  steps = np.arange(0, 10, 1 if dtype is np.int32 else 0.5).astype(dtype)
  hi, lo = (Fraction(float(np.float32(x))) for x in (init, end))
  want = [
    float((hi - lo) * (1 - min(max(Fraction(float(t)) - B, 0), T) / T) ** power + lo) for t in steps
  ]
  s = sched.polynomial_schedule(init, end, power, T, transition_begin=B)
  got = np.asarray(s(steps), np.float32)
  ulps = _ulps_apart(got, want)
  assert ulps.max() <= 2, steps[ulps > 2]
