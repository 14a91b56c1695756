"""Evidence for "choose before you train" on a built-in problem (digits or charlm).

1. Trains the problem under each schedule of the exercise plus warmup +
   linear decay and warmup + constant (same peak, same seeds: seed i has the same initial
   parameters and batch order under every schedule), logging the training
   loss of every update and the validation loss every ``--every`` updates.
2. Fits ``sched.fit_loss_law`` on the seed-mean curve of the warmup + cosine
   run alone (``--fit-runs``: other runs, jointly), from the end of the
   warmup on (``--fit-on val``: the validation loss at every evaluation;
   ``train``: the training loss averaged over each block of ``--every``
   updates), and predicts every other schedule's curve from its rates: mean
   relative error after the warmup and the error at the last point.
3. ``sched.optimize_schedule`` under that law (same peak, same warmup), then
   trains the optimised schedule for real on the same seeds against warmup +
   cosine, WSD and warmup + linear: final validation and training loss, mean
   and 95% Student-t interval over seeds, and the paired difference.

    python scripts/choose_evidence.py --problem digits --seeds 5 --out docs/figures
    python scripts/choose_evidence.py --problem charlm --seeds 5 --out docs/figures

Defaults (steps, batch, peak, evaluation interval) come from ``PRESETS``;
``--runs FILE.npz`` keeps the schedules' runs (trains only those missing)
to refit with another ``--law`` or ``--fit-on`` without training again;
``charlm_tiny`` is a seconds-long run for tests. Prints Markdown tables;
writes ``choose[_PROBLEM][_joint]_predict.png``, ``..._optimized.png`` and
``..._evidence.json`` under ``--out`` (no ``_PROBLEM`` for digits, ``_joint``
when ``--fit-runs`` is not the default).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import pathlib
import time
import warnings

import jax
import jax.numpy as jnp
import numpy as np

import optax_sched as sched
from optax_sched import exercise
from optax_sched.problems import SEED_AXES
from optax_sched.stats import summarize, t_band

FIT_ON = ("warmup_cosine",)
#: The schedules the optimised one is trained against.
RIVALS = ("warmup_cosine", "wsd", "warmup_linear")
#: Per problem: updates, batch size, peak LR, updates between validation
#: passes, options of the problem's loader.
PRESETS: dict[str, dict] = {
  "digits": {"steps": 220, "batch_size": 32, "lr": 3e-2, "every": 11, "options": {}},
  # Nearly all of the text (one pass at batch 8 is 890 updates): the loss of
  # a run that never repeats a window, as in LLM pre-training.
  "charlm": {
    "steps": 800,
    "batch_size": 8,
    "lr": 5e-3,
    "every": 25,
    "options": {"train_chars": 456_000},
  },
  "charlm_tiny": {"steps": 40, "batch_size": 8, "lr": 1e-2, "every": 5, "options": {}},
}


def schedules(peak: float, total: int) -> dict:
  """The exercise's schedules, warmup + linear decay to 0 and warmup + constant, by name."""
  out = {n: f(peak, total) for n, (_, f) in exercise.SCHEDULES.items()}
  warm = int(exercise.WARMUP_FRACTION * total)
  out["warmup_linear"] = sched.warmup(sched.linear_schedule(peak, 0.0, total - warm), warm)
  # The exercise's constant has no warmup; this one isolates the decay.
  out["warmup_constant"] = sched.warmup(sched.constant_schedule(peak), warm)
  return out


def rates(schedule, total: int) -> jax.Array:
  """The rate of every update, float32."""
  return jax.jit(schedule)(jnp.arange(total)).astype(jnp.float32)


def _train_table(table: jax.Array, problem, every: int):
  """Every seed of ``problem`` trained at ``table[i]`` for update i (a
  lookup-table schedule: one compiled program serves every schedule)."""
  batch = problem.order.shape[-1]
  total = table.shape[0]

  def schedule(count):
    return table[jnp.minimum(count, total - 1)]

  def one(p):
    order = p.order.reshape(-1, batch)[:total].reshape(-1, every, batch)
    opt_state = exercise.optimizer(schedule).init(p.params)

    def block(carry, idx):
      params, state = carry
      params, state, losses, lrs, val, _ = exercise.train_epoch(schedule, p, params, state, idx)
      return (params, state), (losses, lrs, val)

    _, (losses, lrs, val) = jax.lax.scan(block, (p.params, opt_state), order)
    return losses.reshape(-1), lrs.reshape(-1), val

  return jax.vmap(one, in_axes=(SEED_AXES,))(problem)


