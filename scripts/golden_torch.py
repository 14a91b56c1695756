"""Writes tests/golden/torch.json: traces of real torch LR schedulers.

For each scheduler optax_sched.compat.torch mirrors: random hyperparameters
(fixed seed) plus edge cases. A trace is ``optimizer.param_groups[0]['lr']``
after t calls of ``scheduler.step()`` (one ``optimizer.step()`` before each,
as in a training loop), for every t up to the end or a sample of them.

JSON conventions for arguments that are not numbers:

* nested schedulers (SequentialLR, ChainedScheduler): ``{"name":
  "torch.LinearLR", "args": {...}}``, each with the shared ``base_lr``;
* ``lr_lambda`` of LambdaLR: ``{"fn": name, "kwargs": {...}}`` naming a
  function of ``tests/golden_functions.py``; of MultiplicativeLR: a number
  (torch gets ``lambda epoch: number``);
* CyclicLR's ``scale_fn``: a name from ``golden_functions.SCALE_FNS``.

The file also records each scheduler's signature, so tests can check that
the argument names and defaults are torch's. Run (needs torch):

    python scripts/golden_torch.py
"""

from __future__ import annotations

import inspect
import pathlib
import random
import sys
import warnings

import numpy as np
import torch
from torch.optim import lr_scheduler as L

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
import golden_functions  # noqa: E402
from golden_common import sample_steps, write  # noqa: E402

CASES_PER_NAME = 6
NAMES = [
  "StepLR",
  "MultiStepLR",
  "ConstantLR",
  "LinearLR",
  "ExponentialLR",
  "PolynomialLR",
  "CosineAnnealingLR",
  "CosineAnnealingWarmRestarts",
  "CyclicLR",
  "OneCycleLR",
  "SequentialLR",
  "ChainedScheduler",
  "LambdaLR",
  "MultiplicativeLR",
]


def lr(rng):
  return float(10 ** rng.uniform(-5, -1))


