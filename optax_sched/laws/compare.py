"""``optax-sched compare --predict``: fit a law on one schedule's run, predict the others.

The exercise logs the loss of every batch; the law is fitted on a smoothed
curve (the mean of the last epoch of batches, every ``stride`` steps)
and judged on the same smoothing of the other runs.
"""

from __future__ import annotations

import pathlib
import warnings

import numpy as np

from optax_sched.laws import fit_loss_law

_POINTS = 100  # logged points per run given to the fit
# The first share of a run is left out of the fit and of the error: a small
# model's loss falls by orders of magnitude there, which no law here models.
_SKIP = 0.2


def _smoothed(loss: np.ndarray, window: int, stride: int) -> tuple[np.ndarray, np.ndarray]:
  c = np.cumsum(np.concatenate([[0.0], loss]))
  steps = np.arange(max(window, int(_SKIP * loss.size)), loss.size + 1, stride)
  return steps, (c[steps] - c[steps - window]) / window


def _mean_curve(curve) -> np.ndarray:
  """A run's per-step loss, averaged over seeds when it holds several."""
  a = np.asarray(curve, dtype=float)
  return a.mean(axis=0) if a.ndim == 2 else a


def predict_runs(results: dict, fit_on: str, steps_per_epoch: int) -> dict:
  """Per run: ``steps``, smoothed real loss, predicted loss; plus the law.

  ``results[name]`` holds ``train_loss`` (per step, or per seed and step:
  averaged over seeds) and ``lr`` per step (the exercise's metrics).
  Returns ``{"law": LossLaw, "runs": {name: (steps, real, pred)}}``.
  """
  window = max(1, steps_per_epoch)
  fit = results[fit_on]
  loss = _mean_curve(fit["train_loss"])
  stride = max(1, int((1 - _SKIP) * loss.size) // _POINTS)
  steps, real = _smoothed(loss, window, stride)
  # A mean over the last `window` batches is centred half a window earlier.
  centre = np.maximum(steps - window // 2, 1)
  with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always", RuntimeWarning)
    law = fit_loss_law(np.asarray(fit["lr"]), real, centre)
  runs = {}
  for name, r in results.items():
    steps, real = _smoothed(_mean_curve(r["train_loss"]), window, stride)
    centre = np.maximum(steps - window // 2, 1)
    runs[name] = (centre, real, np.asarray(law.predict(np.asarray(r["lr"]), centre)))
  return {"law": law, "runs": runs, "warnings": [str(w.message) for w in caught]}


def table(prediction: dict, fit_on: str) -> str:
  """Mean and final relative prediction error per run."""
  law = prediction["law"]
  lines = [
    f"law fitted on {fit_on}: {law!r}" + (f" ({law.reason})" if law.reason else ""),
    f"{'schedule':<14}{'mean err':>10}{'final err':>11}",
    "-" * 35,
  ]
  for name, (_, real, pred) in prediction["runs"].items():
    err = np.abs(pred / real - 1)
    mark = "  (fitted on)" if name == fit_on else ""
    lines.append(f"{name:<14}{err.mean():>10.2%}{err[-1]:>11.2%}{mark}")
  return "\n".join(lines)


def plot(path: pathlib.Path, prediction: dict, fit_on: str) -> None:
  """Real (solid) and predicted (dashed) loss of every run on one axis."""
  import matplotlib

  matplotlib.use("Agg")
  import matplotlib.pyplot as plt

  fig, ax = plt.subplots(figsize=(8, 4.8))
  for i, (name, (steps, real, pred)) in enumerate(prediction["runs"].items()):
    ax.plot(
      steps, real, color=f"C{i}", lw=1.5, label=f"{name}" + (" (fit)" if name == fit_on else "")
    )
    ax.plot(steps, pred, color=f"C{i}", lw=1.5, ls="--")
  ax.plot([], [], color="gray", ls="--", label=f"predicted ({prediction['law'].name})")
  ax.set_yscale("log")
  ax.set_xlabel("step")
  ax.set_ylabel("train loss (smoothed)")
  ax.set_title(f"law fitted on {fit_on}, predicting the other schedules")
  ax.legend(fontsize="small")
  fig.tight_layout()
  fig.savefig(path, dpi=120)
  plt.close(fig)
