"""Speed of the "choose before you train" tools: lr_find and optimize_schedule.

1. ``sched.lr_find``, 100 steps on the exercise's digits MLP (64-64-10,
   batch 32, its default AdamW: optax.adamw's defaults, the exercise's
   optimizer): wall time of the first call (tracing and compilation included)
   and of a compiled call, against the same range test written as a PyTorch
   eager loop: the same MLP, initial parameters and batches,
   ``torch.optim.AdamW`` with the same settings and the rate set every step,
   fastai's smoothing and stop check in Python and the same suggestions at
   the end. Both sides are timed around the whole call, from arrays in memory
   to the suggestions (ours: one ``sched.lr_find`` call, which returns NumPy
   arrays; torch's: making the tensors and the optimizer, then the loop).
   torch runs each AdamW implementation (the default for-loop,
   ``foreach=True``, ``fused=True``) in the leanest loop (bare tensors), and
   the default one as PyTorch code usually reads (``nn.Sequential``,
   ``nn.CrossEntropyLoss``, a ``LambdaLR`` scheduler), each with 1 and with
   2 threads, reported at its faster thread count: nothing is handicapped.
   With ``torch-lr-finder`` installed (``pip install torch-lr-finder``), one
   more row runs the range test as PyTorch users run it: that package's
   ``LRFinder.range_test`` on the same model, optimizer and batches
   (``torch_lr_finder_range_test``).
   JAX runs as installed. Both stop as fastai's range test does, after the
   update whose smoothed loss passes 4x the lowest, each on its own curve
   (the curves drift apart in float32 once the rate is too high): every row
   says how many updates ran, and the torch rows also give the ratio per
   update. Rows in parentheses put lr_find next to itself
   with an optax optimizer, and next to the same updates as a bare
   ``jit(lax.scan)`` with ``optax.adamw``. The rounds interleave the
   contenders, and each row is the best of its rounds, so a burst of load
   elsewhere hits them alike.
2. ``sched.optimize_schedule`` for a 10k-update run under a law fitted with
   ``sched.fit_loss_law`` (skipped when the laws are not installed).

    python scripts/bench_choose.py [--repeats 10]

``bench_lr_find()`` and ``bench_optimize()`` return the rows for
scripts/bench.py.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import math
import os
import time

import jax
import numpy as np

import optax_sched as sched
from optax_sched import exercise
from optax_sched.range_test import ADAMW, suggest

NUM_STEPS = 100
#: torch.optim.AdamW's implementations: the for-loop (its default on CPU),
#: ``foreach`` (one multi-tensor kernel per op) and ``fused``.
TORCH_ADAMW = {"default": {}, "foreach": {"foreach": True}, "fused": {"fused": True}}


def _wall(fn):
  start = time.perf_counter()
  jax.block_until_ready(fn())
  return time.perf_counter() - start


def digits():
  problem = exercise.load_problem(0, 1)
  batches = (problem.x_train[problem.order[0]], problem.y_train[problem.order[0]])
  return problem, batches


def digits_loss(params, batch):
  """The exercise's loss on a batch ``(x, y)``, as lr_find takes it."""
  return exercise.loss_fn(params, *batch)


def _torch_mlp(init):
  """The digits MLP as ``nn.Sequential``, with ``init``'s parameters (NumPy)."""
  import torch

  first, second = torch.nn.Linear(64, 64), torch.nn.Linear(64, 10)
  with torch.no_grad():
    for layer, w, b in ((first, "w1", "b1"), (second, "w2", "b2")):
      layer.weight.copy_(torch.from_numpy(init[w].T))
      layer.bias.copy_(torch.from_numpy(init[b]))
  return torch.nn.Sequential(first, torch.nn.ReLU(), second)


