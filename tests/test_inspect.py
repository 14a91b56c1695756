"""describe and lint: the numbers and mistakes to see before training."""

import jax.numpy as jnp
import numpy as np
import optax
import pytest
from every_example import every_example

import optax_sched as sched
from optax_sched.compat import torch as T
from optax_sched.inspect import CODES, SEVERITIES

REQUIRED = (
  "init_value",
  "peak_value",
  "peak_step",
  "warmup_steps",
  "final_value",
  "min_value",
  "mean_value",
  "zero_steps",
)

WARMUP_COSINE = sched.warmup_cosine_decay_schedule(0.0, 1e-3, 100, 1000, 1e-5)


@pytest.mark.parametrize("name", sorted(every_example()))
def test_describe_gives_every_required_number(name):
  facts = sched.describe(every_example()[name](), 200)
  assert set(REQUIRED) <= set(facts)
  assert all(isinstance(facts[k], (int, float)) for k in REQUIRED)


@pytest.mark.parametrize("name", sorted(every_example()))
def test_lint_runs_on_every_example(name):
  findings = sched.lint(every_example()[name](), 200)
  assert all(f.code in CODES and f.severity in SEVERITIES for f in findings)


def test_describe_reads_peak_and_warmup_from_the_curve():
  facts = sched.describe(WARMUP_COSINE, 1000)
  assert (facts["init_value"], facts["peak_value"], facts["peak_step"], facts["warmup_steps"]) == (
    0.0,
    1e-3,
    100,
    100,
  )


def test_describe_final_min_and_mean_match_the_trace():
  values = np.asarray(WARMUP_COSINE(np.arange(1000)), np.float64)
  facts = sched.describe(WARMUP_COSINE, 1000)
  np.testing.assert_allclose(
    [facts["final_value"], facts["min_value"], facts["mean_value"]],
    [values[-1], values.min(), values.mean()],
    rtol=1e-6,
  )


def test_describe_counts_steps_at_exactly_zero():
  s = sched.linear_schedule(0.0, 1e-3, 100, transition_begin=10)
  assert sched.describe(s, 500)["zero_steps"] == 11


@pytest.mark.parametrize(
  "schedule, warmup",
  [
    (sched.warmup_constant_schedule(0.0, 1e-3, 40), 40),
    (sched.cosine_decay_schedule(1e-3, 100), 0),
    (sched.constant_schedule(1e-3), 0),
    (sched.linear_onecycle_schedule(1000, 1e-3), 300),
  ],
)
def test_describe_warmup_ends_where_the_initial_rise_stops(schedule, warmup):
  assert sched.describe(schedule, 1000)["warmup_steps"] == warmup


def test_describe_counts_restarts():
  s = sched.sgdr_schedule(
    [dict(init_value=1e-4, peak_value=1e-3, warmup_steps=5, decay_steps=50)] * 3
  )
  assert sched.describe(s, 150)["restarts"] == 2


@pytest.mark.parametrize("steps", [0, -5, 2.5, True, "100", 10**9])
def test_total_steps_must_be_a_sensible_count(steps):
  with pytest.raises(ValueError, match="total_steps"):
    sched.describe(WARMUP_COSINE, steps)


def test_plain_optax_callables_can_be_inspected():
  assert sched.describe(optax.cosine_decay_schedule(1e-3, 100), 100)["peak_value"] == 1e-3


def _codes(schedule, steps):
  return {f.code for f in sched.lint(schedule, steps)}


def test_well_formed_warmup_cosine_gets_only_zero_lr():
  assert [(f.code, f.severity) for f in sched.lint(WARMUP_COSINE, 1000)] == [("zero-lr", "info")]


def _fn(f):
  return sched.function_schedule(f)


def _join_after_warmup(peak, then, warmup=100):
  return sched.join_schedules([sched.linear_schedule(0.0, peak, warmup), then], [warmup])


