"""Sweeps: K runs in one jit(vmap) program equal K separate runs."""

import jax
import numpy as np
import pytest

import optax_sched as sched
from optax_sched import exercise
from optax_sched.sweep import stack, sweep, sweep_schedules

PROBLEM = exercise.load_problem(seed=1, epochs=1, batch_size=128)
TOTAL = PROBLEM.order.shape[0] * PROBLEM.order.shape[1]
BASE = sched.warmup_cosine_decay_schedule(0.0, 1e-2, 2, TOTAL, 0.0)


def _train(schedule):
  params, curves = exercise.train(schedule, PROBLEM)
  return params, curves


_one = jax.jit(_train)


def _assert_runs_equal(swept, singles):
  for k, single in enumerate(singles):
    for a, b in zip(
      jax.tree_util.tree_leaves(swept), jax.tree_util.tree_leaves(single), strict=True
    ):
      np.testing.assert_allclose(a[k], b, rtol=2e-5, atol=1e-6)


def test_sweep_over_peak_lr_equals_separate_runs():
  peaks = [3e-3, 1e-2, 3e-2]
  swept = sweep(_train, BASE, peak_value=peaks)
  _assert_runs_equal(swept, [_one(BASE.replace(peak_value=p)) for p in peaks])


def test_runs_differ_so_the_sweep_is_not_trivially_equal():
  params, _ = sweep(_train, BASE, peak_value=[3e-3, 3e-2])
  assert not np.allclose(params["w1"][0], params["w1"][1])


def test_sweep_over_two_arguments_at_once():
  peaks, warmups = [1e-2, 2e-2], [1, 5]
  _, curves = sweep(_train, BASE, peak_value=peaks, warmup_steps=warmups)
  for k in range(2):
    s = BASE.replace(peak_value=peaks[k], warmup_steps=warmups[k])
    np.testing.assert_allclose(curves.lr[k], s(np.arange(TOTAL)), rtol=1e-5)


def test_sweep_schedules_of_one_family_equals_separate_runs():
  family = [
    sched.cosine_onecycle_schedule(TOTAL, p, pct_start=f)
    for p, f in [(1e-2, 0.2), (2e-2, 0.3), (3e-2, 0.5)]
  ]
  _assert_runs_equal(sweep_schedules(_train, family), [_one(s) for s in family])


def test_stack_puts_k_on_every_leaf():
  s = stack([sched.cosine_decay_schedule(1.0, 10), sched.cosine_decay_schedule(2.0, 20)])
  np.testing.assert_array_equal(s.init_value, [1.0, 2.0])
  np.testing.assert_array_equal(s.decay_steps, [10, 20])


def test_stack_of_different_families_is_a_value_error():
  with pytest.raises(ValueError, match=r"stack: schedules\[1\]=.* is not allowed"):
    stack([sched.cosine_decay_schedule(1.0, 10), sched.constant_schedule(1.0)])


@pytest.mark.parametrize(
  "values, message",
  [
    ({}, "no values given"),
    ({"peak": [1.0]}, r"argument\(s\) \['peak'\] are not allowed"),
    ({"peak_value": [1.0, 2.0], "warmup_steps": [1]}, "lengths"),
    ({"peak_value": 1.0}, "lengths"),
  ],
)
def test_bad_sweep_values_are_value_errors(values, message):
  with pytest.raises(ValueError, match=message):
    sweep(_train, BASE, **values)
