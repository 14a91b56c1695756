"""Look at a schedule before training with it: ``describe`` and ``lint``.

Both evaluate the schedule at every update ``0 .. total_steps - 1`` (the step
convention of ``optax.scale_by_schedule``) and read the numbers; nothing here
depends on the family, so every registered name, combinator and plain optax
callable works.

How the shape is read (tolerances are relative to the largest ``|value|``):

- *warmup*: the initial rise, ending where the curve stops rising or its rise
  suddenly slows to less than half (the kink at the end of a linear warmup).
  ``warmup_steps`` is the first step at which that rise reaches its top.
- *settled*: the first step from which the value stays at its final value
  (within 1e-6).
- *phases*: the curve is cut at the schedule's ``declared_jumps`` (restarts,
  step decays, join boundaries; see :meth:`Schedule.declared_jumps`).

Example:
  >>> import optax_sched as sched
  >>> s = sched.warmup_cosine_decay_schedule(0.0, 1e-3, 100, 1000, 1e-5)
  >>> d = describe(s, 1000)
  >>> d["peak_value"], d["peak_step"], d["warmup_steps"], d["zero_steps"]
  (0.001, 100, 100, 1)
  >>> [f.code for f in lint(s, 1000)]
  ['zero-lr']
  >>> print(lint(s.replace(decay_steps=200), 1000)[0])
  warning: decays-too-early: reaches its final value 1e-05 at step 200 and stays there
    for the last 800 of 1000 steps (80%)
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import Any

import jax
import numpy as np

from optax_sched._base import as_schedule

#: The most steps ``describe``/``lint``/``plot`` evaluate one by one.
MAX_STEPS = 50_000_000
#: Steps evaluated per compiled call (bounded memory for long runs).
_CHUNK = 1 << 20

#: ``severity`` values, most serious first; ``info`` does not fail ``lint``.
SEVERITIES = ("error", "warning", "info")
#: Every lint code and what it means.
CODES = {
  "negative-or-nonfinite": "a value is negative, nan or inf",
  "zero-lr": "updates with an LR of exactly 0 (info when only the first steps of a warmup)",
  "decays-too-early": "reaches its final value with 20% or more of the run"
  " left (unless the last phase starts at a declared"
  " step, as in a step decay)",
  "rises-after-decay": "climbs again (by > 1% of the peak) after decaying,"
  " not at a declared restart",
  "jump": "a discontinuity that is not a declared restart or step decay",
  "end-above-peak": "ends above the value its warmup reached (by > 1% of"
  " the peak; not a staircase rising only at declared"
  " steps)",
  "warmup-mismatch": "the initial warmup ends in a jump to where the next"
  " phase starts (its target and the decay's start"
  " differ), also at a declared join boundary",
}

_FLAT = 1e-6  # "stays at its final value"
_RISE = 1e-2  # rises, jumps and ends that matter
_EARLY = 0.2  # the share of the run a settled tail may take


@dataclasses.dataclass(frozen=True)
class Finding:
  """One lint result: ``code`` (see ``CODES``), ``severity``, ``message``.

  Example:
    >>> import optax_sched as sched
    >>> finding = sched.lint(sched.linear_schedule(0.0, 1e-3, 100), 1000)[0]
    >>> finding.severity, finding.code
    ('info', 'zero-lr')
    >>> print(finding.message)
    the LR is exactly 0 at step 0 (1 of 1000 updates), so those updates change nothing
    (at the start of the warmup)
  """

  code: str
  severity: str
  message: str
  steps: tuple = ()

  def __str__(self) -> str:
    return f"{self.severity}: {self.code}: {self.message}"


def trace(schedule: Any, total_steps: int) -> np.ndarray:
  """The values at steps ``0 .. total_steps - 1`` as a float64 NumPy array."""
  s = as_schedule(schedule)
  n = _steps(total_steps)
  evaluate = jax.jit(lambda t: s(t))  # s is closed over: concrete arguments
  chunk = min(n, _CHUNK)
  parts = []
  for start in range(0, n, chunk):
    steps = np.arange(start, start + chunk, dtype=np.int32)
    parts.append(np.asarray(evaluate(steps), dtype=np.float64))
  return np.concatenate(parts)[:n]


def _steps(total_steps: Any) -> int:
  if (
    isinstance(total_steps, (bool, np.bool_))
    or not isinstance(total_steps, (int, np.integer))
    or not 1 <= total_steps <= MAX_STEPS
  ):
    raise ValueError(
      f"total_steps={total_steps!r} is not allowed: it must be an integer"
      f" in [1, {MAX_STEPS}] (the number of optimizer updates)"
    )
  return int(total_steps)


class _Shape:
  """What describe and lint read off one trace."""

  def __init__(self, schedule: Any, total_steps: int):
    self.schedule = as_schedule(schedule)
    self.v = trace(self.schedule, total_steps)
    self.n = len(self.v)
    finite = np.isfinite(self.v)
    self.finite = bool(finite.all())
    self.scale = float(np.max(np.abs(self.v[finite]), initial=0.0))
    self.declared = self._declared()

  def _declared(self) -> list[int]:
    steps = np.ceil(np.asarray(self.schedule.declared_jumps(self.n), dtype=np.float64).ravel())
    steps = steps[np.isfinite(steps) & (steps > 0) & (steps < self.n)]
    return np.unique(steps).astype(np.int64).tolist()

  def _eps(self) -> np.ndarray:
    # A few float32 ulps: what evaluating the same formula may wobble by.
    return 4 * np.spacing(np.abs(self.v).astype(np.float32)).astype(np.float64)

  def warmup_end(self) -> int:
    v, n = self.v, self.n
    if n < 2 or not self.finite:
      return 0
    d = np.diff(v)
    eps = self._eps()[1:]
    stops = d < -eps
    stops[1:] |= d[1:] < 0.5 * d[:-1] - eps[1:]
    top = int(np.argmax(stops)) if stops.any() else n - 1
    return int(np.argmax(v[: top + 1] >= v[top] - self._eps()[top]))

  def settled_step(self) -> int:
    moved = np.abs(self.v - self.v[-1]) > _FLAT * self.scale
    return int(np.flatnonzero(moved)[-1] + 1) if moved.any() else 0

  def jumps(self) -> np.ndarray:
    """Steps ``t`` where ``v[t] - v[t-1]`` is large (> 1% of the scale) and
    over 4 times every change within two steps of it: a discontinuity."""
    a = np.abs(np.diff(self.v))  # a[t - 1] is the change into step t
    if a.size < 2 or not self.finite:
      return np.zeros((0,), np.int64)
    padded = np.pad(a, 2)
    neighbours = np.max([padded[k : k + a.size] for k in (0, 1, 3, 4)], axis=0)
    return np.flatnonzero((a > _RISE * self.scale) & (a > 4 * neighbours)) + 1

  def restarts(self) -> list[int]:
    """Declared steps where the value jumps up: by > 1% of the scale and
    by over twice the change into the step before."""
    v, out = self.v, []
    for t in self.declared:
      before = abs(v[t - 1] - v[t - 2]) if t >= 2 else 0.0
      up = v[t] - v[t - 1]
      if up > _RISE * self.scale and up > 2 * before:
        out.append(t)
    return out


def describe(schedule: Any, total_steps: int) -> dict[str, Any]:
  """The numbers to check before training: peak, warmup, end, zeros.

  Keys: ``total_steps, init_value, peak_value, peak_step, warmup_steps,
  final_value, min_value, min_step, mean_value, zero_steps`` (updates with an
  LR of exactly 0), ``settled_step`` (the value stays at ``final_value`` from
  there on) and ``restarts`` (declared jumps upward). Values are Python
  floats (shortest decimals of the float32 results); ``final_value`` is the
  value at the last update, step ``total_steps - 1``. Given a dict
  ``{label: schedule}`` (a schedule per parameter group), returns
  ``{label: description}``.

  Example:
    >>> import optax_sched as sched
    >>> s = sched.warmup_cosine_decay_schedule(0.0, 1e-3, 10, 100, 1e-5)
    >>> sched.describe(s, 100)
    {'total_steps': 100, 'init_value': 0.0, 'peak_value': 0.001, 'peak_step': 10,
    'warmup_steps': 10, 'final_value': 1.0301534e-05, 'min_value': 0.0, 'min_step': 0,
    'mean_value': 0.00050445, 'zero_steps': 1, 'settled_step': 99, 'restarts': 0}
  """
  if isinstance(schedule, Mapping):
    return {label: describe(s, total_steps) for label, s in schedule.items()}
  shape = _Shape(schedule, total_steps)
  v = shape.v
  with np.errstate(invalid="ignore"):
    return {
      "total_steps": shape.n,
      "init_value": _tidy(v[0]),
      "peak_value": _tidy(np.max(v)),
      "peak_step": int(np.argmax(v)),
      "warmup_steps": shape.warmup_end(),
      "final_value": _tidy(v[-1]),
      "min_value": _tidy(np.min(v)),
      "min_step": int(np.argmin(v)),
      "mean_value": _tidy(np.mean(v)),
      "zero_steps": int(np.count_nonzero(v == 0)),
      "settled_step": shape.settled_step(),
      "restarts": len(shape.restarts()),
    }


def lint(schedule: Any, total_steps: int) -> list[Finding]:
  """Common mistakes in a schedule for a run of ``total_steps`` updates.

  Returns a list of :class:`Finding` (empty when nothing is found), most
  serious first; see ``CODES`` for what each code means. A warning or error
  is worth fixing or explaining; ``info`` only reports (such as the LR of 0
  on the first update of a warmup from 0). Given a dict ``{label: schedule}``
  (a schedule per parameter group), returns ``{label: findings}``.

  Example (a decay that ends at a tenth of the run):
    >>> import optax_sched as sched
    >>> s = sched.warmup_cosine_decay_schedule(0.0, 3e-4, 100, 1000, 3e-5)
    >>> for f in sched.lint(s, 10_000):
    ...   print(f.severity, f.code)
    warning decays-too-early
    info zero-lr
  """
  if isinstance(schedule, Mapping):
    return {label: lint(s, total_steps) for label, s in schedule.items()}  # type: ignore[return-value]
  shape = _Shape(schedule, total_steps)
  findings = _values(shape)
  if shape.finite:
    findings += _zeros(shape)
  if shape.finite and shape.scale > 0:
    for check in (_decays_too_early, _rises_after_decay, _jumps, _warmup_mismatch, _end_above_peak):
      findings += check(shape)
  return sorted(findings, key=lambda f: SEVERITIES.index(f.severity))


def _values(shape: _Shape) -> list[Finding]:
  v = shape.v
  out = []
  with np.errstate(invalid="ignore"):
    for bad, what in ((~np.isfinite(v), "not finite"), (v < 0, "negative")):
      steps = np.flatnonzero(bad)
      if steps.size:
        out.append(
          Finding(
            "negative-or-nonfinite",
            "error",
            f"the value is {what} at {_steps_text(steps)} ({_num(v[steps[0]])} at step {steps[0]})",
            tuple(steps[:100]),
          )
        )
  return out


def _zeros(shape: _Shape) -> list[Finding]:
  steps = np.flatnonzero(shape.v == 0)
  if not steps.size:
    return []
  warmup = shape.warmup_end()
  only_warmup_start = warmup > 0 and steps[-1] < warmup and steps.size == (steps[-1] + 1)
  return [
    Finding(
      "zero-lr",
      "info" if only_warmup_start else "warning",
      f"the LR is exactly 0 at {_steps_text(steps)} ({steps.size} of"
      f" {shape.n} updates), so those updates change nothing"
      + (" (at the start of the warmup)" if only_warmup_start else ""),
      tuple(steps[:100]),
    )
  ]


def _decays_too_early(shape: _Shape) -> list[Finding]:
  v, n = shape.v, shape.n
  settled = shape.settled_step()
  peak_step = int(np.argmax(v))
  decayed = v[-1] < np.max(v) - _RISE * shape.scale
  tail = n - settled
  # A plateau that starts at a declared step is a phase of a step decay.
  deliberate = bool(set(shape.declared) & {settled - 1, settled, settled + 1})
  if not decayed or deliberate or settled <= peak_step or tail < 2 or tail < _EARLY * n:
    return []
  return [
    Finding(
      "decays-too-early",
      "warning",
      f"reaches its final value {_num(v[-1])} at step {settled} and stays"
      f" there for the last {tail} of {n} steps ({tail / n:.0%})",
      (settled,),
    )
  ]


def _rises_after_decay(shape: _Shape) -> list[Finding]:
  v, tol = shape.v, _RISE * shape.scale
  edges = [0] + shape.declared + [shape.n]
  for start, end in zip(edges[:-1], edges[1:], strict=True):
    w = v[start:end]
    if w.size < 3:
      continue
    before = np.maximum.accumulate(w)
    after = np.maximum.accumulate(w[::-1])[::-1]
    dip = np.minimum(before - w, after - w)
    j = int(np.argmax(dip))
    if dip[j] > tol:
      i = int(np.argmax(w[: j + 1]))
      k = j + int(np.argmax(w[j:]))
      return [
        Finding(
          "rises-after-decay",
          "warning",
          f"decays from {_num(w[i])} at step {start + i} to {_num(w[j])} at"
          f" step {start + j}, then climbs back to {_num(w[k])} at step"
          f" {start + k} (not at a declared restart)",
          (start + j, start + k),
        )
      ]
  return []


def _jumps(shape: _Shape) -> list[Finding]:
  v = shape.v
  declared = set(shape.declared)
  steps = [int(t) for t in shape.jumps() if not declared & {t - 1, t, t + 1}]
  if not steps:
    return []
  t = steps[0]
  more = f" (and {len(steps) - 1} more)" if len(steps) > 1 else ""
  return [
    Finding(
      "jump",
      "warning",
      f"jumps from {_num(v[t - 1])} at step {t - 1} to {_num(v[t])} at step"
      f" {t}{more}, which is not a declared restart or step decay",
      tuple(steps[:100]),
    )
  ]


def _warmup_mismatch(shape: _Shape) -> list[Finding]:
  """A jump that ends a rise from step 0 and is not followed by more rise:
  a warmup to one value joined to a phase starting from another. (A
  sawtooth, which rises again after its drop, and a staircase warmup, flat
  before each step, are not this.)"""
  v, eps = shape.v, shape._eps()
  falls = np.flatnonzero(np.diff(v) < -eps[1:])
  first_fall = int(falls[0]) if falls.size else shape.n  # v[i + 1] < v[i]
  for t in shape.jumps():
    if t - 1 > first_fall:
      break  # no longer a rise from step 0 (jumps come in step order)
    if t < 3 or t + 1 >= shape.n:
      continue
    rising_into = v[t - 1] > v[t - 3] + eps[t - 1]
    rising_after = v[t + 1] > v[t] + eps[t + 1]
    if rising_into and not rising_after:
      return [
        Finding(
          "warmup-mismatch",
          "warning",
          f"the warmup ends at {_num(v[t - 1])} (step {t - 1}) but the next"
          f" phase starts at {_num(v[t])} (step {t}): the warmup's target"
          " is not where the schedule goes on from",
          (int(t),),
        )
      ]
  return []


def _end_above_peak(shape: _Shape) -> list[Finding]:
  v = shape.v
  w = shape.warmup_end()
  if not v[-1] > v[w] + _RISE * shape.scale:
    return []
  # A staircase warmup (piecewise constant, rising only at its declared
  # boundaries) is still warming up, not ending above its peak.
  rises = np.flatnonzero(np.diff(v[w:]) > shape._eps()[w + 1 :]) + w + 1
  if rises.size and set(rises.tolist()) <= set(shape.declared):
    return []
  where = f"at the end of its warmup (step {w})" if w else "at step 0"
  return [
    Finding(
      "end-above-peak",
      "warning",
      f"ends at {_num(v[-1])} (step {shape.n - 1}), above the {_num(v[w])} it reached {where}",
      (shape.n - 1,),
    )
  ]


def _steps_text(steps: np.ndarray, most: int = 4) -> str:
  """``step 0`` / ``steps 0-9, 900-999``: runs of consecutive steps."""
  runs, start = [], steps[0]
  for prev, cur in zip(steps[:-1], steps[1:], strict=True):
    if cur != prev + 1:
      runs.append((start, prev))
      start = cur
  runs.append((start, steps[-1]))
  text = ", ".join(f"{a}" if a == b else f"{a}-{b}" for a, b in runs[:most])
  if len(runs) > most:
    text += f" and {len(runs) - most} more runs"
  return ("step " if steps.size == 1 else "steps ") + text


def _num(x: Any) -> str:
  return f"{float(x):.4g}"


def _tidy(x: Any) -> float:
  """The shortest decimal that reads back as the same float32 value."""
  x = float(x)
  if not math.isfinite(x) or jax.config.jax_enable_x64:
    return x
  return float(str(np.float32(x)))