# code -> (schedules that must trigger it, schedules that must not), each a
# (schedule, total_steps) pair.
CASES = {
  "negative-or-nonfinite": (
    [
      (sched.constant_schedule(-1e-3), 100),
      (_fn(lambda t: jnp.where(t > 5, jnp.nan, 1e-3)), 100),
      (_fn(lambda t: jnp.where(t > 5, jnp.inf, 1e-3)), 100),
    ],
    [(WARMUP_COSINE, 1000)],
  ),
  "zero-lr": (
    [
      (WARMUP_COSINE, 1000),
      (sched.cosine_decay_schedule(1e-3, 500), 1000),
      (sched.constant_schedule(0.0), 10),
    ],
    [(WARMUP_COSINE.replace(init_value=1e-5), 1000)],
  ),
  "decays-too-early": (
    [
      (sched.cosine_decay_schedule(1e-3, 200, alpha=0.01), 1000),
      (sched.exponential_decay(1e-3, 10, 0.5, end_value=1e-5), 1000),
    ],
    [
      (sched.cosine_decay_schedule(1e-3, 1000, alpha=0.01), 1000),
      (sched.cosine_decay_schedule(1e-3, 1000), 3),
      (sched.constant_schedule(0.0), 10),
      (sched.piecewise_constant_schedule(1e-3, {300: 0.1, 600: 0.1}), 1000),
      (sched.constant_schedule(1e-3), 1000),
    ],
  ),
  "rises-after-decay": (
    # Like torch's CosineAnnealingLR past T_max.
    [
      (_fn(lambda t: 5e-4 * (1 + jnp.cos(jnp.pi * t / 1000))), 2000),
      (sched.piecewise_interpolate_schedule("linear", 1e-3, {500: 0.1, 1000: 10}), 1000),
    ],
    [
      (
        sched.sgdr_schedule(
          [dict(init_value=1e-4, peak_value=1e-3, warmup_steps=5, decay_steps=50)] * 3
        ),
        150,
      ),
      (sched.linear_onecycle_schedule(1000, 1e-3), 1000),
    ],
  ),
  "jump": (
    [
      (_fn(lambda t: jnp.where(t < 50, 1e-3, 5e-4)), 100),
      (sched.linear_schedule(1e-3, 1e-4, 0, transition_begin=500), 1000),
    ],
    [
      (sched.piecewise_constant_schedule(1e-3, {300: 0.1, 600: 0.1}), 1000),
      (sched.exponential_decay(1e-3, 100, 0.5, staircase=True), 1000),
      (sched.warmup_exponential_decay_schedule(0.0, 1e-3, 100, 100, 0.9, staircase=True), 1000),
      (
        sched.sgdr_schedule(
          [dict(init_value=1e-3, peak_value=1e-3, warmup_steps=0, decay_steps=50)] * 3
        ),
        150,
      ),
      (
        sched.join_schedules([sched.constant_schedule(1e-3), sched.constant_schedule(1e-4)], [500]),
        1000,
      ),
    ],
  ),
  "end-above-peak": (
    [
      (WARMUP_COSINE.replace(peak_value=1e-4, end_value=1e-3), 1000),
      (
        sched.join_schedules(
          [sched.cosine_decay_schedule(1e-3, 100), sched.linear_schedule(0.0, 2e-3, 900)], [100]
        ),
        1000,
      ),
    ],
    [
      (sched.warmup_constant_schedule(0.0, 1e-3, 100), 1000),
      (sched.linear_schedule(1e-6, 1e-3, 1000), 1000),
      # A staircase warmup rises at its declared boundaries only.
      (sched.piecewise_constant_schedule(1e-4, {100: 2.0, 200: 2.0, 300: 2.0}), 1000),
    ],
  ),
  "warmup-mismatch": (
    # Warmup to one peak, joined to a decay from another (up or down).
    [
      (_join_after_warmup(1e-3, sched.cosine_decay_schedule(1e-2, 900)), 1000),
      (_join_after_warmup(1e-2, sched.cosine_decay_schedule(1e-3, 900)), 1000),
      (_join_after_warmup(1e-3, sched.constant_schedule(5e-4)), 1000),
    ],
    [
      (_join_after_warmup(1e-3, sched.cosine_decay_schedule(1e-3, 900)), 1000),
      (WARMUP_COSINE, 1000),
      # A sawtooth rises again after each drop; a delayed start is flat.
      (sched.repeat(sched.linear_schedule(0.0, 1e-3, 100), 100), 1000),
      (
        sched.join_schedules(
          [sched.constant_schedule(0.0), sched.cosine_decay_schedule(1e-3, 900)], [100]
        ),
        1000,
      ),
      (sched.piecewise_constant_schedule(1e-4, {100: 2.0, 200: 2.0}), 1000),
      (
        sched.sgdr_schedule(
          [dict(init_value=1e-4, peak_value=1e-3, warmup_steps=5, decay_steps=50)] * 3
        ),
        150,
      ),
    ],
  ),
  "sized-in-epochs": (
    # MultiStepLR with milestones in epochs, stepped per batch.
    [(T.MultiStepLR(0.1, milestones=[30, 60, 80]), 9000)],
    [
      (sched.per_epoch(T.MultiStepLR(0.1, milestones=[30, 60, 80]), 100), 9000),
      (sched.warmup_constant_schedule(0.0, 1e-3, 100), 10_000),
    ],
  ),
  "too-many-restarts": (
    [(T.CosineAnnealingWarmRestarts(0.1, T_0=10), 20_000)],
    [(sched.per_epoch(T.CosineAnnealingWarmRestarts(0.1, T_0=10), 100), 20_000)],
  ),
  "milestones-beyond-run": (
    [
      (sched.multistep_decay_schedule(1e-3, [2000, 3000]), 1000),
      (sched.piecewise_constant_schedule(1e-3, {1000: 0.1}), 1000),
      (sched.warmup(sched.multistep_decay_schedule(1e-3, [50_000]), 100), 1000),
    ],
    [
      (sched.multistep_decay_schedule(1e-3, [300, 600, 900]), 1000),
      (sched.exponential_decay(1e-3, 300, 0.5, staircase=True), 1000),
      (sched.constant_schedule(1e-3), 1000),
      (sched.warmup(sched.cosine_decay_schedule(1e-3, 900), 100), 1000),
    ],
  ),
  "warmup-longer-than-run": (
    [
      (sched.warmup_cosine_decay_schedule(0.0, 1e-3, 2000, 10_000), 1000),
      (sched.per_epoch(sched.warmup_constant_schedule(0.0, 1e-3, 5), 100), 300),
    ],
    [
      (WARMUP_COSINE, 1000),
      (sched.linear_schedule(1e-6, 1e-3, 1000), 1000),
      (sched.warmup_constant_schedule(0.0, 1e-3, 100), 1000),
    ],
  ),
  "grows": (
    [
      (sched.exponential_decay(1e-3, 100, 1.1), 1000),
      (sched.per_epoch(T.StepLR(1e-4, step_size=30, gamma=10.0), 100), 10_000),
    ],
    [
      (sched.rsqrt_schedule(1e-3, 100), 1000),
      (sched.warmup_constant_schedule(0.0, 1e-3, 100), 1000),
      (sched.exponential_decay(1e-3, 100, 0.9), 1000),
    ],
  ),
  "rises-whole-run": (
    # A linear "decay" with its start and end swapped.
    [(sched.linear_schedule(1e-4, 1e-3, 1000), 1000)],
    [(sched.warmup_constant_schedule(0.0, 1e-3, 100), 1000), (WARMUP_COSINE, 1000)],
  ),
  "warmup-not-subtracted": (
    [(sched.warmup(sched.cosine_decay_schedule(1e-3, 1000), 100), 1000)],
    [
      (sched.warmup(sched.cosine_decay_schedule(1e-3, 900), 100), 1000),
      (WARMUP_COSINE, 1000),
      (sched.warmup(sched.linear_schedule(1e-3, 0.0, 900), 100), 1000),
    ],
  ),
  "sized-for-longer-run": (
    [
      (sched.warmup(sched.wsd_schedule(1e-3, 1700, 200, decay_shape="linear"), 100), 1000),
      (sched.cosine_decay_schedule(1e-3, 2000), 1000),
    ],
    [
      (sched.cosine_decay_schedule(1e-3, 1000), 1000),
      (sched.linear_schedule(1e-3, 0.0, 1000), 1000),
      (sched.rsqrt_schedule(1e-3, 100), 1000),
      (sched.exponential_decay(1e-3, 100, 0.5), 1000),
      (T.CosineAnnealingLR(1e-3, T_max=1000), 1000),
      # Restarts asked for, the run ending inside a cycle.
      (T.CosineAnnealingWarmRestarts(1e-3, T_0=300), 1000),
    ],
  ),
}


