"""How checks behave: the message format, traced values, checkify, degenerate cases.

The table of bad arguments is ``tests/test_bad_input.py``.
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import optax_sched as sched


def test_message_shows_value_and_what_is_allowed():
  with pytest.raises(ValueError, match=r"decay_steps=0 is not allowed: it must be > 0"):
    sched.cosine_decay_schedule(1e-3, 0)


def test_traced_invalid_values_are_not_checked_and_propagate():
  # Documented behaviour: under jit the value is unknown, so no error; the
  # formula's own result (here a division by zero) comes out.
  out = jax.jit(lambda d: sched.cosine_decay_schedule(1e-3, d)(5))(0.0)
  assert not np.isfinite(out) or float(out) >= 0.0


# Where optax quietly turns a degenerate argument into a constant, we decided
# differently (docs/optax_differences.md).
def test_zero_length_linear_transition_jumps_to_end_value():
  s = sched.linear_schedule(0.0, 1e-3, transition_steps=0)
  assert float(s(0)) == pytest.approx(1e-3)
  s = sched.linear_schedule(0.0, 1e-3, transition_steps=0, transition_begin=10)
  assert float(s(9)) == 0.0 and float(s(10)) == pytest.approx(1e-3)


def test_warmup_constant_without_warmup_is_the_peak():
  s = sched.warmup_constant_schedule(0.0, 1e-3, warmup_steps=0)
  np.testing.assert_allclose(s(jnp.arange(5)), 1e-3)


def test_polynomial_fractional_power_is_finite_under_jit():
  s = sched.polynomial_schedule(7.8e-4, 5.3e-5, 0.5, 10, 3)
  out = jax.jit(s)(jnp.arange(30))
  assert np.all(np.isfinite(out))
  np.testing.assert_allclose(out[13:], 5.3e-5, rtol=1e-6)


def test_traced_checks_report_invalid_traced_values_through_checkify():
  from jax.experimental import checkify

  def lr(decay_steps):
    with sched.traced_checks():
      return sched.cosine_decay_schedule(1e-3, decay_steps)(5)

  err, _ = checkify.checkify(jax.jit(lr))(0.0)
  assert "decay_steps=0.0 is not allowed" in err.get()
  err, out = checkify.checkify(jax.jit(lr))(10.0)
  assert err.get() is None and float(out) > 0


def test_validate_checks_a_schedule_passed_into_jit_and_its_children():
  from jax.experimental import checkify

  good = sched.join_schedules(
    [sched.linear_schedule(0.0, 1e-3, 10), sched.cosine_decay_schedule(1e-3, 100)], [10]
  )
  bad = jax.tree.map(lambda x: 0 * x, good)  # every leaf 0: decay_steps=0 inside

  def f(s):
    sched.validate(s)
    return s(5)

  err, _ = checkify.checkify(jax.jit(f))(good)
  assert err.get() is None
  err, _ = checkify.checkify(jax.jit(f))(bad)
  assert "cosine_decay_schedule: decay_steps=0 is not allowed" in err.get()


def test_validate_raises_at_once_for_concrete_values():
  bad = jax.tree.map(lambda x: 0 * x, sched.cosine_decay_schedule(1e-3, 100))
  with pytest.raises(ValueError, match="decay_steps"):
    sched.validate(bad)


def test_python_int_beyond_64_bits_is_refused():
  with pytest.raises(ValueError, match="decay_steps=.* too large"):
    sched.cosine_decay_schedule(1e-3, 10**30)
