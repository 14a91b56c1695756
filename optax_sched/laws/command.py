"""``optax-sched fit LOG``: fit a loss-curve law on a training log, predict other schedules.

The log is a CSV file with a header (columns ``step``, ``loss`` and
optionally ``lr``) or JSON lines with those keys; ``step`` counts the updates
applied when the loss was logged. The per-update LRs come from ``--schedule
SPEC`` or, when the log has an ``lr`` on every step, from the log itself.
"""

from __future__ import annotations

import csv
import json
import pathlib

import numpy as np


def read_log(path: str) -> dict[str, np.ndarray]:
  """The columns ``step``, ``loss`` (and ``lr`` if present) of a CSV or JSON-lines log."""
  text = pathlib.Path(path).read_text()
  first = text.lstrip()[:1]
  if first == "{":
    rows = [json.loads(line) for line in text.splitlines() if line.strip()]
  else:
    rows = list(csv.DictReader(text.splitlines()))
  if not rows or "step" not in rows[0] or "loss" not in rows[0]:
    raise ValueError(f"log {path}: needs columns step and loss (and optionally lr)")
  keys = [k for k in ("step", "loss", "lr") if k in rows[0]]
  try:
    return {k: np.array([float(r[k]) for r in rows]) for k in keys}
  except (KeyError, TypeError, ValueError) as e:
    raise ValueError(f"log {path}: a row has no number for {e}") from None


def rates(log: dict, schedule: str | None, load) -> np.ndarray:
  """The rate of every update of the logged run: from ``schedule`` or the log's lr."""
  steps = log["step"].astype(int)
  if schedule:
    built = load(schedule)
    if not callable(built):
      raise ValueError("--schedule: give one schedule (not a config of parameter groups)")
    return np.asarray(built(np.arange(int(steps.max()))), np.float64)
  if "lr" in log and np.array_equal(steps, np.arange(1, steps.size + 1)):
    return log["lr"]
  raise ValueError(
    "--schedule: needed (LOG has no lr column, or its lr is not logged at every step 1..T)"
  )


def run(args) -> int:
  from optax_sched.laws import fit_loss_law

  log = read_log(args.log)
  lrs = rates(log, args.schedule, args.load)
  law = fit_loss_law(lrs, log["loss"], log["step"], law=args.law)
  print(law.name + ("" if law.converged else "  (did not converge)"))
  if law.reason:
    print(law.reason)
  for k, v in law.params.items():
    print(f"  {k:6} {v:.6g}")
  total = args.steps or int(log["step"][-1])
  candidates = [(spec, np.asarray(args.load(spec)(np.arange(total)))) for spec in args.predict]
  if candidates:
    finals = [float(law.predict(r, [total])[0]) for _, r in candidates]
    print(f"predicted loss after {total} updates:")
    for (spec, _), final in sorted(zip(candidates, finals, strict=True), key=lambda c: c[1]):
      print(f"  {final:.4f}  {spec}")
  if args.output:
    _figure(args, law, log, lrs, candidates, total)
    print(args.output)
  return 0


def _figure(args, law, log, lrs, candidates, total) -> None:
  try:
    from matplotlib.figure import Figure
  except ModuleNotFoundError:
    raise ValueError("-o needs matplotlib: pip install 'optax-sched[plot]'") from None
  fig = Figure(figsize=(8, 4.5), layout="constrained")
  ax = fig.add_subplot()
  ax.plot(log["step"], log["loss"], ".", ms=3, color="0.4", label="log")
  grid = np.unique(np.linspace(1, log["step"][-1], 400).astype(int))
  ax.plot(grid, law.predict(lrs, grid), label=f"fitted ({law.name})")
  grid = np.unique(np.linspace(1, total, 400).astype(int))
  for spec, rates in candidates:
    ax.plot(grid, law.predict(rates, grid), "--", label=f"predicted: {spec}")
  ax.set_xlabel("update")
  ax.set_ylabel("loss")
  ax.legend(fontsize="small")
  fig.savefig(args.output, dpi=120)