def torch_range_test(
  problem,
  batches,
  min_lr=1e-7,
  max_lr=10.0,
  beta=0.98,
  stop=4.0,
  *,
  threads=1,
  impl="default",
  module=False,
):
  """The range test as a PyTorch eager loop; returns (seconds, losses, suggestions).

  ``module=False``: the leanest loop, the four parameters as bare tensors and
  the rate written into the optimizer's param group each step.
  ``module=True``: as PyTorch code usually reads, an ``nn.Sequential`` of
  ``nn.Linear`` layers, ``nn.CrossEntropyLoss`` and the sweep as a
  ``LambdaLR`` scheduler. Timed like ``sched.lr_find``: from arrays in memory
  (NumPy, made before the clock starts) to the suggestions, so the clock
  covers making the parameters and the optimizer, as ours covers its setup.
  """
  import torch

  torch.set_num_threads(threads)
  xs, ys = np.array(batches[0]), np.array(batches[1]).astype(np.int64)
  init = {k: np.array(v) for k, v in problem.params.items()}
  start = time.perf_counter()
  x, y = torch.from_numpy(xs), torch.from_numpy(ys)
  if module:
    net = _torch_mlp(init)
    params, criterion = list(net.parameters()), torch.nn.CrossEntropyLoss()
  else:
    p = {k: torch.tensor(v, requires_grad=True) for k, v in init.items()}
    params = list(p.values())
  opt = torch.optim.AdamW(params, lr=min_lr, weight_decay=1e-4, **TORCH_ADAMW[impl])
  if module:
    sweep = torch.optim.lr_scheduler.LambdaLR(opt, lambda i: (max_lr / min_lr) ** (i / NUM_STEPS))
  mean, best, lrs, losses, smoothed = 0.0, math.inf, [], [], []
  for i in range(NUM_STEPS):
    lr = min_lr * (max_lr / min_lr) ** (i / NUM_STEPS)
    k = i % x.shape[0]
    if module:
      loss = criterion(net(x[k]), y[k])
    else:
      for group in opt.param_groups:
        group["lr"] = lr
      h = torch.relu(x[k] @ p["w1"] + p["b1"])
      loss = torch.nn.functional.cross_entropy(h @ p["w2"] + p["b2"], y[k])
    opt.zero_grad()
    loss.backward()
    opt.step()
    if module:
      sweep.step()
    value = loss.item()
    lrs.append(lr)
    losses.append(value)
    mean = beta * mean + (1 - beta) * value
    smoothed.append(mean / (1 - beta ** (i + 1)))
    best = min(best, smoothed[-1])
    if smoothed[-1] > stop * best:
      break
  suggestions = suggest(np.array(lrs), np.array(smoothed), NUM_STEPS)
  return time.perf_counter() - start, losses, suggestions


def torch_lr_finder_range_test(
  problem, batches, min_lr=1e-7, max_lr=10.0, beta=0.98, stop=4.0, *, threads=1
):
  """The range test as PyTorch users run it: ``torch_lr_finder.LRFinder``
  (the ``torch-lr-finder`` package, davidtvs/pytorch-lr-finder) on the same
  ``nn.Sequential`` MLP, ``nn.CrossEntropyLoss``, ``torch.optim.AdamW`` and
  batches (a ``DataLoader`` over the ready-made batches, ``batch_size=None``:
  no collation), its exponential sweep, its smoothing (``smooth_f = 1 -
  beta``, not bias-corrected) and its stop at ``stop`` x the best; then the
  same ``suggest`` and ``LRFinder.reset()``, which puts the model and the
  optimizer back as they were (ours changes nothing). Its progress bar and
  messages go to a buffer. Returns (seconds, losses, suggestions)."""
  import contextlib
  import io

  import torch
  from torch_lr_finder import LRFinder

  torch.set_num_threads(threads)
  xs, ys = np.array(batches[0]), np.array(batches[1]).astype(np.int64)
  init = {k: np.array(v) for k, v in problem.params.items()}
  start = time.perf_counter()
  data = list(zip(torch.from_numpy(xs), torch.from_numpy(ys), strict=True))
  loader = torch.utils.data.DataLoader(data, batch_size=None)
  net = _torch_mlp(init)
  opt = torch.optim.AdamW(net.parameters(), lr=min_lr, weight_decay=1e-4)
  finder = LRFinder(net, opt, torch.nn.CrossEntropyLoss(), device="cpu")
  out = io.StringIO()
  with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
    finder.range_test(
      loader, start_lr=min_lr, end_lr=max_lr, num_iter=NUM_STEPS, smooth_f=1 - beta, diverge_th=stop
    )
  lrs, smoothed = (np.array(finder.history[k]) for k in ("lr", "loss"))
  suggestions = suggest(lrs, smoothed, NUM_STEPS)
  finder.reset()
  return time.perf_counter() - start, list(smoothed), suggestions


def bare_scan(problem, batches):
  """The same 100 updates as a bare ``jit(lax.scan)`` (no smoothing, no
  suggestions): the floor lr_find's own work sits on."""
  import jax.numpy as jnp
  import optax

  lrs = jnp.asarray(1e-7 * (1e8) ** (np.arange(NUM_STEPS) / NUM_STEPS), jnp.float32)
  order = jnp.arange(NUM_STEPS) % batches[0].shape[0]

  @jax.jit
  def run(params, batches):
    opt = exercise.optimizer(lambda count: lrs[count])

    def step(carry, i):
      p, state = carry
      loss, grads = jax.value_and_grad(digits_loss)(p, (batches[0][i], batches[1][i]))
      updates, state = opt.update(grads, state, p)
      return (optax.apply_updates(p, updates), state), loss

    return jax.lax.scan(step, (params, opt.init(params)), order)[1]

  return lambda: run(problem.params, batches)


