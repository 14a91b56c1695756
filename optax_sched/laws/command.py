"""``optax-sched fit LOG``: fit a loss-curve law on a training log, predict other schedules.

The log is a CSV file with a header (columns ``step``, ``loss`` and
optionally ``lr``), JSON lines with those keys, or TensorBoard event files (an
event file or a run directory; needs the ``tensorboard`` extra): the scalar
tags of the loss and, optionally, of the rate. ``step`` counts the updates
applied when the loss was logged. The per-update LRs come from ``--schedule
SPEC`` or, when the log has an ``lr`` on every step, from the log itself.
"""

from __future__ import annotations

import csv
import json
import pathlib
import warnings

import numpy as np

#: Scalar tags tried in order (case-insensitive) when ``--loss-tag`` / ``--lr-tag`` are not given.
LOSS_TAGS = ("loss", "train/loss", "train_loss", "loss/train", "training/loss", "training_loss")
LR_TAGS = ("lr", "learning_rate", "train/lr", "train/learning_rate", "lr/train", "train_lr")


def is_event_log(path: str) -> bool:
  """Whether ``path`` is TensorBoard's: a directory, or a file named ``*tfevents*``."""
  p = pathlib.Path(path)
  return p.is_dir() or "tfevents" in p.name


def read_log(
  path: str, loss_tag: str | None = None, lr_tag: str | None = None
) -> dict[str, np.ndarray]:
  """The columns ``step``, ``loss`` (and ``lr`` if present) of a CSV, JSON-lines or TensorBoard log.

  A TensorBoard log may log its rate at other steps than its loss: then
  ``lr_step`` holds the rate's steps. A loss logged at step 0 (before any
  update) is left out, with a warning.
  """
  log = read_events(path, loss_tag, lr_tag) if is_event_log(path) else _read_table(path)
  if log["step"].size and log["step"][0] == 0:
    # Loggers often record the loss before the first update, at step 0.
    warnings.warn(
      f"LOG {path}: the loss at step 0 (before any update) is left out: no law fits it",
      UserWarning,
      stacklevel=2,
    )
    drop = {"step", "loss"}
    if "lr" in log:  # a table's lr shares the loss's rows; an event log's has its own steps
      if "lr_step" not in log:
        drop.add("lr")
      elif log["lr_step"][0] == 0:
        drop |= {"lr", "lr_step"}
    log = {k: v[1:] if k in drop else v for k, v in log.items()}
  if not log["step"].size:
    raise ValueError(f"LOG {path}: no loss is logged after step 0")
  return log


def _read_table(path: str) -> dict[str, np.ndarray]:
  """The columns of a CSV or JSON-lines log."""
  try:
    text = pathlib.Path(path).read_text(encoding="utf-8-sig")  # without a byte-order mark
  except FileNotFoundError:
    raise ValueError(f"LOG {path}: no such file or directory") from None
  lines = [(i, line) for i, line in enumerate(text.splitlines(), 1) if line.strip()]
  if lines and lines[0][1].lstrip().startswith("{"):
    rows = []
    for i, line in lines:
      try:
        rows.append((i, json.loads(line)))
      except json.JSONDecodeError as e:
        raise ValueError(f"LOG {path}: line {i} is not JSON ({e.msg})") from None
  else:
    reader = csv.reader(line for _, line in lines)
    header = next(reader, [])
    rows = [
      (i, dict(zip(header, cells, strict=False)))
      for (i, _), cells in zip(lines[1:], reader, strict=False)
    ]
  # Column names as written, matched without case or surrounding spaces.
  names = {str(k).strip().lower(): k for k in (rows[0][1] if rows else {})}
  if "step" not in names or "loss" not in names:
    found = f"its columns: {', '.join(map(repr, names.values()))}" if rows else "it has no rows"
    raise ValueError(f"LOG {path}: needs the columns step and loss (and optionally lr); {found}")
  keys = {k: names[k] for k in ("step", "loss", "lr") if k in names}
  out = {k: np.empty(len(rows)) for k in keys}
  for j, (i, row) in enumerate(rows):
    for k, name in keys.items():
      if not isinstance(row, dict) or name not in row:
        has = ", ".join(map(str, row)) if isinstance(row, dict) else type(row).__name__
        raise ValueError(
          f"LOG {path}: line {i} has no {name} (it has {has}); every row needs {', '.join(keys)}"
        )
      try:
        out[k][j] = float(row[name])
      except (TypeError, ValueError):
        raise ValueError(f"LOG {path}: line {i} has {name}={row[name]!r}, not a number") from None
  return out


