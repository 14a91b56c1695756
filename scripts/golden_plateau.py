"""Writes tests/golden/plateau.json: real torch ReduceLROnPlateau on metric sequences.

Random arguments and noisy decreasing (or increasing, for mode "max") metric
sequences with a fixed seed, plus edge cases: long plateaus, cooldown, the
min_lr floor, eps swallowing a reduction, mode "max", the abs threshold,
nan metrics. Each case stores the arguments as passed to torch (``base_lr``
is the optimizer's lr), the metrics, and after every ``step(metric)`` the lr
and the scheduler's ``best``, ``num_bad_epochs`` and ``cooldown_counter``.

    python scripts/golden_plateau.py
"""

from __future__ import annotations

import json
import math
import pathlib
import random

import torch

OUT = pathlib.Path(__file__).resolve().parent.parent / "tests" / "golden" / "plateau.json"


def trace(args: dict, metrics: list[float]) -> dict:
  opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=args["base_lr"])
  kw = {k: a for k, a in args.items() if k != "base_lr"}
  sched = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, **kw)
  out = {"lr": [], "best": [], "num_bad_epochs": [], "cooldown_counter": []}
  for m in metrics:
    sched.step(m)
    out["lr"].append(opt.param_groups[0]["lr"])
    out["best"].append(_json_float(sched.best))
    out["num_bad_epochs"].append(sched.num_bad_epochs)
    out["cooldown_counter"].append(sched.cooldown_counter)
  return {
    "name": "ReduceLROnPlateau",
    "args": args,
    "metrics": [_json_float(m) for m in metrics],
    **out,
  }


def _json_float(x: float):
  """JSON has no inf/nan: they are written as strings."""
  return x if math.isfinite(x) else str(x)


def noisy(rng: random.Random, n: int, sign: float) -> list[float]:
  """A loss-like curve: falls, then flattens, with noise."""
  return [
    sign * (2.0 * math.exp(-k / rng.uniform(3, 15)) + 0.3 + rng.gauss(0, 0.02)) for k in range(n)
  ]


def random_cases(rng: random.Random, count: int) -> list[dict]:
  cases = []
  for _ in range(count):
    mode = rng.choice(["min", "max"])
    args = {
      "base_lr": float(10 ** rng.uniform(-4, -1)),
      "mode": mode,
      "factor": rng.choice([0.1, 0.5, rng.uniform(0.05, 0.95)]),
      "patience": rng.choice([0, 1, 2, 3, 5]),
      "threshold": rng.choice([0.0, 1e-4, 1e-2, rng.uniform(0, 0.05)]),
      "threshold_mode": rng.choice(["rel", "abs"]),
      "cooldown": rng.choice([0, 0, 1, 3]),
      "min_lr": rng.choice([0.0, 1e-6, 1e-4]),
      "eps": rng.choice([1e-8, 0.0]),
    }
    metrics = noisy(rng, rng.choice([20, 40, 60]), -1.0 if mode == "max" else 1.0)
    cases.append(trace(args, metrics))
  return cases


def edge_cases() -> list[dict]:
  flat = [1.0] * 30
  return [
    # A long plateau with the defaults.
    trace({"base_lr": 0.1}, [2.0, 1.5] + flat),
    # Patience 0: every non-improvement reduces.
    trace({"base_lr": 0.1, "patience": 0, "factor": 0.5}, flat[:12]),
    # Cooldown ignores bad epochs after a reduction.
    trace({"base_lr": 0.1, "patience": 1, "cooldown": 3, "factor": 0.5}, flat),
    # The floor: reductions stop at min_lr.
    trace({"base_lr": 1e-2, "patience": 0, "min_lr": 1e-4}, flat[:10]),
    # eps larger than the step: the reduction is skipped.
    trace({"base_lr": 1e-2, "patience": 0, "factor": 0.5, "eps": 1e-2}, flat[:6]),
    # Mode max with a relative threshold: small gains do not count.
    trace(
      {"base_lr": 0.1, "mode": "max", "patience": 2, "threshold": 0.1},
      [0.5, 0.52, 0.54, 0.56, 0.7, 0.71, 0.72, 0.73, 0.9, 0.9, 0.9, 0.9],
    ),
    # Abs threshold in mode min: gains under 0.05 are bad epochs.
    trace(
      {"base_lr": 0.1, "patience": 1, "threshold": 0.05, "threshold_mode": "abs"},
      [1.0, 0.97, 0.94, 0.91, 0.8, 0.79, 0.6, 0.58, 0.57, 0.56],
    ),
    # Abs threshold in mode max.
    trace(
      {"base_lr": 0.1, "mode": "max", "patience": 1, "threshold": 0.05, "threshold_mode": "abs"},
      [0.1, 0.12, 0.2, 0.21, 0.22, 0.4, 0.41, 0.42, 0.43],
    ),
    # Negative metrics with a relative threshold (torch's formula as is).
    trace(
      {"base_lr": 0.1, "patience": 1, "threshold": 0.1},
      [-1.0, -1.05, -1.2, -1.25, -1.3, -1.6, -1.61, -1.62],
    ),
    # nan is never better.
    trace(
      {"base_lr": 0.1, "patience": 1, "factor": 0.5},
      [1.0, float("nan"), float("nan"), 0.5, float("nan"), float("nan"), 0.4],
    ),
    # Improvement resets the bad count mid-plateau.
    trace(
      {"base_lr": 0.1, "patience": 2, "factor": 0.5},
      [1.0, 1.0, 1.0, 0.9, 0.9, 0.9, 0.9, 0.8, 0.8, 0.8, 0.8, 0.8],
    ),
  ]


def main():
  rng = random.Random(20261121)
  cases = edge_cases() + random_cases(rng, 24)
  OUT.write_text(
    json.dumps(
      {
        "generator": "scripts/golden_plateau.py",
        "versions": {"torch": torch.__version__},
        "cases": cases,
      },
      indent=1,
    )
  )
  print(f"wrote {len(cases)} cases to {OUT}")


if __name__ == "__main__":
  main()
