"""Writes tests/golden/timm.json: traces of timm's LR schedulers.

timm's package ``__init__`` imports torchvision; the scheduler modules need
only torch, so a stub ``timm`` package is registered and
``timm/scheduler/*.py`` are loaded from the installed files. For each
scheduler optax_sched.compat.timm mirrors: random hyperparameters (fixed
seed) plus edge cases. Each case stores the arguments as optax_sched takes
them (``base_lr`` in place of the optimizer), the steps, and the LR timm
sets after ``step(t)`` (``t_in_epochs=True``) or ``step_update(t)``
(``False``). Run:

    python scripts/golden_timm.py
"""

from __future__ import annotations

import importlib.util
import logging
import pathlib
import random
import sys
import types

import torch
from golden_common import steps_for, write

CASES_PER_NAME = 6
NAMES = [
  "CosineLRScheduler",
  "TanhLRScheduler",
  "PolyLRScheduler",
  "StepLRScheduler",
  "MultiStepLRScheduler",
  "WSDLRScheduler",
]


def load_timm_schedulers():
  """timm's scheduler modules, without importing timm (and torchvision)."""
  spec = importlib.util.find_spec("timm")
  root = pathlib.Path(spec.submodule_search_locations[0])
  for name in ("timm", "timm.scheduler"):
    pkg = types.ModuleType(name)
    pkg.__path__ = [str(root / name.partition(".")[2].replace(".", "/"))]
    sys.modules[name] = pkg
  modules = {}
  for stem in ("scheduler", "cosine_lr", "tanh_lr", "poly_lr", "step_lr", "multistep_lr", "wsd_lr"):
    full = f"timm.scheduler.{stem}"
    mspec = importlib.util.spec_from_file_location(full, root / "scheduler" / f"{stem}.py")
    module = importlib.util.module_from_spec(mspec)
    sys.modules[full] = module
    mspec.loader.exec_module(module)
    modules[stem] = module
  version = (root / "version.py").read_text().split("'")[1]
  return {
    name: getattr(m, name) for m in modules.values() for name in NAMES if hasattr(m, name)
  }, version


def trace(cls, args: dict, steps: list[int]) -> list[float]:
  args = dict(args)
  base_lr = args.pop("base_lr")
  opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=base_lr)
  sched = cls(opt, **args)
  out = []
  for t in steps:
    if args.get("t_in_epochs", True):
      sched.step(t)
    else:
      sched.step_update(t)
    out.append(float(opt.param_groups[0]["lr"]))
  return out


def lr(rng):
  return float(10 ** rng.uniform(-4, -1))


def warmup_args(rng, prefix_default):
  out = {}
  if rng.random() < 0.6:
    out["warmup_t"] = rng.choice([1, 3, rng.randrange(1, 30)])
    out["warmup_lr_init"] = rng.choice([0.0, 1e-6, 1e-5])
    out["warmup_prefix"] = rng.choice([True, False])
  if rng.random() < 0.3:
    out["t_in_epochs"] = False
  return out


def random_args(name: str, rng: random.Random) -> tuple[dict, int]:
  t = rng.choice([10, 37, 100, 500])
  base = {"base_lr": lr(rng)}
  if name in ("CosineLRScheduler", "TanhLRScheduler", "PolyLRScheduler"):
    args = {
      **base,
      "t_initial": t,
      "lr_min": rng.choice([0.0, 1e-6, base["base_lr"] * 0.01]),
      "cycle_mul": rng.choice([1.0, 1.0, 2.0, 1.5]),
      "cycle_decay": rng.choice([1.0, 0.5, 0.9]),
      "cycle_limit": rng.choice([1, 1, 2, 3, 100]),
      **warmup_args(rng, False),
    }
    if name == "CosineLRScheduler" and rng.random() < 0.4:
      args["k_decay"] = rng.choice([0.5, 2.0, 1.3])
    if name == "PolyLRScheduler":
      args["power"] = rng.choice([0.5, 1.0, 2.0, rng.uniform(0.2, 3)])
      if rng.random() < 0.4:
        args["k_decay"] = rng.choice([0.5, 2.0])
    if name == "TanhLRScheduler" and rng.random() < 0.5:
      args["lb"], args["ub"] = rng.choice([(-6.0, 4.0), (-3.0, 3.0)])
    return args, 3 * t
  if name == "StepLRScheduler":
    return {
      **base,
      "decay_t": rng.choice([3, 10, 30, 7.5]),
      "decay_rate": rng.choice([0.1, 0.5, 0.97]),
      **warmup_args(rng, True),
    }, 4 * t
  if name == "MultiStepLRScheduler":
    ms = sorted(rng.sample(range(0, t * 2), rng.randrange(1, 5)))
    if rng.random() < 0.3:
      ms.append(ms[-1])
    return {
      **base,
      "decay_t": ms,
      "decay_rate": rng.choice([0.1, 0.5]),
      **warmup_args(rng, True),
    }, 2 * t
  if name == "WSDLRScheduler":
    w = rng.choice([0, 5, 20])
    args = {
      **base,
      "t_initial": t,
      "decay_t": rng.randrange(1, t + 1),
      "lr_min": rng.choice([0.0, base["base_lr"] * 0.1]),
      "decay_fn": rng.choice(["linear", "1-sqrt", "cosine", "power", "exp"]),
      "warmup_t": w,
      "warmup_lr_init": rng.choice([0.0, 1e-6]),
    }
    if args["decay_fn"] == "power":
      args["decay_power"] = rng.choice([0.5, 2.0, 1.7])
    if args["decay_fn"] == "exp":
      args["decay_ratio"] = rng.choice([0.1, 0.5, 0.01])
    if w and rng.random() < 0.5:
      args["stable_fn"] = rng.choice(["rsqrt", "power"])
      if args["stable_fn"] == "power":
        args["stable_power"] = rng.choice([0.3, 1.0])
      if rng.random() < 0.5:
        args["stable_timescale"] = rng.choice([10, 50.0])
    if rng.random() < 0.3:
      args["t_in_epochs"] = False
    return args, w + t
  raise KeyError(name)


