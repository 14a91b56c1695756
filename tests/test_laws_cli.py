"""``optax-sched fit LOG``: read a log, fit, predict candidates."""

import json
import sys

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


def _events(tmp_path, loss_tag: str = "train/loss", lr_tag: str | None = "learning_rate"):
  """A TensorBoard run directory written by tensorboard's own writer, and the same log as CSV.

  The loss is written as legacy ``simple_value`` scalars, the rate of every
  update (when ``lr_tag``) as the tensor summaries of TF2 / tensorboard's
  scalar plugin; the CSV holds the same float32 losses (TensorBoard's dtype)."""
  pytest.importorskip(
    "tensorboard", reason="needs the tensorboard extra: pip install 'optax-sched[tensorboard]'"
  )
  from tensorboard.compat.proto import event_pb2, summary_pb2
  from tensorboard.plugins.scalar import summary as scalar_summary
  from tensorboard.summary.writer.event_file_writer import EventFileWriter

  event = event_pb2.Event  # pyright: ignore[reportAttributeAccessIssue]
  summary_proto = summary_pb2.Summary  # pyright: ignore[reportAttributeAccessIssue]
  steps = np.arange(50, 2001, 50)
  schedule = sched.from_spec(RUN)
  assert callable(schedule)
  lrs = np.asarray(schedule(np.arange(2000)), np.float32)
  loss = np.asarray(TRUE.predict(lrs.astype(np.float64), steps), np.float32)
  run = tmp_path / "run"
  writer = EventFileWriter(str(run))
  for i, rate in enumerate(lrs if lr_tag else []):
    summary = scalar_summary.scalar_pb(lr_tag, float(rate))
    writer.add_event(event(step=i + 1, wall_time=1.0, summary=summary))
  for s, v in zip(steps, loss, strict=True):
    summary = summary_proto(value=[summary_proto.Value(tag=loss_tag, simple_value=v)])
    writer.add_event(event(step=int(s), wall_time=1.0, summary=summary))
  writer.close()
  csv_log = tmp_path / "log.csv"
  csv_log.write_text(
    "step,loss\n" + "".join(f"{s},{float(v)!r}\n" for s, v in zip(steps, loss, strict=True))
  )
  return run, csv_log, (lrs.astype(np.float64), loss.astype(np.float64), steps)


def test_fit_reads_a_tensorboard_run_as_the_same_csv(tmp_path, capsys):
  run, csv_log, _ = _events(tmp_path, lr_tag=None)
  argv = ["--schedule", RUN, "--law", "power", "--predict", "constant_schedule(3e-4)"]
  assert cli.main(["fit", str(csv_log), *argv]) == 0
  from_csv = capsys.readouterr().out
  assert cli.main(["fit", str(run), *argv]) == 0  # the loss tag found: train/loss
  assert capsys.readouterr().out == from_csv
  assert from_csv.startswith("power\n") and "L0     2" in from_csv


def test_fit_takes_the_rates_from_the_event_files_lr_tag(tmp_path, capsys):
  run, _, (lrs, loss, steps) = _events(tmp_path, loss_tag="Loss", lr_tag="train/lr")
  want = sched.fit_loss_law(lrs, loss, steps, law="power")
  event_file = next(run.iterdir())  # one event file, or its directory: the same
  for log in (run, event_file):
    assert cli.main(["fit", str(log), "--law", "power"]) == 0
    text = capsys.readouterr().out
    assert [f"  {k:6} {v:.6g}" in text for k, v in want.params.items()] == [True] * 3


def test_fit_on_events_without_the_tag_lists_the_tags(tmp_path, capsys):
  run, _, _ = _events(tmp_path, loss_tag="objective", lr_tag="lr")
  assert cli.main(["fit", str(run), "--law", "power"]) == 2
  err = capsys.readouterr().err
  assert "--loss-tag: " in err and "its tags: lr, objective" in err
  assert cli.main(["fit", str(run), "--loss-tag", "val/loss", "--law", "power"]) == 2
  assert "--loss-tag 'val/loss': no such scalar tag" in capsys.readouterr().err
  assert cli.main(["fit", str(run), "--loss-tag", "objective", "--lr-tag", "eta"]) == 2
  assert "--lr-tag 'eta': no such scalar tag" in capsys.readouterr().err
  assert cli.main(["fit", str(run), "--loss-tag", "objective", "--law", "power"]) == 0


def test_fit_on_events_without_tensorboard_says_what_to_install(tmp_path, capsys, monkeypatch):
  run = tmp_path / "run"
  run.mkdir()
  (run / "events.out.tfevents.1.host").write_bytes(b"")
  for name in ("tensorboard", "tensorboard.backend", "tensorboard.backend.event_processing"):
    monkeypatch.setitem(sys.modules, name, None)  # importing it fails, even if imported before
  assert cli.main(["fit", str(run), "--schedule", RUN]) == 2
  assert 'pip install "optax-sched[tensorboard]"' in capsys.readouterr().err