def _pick_tag(tags: list[str], given: str | None, candidates: tuple, option: str, path: str):
  if given is not None:
    if given not in tags:
      raise ValueError(
        f"{option} {given!r}: no such scalar tag in {path}; its tags: {', '.join(tags) or 'none'}"
      )
    return given
  lower = {t.lower(): t for t in tags}
  return next((lower[c] for c in candidates if c in lower), None)


def read_events(
  path: str, loss_tag: str | None = None, lr_tag: str | None = None
) -> dict[str, np.ndarray]:
  """Reads the loss (and rate) scalars of a TensorBoard event file or run directory.

  The tags default to the first of :data:`LOSS_TAGS` / :data:`LR_TAGS` the log
  has; a step logged twice keeps its last value.
  """
  try:
    from tensorboard.backend.event_processing import plugin_event_accumulator as tb
    from tensorboard.util import tensor_util
  except ImportError:
    raise ValueError(
      f"LOG {path}: reading TensorBoard event files needs the tensorboard package:"
      ' pip install "optax-sched[tensorboard]"'
    ) from None
  if not pathlib.Path(path).exists():
    raise ValueError(f"LOG {path}: no such file or directory")
  events = tb.EventAccumulator(str(path), size_guidance={tb.TENSORS: 0})  # keep every point
  events.Reload()
  tags = list(events.Tags()["tensors"])
  loss = _pick_tag(tags, loss_tag, LOSS_TAGS, "--loss-tag", path)
  if loss is None:
    raise ValueError(
      f"--loss-tag: {path} has none of the usual loss tags ({', '.join(LOSS_TAGS)}); its"
      f" tags: {', '.join(tags) or 'none'}; give --loss-tag TAG"
    )
  lr = _pick_tag(tags, lr_tag, LR_TAGS, "--lr-tag", path)

  def series(tag):
    values = {e.step: float(tensor_util.make_ndarray(e.tensor_proto)) for e in events.Tensors(tag)}
    steps = np.array(sorted(values), dtype=np.float64)
    return steps, np.array([values[s] for s in sorted(values)])

  out: dict[str, np.ndarray] = dict(zip(("step", "loss"), series(loss), strict=True))
  if lr is not None:
    out["lr_step"], out["lr"] = series(lr)
  return out


def rates(log: dict, schedule: str | None, load) -> np.ndarray:
  """The rate of every update of the logged run: from ``schedule`` or the log's lr."""
  steps = log["step"].astype(int)
  if schedule:
    built = load_as(load, "--schedule", schedule)
    return np.asarray(built(np.arange(int(steps.max()))), np.float64)
  if "lr" not in log:
    raise ValueError("--schedule: needed for the rate of every update (LOG has no lr column)")
  lr_steps = log.get("lr_step", log["step"]).astype(int)
  last = int(steps.max())
  if lr_steps.size >= last and np.array_equal(lr_steps[:last], np.arange(1, last + 1)):
    return log["lr"][:last]
  raise ValueError(
    f"--schedule: needed for the rate of every update (LOG's lr is logged at {lr_steps.size}"
    f" steps, not at every step 1..{last})"
  )


def load_as(load, option: str, spec: str):
  """``load(spec)``, one schedule; an error names ``option`` and ``spec``."""
  try:
    built = load(spec)
  except ValueError as e:
    raise ValueError(f"{option} {spec}: {e}") from None
  if not callable(built):
    raise ValueError(f"{option} {spec}: give one schedule (not a config of parameter groups)")
  return built


def run(args) -> int:
  from optax_sched.laws import fit_loss_law

  log = read_log(args.log, args.loss_tag, args.lr_tag)
  lrs = rates(log, args.schedule, args.load)
  # The candidates are read before the fit, which takes seconds.
  predict = [(spec, load_as(args.load, "--predict", spec)) for spec in args.predict]
  law = fit_loss_law(lrs, log["loss"], log["step"], law=args.law)
  print(law.name + ("" if law.converged else "  (did not converge)"))
  if law.reason:
    print(law.reason)
  for k, v in law.params.items():
    print(f"  {k:6} {v:.6g}")
  total = args.steps or int(log["step"][-1])
  candidates = [(spec, np.asarray(schedule(np.arange(total)))) for spec, schedule in predict]
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
