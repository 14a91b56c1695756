"""Every optax name gives optax's numbers (golden traces of real optax)."""

import inspect
import math

import numpy as np
import optax
import pytest
from conftest import assert_close, golden_cases

import optax_sched as sched


def build(name, args):
  """Our schedule for a golden case's JSON arguments."""
  args = dict(args)
  if "boundaries_and_scales" in args:
    args["boundaries_and_scales"] = {b: s for b, s in args["boundaries_and_scales"]}
  if name == "join_schedules":
    args["schedules"] = [build(p["name"], p["args"]) for p in args["schedules"]]
  return getattr(sched, name)(**args)


def cosine_decay_f64(steps, init_value, decay_steps, alpha=0.0, exponent=1.0):
  """optax's cosine_decay_schedule formula in Python doubles."""
  out = []
  for t in steps:
    c = 0.5 * (1 + math.cos(math.pi * min(t, decay_steps) / decay_steps))
    out.append(init_value * ((1 - alpha) * c**exponent + alpha))
  return out


# Where optax rounds and we do not: in float32, optax's 0.5 * (1 + cos(pi t/T))
# cancels in the last steps of a cosine (an exponent < 1 magnifies it), while
# ours is exact to a few ulps. There we match the formula in doubles, and
# optax's golden value is checked to be within its own rounding of it.
OPTAX_ROUNDS = {"cosine_decay_schedule": cosine_decay_f64}


@pytest.mark.parametrize("case", golden_cases("optax"))
def test_matches_optax_trace(case):
  s = build(case["name"], case["args"])
  ours = s(np.asarray(case["steps"]))
  if case["name"] in OPTAX_ROUNDS:
    exact = OPTAX_ROUNDS[case["name"]](case["steps"], **case["args"])
    assert_close(ours, exact)
    assert_close(case["values"], exact, rtol=1e-4)
  else:
    assert_close(ours, case["values"])


@pytest.mark.parametrize("case", golden_cases("optax"))
def test_matches_optax_one_step_at_a_time(case):
  s = build(case["name"], case["args"])
  idx = np.linspace(0, len(case["steps"]) - 1, 7).astype(int)
  ours = [float(s(int(case["steps"][i]))) for i in idx]
  assert_close(ours, [case["values"][i] for i in idx])


def test_every_optax_name_is_covered_by_golden_cases():
  names = {c.values[0]["name"] for c in golden_cases("optax")}
  assert names == set(sched.OPTAX_NAMES)


@pytest.mark.parametrize("name", sched.OPTAX_NAMES)
def test_same_arguments_and_defaults_as_optax(name):
  ours = inspect.signature(getattr(sched, name)).parameters
  theirs = inspect.signature(getattr(optax, name)).parameters
  assert list(ours) == list(theirs)
  for arg, p in theirs.items():
    if p.default is not inspect.Parameter.empty:
      assert ours[arg].default == p.default, arg
    else:
      assert ours[arg].default is inspect.Parameter.empty, arg


# The optax lesson's printed values (shared/seeds), typed from the lesson.
@pytest.mark.parametrize("step,expected", [(0, 0.001), (5000, 0.0005), (10000, 0.0)])
def test_lesson_cosine_decay_values(step, expected):
  s = sched.cosine_decay_schedule(init_value=1e-3, decay_steps=10000, alpha=0.0)
  assert f"{float(s(step)):.6f}" == f"{expected:.6f}"


def test_lesson_warmup_cosine_shape():
  s = sched.warmup_cosine_decay_schedule(
    init_value=0.0, peak_value=1e-3, warmup_steps=1000, decay_steps=50000, end_value=1e-5
  )
  values = np.asarray(s(np.arange(60000)))
  assert values[0] == 0.0
  assert int(np.argmax(values)) == 1000
  assert values[1000] == pytest.approx(1e-3)
  assert values[-1] == pytest.approx(1e-5)
  assert np.all(np.diff(values[:1001]) > 0) and np.all(np.diff(values[1000:50001]) <= 0)


@pytest.mark.parametrize("power", [0.5, 2.0, 3.0])
def test_polynomial_decay_to_zero_is_optax_to_the_bit(power):
  """A decay to 0 is optax's formula, bit for bit where ``1 - t / T`` is exact (T = 8)."""
  steps = np.arange(0, 12)
  ours = sched.polynomial_schedule(1.0, 0.0, power, 8)(steps)
  theirs = optax.polynomial_schedule(1.0, 0.0, power, 8)(steps)
  np.testing.assert_array_equal(np.asarray(ours), np.asarray(theirs))
