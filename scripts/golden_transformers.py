"""Writes tests/golden/transformers.json: traces of Transformers' schedules.

For every ``get_*`` schedule optax_sched.compat.transformers mirrors: random
hyperparameters (fixed seed) plus edge cases. Each case stores the arguments
as optax_sched takes them (``base_lr`` in place of the optimizer), the steps,
and the optimizer's LR after that many ``scheduler.step()`` calls. Run:

    python scripts/golden_transformers.py
"""

from __future__ import annotations

import random
import warnings

import torch
import transformers
from golden_common import steps_for, write
from transformers import optimization as hf

CASES_PER_NAME = 6


def trace(fn_name: str, args: dict, steps: list[int]) -> list[float]:
  """The optimizer's LR after ``t`` scheduler steps, for each ``t``."""
  args = dict(args)
  base_lr = args.pop("base_lr")
  opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=base_lr)
  sched = getattr(hf, fn_name)(opt, **args)
  wanted, out, t = set(steps), {}, 0
  while t <= steps[-1]:
    if t in wanted:
      out[t] = opt.param_groups[0]["lr"]
    sched.step()
    t += 1
  return [float(out[s]) for s in steps]


def lr(rng):
  return float(10 ** rng.uniform(-5, -2))


def warm_total(rng):
  n = rng.choice([20, 100, 300, 2000])
  return rng.choice([0, 1, rng.randrange(1, n // 2 + 1)]), n


def random_args(name: str, rng: random.Random) -> dict:
  w, n = warm_total(rng)
  base = {"base_lr": lr(rng), "num_warmup_steps": w}
  if name == "get_constant_schedule":
    return {"base_lr": lr(rng)}
  if name == "get_constant_schedule_with_warmup":
    return base
  if name == "get_linear_schedule_with_warmup":
    return {**base, "num_training_steps": n}
  if name == "get_cosine_schedule_with_warmup":
    return {
      **base,
      "num_training_steps": n,
      "num_cycles": rng.choice([0.5, 0.5, 0.25, 1.0, 1.5, rng.uniform(0.1, 3)]),
    }
  if name == "get_cosine_with_hard_restarts_schedule_with_warmup":
    return {**base, "num_training_steps": n, "num_cycles": rng.choice([1, 2, 3, 5])}
  if name == "get_polynomial_decay_schedule_with_warmup":
    return {
      **base,
      "num_training_steps": n,
      "lr_end": rng.choice([1e-7, base["base_lr"] * rng.uniform(0, 0.5)]),
      "power": rng.choice([1.0, 2.0, 0.5, rng.uniform(0.2, 4)]),
    }
  if name == "get_inverse_sqrt_schedule":
    out = dict(base)
    if rng.random() < 0.5:
      out["timescale"] = rng.choice([10, 100, 1000])
    return out
  if name in (
    "get_cosine_with_min_lr_schedule_with_warmup",
    "get_cosine_with_min_lr_schedule_with_warmup_lr_rate",
  ):
    out = {
      **base,
      "num_training_steps": n,
      "num_cycles": rng.choice([0.5, 0.5, 1.0, rng.uniform(0.1, 2)]),
    }
    if rng.random() < 0.5:
      out["min_lr"] = base["base_lr"] * rng.uniform(0, 0.5)
    else:
      out["min_lr_rate"] = rng.choice([0.0, 0.1, rng.random()])
    if name.endswith("lr_rate") and rng.random() < 0.5:
      out["warmup_lr_rate"] = rng.choice([0.0, 0.1, rng.random()])
    return out
  if name == "get_wsd_schedule":
    d = rng.randrange(0, (n - w) + 1)
    out = {
      **base,
      "num_decay_steps": d,
      "warmup_type": rng.choice(["linear", "cosine", "1-sqrt"]),
      "decay_type": rng.choice(["linear", "cosine", "1-sqrt"]),
      "min_lr_ratio": rng.choice([0.0, 0.1, rng.random()]),
      "num_cycles": rng.choice([0.5, 0.5, 1.0, rng.uniform(0.2, 2)]),
    }
    if rng.random() < 0.5:
      out["num_training_steps"] = n
    else:
      out["num_stable_steps"] = n - w - d
    return out
  raise KeyError(name)


NAMES = [
  "get_constant_schedule",
  "get_constant_schedule_with_warmup",
  "get_linear_schedule_with_warmup",
  "get_cosine_schedule_with_warmup",
  "get_cosine_with_hard_restarts_schedule_with_warmup",
  "get_polynomial_decay_schedule_with_warmup",
  "get_inverse_sqrt_schedule",
  "get_cosine_with_min_lr_schedule_with_warmup",
  "get_cosine_with_min_lr_schedule_with_warmup_lr_rate",
  "get_wsd_schedule",
]

EDGE_CASES = [
  # Past the end of training the cosine rises again.
  (
    "get_cosine_schedule_with_warmup",
    {"base_lr": 1e-3, "num_warmup_steps": 10, "num_training_steps": 50},
  ),
  (
    "get_cosine_schedule_with_warmup",
    {"base_lr": 1e-3, "num_warmup_steps": 0, "num_training_steps": 40, "num_cycles": 2.5},
  ),
  (
    "get_cosine_with_hard_restarts_schedule_with_warmup",
    {"base_lr": 1e-3, "num_warmup_steps": 5, "num_training_steps": 65, "num_cycles": 4},
  ),
  (
    "get_cosine_with_hard_restarts_schedule_with_warmup",
    {"base_lr": 1e-3, "num_warmup_steps": 3, "num_training_steps": 50, "num_cycles": 1.5},
  ),
  (
    "get_polynomial_decay_schedule_with_warmup",
    {"base_lr": 1e-3, "num_warmup_steps": 1, "num_training_steps": 2, "lr_end": 0.0},
  ),
  ("get_inverse_sqrt_schedule", {"base_lr": 1e-3, "num_warmup_steps": 0}),
  (
    "get_cosine_with_min_lr_schedule_with_warmup",
    {"base_lr": 1e-3, "num_warmup_steps": 10, "num_training_steps": 60, "min_lr": 1e-4},
  ),
  (
    "get_cosine_with_min_lr_schedule_with_warmup",
    {"base_lr": 1e-3, "num_warmup_steps": 10, "num_training_steps": 60, "min_lr_rate": 0.1},
  ),
  (
    "get_cosine_with_min_lr_schedule_with_warmup_lr_rate",
    {"base_lr": 1e-3, "num_warmup_steps": 0, "num_training_steps": 30, "min_lr_rate": 0.1},
  ),
  (
    "get_cosine_with_min_lr_schedule_with_warmup_lr_rate",
    {
      "base_lr": 1e-3,
      "num_warmup_steps": 1,
      "num_training_steps": 30,
      "min_lr_rate": 0.1,
      "warmup_lr_rate": 0.2,
    },
  ),
  (
    "get_cosine_with_min_lr_schedule_with_warmup_lr_rate",
    {"base_lr": 1e-3, "num_warmup_steps": 8, "num_training_steps": 30, "min_lr": 1e-5},
  ),
  (
    "get_wsd_schedule",
    {"base_lr": 1e-3, "num_warmup_steps": 10, "num_decay_steps": 0, "num_training_steps": 50},
  ),
  (
    "get_wsd_schedule",
    {
      "base_lr": 1e-3,
      "num_warmup_steps": 10,
      "num_decay_steps": 20,
      "num_stable_steps": 30,
      "warmup_type": "1-sqrt",
      "decay_type": "cosine",
      "num_cycles": 1.25,
      "min_lr_ratio": 0.2,
    },
  ),
]


def main() -> None:
  # torch warns that scheduler.step() runs before optimizer.step(): no
  # optimizer steps are needed to read the LR.
  warnings.simplefilter("ignore")
  rng = random.Random(20261121)
  cases = []

  def add(name, args):
    n = max(
      args.get("num_training_steps") or 0,
      args.get("num_warmup_steps", 0)
      + args.get("num_stable_steps", 0)
      + args.get("num_decay_steps", 0),
      100,
    )
    steps = steps_for(n, rng)
    cases.append(
      {
        "name": f"transformers.{name}",
        "args": args,
        "steps": steps,
        "values": trace(name, args, steps),
      }
    )

  for name in NAMES:
    for _ in range(CASES_PER_NAME):
      add(name, random_args(name, rng))
  for name, args in EDGE_CASES:
    add(name, args)
  write(
    "transformers",
    "scripts/golden_transformers.py",
    {"transformers": transformers.__version__, "torch": torch.__version__},
    cases,
  )


if __name__ == "__main__":
  main()
