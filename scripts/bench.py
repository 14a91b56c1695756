"""Speed of optax_sched against optax and PyTorch, as ratios from one run.

    python scripts/bench.py            # the tables of docs/speed.md (a few minutes)
    python scripts/bench.py --quick    # smaller, for a smoke test

Prints Markdown tables:

1. n = 1 ... 10^4 pieces (``piecewise_constant_schedule`` with n - 1
   boundaries, and ``join_schedules`` of n cosine decays): evaluating 1M steps
   and compiling for a scalar step, ours against optax.
2. Every optax-named family, ``jax.vmap`` over 1M steps, ours against optax
   (the median of paired, interleaved rounds: see :func:`bench_families`).
3. In-training overhead: a jitted AdamW step of a small MLP with the schedule
   against the same step with a constant learning rate.
4. A 1M-step learning-rate trace against stepping a PyTorch scheduler (row
   skipped when torch is not installed).
5. Choosing before training: ``lr_find`` (100 steps of the digits MLP)
   against the same range test as a PyTorch eager loop, and
   ``optimize_schedule`` for a 10k-update run (scripts/bench_choose.py).
6. Start-up: ``import optax_sched`` against ``import optax``, and
   ``optax-sched --help`` against a bare interpreter, each a fresh process
   (``--startup`` runs this section alone).
7. Loss-curve laws: fitting a 10k-update log of 200 points (in a fresh
   process: every compilation included) and predicting 1,000 points of a
   1M-update run, one schedule and 8 vmapped candidates (``--laws-only`` runs this table alone).

Times are the minimum over repeats (the machine may be shared; the minimum is
the run least disturbed). Ratios, not times, are the result: they hold
across machines far better than seconds do.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import pathlib
import platform
import statistics
import subprocess
import sys
import time
import warnings

import jax
import jax.numpy as jnp
import numpy as np
import optax

import optax_sched as sched

STEPS = 1_000_000


def best(fn, *args, repeats=5, budget=0.2):
  """Minimum wall time of ``fn(*args)`` in seconds, after one warm call.

  Runs at least ``repeats`` times and until ``budget`` seconds are spent: a
  sub-millisecond call gets hundreds of tries, so one quiet moment is enough
  for its minimum (a handful of tries on a shared machine may see none).
  """
  jax.block_until_ready(fn(*args))
  times = []
  spent = 0.0
  while len(times) < repeats or spent < budget:
    start = time.perf_counter()
    jax.block_until_ready(fn(*args))
    times.append(time.perf_counter() - start)
    spent += times[-1]
  return min(times)


def compile_time(schedule):
  """Seconds to trace, lower and compile ``schedule`` for one int32 step."""
  start = time.perf_counter()
  jax.jit(lambda t: schedule(t)).lower(jnp.int32(0)).compile()
  return time.perf_counter() - start


def ms(seconds):
  return f"{seconds * 1e3:.3g} ms" if seconds < 1 else f"{seconds:.3g} s"


def ratio(x):
  return f"{x:.3g}x"


# -- 1. many pieces ---------------------------------------------------------------


def piecewise_pair(n):
  spacing = STEPS // n
  bs = {k * spacing: 0.999 for k in range(1, n)}
  return (sched.piecewise_constant_schedule(1e-3, bs), optax.piecewise_constant_schedule(1e-3, bs))


def join_pair(n):
  spacing = STEPS // n
  kws = [dict(init_value=1e-3 * 0.9 ** (k % 10), decay_steps=spacing, alpha=0.1) for k in range(n)]
  bounds = [k * spacing for k in range(1, n)]
  return (
    sched.join_schedules([sched.cosine_decay_schedule(**k) for k in kws], bounds),
    optax.join_schedules([optax.cosine_decay_schedule(**k) for k in kws], bounds),
  )


def eval_time(schedule, steps, repeats):
  # Broadcast: optax returns a scalar when there is nothing to evaluate
  # (no boundaries); a trace needs a value per step either way.
  return best(jax.jit(lambda t: jnp.broadcast_to(schedule(t), t.shape)), steps, repeats=repeats)


def bench_pieces(counts, repeats, optax_max_n, optax_steps_cap=10_000_000):
  steps = jnp.arange(STEPS, dtype=jnp.int32)
  rows = []
  for label, pair in (("piecewise_constant", piecewise_pair), ("join of cosines", join_pair)):
    base = None
    for n in counts:
      progress(f"{label}, n={n}")
      ours, theirs = pair(n)
      t_ours = eval_time(ours, steps, repeats)
      base = t_ours if base is None else base
      c_ours = min(compile_time(ours) for _ in range(3))
      row = [label, n, ms(t_ours), ratio(t_ours / base)]
      if n > optax_max_n:
        rows.append(row + ["not run", "", ms(c_ours), "not run", ""])
        continue
      # optax costs n * steps; past the cap, time fewer steps and scale
      # (the cost is linear in the number of steps).
      k = min(STEPS, max(optax_steps_cap // n, 10_000))
      t_opt = eval_time(theirs, steps[:k], 1 if n >= 1000 else repeats) * STEPS / k
      c_opt = compile_time(theirs)
      rows.append(
        row
        + [
          ms(t_opt) + ("" if k == STEPS else f" ({k:,} steps x{STEPS // k})"),
          ratio(t_opt / t_ours),
          ms(c_ours),
          ms(c_opt),
          ratio(c_opt / c_ours),
        ]
      )
  return rows


def progress(text):
  print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


# -- 2. every family ------------------------------------------------------------------

FAMILIES = {
  "constant_schedule": dict(value=1e-3),
  "linear_schedule": dict(init_value=0.0, end_value=1e-3, transition_steps=10_000),
  "polynomial_schedule": dict(
    init_value=1e-3, end_value=1e-5, power=2.0, transition_steps=500_000, transition_begin=1000
  ),
  "cosine_decay_schedule": dict(init_value=1e-3, decay_steps=900_000, alpha=0.1),
  "warmup_cosine_decay_schedule": dict(
    init_value=0.0, peak_value=1e-3, warmup_steps=10_000, decay_steps=900_000, end_value=1e-5
  ),
  "warmup_constant_schedule": dict(init_value=0.0, peak_value=1e-3, warmup_steps=10_000),
  "warmup_exponential_decay_schedule": dict(
    init_value=0.0,
    peak_value=1e-3,
    warmup_steps=10_000,
    transition_steps=50_000,
    decay_rate=0.5,
    end_value=1e-6,
  ),
  "exponential_decay": dict(
    init_value=1e-3, transition_steps=50_000, decay_rate=0.5, transition_begin=1000, staircase=True
  ),
  "piecewise_constant_schedule": dict(
    init_value=1e-3, boundaries_and_scales={300_000: 0.1, 600_000: 0.1}
  ),
  "piecewise_interpolate_schedule": dict(
    interpolate_type="cosine", init_value=1e-3, boundaries_and_scales={300_000: 0.1, 600_000: 0.5}
  ),
  "linear_onecycle_schedule": dict(transition_steps=900_000, peak_value=1e-3),
  "cosine_onecycle_schedule": dict(transition_steps=900_000, peak_value=1e-3),
  "sgdr_schedule": dict(
    cosine_kwargs=[dict(init_value=1e-4, peak_value=1e-3, warmup_steps=5000, decay_steps=200_000)]
    * 5
  ),
}


def family_pair(name):
  if name == "join_schedules":
    return (
      sched.join_schedules(
        [sched.linear_schedule(0.0, 1e-3, 10_000), sched.cosine_decay_schedule(1e-3, 990_000)],
        [10_000],
      ),
      optax.join_schedules(
        [optax.linear_schedule(0.0, 1e-3, 10_000), optax.cosine_decay_schedule(1e-3, 990_000)],
        [10_000],
      ),
    )
  kw = FAMILIES[name]
  return getattr(sched, name)(**kw), getattr(optax, name)(**kw)


def bench_families(rounds):
  """Ratio = median over interleaved rounds of (ours / optax), each side's
  time in a round being its minimum over a few calls. A sub-millisecond,
  memory-bound call is moved by 20-70% by a burst elsewhere or by where its
  output buffer lands (two identical programs, ``constant_schedule``, were
  timed at 1.75x by a bare minimum); pairing within a round and the median
  over rounds remove both."""
  steps = jnp.arange(STEPS, dtype=jnp.int32)
  rows = []
  for name in sched.OPTAX_NAMES:
    ours, theirs = family_pair(name)
    f_ours, f_opt = jax.jit(jax.vmap(ours)), jax.jit(jax.vmap(theirs))
    t_ours, t_opt = [], []
    for r in range(rounds):
      # Alternating who goes first: neither side always runs on a warm cache.
      pair = [(f_ours, t_ours), (f_opt, t_opt)]
      for f, times in pair if r % 2 == 0 else pair[::-1]:
        times.append(best(f, steps, repeats=3, budget=0.02))
    median = np.median(np.asarray(t_ours) / np.asarray(t_opt))
    rows.append((name, ms(min(t_ours)), ms(min(t_opt)), ratio(median)))
  return rows


# -- 3. inside training --------------------------------------------------------------


def bench_training(repeats, inner=200):
  """AdamW on a 64-256-256-10 MLP, ``inner`` steps per jitted call."""
  rng = np.random.RandomState(0)
  sizes = [64, 256, 256, 10]
  params = [
    (jnp.asarray(rng.randn(a, b) / np.sqrt(a), jnp.float32), jnp.zeros(b))
    for a, b in zip(sizes[:-1], sizes[1:], strict=True)
  ]
  x = jnp.asarray(rng.randn(128, 64), jnp.float32)
  y = jnp.asarray(rng.randint(0, 10, 128))

  def loss(p):
    h = x
    for w, b in p[:-1]:
      h = jax.nn.relu(h @ w + b)
    logits = h @ p[-1][0] + p[-1][1]
    return optax.softmax_cross_entropy_with_integer_labels(logits, y).mean()

  def runner(lr):
    opt = optax.adamw(lr)

    @jax.jit
    def run(p, state):
      def body(_, carry):
        p, state = carry
        g = jax.grad(loss)(p)
        updates, state = opt.update(g, state, p)
        return optax.apply_updates(p, updates), state

      return jax.lax.fori_loop(0, inner, body, (p, state))

    state = opt.init(params)
    return lambda: run(params, state)

  cases = {
    "constant 1e-3": 1e-3,
    # optax's schedule machinery alone: a step counter in the state.
    "optax, schedule lambda count: 1e-3": lambda count: 1e-3,
    "optax.warmup_cosine_decay_schedule": optax.warmup_cosine_decay_schedule(
      0.0, 1e-3, 1000, 100_000, 1e-5
    ),
    "warmup_cosine_decay_schedule": sched.warmup_cosine_decay_schedule(
      0.0, 1e-3, 1000, 100_000, 1e-5
    ),
    "join of 1000 cosines": join_pair(1000)[0],
    "warmup(repeat(cosine)) * 0.5": 0.5
    * sched.warmup(sched.repeat(sched.cosine_decay_schedule(1e-3, 5000), 5000, 2.0, 0.8), 1000),
  }
  runs = {name: runner(lr) for name, lr in cases.items()}
  times = {name: [] for name in runs}
  for run in runs.values():
    jax.block_until_ready(run())
  # Interleaved rounds in a rotating order, so a burst of load from elsewhere
  # hits every case; the overhead is the median over rounds of the ratio to
  # the constant-LR run of the same round.
  names = list(runs)
  for r in range(repeats):
    for name in names[r % len(names) :] + names[: r % len(names)]:
      start = time.perf_counter()
      jax.block_until_ready(runs[name]())
      times[name].append(time.perf_counter() - start)
  base = np.asarray(times["constant 1e-3"])
  return [
    (name, f"{min(t) / inner * 1e6:.1f} us", f"{(np.median(np.asarray(t) / base) - 1) * 100:+.1f}%")
    for name, t in times.items()
  ]


# -- 4. against PyTorch ----------------------------------------------------------------


def bench_torch(torch_steps):
  if importlib.util.find_spec("torch") is None:
    return None
  import torch

  ours = sched.cosine_decay_schedule(1e-3, STEPS, 0.0)
  steps = jnp.arange(STEPS, dtype=jnp.int32)
  start = time.perf_counter()
  jax.block_until_ready(jax.jit(lambda t: ours(t))(steps))
  cold = time.perf_counter() - start
  warm = eval_time(ours, steps, 5)

  def torch_trace(with_optimizer):
    param = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([param], lr=1e-3)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=STEPS)
    trace = np.empty(torch_steps)
    start = time.perf_counter()
    for i in range(torch_steps):
      trace[i] = scheduler.get_last_lr()[0]
      if with_optimizer:
        opt.step()
      scheduler.step()
    return (time.perf_counter() - start) * STEPS / torch_steps

  with warnings.catch_warnings():
    # Stepping the scheduler alone is what is timed; torch warns about it.
    warnings.simplefilter("ignore")
    alone = torch_trace(False)
  with_opt = torch_trace(True)
  scale = "" if torch_steps == STEPS else f"; {torch_steps:,} steps timed, x{STEPS // torch_steps}"
  return [
    ("optax_sched, jitted, warm", ms(warm), ratio(alone / warm)),
    ("optax_sched, incl. compile", ms(cold), ratio(alone / cold)),
    (
      f"torch {torch.__version__}: CosineAnnealingLR.step() + get_last_lr(){scale}",
      ms(alone),
      "1x",
    ),
    (
      f"torch, the same with an SGD optimizer.step() (a 1-element model){scale}",
      ms(with_opt),
      ratio(alone / with_opt),
    ),
  ]


ROOT = pathlib.Path(__file__).resolve().parents[1]

#: Fresh-process start-ups timed by :func:`bench_startup` (label -> code).
STARTUPS = {
  "python (bare interpreter)": ["-c", "pass"],
  "import optax": ["-c", "import optax"],
  "import optax_sched": ["-c", "import optax_sched"],
  "optax-sched --help": ["-m", "optax_sched.cli", "--help"],
  "import optax_sched; first schedule": [
    "-c",
    "import optax_sched as s; s.warmup_cosine_decay_schedule(0.0, 1e-3, 100, 1000)(5)",
  ],
}


def bench_startup(rounds):
  """Wall time of each start-up in :data:`STARTUPS`: the median of
  ``rounds`` interleaved runs (a burst of load from elsewhere hits all)."""
  env = dict(os.environ, PYTHONPATH=str(ROOT), JAX_PLATFORMS="cpu")
  times = {label: [] for label in STARTUPS}
  for _ in range(rounds):
    for label, args in STARTUPS.items():
      start = time.perf_counter()
      subprocess.run([sys.executable, *args], env=env, check=True, stdout=subprocess.DEVNULL)
      times[label].append(time.perf_counter() - start)
  med = {label: statistics.median(t) for label, t in times.items()}
  bare, optax_import = med["python (bare interpreter)"], med["import optax"]
  return [
    [label, ms(t), ms(max(t - bare, 0.0)), f"{t / optax_import:.2f}"] for label, t in med.items()
  ]


# -- 5. loss-curve laws ------------------------------------------------------------
def law_log(total=10_000, points=200):
  """A 10k-update warmup + cosine run and 200 noisy points of a known momentum law."""
  run = sched.warmup_cosine_decay_schedule(0.0, 3e-4, 500, total, 3e-5)
  lrs = np.asarray(run(np.arange(total)), np.float64)
  steps = np.linspace(total / points, total, points).astype(int)
  truth = sched.LossLaw("momentum", dict(L0=3.1, A=0.45, alpha=0.6, C=0.3, lam=0.999))
  noise = 1 + 2e-3 * np.random.default_rng(0).standard_normal(steps.size)
  return lrs, np.asarray(truth.predict(lrs, steps)) * noise, steps


def fit_law(name):
  """Fits ``law_log()`` with ``law=name``; returns (law, wall seconds, CPU seconds)."""
  lrs, losses, steps = law_log()
  start, cpu = time.perf_counter(), time.process_time()
  with warnings.catch_warnings():
    warnings.simplefilter("ignore", RuntimeWarning)
    law = sched.fit_loss_law(lrs, losses, steps, law=name)
  return law, time.perf_counter() - start, time.process_time() - cpu


def cold_fit(name):
  """``fit_law(name)`` in a fresh process (every compilation included).

  Returns (chosen law, wall seconds, CPU seconds of all the process's threads)."""
  env = dict(os.environ, PYTHONPATH=str(ROOT))
  code = (
    "import sys; sys.path.insert(0, sys.argv[1]); import bench;"
    " law, s, cpu = bench.fit_law(sys.argv[2]); print(law.name, s, cpu)"
  )
  out = subprocess.run(
    [sys.executable, "-c", code, str(ROOT / "scripts"), name],
    env=env,
    check=True,
    capture_output=True,
    text=True,
  ).stdout.split()
  return out[-3], float(out[-2]), float(out[-1])


def bench_laws(candidates=8, quick=False, repeats=3):
  """Fitting a 10k-update log (200 points, compile included); predicting 1M-update runs.

  Each fit runs in a fresh process (its compilations included), ``repeats``
  times (the fastest is shown, with the CPU time of all its threads).
  ``quick`` (the smoke test) fits the momentum law once and predicts
  100k-update runs."""
  rows, laws = [], {}
  for name in ("momentum",) if quick else ("momentum", "multi_power", "auto"):
    fits = [cold_fit(name) for _ in range(1 if quick else repeats)]
    chosen, seconds, cpu = min(fits, key=lambda f: f[1])
    what, size = f"fit {name} (-> {chosen})", "10k updates, 200 points"
    rows.append([what, size, f"{ms(seconds)} (CPU {ms(cpu)})", "<= 5 s"])
    if name != "auto":
      laws[name] = fit_law(name)[0]
  big = 100_000 if quick else 1_000_000
  at = jnp.linspace(big / 1000, big, 1000).astype(jnp.int32)
  peaks = jnp.linspace(1e-4, 1e-3, candidates)

  def cosine(p):
    return sched.warmup_cosine_decay_schedule(0.0, p, 10_000, big)(jnp.arange(big))

  lrs_k = jax.jit(jax.vmap(cosine))(peaks)
  for name, law in laws.items():

    def one(r, law=law):
      return law.predict(r, at)

    rows.append(
      [
        f"predict {name}",
        f"{big:,} updates, 1000 points",
        ms(best(jax.jit(one), lrs_k[0])),
        "<= 0.1 s",
      ]
    )
    size = f"{candidates} candidates x {big:,} x 1000"
    rows.append([f"predict {name}, vmap", size, ms(best(jax.jit(jax.vmap(one)), lrs_k)), ""])
  return rows


def table(header, rows):
  lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
  lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
  return "\n".join(lines)


def main():
  parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
  parser.add_argument("--quick", action="store_true", help="fewer pieces and repeats")
  parser.add_argument(
    "--optax-max-n",
    type=int,
    default=1000,
    help="largest n to run optax at (its compile time grows like n^1.5: ~7 s at"
    " n=1000, ~19 s at 2000, minutes at 10^4)",
  )
  parser.add_argument("--startup", action="store_true", help="only the start-up section")
  parser.add_argument("--laws-only", action="store_true", help="only the loss-curve laws")
  args = parser.parse_args()
  if args.startup:
    print_startup(5 if args.quick else 15)
    return
  if args.laws_only:
    print(table(["what", "size", "time", "target"], bench_laws()))
    return
  counts = (1, 10, 100) if args.quick else (1, 10, 100, 1000, 10_000)
  repeats = 2 if args.quick else 5
  print(
    f"jax {jax.__version__}, optax {optax.__version__}, {platform.machine()},"
    f" {jax.device_count()} x {jax.devices()[0].device_kind}\n"
  )
  # A first compile pays one-off costs; keep them out of the first row.
  jax.jit(lambda t: jnp.searchsorted(jnp.arange(100), t, method="scan_unrolled")).lower(0).compile()

  print("### n pieces: evaluate 1M steps, compile for a scalar step\n")
  print(
    table(
      [
        "schedule",
        "n",
        "eval (ours)",
        "vs ours at n=1",
        "eval (optax)",
        "optax / ours",
        "compile (ours)",
        "compile (optax)",
        "optax / ours",
      ],
      bench_pieces(counts, repeats, args.optax_max_n),
    ),
    flush=True,
  )
  print("\n### Every optax family: jax.vmap over 1M steps\n")
  progress("families")
  print(
    table(
      ["family", "ours (min)", "optax (min)", "ours / optax (median)"], bench_families(3 * repeats)
    ),
    flush=True,
  )
  print("\n### Inside training: jitted AdamW step of a 64-256-256-10 MLP, batch 128\n")
  progress("training")
  print(
    table(
      ["learning rate", "time per step (min)", "overhead vs constant (median)"],
      bench_training(3 if args.quick else 21),
    ),
    flush=True,
  )
  print("\n### A 1M-step learning-rate trace\n")
  progress("torch")
  rows = bench_torch(20_000 if args.quick else 200_000)
  if rows is None:
    print("(skipped: torch is not installed)")
  else:
    print(table(["how", "time for 1M steps", "speed-up over torch"], rows))
  print("\n### Choosing before training: lr_find and optimize_schedule\n")
  progress("choose")
  sys.path.insert(0, str(pathlib.Path(__file__).parent))
  import bench_choose

  rows = bench_choose.bench_lr_find(2 if args.quick else 5) + bench_choose.bench_optimize(
    1000 if args.quick else 10_000
  )
  print(table(["what", "time", "vs ours"], rows))
  print("\n### Loss-curve laws: fit (compile included) and predict (after compile)\n")
  progress("laws")
  print(table(["what", "size", "time", "target"], bench_laws(quick=args.quick)))
  print_startup(5 if args.quick else 15)


def print_startup(rounds):
  print(f"\n### Start-up: a fresh process each (median of {rounds})\n")
  progress("startup")
  header = ["process", "wall time (median)", "over a bare interpreter", "vs import optax"]
  print(table(header, bench_startup(rounds)), flush=True)


if __name__ == "__main__":
  main()
