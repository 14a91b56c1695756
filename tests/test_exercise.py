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
    argv += [f"--{k.replace('_', '-')}"] + ([str(v)] if v != "" else [])
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
  assert (ns.epochs, ns.seed, ns.batch_size, ns.seeds, ns.problem) == (5, 0, 32, 3, "digits")
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
    assert len(r["lr"]) == steps
    assert np.shape(r["train_loss"]) == (3, steps)  # the default 3 seeds
    assert np.shape(r["val_loss"]) == np.shape(r["val_acc"]) == (3, EPOCHS)


def test_command_curves_equal_the_pure_train_function(outputs, problem):
  _, out = outputs
  run = json.loads((out / "metrics.json").read_text())["runs"]["wsd"]
  total = EPOCHS * problem.order.shape[1]
  _, curves = jax.jit(exercise.train)(exercise.SCHEDULES["wsd"][1](3e-2, total), problem)
  # Seed 0 of the vmapped seeds is the problem loaded without a seeds axis.
  np.testing.assert_allclose(run["val_loss"][0], curves.val_loss, rtol=1e-5)
  np.testing.assert_allclose(run["train_loss"][0], curves.train_loss, rtol=1e-5)


def test_metrics_csv_has_a_row_per_run_and_epoch(outputs):
  _, out = outputs
  lines = (out / "metrics.csv").read_text().strip().splitlines()
  assert lines[0].split(",") == [
    "schedule",
    "seed",
    "epoch",
    "train_loss",
    "val_loss",
    "val_acc",
    "last_lr",
  ]
  assert len(lines) == 1 + 2 * 3 * EPOCHS


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
    ({"seeds": 0}, "--seeds=0 is not allowed"),
    ({"problem": "mnist"}, "--problem='mnist' is not allowed"),
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


# ---- seeds ----


@pytest.fixture(scope="module")
def two_seeds():
  return exercise.load_problem(seed=3, epochs=1, batch_size=BATCH, seeds=2)


def test_train_seeds_equals_training_each_seed_alone(two_seeds):
  s = exercise.SCHEDULES["cosine"][1](3e-2, two_seeds.total_steps)
  _, together = jax.jit(exercise.train_seeds)(s, two_seeds)
  for i in range(2):
    _, alone = jax.jit(exercise.train)(s, two_seeds.one_seed(i))
    np.testing.assert_allclose(together.train_loss[i], alone.train_loss, rtol=1e-5)
    np.testing.assert_allclose(together.val_loss[i], alone.val_loss, rtol=1e-5)
  assert not np.allclose(together.train_loss[0], together.train_loss[1])


def test_summary_holds_each_seeds_final_numbers_and_their_statistics(outputs):
  _, out = outputs
  data = json.loads((out / "metrics.json").read_text())
  for name, r in data["runs"].items():
    for key in ("val_loss", "val_acc"):
      s = data["summary"][name][key]
      finals = [curve[-1] for curve in r[key]]
      np.testing.assert_allclose(s["per_seed"], finals, rtol=1e-6)
      np.testing.assert_allclose(s["mean"], np.mean(finals), rtol=1e-6)
      np.testing.assert_allclose(s["std"], np.std(finals, ddof=1), rtol=1e-6)
      lo, hi = s["ci95"]
      assert lo < s["mean"] < hi
      np.testing.assert_allclose(s["mean"] - lo, hi - s["mean"], rtol=1e-6)


def test_paired_difference_is_taken_seed_by_seed_from_the_lowest_mean(outputs):
  _, out = outputs
  data = json.loads((out / "metrics.json").read_text())
  paired = data["paired_difference"]
  means = {n: s["val_loss"]["mean"] for n, s in data["summary"].items()}
  assert paired["best"] == min(means, key=means.get)
  (other,) = set(means) - {paired["best"]}
  finals = {n: np.array([c[-1] for c in r["val_loss"]]) for n, r in data["runs"].items()}
  np.testing.assert_allclose(
    paired["val_loss"][other]["per_seed"], finals[other] - finals[paired["best"]], rtol=1e-5
  )


def _runs(final_losses: dict) -> dict:
  return {
    name: {"val_loss": [[3.0, v] for v in vs], "val_acc": [[0.5, 0.9] for _ in vs]}
    for name, vs in final_losses.items()
  }


