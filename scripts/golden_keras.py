"""Writes tests/golden/keras.json: traces of real Keras 3 LR schedules.

For each schedule optax_sched.compat.keras mirrors: random hyperparameters
(fixed seed) plus edge cases; values are ``schedule(step)`` with the JAX
backend, float32, evaluated eagerly. Run (needs keras):

    KERAS_BACKEND=jax python scripts/golden_keras.py
"""

from __future__ import annotations

import inspect
import os
import random

os.environ.setdefault("KERAS_BACKEND", "jax")

import jax  # noqa: E402
import keras  # noqa: E402
import numpy as np  # noqa: E402
from golden_common import sample_steps, write  # noqa: E402

CASES_PER_NAME = 6
NAMES = [
  "ExponentialDecay",
  "PiecewiseConstantDecay",
  "PolynomialDecay",
  "InverseTimeDecay",
  "CosineDecay",
  "CosineDecayRestarts",
]


def lr(rng):
  return float(10 ** rng.uniform(-5, -1))


def make_args(name: str, rng: random.Random) -> tuple[dict, int]:
  """Random valid Keras arguments and the length of the interesting part."""
  n = rng.choice([10, 100, 1000, 5000])
  init = lr(rng)
  if name == "ExponentialDecay":
    return {
      "initial_learning_rate": init,
      "decay_steps": max(1, n // rng.choice([1, 5, 10])),
      "decay_rate": rng.choice([0.5, 0.96, rng.uniform(0.05, 0.99), 1.5]),
      "staircase": rng.random() < 0.5,
    }, n
  if name == "PiecewiseConstantDecay":
    bounds = sorted(rng.sample(range(1, n + 1), rng.randint(1, min(5, n))))
    return {"boundaries": bounds, "values": [lr(rng) for _ in range(len(bounds) + 1)]}, n
  if name == "PolynomialDecay":
    return {
      "initial_learning_rate": init,
      "decay_steps": n,
      "end_learning_rate": rng.choice([0.0001 * init, 0.0, init / 10]),
      "power": rng.choice([0.5, 1.0, 2.0, rng.uniform(0.1, 4.0)]),
      "cycle": rng.random() < 0.5,
    }, 3 * n
  if name == "InverseTimeDecay":
    return {
      "initial_learning_rate": init,
      "decay_steps": max(1, n // rng.choice([1, 10])),
      "decay_rate": rng.choice([0.5, rng.uniform(0.0, 3.0)]),
      "staircase": rng.random() < 0.5,
    }, n
  if name == "CosineDecay":
    args = {
      "initial_learning_rate": init,
      "decay_steps": n,
      "alpha": rng.choice([0.0, 0.1, rng.random()]),
    }
    if rng.random() < 0.6:
      args["warmup_target"] = init * rng.uniform(1, 10)
      args["warmup_steps"] = rng.randint(0, n // 2)
    return args, n + args.get("warmup_steps", 0)
  if name == "CosineDecayRestarts":
    first = max(1, n // rng.choice([4, 10]))
    return {
      "initial_learning_rate": init,
      "first_decay_steps": first,
      "t_mul": rng.choice([1.0, 2.0, 1.5, 3.0]),
      "m_mul": rng.choice([1.0, 0.9, 0.5]),
      "alpha": rng.choice([0.0, 0.01, rng.random()]),
    }, min(6 * first, 5000)
  raise KeyError(name)


EDGES = [
  ("PiecewiseConstantDecay", {"boundaries": [100000, 110000], "values": [1.0, 0.5, 0.1]}, 110000),
  ("PiecewiseConstantDecay", {"boundaries": [3, 7], "values": [1.0, 0.5, 0.1]}, 10),
  (
    "PolynomialDecay",
    {
      "initial_learning_rate": 0.1,
      "decay_steps": 10,
      "end_learning_rate": 0.01,
      "power": 0.5,
      "cycle": True,
    },
    60,
  ),
  (
    "CosineDecay",
    {
      "initial_learning_rate": 0.0,
      "decay_steps": 1000,
      "alpha": 0.1,
      "warmup_target": 1e-3,
      "warmup_steps": 100,
    },
    1100,
  ),
  (
    "CosineDecay",
    {"initial_learning_rate": 1e-3, "decay_steps": 100, "warmup_target": 2e-3, "warmup_steps": 0},
    100,
  ),
  ("CosineDecayRestarts", {"initial_learning_rate": 1e-3, "first_decay_steps": 10}, 300),
  (
    "CosineDecayRestarts",
    {
      "initial_learning_rate": 1e-3,
      "first_decay_steps": 7,
      "t_mul": 1.0,
      "m_mul": 0.8,
      "alpha": 0.1,
    },
    100,
  ),
  (
    "ExponentialDecay",
    {"initial_learning_rate": 1e-3, "decay_steps": 1000, "decay_rate": 0.96, "staircase": True},
    10000,
  ),
  ("InverseTimeDecay", {"initial_learning_rate": 0.1, "decay_steps": 1.0, "decay_rate": 0.5}, 50),
]


def trace(name: str, args: dict, steps: list[int]) -> list[float]:
  sched = getattr(keras.optimizers.schedules, name)(**args)
  # Eager, not jitted: under jit XLA may divide by multiplying with a
  # reciprocal, so PolynomialDecay's `1 - step/decay_steps` lands an ulp off
  # 0 at the end of the decay and a fractional power turns that into a
  # visible error (or nan); eager values are the formula's.
  if name == "CosineDecay" and args.get("warmup_target") is not None:
    # Its warmup branch is an ops.cond: one scalar step at a time.
    return [float(sched(np.int32(t))) for t in steps]
  return [float(x) for x in np.asarray(sched(np.asarray(steps, np.int32)))]


def signatures() -> dict:
  """Each schedule's arguments and defaults (``name`` left out)."""
  out = {}
  for name in NAMES:
    params = inspect.signature(getattr(keras.optimizers.schedules, name)).parameters.values()
    out[name] = [
      [p.name, None if p.default is inspect.Parameter.empty else p.default]
      for p in params
      if p.name != "name"
    ]
  return out


def case(name: str, args: dict, length: int, rng: random.Random) -> dict:
  steps = sample_steps(int(length * 1.5) + 5, rng, edges=(length - 1, length, length + 1))
  return {"name": f"keras.{name}", "args": args, "steps": steps, "values": trace(name, args, steps)}


def main():
  rng = random.Random(20261121)
  cases = [case(name, *make_args(name, rng), rng) for name in NAMES for _ in range(CASES_PER_NAME)]
  cases += [case(name, args, length, rng) for name, args, length in EDGES]
  write(
    "keras",
    "scripts/golden_keras.py",
    {"keras": keras.__version__, "jax": jax.__version__},
    cases,
    signatures=signatures(),
  )


if __name__ == "__main__":
  main()
