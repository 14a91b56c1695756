"""Fast paths give the reference numbers: optax's join, Python loops.

Every O(log n) or O(1) evaluation is compared with the plain semantics it
replaces, on random pieces, boundaries and steps (no timing here: speed is
measured by scripts/bench.py).
"""

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from conftest import assert_close

import optax_sched as sched

SEEDS = range(2)

# One family each, with random hyperparameters drawn from ``rng``.
FAMILIES = {
  "cosine_decay": lambda r: sched.cosine_decay_schedule(
    r.uniform(1e-4, 1e-2), int(r.randint(1, 60)), r.uniform(0, 0.5)
  ),
  "warmup_cosine": lambda r: sched.warmup_cosine_decay_schedule(
    r.uniform(0, 1e-4),
    r.uniform(1e-3, 1e-2),
    int(r.randint(0, 10)),
    int(r.randint(11, 60)),
    r.uniform(0, 1e-4),
  ),
  "linear": lambda r: sched.linear_schedule(
    r.uniform(0, 1), r.uniform(0, 1), int(r.randint(0, 40)), int(r.randint(0, 5))
  ),
  "polynomial": lambda r: sched.polynomial_schedule(
    r.uniform(0.5, 1), r.uniform(0, 0.1), r.uniform(0.5, 3), int(r.randint(1, 40))
  ),
  "exponential_staircase": lambda r: sched.exponential_decay(
    r.uniform(0.1, 1), int(r.randint(1, 9)), r.uniform(0.3, 0.99), int(r.randint(0, 5)), True
  ),
  "exponential_floor": lambda r: sched.exponential_decay(
    r.uniform(0.1, 1), r.uniform(1, 9), r.uniform(0.3, 0.99), end_value=0.05
  ),
  "constant": lambda r: sched.constant_schedule(r.uniform(-1, 1)),
  "piecewise_constant": lambda r: sched.piecewise_constant_schedule(
    r.uniform(0.1, 1), {5: r.uniform(0, 1), 17: r.uniform(0, 2)}
  ),
}


def run(schedule, steps):
  """``schedule(steps)`` as one compiled program (eager dispatch of many small
  ops, once per op and shape, is what would make these tests slow)."""
  return jax.jit(lambda t: schedule(t))(steps)


def _random_join(family, n, rng, float_bounds=False):
  pieces = [FAMILIES[family](rng) for _ in range(n)]
  # Repeated boundaries included: there the later piece wins, as in optax.
  bounds = np.sort(rng.randint(0, 30 * n, size=n - 1)).tolist()
  if float_bounds:
    bounds = [b + 0.5 for b in bounds]
  return pieces, bounds


def _steps(rng, n):
  return np.concatenate([np.arange(0, 30 * n + 40), rng.randint(0, 2**31 - 1, 50)])


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_one_family_join_equals_optax_join(family, seed):
  rng = np.random.RandomState(seed)
  pieces, bounds = _random_join(family, 12, rng)
  ours = sched.join_schedules(pieces, bounds)
  assert ours.fast
  steps = _steps(rng, 12)
  assert_close(run(ours, steps), run(optax.join_schedules(pieces, bounds), steps), rtol=2e-6)


@pytest.mark.parametrize("family", ["cosine_decay", "exponential_staircase"])
def test_one_family_join_with_float_steps_and_bounds_equals_optax(family):
  rng = np.random.RandomState(7)
  pieces, bounds = _random_join(family, 9, rng, float_bounds=True)
  steps = rng.uniform(0, 300, 400).astype(np.float32)
  ours = run(sched.join_schedules(pieces, bounds), steps)
  assert_close(ours, run(optax.join_schedules(pieces, bounds), steps), rtol=2e-6)


def test_one_family_join_keeps_the_step_shape():
  rng = np.random.RandomState(1)
  pieces, bounds = _random_join("cosine_decay", 5, rng)
  steps = jnp.arange(24).reshape(2, 3, 4) * 7
  out = sched.join_schedules(pieces, bounds)(steps)
  assert out.shape == (2, 3, 4)
  assert_close(out, optax.join_schedules(pieces, bounds)(steps), rtol=2e-6)


def test_mixed_join_takes_optax_path_and_equals_it():
  pieces = [
    sched.linear_schedule(0.0, 1.0, 10),
    sched.cosine_decay_schedule(1.0, 50),
    sched.constant_schedule(0.1),
  ]
  s = sched.join_schedules(pieces, [10, 60])
  assert not s.fast
  steps = np.arange(100)
  np.testing.assert_array_equal(run(s, steps), run(optax.join_schedules(pieces, [10, 60]), steps))


