"""The lessons' exercise: one model, one data set, several schedules, one plot.

A small MLP (plain JAX) learns scikit-learn's bundled 8x8 digits (no
download) for ``--epochs`` epochs under each schedule in ``--schedules``,
with the learning rate stepped every batch. Every run starts from the same
initial parameters and sees the batches in the same order, so the schedule
is the only difference. It writes, under ``--out``:

- ``losses.png``: train (per step) and validation (per epoch) loss of all
  runs on one axis;
- ``lr.png``: the learning rate of every run per step;
- ``metrics.json`` and ``metrics.csv``: the curves and final numbers;

and prints a table of the final validation loss and accuracy::

    python -m optax_sched.exercise --epochs 5 --out exercise_out

:func:`add_arguments` and :func:`run` are the command's two halves (the
``optax-sched compare`` command wires them); :func:`load_problem` and
:func:`train` are the pure pieces the sweep, checkpoint and multi-device code
reuse.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import pathlib
import sys
from collections.abc import Callable
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import optax

import optax_sched as sched
from optax_sched.compat import torch as torch_lr
from optax_sched.training import current_lr

HIDDEN = 64
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


class Problem(NamedTuple):
  """The fixed data, initial parameters and batch order shared by every run."""

  x_train: jax.Array
  y_train: jax.Array
  x_val: jax.Array
  y_val: jax.Array
  order: jax.Array  # (epochs, steps_per_epoch, batch_size) indices into train
  params: dict


class Curves(NamedTuple):
  """What :func:`train` records: per step and per epoch."""

  train_loss: jax.Array  # (epochs * steps_per_epoch,)
  lr: jax.Array  # (epochs * steps_per_epoch,) rate used by each step
  val_loss: jax.Array  # (epochs,) after each epoch
  val_acc: jax.Array  # (epochs,)


def load_problem(
  seed: int = 0, epochs: int = 5, batch_size: int = 32, val_fraction: float = 0.2
) -> Problem:
  """Digits split into train/validation, an MLP's initial parameters, and the
  batch order of every epoch, all fixed by ``seed``."""
  from sklearn.datasets import load_digits

  x, y = load_digits(return_X_y=True)
  rng = np.random.default_rng(seed)
  perm = rng.permutation(len(x))
  n_val = int(round(val_fraction * len(x)))
  val, tr = perm[:n_val], perm[n_val:]
  x = (x / 16.0).astype(np.float32)
  steps = len(tr) // batch_size
  if steps < 1:
    raise ValueError(
      f"load_problem: batch_size={batch_size} is not allowed: it must be"
      f" <= the {len(tr)} training examples"
    )
  order = np.stack(
    [
      rng.permutation(len(tr))[: steps * batch_size].reshape(steps, batch_size)
      for _ in range(epochs)
    ]
  ).astype(np.int32)
  return Problem(
    jnp.asarray(x[tr]),
    jnp.asarray(y[tr], jnp.int32),
    jnp.asarray(x[val]),
    jnp.asarray(y[val], jnp.int32),
    jnp.asarray(order),
    init_params(jax.random.PRNGKey(seed), x.shape[1], 10),
  )


def init_params(key: jax.Array, n_in: int, n_out: int) -> dict:
  """He-initialised weights of a one-hidden-layer MLP."""
  k1, k2 = jax.random.split(key)
  return {
    "w1": jax.random.normal(k1, (n_in, HIDDEN)) * math.sqrt(2.0 / n_in),
    "b1": jnp.zeros(HIDDEN),
    "w2": jax.random.normal(k2, (HIDDEN, n_out)) * math.sqrt(2.0 / HIDDEN),
    "b2": jnp.zeros(n_out),
  }


def logits(params: dict, x: jax.Array) -> jax.Array:
  h = jax.nn.relu(x @ params["w1"] + params["b1"])
  return h @ params["w2"] + params["b2"]


def loss_fn(params: dict, x: jax.Array, y: jax.Array) -> jax.Array:
  return optax.softmax_cross_entropy_with_integer_labels(logits(params, x), y).mean()


def evaluate(params: dict, x: jax.Array, y: jax.Array) -> tuple[jax.Array, jax.Array]:
  """Mean cross-entropy and accuracy."""
  out = logits(params, x)
  loss = optax.softmax_cross_entropy_with_integer_labels(out, y).mean()
  return loss, jnp.mean(jnp.argmax(out, -1) == y)


def optimizer(schedule: Any) -> optax.GradientTransformation:
  """The optimizer of every run: AdamW stepping ``schedule`` once per batch."""
  return optax.adamw(learning_rate=schedule, weight_decay=1e-4)


def train_step(schedule, params, opt_state, x, y):
  """One update; returns the new params and state, the loss and the rate used."""
  opt = optimizer(schedule)
  lr = current_lr(schedule, opt_state)
  loss, grads = jax.value_and_grad(loss_fn)(params, x, y)
  updates, opt_state = opt.update(grads, opt_state, params)
  return optax.apply_updates(params, updates), opt_state, loss, lr


def train_epoch(schedule, problem: Problem, params, opt_state, order):
  """One epoch over ``order`` (steps, batch) then a validation pass. Pure."""

  def body(carry, idx):
    params, opt_state = carry
    params, opt_state, loss, lr = train_step(
      schedule, params, opt_state, problem.x_train[idx], problem.y_train[idx]
    )
    return (params, opt_state), (loss, lr)

  (params, opt_state), (losses, lrs) = jax.lax.scan(body, (params, opt_state), order)
  val_loss, val_acc = evaluate(params, problem.x_val, problem.y_val)
  return params, opt_state, losses, lrs, val_loss, val_acc


def train(schedule: Any, problem: Problem) -> tuple[dict, Curves]:
  """Trains from ``problem.params`` over every epoch of ``problem.order``.

  Pure and jittable; ``schedule`` may hold traced hyperparameters, so
  ``jax.vmap`` over them trains several runs at once (see ``sweep``).
  """
  params = problem.params
  opt_state = optimizer(schedule).init(params)

  def epoch(carry, order):
    params, opt_state, losses, lrs, vl, va = train_epoch(schedule, problem, *carry, order)
    return (params, opt_state), (losses, lrs, vl, va)

  (params, _), (losses, lrs, vl, va) = jax.lax.scan(epoch, (params, opt_state), problem.order)
  return params, Curves(losses.reshape(-1), lrs.reshape(-1), vl, va)


# ---- the command ----


def add_arguments(parser: argparse.ArgumentParser) -> None:
  """The exercise's options, added to ``parser``."""
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
    "--seed", type=int, default=0, help="data split, initial parameters and batch order"
  )
  parser.add_argument("--batch-size", type=int, default=32)
  parser.add_argument("--lr", type=float, default=3e-2, help="peak learning rate (default 3e-2)")
  parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")


