"""cosine_restarts_schedule against an independent float64 stepping loop."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from conftest import assert_close

from optax_sched.families.restarts import cosine_restarts_schedule


def reference(n, init, period, mult, decay, floor, limit, k, mode):
  """Steps through cycles one update at a time, the way a stateful scheduler does."""
  out, i, pos, length = [], 0, 0, period
  for _ in range(n):
    c = 0.5 * (1 + math.cos(math.pi * (pos / length) ** k))
    g = decay**i
    v = floor + (init * g - floor) * c if mode == "peak" else floor + g * (init - floor) * c
    out.append(floor if (limit is not None and i >= limit) else v)
    pos += 1
    if pos >= length:
      pos, i, length = pos - length, i + 1, length * mult
  return out


CASES = [
  (1e-3, 10, 1, 1.0, 0.0, None, 1.0, "peak"),
  (1e-3, 10, 2, 1.0, 1e-5, None, 1.0, "peak"),
  (1e-3, 7, 3, 0.5, 1e-6, None, 1.0, "peak"),
  (1e-3, 25, 1, 0.8, 1e-5, 3, 1.0, "peak"),
  (1e-3, 25, 2, 0.7, 1e-4, None, 1.0, "amplitude"),
  (1e-3, 40, 1, 1.0, 0.0, None, 2.0, "peak"),
  (1e-3, 13, 1.5, 0.9, 0.0, 4, 0.5, "peak"),
]


@pytest.mark.parametrize("case", CASES)
def test_matches_stepping_loop(case):
  init, period, mult, decay, floor, limit, k, mode = case
  s = cosine_restarts_schedule(init, period, mult, decay, floor, limit, k, mode)
  ref = reference(2000, init, period, mult, decay, floor, limit, k, mode)
  assert_close(s(jnp.arange(2000)), ref, rtol=2e-6)


def test_declared_jumps_are_cycle_starts():
  s = cosine_restarts_schedule(1.0, 10, period_mult=2)
  assert s.declared_jumps(200) == [10, 30, 70, 150]
  values = np.asarray(s(jnp.arange(200)))
  for r in s.declared_jumps(200):
    assert values[r] == pytest.approx(1.0) and values[r - 1] < 0.1


def test_exact_cycle_position_near_int32_max():
  s = cosine_restarts_schedule(1.0, 1000)
  t = 2**31 - 1
  expected = 0.5 * (1 + math.cos(math.pi * (t % 1000) / 1000))
  assert float(s(jnp.int32(t))) == pytest.approx(expected, rel=1e-6)


def test_traced_period_mult_and_decay():
  out = jax.vmap(lambda m: cosine_restarts_schedule(1.0, 10, m, 0.5)(jnp.arange(100)))(
    jnp.array([1.0, 2.0])
  )
  assert_close(out[0], cosine_restarts_schedule(1.0, 10, 1.0, 0.5)(jnp.arange(100)))
  assert_close(out[1], cosine_restarts_schedule(1.0, 10, 2.0, 0.5)(jnp.arange(100)))


@pytest.mark.parametrize(
  "kwargs,arg",
  [
    (dict(first_period=0), "first_period"),
    (dict(first_period=10, period_mult=0.5), "period_mult"),
    (dict(first_period=10, decay=-1.0), "decay"),
    (dict(first_period=10, cycle_limit=0), "cycle_limit"),
    (dict(first_period=10, cycle_limit=1.5), "cycle_limit"),
    (dict(first_period=10, k_decay=0.0), "k_decay"),
    (dict(first_period=10, decay_mode="both"), "decay_mode"),
  ],
)
def test_bad_arguments(kwargs, arg):
  with pytest.raises(ValueError, match=arg):
    cosine_restarts_schedule(1e-3, **kwargs)


@pytest.mark.parametrize("traced", ["first_period", "period_mult"])
def test_declared_jumps_of_traced_periods_are_none(traced):
  """Cycle starts are only declared when both period and multiplier are known."""
  seen = []

  def build(x):
    period, mult = (x, 2.0) if traced == "first_period" else (10, x)
    s = cosine_restarts_schedule(1.0, first_period=period, period_mult=mult)
    seen.append(s.declared_jumps(100))
    return s(3)

  jax.jit(build)(10.0 if traced == "first_period" else 2.0)
  assert seen == [[]]