def make_args(name: str, rng: random.Random) -> tuple[dict, int]:
  """Random valid torch arguments and how many steps to trace."""
  n = rng.choice([10, 50, 200, 1000])
  base = lr(rng)
  if name == "StepLR":
    return {
      "base_lr": base,
      "step_size": rng.randint(1, max(1, n // 3)),
      "gamma": rng.choice([0.1, 0.5, rng.uniform(0.05, 0.99)]),
    }, n
  if name == "MultiStepLR":
    k = rng.randint(1, 4)
    return {
      "base_lr": base,
      "milestones": sorted(rng.randint(1, n) for _ in range(k)),
      "gamma": rng.choice([0.1, 0.5, rng.uniform(0.05, 0.99)]),
    }, n + 5
  if name == "ConstantLR":
    return {
      "base_lr": base,
      "factor": rng.choice([1 / 3, 0.5, rng.uniform(0.01, 1.0)]),
      "total_iters": rng.randint(1, max(1, n // 2)),
    }, n
  if name == "LinearLR":
    return {
      "base_lr": base,
      "start_factor": rng.choice([1 / 3, rng.uniform(0.01, 1.0)]),
      "end_factor": rng.choice([1.0, 0.0, rng.uniform(0.0, 1.0)]),
      "total_iters": rng.randint(1, max(1, n // 2)),
    }, n
  if name == "ExponentialLR":
    return {"base_lr": base, "gamma": rng.uniform(0.9, 0.999)}, min(n, 400)
  if name == "PolynomialLR":
    total = rng.randint(1, n)
    return {
      "base_lr": base,
      "total_iters": total,
      "power": rng.choice([0.5, 1.0, 2.0, rng.uniform(0.1, 4.0)]),
    }, total + 20
  if name == "CosineAnnealingLR":
    t_max = rng.randint(1, n)
    return {
      "base_lr": base,
      "T_max": t_max,
      "eta_min": rng.choice([0.0, base / 100, base * rng.random()]),
    }, 3 * t_max + 3
  if name == "CosineAnnealingWarmRestarts":
    t0 = rng.randint(1, max(1, n // 4))
    return {
      "base_lr": base,
      "T_0": t0,
      "T_mult": rng.choice([1, 2, 3]),
      "eta_min": rng.choice([0.0, base / 100]),
    }, min(4000, 15 * t0 + 10)
  if name == "CyclicLR":
    up = rng.randint(1, max(1, n // 4))
    args = {
      "base_lr": base / 10,
      "max_lr": base,
      "step_size_up": up,
      "step_size_down": rng.choice([None, rng.randint(0, max(1, n // 4))]),
      "mode": rng.choice(["triangular", "triangular2", "exp_range"]),
    }
    if args["mode"] == "exp_range":
      args["gamma"] = rng.uniform(0.99, 0.99999)
    return args, min(4000, 6 * (up + (args["step_size_down"] or up)) + 3)
  if name == "OneCycleLR":
    three = rng.random() < 0.4
    n = max(n, 20)
    args = {
      "max_lr": base,
      "pct_start": rng.uniform(0.05, 0.5 if three else 0.95),
      "anneal_strategy": rng.choice(["cos", "linear"]),
      "div_factor": rng.choice([25.0, 10.0, rng.uniform(2, 100)]),
      "final_div_factor": rng.choice([1e4, 100.0]),
      "three_phase": three,
    }
    if rng.random() < 0.5:
      args["total_steps"] = n
    else:
      args["epochs"], args["steps_per_epoch"] = rng.randint(1, 10), max(2, n // 5)
      n = args["epochs"] * args["steps_per_epoch"]
    return args, n
  if name == "LambdaLR":
    fn = rng.choice(
      [
        {"fn": "warmup_cosine", "kwargs": {"warmup": n // 10, "total": n}},
        {"fn": "linear_warmup", "kwargs": {"warmup": max(1, n // 5)}},
        {"fn": "inverse_sqrt", "kwargs": {"warmup": max(1, n // 10)}},
        {"fn": "power", "kwargs": {"rate": rng.uniform(0.9, 0.999)}},
      ]
    )
    return {"base_lr": base, "lr_lambda": fn}, n + 10
  if name == "MultiplicativeLR":
    return {"base_lr": base, "lr_lambda": rng.uniform(0.9, 1.0)}, min(n, 400)
  if name == "SequentialLR":
    w = rng.randint(1, max(1, n // 5))
    second = rng.choice(
      [
        ("CosineAnnealingLR", {"T_max": n - w, "eta_min": base / 100}),
        ("ExponentialLR", {"gamma": rng.uniform(0.95, 0.999)}),
        ("StepLR", {"step_size": max(1, n // 4), "gamma": 0.5}),
        ("PolynomialLR", {"total_iters": n - w, "power": 2.0}),
      ]
    )
    return {
      "schedulers": [
        {
          "name": "torch.LinearLR",
          "args": {"base_lr": base, "start_factor": 0.1, "total_iters": w},
        },
        {"name": "torch." + second[0], "args": {"base_lr": base, **second[1]}},
      ],
      "milestones": [w],
    }, n + n // 4
  if name == "ChainedScheduler":
    first = rng.choice(
      [
        ("ConstantLR", {"factor": 0.5, "total_iters": max(1, n // 10)}),
        ("LinearLR", {"start_factor": 0.2, "total_iters": max(1, n // 5)}),
      ]
    )
    second = rng.choice(
      [
        ("ExponentialLR", {"gamma": rng.uniform(0.95, 0.999)}),
        ("StepLR", {"step_size": max(1, n // 4), "gamma": 0.5}),
        ("MultiStepLR", {"milestones": [n // 3, n // 2], "gamma": 0.3}),
        ("PolynomialLR", {"total_iters": n, "power": 1.5}),
      ]
    )
    return {
      "schedulers": [
        {"name": "torch." + k, "args": {"base_lr": base, **a}} for k, a in (first, second)
      ]
    }, n + 5
  raise KeyError(name)


# Hand-picked edges: the lesson's recipes and the quirks docs/from_torch_keras.md lists.
EDGES = [
  ("StepLR", {"base_lr": 1e-3, "step_size": 30, "gamma": 0.1}, 100),
  ("CosineAnnealingLR", {"base_lr": 1e-3, "T_max": 100, "eta_min": 1e-6}, 450),
  ("CosineAnnealingLR", {"base_lr": 0.1, "T_max": 1}, 10),
  (
    "OneCycleLR",
    {
      "max_lr": 1e-3,
      "epochs": 10,
      "steps_per_epoch": 100,
      "pct_start": 0.1,
      "anneal_strategy": "cos",
    },
    1000,
  ),
  (
    "OneCycleLR",
    {
      "max_lr": 0.1,
      "total_steps": 100,
      "pct_start": 0.25,
      "three_phase": True,
      "anneal_strategy": "linear",
    },
    100,
  ),
  ("OneCycleLR", {"max_lr": 0.1, "total_steps": 10, "pct_start": 0.0}, 10),
  ("OneCycleLR", {"max_lr": 0.1, "total_steps": 7, "pct_start": 1.0}, 7),
  ("OneCycleLR", {"max_lr": 0.1, "total_steps": 3, "pct_start": 0.1}, 3),
  (
    "LambdaLR",
    {
      "base_lr": 1e-4,
      "lr_lambda": {"fn": "warmup_cosine", "kwargs": {"warmup": 1000, "total": 50000}},
    },
    52000,
  ),
  ("CosineAnnealingWarmRestarts", {"base_lr": 0.1, "T_0": 10, "T_mult": 2, "eta_min": 1e-4}, 700),
  ("CosineAnnealingWarmRestarts", {"base_lr": 0.1, "T_0": 1, "T_mult": 3}, 400),
  ("CyclicLR", {"base_lr": 0.001, "max_lr": 0.1, "step_size_up": 10, "mode": "triangular2"}, 200),
  (
    "CyclicLR",
    {
      "base_lr": 0.001,
      "max_lr": 0.1,
      "step_size_up": 7,
      "step_size_down": 3,
      "mode": "exp_range",
      "gamma": 0.99,
    },
    200,
  ),
  ("CyclicLR", {"base_lr": 0.001, "max_lr": 0.1, "step_size_up": 5, "scale_fn": "inverse"}, 100),
  (
    "CyclicLR",
    {
      "base_lr": 0.001,
      "max_lr": 0.1,
      "step_size_up": 5,
      "scale_fn": "slow_decay",
      "scale_mode": "iterations",
    },
    100,
  ),
  ("MultiStepLR", {"base_lr": 1.0, "milestones": [3, 3, 8], "gamma": 0.5}, 12),
  ("LinearLR", {"base_lr": 0.1, "start_factor": 1.0, "end_factor": 0.0, "total_iters": 7}, 12),
  ("PolynomialLR", {"base_lr": 0.1, "total_iters": 1, "power": 0.5}, 5),
  (
    "SequentialLR",
    {
      "schedulers": [
        {"name": "torch.LinearLR", "args": {"base_lr": 0.1, "start_factor": 0.1, "total_iters": 5}},
        {"name": "torch.StepLR", "args": {"base_lr": 0.1, "step_size": 4, "gamma": 0.5}},
        {"name": "torch.CosineAnnealingLR", "args": {"base_lr": 0.1, "T_max": 20}},
      ],
      "milestones": [5, 17],
    },
    60,
  ),
  (
    "SequentialLR",
    {
      "schedulers": [
        {
          "name": "torch.LambdaLR",
          "args": {"base_lr": 0.01, "lr_lambda": {"fn": "linear_warmup", "kwargs": {"warmup": 10}}},
        },
        {
          "name": "torch.CosineAnnealingWarmRestarts",
          "args": {"base_lr": 0.01, "T_0": 8, "T_mult": 2},
        },
      ],
      "milestones": [10],
    },
    100,
  ),
  (
    "SequentialLR",
    {
      "schedulers": [
        {"name": "torch.ConstantLR", "args": {"base_lr": 0.01, "factor": 0.1, "total_iters": 20}},
        {"name": "torch.ExponentialLR", "args": {"base_lr": 0.01, "gamma": 0.9}},
      ],
      "milestones": [2],
    },
    40,
  ),
  (
    "ChainedScheduler",
    {
      "schedulers": [
        {"name": "torch.ConstantLR", "args": {"base_lr": 1.0, "factor": 0.1, "total_iters": 2}},
        {"name": "torch.ExponentialLR", "args": {"base_lr": 1.0, "gamma": 0.9}},
      ]
    },
    20,
  ),
  (
    "ChainedScheduler",
    {
      "schedulers": [
        {
          "name": "torch.LinearLR",
          "args": {"base_lr": 0.1, "start_factor": 0.1, "total_iters": 10},
        },
        {
          "name": "torch.MultiStepLR",
          "args": {"base_lr": 0.1, "milestones": [5, 15], "gamma": 0.5},
        },
        {"name": "torch.MultiplicativeLR", "args": {"base_lr": 0.1, "lr_lambda": 0.97}},
      ]
    },
    30,
  ),
]


def build(opt, name: str, args: dict):
  """The real torch scheduler for JSON-stored ``args`` on ``opt``."""
  # base_lr is the optimizer's lr, except in CyclicLR.
  args = {k: val for k, val in args.items() if k != "base_lr" or name == "CyclicLR"}
  if name in ("SequentialLR", "ChainedScheduler"):
    inner = [build(opt, c["name"].split(".")[1], c["args"]) for c in args.pop("schedulers")]
    if name == "SequentialLR":
      return L.SequentialLR(opt, inner, **args)
    return L.ChainedScheduler(inner, optimizer=opt)
  if name == "LambdaLR":
    fn = golden_functions.lr_lambda(args.pop("lr_lambda"), np)
    return L.LambdaLR(opt, lambda e: float(fn(e)), **args)
  if name == "MultiplicativeLR":
    factor = args.pop("lr_lambda")
    return L.MultiplicativeLR(opt, lambda e: factor, **args)
  if name == "CyclicLR" and "scale_fn" in args:
    fn = golden_functions.scale_fn(args.pop("scale_fn"), np)
    return L.CyclicLR(opt, scale_fn=lambda x: float(fn(x)), **args)
  return getattr(L, name)(opt, **args)


def base_lr_of(name: str, args: dict) -> float:
  if name in ("SequentialLR", "ChainedScheduler"):
    return args["schedulers"][0]["args"]["base_lr"]
  return args.get("base_lr", 0.1)


def trace(name: str, args: dict, steps: list[int]) -> list[float]:
  param = torch.zeros(1, requires_grad=True)
  opt = torch.optim.SGD([param], lr=base_lr_of(name, args), momentum=0.9)
  with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    sched = build(opt, name, args)
    lrs = [float(opt.param_groups[0]["lr"])]
    for _ in range(max(steps)):
      opt.step()
      sched.step()
      lrs.append(float(opt.param_groups[0]["lr"]))
  return [lrs[t] for t in steps]


def signatures() -> dict:
  """Each scheduler's arguments after the optimizer, with defaults."""
  out = {}
  # ReduceLROnPlateau follows a metric: its traces are golden_plateau.py's.
  for name in NAMES + ["ReduceLROnPlateau"]:
    params = list(inspect.signature(getattr(L, name)).parameters.values())
    out[name] = [
      [p.name, None if p.default is inspect.Parameter.empty else p.default]
      for p in params
      if p.name != "optimizer"
    ]
  return out


def case(name: str, args: dict, end: int, rng: random.Random) -> dict:
  steps = sample_steps(end, rng)
  return {"name": f"torch.{name}", "args": args, "steps": steps, "values": trace(name, args, steps)}


def main():
  rng = random.Random(20261121)
  cases = [case(name, *make_args(name, rng), rng) for name in NAMES for _ in range(CASES_PER_NAME)]
  cases += [case(name, args, end, rng) for name, args, end in EDGES]
  write(
    "torch",
    "scripts/golden_torch.py",
    {"torch": torch.__version__.split("+")[0]},
    cases,
    signatures=signatures(),
  )


if __name__ == "__main__":
  main()
