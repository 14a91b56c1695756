"""The Schedule contract: pytree, immutable, repr, replace, step handling."""

import dataclasses
import warnings

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from examples import OPTAX_EXAMPLES

import optax_sched as sched

NAMES = sorted(OPTAX_EXAMPLES)


@pytest.fixture(params=NAMES)
def schedule(request):
  return OPTAX_EXAMPLES[request.param]()


def test_is_an_optax_schedule_usable_as_learning_rate(schedule):
  import optax

  opt = optax.sgd(learning_rate=schedule)
  params = {"w": jnp.ones(3)}
  state = opt.init(params)
  updates, _ = opt.update({"w": jnp.ones(3)}, state, params)
  np.testing.assert_allclose(updates["w"], -schedule(0) * jnp.ones(3), rtol=1e-6)


def test_is_immutable(schedule):
  field = dataclasses.fields(schedule)[0].name
  with pytest.raises(dataclasses.FrozenInstanceError):
    setattr(schedule, field, 1.0)


def test_pytree_round_trip_keeps_values(schedule):
  leaves, treedef = jax.tree.flatten(schedule)
  rebuilt = jax.tree.unflatten(treedef, leaves)
  assert rebuilt == schedule
  np.testing.assert_array_equal(rebuilt(jnp.arange(120)), schedule(jnp.arange(120)))


def test_numeric_hyperparameters_are_leaves(schedule):
  leaves = jax.tree.leaves(schedule)
  assert leaves, "a schedule with hyperparameters has leaves"
  assert all(not isinstance(x, str) for x in leaves)


def test_repr_reads_like_the_call_that_built_it(schedule):
  text = repr(schedule)
  assert text.startswith(schedule.name + "(")
  rebuilt = eval(text, {**vars(sched)})  # repr is Python syntax for our names
  assert rebuilt == schedule


def test_readme_repr_example():
  s = sched.warmup_cosine_decay_schedule(0.0, 1e-3, 1000, 50000, 1e-5)
  assert repr(s) == (
    "warmup_cosine_decay_schedule(init_value=0.0, peak_value=0.001,"
    " warmup_steps=1000, decay_steps=50000, end_value=1e-05)"
  )


def test_replace_changes_one_argument_and_validates():
  s = sched.cosine_decay_schedule(1e-3, 100)
  t = s.replace(init_value=2e-3)
  assert float(t(0)) == pytest.approx(2e-3) and float(s(0)) == pytest.approx(1e-3)
  with pytest.raises(ValueError, match="decay_steps"):
    s.replace(decay_steps=0)
  with pytest.raises(ValueError, match="no_such"):
    s.replace(no_such=1)


def test_equal_schedules_hash_equal():
  a = sched.cosine_decay_schedule(1e-3, 100)
  b = sched.cosine_decay_schedule(1e-3, 100)
  assert a == b and hash(a) == hash(b)
  assert a != sched.cosine_decay_schedule(1e-3, 101)


@pytest.mark.parametrize("shape", [(), (5,), (2, 3), (4, 1, 2)])
@pytest.mark.parametrize(
  "dtype",
  [
    np.int8,
    np.int16,
    np.int32,
    np.uint8,
    np.uint32,
    np.float16,
    np.float32,
    np.float64,
    jnp.bfloat16,
  ],
)
def test_any_shape_and_dtype_gives_float32_of_that_shape(schedule, shape, dtype):
  steps = (np.arange(int(np.prod(shape))).reshape(shape) * 7).astype(dtype)
  out = schedule(steps)
  assert out.shape == shape
  assert out.dtype == jnp.float32


def test_python_int_and_float_steps(schedule):
  assert schedule(3).shape == () and schedule(3.0).dtype == jnp.float32
  assert float(schedule(3)) == pytest.approx(float(schedule(3.0)), rel=1e-6)


def test_negative_steps_equal_step_zero(schedule):
  np.testing.assert_array_equal(schedule(jnp.array([-5, -1, 0])), jnp.full(3, schedule(0)))
  assert float(schedule(-3.5)) == float(schedule(0))


def test_float_steps_between_integers(schedule):
  # A float step is a point on the same curve: between its neighbours' values.
  lo, mid, hi = (float(schedule(x)) for x in (40, 40.5, 41))
  assert min(lo, hi) - 1e-9 <= mid <= max(lo, hi) + 1e-9


@pytest.mark.parametrize("bad", ["10", None, [1, "a"], [[2], [b"x"]], True, jnp.array([1j])])
def test_bad_step_is_a_value_error_naming_step(bad):
  # Also no warning from deep inside jax on the way (text in a list).
  with warnings.catch_warnings():
    warnings.simplefilter("error")
    with pytest.raises(ValueError, match="step"):
      sched.cosine_decay_schedule(1e-3, 100)(bad)


def test_float64_under_x64(schedule):
  with jax.enable_x64(True):
    s = jax.tree.map(lambda x: x, schedule)
    out = s(np.arange(10))
    assert out.dtype == jnp.float64


def test_function_schedule_wraps_a_callable():
  s = sched.function_schedule(lambda t: 1e-3 / (1.0 + t))
  assert float(s(1)) == pytest.approx(5e-4)
  assert s(jnp.arange(6).reshape(2, 3)).shape == (2, 3)
  with pytest.raises(ValueError, match="fn"):
    sched.function_schedule(3.0)


def test_registry_holds_every_public_name():
  names = set(sched.registry())
  assert set(sched.OPTAX_NAMES) <= names
