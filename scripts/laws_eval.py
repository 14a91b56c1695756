"""Prediction error of the loss-curve laws on the real logs of tests/data/loss_logs.

For each model: fit a law on the manifest's fit run (or jointly on several
runs), predict every other run from its per-update LRs, and print the mean
relative error (the mean over runs of each run's mean |pred/loss - 1|), the
worst relative error of a final loss, and the fit time (compile included).

  PYTHONPATH=. python scripts/laws_eval.py [--laws multi_power momentum auto]
"""

import argparse
import pathlib
import sys
import time
import warnings

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "tests"))

import loss_logs  # noqa: E402

import optax_sched as sched  # noqa: E402

# Runs fitted jointly where the manifest names none (schaipp-210m).
JOINT = {"schaipp-210m": ["cosine_22222", "wsd_5e-4_22222"]}


def evaluate(law, runs, fit_names, fit_from):
  means, finals = [], []
  for name, (lrs, steps, loss, _) in runs.items():
    if name in fit_names:
      continue
    keep = steps >= fit_from
    pred = np.asarray(law.predict(lrs, steps[keep]))
    err = np.abs(pred / loss[keep] - 1)
    means.append(err.mean())
    finals.append(err[-1])
  return float(np.mean(means)), float(np.max(finals))


def fit(law_name, runs, names, fit_from):
  parts = [runs[n] for n in names]
  keep = [p[1] >= fit_from for p in parts]
  lrs = [p[0] for p in parts]
  loss = [p[2][k] for p, k in zip(parts, keep, strict=True)]
  steps = [p[1][k] for p, k in zip(parts, keep, strict=True)]
  if len(names) == 1:
    lrs, loss, steps = lrs[0], loss[0], steps[0]
  start = time.perf_counter()
  with warnings.catch_warnings():
    warnings.simplefilter("ignore", RuntimeWarning)
    law = sched.fit_loss_law(lrs, loss, steps, law=law_name)
  return law, time.perf_counter() - start


def main():
  parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  parser.add_argument("--laws", nargs="+", default=["multi_power", "momentum", "auto"])
  parser.add_argument("--models", nargs="+", default=["mpl-25m", "schaipp-210m"])
  args = parser.parse_args()
  print(f"{'model':14} {'law':12} {'fit on':38} {'mean err':>9} {'worst final':>11} {'fit s':>6}")
  for model in args.models:
    entry, runs = loss_logs.load(model)
    joint = entry.get("joint_fit", JOINT.get(model))
    for names in ([entry["fit"]], joint):
      for law_name in args.laws:
        if len(names) > 1 and law_name != "multi_power":
          continue
        law, seconds = fit(law_name, runs, names, entry["fit_from"])
        mean, worst = evaluate(law, runs, names, entry["fit_from"])
        label = law_name if law_name != "auto" else f"auto>{law.name}"
        flag = "" if law.converged else "  (not converged)"
        print(
          f"{model:14} {label:12} {'+'.join(names):38} {mean:9.3%} {worst:11.2%}"
          f" {seconds:6.1f}{flag}",
          flush=True,
        )


if __name__ == "__main__":
  main()