def run(args: argparse.Namespace) -> int:
  """Runs the exercise; returns the exit status (2 for bad options)."""
  names = [n.strip() for n in args.schedules.split(",") if n.strip()]
  unknown = [n for n in names if n not in SCHEDULES]
  problems = []
  if unknown or not names:
    problems.append(
      f"--schedules={args.schedules!r} is not allowed: choose from " + ", ".join(SCHEDULES)
    )
  if args.epochs < 1:
    problems.append(f"--epochs={args.epochs} is not allowed: it must be >= 1")
  if args.batch_size < 1:
    problems.append(f"--batch-size={args.batch_size} is not allowed: it must be >= 1")
  if not args.lr > 0:
    problems.append(f"--lr={args.lr} is not allowed: it must be > 0")
  if problems:
    print("\n".join(problems), file=sys.stderr)
    return 2
  try:
    problem = load_problem(args.seed, args.epochs, args.batch_size)
  except ValueError as e:
    print(e, file=sys.stderr)
    return 2
  steps_per_epoch = problem.order.shape[1]
  total = args.epochs * steps_per_epoch
  results = {}
  with _progress(len(names) * args.epochs, args.no_progress) as bar:
    for name in names:
      schedule = SCHEDULES[name][1](args.lr, total)
      results[name] = _run_one(name, schedule, problem, bar)
  out = pathlib.Path(args.out)
  out.mkdir(parents=True, exist_ok=True)
  meta = {
    "epochs": args.epochs,
    "batch_size": args.batch_size,
    "seed": args.seed,
    "peak_lr": args.lr,
    "steps_per_epoch": steps_per_epoch,
    "train_examples": int(problem.x_train.shape[0]),
    "val_examples": int(problem.x_val.shape[0]),
  }
  _write_metrics(out, meta, results)
  _plot(out, results, steps_per_epoch)
  print(_table(results))
  print(
    f"wrote {out / 'losses.png'}, {out / 'lr.png'}, {out / 'metrics.json'}, {out / 'metrics.csv'}"
  )
  return 0


