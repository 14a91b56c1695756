"""Test-wide setup: simulated CPU devices, golden files, shared helpers."""

import os

# Must be set before jax initialises its backends: pmap/sharding tests run on
# 8 simulated CPU devices (harmless where real accelerators are present).
os.environ.setdefault("XLA_FLAGS", "--xla_force_host_platform_device_count=8")

import json  # noqa: E402
import pathlib  # noqa: E402

import pytest  # noqa: E402

GOLDEN = pathlib.Path(__file__).parent / "golden"


def load_golden(name: str) -> dict:
  """The JSON written by ``scripts/golden_<name>.py``."""
  path = GOLDEN / f"{name}.json"
  if not path.exists():
    pytest.fail(f"{path} is missing: run scripts/golden_{name}.py")
  return json.loads(path.read_text())


def golden_cases(name: str) -> list:
  """``(id, case)`` pairs for ``pytest.mark.parametrize``."""
  cases = load_golden(name)["cases"]
  counts: dict = {}
  out = []
  for case in cases:
    k = counts[case["name"]] = counts.get(case["name"], -1) + 1
    out.append(pytest.param(case, id=f"{case['name']}-{k}"))
  return out


def assert_grad_matches_finite_difference(f, x, rtol=1e-4):
  """``jax.grad(f)(x)`` is finite and agrees with a central difference (x64)."""
  import jax
  import jax.numpy as jnp
  import numpy as np

  with jax.enable_x64(True):
    g = jax.grad(f)(jnp.float64(x))
    eps = 1e-6 * max(abs(x), 1.0)
    fd = (f(jnp.float64(x + eps)) - f(jnp.float64(x - eps))) / (2 * eps)
    assert np.isfinite(g)
    np.testing.assert_allclose(g, fd, rtol=rtol, atol=1e-12)


def build_case(case):
  """The registered schedule a golden case names, built from its arguments."""
  from optax_sched import registry

  return registry()[case["name"]](**case["args"])


def assert_close(actual, expected, rtol=1e-6, err_msg=""):
  """Equal to ``rtol``, relative to each value or to the curve's own scale.

  Near the end of a decay a float32 value is tiny and its relative error
  large; an absolute tolerance of ``rtol * max|expected|`` covers that.
  """
  import numpy as np

  actual = np.asarray(actual, np.float64)
  expected = np.asarray(expected, np.float64)
  atol = rtol * float(np.max(np.abs(expected))) if expected.size else 0.0
  np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol, err_msg=err_msg)


def evaluate(schedule, steps):
  """``schedule(steps)`` jitted with the schedule as an argument.

  One compile per structure, hyperparameters traced: many golden cases share
  a program, and eager evaluation (op by op) is ~10x slower.
  """
  import jax

  global _evaluate
  if _evaluate is None:
    _evaluate = jax.jit(lambda s, t: s(t))
  return _evaluate(schedule, steps)


_evaluate = None


def first_case_per_name(name: str) -> list:
  """One golden case of each schedule name, for the slower checks."""
  seen, out = set(), []
  for param in golden_cases(name):
    case = param.values[0]
    if case["name"] not in seen:
      seen.add(case["name"])
      out.append(param)
  return out


def grads_of_every_leaf(schedule, steps):
  """Gradients of ``schedule(t)`` with respect to each numeric hyperparameter
  (as float32), one row of steps per leaf."""
  import jax
  import jax.numpy as jnp

  leaves, tree = jax.tree_util.tree_flatten(schedule)
  floats = [jnp.asarray(x, jnp.float32) for x in leaves]

  def value(ls, t):
    return jax.tree_util.tree_unflatten(tree, ls)(t)

  return jax.jit(jax.vmap(jax.grad(value), (None, 0)))(floats, jnp.asarray(steps))


def padded(steps, size=512):
  """Steps padded to a multiple of ``size`` with the last step, so that
  eager evaluation of many golden cases reuses the same compiled kernels."""
  import numpy as np

  steps = np.asarray(steps)
  return np.concatenate([steps, np.full(size - len(steps) % size, steps[-1])])