@pytest.mark.parametrize(
  "code, schedule, steps",
  [
    pytest.param(code, s, n, id=f"{code}-{i}")
    for code, (hits, _) in CASES.items()
    for i, (s, n) in enumerate(hits)
  ],
)
def test_lint_code_is_triggered(code, schedule, steps):
  assert code in _codes(schedule, steps)


@pytest.mark.parametrize(
  "code, schedule, steps",
  [
    pytest.param(code, s, n, id=f"{code}-{i}")
    for code, (_, misses) in CASES.items()
    for i, (s, n) in enumerate(misses)
  ],
)
def test_lint_code_is_not_triggered(code, schedule, steps):
  assert code not in _codes(schedule, steps)


def test_every_code_has_cases():
  assert set(CASES) == set(CODES)


@pytest.mark.parametrize(
  "schedule, steps, words",
  [
    (
      _fn(lambda t: jnp.where(t < 50, 1e-3, 5e-4)),
      100,
      ["jump", "0.001 at step 49", "0.0005 at step 50"],
    ),
    (
      sched.cosine_decay_schedule(1e-3, 200, alpha=0.01),
      1000,
      ["decays-too-early", "1e-05 at step 200", "800 of 1000"],
    ),
    (WARMUP_COSINE, 1000, ["zero-lr", "step 0 "]),
    (
      _join_after_warmup(1e-3, sched.cosine_decay_schedule(1e-2, 900)),
      1000,
      ["warmup-mismatch", "0.00099 (step 99)", "0.01 (step 100)"],
    ),
    (
      _fn(lambda t: 5e-4 * (1 + jnp.cos(jnp.pi * t / 1000))),
      2000,
      ["rises-after-decay", "0 at step 1000", "0.001 at step 1999"],
    ),
  ],
)
def test_messages_name_steps_and_values(schedule, steps, words):
  code = words[0]
  (finding,) = [f for f in sched.lint(schedule, steps) if f.code == code]
  for word in words[1:]:
    assert word in finding.message


