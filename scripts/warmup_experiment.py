"""The lessons' warmup experiment on the character-level transformer.

Adam (the exercise's AdamW, weight decay 1e-4) at a high peak learning rate,
with a warmup (10% linear warmup then cosine to 0) and without (cosine to 0
from step 0), for a pre-LN and a post-LN transformer, several seeds each
(seed i: the same initial parameters and batch order in all four cells, so
with/without warmup compare seed by seed). Writes the plot and the numbers:

    python scripts/warmup_experiment.py [--lr 1e-2] [--seeds 4] [--epochs 5]
        [--size small] [--out docs/warmup_experiment]

-> docs/warmup_experiment.png and docs/warmup_experiment.json.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import time

import jax
import numpy as np

from optax_sched import exercise
from optax_sched.stats import summarize, t_band

ARMS = {"warmup": "warmup_cosine", "no warmup": "cosine"}


def run(lr: float, seeds: int, epochs: int, size: str) -> dict:
  """Final validation loss per seed, and the curves, of the four cells."""
  train = jax.jit(exercise.train_seeds)
  cells = {}
  for norm in ("pre", "post"):
    problem = exercise.load_problem(0, epochs, 32, seeds, problem="charlm", norm=norm, size=size)
    for arm, name in ARMS.items():
      schedule = exercise.SCHEDULES[name][1](lr, problem.total_steps)
      t = time.perf_counter()
      _, curves = jax.block_until_ready(train(schedule, problem))
      seconds = time.perf_counter() - t
      val = np.asarray(curves.val_loss)
      cells[f"{norm}-LN, {arm}"] = {
        "norm": norm,
        "warmup": arm == "warmup",
        "schedule": repr(schedule),
        "seconds": seconds,
        "final_val_loss": summarize(val[:, -1]),
        "val_loss": val.tolist(),
        "train_loss": np.asarray(curves.train_loss).tolist(),
        "lr": np.asarray(curves.lr[0]).tolist(),
      }
      print(
        f"{norm}-LN {arm:>9}: final val loss per seed {np.round(val[:, -1], 3)} ({seconds:.0f} s)"
      )
  paired = {}
  for norm in ("pre", "post"):
    a = np.asarray(cells[f"{norm}-LN, no warmup"]["val_loss"])[:, -1]
    b = np.asarray(cells[f"{norm}-LN, warmup"]["val_loss"])[:, -1]
    paired[f"{norm}-LN"] = summarize(a - b)
  return {
    "config": {"problem": "charlm", "size": size, "peak_lr": lr, "seeds": seeds, "epochs": epochs},
    "cells": cells,
    "no_warmup_minus_warmup": paired,
  }


def plot(result: dict, path: pathlib.Path) -> None:
  import matplotlib

  matplotlib.use("Agg")
  import matplotlib.pyplot as plt

  fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
  for ax, norm in zip(axes, ("pre", "post"), strict=True):
    for i, arm in enumerate(ARMS):
      cell = result["cells"][f"{norm}-LN, {arm}"]
      train = np.asarray(cell["train_loss"])
      steps = train.shape[1]
      window = max(1, steps // 40)
      smooth = np.stack([exercise.trailing_mean(t, window) for t in train])
      x = np.arange(1, steps + 1)
      ax.plot(x, smooth.mean(0), color=f"C{i}", lw=1.2, label=f"{arm} (train: mean, seeds' range)")
      ax.fill_between(x, smooth.min(0), smooth.max(0), color=f"C{i}", alpha=0.2, lw=0)
      val = np.asarray(cell["val_loss"])
      epochs = np.arange(1, val.shape[1] + 1) * steps // val.shape[1]
      vm, vlo, vhi = t_band(val)
      ax.errorbar(epochs, vm, yerr=[vm - vlo, vhi - vm], color=f"C{i}", fmt="o", capsize=3)
    ax.set_title(f"{norm}-LN")
    ax.set_xlabel("step")
    ax.grid(alpha=0.3)
  axes[0].set_ylabel("loss (nats/char); dots: validation mean, 95% interval")
  axes[0].legend()
  cfg = result["config"]
  fig.suptitle(
    f"charlm ({cfg['size']}), AdamW peak LR {cfg['peak_lr']:g}, {cfg['seeds']} seeds:"
    " warmup + cosine vs cosine alone"
  )
  fig.tight_layout()
  fig.savefig(path, dpi=120)
  plt.close(fig)


def main() -> None:
  parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
  parser.add_argument("--lr", type=float, default=1e-2)
  parser.add_argument("--seeds", type=int, default=4)
  parser.add_argument("--epochs", type=int, default=5)
  parser.add_argument("--size", default="small")
  parser.add_argument("--out", default="docs/warmup_experiment")
  parser.add_argument(
    "--plot-only", action="store_true", help="redraw the plot from the JSON of an earlier run"
  )
  a = parser.parse_args()
  out = pathlib.Path(a.out)
  if a.plot_only:
    result = json.loads(out.with_suffix(".json").read_text())
  else:
    result = run(a.lr, a.seeds, a.epochs, a.size)
    out.with_suffix(".json").write_text(json.dumps(result, indent=1))
  plot(result, out.with_suffix(".png"))
  for norm, d in result["no_warmup_minus_warmup"].items():
    lo, hi = d["ci95"]
    print(f"{norm}: no warmup - warmup = {d['mean']:+.4f} nats/char, 95% [{lo:+.4f}, {hi:+.4f}]")
  print(f"wrote {out.with_suffix('.json')}, {out.with_suffix('.png')}")


if __name__ == "__main__":
  main()
