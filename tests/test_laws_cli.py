"""``optax-sched fit LOG``: read a log, fit, predict candidates."""

import json

import numpy as np
import pytest

import optax_sched as sched
from optax_sched import cli

RUN = "warmup_cosine_decay_schedule(0.0, 3e-4, 100, 2000)"
TRUE = sched.LossLaw("power", {"L0": 2.0, "A": 0.5, "alpha": 0.5})


def _log(tmp_path, kind):
  steps = np.arange(50, 2001, 50)
  loss = np.asarray(TRUE.predict(sched.from_spec(RUN), steps, total_steps=2000))
  if kind == "csv":
    path = tmp_path / "log.csv"
    path.write_text(
      "step,loss\n" + "".join(f"{s},{v:.6f}\n" for s, v in zip(steps, loss, strict=True))
    )
  else:
    path = tmp_path / "log.jsonl"
    path.write_text(
      "".join(
        json.dumps({"step": int(s), "loss": float(v)}) + "\n"
        for s, v in zip(steps, loss, strict=True)
      )
    )
  return str(path)


@pytest.mark.parametrize("kind", ["csv", "jsonl"])
def test_fit_prints_the_law_and_ranks_the_candidates(tmp_path, capsys, kind):
  out = tmp_path / "fit.png"
  constant = "constant_schedule(3e-4)"
  small = "constant_schedule(3e-5)"
  argv = ["fit", _log(tmp_path, kind), "--schedule", RUN, "--law", "power"]
  assert cli.main([*argv, "--predict", small, constant, "-o", str(out)]) == 0
  text = capsys.readouterr().out
  assert text.startswith("power\n") and "L0     2" in text
  # Under the power law more LR means lower loss: the constant 3e-4 ranks first.
  ranked = text.split("predicted loss after 2000 updates:\n")[1].splitlines()
  assert ranked[0].endswith(constant) and ranked[1].endswith(small)
  assert out.stat().st_size > 0


def test_fit_without_rates_says_which_option_is_needed(tmp_path, capsys):
  assert cli.main(["fit", _log(tmp_path, "csv")]) == 2
  assert "--schedule: needed" in capsys.readouterr().err
