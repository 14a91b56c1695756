"""Evidence for "choose before you train" on the built-in digits problem.

1. Trains the exercise's MLP under each of its schedules (same peak), over
   ``--seeds`` seeds; fits ``sched.fit_loss_law`` on the seed-mean training
   loss of the warmup+cosine run alone and predicts every other schedule's
   curve: mean relative error and final-loss error per schedule.
2. ``sched.optimize_schedule`` under that law (same peak, same 10% warmup),
   then trains the optimised schedule for real against warmup+cosine and WSD
   on every seed: final validation and training loss, mean and spread.

    python scripts/choose_evidence.py [--seeds 5] [--epochs 5] [--lr 3e-2] [--law auto] [--out DIR]

Prints Markdown tables; writes ``choose_predict.png``, ``choose_optimized.png``
and ``choose_evidence.json`` under ``--out``.
"""

from __future__ import annotations

import argparse
import json
import pathlib

import jax
import jax.numpy as jnp
import numpy as np

import optax_sched as sched
from optax_sched import exercise

FIT_ON = "warmup_cosine"
# The last this-many updates stand for the final training loss (one batch is noisy).
FINAL_WINDOW = 20


def train_all(schedules: dict, seeds: int, epochs: int) -> dict:
  """name -> {"train": (seeds, T), "val": (seeds,), "lr": (T,)}."""
  problems = [exercise.load_problem(s, epochs) for s in range(seeds)]
  out = {}
  for name, schedule in schedules.items():
    run = jax.jit(lambda p, s=schedule: exercise.train(s, p)[1])
    curves = [run(p) for p in problems]
    out[name] = {
      "train": np.stack([np.asarray(c.train_loss) for c in curves]),
      "val": np.array([float(c.val_loss[-1]) for c in curves]),
      "lr": np.asarray(curves[0].lr, np.float64),
    }
  return out


def fit_and_predict(runs: dict, law_name: str, warmup: int) -> tuple[object, dict]:
  """Fit on FIT_ON's seed-mean curve; per schedule, prediction errors (from
  the end of the warmup on: before it the rate sum is ~0 and no law applies)."""
  mean = {n: r["train"].mean(0) for n, r in runs.items()}
  total = mean[FIT_ON].size
  # train_loss[i] is measured after i updates: steps 1..T-1 (the first has none)
  steps = np.arange(1, total)
  law = sched.fit_loss_law(runs[FIT_ON]["lr"], mean[FIT_ON][1:], steps, law=law_name)
  errors = {}
  for name, r in runs.items():
    pred = np.asarray(law.predict(jnp.asarray(r["lr"], jnp.float32), steps))
    real = mean[name][1:]
    after = slice(warmup, None)
    errors[name] = {
      "mean_rel_error": float(np.mean(np.abs(pred[after] - real[after]) / real[after])),
      "final_rel_error": float(
        abs(pred[-FINAL_WINDOW:].mean() - real[-FINAL_WINDOW:].mean()) / real[-FINAL_WINDOW:].mean()
      ),
      "pred": pred,
    }
  return law, errors


def predicted_final(law, schedule, total: int) -> float:
  return float(law.predict(schedule(jnp.arange(total)), [total])[0])


