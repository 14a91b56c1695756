"""The real loss logs of tests/data/loss_logs, with every run's per-update LRs.

Each run's rates are rebuilt from its schedule in ``manifest.json`` with
optax_sched's own schedules (and checked against the logged ``lr`` column).
"""

import csv
import json
import pathlib

import numpy as np

import optax_sched as sched
from optax_sched.compat import torch as torch_lr

DATA = pathlib.Path(__file__).parent / "data" / "loss_logs"


def _after_warmup(warmup, rest, a):
  return sched.join_schedules([warmup, rest], [a["warmup_steps"]])


def schedule(spec: dict):
  """The optax_sched schedule of one manifest ``schedule`` entry."""
  kind, total, a = spec["kind"], spec["total_steps"], spec["args"]
  peak, w = a["peak"], a["warmup_steps"]
  if kind.startswith("mpl_"):
    ramp = sched.linear_schedule(0.0, peak, w - 1)  # linspace(0, peak, W)
    rest = {
      "mpl_cosine": lambda: sched.cosine_decay_schedule(peak, total - w, a.get("end", 0) / peak),
      "mpl_constant": lambda: sched.constant_schedule(peak),
      "mpl_two_stage": lambda: sched.piecewise_constant_schedule(
        peak, {a["stage_a"] - w: a["lr_b"] / peak}
      ),
      "mpl_wsd_exp": lambda: sched.exponential_decay(
        peak, total - a["decay"], a["end"] / peak, a["decay"] - w
      ),
      "mpl_wsd_linear": lambda: sched.linear_schedule(
        peak, a["end"], total - a["decay"], a["decay"] - w
      ),
    }[kind]()
    return _after_warmup(ramp, rest, a)
  if kind == "onecycle_cos":
    return torch_lr.OneCycleLR(
      peak,
      total_steps=total,
      pct_start=w / total,
      div_factor=peak / a["init_lr"],
      final_div_factor=a["init_lr"] / a["final_lr"],
    )
  if kind == "epfml_wsd":
    n_decay = int(a["fract_decay"] * total)
    ramp = sched.linear_schedule(peak / a["init_div"], peak, w)
    rest = sched.linear_schedule(peak, a["final_factor"] * peak, n_decay, total - n_decay - w)
    return _after_warmup(ramp, rest, a)
  raise ValueError(f"unknown schedule kind {kind!r}")


def load(model: str) -> tuple[dict, dict]:
  """``(manifest entry, {run: (lrs, steps, losses)})`` of one model."""
  entry = json.loads((DATA / "manifest.json").read_text())["models"][model]
  runs = {}
  for name, run in entry["runs"].items():
    with open(DATA / run["csv"]) as f:
      rows = np.array([[float(v) for v in r] for r in list(csv.reader(f))[1:]])
    total = run["schedule"]["total_steps"]
    lrs = np.asarray(schedule(run["schedule"])(np.arange(total)), np.float64)
    steps = rows[:, 0].astype(int)
    runs[name] = (lrs, steps, rows[:, 2], rows[:, 1])
  return entry, runs
