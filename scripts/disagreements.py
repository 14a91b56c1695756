"""Writes tests/golden/disagreements.json: where a library rounds and optax_sched is exact.

Runs the real libraries (timm's scheduler modules with torch, Keras 3 on the
JAX backend, optax) at the steps where their floating-point arithmetic moves
a restart or an end value, and prints each case: docs/disagreements.md
quotes these numbers. Run:

    KERAS_BACKEND=jax python scripts/disagreements.py
"""

from __future__ import annotations

import math
import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import jax  # noqa: E402
import optax  # noqa: E402
from golden_common import write  # noqa: E402
from golden_timm import load_timm_schedulers, trace  # noqa: E402


def restart_steps(first: int, mult: int, count: int) -> list[int]:
  """The step at which cycle k (1..count) begins: first * (mult**k - 1) / (mult - 1)."""
  return [first * (mult**k - 1) // (mult - 1) for k in range(1, count + 1)]


def timm_cases(schedulers) -> list[dict]:
  """timm's cycle index is floor(math.log(...)): math.log(243, 3) is 4.999..."""
  cases = []
  for first, mult in ((1, 3), (10, 3), (1, 10), (7, 10)):
    args = dict(
      base_lr=1.0,
      t_initial=first,
      cycle_mul=float(mult),
      cycle_limit=40,
      lr_min=0.0,
      t_in_epochs=True,
    )
    starts = restart_steps(first, mult, 8 if mult == 3 else 5)
    values = trace(schedulers["CosineLRScheduler"], args, starts)
    after = trace(schedulers["CosineLRScheduler"], args, [t + 1 for t in starts])
    found = zip(starts, values, after, strict=True)
    late = [(k + 1, t, v, a) for k, (t, v, a) in enumerate(found) if v != 1.0]
    for cycle, step, value, next_value in late:
      cases.append(
        {
          "library": "timm",
          "name": "timm.CosineLRScheduler",
          "args": args,
          "cycle": cycle,
          "step": step,
          "library_value": value,
          "library_next_value": next_value,
          "exact_value": 1.0,
          "log": math.log(mult**cycle, mult),
        }
      )
  return cases


def keras_cases() -> list[dict]:
  """Keras computes the cycle index with a float32 log."""
  import keras

  cases = []
  for first, mult in ((1, 2), (1, 3), (3, 2), (10, 3), (1, 10)):
    fn = keras.optimizers.schedules.CosineDecayRestarts(
      1.0, first_decay_steps=first, t_mul=float(mult), alpha=0.0
    )
    for cycle, step in enumerate(restart_steps(first, mult, 30), start=1):
      if step >= 2**31 - 1:
        break
      value = float(fn(step))
      if value != 1.0:
        cases.append(
          {
            "library": "keras",
            "name": "keras.CosineDecayRestarts",
            "args": {
              "initial_learning_rate": 1.0,
              "first_decay_steps": first,
              "t_mul": float(mult),
            },
            "cycle": cycle,
            "step": step,
            "library_value": value,
            "library_next_value": float(fn(step + 1)),
            "exact_value": 1.0,
          }
        )
  return cases


def optax_cases() -> list[dict]:
  """optax's polynomial_schedule: 1 - count / T under jit is not 0 at count = T."""
  cases = []
  for steps in (3, 7, 10, 100, 1000):
    for power in (0.5, 1.5):
      s = optax.polynomial_schedule(1.0, 0.0, power, steps)
      eager, jitted = float(s(steps)), float(jax.jit(s)(steps))
      if eager != jitted or eager != 0.0:
        cases.append(
          {
            "library": "optax",
            "name": "polynomial_schedule",
            "args": {
              "init_value": 1.0,
              "end_value": 0.0,
              "power": power,
              "transition_steps": steps,
            },
            "step": steps,
            "library_value": jitted,
            "library_eager_value": eager,
            "exact_value": 0.0,
          }
        )
  return cases


def main() -> None:
  import keras

  schedulers, timm_version = load_timm_schedulers()
  cases = timm_cases(schedulers) + keras_cases() + optax_cases()
  for c in cases:
    extra = f" (eager {c['library_eager_value']!r})" if "library_eager_value" in c else ""
    if "library_next_value" in c:
      extra = f" (cycle {c['cycle']}; step {c['step'] + 1}: {c['library_next_value']!r})"
    print(f"{c['name']} {c['args']} step {c['step']}: {c['library_value']!r}{extra}")
  versions = {"timm": timm_version, "keras": keras.__version__, "optax": optax.__version__}
  write("disagreements", "scripts/disagreements.py", versions, cases)


if __name__ == "__main__":
  main()
