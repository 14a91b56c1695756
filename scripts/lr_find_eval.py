"""Which ``lr_find`` suggestion trains best? Measured on the built-in problems.

For each problem and seed: run ``sched.lr_find`` (the problem's optimizer,
its first epoch's batches), then train ``--epochs`` epochs under the
exercise's warmup+cosine schedule (10% warmup) at each suggestion and at
every peak of a log grid, all in one ``jit(vmap)``. The score of a
suggestion is its final validation loss divided by the best of the grid
(1.0 = as good as the best peak found by the sweep):

    python scripts/lr_find_eval.py [--seeds 5] [--epochs 5] [--out docs/figures]

Prints a Markdown table (mean and worst ratio over seeds per suggestion) and
writes ``lr_find_eval.json`` and ``lr_find_eval.png`` under ``--out``.
"""

from __future__ import annotations

import argparse
import json
import pathlib

import jax
import numpy as np

import optax_sched as sched
from optax_sched import exercise
from optax_sched.range_test import METHODS, pick

ROWS = (*METHODS, "auto")

GRID = np.geomspace(1e-4, 1.0, 25)


def digits(seed: int, epochs: int):
  """The exercise's digits MLP: (loss_fn, params, batches, train_fn(peaks) -> val losses)."""
  problem = exercise.load_problem(seed, epochs)
  steps = problem.order.shape[0] * problem.order.shape[1]
  batches = (problem.x_train[problem.order[0]], problem.y_train[problem.order[0]])

  def loss_fn(params, batch):
    return exercise.loss_fn(params, *batch)

  def final_val_loss(peak):
    s = sched.warmup_cosine_decay_schedule(
      0.0, peak, int(exercise.WARMUP_FRACTION * steps), steps, 0.0
    )
    return exercise.train(s, problem)[1].val_loss[-1]

  train = jax.jit(jax.vmap(final_val_loss))
  return loss_fn, problem.params, batches, train


PROBLEMS = {"digits": digits}


def evaluate(name: str, seed: int, epochs: int) -> dict:
  loss_fn, params, batches, train = PROBLEMS[name](seed, epochs)
  finder = sched.lr_find(loss_fn, params, batches, optimizer=exercise.optimizer)
  picks = [finder.suggestions[m] for m in METHODS]
  losses = np.asarray(train(np.concatenate([GRID, picks]).astype(np.float32)))
  grid, at_picks = losses[: GRID.size], losses[GRID.size :]
  best = float(np.nanmin(grid))
  val = dict(zip(METHODS, at_picks.tolist(), strict=True))
  suggestions = dict(finder.suggestions)
  suggestions["auto"] = pick(finder.suggestions)
  # "auto" is one of these two rates: its run is that one's.
  val["auto"] = val["steepest" if suggestions["auto"] == suggestions["steepest"] else "minimum"]
  return {
    "problem": name,
    "seed": seed,
    "best_grid_lr": float(GRID[int(np.nanargmin(grid))]),
    "best_grid_val_loss": best,
    "grid_val_loss": grid.tolist(),
    "suggestions": suggestions,
    "val_loss": val,
    "ratio": {m: v / best for m, v in val.items()},
  }


def table(rows: list[dict]) -> str:
  lines = [
    "| problem | suggestion | lr (median) | val loss / best of grid: mean | worst |",
    "|---|---|---|---|---|",
  ]
  for name in PROBLEMS:
    mine = [r for r in rows if r["problem"] == name]
    for m in ROWS:
      ratios = np.array([r["ratio"][m] for r in mine])
      lr = np.median([r["suggestions"][m] for r in mine])
      lines.append(f"| {name} | {m} | {lr:.2e} | {ratios.mean():.3f} | {ratios.max():.3f} |")
    best_lr = np.median([r["best_grid_lr"] for r in mine])
    lines.append(f"| {name} | (best of grid) | {best_lr:.2e} | 1 | 1 |")
  return "\n".join(lines)


def plot(rows: list[dict], path: pathlib.Path) -> None:
  import matplotlib

  matplotlib.use("Agg")
  import matplotlib.pyplot as plt

  fig, ax = plt.subplots(figsize=(7.5, 4.2))
  for i, r in enumerate(rows):
    ax.plot(
      GRID,
      r["grid_val_loss"],
      color="gray",
      alpha=0.5,
      lw=1,
      label="grid of peaks (one line per seed)" if i == 0 else None,
    )
    for j, m in enumerate(METHODS):
      ax.plot(
        [r["suggestions"][m]],
        [r["val_loss"][m]],
        "o",
        color=f"C{j + 1}",
        label=m if i == 0 else None,
      )
  ax.set_xscale("log")
  ax.set_yscale("log")
  ax.set_xlabel("peak learning rate (warmup + cosine, AdamW)")
  ax.set_ylabel("final validation loss")
  ax.set_title("digits MLP: training at each lr_find suggestion vs a grid of peaks")
  ax.legend()
  fig.tight_layout()
  fig.savefig(path, dpi=120)
  plt.close(fig)


def main() -> None:
  parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
  parser.add_argument("--seeds", type=int, default=5)
  parser.add_argument("--epochs", type=int, default=5)
  parser.add_argument("--out", default="docs/figures")
  args = parser.parse_args()
  rows = [evaluate(name, s, args.epochs) for name in PROBLEMS for s in range(args.seeds)]
  out = pathlib.Path(args.out)
  out.mkdir(parents=True, exist_ok=True)
  (out / "lr_find_eval.json").write_text(json.dumps(rows, indent=1))
  plot(rows, out / "lr_find_eval.png")
  print(table(rows))
  print(f"\nwrote {out / 'lr_find_eval.json'}, {out / 'lr_find_eval.png'}")


if __name__ == "__main__":
  main()
