"""Where lr_find's compiled time goes: its training step, piece by piece.

The 100 updates of ``lr_find`` on the digits MLP (batch 32) as its compiled
loop (``range_test._run`` with a stop factor that never stops, so every
variant runs all 100; no smoothing in Python, no suggestions), for each
choice lr_find made:

- the optimizer: ``optax.adamw`` (the exercise's optimizer) or lr_find's
  default, the same AdamW fused with its rates and bias corrections computed
  ahead;
- the model: the MLP with plain ``x @ w + b`` layers, or with
  ``problems.base.dense`` (the weight gradient on a laid-out ``x.T``);
- the loop: one or two updates per iteration (``unroll``).

Also the cost of a call that is not updates: the same program at 10 and at
100 updates (the intercept of the line through them). Every variant is
checked to give the same losses, then timed in interleaved rounds; each row
is its best call.

    python scripts/bench_lr_find_step.py [--rounds 60]
"""

from __future__ import annotations

import argparse
import math
import os
import time
from functools import partial

import bench_choose  # scripts/: the same problem, batches and loss
import jax
import numpy as np
import optax

from optax_sched import exercise, range_test as rt


def _plain_loss(params, batch):
  x, y = batch
  h = jax.nn.relu(x @ params["w1"] + params["b1"])
  return optax.softmax_cross_entropy_with_integer_labels(h @ params["w2"] + params["b2"], y).mean()


def main() -> None:
  parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
  parser.add_argument("--rounds", type=int, default=60)
  args = parser.parse_args()
  problem, batches = bench_choose.digits()
  n_b = int(batches[0].shape[0])
  variants = {}
  for opt_name, opt in (("optax.adamw", exercise.optimizer), ("fused AdamW", None)):
    for model, loss in (("plain layers", _plain_loss), ("dense layers", bench_choose.digits_loss)):
      for unroll in (1, 2):
        variants[(opt_name, model, unroll, 100)] = (opt, loss, unroll, 100)
  variants[("fused AdamW", "dense layers", 2, 10)] = (None, bench_choose.digits_loss, 2, 10)
  calls, ref = {}, None
  for key, (opt, loss, unroll, n) in variants.items():
    _, rates, order = rt._sweep(1e-7, 10.0, n, n_b)
    run = jax.jit(partial(rt._run, loss, opt, unroll=unroll))
    inputs = (problem.params, batches, order, rates, 0.98, math.inf)
    call = partial(run.lower(*inputs).compile(), *inputs)
    out = np.asarray(call()[0])
    if n == 100:
      ref = out if ref is None else ref
      gap = float(np.max(np.abs(out[:60] / ref[:60] - 1)))
      assert gap < 1e-5, (key, gap)  # the same run, to float32 rounding
    calls[key] = call
  times: dict = {k: [] for k in calls}
  print("load average before: " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))
  for _ in range(args.rounds):
    for key, call in calls.items():
      for _ in range(3):
        start = time.perf_counter()
        np.asarray(call()[0])
        times[key].append(time.perf_counter() - start)
  best = {k: min(v) for k, v in times.items()}
  base_key = ("optax.adamw", "plain layers", 1, 100)
  print("| optimizer | layers | updates per iteration | 100 updates | vs optax, plain, 1 |")
  print("|---|---|---|---|---|")
  for key, t in best.items():
    if key[3] == 100:
      print(f"| {key[0]} | {key[1]} | {key[2]} | {t * 1e3:.3f} ms | {t / best[base_key]:.3f}x |")
  short, full = (
    best[("fused AdamW", "dense layers", 2, 10)],
    best[("fused AdamW", "dense layers", 2, 100)],
  )
  per = (full - short) / 90
  print(
    f"\nfused AdamW, dense layers, 2 per iteration: {per * 1e6:.1f} us per update,"
    f" {(full - 100 * per) * 1e6:.0f} us per call besides (10 updates: {short * 1e3:.3f} ms)"
  )
  print("load average after: " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))


if __name__ == "__main__":
  main()
