"""The restarting families (cosine, polynomial, sgdr) against independent Python loops."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from conftest import assert_close

from optax_sched.families.cosine import sgdr_schedule
from optax_sched.families.restarts import cosine_restarts_schedule, polynomial_restarts_schedule


def stepping_loop(n, period, mult, floor, limit, value):
  """Steps through cycles one update at a time, the way a stateful scheduler does:
  ``value(i, pos, length)`` in cycle ``i``, ``floor`` once ``limit`` cycles have run."""
  out, i, pos, length = [], 0, 0, period
  for _ in range(n):
    out.append(floor if (limit is not None and i >= limit) else value(i, pos, length))
    pos += 1
    if pos >= length:
      pos, i, length = pos - length, i + 1, length * mult
  return out


def reference(n, init, period, mult, decay, floor, limit, k, mode):
  def value(i, pos, length):
    c = 0.5 * (1 + math.cos(math.pi * (pos / length) ** k))
    g = decay**i
    return floor + (init * g - floor) * c if mode == "peak" else floor + g * (init - floor) * c

  return stepping_loop(n, period, mult, floor, limit, value)


CASES = [
  (1e-3, 10, 1, 1.0, 0.0, None, 1.0, "peak"),
  (1e-3, 10, 2, 1.0, 1e-5, None, 1.0, "peak"),
  (1e-3, 7, 3, 0.5, 1e-6, None, 1.0, "peak"),
  (1e-3, 25, 1, 0.8, 1e-5, 3, 1.0, "peak"),
  (1e-3, 25, 2, 0.7, 1e-4, None, 1.0, "amplitude"),
  (1e-3, 40, 1, 1.0, 0.0, None, 2.0, "peak"),
  (1e-3, 13, 1.5, 0.9, 0.0, 4, 0.5, "peak"),
]


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


def polynomial_reference(n, init, period, power, mult, decay, floor, limit, k):
  """The polynomial restarts: ``E + (I d^i - E)(1 - (p/L_i)^k)^P`` in cycle ``i``."""

  def value(i, pos, length):
    return floor + (init * decay**i - floor) * (1 - (pos / length) ** k) ** power

  return stepping_loop(n, period, mult, floor, limit, value)


# (init, period, power, mult, decay, floor, limit, k): warped (k_decay != 1) and plain.
POLYNOMIAL_CASES = [
  (1.0, 10, 2.0, 2, 0.5, 0.01, 3, 1.5),
  (1e-3, 7, 0.5, 1, 0.8, 0.0, None, 0.7),
  (1.0, 16, 1.0, 1.5, 1.0, 0.1, None, 1.0),
]


@pytest.mark.parametrize(
  "family,ref,case",
  [(cosine_restarts_schedule, reference, c) for c in CASES]
  + [(polynomial_restarts_schedule, polynomial_reference, c) for c in POLYNOMIAL_CASES],
)
def test_matches_stepping_loop(family, ref, case):
  """Arguments in the constructor's order, the same for the schedule and its loop."""
  assert_close(family(*case)(jnp.arange(2000)), ref(2000, *case), rtol=2e-6)


def test_declared_jumps_stop_at_the_cycle_limit():
  """The value after the last allowed cycle is the floor, reached smoothly: no restart there."""
  s = cosine_restarts_schedule(1.0, 10, period_mult=2, cycle_limit=3)
  assert s.declared_jumps(200) == [10, 30]


def warmup_cosine(t, init, peak, warmup, steps, end=0.0):
  """optax's warmup_cosine_decay_schedule at one integer step, in Python floats."""
  if t < warmup:
    return init + (peak - init) * t / warmup
  frac = min(t - warmup, steps - warmup) / (steps - warmup)
  return end + (peak - end) * 0.5 * (1 + math.cos(math.pi * frac))


SGDR = [
  dict(init_value=0.0, peak_value=1.0, warmup_steps=3, decay_steps=10),
  dict(init_value=0.1, peak_value=0.5, warmup_steps=2, decay_steps=15, end_value=0.05),
]


def sgdr_reference(n):
  out, start = [], 0
  for kw in SGDR:
    d = int(kw["decay_steps"])
    for t in range(d):
      args = (kw["init_value"], kw["peak_value"], kw["warmup_steps"], d)
      out.append(warmup_cosine(t, *args, kw.get("end_value", 0.0)))
    start += d
  last = SGDR[-1]
  out += [last.get("end_value", 0.0)] * (n - start)
  return out[:n]


def test_sgdr_traced_cycle_lengths():
  """Traced ``decay_steps``: the cycle ends are summed in JAX, same values as Python sums."""

  def run(d0, d1):
    kws = [dict(SGDR[0], decay_steps=d0), dict(SGDR[1], decay_steps=d1)]
    return sgdr_schedule(kws)(jnp.arange(30))

  ref = sgdr_reference(30)
  assert_close(jax.jit(run)(10, 15), ref, rtol=2e-6)
  assert_close(run(10, 15), ref, rtol=2e-6)


def test_sgdr_keeps_its_own_copy_of_the_cycles():
  """Changing the caller's list or dicts afterwards does not change the schedule."""
  kws = [dict(k) for k in SGDR]
  s = sgdr_schedule(kws)
  kws[0]["peak_value"] = 7.0
  kws.append(dict(SGDR[0]))
  assert isinstance(s.cosine_kwargs, tuple) and len(s.cosine_kwargs) == 2
  assert_close(s(jnp.arange(30)), sgdr_reference(30), rtol=2e-6)


def test_sgdr_declares_each_restart():
  """Cycle ``k`` starts at ``s_k``, the sum of the ``decay_steps`` before it, at its own
  ``init_value``; the first cycle's start is not a restart."""
  kws = [*SGDR, dict(SGDR[0], init_value=0.2)]  # lengths 10, 15, 10
  s = sgdr_schedule(kws)
  assert [float(j) for j in s.declared_jumps(60)] == [10.0, 25.0]
  values = np.asarray(s(jnp.arange(60)))
  assert values[10] == pytest.approx(0.1) and values[25] == pytest.approx(0.2)


@pytest.mark.parametrize("period", [1.1, 2.4])
def test_polynomial_restarts_with_a_traced_period_stay_within_init_value(period):
  """The shape is a factor in [0, 1]: where the float32 position in a traced period comes
  out just below 0 (large steps), the value is still ``init_value`` at most."""
  steps = jnp.arange(0, 2_000_000, 7)
  values = jax.jit(
    lambda p: polynomial_restarts_schedule(1.0, p, power=0.5, cycle_limit=None)(steps)
  )(period)
  assert float(jnp.max(values)) <= 1.0
