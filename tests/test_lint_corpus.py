"""The lint corpus: silent on real recipes, each real mistake caught.

Recipes and mistakes are in ``tests/lint_corpus.py``; the recipes' reference
traces (from each project's own formula) in ``tests/golden/lint_corpus.json``,
written by ``scripts/lint_corpus.py``.
"""

import json
import pathlib

import numpy as np
import pytest
from every_example import every_example
from lint_corpus import MISTAKES, RECIPES

import optax_sched as sched
from optax_sched.inspect import CODES

GOLDEN = json.loads((pathlib.Path(__file__).parent / "golden" / "lint_corpus.json").read_text())[
  "recipes"
]


def test_every_recipe_has_a_trace_and_there_are_enough():
  assert set(RECIPES) == set(GOLDEN)
  assert len(RECIPES) >= 20


@pytest.mark.parametrize("name", sorted(RECIPES))
def test_port_follows_the_original_formula(name):
  _, build = RECIPES[name]
  ref = GOLDEN[name]
  got = np.asarray(build()(np.asarray(ref["steps"])), np.float64)
  want = np.asarray(ref["values"])
  np.testing.assert_allclose(got, want, rtol=2e-5, atol=1e-6 * np.max(np.abs(want)))


@pytest.mark.parametrize("name", sorted(RECIPES))
def test_lint_is_silent_on_a_real_recipe(name):
  _, build = RECIPES[name]
  loud = [str(f) for f in sched.lint(build(), GOLDEN[name]["total_steps"]) if f.severity != "info"]
  assert loud == []


def test_last_update_at_zero_by_definition_is_only_info():
  _, build = RECIPES["olmo_core_wsd"]
  findings = sched.lint(build(), GOLDEN["olmo_core_wsd"]["total_steps"])
  assert [(f.code, f.severity, f.steps) for f in findings] == [("zero-lr", "info", (99_999,))]


def test_restarts_asked_for_are_counted_in_updates():
  _, build = RECIPES["sgdr_cifar"]
  facts = sched.describe(build(), GOLDEN["sgdr_cifar"]["total_steps"])
  assert facts["restarts"] == 3  # cycles of 10, 20, 40 and 80 epochs


def test_mistakes_come_from_at_least_ten_issues_with_their_own_codes():
  assert len({m.issue for m in MISTAKES.values()}) >= 10
  assert len({m.code for m in MISTAKES.values()}) >= 10
  assert {m.code for m in MISTAKES.values()} <= set(CODES)


@pytest.mark.parametrize("name", sorted(MISTAKES))
def test_lint_catches_a_real_mistake(name):
  m = MISTAKES[name]
  findings = [f for f in sched.lint(m.build(), m.steps) if f.severity == "warning"]
  assert m.code in {f.code for f in findings}, [str(f) for f in findings]


# Natural lengths of the examples whose schedule does not settle (a cosine
# that climbs back after its period) or whose last phase is a step decay.
NATURAL = {
  "cosine_annealing_schedule": 100,
  "cosine_cycles_schedule": 100,
  "torch.CosineAnnealingLR": 100,
  "torch.SequentialLR": 100,
  "transformers.get_cosine_schedule_with_warmup": 150,
  "transformers.get_cosine_with_min_lr_schedule_with_warmup": 150,
  "transformers.get_cosine_with_min_lr_schedule_with_warmup_lr_rate": 150,
  "multistep_decay_schedule": 90,
  "piecewise_constant_schedule": 90,
  "torch.MultiStepLR": 90,
  "timm.MultiStepLRScheduler": 120,
}
# Examples lint flags at their natural length, and why that is right.
FLAGGED = {
  # Asks for 1.5 cosine cycles: the LR climbs back by request, but the
  # family declares no turning point lint could read as deliberate.
  "cosine_cycles_schedule": {"rises-after-decay"},
}


def _natural_length(schedule, name):
  if name in NATURAL:
    return NATURAL[name]
  facts = sched.describe(schedule, 4000)
  settled, decays = facts["settled_step"], facts["final_value"] < facts["peak_value"]
  return settled if decays and 2 < settled < 3999 else 1000


@pytest.mark.parametrize("name", sorted(every_example()))
def test_lint_is_silent_on_every_example_at_its_natural_length(name):
  s = every_example()[name]()
  codes = {f.code for f in sched.lint(s, _natural_length(s, name)) if f.severity != "info"}
  assert codes == FLAGGED.get(name, set())
