"""Writes tests/golden/optax.json: traces of real optax schedules.

Random hyperparameters (fixed seed) plus edge cases, for every schedule name
optax_sched mirrors. Each case stores the arguments exactly as passed to
optax (``boundaries_and_scales`` as ``[[step, scale], ...]`` because JSON keys
are strings), the steps, and optax's values. Run:

    python scripts/golden_optax.py
"""

from __future__ import annotations

import json
import pathlib
import random

import jax
import jax.numpy as jnp
import numpy as np
import optax

OUT = pathlib.Path(__file__).resolve().parent.parent / "tests" / "golden" / "optax.json"
CASES_PER_NAME = 6


def steps_for(length: int, rng: random.Random) -> list[int]:
  """Every step up to a small length, else edges plus a random sample."""
  end = int(length * 1.3) + 5
  if end <= 400:
    return list(range(end))
  picks = {0, 1, length - 1, length, length + 1, end}
  picks.update(rng.randrange(end) for _ in range(300))
  return sorted(p for p in picks if p >= 0)


def lr(rng):
  return float(10 ** rng.uniform(-5, -1))


def make_args(name: str, rng: random.Random) -> tuple[dict, int]:
  """Random valid arguments for ``name`` and the length of its interesting part."""
  n = rng.choice([10, 100, 1000, 5000])
  if name == "constant_schedule":
    return {"value": lr(rng)}, n
  if name == "linear_schedule":
    return {
      "init_value": lr(rng),
      "end_value": lr(rng),
      "transition_steps": n,
      "transition_begin": rng.choice([0, n // 4]),
    }, n + n // 4
  if name == "polynomial_schedule":
    return {
      "init_value": lr(rng),
      "end_value": lr(rng),
      "power": rng.choice([0.5, 1.0, 2.0, 3.7]),
      "transition_steps": n,
      "transition_begin": rng.choice([0, n // 3]),
    }, n + n // 3
  if name == "cosine_decay_schedule":
    return {
      "init_value": lr(rng),
      "decay_steps": n,
      "alpha": rng.choice([0.0, 0.1, rng.random()]),
      "exponent": rng.choice([1.0, 2.0, 0.5]),
    }, n
  if name == "warmup_cosine_decay_schedule":
    w = rng.randrange(0, n // 2 + 1)
    return {
      "init_value": rng.choice([0.0, lr(rng) / 10]),
      "peak_value": lr(rng),
      "warmup_steps": w,
      "decay_steps": n,
      "end_value": rng.choice([0.0, 1e-6, lr(rng) / 100]),
      "exponent": rng.choice([1.0, 2.0]),
    }, n
  if name == "warmup_constant_schedule":
    return {"init_value": rng.choice([0.0, lr(rng)]), "peak_value": lr(rng), "warmup_steps": n}, n
  if name == "exponential_decay":
    args = {
      "init_value": lr(rng),
      "transition_steps": max(1, n // 10),
      "decay_rate": rng.choice([0.5, 0.9, 0.96, rng.uniform(0.1, 0.99)]),
      "transition_begin": rng.choice([0, n // 5]),
      "staircase": rng.random() < 0.5,
    }
    if rng.random() < 0.5:
      args["end_value"] = args["init_value"] * 0.05
    return args, n
  if name == "warmup_exponential_decay_schedule":
    args = {
      "init_value": 0.0,
      "peak_value": lr(rng),
      "warmup_steps": n // 10,
      "transition_steps": max(1, n // 10),
      "decay_rate": rng.uniform(0.2, 0.99),
      "transition_begin": rng.choice([0, n // 5]),
      "staircase": rng.random() < 0.5,
    }
    if rng.random() < 0.5:
      args["end_value"] = args["peak_value"] * 0.1
    return args, n
  if name in ("piecewise_constant_schedule", "piecewise_interpolate_schedule"):
    k = rng.randrange(1, 6)
    bounds = sorted(rng.sample(range(1, n + 1), k))
    pairs = [[b, rng.choice([0.1, 0.5, 2.0, rng.uniform(0, 3)])] for b in bounds]
    args = {"init_value": lr(rng), "boundaries_and_scales": pairs}
    if name == "piecewise_interpolate_schedule":
      args = {"interpolate_type": rng.choice(["linear", "cosine"]), **args}
    return args, n
  if name == "linear_onecycle_schedule":
    n = max(n, 100)
    s = rng.uniform(0.05, 0.5)
    return {
      "transition_steps": n,
      "peak_value": lr(rng),
      "pct_start": s,
      "pct_final": rng.uniform(s + 0.05, 0.95),
      "div_factor": rng.choice([25.0, 10.0]),
      "final_div_factor": rng.choice([1e4, 100.0]),
    }, n
  if name == "cosine_onecycle_schedule":
    n = max(n, 100)
    return {
      "transition_steps": n,
      "peak_value": lr(rng),
      "pct_start": rng.uniform(0.05, 0.6),
      "div_factor": rng.choice([25.0, 10.0]),
      "final_div_factor": rng.choice([1e4, 100.0]),
    }, n
  if name == "sgdr_schedule":
    cycles, total = [], 0
    for _ in range(rng.randrange(1, 4)):
      d = rng.choice([50, 100, 300])
      cycles.append(
        {
          "init_value": lr(rng) / 10,
          "peak_value": lr(rng),
          "warmup_steps": d // 10,
          "decay_steps": d,
          "end_value": 0.0,
        }
      )
      total += d
    return {"cosine_kwargs": cycles}, total
  if name == "join_schedules":
    w, d = rng.choice([10, 100]), rng.choice([100, 1000])
    peak = lr(rng)
    return {
      "schedules": [
        {
          "name": "linear_schedule",
          "args": {"init_value": 0.0, "end_value": peak, "transition_steps": w},
        },
        {
          "name": "cosine_decay_schedule",
          "args": {"init_value": peak, "decay_steps": d, "alpha": 0.1},
        },
        {"name": "constant_schedule", "args": {"value": peak * 0.1}},
      ],
      "boundaries": [w, w + d],
    }, w + d
  raise KeyError(name)


def build(name: str, args: dict):
  """The real optax schedule for JSON-stored ``args``."""
  args = dict(args)
  if "boundaries_and_scales" in args:
    args["boundaries_and_scales"] = {b: s for b, s in args["boundaries_and_scales"]}
  if name == "join_schedules":
    return optax.join_schedules(
      [build(p["name"], p["args"]) for p in args["schedules"]], args["boundaries"]
    )
  if name == "sgdr_schedule":
    return optax.sgdr_schedule(args["cosine_kwargs"])
  return getattr(optax, name)(**args)


NAMES = [
  "constant_schedule",
  "linear_schedule",
  "polynomial_schedule",
  "cosine_decay_schedule",
  "warmup_cosine_decay_schedule",
  "warmup_constant_schedule",
  "warmup_exponential_decay_schedule",
  "exponential_decay",
  "piecewise_constant_schedule",
  "piecewise_interpolate_schedule",
  "linear_onecycle_schedule",
  "cosine_onecycle_schedule",
  "sgdr_schedule",
  "join_schedules",
]

# Hand-picked edges: the lesson's schedules and boundary conditions.
EDGES = [
  ("cosine_decay_schedule", {"init_value": 1e-3, "decay_steps": 10000, "alpha": 0.0}, 10000),
  (
    "warmup_cosine_decay_schedule",
    {
      "init_value": 0.0,
      "peak_value": 1e-3,
      "warmup_steps": 1000,
      "decay_steps": 50000,
      "end_value": 1e-5,
    },
    50000,
  ),
  (
    "warmup_cosine_decay_schedule",
    {"init_value": 0.0, "peak_value": 1e-3, "warmup_steps": 0, "decay_steps": 100},
    100,
  ),
  ("exponential_decay", {"init_value": 1e-3, "transition_steps": 1000, "decay_rate": 0.96}, 10000),
  (
    "exponential_decay",
    {"init_value": 1e-3, "transition_steps": 7, "decay_rate": 1.5, "end_value": 5e-3},
    100,
  ),
  (
    "piecewise_constant_schedule",
    {"init_value": 1e-3, "boundaries_and_scales": [[5000, 0.1], [8000, 0.1]]},
    10000,
  ),
  (
    "polynomial_schedule",
    {"init_value": 1e-3, "end_value": 1e-5, "power": 2.0, "transition_steps": 10000},
    10000,
  ),
  (
    "sgdr_schedule",
    {
      "cosine_kwargs": [
        {"init_value": 1e-3, "peak_value": 1e-3, "decay_steps": 5000, "warmup_steps": 500},
        {"init_value": 1e-3, "peak_value": 5e-4, "decay_steps": 5000, "warmup_steps": 500},
      ]
    },
    10000,
  ),
]


def trace(name, args, steps):
  fn = build(name, args)
  # optax's piecewise_interpolate family rejects step arrays: map one at a
  # time. Not jitted: under jit XLA may divide by multiplying with a
  # reciprocal, and optax's polynomial_schedule then gives NaN for a
  # fractional power at the end of its transition; eager values are the
  # formula's.
  values = jax.vmap(lambda t: jnp.asarray(fn(t), jnp.float32))(jnp.asarray(steps, jnp.int32))
  return [float(x) for x in np.asarray(values)]


def main():
  rng = random.Random(20261121)
  cases = []
  for name in NAMES:
    for _ in range(CASES_PER_NAME):
      args, length = make_args(name, rng)
      steps = steps_for(length, rng)
      cases.append({"name": name, "args": args, "steps": steps, "values": trace(name, args, steps)})
  for name, args, length in EDGES:
    steps = steps_for(length, rng)
    cases.append({"name": name, "args": args, "steps": steps, "values": trace(name, args, steps)})
  OUT.parent.mkdir(parents=True, exist_ok=True)
  OUT.write_text(
    json.dumps(
      {
        "generator": "scripts/golden_optax.py",
        "versions": {"optax": optax.__version__, "jax": jax.__version__},
        "cases": cases,
      },
      indent=None,
      separators=(",", ":"),
    )
  )
  print(f"wrote {len(cases)} cases to {OUT.name}")


if __name__ == "__main__":
  main()
