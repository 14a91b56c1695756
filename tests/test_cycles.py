"""cycles: warmup then decay, repeated, with per-cycle lengths and peaks.

The reference is levanter's cyclic learning-rate schedule (its optim config:
``cycle_length``/``cycles`` with ``warmup`` for the first cycle and
``rewarmup`` for the others, cosine decay to ``min_lr_ratio``), written here in
plain Python from that rule: each cycle warms up linearly from where the
previous one ended to the peak, then decays by a cosine over the rest of it.
"""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import optax_sched as sched

EVAL = jax.jit(lambda s, t: s(t))  # one compiled program, not op-by-op dispatch


def levanter_cycles(t, lr, min_ratio, boundaries, warmups, peaks=None):
  """The value at step t of levanter's cycles (boundaries: cycle starts and the end)."""
  peaks = peaks or [1.0] * len(warmups)
  previous_end = 0.0
  for i, (start, end) in enumerate(zip(boundaries[:-1], boundaries[1:], strict=True)):
    last = i == len(warmups) - 1
    peak = lr * peaks[i]
    w, decay = warmups[i], end - start - warmups[i]
    if t < end or last:
      u = t - start
      if u < w:
        return previous_end + (peak - previous_end) * u / w
      p = min(u - w, decay) / decay
      return peak * ((1 - min_ratio) * 0.5 * (1 + math.cos(math.pi * p)) + min_ratio)
    previous_end = peak * min_ratio
  raise AssertionError("unreachable")


@pytest.mark.parametrize(
  "lengths, warmups, peaks",
  [
    ([2000] * 4, [20, 100, 100, 100], None),  # warmup 0.01, rewarmup 0.05, cycle_length 2000
    ([3000, 2000, 1000], [30, 200, 200], None),  # cycle_length=[3000, 2000, 1000]
    ([1000, 1000, 1000], [50, 0, 50], [1.0, 0.5, 0.25]),  # per-cycle peaks, one without rewarmup
  ],
)
def test_follows_levanters_cycles(lengths, warmups, peaks):
  lr, ratio = 3e-4, 0.1
  s = sched.cycles(
    sched.cosine_decay_schedule(lr, lengths[0] - warmups[0], alpha=ratio),
    lengths,
    warmup_steps=warmups,
    peaks=peaks,
  )
  bounds = [0, *np.cumsum(lengths).tolist()]
  t = np.arange(0, bounds[-1] + 500)
  expected = [levanter_cycles(k, lr, ratio, bounds, warmups, peaks) for k in t]
  with jax.enable_x64(True):
    np.testing.assert_allclose(np.asarray(EVAL(s, t)), expected, rtol=1e-12, atol=1e-18)
  np.testing.assert_allclose(np.asarray(EVAL(s, t)), expected, rtol=2e-5, atol=1e-10)


@pytest.mark.parametrize("warmup", [1, 1.5])
def test_warmups_shorter_than_two_steps_at_fractional_steps(warmup):
  """A warmup of 1 or 1.5 steps rises linearly over exactly that many steps."""
  lr, ratio, lengths = 1.0, 0.1, [10, 10]
  s = sched.cycles(
    sched.cosine_decay_schedule(lr, lengths[0] - warmup, alpha=ratio), lengths, warmup_steps=warmup
  )
  bounds = [0, 10, 20]
  t = np.arange(0, 24, 0.25)
  expected = [levanter_cycles(k, lr, ratio, bounds, [warmup] * 2) for k in t.tolist()]
  np.testing.assert_allclose(np.asarray(EVAL(s, t)), expected, rtol=2e-6, atol=1e-7)


def test_one_warmup_for_every_cycle_and_restarts_are_declared():
  s = sched.cycles(sched.linear_schedule(1.0, 0.0, 90), [100, 100], warmup_steps=10)
  assert [float(s(k)) for k in (0, 10, 99, 100, 110)] == pytest.approx([0.0, 1.0, 1 / 90, 0.0, 1.0])
  assert list(s.declared_jumps(200)) == [100.0]


def test_config_spec_jit_vmap_grad():
  s = sched.cycles(
    sched.cosine_decay_schedule(1.0, 90), [100, 50], warmup_steps=[10, 5], peaks=[1.0, 0.5]
  )
  assert sched.from_config(sched.to_config(s)) == s
  assert sched.from_spec(repr(s)) == s
  t = jnp.arange(0, 200, 7)
  np.testing.assert_allclose(jax.jit(s)(t), s(t), rtol=1e-6)
  np.testing.assert_allclose(jax.vmap(s)(t), s(t), rtol=1e-6)
  np.testing.assert_allclose(s(t.astype(jnp.float32)), s(t), rtol=1e-6)
  grad = jax.grad(lambda p: s.replace(peaks=[1.0, p])(120))(0.5)
  assert float(grad) == pytest.approx(float(s(120)) / 0.5, rel=1e-5)


