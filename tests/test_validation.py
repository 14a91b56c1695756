"""Concrete bad arguments raise ValueError naming the argument and the value."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import optax_sched as sched

nan = float("nan")
inf = float("inf")

# (schedule name, kwargs, argument the message must name)
BAD = [
    ("constant_schedule", dict(value=nan), "value"),
    ("constant_schedule", dict(value="1e-3"), "value"),
    ("linear_schedule", dict(init_value=0.0, end_value=1e-3, transition_steps=-1), "transition_steps"),
    ("linear_schedule", dict(init_value=0.0, end_value=1e-3, transition_steps=10,
                             transition_begin=-5), "transition_begin"),
    ("linear_schedule", dict(init_value=inf, end_value=1e-3, transition_steps=10), "init_value"),
    ("polynomial_schedule", dict(init_value=1.0, end_value=0.0, power=nan,
                                 transition_steps=10), "power"),
    ("polynomial_schedule", dict(init_value=1.0, end_value=0.0, power=1.0,
                                 transition_steps=-10), "transition_steps"),
    ("cosine_decay_schedule", dict(init_value=1e-3, decay_steps=0), "decay_steps"),
    ("cosine_decay_schedule", dict(init_value=1e-3, decay_steps=100, alpha=nan), "alpha"),
    ("warmup_cosine_decay_schedule", dict(init_value=0.0, peak_value=1e-3, warmup_steps=100,
                                          decay_steps=100), "decay_steps"),
    ("warmup_cosine_decay_schedule", dict(init_value=0.0, peak_value=1e-3, warmup_steps=-1,
                                          decay_steps=100), "warmup_steps"),
    ("warmup_constant_schedule", dict(init_value=0.0, peak_value=1e-3, warmup_steps=-3),
     "warmup_steps"),
    ("exponential_decay", dict(init_value=1e-3, transition_steps=0, decay_rate=0.5),
     "transition_steps"),
    ("exponential_decay", dict(init_value=1e-3, transition_steps=10, decay_rate=0.0),
     "decay_rate"),
    ("exponential_decay", dict(init_value=1e-3, transition_steps=10, decay_rate=-0.5),
     "decay_rate"),
    ("exponential_decay", dict(init_value=1e-3, transition_steps=10, decay_rate=0.5,
                               transition_begin=-1), "transition_begin"),
    ("exponential_decay", dict(init_value=1e-3, transition_steps=10, decay_rate=0.5,
                               staircase="yes"), "staircase"),
    ("warmup_exponential_decay_schedule", dict(init_value=0.0, peak_value=1e-3, warmup_steps=-1,
                                               transition_steps=10, decay_rate=0.5),
     "warmup_steps"),
    ("piecewise_constant_schedule", dict(init_value=1e-3, boundaries_and_scales={10: -0.1}),
     "boundaries_and_scales"),
    ("piecewise_constant_schedule", dict(init_value=1e-3, boundaries_and_scales={-10: 0.1}),
     "boundaries_and_scales"),
    ("piecewise_constant_schedule", dict(init_value=1e-3, boundaries_and_scales=[(10, 0.1)]),
     "boundaries_and_scales"),
    ("piecewise_interpolate_schedule", dict(interpolate_type="cubic", init_value=1e-3),
     "interpolate_type"),
    ("linear_onecycle_schedule", dict(transition_steps=0, peak_value=1e-3), "transition_steps"),
    ("linear_onecycle_schedule", dict(transition_steps=100, peak_value=1e-3, pct_start=1.5),
     "pct_start"),
    ("linear_onecycle_schedule", dict(transition_steps=100, peak_value=1e-3, pct_start=0.5,
                                      pct_final=0.4), "pct_final"),
    ("linear_onecycle_schedule", dict(transition_steps=100, peak_value=1e-3, div_factor=0),
     "div_factor"),
    ("cosine_onecycle_schedule", dict(transition_steps=100, peak_value=1e-3,
                                      final_div_factor=-1), "final_div_factor"),
    ("sgdr_schedule", dict(cosine_kwargs=[]), "cosine_kwargs"),
    ("sgdr_schedule", dict(cosine_kwargs=[dict(init_value=0.0, peak_value=1e-3, warmup_steps=10,
                                               decay_steps=5)]), "decay_steps"),
    ("join_schedules", dict(schedules=[sched.constant_schedule(1.0)] * 3, boundaries=[10]),
     "boundaries"),
    ("join_schedules", dict(schedules=[sched.constant_schedule(1.0)] * 3, boundaries=[20, 10]),
     "boundaries"),
    ("join_schedules", dict(schedules=[sched.constant_schedule(1.0)] * 2, boundaries=[-1]),
     "boundaries"),
    ("join_schedules", dict(schedules=["cosine", sched.constant_schedule(1.0)], boundaries=[1]),
     "schedules"),
]


@pytest.mark.parametrize("name,kwargs,arg", BAD, ids=[f"{b[0]}-{b[2]}-{i}" for i, b in enumerate(BAD)])
def test_bad_argument_raises_value_error_naming_it(name, kwargs, arg):
  with pytest.raises(ValueError) as info:
    getattr(sched, name)(**kwargs)
  message = str(info.value)
  assert arg in message and "not allowed" in message and name in message


def test_message_shows_value_and_what_is_allowed():
  with pytest.raises(ValueError, match=r"decay_steps=0 is not allowed: it must be > 0"):
    sched.cosine_decay_schedule(1e-3, 0)


def test_traced_invalid_values_are_not_checked_and_propagate():
  # Documented behaviour: under jit the value is unknown, so no error; the
  # formula's own result (here a division by zero) comes out.
  out = jax.jit(lambda d: sched.cosine_decay_schedule(1e-3, d)(5))(0.0)
  assert not np.isfinite(out) or float(out) >= 0.0


# Where optax quietly turns a degenerate argument into a constant, we decided
# differently (README: "Differences from optax").
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
      [sched.linear_schedule(0.0, 1e-3, 10), sched.cosine_decay_schedule(1e-3, 100)], [10])
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
