"""Every registered public name, over the whole step range (hypothesis).

One example per name (``tests/examples.py``), random steps: int32 from its
minimum to ``2**31 - 1``, floats, negatives. Checked: finite; a negative step
is step 0; integral float steps equal int steps; eager, jit, vmap and array
calls agree; float64 under ``jax.enable_x64``. A new name without an example
fails ``test_every_registered_name_has_an_example``.

``OPTAX_SCHED_EXAMPLES`` (default 6) sets the hypothesis examples per name.
"""

import os

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from every_example import every_example
from examples import FUNCTION_HOLDING
from hypothesis import HealthCheck, given, settings, strategies as st

import optax_sched as sched

BUILDERS = {**every_example(), **FUNCTION_HOLDING}
NAMES = sorted(BUILDERS)
EXAMPLES = int(os.environ.get("OPTAX_SCHED_EXAMPLES", "6"))
SETTINGS = settings(
  max_examples=EXAMPLES,
  deadline=None,
  derandomize=True,
  suppress_health_check=[HealthCheck.too_slow],
)
INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1
N = 16  # steps per draw: a fixed shape, so one compiled program per name
# The schedule is an argument: one compile serves every draw.
EVAL = jax.jit(lambda s, t: s(t))
EVAL_VMAP = jax.jit(lambda s, t: jax.vmap(s)(t))
EVAL64 = jax.jit(lambda s, t: s(t))  # its own cache for the x64 programs

int_steps = st.lists(
  st.one_of(
    st.integers(0, 5000),
    st.integers(INT32_MIN, INT32_MAX),
    st.sampled_from([0, 1, INT32_MAX, INT32_MAX - 1, 2**24 + 1]),
  ),
  min_size=N,
  max_size=N,
).map(lambda x: np.asarray(x, np.int32))
float_steps = st.lists(st.floats(-1e9, 4e9, width=32), min_size=N, max_size=N).map(
  lambda x: np.asarray(x, np.float32)
)
# Whole numbers float32 holds exactly: the same steps as ints.
whole_steps = st.lists(st.integers(0, 2**24), min_size=N, max_size=N).map(
  lambda x: np.asarray(x, np.int32)
)


def _close(a, b, rtol=1e-6, scale=None):
  """Equal up to ``rtol`` of each value or of ``scale`` (default: the largest)."""
  a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
  scale = np.max(np.abs(b)) if scale is None else scale
  np.testing.assert_allclose(a, b, rtol=rtol, atol=rtol * max(scale, 1e-30))


def test_every_registered_name_has_an_example():
  missing = set(sched.registry()) - set(BUILDERS) - {"function_schedule"}
  assert not missing, f"add an example to tests/examples.py for {sorted(missing)}"


@pytest.mark.parametrize("kind", ["int32", "float32"])
@pytest.mark.parametrize("name", NAMES)
@SETTINGS
@given(data=st.data())
def test_steps_are_finite_and_negatives_are_step_zero(name, kind, data):
  t = data.draw(int_steps if kind == "int32" else float_steps)
  s = BUILDERS[name]()
  v = np.asarray(EVAL(s, t))
  assert v.shape == (N,) and np.all(np.isfinite(v))
  zero = np.asarray(EVAL(s, np.zeros(N, t.dtype)))[0]
  np.testing.assert_array_equal(v[t < 0], np.full((t < 0).sum(), zero))


@pytest.mark.parametrize("name", NAMES)
@SETTINGS
@given(t=whole_steps)
def test_whole_float_steps_equal_int_steps(name, t):
  s = BUILDERS[name]()
  _close(EVAL(s, t.astype(np.float32)), EVAL(s, t), rtol=1e-5)


@pytest.mark.parametrize("name", NAMES)
@settings(SETTINGS, max_examples=max(2, EXAMPLES // 3))
@given(t=int_steps)
def test_eager_jit_vmap_and_array_calls_agree(name, t):
  s = BUILDERS[name]()
  array = np.asarray(s(t))  # eager, op by op
  _close(EVAL(s, t), array)
  _close(EVAL_VMAP(s, t), array)
  for k in t[:3]:  # eager scalar calls: a Python int each
    _close(s(int(k)), array[list(t).index(k)], scale=np.max(np.abs(array)))


@pytest.mark.parametrize("name", NAMES)
@settings(SETTINGS, max_examples=max(2, EXAMPLES // 3))
@given(t=st.lists(st.integers(-1000, 20_000), min_size=N, max_size=N))
def test_float64_under_x64(name, t):
  # Up to 20k steps, where float32 still resolves a step (far out, float32
  # formulas such as many cosine waves drift; those are documented limits).
  t = np.asarray(t, np.int32)
  low = np.asarray(EVAL(BUILDERS[name](), t), np.float64)
  with jax.enable_x64(True):
    s = BUILDERS[name]()
    v = EVAL64(s, jnp.asarray(np.concatenate([t, [INT32_MAX, 2**40]]), jnp.int64))
    assert v.dtype == jnp.float64
    v = np.asarray(v)
  assert np.all(np.isfinite(v))
  # float32 and float64 evaluations of one formula: a few float32 ulps apart.
  _close(low, v[:N], rtol=1e-5)
