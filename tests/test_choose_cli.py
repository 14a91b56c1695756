"""The choosing commands of ``optax-sched``: lr-find."""

import pytest

from optax_sched import cli

pytest.importorskip("sklearn")
pytest.importorskip("matplotlib")


def test_lr_find_prints_suggestions_and_writes_the_plot(tmp_path, capsys):
  out = tmp_path / "lr.png"
  assert cli.main(["lr-find", "-o", str(out), "--num-steps", "30"]) == 0
  text = capsys.readouterr().out
  for name in ("valley", "steepest", "minimum", "suggestion"):
    assert name in text
  assert out.stat().st_size > 1000


def test_lr_find_runs_on_the_character_transformer(tmp_path, capsys):
  out = tmp_path / "lr.svg"
  argv = ["lr-find", "--problem", "charlm_tiny", "-o", str(out), "--num-steps", "20"]
  assert cli.main(argv) == 0
  text = capsys.readouterr().out
  rates = {ln.split()[0]: float(ln.split()[1]) for ln in text.splitlines()[:4]}
  assert set(rates) == {"valley", "steepest", "minimum", "suggestion"}
  assert all(1e-7 <= r <= 10.0 for r in rates.values())
  assert "charlm_tiny" in out.read_text()  # the plot's title names the problem


@pytest.mark.parametrize(
  "argv, message",
  [
    (["-o", "lr.txt"], "must end in"),
    (["--problem", "mnist"], "--problem='mnist'"),
    (["--seeds", "0"], "--seeds=0"),
    (["--min-lr", "1.0", "--max-lr", "0.1"], "--max-lr=0.1 is not allowed: it must be a finite"),
    (["--min-lr", "1.0", "--max-lr", "0.1"], "> --min-lr=1.0"),
    (["--num-steps", "5"], "--num-steps=5 is not allowed"),
  ],
)
def test_lr_find_bad_options(tmp_path, capsys, argv, message):
  argv = (
    ["lr-find", "-o", str(tmp_path / "lr.png"), *argv] if argv[0] != "-o" else ["lr-find", *argv]
  )
  assert cli.main(argv) == 2
  assert message in capsys.readouterr().err


MOMENTUM = ["--law", "momentum", "--param", "L0=2", "A=0.4", "alpha=0.5", "C=0.05", "lam=0.99"]


def test_optimize_prints_a_spec_that_beats_the_references(tmp_path, capsys):
  out = tmp_path / "opt.png"
  argv = [
    "optimize",
    "--steps",
    "300",
    "--peak",
    "1e-2",
    "--warmup",
    "20",
    *MOMENTUM,
    "-o",
    str(out),
  ]
  assert cli.main(argv) == 0
  lines = capsys.readouterr().out.splitlines()
  spec = next(line for line in lines if line.startswith("warmup("))
  import optax_sched as sched

  assert sched.from_spec(spec)(20) <= 1e-2
  finals = {
    ln.split()[0]: float(ln.split()[1])
    for ln in lines
    if ln.split()[0] in ("optimized", "cosine", "linear", "wsd")
  }
  assert finals["optimized"] < min(finals["cosine"], finals["linear"], finals["wsd"])
  assert out.stat().st_size > 1000


@pytest.mark.slow
def test_optimize_fits_a_csv_log_with_its_schedule(tmp_path, capsys):
  import numpy as np

  import optax_sched as sched

  s = sched.warmup_cosine_decay_schedule(0.0, 1e-2, 20, 300, 0.0)
  law = sched.LossLaw("momentum", {"L0": 2.0, "A": 0.4, "alpha": 0.5, "C": 0.05, "lam": 0.99})
  steps = np.arange(10, 301, 10)
  losses = np.asarray(law.predict(s(np.arange(300)), steps))
  log = tmp_path / "log.csv"
  log.write_text("step,loss\n" + "".join(f"{a},{b}\n" for a, b in zip(steps, losses, strict=True)))
  spec = "warmup_cosine_decay_schedule(0.0, 1e-2, 20, 300, 0.0)"
  argv = ["optimize", "--steps", "300", "--peak", "1e-2", "--warmup", "20", "--log", str(log)]
  assert cli.main([*argv, "--schedule", spec, "--law", "momentum"]) == 0
  assert "law: LossLaw('momentum'" in capsys.readouterr().out
  assert cli.main(argv) == 2  # no lr column and no --schedule
  assert "--schedule" in capsys.readouterr().err
