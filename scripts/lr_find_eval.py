"""Which ``lr_find`` suggestion trains best? Measured on every built-in problem.

For each problem (``digits``: the MLP of ``optax-sched compare``; ``charlm``:
its small character-level transformer) and each seed: run ``sched.lr_find``
(the problem's AdamW, the first epoch's batches), then train ``--epochs``
epochs under the exercise's warmup + cosine schedule (10% warmup) at each
suggestion and at every peak of the problem's log grid, all in one
``jit(vmap)``. The score of a suggestion is its final validation loss divided
by the best of the grid (1.0 = as good as the best peak the sweep found):

    python scripts/lr_find_eval.py [--problem digits,charlm] [--seeds N] [--out docs/figures]

The seeds default to 10 for digits and 5 for charlm (one charlm training run
costs as much as thousands of digits runs); ``--seeds`` sets them all. Prints
a Markdown table (per problem and suggestion: median rate, mean and worst
ratio, mean excess loss in nats) and writes ``lr_find_eval.json`` (after
every seed, so an interrupted run keeps its rows) and ``lr_find_eval.png``
under ``--out``.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import time

import jax
import numpy as np

import optax_sched as sched
from optax_sched import exercise, problems
from optax_sched.range_test import METHODS, pick

#: Rules that pick one of the three suggestions (so they need no training run
#: of their own), compared in the table; ``"auto"`` is the library's default.
RULES = {
  "auto": pick,
  "max(steepest, minimum)": lambda s: max(s["steepest"], s["minimum"]),
  "max(steepest, valley)": lambda s: max(s["steepest"], s["valley"]),
}
ROWS = (*METHODS, *RULES)

#: problem -> (log grid of peaks, default seeds). digits: 6 points a decade
#: over 1e-4..1; charlm (costlier, and diverging above ~0.1): 4 a decade
#: over 1e-4..0.1.
SETUP = {
  "digits": (np.geomspace(1e-4, 1.0, 25), 10),
  "charlm": (np.geomspace(1e-4, 0.1, 13), 5),
}


def load(name: str, seed: int, epochs: int):
  """(loss_fn, params, first-epoch batches, train(peaks) -> final val losses) of a problem."""
  problem = problems.load_problem(name, seed, epochs)
  steps = problem.total_steps
  batches = (problem.x_train[problem.order[0]], problem.y_train[problem.order[0]])

  def loss_fn(params, batch):
    return problems.loss(problem.model, params, *batch)

  def final_val_loss(peak):
    s = sched.warmup_cosine_decay_schedule(
      0.0, peak, int(exercise.WARMUP_FRACTION * steps), steps, 0.0
    )
    return exercise.train(s, problem)[1].val_loss[-1]

  return loss_fn, problem.params, batches, jax.jit(jax.vmap(final_val_loss))


def evaluate(name: str, seed: int, epochs: int) -> dict:
  grid_lrs = SETUP[name][0]
  loss_fn, params, batches, train = load(name, seed, epochs)
  finder = sched.lr_find(loss_fn, params, batches, optimizer=exercise.optimizer)
  picks = [finder.suggestions[m] for m in METHODS]
  losses = np.asarray(train(np.concatenate([grid_lrs, picks]).astype(np.float32)))
  grid, at_picks = losses[: grid_lrs.size], losses[grid_lrs.size :]
  best = float(np.nanmin(grid))
  val: dict[str, float] = dict(zip(METHODS, at_picks.tolist(), strict=True))
  row = {
    "problem": name,
    "seed": seed,
    "epochs": epochs,
    "grid_lr": grid_lrs.tolist(),
    "best_grid_lr": float(grid_lrs[int(np.nanargmin(grid))]),
    "best_grid_val_loss": best,
    "grid_val_loss": grid.tolist(),
    "suggestions": dict(finder.suggestions),
    "val_loss": val,
  }
  return with_rules(row)


def with_rules(row: dict) -> dict:
  """``row`` with each rule's rate and score: the run of the suggestion it picks."""
  s = {m: row["suggestions"][m] for m in METHODS}
  val = {m: row["val_loss"][m] for m in METHODS}
  for name, rule in RULES.items():
    rate = rule(s)
    s[name] = rate
    val[name] = next((val[m] for m in METHODS if s[m] == rate), float("nan"))
  ratio = {m: v / row["best_grid_val_loss"] for m, v in val.items()}
  return {**row, "suggestions": s, "val_loss": val, "ratio": ratio}