EDGE_CASES = [
  (
    "CosineLRScheduler",
    {
      "base_lr": 0.1,
      "t_initial": 10,
      "cycle_mul": 2.0,
      "cycle_limit": 4,
      "cycle_decay": 0.5,
      "lr_min": 1e-4,
    },
  ),
  (
    "CosineLRScheduler",
    {
      "base_lr": 0.1,
      "t_initial": 20,
      "warmup_t": 5,
      "warmup_lr_init": 1e-3,
      "warmup_prefix": True,
      "k_decay": 2.0,
    },
  ),
  (
    "CosineLRScheduler",
    {
      "base_lr": 0.1,
      "t_initial": 20,
      "warmup_t": 5,
      "warmup_lr_init": 1e-3,
      "warmup_prefix": False,
    },
  ),
  ("CosineLRScheduler", {"base_lr": 0.1, "t_initial": 7, "cycle_mul": 1.5, "cycle_limit": 6}),
  (
    "TanhLRScheduler",
    {
      "base_lr": 0.1,
      "t_initial": 20,
      "warmup_t": 5,
      "warmup_lr_init": 1e-3,
      "warmup_prefix": False,
    },
  ),
  (
    "TanhLRScheduler",
    {
      "base_lr": 0.1,
      "t_initial": 20,
      "warmup_t": 5,
      "warmup_lr_init": 1e-3,
      "warmup_prefix": True,
      "cycle_limit": 3,
      "cycle_decay": 0.7,
    },
  ),
  (
    "PolyLRScheduler",
    {
      "base_lr": 0.1,
      "t_initial": 15,
      "power": 1.0,
      "cycle_mul": 2.0,
      "cycle_limit": 3,
      "lr_min": 1e-3,
    },
  ),
  (
    "StepLRScheduler",
    {"base_lr": 0.1, "decay_t": 10, "decay_rate": 0.5, "warmup_t": 4, "warmup_prefix": False},
  ),
  ("MultiStepLRScheduler", {"base_lr": 0.1, "decay_t": [0, 10, 10, 25], "decay_rate": 0.5}),
  (
    "MultiStepLRScheduler",
    {
      "base_lr": 0.1,
      "decay_t": [5, 15],
      "decay_rate": 0.1,
      "warmup_t": 3,
      "warmup_lr_init": 1e-4,
      "warmup_prefix": False,
    },
  ),
  (
    "WSDLRScheduler",
    {"base_lr": 0.1, "t_initial": 50, "decay_t": 50, "decay_fn": "1-sqrt", "lr_min": 0.2},
  ),
  (
    "WSDLRScheduler",
    {
      "base_lr": 0.1,
      "t_initial": 60,
      "decay_t": 20,
      "stable_fn": "rsqrt",
      "warmup_t": 10,
      "decay_fn": "linear",
      "lr_min": 0.04,
    },
  ),
]


def main() -> None:
  logging.disable(logging.WARNING)
  classes, version = load_timm_schedulers()
  rng = random.Random(20261121)
  cases = []

  def add(name, args, length):
    steps = steps_for(max(length, 60), rng)
    cases.append(
      {
        "name": f"timm.{name}",
        "args": args,
        "steps": steps,
        "values": trace(classes[name], args, steps),
      }
    )

  for name in NAMES:
    for _ in range(CASES_PER_NAME):
      add(name, *random_args(name, rng))
  for name, args in EDGE_CASES:
    add(name, args, 100)
  write("timm", "scripts/golden_timm.py", {"timm": version, "torch": torch.__version__}, cases)


if __name__ == "__main__":
  main()
