"""Building a schedule inside vmap/jit/grad works and gives the right numbers."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import optax_sched as sched

STEPS = jnp.array([0, 3, 10, 25, 50, 75, 99, 100, 150])

# (name, builder taking one swept float, values to sweep)
SWEEPS = [
  ("constant_schedule", lambda x: sched.constant_schedule(x), [1e-3, 2e-3]),
  ("linear_schedule.end_value", lambda x: sched.linear_schedule(0.0, x, 50), [1e-3, 5e-3]),
  ("linear_schedule.transition_steps", lambda x: sched.linear_schedule(0.0, 1e-3, x), [20.0, 60.0]),
  ("polynomial_schedule.power", lambda x: sched.polynomial_schedule(1e-3, 1e-5, x, 80), [0.5, 2.0]),
  (
    "cosine_decay_schedule.decay_steps",
    lambda x: sched.cosine_decay_schedule(1e-3, x),
    [40.0, 90.0],
  ),
  ("cosine_decay_schedule.alpha", lambda x: sched.cosine_decay_schedule(1e-3, 90, x), [0.0, 0.3]),
  (
    "cosine_decay_schedule.exponent",
    lambda x: sched.cosine_decay_schedule(1e-3, 90, 0.1, x),
    [1.0, 2.0],
  ),
  (
    "warmup_cosine_decay_schedule.peak_value",
    lambda x: sched.warmup_cosine_decay_schedule(0.0, x, 10, 100, 1e-5),
    [1e-3, 3e-3],
  ),
  (
    "warmup_cosine_decay_schedule.warmup_steps",
    lambda x: sched.warmup_cosine_decay_schedule(0.0, 1e-3, x, 100),
    [5.0, 30.0],
  ),
  (
    "warmup_cosine_decay_schedule.end_value",
    lambda x: sched.warmup_cosine_decay_schedule(0.0, 1e-3, 10, 100, x),
    [0.0, 1e-4],
  ),
  (
    "warmup_constant_schedule.warmup_steps",
    lambda x: sched.warmup_constant_schedule(0.0, 1e-3, x),
    [10.0, 40.0],
  ),
  ("exponential_decay.decay_rate", lambda x: sched.exponential_decay(1e-3, 10, x), [0.5, 0.9]),
  (
    "exponential_decay.transition_steps",
    lambda x: sched.exponential_decay(1e-3, x, 0.5, staircase=True),
    [7.0, 20.0],
  ),
  (
    "exponential_decay.end_value",
    lambda x: sched.exponential_decay(1e-3, 10, 0.5, end_value=x),
    [1e-5, 1e-4],
  ),
  (
    "warmup_exponential_decay_schedule.peak_value",
    lambda x: sched.warmup_exponential_decay_schedule(0.0, x, 10, 10, 0.7),
    [1e-3, 2e-3],
  ),
  (
    "piecewise_constant_schedule.init_value",
    lambda x: sched.piecewise_constant_schedule(x, {30: 0.1}),
    [1e-3, 1e-2],
  ),
  (
    "piecewise_interpolate_schedule.init_value",
    lambda x: sched.piecewise_interpolate_schedule("linear", x, {30: 0.1}),
    [1e-3, 1e-2],
  ),
  (
    "linear_onecycle_schedule.transition_steps",
    lambda x: sched.linear_onecycle_schedule(x, 1e-3),
    [50.0, 100.0],
  ),
  (
    "linear_onecycle_schedule.pct_start",
    lambda x: sched.linear_onecycle_schedule(100, 1e-3, x),
    [0.2, 0.4],
  ),
  (
    "cosine_onecycle_schedule.peak_value",
    lambda x: sched.cosine_onecycle_schedule(100, x),
    [1e-3, 5e-3],
  ),
  (
    "cosine_onecycle_schedule.transition_steps",
    lambda x: sched.cosine_onecycle_schedule(x, 1e-3),
    [60.0, 120.0],
  ),
  (
    "sgdr_schedule.peak_value",
    lambda x: sched.sgdr_schedule(
      [dict(init_value=0.0, peak_value=x, warmup_steps=5, decay_steps=40)] * 3
    ),
    [1e-3, 2e-3],
  ),
  (
    "join_schedules.boundary",
    lambda x: sched.join_schedules(
      [sched.constant_schedule(1e-3), sched.constant_schedule(1e-4)], [x]
    ),
    [20.0, 60.0],
  ),
]
IDS = [s[0] for s in SWEEPS]


@pytest.mark.parametrize("name,build,values", SWEEPS, ids=IDS)
def test_vmap_over_construction_equals_one_at_a_time(name, build, values):
  swept = jax.vmap(lambda x: build(x)(STEPS))(jnp.asarray(values))
  one_by_one = jnp.stack([build(v)(STEPS) for v in values])
  np.testing.assert_allclose(swept, one_by_one, rtol=1e-6, atol=1e-12)


@pytest.mark.parametrize("name,build,values", SWEEPS, ids=IDS)
def test_jit_over_construction_equals_eager(name, build, values):
  jitted = jax.jit(lambda x: build(x)(STEPS))(values[0])
  np.testing.assert_allclose(jitted, build(values[0])(STEPS), rtol=1e-6, atol=1e-12)


REPLACEABLE = [
  s
  for s in SWEEPS
  if "." in s[0]
  and s[0].split(".")[0] != "join_schedules"
  and s[0].split(".")[0] != "sgdr_schedule"
]


@pytest.mark.parametrize("name,build,values", REPLACEABLE, ids=[s[0] for s in REPLACEABLE])
def test_vmap_over_replace_sweeps_a_built_schedule(name, build, values):
  field = name.split(".")[1]
  base = build(values[0])
  swept = jax.vmap(lambda x: base.replace(**{field: x})(STEPS))(jnp.asarray(values))
  one_by_one = jnp.stack([build(v)(STEPS) for v in values])
  np.testing.assert_allclose(swept, one_by_one, rtol=1e-6, atol=1e-12)


def test_design_card_peak_sweep_both_ways():
  peaks = jnp.array([1e-4, 3e-4, 1e-3])
  step = jnp.arange(0, 1000, 37)
  a = jax.vmap(lambda p: sched.warmup_cosine_decay_schedule(0.0, p, 100, 1000)(step))(peaks)
  s = sched.warmup_cosine_decay_schedule(0.0, 1e-4, 100, 1000)
  b = jax.vmap(lambda p: s.replace(peak_value=p)(step))(peaks)
  c = jnp.stack([sched.warmup_cosine_decay_schedule(0.0, float(p), 100, 1000)(step) for p in peaks])
  np.testing.assert_allclose(a, c, rtol=1e-6)
  np.testing.assert_allclose(b, c, rtol=1e-6)


GRADS = [
  ("warmup_cosine peak", lambda x: sched.warmup_cosine_decay_schedule(0.0, x, 10, 100), 1e-3, 50),
  (
    "warmup_cosine end",
    lambda x: sched.warmup_cosine_decay_schedule(0.0, 1e-3, 10, 100, x),
    1e-4,
    50,
  ),
  ("cosine alpha", lambda x: sched.cosine_decay_schedule(1e-3, 100, x), 0.2, 30),
  ("cosine exponent", lambda x: sched.cosine_decay_schedule(1e-3, 100, 0.1, x), 1.5, 30),
  ("cosine decay_steps", lambda x: sched.cosine_decay_schedule(1e-3, x), 100.0, 30),
  ("polynomial power", lambda x: sched.polynomial_schedule(1e-3, 1e-5, x, 100), 2.0, 30),
  ("exponential rate", lambda x: sched.exponential_decay(1e-3, 10, x), 0.8, 25),
  ("linear end", lambda x: sched.linear_schedule(0.0, x, 100), 1e-3, 30),
  ("piecewise scale", lambda x: sched.piecewise_constant_schedule(1e-3, {10: x}), 0.3, 30),
  ("onecycle peak", lambda x: sched.cosine_onecycle_schedule(100, x), 1e-3, 60),
]


@pytest.mark.parametrize("name,build,x,step", GRADS, ids=[g[0] for g in GRADS])
def test_grad_wrt_hyperparameter_matches_finite_difference(name, build, x, step):
  with jax.enable_x64(True):

    def f(h):
      return build(h)(step)

    g = jax.grad(f)(jnp.float64(x))
    eps = 1e-6 * max(abs(x), 1.0)
    fd = (f(jnp.float64(x + eps)) - f(jnp.float64(x - eps))) / (2 * eps)
    assert np.isfinite(g)
    np.testing.assert_allclose(g, fd, rtol=1e-4, atol=1e-12)


def test_grad_wrt_whole_schedule_gives_a_schedule_shaped_tree():
  s = sched.cosine_decay_schedule(1e-3, 100.0, 0.1)
  g = jax.grad(lambda s: s(50))(s)
  assert type(g) is type(s)
  assert float(g.init_value) == pytest.approx(float(s(50)) / 1e-3, rel=1e-5)