def main() -> None:
  parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
  parser.add_argument("--seeds", type=int, default=5)
  parser.add_argument("--epochs", type=int, default=5)
  parser.add_argument("--lr", type=float, default=3e-2)
  parser.add_argument("--law", default="auto", help="the law to fit (default auto)")
  parser.add_argument("--out", default="docs/figures")
  args = parser.parse_args()
  problem = exercise.load_problem(0, args.epochs)
  total = problem.order.shape[0] * problem.order.shape[1]
  warmup = int(exercise.WARMUP_FRACTION * total)
  schedules = {n: f(args.lr, total) for n, (_, f) in exercise.SCHEDULES.items()}
  runs = train_all(schedules, args.seeds, args.epochs)
  law, errors = fit_and_predict(runs, args.law, warmup)
  print(f"law fitted on {FIT_ON} (seed mean of {args.seeds}): {law!r}\n")
  print("| schedule | mean relative error | final-loss error |\n|---|---|---|")
  for name, e in errors.items():
    tag = " (fitted on)" if name == FIT_ON else ""
    print(f"| {name}{tag} | {e['mean_rel_error']:.2%} | {e['final_rel_error']:.2%} |")

  optimized = sched.optimize_schedule(law, total, args.lr, warmup_steps=warmup)
  candidates = {
    "optimized": optimized,
    "warmup_cosine": schedules["warmup_cosine"],
    "wsd": schedules["wsd"],
    "warmup_linear": sched.warmup(sched.linear_schedule(args.lr, 0.0, total - warmup), warmup),
  }
  trained = train_all(candidates, args.seeds, args.epochs)
  print(f"\noptimised schedule: {sched.to_spec(optimized)[:120]}...\n")
  print(
    "| schedule | predicted final loss | train loss (last 20 updates) | val loss | val loss vs"
    " optimized (paired, mean) |\n|---|---|---|---|---|"
  )
  summary = {}
  for name, r in trained.items():
    train_final = r["train"][:, -FINAL_WINDOW:].mean(1)
    diff = r["val"] - trained["optimized"]["val"]
    summary[name] = {
      "predicted_final": predicted_final(law, candidates[name], total),
      "train_final": train_final.tolist(),
      "val": r["val"].tolist(),
    }
    print(
      f"| {name} | {summary[name]['predicted_final']:.4f} | {train_final.mean():.4f} ±"
      f" {train_final.std():.4f} | {r['val'].mean():.4f} ± {r['val'].std():.4f} |"
      f" {diff.mean():+.4f} |"
    )
  out = pathlib.Path(args.out)
  out.mkdir(parents=True, exist_ok=True)
  plot(runs, errors, trained, total, out)
  (out / "choose_evidence.json").write_text(
    json.dumps(
      {
        "law": repr(law),
        "fit_on": FIT_ON,
        "errors": {n: {k: v for k, v in e.items() if k != "pred"} for n, e in errors.items()},
        "trained": summary,
        "optimized": sched.to_config(optimized),
        "config": vars(args),
      },
      indent=1,
    )
  )
  print(f"\nwrote {out / 'choose_predict.png'}, {out / 'choose_optimized.png'}")


def plot(runs, errors, trained, total, out: pathlib.Path) -> None:
  import matplotlib

  matplotlib.use("Agg")
  import matplotlib.pyplot as plt

  steps = np.arange(1, total)
  fig, ax = plt.subplots(figsize=(8, 4.8))
  for i, (name, r) in enumerate(runs.items()):
    ax.plot(steps, r["train"].mean(0)[1:], color=f"C{i}", alpha=0.35, lw=1)
    style = "-" if name == FIT_ON else "--"
    label = f"{name}: {'fitted' if name == FIT_ON else 'predicted'}"
    ax.plot(steps, errors[name]["pred"], style, color=f"C{i}", lw=2, label=label)
  ax.set_yscale("log")
  ax.set_xlabel("update")
  ax.set_ylabel("training loss (seed mean; thin: measured)")
  ax.set_title(f"digits MLP: a law fitted on {FIT_ON} predicts the other schedules")
  ax.legend(fontsize=8)
  fig.tight_layout()
  fig.savefig(out / "choose_predict.png", dpi=120)
  plt.close(fig)

  fig, (a, b) = plt.subplots(1, 2, figsize=(11, 4.2))
  for i, (name, r) in enumerate(trained.items()):
    a.plot(
      np.arange(total), r["lr"], color=f"C{i}", lw=2 if name == "optimized" else 1.2, label=name
    )
    b.boxplot([r["val"]], positions=[i], widths=0.6)
  a.set_xlabel("update")
  a.set_ylabel("learning rate")
  a.set_title("the optimised schedule next to the usual ones")
  a.legend()
  b.set_xticks(range(len(trained)), list(trained), rotation=15)
  b.set_ylabel("final validation loss over seeds")
  b.set_title("trained for real")
  fig.tight_layout()
  fig.savefig(out / "choose_optimized.png", dpi=120)
  plt.close(fig)


if __name__ == "__main__":
  main()