def table(rows: list[dict]) -> str:
  lines = [
    "| problem | suggestion | LR (median) | val loss / best of grid: mean | worst"
    " | excess loss (nats): mean |",
    "|---|---|---|---|---|---|",
  ]
  for name in dict.fromkeys(r["problem"] for r in rows):
    mine = [r for r in rows if r["problem"] == name]
    for m in ROWS:
      ratios = np.array([r["ratio"][m] for r in mine])
      excess = np.array([r["val_loss"][m] - r["best_grid_val_loss"] for r in mine])
      lr = np.median([r["suggestions"][m] for r in mine])
      lines.append(
        f"| {name} | {m} | {lr:.2e} | {ratios.mean():.3f} | {ratios.max():.3f}"
        f" | {excess.mean():.3f} |"
      )
    best_lr = np.median([r["best_grid_lr"] for r in mine])
    lines.append(f"| {name} | (best of grid, {len(mine)} seeds) | {best_lr:.2e} | 1 | 1 | 0 |")
  return "\n".join(lines)


def plot(rows: list[dict], path: pathlib.Path) -> None:
  import matplotlib

  matplotlib.use("Agg")
  import matplotlib.pyplot as plt

  names = list(dict.fromkeys(r["problem"] for r in rows))
  fig, axes = plt.subplots(1, len(names), figsize=(6.5 * len(names), 4.2), squeeze=False)
  for ax, name in zip(axes[0], names, strict=True):
    mine = [r for r in rows if r["problem"] == name]
    for i, r in enumerate(mine):
      label = f"grid of peaks, one line per seed ({len(mine)})" if i == 0 else None
      ax.plot(r["grid_lr"], r["grid_val_loss"], color="gray", alpha=0.5, lw=1, label=label)
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
    ax.set_title(f"{name}: each lr_find suggestion vs a grid of peaks")
    ax.legend(fontsize=8)
  fig.tight_layout()
  fig.savefig(path, dpi=110)
  plt.close(fig)


def main() -> None:
  parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
  parser.add_argument("--problem", default=",".join(SETUP), help="comma-separated problems")
  parser.add_argument("--seeds", type=int, default=None, help="seeds per problem")
  parser.add_argument("--epochs", type=int, default=5)
  parser.add_argument("--out", default="docs/figures")
  parser.add_argument(
    "--from-json", metavar="PATH", help="no training: table and figure from a saved run's rows"
  )
  args = parser.parse_args()
  out = pathlib.Path(args.out)
  if args.from_json:
    rows = [with_rules(r) for r in json.loads(pathlib.Path(args.from_json).read_text())]
    out.mkdir(parents=True, exist_ok=True)
    (out / "lr_find_eval.json").write_text(json.dumps(rows, indent=1))
    plot(rows, out / "lr_find_eval.png")
    print(table(rows))
    return
  names = [n.strip() for n in args.problem.split(",") if n.strip()]
  unknown = [n for n in names if n not in SETUP]
  if unknown or not names:
    parser.error(f"--problem={args.problem!r} is not allowed: choose from {', '.join(SETUP)}")
  out.mkdir(parents=True, exist_ok=True)
  rows: list[dict] = []
  for name in names:
    for seed in range(SETUP[name][1] if args.seeds is None else args.seeds):
      start = time.perf_counter()
      rows.append(evaluate(name, seed, args.epochs))
      ratios = {m: round(v, 3) for m, v in rows[-1]["ratio"].items()}
      print(f"{name} seed {seed}: {time.perf_counter() - start:.0f} s, {ratios}", flush=True)
      (out / "lr_find_eval.json").write_text(json.dumps(rows, indent=1))
  plot(rows, out / "lr_find_eval.png")
  print(table(rows))
  print(f"\nwrote {out / 'lr_find_eval.json'}, {out / 'lr_find_eval.png'}")


if __name__ == "__main__":
  main()
