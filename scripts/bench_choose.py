"""Speed of the "choose before you train" tools: lr_find and optimize_schedule.

1. ``sched.lr_find``, 100 steps on the exercise's digits MLP (64-64-10,
   batch 32, AdamW): wall time of the first call (tracing and compilation
   included) and of a compiled call, against the same range test written as
   a PyTorch eager loop (the same MLP, ``torch.optim.AdamW``, the rate set
   every step, fastai's smoothing and stop check in Python).
2. ``sched.optimize_schedule`` for a 10k-update run under a law fitted with
   ``sched.fit_loss_law`` (skipped when the laws are not installed).

    python scripts/bench_choose.py [--repeats 5]

``bench_lr_find()`` and ``bench_optimize()`` return the rows for
scripts/bench.py.
"""

from __future__ import annotations

import argparse
import importlib.util
import math
import time

import jax
import numpy as np

import optax_sched as sched
from optax_sched import exercise

NUM_STEPS = 100


def _wall(fn):
  start = time.perf_counter()
  jax.block_until_ready(fn())
  return time.perf_counter() - start


def _digits():
  problem = exercise.load_problem(0, 1)
  batches = (problem.x_train[problem.order[0]], problem.y_train[problem.order[0]])
  return problem, batches


def _loss(params, batch):
  return exercise.loss_fn(params, *batch)


def torch_range_test(problem, batches, min_lr=1e-7, max_lr=10.0, beta=0.98, stop=4.0):
  """The range test as a PyTorch eager loop; returns (seconds, losses)."""
  import torch

  torch.set_num_threads(1)
  x = torch.from_numpy(np.array(batches[0]))
  y = torch.from_numpy(np.array(batches[1])).long()
  p = {k: torch.tensor(np.array(v), requires_grad=True) for k, v in problem.params.items()}
  opt = torch.optim.AdamW(list(p.values()), lr=min_lr, weight_decay=1e-4)
  mean, best, losses = 0.0, math.inf, []
  start = time.perf_counter()
  for i in range(NUM_STEPS):
    for group in opt.param_groups:
      group["lr"] = min_lr * (max_lr / min_lr) ** (i / NUM_STEPS)
    k = i % x.shape[0]
    h = torch.relu(x[k] @ p["w1"] + p["b1"])
    loss = torch.nn.functional.cross_entropy(h @ p["w2"] + p["b2"], y[k])
    opt.zero_grad()
    loss.backward()
    opt.step()
    value = loss.item()
    losses.append(value)
    mean = beta * mean + (1 - beta) * value
    smooth = mean / (1 - beta ** (i + 1))
    best = min(best, smooth)
    if smooth > stop * best:
      break
  return time.perf_counter() - start, losses


def bench_lr_find(repeats: int = 5) -> list[tuple[str, str, str]]:
  problem, batches = _digits()

  def run():
    return sched.lr_find(_loss, problem.params, batches, optimizer=exercise.optimizer).smoothed

  cold = _wall(run)
  warm = min(_wall(run) for _ in range(repeats))
  rows = [
    (f"lr_find, {NUM_STEPS} steps, first call (compile included)", f"{cold:.3g} s", ""),
    (f"lr_find, {NUM_STEPS} steps, compiled", f"{warm * 1e3:.3g} ms", "1x"),
  ]
  if importlib.util.find_spec("torch") is not None:
    import torch

    torch_range_test(problem, batches)
    eager = min(torch_range_test(problem, batches)[0] for _ in range(repeats))
    rows.append(
      (
        f"torch {torch.__version__} eager loop, the same range test",
        f"{eager * 1e3:.3g} ms",
        f"{eager / warm:.3g}x slower",
      )
    )
  return rows


def bench_optimize(total: int = 10_000) -> list[tuple[str, str, str]]:
  if not hasattr(sched, "fit_loss_law"):
    return [("optimize_schedule (skipped: sched.fit_loss_law is not available)", "", "")]
  import jax.numpy as jnp

  peak, warmup = 1e-3, total // 20
  cosine = sched.warmup_cosine_decay_schedule(0.0, peak, warmup, total, 0.0)
  lrs = np.asarray(cosine(jnp.arange(total)), np.float64)
  steps = np.linspace(50, total, 200).astype(int)
  # A log drawn from a known momentum law (Tissue et al. 2024), then fitted.
  truth = sched.LossLaw("momentum", dict(L0=3.0, A=0.5, alpha=0.4, C=0.3, lam=0.999))
  losses = np.asarray(truth.predict(lrs, steps))
  law = sched.fit_loss_law(lrs, losses, steps)
  seconds = _wall(lambda: sched.optimize_schedule(law, total, peak, warmup_steps=warmup)(0))
  return [
    (
      f"optimize_schedule, {total:,} updates, {law.name} law (compile included)",
      f"{seconds:.3g} s",
      "",
    )
  ]


def main() -> None:
  parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
  parser.add_argument("--repeats", type=int, default=5)
  args = parser.parse_args()
  print("| what | time | vs ours |\n|---|---|---|")
  for row in bench_lr_find(args.repeats) + bench_optimize():
    print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
  main()