@pytest.mark.parametrize(
  "finals, marks",
  [
    # b is lower on every seed by about 0.1: its lead is sure.
    ({"a": [1.0, 1.2, 1.1], "b": [0.9, 1.1, 1.0]}, {"a": "", "b": "<- best"}),
    # b's mean is lower, but a wins on one seed: the paired interval holds 0.
    ({"a": [1.0, 1.2, 1.1], "b": [1.1, 0.9, 1.0]}, {"a": "<- tied", "b": "<- tied (lowest mean)"}),
  ],
)
def test_table_says_best_only_when_the_paired_interval_excludes_zero(finals, marks):
  results = _runs(finals)
  table = exercise._table(results, *exercise._summary(results))
  rows = {line.split()[0]: line for line in table.splitlines()[2:4]}
  for name, mark in marks.items():
    assert rows[name].rstrip().endswith(mark) if mark else "<-" not in rows[name]


def test_one_seed_keeps_the_single_run_output(tmp_path, capsys):
  assert exercise.run(_args(tmp_path, schedules="constant,wsd", epochs=1, seeds=1)) == 0
  table = capsys.readouterr().out.splitlines()
  assert table[0].split() == ["schedule", "val", "loss", "val", "acc"]
  assert sum("<- lowest val loss" in line for line in table) == 1
  data = json.loads((tmp_path / "metrics.json").read_text())
  assert np.ndim(data["runs"]["wsd"]["val_loss"]) == 1
  csv_head = (tmp_path / "metrics.csv").read_text().splitlines()[0]
  assert csv_head.startswith("schedule,epoch,")


def test_seeds_sharded_over_8_devices_give_the_unsharded_numbers():
  if jax.device_count() < 8:
    pytest.skip(
      f"needs 8 devices, found {jax.device_count()}: XLA_FLAGS must hold"
      " --xla_force_host_platform_device_count=8 before jax starts"
    )
  problem = exercise.load_problem(seed=1, epochs=1, batch_size=BATCH, seeds=8)
  s = exercise.SCHEDULES["onecycle"][1](3e-2, problem.total_steps)
  train = jax.jit(exercise.train_seeds)
  _, plain = train(s, problem)
  sharded_problem = exercise.shard_seeds(problem)
  assert {d.id for d in sharded_problem.order.devices()} == {d.id for d in jax.devices()[:8]}
  assert [sh.data.shape[0] for sh in sharded_problem.order.addressable_shards] == [1] * 8
  _, sharded = train(s, sharded_problem)
  assert len(sharded.val_loss.addressable_shards) == 8
  np.testing.assert_allclose(sharded.val_loss, plain.val_loss, rtol=1e-5)
  np.testing.assert_allclose(sharded.train_loss, plain.train_loss, rtol=1e-5)


def test_shard_seeds_needs_a_multiple_of_the_devices(two_seeds):
  with pytest.raises(ValueError, match="shard_seeds: a problem with seeds=2"):
    exercise.shard_seeds(two_seeds, jax.devices()[:1] * 3)


@pytest.mark.parametrize(
  "argv, message", [(["--seeds", "0"], "--seeds=0"), (["--problem", "mnist"], "--problem='mnist'")]
)
def test_compare_command_exits_2_naming_the_bad_option(capsys, argv, message):
  from optax_sched import cli

  assert cli.main(["compare", *argv, "--no-progress"]) == 2
  err = capsys.readouterr().err
  assert message in err and "Traceback" not in err


def test_post_ln_is_only_for_the_transformer(tmp_path, capsys):
  assert exercise.run(_args(tmp_path, post_ln="")) == 2
  assert "--post-ln is not allowed with --problem=digits" in capsys.readouterr().err


@pytest.mark.slow  # ~15 s of CPU: two compiled transformer programs
def test_compare_trains_the_transformer_post_ln(tmp_path, capsys):
  argv = ["--out", str(tmp_path), "--problem", "charlm_tiny", "--post-ln", "--epochs", "2"]
  argv += ["--batch-size", "16", "--seeds", "2", "--schedules", "constant,cosine", "--no-progress"]
  parser = argparse.ArgumentParser()
  exercise.add_arguments(parser)
  assert exercise.run(parser.parse_args(argv)) == 0
  data = json.loads((tmp_path / "metrics.json").read_text())
  assert data["config"]["peak_lr"] == 3e-3 and "norm='post'" in data["config"]["model"]
  for r in data["runs"].values():
    val = np.asarray(r["val_loss"])
    assert val.shape == (2, 2)
    assert (val[:, -1] < np.log(97) - 0.3).all()  # learnt more than the uniform guess