@pytest.mark.parametrize(
  "kwargs, part",
  [
    (dict(lengths=[]), "lengths=[]"),
    (dict(lengths=[100, 0]), "lengths[1]=0"),
    (dict(lengths=[100], warmup_steps=100), "warmup_steps=100"),
    (
      dict(lengths=[100, 100], warmup_steps=[10]),
      "warmup_steps=[10] is not allowed: it must hold one entry per cycle (2), or be one number",
    ),
    (dict(lengths=[100, 100], warmup_steps=[10, -1]), "warmup_steps[1]=-1"),
    (dict(lengths=[100, 100], peaks=[1.0]), "peaks=[1.0]"),
    (
      dict(lengths=[100], peaks=0.5),
      "peaks=0.5 is not allowed: it must be a list of one factor per cycle, or None",
    ),
    (dict(lengths=[100], peaks=[float("nan")]), "peaks[0]=nan"),
    (dict(lengths=[100], init_value="0"), "init_value='0'"),
  ],
)
def test_bad_arguments_raise_value_errors_naming_them(kwargs, part):
  with pytest.raises(ValueError, match="cycles: ") as e:
    sched.cycles(sched.constant_schedule(1.0), **kwargs)
  assert part in str(e.value)


def test_declared_jumps_of_the_child_move_with_each_warmup_and_stretch():
  """The child's jump at 30 steps of its decay: at ``S_i + W_i + 30 D_i / D_0``."""
  child = sched.piecewise_constant_schedule(1.0, {30: 0.5})
  s = sched.cycles(child, [100, 200], warmup_steps=[10, 20])
  # Cycle 0: 0 + 10 + 30; cycle 1: 100 + 20 + 30 * 180 / 90; the restart at 100.
  assert sorted(float(j) for j in s.declared_jumps(300)) == [40.0, 100.0, 180.0]
  values = [float(s(k)) for k in (39, 40, 179, 180)]
  assert values == pytest.approx([1.0, 0.5, 1.0, 0.5])


def test_integer_steps_past_2_24_land_in_their_cycle():
  """Concrete lengths of ``2**24 + 1`` (evaluated eagerly: integer starts): the step
  before each start is still in the old cycle, where float32 would round it onto the start."""
  lr, ratio, length = 1.0, 0.1, 2**24 + 1
  s = sched.cycles(sched.cosine_decay_schedule(lr, length, alpha=ratio), [length] * 3)
  bounds = [0, length, 2 * length, 3 * length]
  t = np.asarray([b + d for b in bounds[1:] for d in (-2, -1, 0, 1)], np.int32)
  expected = [levanter_cycles(k, lr, ratio, bounds, [0] * 3) for k in t.tolist()]
  np.testing.assert_allclose(np.asarray(s(t)), expected, rtol=2e-5, atol=1e-7)


@pytest.mark.parametrize(
  "lengths, warmup",
  [
    ([np.float16(1001)] * 4, 0),  # a float16 sum would start the fourth cycle at 3004
    ([100, 100], np.longdouble(1) / 3),  # longdouble jumps would have other last digits
  ],
  ids=["float16 lengths", "longdouble warmup"],
)
def test_declared_jumps_are_float64_whatever_the_numpy_types(lengths, warmup):
  """Every start ``S_i`` and the child's jump at 30 of its decay, at
  ``S_i + W + 30 (D_i / D_0)``, computed in float64 from the numbers' values."""
  child = sched.piecewise_constant_schedule(1.0, {30: 0.5})
  s = sched.cycles(child, lengths, warmup_steps=warmup)
  ls, w = [float(x) for x in lengths], float(warmup)
  starts = [sum(ls[:i]) for i in range(len(ls))]
  inner = [start + w + 30 * ((n - w) / (ls[0] - w)) for start, n in zip(starts, ls, strict=True)]
  got = np.asarray(s.declared_jumps(sum(ls)))
  assert got.dtype == np.float64
  assert sorted(got.tolist()) == sorted(starts[1:] + inner)


@pytest.mark.parametrize("traced", ["lengths", "warmup_steps"])
def test_traced_lengths_or_warmups_follow_the_formula_and_declare_no_jumps(traced):
  """Cycles of 10 steps, warmups of 2, a linear decay over 8: each cycle rises from
  e_i = s(8) = 0 to 1 in 2 steps, then decays; nothing concrete to declare."""
  child = sched.linear_schedule(1.0, 0.0, 8)

  def run(x):
    if traced == "lengths":
      s = sched.cycles(child, [x, x], warmup_steps=2)
    else:
      s = sched.cycles(child, [10, 10], warmup_steps=x)
    assert tuple(s.declared_jumps(20)) == ()
    return s(jnp.arange(20))

  got = jax.jit(run)(10 if traced == "lengths" else 2)
  u = [k % 10 for k in range(20)]
  expected = [x / 2 if x < 2 else 1 - (x - 2) / 8 for x in u]
  np.testing.assert_allclose(np.asarray(got), expected, rtol=1e-6, atol=1e-7)


def test_equal_decays_keep_the_childs_integer_step_past_2_24():
  """Lengths L and L + 2 with warmups 0 and 2: equal decays, so the child sees the
  integer ``u - W_1`` (documented), and a staircase boundary at ``2**24 + 1`` (no float32)
  is met at exactly that step of cycle 1, which starts at the odd L = 2**25 + 1."""
  length, b = 2**25 + 1, 2**24 + 1
  s = sched.cycles(
    sched.piecewise_constant_schedule(1.0, {b: 0.5}), [length, length + 2], warmup_steps=[0, 2]
  )
  since = [b - 2, b - 1, b, b + 1]
  t = np.asarray([length + 2 + k for k in since], np.int32)
  assert np.asarray(s(t)).tolist() == [1.0 if k < b else 0.5 for k in since]