_train_jit = jax.jit(_train_table, static_argnums=2)


def train_logged(schedule, problem, total: int, every: int) -> dict:
  """Every seed of ``problem`` for ``total`` updates in one vmapped program.

  Returns ``train`` (seeds, total): the loss of every batch (before its
  update); ``val`` (seeds, total // every): the validation loss after
  ``every``, ``2 every``, ... updates; ``lr`` (total,).
  """
  losses, lrs, val = _train_jit(rates(schedule, total), problem, every)
  return {
    "train": np.asarray(losses, np.float64),
    "val": np.asarray(val, np.float64),
    "lr": np.asarray(lrs[0], np.float64),
  }


def train_all(named: dict, problem, total: int, every: int) -> dict:
  out = {}
  for name, schedule in named.items():
    start = time.perf_counter()
    out[name] = train_logged(schedule, problem, total, every)
    print(f"  trained {name}: {time.perf_counter() - start:.1f} s", flush=True)
  return out


def load_runs(path: str) -> dict:
  runs: dict = {}
  with np.load(path) as data:
    for key in data.files:
      name, what = key.split("/")
      runs.setdefault(name, {})[what] = data[key]
  return runs


def curve(run: dict, fit_on: str, every: int) -> tuple[np.ndarray, np.ndarray]:
  """(steps, seed-mean loss) of a run: the validation loss at each pass, or
  the training loss averaged over each block of ``every`` updates (the loss
  of batch i is measured after i updates: a block's mean sits at its middle)."""
  if fit_on == "val":
    n = run["val"].shape[1]
    return every * np.arange(1, n + 1), run["val"].mean(0)
  mean = run["train"].mean(0)
  blocks = mean[: mean.size // every * every].reshape(-1, every)
  steps = every * np.arange(blocks.shape[0]) + (every - 1) // 2
  keep = steps >= 1
  return steps[keep], blocks.mean(1)[keep]


def fit_and_predict(runs: dict, law_name: str, fit_on: str, every: int, skip: int, names):
  """The law fitted on the curves of runs ``names`` (jointly when several)
  from update ``skip`` on; per schedule, the prediction at every update and
  its errors at the curve's points."""
  lrs, losses, at = [], [], []
  for name in names:
    steps, real = curve(runs[name], fit_on, every)
    keep = steps > skip
    lrs.append(runs[name]["lr"])
    losses.append(real[keep])
    at.append(steps[keep])
  with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always", RuntimeWarning)
    law = sched.fit_loss_law(lrs, losses, at, law=law_name)
  errors = {}
  for name, r in runs.items():
    steps, real = curve(r, fit_on, every)
    every_step = np.asarray(law.predict(jnp.asarray(r["lr"], jnp.float32)), np.float64)
    pred = every_step[steps - 1]
    after = steps > skip
    rel = np.abs(pred[after] / real[after] - 1)
    errors[name] = {
      "mean_rel_error": float(rel.mean()),
      "final_rel_error": float(rel[-1]),
      "predicted_final": float(pred[-1]),
      "real_final": float(real[-1]),
      "every_step": every_step,
    }
  return law, errors, [str(w.message) for w in caught]


def interval(values) -> str:
  s = summarize(values)
  if s["ci95"] is None:
    return f"{s['mean']:.4f}"
  return f"{s['mean']:.4f} ± {(s['ci95'][1] - s['ci95'][0]) / 2:.4f}"


def main(argv: list[str] | None = None) -> dict:
  parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
  parser.add_argument("--problem", default="digits", choices=sorted(PRESETS))
  parser.add_argument("--seeds", type=int, default=5)
  parser.add_argument("--steps", type=int, help="updates per run (default: the preset's)")
  parser.add_argument("--batch-size", type=int)
  parser.add_argument("--lr", type=float, help="peak learning rate")
  parser.add_argument("--every", type=int, help="updates between validation passes")
  parser.add_argument("--fit-on", default="val", choices=("val", "train"))
  parser.add_argument(
    "--skip", type=float, default=exercise.WARMUP_FRACTION, help="share of the run left out"
  )
  parser.add_argument("--law", default="auto", help="the law to fit (default auto)")
  parser.add_argument(
    "--fit-runs",
    default=",".join(FIT_ON),
    help="the run(s) the law is fitted on, comma-separated (default warmup_cosine alone)",
  )
  parser.add_argument("--out", default="docs/figures")
  parser.add_argument(
    "--runs", help="an .npz of the schedules' runs: loaded when it exists, else written"
  )
  args = parser.parse_args(argv)
  preset = PRESETS[args.problem]
  total = args.steps or preset["steps"]
  batch = args.batch_size or preset["batch_size"]
  peak = args.lr or preset["lr"]
  every = args.every or preset["every"]
  if total % every:
    parser.error(f"--steps={total} is not allowed: it must be a multiple of --every={every}")
  load_start = os.getloadavg()
  start = time.perf_counter()
  probe = exercise.load_problem(0, 1, batch, None, problem=args.problem, **preset["options"])
  epochs = math.ceil(total / probe.steps_per_epoch)
  problem = exercise.load_problem(
    0, epochs, batch, args.seeds, problem=args.problem, **preset["options"]
  )
  warm = int(exercise.WARMUP_FRACTION * total)
  skip = max(warm, int(args.skip * total))
  print(
    f"{args.problem}: {total} updates ({total / probe.steps_per_epoch:.2f} epochs) of batch"
    f" {batch}, peak {peak:g}, {args.seeds} seeds, validation every {every} updates;"
    f" load average {load_start[0]:.2f}",
    flush=True,
  )
  named = schedules(peak, total)
  fit_runs = [n.strip() for n in args.fit_runs.split(",") if n.strip()]
  if not fit_runs or set(fit_runs) - set(named):
    parser.error(f"--fit-runs={args.fit_runs!r} is not allowed: choose from {', '.join(named)}")
  saved = load_runs(args.runs) if args.runs and pathlib.Path(args.runs).exists() else {}
  if saved:
    print(f"  loaded from {args.runs}: {', '.join(n for n in named if n in saved)}")
  fresh = train_all({n: s for n, s in named.items() if n not in saved}, problem, total, every)
  runs = {n: saved[n] if n in saved else fresh[n] for n in named}
  if args.runs and fresh:
    np.savez(args.runs, **{f"{n}/{k}": v for n, r in runs.items() for k, v in r.items()})
  law, errors, caught = fit_and_predict(runs, args.law, args.fit_on, every, skip, fit_runs)
  what = "validation loss" if args.fit_on == "val" else f"training loss per {every} updates"
  print(f"\nlaw fitted on the seed-mean {what} of {' + '.join(fit_runs)} after update {skip}:")
  print(repr(law))
  print(f"({law.reason})\n" if law.reason else "", end="")
  for message in caught:
    print(f"warning: {message}")
  print("\n| schedule | mean relative error | final-loss error | predicted | real |")
  print("|---|---|---|---|---|")
  for name, e in errors.items():
    tag = " (fitted on)" if name in fit_runs else ""
    print(
      f"| {name}{tag} | {e['mean_rel_error']:.2%} | {e['final_rel_error']:.2%} |"
      f" {e['predicted_final']:.4f} | {e['real_final']:.4f} |"
    )

  optimized = sched.optimize_schedule(law, total, peak, warmup_steps=warm)
  trained = {"optimized": train_logged(optimized, problem, total, every)}
  trained.update({n: runs[n] for n in RIVALS})
  candidates = {"optimized": optimized, **{n: named[n] for n in RIVALS}}
  print(f"\noptimised schedule: {sched.to_spec(optimized)[:160]}...\n")
  print(
    f"| schedule | law's predicted final loss | train loss (last {every} updates) |"
    f" val loss ({args.seeds} seeds) | val loss minus optimized's (paired) |\n|---|---|---|---|---|"
  )
  summary = {}
  for name, r in trained.items():
    train_final = r["train"][:, -every:].mean(1)
    val_final = r["val"][:, -1]
    predicted = float(law.predict(candidates[name], [total])[0])
    summary[name] = {
      "predicted_final": predicted,
      "train_final": summarize(train_final),
      "val": summarize(val_final),
    }
    diff = "" if name == "optimized" else interval(val_final - trained["optimized"]["val"][:, -1])
    print(
      f"| {name} | {predicted:.4f} | {interval(train_final)} | {interval(val_final)} | {diff} |"
    )
  wall = time.perf_counter() - start
  load_end = os.getloadavg()
  print(f"\nwall time {wall:.0f} s; load average {load_start[0]:.2f} -> {load_end[0]:.2f}")
  out = pathlib.Path(args.out)
  out.mkdir(parents=True, exist_ok=True)
  prefix = "choose" if args.problem == "digits" else f"choose_{args.problem}"
  if fit_runs != list(FIT_ON):
    prefix += "_joint"
  plot(runs, errors, trained, args, every, skip, out, prefix, fit_runs)
  result = {
    "problem": args.problem,
    "law": repr(law),
    "law_reason": law.reason,
    "fit_on": fit_runs,
    "curve": args.fit_on,
    "errors": {
      n: {k: v if math.isfinite(v) else None for k, v in e.items() if k != "every_step"}
      for n, e in errors.items()
    },
    "trained": summary,
    "optimized": sched.to_config(optimized),
    "config": {
      **vars(args),
      "runs": args.runs and pathlib.Path(args.runs).name,
      "steps": total,
      "batch_size": batch,
      "lr": peak,
      "every": every,
    },
    "wall_seconds": wall,
    "load_average": [load_start[0], load_end[0]],
  }
  (out / f"{prefix}_evidence.json").write_text(json.dumps(result, indent=1))
  print(f"wrote {out / (prefix + '_predict.png')}, {out / (prefix + '_optimized.png')}")
  return result


def plot(
  runs, errors, trained, args, every, skip, out: pathlib.Path, prefix: str, fit_runs
) -> None:
  import matplotlib

  matplotlib.use("Agg")
  import matplotlib.pyplot as plt

  label = "validation loss" if args.fit_on == "val" else f"training loss (mean of {every} updates)"
  fig, ax = plt.subplots(figsize=(8, 4.8))
  for i, (name, r) in enumerate(runs.items()):
    steps, real = curve(r, args.fit_on, every)
    ax.plot(steps, real, "o", color=f"C{i}", ms=3, alpha=0.7)
    style = "-" if name in fit_runs else "--"
    tag = "fitted" if name in fit_runs else f"predicted, {errors[name]['mean_rel_error']:.1%} off"
    pred = errors[name]["every_step"]
    ax.plot(np.arange(skip, pred.size) + 1, pred[skip:], style, color=f"C{i}", lw=1.5)
    ax.plot([], [], style, marker="o", ms=3, color=f"C{i}", label=f"{name} ({tag})")
  ax.axvline(skip, color="gray", lw=0.8, ls=":")
  ax.set_yscale("log")
  ax.set_xlabel("update")
  ax.set_ylabel(f"{label}, mean of {args.seeds} seeds")
  ax.set_title(f"{args.problem}: dots measured, lines the law fitted on {' + '.join(fit_runs)}")
  ax.legend(fontsize=8)
  fig.tight_layout()
  fig.savefig(out / f"{prefix}_predict.png", dpi=120)
  plt.close(fig)

  fig, (a, b) = plt.subplots(1, 2, figsize=(11, 4.2))
  for i, (name, r) in enumerate(trained.items()):
    width = 2.2 if name == "optimized" else 1.2
    a.plot(np.arange(r["lr"].size), r["lr"], color=f"C{i}", lw=width, label=name)
    steps = every * np.arange(1, r["val"].shape[1] + 1)
    mean, lo, hi = t_band(r["val"])
    b.plot(steps, mean, color=f"C{i}", lw=width, label=name)
    b.fill_between(steps, lo, hi, color=f"C{i}", alpha=0.2, lw=0)
  a.set_xlabel("update")
  a.set_ylabel("learning rate")
  a.set_title("the optimised schedule next to the usual ones")
  a.legend()
  b.set_yscale("log")
  b.set_xlabel("update")
  b.set_ylabel(f"validation loss, mean of {args.seeds} seeds")
  b.set_title("trained for real (band: 95% interval of the mean)")
  b.legend()
  fig.tight_layout()
  fig.savefig(out / f"{prefix}_optimized.png", dpi=120)
  plt.close(fig)


if __name__ == "__main__":
  main()