def test_static_fields_decide_the_family():
  a = sched.exponential_decay(1.0, 5, 0.5, staircase=True)
  b = sched.exponential_decay(1.0, 5, 0.5, staircase=False)
  assert not sched.join_schedules([a, b], [10]).fast
  assert sched.join_schedules([a, a.replace(init_value=2.0)], [10]).fast


def test_nested_fast_join_inside_mixed_join_equals_flat_optax_join():
  rng = np.random.RandomState(3)
  cycles, bounds = _random_join("cosine_decay", 20, rng)
  warm = sched.linear_schedule(0.0, 1e-2, 25)
  tail = sched.constant_schedule(1e-5)
  end = 25 + 30 * 20
  nested = sched.join_schedules([warm, sched.join_schedules(cycles, bounds), tail], [25, end])
  flat = optax.join_schedules([warm] + cycles + [tail], [25] + [25 + b for b in bounds] + [end])
  steps = np.arange(end + 50)
  assert_close(run(nested, steps), run(flat, steps), rtol=2e-6)


def test_fast_join_under_vmap_over_a_piece_hyperparameter():
  steps = jnp.arange(0, 120, 3)

  def build(peak):
    return sched.join_schedules(
      [
        sched.cosine_decay_schedule(peak, 40),
        sched.cosine_decay_schedule(0.5 * peak, 40),
        sched.cosine_decay_schedule(0.25 * peak, 40),
      ],
      [40, 80],
    )

  peaks = jnp.array([1e-3, 3e-3])
  swept = jax.vmap(lambda p: build(p)(steps))(peaks)
  one_by_one = jnp.stack([build(float(p))(steps) for p in peaks])
  assert_close(swept, one_by_one)


def test_fast_join_under_vmap_over_boundaries():
  steps = jnp.arange(100)
  pieces = [sched.constant_schedule(1.0), sched.constant_schedule(2.0)]
  swept = jax.vmap(lambda b: sched.join_schedules(pieces, [b])(steps))(jnp.array([20, 50]))
  np.testing.assert_array_equal(swept[0], jnp.where(steps < 20, 1.0, 2.0))
  np.testing.assert_array_equal(swept[1], jnp.where(steps < 50, 1.0, 2.0))


def test_fast_join_grad_flows_to_the_selected_piece_only():
  pieces = [sched.cosine_decay_schedule(1.0, 10.0), sched.cosine_decay_schedule(2.0, 10.0)]
  g = jax.grad(lambda ps: sched.join_schedules(ps, [10])(15))(pieces)
  assert float(g[0].init_value) == 0.0
  assert_close(g[1].init_value, pieces[1](5) / 2.0)


@pytest.mark.parametrize("seed", SEEDS)
def test_sgdr_with_many_cycles_equals_optax(seed):
  rng = np.random.RandomState(seed)
  kwargs = [
    dict(
      init_value=float(rng.uniform(0, 1e-4)),
      peak_value=float(rng.uniform(1e-3, 1e-2)),
      warmup_steps=int(rng.randint(0, 5)),
      decay_steps=int(rng.randint(6, 40)),
      end_value=float(rng.uniform(0, 1e-5)),
    )
    for _ in range(40)
  ]
  steps = np.arange(0, 40 * 40 + 20)
  assert_close(
    run(sched.sgdr_schedule(kwargs), steps), run(optax.sgdr_schedule(kwargs), steps), rtol=2e-6
  )


def _random_boundaries(rng, n):
  bounds = np.unique(rng.randint(1, 20 * n, size=n))
  return {int(b): float(rng.uniform(0.8, 1.2)) for b in bounds}


@pytest.mark.parametrize("seed", SEEDS)
def test_piecewise_constant_with_many_boundaries_equals_optax(seed):
  rng = np.random.RandomState(seed)
  bs = _random_boundaries(rng, 300)
  steps = np.arange(0, 20 * 300 + 10)
  np.testing.assert_array_equal(
    run(sched.piecewise_constant_schedule(0.1, bs), steps),
    run(optax.piecewise_constant_schedule(0.1, bs), steps),
  )


@pytest.mark.parametrize("kind", ["linear", "cosine"])
def test_piecewise_interpolate_with_many_boundaries_equals_optax(kind):
  rng = np.random.RandomState(5)
  bs = _random_boundaries(rng, 60)
  steps = jnp.arange(0, 20 * 60 + 10)
  ours = sched.piecewise_interpolate_schedule(kind, 0.1, bs)
  # optax's version takes scalar steps only.
  ref = jax.vmap(optax.piecewise_interpolate_schedule(kind, 0.1, bs))
  assert_close(run(ours, steps), run(ref, steps), rtol=2e-6)