def bench_lr_find(repeats: int = 10) -> list[tuple[str, str, str]]:
  problem, batches = digits()
  # lr_find's default optimizer is AdamW with optax.adamw's defaults, which are
  # the exercise's optimizer and the torch loop's AdamW settings.
  assert ADAMW == {"b1": 0.9, "b2": 0.999, "eps": 1e-8, "weight_decay": 1e-4}, ADAMW

  def run():
    return sched.lr_find(digits_loss, problem.params, batches).smoothed

  def run_optax():
    return sched.lr_find(
      digits_loss, problem.params, batches, optimizer=exercise.optimizer
    ).smoothed

  cold = _wall(run)
  kept = sched.lr_find(digits_loss, problem.params, batches).losses.size
  ours = {run: [], run_optax: [], bare_scan(problem, batches): []}
  have_torch = importlib.util.find_spec("torch") is not None
  loops = [(impl, False) for impl in TORCH_ADAMW] + [("default", True)]
  if importlib.util.find_spec("torch_lr_finder") is not None:
    loops.append(("default", "LRFinder"))
  configs = [(loop, n) for loop in loops for n in (1, 2)] if have_torch else []
  times: dict = {c: [] for c in configs}

  updates = {}

  def torch_loop(config):
    (impl, module), threads = config
    if module == "LRFinder":
      seconds, losses, _ = torch_lr_finder_range_test(problem, batches, threads=threads)
    else:
      seconds, losses, _ = torch_range_test(
        problem, batches, impl=impl, module=module, threads=threads
      )
    updates[config[0]] = len(losses)
    return seconds

  for c in configs:  # warm up: the first call of each builds kernels and caches
    torch_loop(c)
  for _ in range(repeats + 1):  # interleaved rounds (the first warms up)
    for fn, got in ours.items():
      got += [_wall(fn) for _ in range(3)]
    for c in configs:
      times[c].append(torch_loop(c))
  warm, with_optax, bare = (min(t) for t in ours.values())
  rows = [
    (f"lr_find, {NUM_STEPS} steps, first call (compile included)", f"{cold:.3g} s", ""),
    (
      f"lr_find, {NUM_STEPS} steps, compiled (its default AdamW, fused; {kept} updates"
      f"{', then it stopped' if kept < NUM_STEPS else ''})",
      f"{warm * 1e3:.3g} ms",
      "1x",
    ),
    (
      "(lr_find with optimizer=optax.adamw-based exercise.optimizer, same numbers)",
      f"{with_optax * 1e3:.3g} ms",
      f"{with_optax / warm:.3g}x",
    ),
    (
      f"(the same {NUM_STEPS} updates with optax.adamw as a bare jit(lax.scan), no"
      " smoothing or suggestions)",
      f"{bare * 1e3:.3g} ms",
      f"{bare / warm:.3g}x",
    ),
  ]
  if have_torch:
    import torch

    for loop in loops:
      best, n = min((min(times[(loop, n)]), n) for n in (1, 2))
      other = min(times[(loop, 3 - n)])
      what = {False: "eager loop", True: "nn.Module loop, LambdaLR"}.get(loop[1])
      if loop[1] == "LRFinder":
        what = f"torch-lr-finder {importlib.metadata.version('torch-lr-finder')} LRFinder"
      per_update = (best / updates[loop]) / (warm / kept)
      rows.append(
        (
          f"torch {torch.__version__} {what}, AdamW {loop[0]}, {n} thread{'s' * (n > 1)}"
          f" ({3 - n}: {other * 1e3:.3g} ms; {updates[loop]} updates)",
          f"{best * 1e3:.3g} ms",
          f"{best / warm:.3g}x slower ({per_update:.3g}x per update)",
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


def _rounded(suggestions: dict) -> dict:
  return {k: float(f"{v:.3g}") for k, v in suggestions.items()}


def main() -> None:
  parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
  parser.add_argument("--repeats", type=int, default=10)
  args = parser.parse_args()
  print("load average before: " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))
  print("| what | time | vs ours |\n|---|---|---|")
  for row in bench_lr_find(args.repeats) + bench_optimize():
    print("| " + " | ".join(row) + " |")
  problem, batches = digits()
  ours = sched.lr_find(digits_loss, problem.params, batches)
  if importlib.util.find_spec("torch") is not None:
    _, losses, theirs = torch_range_test(problem, batches)
    n = min(len(losses), ours.losses.size)
    gap = np.abs(np.array(losses[:n]) - ours.losses[:n]) / np.abs(ours.losses[:n])
    apart = np.flatnonzero(gap > 1e-2)
    print(
      f"\nthe same range test: losses within {gap[: n // 2].max():.1e} of torch's over the"
      f" first {n // 2} steps, first 1% apart at step {apart[0] if apart.size else 'none'}"
      f" (rate {ours.lrs[apart[0]] if apart.size else math.nan:.2g}: float32 rounding, amplified"
      f" once the rate is too high); kept {ours.losses.size} and {len(losses)} updates"
    )
    print(f"suggestions: ours {_rounded(ours.suggestions)}, torch {_rounded(theirs)}")
  if importlib.util.find_spec("torch_lr_finder") is not None:
    _, smoothed, theirs = torch_lr_finder_range_test(problem, batches)
    print(
      f"torch-lr-finder's LRFinder (its own smoothing): kept {len(smoothed)} updates,"
      f" suggestions {_rounded(theirs)}"
    )
  print("load average after: " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))


if __name__ == "__main__":
  main()