def test_zero_lr_is_a_warning_outside_the_warmup():
  findings = sched.lint(sched.cosine_decay_schedule(1e-3, 500), 1000)
  assert [f.severity for f in findings if f.code == "zero-lr"] == ["warning"]


def test_findings_come_most_serious_first():
  s = _fn(lambda t: jnp.where(t < 200, 1e-3, -1e-5))
  severities = [f.severity for f in sched.lint(s, 1000)]
  assert severities == sorted(severities, key=SEVERITIES.index)
  assert severities[0] == "error"


def test_finding_prints_severity_code_and_message():
  (finding,) = sched.lint(WARMUP_COSINE, 1000)
  assert str(finding).startswith("info: zero-lr: the LR is exactly 0")


@pytest.mark.parametrize(
  "schedule, steps, expected",
  [
    (sched.piecewise_constant_schedule(1e-3, {300: 0.1, 600: 1.0}), 1000, [300]),
    (
      sched.exponential_decay(1e-3, 100, 0.5, transition_begin=50, staircase=True),
      400,
      [150, 250, 350],
    ),
    (
      sched.sgdr_schedule(
        [dict(init_value=1e-3, peak_value=1e-3, warmup_steps=0, decay_steps=50)] * 3
      ),
      150,
      [50, 100],
    ),
    (
      sched.join_schedules(
        [sched.constant_schedule(1e-3), sched.piecewise_constant_schedule(1e-3, {100: 0.1})], [500]
      ),
      1000,
      [500, 600],
    ),
    (sched.inverse_time_decay_schedule(0.1, 100, 0.5, staircase=True), 350, [100, 200, 300]),
    (sched.inverse_time_decay_schedule(0.1, 100, 0.5), 350, []),
  ],
)
def test_declared_jumps_of_step_decays_restarts_and_joins(schedule, steps, expected):
  assert sorted(float(b) for b in schedule.declared_jumps(steps)) == expected


@pytest.mark.parametrize(
  "schedule, steps, code",
  [
    # MultiStepLR stepped per batch: at 0.8% of peak for 99.8% of the run.
    (T.MultiStepLR(0.1, milestones=[30, 60, 80], gamma=0.09), 50_000, "sized-in-epochs"),
    # A staircase growing x10 per step.
    (sched.exponential_decay(1e-6, 100, 10.0, staircase=True), 400, "grows"),
    # 2,000 restarts from a per-epoch schedule stepped per batch.
    (T.CosineAnnealingWarmRestarts(0.1, T_0=10), 20_000, "too-many-restarts"),
    # A per-epoch cosine whose T_max is shorter than the run.
    (sched.per_epoch(T.CosineAnnealingLR(0.1, T_max=50), 100), 10_000, "rises-after-decay"),
  ],
)
def test_declared_steps_do_not_excuse_the_shape_of_the_run(schedule, steps, code):
  assert code in _codes(schedule, steps)


@pytest.mark.parametrize(
  "schedule, steps, warmup, restarts",
  [
    (sched.per_epoch(sched.warmup_constant_schedule(0.0, 1.0, 5), 100), 2000, 500, 0),
    (sched.per_epoch(T.CosineAnnealingWarmRestarts(0.1, T_0=10, T_mult=2), 100), 15_000, 0, 3),
    (sched.per_epoch(T.CosineAnnealingLR(0.1, T_max=50), 100), 10_000, 0, 0),
    (
      sched.per_epoch(sched.warmup(T.CosineAnnealingWarmRestarts(1.0, T_0=10), 3), 100),
      4000,
      300,
      3,
    ),
  ],
)
def test_describe_counts_a_per_epoch_staircase_in_updates(schedule, steps, warmup, restarts):
  facts = sched.describe(schedule, steps)
  assert (facts["warmup_steps"], facts["restarts"]) == (warmup, restarts)


def test_an_inverse_time_staircase_is_silent():
  # Its stairs are declared steps, not pieces that fail to meet (was `jump`).
  s = sched.inverse_time_decay_schedule(0.1, 100, 0.5, staircase=True)
  assert sched.lint(s, total_steps=1000) == []
