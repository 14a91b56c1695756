"""The lessons' exercise: fixed problem, per-step schedules, its outputs."""

import argparse
import json

import jax
import numpy as np
import pytest
from conftest import assert_close

from optax_sched import exercise

EPOCHS, BATCH = 2, 128


@pytest.fixture(scope="module")
def problem():
  return exercise.load_problem(seed=3, epochs=EPOCHS, batch_size=BATCH)


def _args(tmp_path, **kw):
  parser = argparse.ArgumentParser()
  exercise.add_arguments(parser)
  argv = [
    "--out",
    str(tmp_path),
    "--epochs",
    str(EPOCHS),
    "--batch-size",
    str(BATCH),
    "--seed",
    "3",
    "--no-progress",
  ]
  for k, v in kw.items():
    argv += [f"--{k.replace('_', '-')}", str(v)]
  return parser.parse_args(argv)


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
  out = tmp_path_factory.mktemp("exercise")
  status = exercise.run(_args(out, schedules="constant,wsd"))
  return status, out


def test_the_lessons_schedules_are_all_offered():
  assert {"constant", "steplr", "cosine", "warmup_cosine", "onecycle", "wsd"} <= set(
    exercise.SCHEDULES
  )


def test_defaults_are_the_lessons():
  args = argparse.ArgumentParser()
  exercise.add_arguments(args)
  ns = args.parse_args([])
  assert (ns.epochs, ns.seed, ns.batch_size) == (5, 0, 32)
  assert ns.schedules.split(",") == list(exercise.SCHEDULES)


def test_problem_is_fixed_by_the_seed(problem):
  again = exercise.load_problem(seed=3, epochs=EPOCHS, batch_size=BATCH)
  for a, b in zip(
    jax.tree_util.tree_leaves(problem), jax.tree_util.tree_leaves(again), strict=True
  ):
    np.testing.assert_array_equal(a, b)


def test_split_is_80_20_of_the_1797_digits(problem):
  n_train, n_val = problem.x_train.shape[0], problem.x_val.shape[0]
  assert (n_train, n_val) == (1797 - 359, 359)
  assert problem.order.shape == (EPOCHS, n_train // BATCH, BATCH)


def test_every_epoch_sees_each_example_at_most_once(problem):
  for epoch in np.asarray(problem.order):
    assert len(np.unique(epoch)) == epoch.size


@pytest.mark.parametrize("name", sorted(exercise.SCHEDULES))
def test_rate_is_stepped_every_batch(problem, name):
  total = problem.order.shape[0] * problem.order.shape[1]
  s = exercise.SCHEDULES[name][1](3e-2, total)
  _, curves = jax.jit(exercise.train)(s, problem)
  assert_close(curves.lr, s(np.arange(total)), rtol=1e-5)


def test_training_learns(problem):
  total = problem.order.shape[0] * problem.order.shape[1]
  _, curves = jax.jit(exercise.train)(exercise.SCHEDULES["cosine"][1](3e-2, total), problem)
  assert float(curves.val_acc[-1]) > 0.85
  assert float(curves.train_loss[-5:].mean()) < float(curves.train_loss[:5].mean()) / 3


def test_run_exits_zero_and_writes_every_output(outputs):
  status, out = outputs
  assert status == 0
  for name in ("losses.png", "lr.png", "metrics.json", "metrics.csv"):
    assert (out / name).stat().st_size > 0


def test_metrics_json_holds_the_curves_of_every_run(outputs, problem):
  _, out = outputs
  data = json.loads((out / "metrics.json").read_text())
  assert list(data["runs"]) == ["constant", "wsd"]
  steps = EPOCHS * problem.order.shape[1]
  for r in data["runs"].values():
    assert len(r["train_loss"]) == len(r["lr"]) == steps
    assert len(r["val_loss"]) == len(r["val_acc"]) == EPOCHS


def test_command_curves_equal_the_pure_train_function(outputs, problem):
  _, out = outputs
  run = json.loads((out / "metrics.json").read_text())["runs"]["wsd"]
  total = EPOCHS * problem.order.shape[1]
  _, curves = jax.jit(exercise.train)(exercise.SCHEDULES["wsd"][1](3e-2, total), problem)
  np.testing.assert_allclose(run["val_loss"], curves.val_loss, rtol=1e-5)
  np.testing.assert_allclose(run["train_loss"], curves.train_loss, rtol=1e-5)


def test_metrics_csv_has_a_row_per_run_and_epoch(outputs):
  _, out = outputs
  lines = (out / "metrics.csv").read_text().strip().splitlines()
  assert lines[0].split(",") == [
    "schedule",
    "epoch",
    "train_loss",
    "val_loss",
    "val_acc",
    "last_lr",
  ]
  assert len(lines) == 1 + 2 * EPOCHS


def test_prints_a_table_of_final_validation_numbers(tmp_path, capsys):
  exercise.run(_args(tmp_path, schedules="constant", epochs=1))
  out = capsys.readouterr().out
  assert "val loss" in out and "val acc" in out
  assert out.splitlines()[2].startswith("constant")


@pytest.mark.parametrize(
  "kw, message",
  [
    ({"schedules": "constant,linear"}, "--schedules='constant,linear' is not allowed"),
    ({"epochs": 0}, "--epochs=0 is not allowed"),
    ({"batch_size": 100000}, "load_problem: batch_size=100000 is not allowed"),
    ({"lr": -1.0}, "--lr=-1.0 is not allowed"),
  ],
)
def test_bad_option_exits_2_with_a_message(tmp_path, capsys, kw, message):
  assert exercise.run(_args(tmp_path, **kw)) == 2
  assert message in capsys.readouterr().err


def test_runs_share_initial_parameters_and_batch_order(problem):
  # StepLR holds the peak rate for its first third: until then it must train
  # exactly like the constant rate, batch for batch.
  total = problem.order.shape[0] * problem.order.shape[1]
  train = jax.jit(exercise.train)
  _, const = train(exercise.SCHEDULES["constant"][1](3e-2, total), problem)
  _, step = train(exercise.SCHEDULES["steplr"][1](3e-2, total), problem)
  first = total // 3
  np.testing.assert_array_equal(const.train_loss[:first], step.train_loss[:first])
  assert not np.array_equal(const.train_loss[first + 1 :], step.train_loss[first + 1 :])
