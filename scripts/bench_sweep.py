"""Speed-up of a vmapped LR sweep over the same K runs one after another.

Trains the exercise's MLP (digits, batch 32) under K peak learning rates of a
warmup+cosine schedule three ways: K sequential runs of a Python loop over a
jitted step (the usual training loop), K sequential calls of one compiled
whole-run ``train`` (a ``lax.scan``), and one ``jit(vmap)`` program. Times
are the best of ``--repeat`` after compilation; the ratios come from this one
run:

Then the exercise's seeds: K schedules x S seeds, one ``jit(vmap)`` program
per schedule (``exercise.train_seeds``, what ``optax-sched compare --seeds
S`` runs) against S separate compiled runs per schedule:

    python scripts/bench_sweep.py [--k 8] [--epochs 2] [--repeat 3]
        [--schedules 6] [--seeds 3] [--problem digits]

``bench_sweep()`` and ``bench_seeds()`` return the numbers.
"""

from __future__ import annotations

import argparse
import time

import jax
import jax.numpy as jnp

import optax_sched as sched
from optax_sched import exercise, problems


def _timed(fn):
  t = time.perf_counter()
  jax.block_until_ready(fn())
  return time.perf_counter() - t


def bench_sweep(k: int = 8, epochs: int = 2, repeat: int = 3) -> dict:
  """Seconds and speed-up of K sequential runs vs one vmapped sweep."""
  problem = exercise.load_problem(seed=0, epochs=epochs, batch_size=32)
  total = problem.order.shape[0] * problem.order.shape[1]
  base = sched.warmup_cosine_decay_schedule(0.0, 1e-2, total // 10, total, 0.0)
  peaks = jnp.geomspace(1e-3, 1e-1, k)
  one = jax.jit(lambda p: exercise.train(base.replace(peak_value=p), problem))
  many = jax.jit(jax.vmap(lambda p: exercise.train(base.replace(peak_value=p), problem)))

  step = jax.jit(exercise.train_step)

  def python_loop(p):
    s = base.replace(peak_value=p)
    params = problem.params
    opt_state = exercise.optimizer(s).init(params)
    for idx in problem.order.reshape(-1, problem.order.shape[-1]):
      params, opt_state, _, _ = step(
        s, params, opt_state, problem.x_train[idx], problem.y_train[idx]
      )
    return params

  def sequential():
    return [one(p) for p in peaks]

  def sequential_loops():
    return [python_loop(p) for p in peaks]

  _timed(sequential_loops)
  loops = min(_timed(sequential_loops) for _ in range(repeat))
  first_seq = _timed(sequential)
  first_vmap = _timed(lambda: many(peaks))
  seq = min(_timed(sequential) for _ in range(repeat))
  vmapped = min(_timed(lambda: many(peaks)) for _ in range(repeat))
  return {
    "k": k,
    "steps": total,
    "python_loops_s": loops,
    "sequential_s": seq,
    "vmapped_s": vmapped,
    "speedup_over_python_loops": loops / vmapped,
    "speedup": seq / vmapped,
    "first_call_speedup": first_seq / first_vmap,
  }


def bench_seeds(
  k: int = 6, seeds: int = 3, epochs: int = 2, repeat: int = 3, problem: str = "digits"
) -> dict:
  """Seconds and speed-up of K schedules x S seeds: one vmapped program per
  schedule against S separate runs per schedule (each a compiled scan)."""
  prob = exercise.load_problem(0, epochs, 32, seeds, problem=problem)
  lr = problems.default_lr(problem)
  schedules = [f(lr, prob.total_steps) for _, f in list(exercise.SCHEDULES.values())[:k]]
  members = [prob.one_seed(i) for i in range(seeds)]
  together = jax.jit(exercise.train_seeds)
  alone = jax.jit(exercise.train)

  def vmapped():
    return [together(s, prob) for s in schedules]

  def separate():
    return [alone(s, m) for s in schedules for m in members]

  first_separate = _timed(separate)
  first_vmapped = _timed(vmapped)
  sep = min(_timed(separate) for _ in range(repeat))
  vm = min(_timed(vmapped) for _ in range(repeat))
  return {
    "problem": problem,
    "k": len(schedules),
    "seeds": seeds,
    "steps": prob.total_steps,
    "separate_s": sep,
    "vmapped_s": vm,
    "speedup": sep / vm,
    "first_call_speedup": first_separate / first_vmapped,
  }


def main():
  parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
  parser.add_argument("--k", type=int, default=8)
  parser.add_argument("--epochs", type=int, default=2)
  parser.add_argument("--repeat", type=int, default=3)
  parser.add_argument("--schedules", type=int, default=6, help="K schedules of the seeds bench")
  parser.add_argument("--seeds", type=int, default=3, help="S seeds of the seeds bench")
  parser.add_argument("--problem", default="digits", help="the seeds bench's problem")
  a = parser.parse_args()
  r = bench_sweep(a.k, a.epochs, a.repeat)
  print(f"{r['k']} runs of {r['steps']} steps, one vmapped program: {r['vmapped_s']:.3f} s")
  print(
    f"  vs {r['k']} Python step loops   {r['python_loops_s']:.3f} s ->"
    f" speed-up x{r['speedup_over_python_loops']:.1f}"
  )
  print(
    f"  vs {r['k']} compiled scan runs  {r['sequential_s']:.3f} s ->"
    f" speed-up x{r['speedup']:.1f} (x{r['first_call_speedup']:.1f} counting compilation)"
  )
  r = bench_seeds(a.schedules, a.seeds, a.epochs, a.repeat, a.problem)
  print(
    f"{r['k']} schedules x {r['seeds']} seeds on {r['problem']} ({r['steps']} steps each),"
    f" one vmapped program per schedule: {r['vmapped_s']:.3f} s"
  )
  print(
    f"  vs {r['k']} x {r['seeds']} separate compiled runs  {r['separate_s']:.3f} s ->"
    f" speed-up x{r['speedup']:.1f} (x{r['first_call_speedup']:.1f} counting compilation)"
  )


if __name__ == "__main__":
  main()