def test_piecewise_constant_traced_init_value_multiplies_in_the_same_order():
  rng = np.random.RandomState(2)
  bs = _random_boundaries(rng, 200)
  steps = jnp.arange(0, 4010, 3)
  traced = jax.jit(lambda i: sched.piecewise_constant_schedule(i, bs)(steps))(0.1)
  np.testing.assert_array_equal(traced, sched.piecewise_constant_schedule(0.1, bs)(steps))


BOUNDS = {
  "even": lambda r, n: np.arange(1, n + 1) * 997,
  "random": lambda r, n: np.sort(r.randint(0, 10**6, n)),
  "clustered": lambda r, n: np.sort(
    np.concatenate([r.randint(0, 50, n // 2), r.randint(0, 10**6, n - n // 2)])
  ),
  "repeated": lambda r, n: np.sort(r.randint(0, 10, n) * 1000),
  "at int32 max": lambda r, n: np.concatenate([np.sort(r.randint(0, 10**6, n - 1)), [2**31 - 1]]),
  # Bucketed (a few bounds a bucket), the last bucket holding the int maximum.
  "spread to int32 max": lambda r, n: np.linspace(0, 2**31 - 1, n).astype(np.int64),
}


@pytest.mark.parametrize("n", [3, 16, 17, 300, 5000])
@pytest.mark.parametrize("kind", sorted(BOUNDS))
def test_search_over_concrete_bounds_equals_numpy(kind, n):
  from optax_sched._math import searchsorted_right

  rng = np.random.RandomState(n)
  bounds = BOUNDS[kind](rng, n).astype(np.int32)
  steps = np.concatenate(
    [
      np.arange(0, 3000),
      rng.randint(0, 2**31 - 1, 2000),
      bounds,
      bounds - 1,
      bounds + 1,
      [2**31 - 1],
    ]
  )
  steps = np.clip(steps, 0, 2**31 - 1).astype(np.int32)
  expected = np.searchsorted(bounds, steps, side="right")
  np.testing.assert_array_equal(jax.jit(lambda t: searchsorted_right(bounds, t))(steps), expected)
  np.testing.assert_array_equal(searchsorted_right(jnp.asarray(bounds), steps), expected)


@pytest.mark.parametrize("n", [3, 17, 300, 5000])
@pytest.mark.parametrize("kind", sorted(BOUNDS) + ["from 0, 3 per bucket"])
def test_select_piece_equals_numpy_lookup(kind, n):
  """The bucket select gives ``values[searchsorted(bounds, t)]``, with values
  known or traced (vmapped over a scale), for every kind of bounds."""
  from optax_sched._math import select_piece

  rng = np.random.RandomState(n + 1)
  if kind == "from 0, 3 per bucket":
    bounds = np.sort(np.concatenate([[0, 0, 1], np.arange(1, n - 2) * 64 + 1])).astype(np.int32)
  else:
    bounds = BOUNDS[kind](rng, n).astype(np.int32)
  values = rng.uniform(0, 1, n + 1).astype(np.float32)
  steps = np.concatenate(
    [
      np.arange(0, 3000),
      rng.randint(0, 2**31 - 1, 2000),
      bounds,
      bounds - 1,
      bounds + 1,
      [2**31 - 1],
    ]
  )
  steps = np.clip(steps, 0, 2**31 - 1).astype(np.int32)
  expected = values[np.searchsorted(bounds, steps, side="right")]
  got = jax.jit(lambda t: select_piece(values, bounds, t))(steps)
  np.testing.assert_array_equal(got, expected)
  scales = np.float32([1.0, 2.0])
  got = jax.jit(jax.vmap(lambda c: select_piece(c * jnp.asarray(values), bounds, steps)))(scales)
  np.testing.assert_array_equal(got, scales[:, None] * expected[None])
  left = np.searchsorted(bounds, steps, side="left")
  np.testing.assert_array_equal(
    jax.jit(lambda t: select_piece(values, bounds, t, side="left"))(steps), values[left]
  )


def _repeat_reference(child, t, period, mult, decay, stretch=True):
  """Walks the cycles one by one in float64 (what repeat replaces)."""
  start, length, i = 0.0, float(period), 0
  while start + length <= t:
    start, length, i = start + length, length * mult, i + 1
  inner = (t - start) / mult**i if stretch else t - start
  return float(child(np.float64(inner) if mult != 1 else t - int(start))) * decay**i


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("mult", [1.0, 2.0, 1.5, 1.01])
def test_repeat_equals_walking_the_cycles(mult, seed):
  rng = np.random.RandomState(seed)
  period = int(rng.randint(3, 30))
  decay = float(rng.uniform(0.5, 1.0))
  child = sched.cosine_decay_schedule(1.0, period, 0.1)
  steps = np.unique(rng.randint(0, 40 * period, 200))
  ours = sched.repeat(child, period, mult, decay)(steps)
  ref = [_repeat_reference(child, int(t), period, mult, decay) for t in steps]
  assert_close(ours, ref, rtol=1e-5)


def test_repeat_without_stretch_gives_the_child_raw_steps():
  child = sched.linear_schedule(0.0, 1.0, 4)
  s = sched.repeat(child, 4, 2.0, stretch_cycles=False)
  steps = np.arange(60)
  ref = [_repeat_reference(child, int(t), 4, 2.0, 1.0, stretch=False) for t in steps]
  assert_close(s(steps), ref)


def test_repeat_with_constant_period_is_exact_near_int32_max():
  child = sched.function_schedule(lambda t: t)
  steps = np.array([2**31 - 1, 2**31 - 1000, 2**31 - 1001, 1_999_999_999], dtype=np.int64)
  out = sched.repeat(child, 1000, decay=1.0)(steps.astype(np.int32))
  np.testing.assert_array_equal(out, (steps % 1000).astype(np.float32))


def test_per_epoch_is_exact_near_int32_max():
  child = sched.function_schedule(lambda e: e % 7)
  steps = np.array([2**31 - 1, 2**31 - 391, 123_456_789], dtype=np.int64)
  out = sched.per_epoch(child, 391)(steps.astype(np.int32))
  np.testing.assert_array_equal(out, ((steps // 391) % 7).astype(np.float32))


@pytest.mark.parametrize("seed", SEEDS)
def test_per_epoch_equals_a_python_loop(seed):
  rng = np.random.RandomState(seed)
  spe = int(rng.randint(1, 50))
  child = sched.exponential_decay(1.0, 3, 0.7, staircase=True)
  steps = np.arange(0, 40 * spe)
  ref = [float(child(int(t) // spe)) for t in steps[::5]]
  np.testing.assert_array_equal(sched.per_epoch(child, spe)(steps[::5]), ref)


def _transition_cases(rng):
  """Random transitions: integer and fractional lengths/begins, 0 included."""
  for _ in range(12):
    length = int(rng.randint(1, 50))
    begin = int(rng.randint(0, 20))
    if rng.rand() < 0.3:
      length += 0.5
    if rng.rand() < 0.3:
      begin += 0.25
    yield (
      rng.uniform(0.5, 1),
      rng.uniform(0, 0.1),
      float(rng.choice([0.5, 1.0, 1.5, 2.0, 3.0])),
      length,
      begin,
    )


@pytest.mark.parametrize("seed", SEEDS)
def test_known_length_transition_equals_traced_length(seed):
  """Known lengths and powers skip the T = 0 branch and the pow guard; the
  numbers must be those of the general path (lengths passed as jit args)."""
  rng = np.random.RandomState(seed)
  steps = np.concatenate([np.arange(0, 80), rng.randint(0, 2**31 - 1, 30)])
  for init, end, power, length, begin in _transition_cases(rng):
    s = sched.polynomial_schedule(init, end, power, length, begin)
    known = run(s, jnp.asarray(steps))
    traced = jax.jit(lambda s, t: s(t))(s, jnp.asarray(steps))
    assert_close(known, traced, err_msg=repr(s))
    known_f = run(s, jnp.asarray(steps[:80], jnp.float32) + 0.5)
    traced_f = jax.jit(lambda s, t: s(t))(s, jnp.asarray(steps[:80], jnp.float32) + 0.5)
    assert_close(known_f, traced_f, err_msg=repr(s))


def test_known_length_transition_is_exact_past_float32_steps():
  """Integer steps beyond 2**24 (where float32 cannot tell neighbours apart)
  still land on the right fraction of a short transition."""
  begin = 2**30
  s = sched.linear_schedule(0.0, 1.0, transition_steps=4, transition_begin=begin)
  got = run(s, jnp.arange(begin - 1, begin + 6, dtype=jnp.int32))
  np.testing.assert_array_equal(np.asarray(got), [0, 0, 0.25, 0.5, 0.75, 1, 1])


def test_known_power_transition_has_finite_gradients_at_both_ends():
  """With a known power >= 1 the unguarded pow runs; d/dstep and d/dvalues
  stay finite before, inside, at the end of and after the transition."""
  for power in (1.0, 1.5, 2.0):
    s = sched.polynomial_schedule(1.0, 0.1, power, 10, 5)
    for t in (0.0, 5.0, 9.0, 15.0, 30.0):
      d_t = jax.grad(s.__call__)(t)
      d_s = jax.grad(lambda s, t=t: s(t), allow_int=True)(s)
      assert np.isfinite(d_t), (power, t)
      assert np.isfinite(float(d_s.init_value)) and np.isfinite(float(d_s.end_value))
