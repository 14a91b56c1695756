"""Where a library rounds and optax_sched is exact (docs/disagreements.md).

tests/golden/disagreements.json is written by scripts/disagreements.py from
the real timm, Keras and optax: the library's value at a step where its
floating-point arithmetic moves a restart or an end value, and the exact one.
"""

import jax
import pytest
from conftest import golden_cases

import optax_sched as sched
from optax_sched.compat import keras, timm

EVAL = jax.jit(lambda s, t: s(t))


def build(case):
  args = dict(case["args"])
  if case["library"] == "timm":
    args.pop("t_in_epochs")
    return timm.CosineLRScheduler(**args)
  if case["library"] == "keras":
    return keras.CosineDecayRestarts(**args)
  return sched.polynomial_schedule(**args)


@pytest.mark.parametrize("case", golden_cases("disagreements"))
def test_exact_where_the_library_rounds(case):
  s, step = build(case), case["step"]
  assert case["library_value"] != case["exact_value"]  # the library's rounding, as recorded
  assert float(s(step)) == case["exact_value"]  # eager
  assert float(EVAL(s, step)) == case["exact_value"]  # and under jit: the same value


@pytest.mark.parametrize(
  "case",
  [c for c in golden_cases("disagreements") if c.values[0]["library"] == "timm"],
)
def test_timm_is_back_on_the_exact_curve_one_step_after_the_late_restart(case):
  s, step = build(case), case["step"]
  assert float(s(step + 1)) == pytest.approx(case["library_next_value"], rel=1e-6)