_epoch_fn = jax.jit(train_epoch)


def _run_one(name, schedule, problem, bar) -> dict:
  params = problem.params
  opt_state = optimizer(schedule).init(params)
  losses, lrs, vls, vas = [], [], [], []
  for order in problem.order:
    params, opt_state, loss, lr, vl, va = _epoch_fn(schedule, problem, params, opt_state, order)
    losses.append(np.asarray(loss))
    lrs.append(np.asarray(lr))
    vls.append(float(vl))
    vas.append(float(va))
    bar.set_description(f"{name:>13}")
    bar.set_postfix(val_loss=f"{vls[-1]:.4f}", val_acc=f"{vas[-1]:.3f}")
    bar.update(1)
  return {
    "schedule": repr(schedule),
    "description": SCHEDULES[name][0],
    "train_loss": np.concatenate(losses).tolist(),
    "lr": np.concatenate(lrs).tolist(),
    "val_loss": vls,
    "val_acc": vas,
  }


def _progress(total: int, disable: bool):
  from tqdm import tqdm

  return tqdm(total=total, unit="epoch", disable=disable, file=sys.stderr)


def _table(results: dict) -> str:
  best = min(results, key=lambda n: results[n]["val_loss"][-1])
  lines = [f"{'schedule':<14}{'val loss':>10}{'val acc':>10}", "-" * 34]
  for name, r in results.items():
    mark = "  <- lowest val loss" if name == best else ""
    lines.append(f"{name:<14}{r['val_loss'][-1]:>10.4f}{r['val_acc'][-1]:>10.3f}{mark}")
  return "\n".join(lines)


def _write_metrics(out: pathlib.Path, meta: dict, results: dict) -> None:
  (out / "metrics.json").write_text(json.dumps({"config": meta, "runs": results}, indent=1))
  steps = meta["steps_per_epoch"]
  with open(out / "metrics.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["schedule", "epoch", "train_loss", "val_loss", "val_acc", "last_lr"])
    for name, r in results.items():
      for e, (vl, va) in enumerate(zip(r["val_loss"], r["val_acc"], strict=True)):
        chunk = r["train_loss"][e * steps : (e + 1) * steps]
        w.writerow(
          [
            name,
            e + 1,
            f"{np.mean(chunk):.6g}",
            f"{vl:.6g}",
            f"{va:.6g}",
            f"{r['lr'][(e + 1) * steps - 1]:.6g}",
          ]
        )


def _trailing_mean(x: np.ndarray, window: int) -> np.ndarray:
  """Mean of the last ``window`` values at each step (fewer at the start)."""
  c = np.cumsum(np.concatenate([[0.0], x]))
  k = np.arange(1, x.size + 1)
  lo = np.maximum(k - window, 0)
  return (c[k] - c[lo]) / (k - lo)


def _plot(out: pathlib.Path, results: dict, steps_per_epoch: int) -> None:
  import matplotlib

  matplotlib.use("Agg")
  import matplotlib.pyplot as plt

  fig, ax = plt.subplots(figsize=(8, 4.8))
  for i, (name, r) in enumerate(results.items()):
    color = f"C{i}"
    loss = _trailing_mean(np.asarray(r["train_loss"]), max(1, steps_per_epoch // 4))
    x = (np.arange(loss.size) + 1) / steps_per_epoch
    ax.plot(x, loss, color=color, alpha=0.5, lw=1)
    epochs = np.arange(1, len(r["val_loss"]) + 1)
    ax.plot(epochs, r["val_loss"], color=color, marker="o", lw=2, label=f"{name} (val)")
  ax.plot([], [], color="gray", alpha=0.5, lw=1, label="train (per step, smoothed)")
  ax.set_yscale("log")
  ax.set_xlabel("epoch")
  ax.set_ylabel("cross-entropy loss")
  ax.set_title("digits MLP: train (thin) and validation (dots) loss per schedule")
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
    prog="python -m optax_sched.exercise", description=__doc__.split("\n\n")[0]
  )
  add_arguments(parser)
  return run(parser.parse_args(argv))


if __name__ == "__main__":
  sys.exit(main())
