"""The lessons' exercise: one problem, several schedules, several seeds, one plot.

A built-in problem (``--problem``: a small MLP on scikit-learn's bundled 8x8
digits, or a small transformer learning Python's own docs character by
character; see :mod:`optax_sched.problems`) trains for ``--epochs`` epochs
under each schedule in ``--schedules``, with the learning rate stepped every
batch, from ``--seeds`` seeds. A seed fixes the initial parameters and the
batch order, and seed i is the same under every schedule, so the schedule is
the only difference between runs of one seed and schedules compare seed by
seed (a paired comparison). The seeds of a schedule train together, in one
jitted and vmapped program. It writes, under ``--out``:

- ``losses.png``: train (per step) and validation (per epoch) loss of every
  schedule, the mean over seeds with a 95% band;
- ``lr.png``: the learning rate of every schedule per step;
- ``metrics.json`` and ``metrics.csv``: the curves, and a ``summary`` per
  schedule (per-seed final numbers, mean, sample std, Student-t 95% interval
  of the mean) with the paired difference from the best schedule;

and prints the final validation loss and accuracy, mean +/- the half-width
of the 95% interval, marking the lowest mean "best" only when every other
schedule's paired difference from it excludes zero ("tied" otherwise)::

    python -m optax_sched.exercise --epochs 5 --seeds 3 --out exercise_out

:func:`add_arguments` and :func:`run` are the command's two halves (the
``optax-sched compare`` command wires them); :func:`load_problem`,
:func:`train` and :func:`train_seeds` are the pure pieces the sweep,
checkpoint and multi-device code reuse.
"""

from __future__ import annotations

import argparse
import csv
import json
import pathlib
import sys
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import jax
import numpy as np
import optax
from jax.sharding import Mesh, NamedSharding, PartitionSpec as P

import optax_sched as sched
from optax_sched import problems
from optax_sched.compat import torch as torch_lr
from optax_sched.problems import PROBLEMS, SEED_AXES, Problem
from optax_sched.problems.base import Model
from optax_sched.problems.digits import MLP
from optax_sched.stats import summarize
from optax_sched.training import current_lr

WARMUP_FRACTION = 0.1
DECAY_FRACTION = 0.2  # WSD's final decay


def _wsd(peak, total):
  warmup = int(WARMUP_FRACTION * total)
  decay = max(1, int(DECAY_FRACTION * total))
  return sched.warmup(
    sched.wsd_schedule(
      peak, stable_steps=max(0, total - warmup - decay), decay_steps=decay, decay_shape="linear"
    ),
    warmup,
  )


