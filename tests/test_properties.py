"""Property tests: every schedule with random valid hyperparameters.

For each spec in ``property_specs.SPECS``: values are finite, inside the
declared range, monotone and continuous where the family is, agree across
eager/jit/vmap/array calls, and equal an independent float64 NumPy reference.
"""

import os

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from property_specs import SPECS

EXAMPLES = int(os.environ.get("OPTAX_SCHED_EXAMPLES", "20"))
SETTINGS = settings(
  max_examples=EXAMPLES,
  deadline=None,
  derandomize=True,
  suppress_health_check=[HealthCheck.too_slow],
)
NAMES = sorted(SPECS)
# The schedule is an argument, so one compiled program serves every draw of a
# family's hyperparameters (its leaves are traced).
EVAL = jax.jit(lambda s, t: s(t))


def _steps(case):
  """A fixed number of steps (one compile): the start densely, then to 2x the run."""
  n = case.length
  return np.sort(np.concatenate([np.arange(1024), np.linspace(0, 2 * n, 1024).astype(np.int64)]))


def _tol(case):
  return 2e-6 * max(abs(case.hi), abs(case.lo), 1e-30)


@pytest.mark.parametrize("name", NAMES)
@SETTINGS
@given(data=st.data())
def test_equals_float64_reference(name, data):
  case = data.draw(SPECS[name]())
  t = _steps(case)
  ours = np.asarray(EVAL(case.schedule, t), np.float64)
  ref = case.reference(t.astype(np.float64))
  np.testing.assert_allclose(ours, ref, rtol=2e-5, atol=_tol(case) * 10)


@pytest.mark.parametrize("name", NAMES)
@SETTINGS
@given(data=st.data())
def test_finite_and_within_declared_range(name, data):
  case = data.draw(SPECS[name]())
  t = np.concatenate([_steps(case), [2**31 - 1, 2**30, 10**9]])
  v = np.asarray(EVAL(case.schedule, t.astype(np.int64).clip(max=2**31 - 1).astype(np.int32)))
  assert np.all(np.isfinite(v))
  assert np.all(v >= case.lo - _tol(case)) and np.all(v <= case.hi + _tol(case))


@pytest.mark.parametrize("name", NAMES)
@SETTINGS
@given(data=st.data())
def test_monotone_where_the_family_is(name, data):
  case = data.draw(SPECS[name]())
  if case.monotone is None:
    return
  v = np.asarray(EVAL(case.schedule, _steps(case)), np.float64)
  d = np.diff(v)  # _steps is sorted
  if case.monotone == "down":
    assert np.all(d <= _tol(case))
  else:
    assert np.all(d >= -_tol(case))


@pytest.mark.parametrize("name", NAMES)
@SETTINGS
@given(data=st.data())
def test_continuous_where_it_should_be(name, data):
  case = data.draw(SPECS[name]())
  if not case.continuous:
    return
  t = np.arange(4096)
  v = np.asarray(EVAL(case.schedule, t), np.float64)
  bound = case.max_jump if case.max_jump is not None else (case.hi - case.lo) * 4 / case.length
  assert np.max(np.abs(np.diff(v)), initial=0.0) <= bound + _tol(case)


@pytest.mark.parametrize("name", NAMES)
@settings(
  max_examples=8, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(data=st.data())
def test_jit_eager_vmap_and_array_calls_agree(name, data):
  case = data.draw(SPECS[name]())
  s = case.schedule
  t = jnp.asarray(np.linspace(0, case.length * 1.5, 17).astype(np.int32))
  array = np.asarray(s(t))
  eager = np.array([float(s(int(k))) for k in t])
  jitted = np.asarray(jax.jit(lambda s, t: s(t))(s, t))
  vmapped = np.asarray(jax.vmap(s)(t))
  tol = _tol(case)
  np.testing.assert_allclose(eager, array, rtol=1e-6, atol=tol)
  np.testing.assert_allclose(jitted, array, rtol=1e-6, atol=tol)
  np.testing.assert_allclose(vmapped, array, rtol=1e-6, atol=tol)
