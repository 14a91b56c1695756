"""The benchmark script still runs and prints every table (no timing is
asserted: speed figures come from running it, see docs/speed.md)."""

import os
import pathlib
import subprocess
import sys

import optax_sched as sched

ROOT = pathlib.Path(__file__).resolve().parents[1]


def test_bench_quick_prints_every_table_and_family():
  env = dict(os.environ, JAX_PLATFORMS="cpu")
  out = subprocess.run(
    [sys.executable, str(ROOT / "scripts" / "bench.py"), "--quick", "--optax-max-n", "10"],
    capture_output=True,
    text=True,
    env=env,
    timeout=600,
    check=False,
  )
  assert out.returncode == 0, out.stderr[-3000:]
  text = out.stdout
  for heading in (
    "### n pieces",
    "### Every optax family",
    "### Inside training",
    "### A 1M-step learning-rate trace",
    "### Choosing before training",
    "### Loss-curve laws",
    "### Start-up",
  ):
    assert heading in text, text
  rows = {line.split("|")[1].strip() for line in text.splitlines() if line.startswith("| ")}
  missing = set(sched.OPTAX_NAMES) - rows
  assert not missing, missing
  # Past --optax-max-n optax is not run, and the table says so.
  assert "not run" in text


def test_gallery_has_a_working_example_for_every_name_but_lambdalr():
  """Every registered name is drawn from its own example spec (a guessed
  picture is what the gallery falls back to for names added later)."""
  sys.path.insert(0, str(ROOT / "scripts"))
  try:
    import gallery
  finally:
    sys.path.pop(0)
  from optax_sched.config import public_names

  assert set(gallery.EXAMPLES) <= set(public_names())
  assert set(public_names()) - set(gallery.EXAMPLES) == {"torch.LambdaLR"}
  built, skipped = gallery.build_all()
  assert [name for name, _ in skipped] == ["torch.LambdaLR"]
  for name, schedule in built:
    assert schedule.name == name


def _choose_evidence():
  sys.path.insert(0, str(ROOT / "scripts"))
  try:
    import choose_evidence
  finally:
    sys.path.pop(0)
  return choose_evidence


def test_choose_evidence_trains_like_the_exercise():
  """The lookup-table training (one compiled program for every schedule)
  gives the exercise's own numbers: the loss of every batch, the rates, and
  the validation loss when it is measured once an epoch."""
  import numpy as np

  from optax_sched import exercise

  ce = _choose_evidence()
  problem = exercise.load_problem(0, 2, 32, 2)
  total, per_epoch = problem.total_steps, problem.steps_per_epoch
  schedule = exercise.SCHEDULES["wsd"][1](3e-2, total)
  ours = ce.train_logged(schedule, problem, total, per_epoch)
  _, curves = exercise.train_seeds(schedule, problem)
  np.testing.assert_allclose(ours["train"], np.asarray(curves.train_loss), rtol=1e-5)
  np.testing.assert_allclose(ours["val"], np.asarray(curves.val_loss), rtol=1e-5)
  np.testing.assert_allclose(ours["lr"], np.asarray(schedule(np.arange(total))), rtol=1e-6)
  assert ours["train"].shape == (2, total) and ours["val"].shape == (2, 2)


def test_choose_evidence_runs_end_to_end_on_the_tiny_transformer(tmp_path):
  import json

  ce = _choose_evidence()
  argv = ["--problem", "charlm_tiny", "--seeds", "2", "--law", "momentum", "--out", str(tmp_path)]
  result = ce.main(argv)
  assert set(result["errors"]) == set(ce.schedules(1e-2, 40))
  assert list(result["trained"]) == ["optimized", *ce.RIVALS]
  for row in result["trained"].values():
    assert len(row["val"]["per_seed"]) == 2
  written = json.loads((tmp_path / "choose_charlm_tiny_evidence.json").read_text())
  assert written["law"].startswith("LossLaw('momentum'")
  for name in ("predict", "optimized"):
    assert (tmp_path / f"choose_charlm_tiny_{name}.png").stat().st_size > 10_000
