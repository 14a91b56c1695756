"""Plots of schedules: matplotlib figures and a plain-text terminal plot.

``plot`` draws one or more schedules over a run on a matplotlib axis, with
marks at the end of each warmup, at each peak and at each restart (declared
jumps upward, see :meth:`Schedule.declared_jumps`). ``terminal_plot`` draws
one schedule with Unicode braille dots (2 x 4 dots per character), for the
``optax-sched show`` command; it needs nothing but NumPy.

Long runs are drawn from the full trace reduced to the lowest and highest
value in each of a few thousand bins, so jumps and short cycles stay visible.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from optax_sched.inspect import _Shape

_BINS = 4000
_COLORS = ("C0", "C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8", "C9")


def envelope(values: np.ndarray, bins: int) -> tuple[np.ndarray, np.ndarray]:
  """Steps and values of the lowest and highest point in each of ``bins``.

  Every step is kept when there are no more steps than ``2 * bins``.
  """
  n = len(values)
  if n <= 2 * bins:
    return np.arange(n), values
  edges = np.linspace(0, n, bins + 1).astype(np.int64)
  lows = np.minimum.reduceat(values, edges[:-1])
  highs = np.maximum.reduceat(values, edges[:-1])
  picks = []
  for a, b, lo, hi in zip(edges[:-1], edges[1:], lows, highs, strict=True):
    part = values[a:b]
    i, j = a + int(np.argmax(part == lo)), a + int(np.argmax(part == hi))
    picks += sorted({i, j, a})
  steps = np.unique(np.asarray(picks + [n - 1]))
  return steps, values[steps]


def _as_list(schedules: Any, labels: Sequence[str] | None):
  if isinstance(schedules, Mapping):
    items = list(schedules.items())
  elif isinstance(schedules, (list, tuple)):
    items = [(None, s) for s in schedules]
  else:
    items = [(None, schedules)]
  if labels is not None:
    labels = list(labels)
    if len(labels) != len(items):
      raise ValueError(
        f"labels={labels!r} is not allowed: give one label per schedule ({len(items)})"
      )
    items = [(label, s) for label, (_, s) in zip(labels, items, strict=True)]
  return [(label if label is not None else _label(s), s) for label, s in items]


def _label(schedule: Any, limit: int = 70) -> str:
  text = repr(schedule)
  return text if len(text) <= limit else text[: limit - 3] + "..."


def plot(
  schedules: Any,
  total_steps: int,
  ax: Any = None,
  log: bool = False,
  labels: Sequence[str] | None = None,
  marks: bool = True,
) -> Any:
  """Draws schedules over ``total_steps`` updates on a matplotlib axis.

  Args:
    schedules: a schedule (or optax callable), a list of them, or a dict
      ``{label: schedule}``; several are overlaid.
    total_steps: the number of updates of the run (steps ``0 .. N - 1``).
    ax: the axis to draw on; a new figure (``matplotlib.pyplot``) if None.
    log: a logarithmic value axis (steps with values <= 0 are left out).
    labels: legend labels, one per schedule (default: their repr).
    marks: mark warmup ends (circle), peaks (star) and restarts (dotted
      vertical lines).

  Returns:
    The axis (``ax.figure.savefig("lr.png")`` saves it).

  Example:
    >>> import optax_sched as sched
    >>> ax = sched.plot(sched.warmup_cosine_decay_schedule(0.0, 1e-3, 100, 1000), 1000)
    >>> ax.get_xlabel()
    'step (optimizer update)'
  """
  items = _as_list(schedules, labels)
  if ax is None:
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=(8, 4.5))
  from matplotlib.lines import Line2D

  for k, (label, schedule) in enumerate(items):
    color = _COLORS[k % len(_COLORS)]
    shape = _Shape(schedule, total_steps)
    steps, values = envelope(shape.v, _BINS)
    if log:
      values = np.where(values > 0, values, np.nan)
    ax.plot(steps, values, color=color, lw=1.6, label=label)
    if marks:
      _mark(ax, shape, color, log)
  if log:
    ax.set_yscale("log")
  ax.set_xlabel("step (optimizer update)")
  ax.set_ylabel("learning rate")
  ax.set_xlim(0, max(total_steps - 1, 1))
  ax.grid(True, alpha=0.3)
  handles, names = ax.get_legend_handles_labels()
  if marks:
    handles += [
      Line2D([], [], color="0.3", marker="o", ls="", ms=5),
      Line2D([], [], color="0.3", marker="*", ls="", ms=9),
      Line2D([], [], color="0.3", ls=":"),
    ]
    names += ["warmup end", "peak", "restart"]
  ax.legend(handles, names, fontsize="small", loc="best")
  return ax


def _mark(ax, shape: _Shape, color: str, log: bool) -> None:
  v = shape.v
  if not shape.finite:
    return
  w, p = shape.warmup_end(), int(np.argmax(v))
  if w > 0 and (v[w] > 0 or not log):
    ax.plot([w], [v[w]], marker="o", ms=5, color=color, ls="")
  if v[p] > 0 or not log:
    ax.plot([p], [v[p]], marker="*", ms=10, color=color, ls="")
  for t in shape.restarts()[:200]:
    ax.axvline(t, color=color, ls=":", lw=0.8, alpha=0.7)


# Braille dot bits by (row, column) inside a 4 x 2 cell.
_DOTS = ((0x01, 0x08), (0x02, 0x10), (0x04, 0x20), (0x40, 0x80))


def terminal_plot(
  schedule: Any, total_steps: int, width: int = 72, height: int = 14, log: bool = False
) -> str:
  """A plain-text plot of one schedule, ``height`` lines of ``width`` chars.

  Example:
    >>> import optax_sched as sched
    >>> text = terminal_plot(sched.linear_schedule(1.0, 0.0, 10), 10, width=30, height=3)
    >>> print(text)
             1 ┤⠉⠉⠓⠒⠦⢤
               │     ⠈⠉⠙⠒⠦⠤⣄⣀⡀
           0.1 ┤             ⠓⠲⠤⢤⣀
               └──────────────────
                0                9
  """
  if width < 20 or height < 2:
    raise ValueError(
      f"width={width}, height={height} are not allowed: the plot needs width >= 20 and height >= 2"
    )
  shape = _Shape(schedule, total_steps)
  v = shape.v
  shown = np.isfinite(v) & ((v > 0) if log else True)
  y = np.where(shown, np.log10(np.where(v > 0, v, 1)) if log else v, np.nan)
  if not shown.any():
    return "(nothing to plot: no finite" + (" positive" if log else "") + " values)"
  lo, hi = float(np.nanmin(y)), float(np.nanmax(y))
  margin = 10
  cols = width - margin - 2
  px_w, px_h = 2 * cols, 4 * height
  grid = np.zeros((height, cols), dtype=np.int64)
  n = len(v)
  edges = np.floor(np.linspace(0, n, px_w + 1)).astype(np.int64)
  prev = None
  for x in range(px_w):
    a, b = edges[x], max(edges[x + 1], edges[x] + 1)
    part = y[min(a, n - 1) : min(b, n)]
    if not np.isfinite(part).any():
      prev = None
      continue
    top, bottom = np.nanmax(part), np.nanmin(part)
    if prev is not None:
      top, bottom = max(top, prev), min(bottom, prev)
    prev = part[np.isfinite(part)][-1]
    for r in range(_row(top, lo, hi, px_h), _row(bottom, lo, hi, px_h) + 1):
      grid[r // 4, x // 2] |= _DOTS[r % 4][x % 2]
  lines = []
  for i in range(height):
    label, tick = "", "│"
    if i in (0, height - 1) or (height >= 7 and i == height // 2):
      level = hi - (hi - lo) * (i / (height - 1))
      label, tick = _fmt(10**level if log else level), "┤"
    cells = "".join(chr(0x2800 + c) if c else " " for c in grid[i])
    lines.append(f"{label:>{margin}} {tick}{cells}".rstrip())
  lines.append(" " * (margin + 1) + "└" + "─" * cols)
  right = str(n - 1)
  lines.append(" " * (margin + 2) + "0" + right.rjust(cols - 1))
  return "\n".join(lines)


def _row(value: float, lo: float, hi: float, px_h: int) -> int:
  if hi <= lo:
    return px_h // 2
  return int(round((hi - value) / (hi - lo) * (px_h - 1)))


def _fmt(x: float) -> str:
  return f"{x:.3g}"
