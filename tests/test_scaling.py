"""sched.scaling: the published rules, their ranges and their bad input."""

import math
import pathlib
import warnings

import pytest

import optax_sched as sched
from optax_sched import scaling


def _no_warning(fn, *args, **kwargs):
  with warnings.catch_warnings():
    warnings.simplefilter("error")
    return fn(*args, **kwargs)


def test_deepseek_matches_the_papers_power_laws():
  # eta = 0.3118 C^-0.125, B = 0.2920 C^0.3271 (Bi et al. 2024, eq. 1)
  for c in (1e17, 3e18, 2e19):
    lr, batch = _no_warning(sched.scaling.deepseek_llm, c)
    assert lr == pytest.approx(0.3118 * c**-0.125, rel=1e-12)
    assert batch == pytest.approx(0.2920 * c**0.3271, rel=1e-12)


def test_deepseek_lr_falls_and_batch_grows_with_compute():
  small, large = sched.scaling.deepseek_llm(1e17), sched.scaling.deepseek_llm(1e19)
  assert large[0] < small[0] and large[1] > small[1]


def test_deepseek_is_silent_up_to_the_budget_the_authors_checked():
  # fitted on 1e17 to 2e19 FLOPs, checked at 1e20: [1e17, 1e20] is in range
  for c in (1e17, 5e19, 1e20):
    lr, batch = _no_warning(sched.scaling.deepseek_llm, c)
    assert lr == pytest.approx(0.3118 * c**-0.125, rel=1e-12)


@pytest.mark.parametrize("compute", [1e15, 1e22, 1.0001e20])
def test_deepseek_warns_outside_its_range(compute):
  with pytest.warns(UserWarning, match="outside the range the rule was fitted on"):
    sched.scaling.deepseek_llm(compute)


def test_sqrt_rule_scales_by_the_root_of_the_batch_ratio():
  assert _no_warning(sched.scaling.batch_scaled, 1e-3, 128, 512) == pytest.approx(2e-3)
  assert _no_warning(sched.scaling.batch_scaled, 1e-3, 512, 128) == pytest.approx(5e-4)


def test_linear_rule_scales_by_the_batch_ratio():
  got = _no_warning(sched.scaling.batch_scaled, 0.1, 256, 8192, rule="linear")
  assert got == pytest.approx(3.2)


def test_sqrt_rule_warns_when_beta1_would_leave_its_range():
  with pytest.warns(UserWarning, match="beta1"):
    assert sched.scaling.batch_scaled(1e-3, 32, 32 * 16) == pytest.approx(4e-3)


def test_sqrt_rule_warns_from_a_ratio_of_10():
  # beta1' = 1 - kappa (1 - 0.9) must stay > 0: kappa < 10 (Malladi et al.)
  assert _no_warning(sched.scaling.batch_scaled, 1e-3, 100, 999) == pytest.approx(
    1e-3 * 999**0.5 / 10
  )
  with pytest.warns(UserWarning, match="beta1"):
    assert sched.scaling.batch_scaled(1e-3, 100, 1000) == pytest.approx(1e-3 * 10**0.5)


def test_linear_rule_warns_beyond_goyal_batch():
  with pytest.warns(UserWarning, match="8192"):
    sched.scaling.batch_scaled(0.1, 256, 16384, rule="linear")


@pytest.mark.parametrize(
  "call, name",
  [
    (lambda: sched.scaling.deepseek_llm(0), "compute"),
    (lambda: sched.scaling.deepseek_llm(-1e18), "compute"),
    (lambda: sched.scaling.deepseek_llm(math.inf), "compute"),
    (lambda: sched.scaling.deepseek_llm("big"), "compute"),
    (lambda: sched.scaling.deepseek_llm("1e19"), "compute"),
    (lambda: sched.scaling.batch_scaled(1e-3, "32", 64), "batch_size"),
    (lambda: sched.scaling.batch_scaled(0.0, 32, 64), "lr"),
    (lambda: sched.scaling.batch_scaled(1e-3, 0, 64), "batch_size"),
    (lambda: sched.scaling.batch_scaled(1e-3, 32, math.nan), "new_batch_size"),
    (lambda: sched.scaling.batch_scaled(1e-3, 32, 64, rule="cube"), "rule"),
  ],
)
def test_bad_input_names_the_argument(call, name):
  with pytest.raises(ValueError, match=f"{name}="):
    call()


@pytest.mark.parametrize(
  "call, message",
  [
    (
      lambda: sched.scaling.deepseek_llm(0),
      "deepseek_llm: compute=0 is not allowed: it must be a finite number > 0",
    ),
    (
      lambda: sched.scaling.batch_scaled(1e-3, True, 64),
      "batch_scaled: batch_size=True is not allowed: it must be a finite number > 0",
    ),
    (
      lambda: sched.scaling.batch_scaled(1e-3, 32, 64, rule="cube"),
      "batch_scaled: rule='cube' is not allowed: choose 'sqrt' or 'linear'",
    ),
  ],
)
def test_the_message_names_the_function_and_says_what_is_allowed(call, message):
  with pytest.raises(ValueError) as info:
    call()
  assert str(info.value) == message


@pytest.mark.parametrize(
  "call, message",
  [
    (
      lambda: sched.scaling.deepseek_llm(1e15),
      "deepseek_llm: compute=1e+15 FLOPs is outside the range the rule was fitted on"
      " (1e+17 to 2e+19 FLOPs, checked up to 1e+20): the values are an extrapolation",
    ),
    (
      lambda: sched.scaling.batch_scaled(1e-3, 32, 512),
      "batch_scaled: new_batch_size / batch_size = 16 is outside the square-root rule's"
      " range: with Adam's beta1 = 0.9 the rule's beta1' = 1 - kappa (1 - beta1) is <= 0"
      " for kappa >= 10 (Malladi et al. 2022)",
    ),
    (
      lambda: sched.scaling.batch_scaled(0.1, 256, 16384, rule="linear"),
      "batch_scaled: new_batch_size=16384 is outside the linear rule's range: Goyal et al."
      " 2017 saw it hold up to 8192 examples per batch and break beyond",
    ),
  ],
)
def test_the_warning_says_why_and_points_outside_the_library(call, message):
  with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    call()
  assert [(w.category, str(w.message)) for w in caught] == [(UserWarning, message)]
  # at the caller's line (stacklevel=2), not at scaling.py's own
  assert pathlib.Path(caught[0].filename).resolve() != pathlib.Path(scaling.__file__).resolve()
