"""The whole step range: int32 extremes, optax's saturating count, long runs."""

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from examples import OPTAX_EXAMPLES

import optax_sched as sched

INT32_MAX = 2**31 - 1
NAMES = sorted(OPTAX_EXAMPLES)


@pytest.mark.parametrize("name", NAMES)
def test_int32_extremes_are_finite_and_equal_the_tail_value(name):
  s = OPTAX_EXAMPLES[name]()
  t = jnp.array([10**6, 2**24 + 1, 2**30, INT32_MAX - 1, INT32_MAX], dtype=jnp.int32)
  out = np.asarray(s(t))
  assert np.all(np.isfinite(out))
  # Every example has settled long before 1M steps.
  np.testing.assert_allclose(out, np.full(5, out[0]), rtol=1e-6)


def test_saturated_optax_count_keeps_a_finite_learning_rate():
  s = sched.warmup_cosine_decay_schedule(0.0, 1e-3, 10, 100, 1e-5)
  opt = optax.scale_by_schedule(s)
  state = opt.init({"w": jnp.zeros(2)})
  state = state._replace(count=jnp.asarray(INT32_MAX, jnp.int32))
  updates, state = jax.jit(opt.update)({"w": jnp.ones(2)}, state)
  assert int(state.count) == INT32_MAX  # optax saturates instead of wrapping
  np.testing.assert_allclose(updates["w"], 1e-5, rtol=1e-6)


def test_float_steps_follow_the_same_curve_as_int_steps():
  s = sched.cosine_decay_schedule(1.0, 1000)
  ints = s(jnp.arange(0, 1001, 50))
  floats = s(jnp.arange(0, 1001, 50).astype(jnp.float32))
  np.testing.assert_allclose(floats, ints, rtol=1e-6)


def test_staircase_is_exact_at_a_boundary_float32_cannot_tell_apart():
  # 15 * 2**27 - 1 rounds to 15 * 2**27 in float32; integer steps must not.
  s = sched.exponential_decay(1.0, 2**27, 0.5, staircase=True)
  b = 15 * 2**27
  before, at = np.asarray(s(jnp.array([b - 1, b], dtype=jnp.int32)), np.float64)
  assert before == 2.0**-14 and at == 2.0**-15


def test_float32_precision_of_a_ten_million_step_cosine():
  # Measured and documented in docs/guarantees.md: the float32 curve
  # stays within 1e-6 of the peak from a float64 evaluation of the formula.
  n = 10_000_000
  t = np.unique(np.linspace(0, n, 200_001).astype(np.int64))
  ours = np.asarray(sched.cosine_decay_schedule(1.0, n)(t.astype(np.int32)), np.float64)
  ref = 0.5 * (1 + np.cos(np.pi * t / n))
  assert np.max(np.abs(ours - ref)) < 1e-6


_NEAR_MAX = np.array([INT32_MAX, INT32_MAX - 1, INT32_MAX - 333, 2**31 - 1000], np.int64)
_SAW = lambda: sched.repeat(sched.linear_schedule(0.0, 1.0, 1000), 1000)  # noqa: E731


# Schedules whose value depends on the step modulo a period: at 2**31 a
# float32 step is off by up to 128, so only integer arithmetic (no overflow,
# no float rounding) lands on the exact position.
@pytest.mark.parametrize(
  "build, exact",
  [
    (_SAW, lambda t: (t % 1000) / 1000),
    (lambda: sched.shift(_SAW(), 5), lambda t: ((t - 5) % 1000) / 1000),
    (
      lambda: sched.per_epoch(sched.repeat(sched.linear_schedule(0.0, 1.0, 100), 100), 7),
      lambda t: (t // 7 % 100) / 100,
    ),
    (lambda: sched.cyclic_schedule(0.0, 1.0, 500), lambda t: 1 - np.abs(t % 1000 / 500 - 1)),
    (
      lambda: sched.cosine_restarts_schedule(1.0, 1000),
      lambda t: 0.5 * (1 + np.cos(np.pi * (t % 1000) / 1000)),
    ),
  ],
  ids=["repeat", "shift", "per_epoch", "cyclic", "cosine_restarts"],
)
def test_periodic_position_is_exact_next_to_the_int32_maximum(build, exact):
  out = np.asarray(build()(_NEAR_MAX.astype(np.int32)), np.float64)
  np.testing.assert_allclose(out, exact(_NEAR_MAX), atol=1e-6)