#: name -> (description, factory(peak_lr, total_steps) -> Schedule). The
#: PyTorch lesson's schedulers under their torch names, stepped per batch.
SCHEDULES: dict[str, tuple[str, Callable[[float, int], Any]]] = {
  "constant": ("constant peak LR", lambda peak, total: sched.constant_schedule(peak)),
  "steplr": (
    "StepLR(step_size=total // 3, gamma=0.1)",
    lambda peak, total: torch_lr.StepLR(peak, step_size=max(1, total // 3)),
  ),
  "cosine": (
    "CosineAnnealingLR(T_max=total, eta_min=0)",
    lambda peak, total: torch_lr.CosineAnnealingLR(peak, T_max=total),
  ),
  "warmup_cosine": (
    "10% linear warmup, cosine to 0 (the lesson's LambdaLR)",
    lambda peak, total: sched.warmup_cosine_decay_schedule(
      0.0, peak, int(WARMUP_FRACTION * total), total, 0.0
    ),
  ),
  "onecycle": (
    "OneCycleLR(total_steps=total, pct_start=0.3, cos)",
    lambda peak, total: torch_lr.OneCycleLR(max_lr=peak, total_steps=total),
  ),
  "wsd": ("warmup 10%, stable, linear decay over the last 20%", _wsd),
}


class Curves(NamedTuple):
  """What :func:`train` records: per step and per epoch."""

  train_loss: jax.Array  # (epochs * steps_per_epoch,)
  lr: jax.Array  # (epochs * steps_per_epoch,) rate used by each step
  val_loss: jax.Array  # (epochs,) after each epoch
  val_acc: jax.Array  # (epochs,)


def load_problem(
  seed: int = 0,
  epochs: int = 5,
  batch_size: int = 32,
  seeds: int | None = None,
  *,
  problem: str = "digits",
  **options: Any,
) -> Problem:
  """The built-in ``problem`` (see :mod:`optax_sched.problems`): data split,
  model, and the initial parameters and batch order of every epoch, all
  fixed by ``seed``; ``seeds=S`` stacks S of them (seed i the same whatever S)."""
  return problems.load_problem(problem, seed, epochs, batch_size, seeds, **options)


def optimizer(schedule: Any) -> optax.GradientTransformation:
  """The optimizer of every run: AdamW stepping ``schedule`` once per batch."""
  return optax.adamw(learning_rate=schedule, weight_decay=1e-4)


_DIGITS_MLP = MLP()


def loss_fn(params: Any, x: jax.Array, y: jax.Array, model: Model = _DIGITS_MLP) -> jax.Array:
  """Mean cross-entropy of ``model`` (default: the digits MLP) on a batch."""
  return problems.loss(model, params, x, y)


def train_step(schedule, params, opt_state, x, y, model: Model = _DIGITS_MLP):
  """One update; returns the new params and state, the loss and the rate used.

  ``model`` is the problem's (``problem.model``); the default is the digits MLP.
  """
  opt = optimizer(schedule)
  lr = current_lr(schedule, opt_state)
  loss, grads = jax.value_and_grad(loss_fn)(params, x, y, model)
  updates, opt_state = opt.update(grads, opt_state, params)
  return optax.apply_updates(params, updates), opt_state, loss, lr


def train_epoch(schedule, problem: Problem, params, opt_state, order):
  """One epoch over ``order`` (steps, batch) then a validation pass. Pure."""

  def body(carry, idx):
    params, opt_state = carry
    params, opt_state, loss, lr = train_step(
      schedule, params, opt_state, problem.x_train[idx], problem.y_train[idx], problem.model
    )
    return (params, opt_state), (loss, lr)

  (params, opt_state), (losses, lrs) = jax.lax.scan(body, (params, opt_state), order)
  val_loss, val_acc = problems.evaluate(problem.model, params, problem.x_val, problem.y_val)
  return params, opt_state, losses, lrs, val_loss, val_acc


def train(schedule: Any, problem: Problem) -> tuple[Any, Curves]:
  """Trains from ``problem.params`` over every epoch of ``problem.order``.

  Pure and jittable; ``schedule`` may hold traced hyperparameters, so
  ``jax.vmap`` over them trains several runs at once (see ``sweep``).
  """
  params = problem.params
  opt_state = optimizer(schedule).init(params)

  def epoch(carry, order):
    params, opt_state = carry
    params, opt_state, losses, lrs, vl, va = train_epoch(
      schedule, problem, params, opt_state, order
    )
    return (params, opt_state), (losses, lrs, vl, va)

  (params, _), (losses, lrs, vl, va) = jax.lax.scan(epoch, (params, opt_state), problem.order)
  return params, Curves(losses.reshape(-1), lrs.reshape(-1), vl, va)


def train_seeds(schedule: Any, problem: Problem) -> tuple[Any, Curves]:
  """:func:`train` on every seed of a problem loaded with ``seeds=S``, as one
  vmapped program: every output gains a leading axis of length S.

  On inputs placed by :func:`shard_seeds` the seeds run on several devices.
  """
  return jax.vmap(train, in_axes=(None, SEED_AXES))(schedule, problem)


def shard_seeds(problem: Problem, devices: Sequence[Any] | None = None) -> Problem:
  """``problem`` with its seeds axis split over ``devices`` (default: all).

  The batch orders and initial parameters are sharded along the seeds (a
  ``jax.sharding.NamedSharding`` over a one-axis mesh named ``"seeds"``), the
  data is replicated; ``jax.jit(train_seeds)`` then runs each device's seeds
  there and gives the numbers of the unsharded run. The number of seeds must
  be a multiple of the number of devices.
  """
  devices = list(jax.devices() if devices is None else devices)
  n_seeds = problem.seeds
  if n_seeds is None or n_seeds % len(devices):
    raise ValueError(
      f"shard_seeds: a problem with seeds={n_seeds} is not allowed on {len(devices)}"
      " devices: load it with seeds= a multiple of the number of devices"
    )
  mesh = Mesh(np.array(devices), ("seeds",))
  order, params = jax.device_put((problem.order, problem.params), NamedSharding(mesh, P("seeds")))
  x_train, y_train, x_val, y_val = jax.device_put(problem[:4], NamedSharding(mesh, P()))
  return Problem(x_train, y_train, x_val, y_val, order, params, problem.model)


# ---- the command ----


def add_arguments(parser: argparse.ArgumentParser) -> None:
  """The exercise's options, added to ``parser``."""
  parser.add_argument(
    "--problem",
    default="digits",
    help="what to train: "
    + "; ".join(f"{k} ({v[2]})" for k, v in PROBLEMS.items())
    + " (default digits)",
  )
  parser.add_argument(
    "--post-ln",
    action="store_true",
    help="charlm: LayerNorm after each residual sum (post-LN) instead of before (pre-LN)",
  )
  parser.add_argument("--epochs", type=int, default=5, help="epochs per run (default 5)")
  parser.add_argument(
    "--out", default="exercise_out", help="directory for losses.png, lr.png, metrics.json/csv"
  )
  parser.add_argument(
    "--schedules",
    default=",".join(SCHEDULES),
    help="comma-separated, from: " + ", ".join(SCHEDULES),
  )
  parser.add_argument(
    "--seeds",
    type=int,
    default=3,
    help="seeds per schedule (initial parameters and batch order), trained together (default 3)",
  )
  parser.add_argument(
    "--seed", type=int, default=0, help="the data split and the first seed (default 0)"
  )
  parser.add_argument("--batch-size", type=int, default=32)
  parser.add_argument(
    "--lr",
    type=float,
    default=None,
    help="peak learning rate (default: the problem's, 3e-2 for digits, 3e-3 for charlm)",
  )
  parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")


def _check(args: argparse.Namespace, names: list[str]) -> list[str]:
  unknown = [n for n in names if n not in SCHEDULES]
  problems_found = []
  if args.problem not in PROBLEMS:
    problems_found.append(
      f"--problem={args.problem!r} is not allowed: choose from " + ", ".join(PROBLEMS)
    )
  if unknown or not names:
    problems_found.append(
      f"--schedules={args.schedules!r} is not allowed: choose from " + ", ".join(SCHEDULES)
    )
  if args.epochs < 1:
    problems_found.append(f"--epochs={args.epochs} is not allowed: it must be >= 1")
  if args.seeds < 1:
    problems_found.append(f"--seeds={args.seeds} is not allowed: it must be >= 1")
  if args.batch_size < 1:
    problems_found.append(f"--batch-size={args.batch_size} is not allowed: it must be >= 1")
  if args.lr is not None and not args.lr > 0:
    problems_found.append(f"--lr={args.lr} is not allowed: it must be > 0")
  if args.post_ln and args.problem in PROBLEMS and PROBLEMS[args.problem][0] != "charlm":
    problems_found.append(f"--post-ln is not allowed with --problem={args.problem}: only charlm")
  return problems_found


def run(args: argparse.Namespace) -> int:
  """Runs the exercise; returns the exit status (2 for bad options)."""
  names = [n.strip() for n in args.schedules.split(",") if n.strip()]
  found = _check(args, names)
  if found:
    print("\n".join(found), file=sys.stderr)
    return 2
  options = {"norm": "post"} if args.post_ln else {}
  try:
    problem = load_problem(
      args.seed, args.epochs, args.batch_size, args.seeds, problem=args.problem, **options
    )
  except ValueError as e:
    print(e, file=sys.stderr)
    return 2
  peak = problems.default_lr(args.problem) if args.lr is None else args.lr
  steps_per_epoch = problem.steps_per_epoch
  total = args.epochs * steps_per_epoch
  results = {}
  with _progress(len(names) * args.epochs, args.no_progress) as bar:
    for name in names:
      schedule = SCHEDULES[name][1](peak, total)
      results[name] = _run_one(name, schedule, problem, bar)
  out = pathlib.Path(args.out)
  out.mkdir(parents=True, exist_ok=True)
  meta = {
    "problem": args.problem,
    "model": repr(problem.model),
    "epochs": args.epochs,
    "batch_size": args.batch_size,
    "seed": args.seed,
    "seeds": args.seeds,
    "peak_lr": peak,
    "steps_per_epoch": steps_per_epoch,
    "train_examples": int(problem.x_train.shape[0]),
    "val_examples": int(problem.x_val.shape[0]),
  }
  summary, paired = _summary(results)
  _write_metrics(out, meta, results, summary, paired)
  _plot(out, results, steps_per_epoch, args.problem)
  print(_table(results, summary, paired))
  print(
    f"wrote {out / 'losses.png'}, {out / 'lr.png'}, {out / 'metrics.json'}, {out / 'metrics.csv'}"
  )
  return 0


_epoch_fn = jax.jit(jax.vmap(train_epoch, in_axes=(None, SEED_AXES, 0, 0, 0)))


def _run_one(name, schedule, problem, bar) -> dict:
  """Every seed of ``schedule``, one vmapped program per epoch (for the progress bar)."""
  params = problem.params
  opt_state = jax.vmap(optimizer(schedule).init)(params)
  losses, lrs, vls, vas = [], [], [], []
  for order in problem.order.swapaxes(0, 1):
    params, opt_state, loss, lr, vl, va = _epoch_fn(schedule, problem, params, opt_state, order)
    losses.append(np.asarray(loss))
    lrs.append(np.asarray(lr)[0])
    vls.append(np.asarray(vl))
    vas.append(np.asarray(va))
    bar.set_description(f"{name:>13}")
    bar.set_postfix(val_loss=f"{vls[-1].mean():.4f}", val_acc=f"{vas[-1].mean():.3f}")
    bar.update(1)
  curves = {
    "train_loss": np.concatenate(losses, axis=1),
    "val_loss": np.stack(vls, axis=1),
    "val_acc": np.stack(vas, axis=1),
  }
  # One seed: one curve per key, as before seeds; several: one curve per seed.
  curves = {k: (v[0] if len(v) == 1 else v).tolist() for k, v in curves.items()}
  return {
    "schedule": repr(schedule),
    "description": SCHEDULES[name][0],
    "train_loss": curves["train_loss"],
    "lr": np.concatenate(lrs).tolist(),
    "val_loss": curves["val_loss"],
    "val_acc": curves["val_acc"],
  }


def _progress(total: int, disable: bool):
  from tqdm import tqdm

  return tqdm(total=total, unit="epoch", disable=disable, file=sys.stderr)


def _per_seed(curve: list) -> np.ndarray:
  """A run's curve as (seeds, points), whether it holds one seed or several."""
  a = np.asarray(curve, dtype=float)
  return a[None] if a.ndim == 1 else a


def _summary(results: dict) -> tuple[dict, dict]:
  """Per schedule: final val loss and accuracy over seeds; and each schedule's
  paired difference in final val loss from the schedule of lowest mean."""
  summary = {
    name: {key: summarize(_per_seed(r[key])[:, -1]) for key in ("val_loss", "val_acc")}
    for name, r in results.items()
  }
  best = min(summary, key=lambda n: summary[n]["val_loss"]["mean"])
  final = {n: _per_seed(r["val_loss"])[:, -1] for n, r in results.items()}
  paired = {
    "best": best,
    "val_loss": {n: summarize(final[n] - final[best]) for n in results if n != best},
  }
  return summary, paired


def _table(results: dict, summary: dict, paired: dict) -> str:
  best = paired["best"]
  if len(_per_seed(results[best]["val_loss"])) == 1:
    lines = [f"{'schedule':<14}{'val loss':>10}{'val acc':>10}", "-" * 34]
    for name, r in results.items():
      mark = "  <- lowest val loss" if name == best else ""
      lines.append(f"{name:<14}{r['val_loss'][-1]:>10.4f}{r['val_acc'][-1]:>10.3f}{mark}")
    return "\n".join(lines)
  tied = {n for n, d in paired["val_loss"].items() if d["ci95"][0] <= 0.0}
  n_seeds = len(summary[best]["val_loss"]["per_seed"])

  def cell(s: dict, fmt: str) -> str:
    half = (s["ci95"][1] - s["ci95"][0]) / 2
    return f"{s['mean']:{fmt}} ± {half:{fmt}}"

  lines = [
    f"{'schedule':<14}{'val loss':>18}{'val acc':>16}   (mean ± 95% interval, {n_seeds} seeds)",
    "-" * 62,
  ]
  for name in results:
    if name == best:
      mark = "  <- tied (lowest mean)" if tied else "  <- best"
    else:
      mark = "  <- tied" if name in tied else ""
    s = summary[name]
    lines.append(f"{name:<14}{cell(s['val_loss'], '.4f'):>18}{cell(s['val_acc'], '.3f'):>16}{mark}")
  lines += [
    '"best": lower than every other schedule, seed by seed, at 95% confidence;',
    '"tied": the 95% interval of its paired difference from the lowest mean holds 0.',
  ]
  return "\n".join(lines)


def _write_metrics(
  out: pathlib.Path, meta: dict, results: dict, summary: dict, paired: dict
) -> None:
  (out / "metrics.json").write_text(
    json.dumps(
      {"config": meta, "runs": results, "summary": summary, "paired_difference": paired},
      indent=1,
    )
  )
  steps = meta["steps_per_epoch"]
  several = meta["seeds"] > 1
  with open(out / "metrics.csv", "w", newline="") as f:
    w = csv.writer(f)
    seed_col = ["seed"] if several else []
    w.writerow(["schedule", *seed_col, "epoch", "train_loss", "val_loss", "val_acc", "last_lr"])
    for name, r in results.items():
      curves = zip(
        _per_seed(r["train_loss"]), _per_seed(r["val_loss"]), _per_seed(r["val_acc"]), strict=True
      )
      for i, (train_loss, val_loss, val_acc) in enumerate(curves):
        for e, (vl, va) in enumerate(zip(val_loss, val_acc, strict=True)):
          chunk = train_loss[e * steps : (e + 1) * steps]
          w.writerow(
            [
              name,
              *([meta["seed"] + i] if several else []),
              e + 1,
              f"{np.mean(chunk):.6g}",
              f"{vl:.6g}",
              f"{va:.6g}",
              f"{r['lr'][(e + 1) * steps - 1]:.6g}",
            ]
          )


def trailing_mean(x: np.ndarray, window: int) -> np.ndarray:
  """Mean of the last ``window`` values at each step (fewer at the start)."""
  c = np.cumsum(np.concatenate([[0.0], x]))
  k = np.arange(1, x.size + 1)
  lo = np.maximum(k - window, 0)
  return (c[k] - c[lo]) / (k - lo)


def _plot(out: pathlib.Path, results: dict, steps_per_epoch: int, problem: str) -> None:
  import matplotlib

  matplotlib.use("Agg")
  import matplotlib.pyplot as plt

  fig, ax = plt.subplots(figsize=(8, 4.8))
  n_seeds = 1
  for i, (name, r) in enumerate(results.items()):
    color = f"C{i}"
    train = _per_seed(r["train_loss"])
    n_seeds = train.shape[0]
    window = max(1, steps_per_epoch // 4)
    mean = np.mean([trailing_mean(t, window) for t in train], axis=0)
    x = (np.arange(mean.size) + 1) / steps_per_epoch
    ax.plot(x, mean, color=color, alpha=0.5, lw=1)
    val = _per_seed(r["val_loss"])
    epochs = np.arange(1, val.shape[1] + 1)
    ax.plot(epochs, val.mean(0), color=color, marker="o", lw=2, label=f"{name} (val)")
    if n_seeds > 1:
      ax.fill_between(epochs, val.min(0), val.max(0), color=color, alpha=0.2, lw=0)
  ax.plot([], [], color="gray", alpha=0.5, lw=1, label="train (per step, smoothed)")
  ax.set_yscale("log")
  ax.set_xlabel("epoch")
  ax.set_ylabel("cross-entropy loss" + (" (nats/char)" if problem.startswith("charlm") else ""))
  title = f"{problem}: train (thin) and validation (dots) loss per schedule"
  if n_seeds > 1:
    title += f"\nmean of {n_seeds} seeds; band: the seeds' range of validation loss"
  ax.set_title(title)
  ax.legend()
  fig.tight_layout()
  fig.savefig(out / "losses.png", dpi=120)
  plt.close(fig)
  fig, ax = plt.subplots(figsize=(8, 4))
  for i, (name, r) in enumerate(results.items()):
    ax.plot(np.arange(len(r["lr"])), r["lr"], color=f"C{i}", label=name)
  ax.set_xlabel("step")
  ax.set_ylabel("learning rate")
  ax.legend()
  fig.tight_layout()
  fig.savefig(out / "lr.png", dpi=120)
  plt.close(fig)


def main(argv: list[str] | None = None) -> int:
  parser = argparse.ArgumentParser(
    prog="python -m optax_sched.exercise", description=(__doc__ or "").split("\n\n")[0]
  )
  add_arguments(parser)
  return run(parser.parse_args(argv))


if __name__ == "__main__":
  sys.exit(main())
