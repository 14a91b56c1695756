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
- *knots*: step 0 and every step where the value moves. The warmup and the
  restarts are read on the knots, so a schedule stepped per epoch (a
  staircase) is read stair by stair and every count stays in updates.
- *phases*: the curve is cut at restarts and at the schedule's
  ``declared_jumps`` where the curve moves on either side (cycle and join
  boundaries; see :meth:`Schedule.declared_jumps`). A declared step explains
  a jump there; it does not excuse the shape of the whole run.
- *after the run*: ``lint`` also evaluates the schedule past the last update
  (every step up to twice the run, then a sample up to 1000 runs), to see a
  warmup, a milestone, a floor or a cooldown the run never reaches.

Example:
  >>> import optax_sched as sched
  >>> s = sched.warmup_cosine_decay_schedule(0.0, 1e-3, 100, 1000, 1e-5)
  >>> d = describe(s, 1000)
  >>> d["peak_value"], d["peak_step"], d["warmup_steps"], d["zero_steps"]
  (0.001, 100, 100, 1)
  >>> [f.code for f in lint(s, 1000)]
  ['zero-lr']
  >>> f = lint(s.replace(decay_steps=200), 1000)[0]
  >>> f.severity, f.code
  ('warning', 'decays-too-early')
  >>> print(f.message[:79])
  reaches its final value 1e-05 at step 200 and stays there for the last 800 of 1
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
  "zero-lr": "a stretch of updates with an LR of exactly 0 (info when it is only the"
  " first steps of a warmup or single updates, such as the last update of a decay to 0)",
  "decays-too-early": "reaches its final value with 20% or more of the run left (50% when"
  " the last phase starts at a declared step, as in a step decay)",
  "sized-in-epochs": "the whole schedule plays out in the first 5% of the run and stays at"
  " its final value after that: a schedule counted in epochs, stepped every update",
  "too-many-restarts": "more than 100 restarts in the run (a restart period counted in"
  " epochs, stepped every update)",
  "rises-after-decay": "climbs again (by > 1% of the peak) after decaying, not at a"
  " restart (a cosine whose period, T_max, is shorter than the run)",
  "jump": "a discontinuity that is not a declared restart or step decay",
  "end-above-peak": "ends above the value its warmup reached (by > 1% of the peak)",
  "warmup-mismatch": "the initial warmup ends in a jump to where the next phase starts"
  " (its target and the decay's start differ), also at a declared join boundary",
  "milestones-beyond-run": "a step decay declared at or after the last update: it never happens",
  "warmup-longer-than-run": "still warming up at the last update: the warmup is longer"
  " than the run",
  "grows": "rises over the whole run and keeps growing after it (a decay rate above 1)",
  "rises-whole-run": "rises over the whole run to its top at the last update and never"
  " decays (a decay with its start and end swapped)",
  "warmup-not-subtracted": "the decay is counted from the end of the warmup, so it"
  " reaches its floor as many steps after the run as the warmup lasts",
  "sized-for-longer-run": "the decay or cooldown goes on after the run, which ends"
  " above the floor (by > 1% of the range): the schedule is sized for a longer run",
}

_FLAT = 1e-6  # "stays at its final value"
_RISE = 1e-2  # rises, jumps and ends that matter
_EARLY = 0.2  # the share of the run a settled tail may take
_EARLY_STEPS = 0.5  # the same after a declared step (a step decay's last phase)
_EPOCHS = 0.05  # a schedule done within this share of the run was counted in epochs
_MANY_RESTARTS = 100
_BEYOND = 1000  # how far past the run (in runs) to look for a floor or growth
_MILESTONES = 20  # more declared drops than this after the run: a quantised decay


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
  return _evaluate(as_schedule(schedule), np.arange(_steps(total_steps)))


def _evaluate(s: Any, steps: np.ndarray) -> np.ndarray:
  """``s`` at int32 ``steps``, in compiled chunks of bounded size."""
  evaluate = jax.jit(lambda t: s(t))  # s is closed over: concrete arguments
  steps = np.asarray(steps, dtype=np.int64)
  n = len(steps)
  if not n:
    return np.zeros((0,), np.float64)
  chunk = min(n, _CHUNK)
  padded = np.pad(steps, (0, -n % chunk), mode="edge").astype(np.int32)
  parts = [
    np.asarray(evaluate(padded[start : start + chunk]), dtype=np.float64)
    for start in range(0, n, chunk)
  ]
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


def _ulps(v: np.ndarray) -> np.ndarray:
  # A few float32 ulps: what evaluating the same formula may wobble by.
  return 4 * np.spacing(np.abs(v).astype(np.float32)).astype(np.float64)


class _Shape:
  """What describe and lint read off one trace.

  The trace is read through its *knots*: step 0 and every step where the
  value moves. A curve that moves every step is its own knots; a staircase
  (a schedule stepped per epoch) is read one stair at a time, so its warmup
  and restarts are counted in stairs, not in the flat steps between them.
  """

  def __init__(self, schedule: Any, total_steps: int, after: bool = False):
    self.schedule = as_schedule(schedule)
    self.n = _steps(total_steps)
    # lint also reads the schedule after the run: one compiled evaluation.
    extra = self._after_steps() if after else np.zeros((0,), np.int64)
    values = _evaluate(self.schedule, np.concatenate([np.arange(self.n), extra]))
    self.v, self._after = values[: self.n], (extra, values[self.n :])
    finite = np.isfinite(self.v)
    self.finite = bool(finite.all())
    self.scale = float(np.max(np.abs(self.v[finite]), initial=0.0))
    self.declared = self._declared()
    self.eps = _ulps(self.v)
    if self.finite:
      moved = np.abs(np.diff(self.v)) > self.eps[1:]
      self.knots = np.concatenate([[0], np.flatnonzero(moved) + 1])
    else:
      self.knots = np.arange(self.n)

  def _declared(self) -> list[int]:
    steps = np.ceil(np.asarray(self.schedule.declared_jumps(self.n), dtype=np.float64).ravel())
    steps = steps[np.isfinite(steps) & (steps > 0) & (steps < self.n)]
    return np.unique(steps).astype(np.int64).tolist()

  def _near_declared(self, steps: np.ndarray) -> np.ndarray:
    d = np.asarray(self.declared, np.int64)
    return np.isin(steps, d) | np.isin(steps - 1, d) | np.isin(steps + 1, d)

  def warmup_end(self) -> int:
    """The step at which the initial rise (in knots) reaches its top."""
    if self.n < 2 or not self.finite or len(self.knots) < 2:
      return 0
    k = self.knots
    c, eps = self.v[k], self.eps[k]
    d = np.diff(c)
    stops = d < -eps[1:]
    stops[1:] |= d[1:] < 0.5 * d[:-1] - eps[2:]
    top = int(np.argmax(stops)) if stops.any() else len(k) - 1
    return int(k[int(np.argmax(c[: top + 1] >= c[top] - eps[top]))])

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
    """Declared steps where the value jumps up, by > 1% of the scale and by
    over twice the change between the two knots before (so the rising
    stairs of a per-epoch warmup or of a cosine past its period are not
    restarts, and the first rise of a warmup is not one)."""
    if not self.finite or len(self.knots) < 3:
      return []
    c = self.v[self.knots]
    d = np.diff(c)
    up, before = d[1:], np.abs(d[:-1])
    steps = self.knots[2:][(up > _RISE * self.scale) & (up > 2 * before)]
    return steps[self._near_declared(steps)].tolist()

  def phase_starts(self) -> list[int]:
    """Where a new phase starts: restarts, and declared steps where the
    curve moves on either side (a cycle or join boundary of a continuous
    curve). The stairs of a staircase start no phase: a per-epoch cosine
    that climbs back after its period is one phase that rises again."""
    v, eps, n = self.v, self.eps, self.n
    t = np.asarray(self.declared, np.int64)
    if not t.size:
      return []
    before = np.where(t >= 2, np.abs(v[t - 1] - v[np.maximum(t - 2, 0)]), 0.0) > eps[t - 1]
    after_t = np.minimum(t + 1, n - 1)
    after = np.abs(v[after_t] - v[t]) > eps[t]
    return sorted(set(t[before | after].tolist()) | set(self.restarts()))

  def values_at(self, steps: np.ndarray) -> np.ndarray:
    """The schedule at a few steps (one compiled evaluator per shape)."""
    if not hasattr(self, "_at"):
      s = self.schedule
      self._at = jax.jit(lambda t: s(t))
    steps = np.asarray(steps, np.int64)
    size = max(256, 1 << int(np.ceil(np.log2(max(len(steps), 1)))))
    padded = np.pad(steps, (0, size - len(steps)), mode="edge").astype(np.int32)
    return np.asarray(self._at(padded), np.float64)[: len(steps)]

  def _after_steps(self) -> np.ndarray:
    """Steps after the run: every step up to twice the run (at most 2**20
    more), then a geometric sample up to ``_BEYOND`` runs (at most the int32
    maximum)."""
    n = self.n
    dense_end = n + min(n, _CHUNK)
    limit = min(_BEYOND * n, 2**31 - 1)
    sparse = np.geomspace(dense_end, limit, 200).astype(np.int64) if limit > dense_end else []
    return np.unique(np.concatenate([np.arange(n, dense_end), sparse]))

  def after(self) -> tuple[np.ndarray, np.ndarray]:
    """The steps after the run and the values there (``after=True``)."""
    return self._after


def describe(schedule: Any, total_steps: int) -> dict[str, Any]:
  """The numbers to check before training: peak, warmup, end, zeros.

  Keys: ``total_steps, init_value, peak_value, peak_step, warmup_steps,
  final_value, min_value, min_step, mean_value, zero_steps`` (updates with an
  LR of exactly 0), ``settled_step`` (the value stays at ``final_value`` from
  there on) and ``restarts`` (declared jumps upward). Every count is in
  updates, also for a schedule stepped per epoch: ``warmup_steps`` is where
  its warmup reaches its top, and a restart is a jump up, not every epoch
  boundary. Values are Python floats (shortest decimals of the float32
  results); ``final_value`` is the value at the last update, step
  ``total_steps - 1``. Given a dict ``{label: schedule}`` (a schedule per
  parameter group), returns ``{label: description}``.

  Example:
    >>> import optax_sched as sched
    >>> s = sched.warmup_cosine_decay_schedule(0.0, 1e-3, 10, 100, 1e-5)
    >>> sched.describe(s, 100)
    {'total_steps': 100, 'init_value': 0.0, 'peak_value': 0.001, 'peak_step': 10,
    'warmup_steps': 10, 'final_value': 1.030154e-05, 'min_value': 0.0, 'min_step': 0,
    'mean_value': 0.00050445006, 'zero_steps': 1, 'settled_step': 99, 'restarts': 0}

  A warmup of 5 epochs of 100 updates, stepped per epoch:
    >>> s = sched.per_epoch(sched.warmup_constant_schedule(0.0, 1.0, 5), 100)
    >>> d = sched.describe(s, 2000)
    >>> d["warmup_steps"], d["restarts"]
    (500, 0)
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
  serious first; see ``CODES`` for what each code means and docs/lint.md
  for examples. A warning or error is worth fixing or explaining; ``info``
  only reports (such as the LR of 0 on the first update of a warmup from 0).
  Besides the run, ``lint`` evaluates the schedule after it (up to
  ``1000 * total_steps``) to see what the run misses: a warmup, a decay or a
  milestone that comes later. Given a dict ``{label: schedule}`` (a schedule
  per parameter group), returns ``{label: findings}``.

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
  shape = _Shape(schedule, total_steps, after=True)
  findings = _values(shape)
  if shape.finite:
    findings += _zeros(shape)
  if shape.finite and shape.scale > 0:
    for check in (
      _decays_too_early,
      _too_many_restarts,
      _rises_after_decay,
      _jumps,
      _warmup_mismatch,
      _end_above_peak,
      _after_the_run,
    ):
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
            f"the value is {what} at {_steps_text(steps)} ({_num(v[steps[0]])} at step"
            f" {steps[0]}): check the end value and the decay's length against the run",
            tuple(steps[:100]),
          )
        )
  return out


def _runs(steps: np.ndarray) -> list[tuple[int, int]]:
  """Runs of consecutive steps as ``(first, last)`` pairs."""
  cut = np.flatnonzero(np.diff(steps) != 1)
  firsts = np.concatenate([[steps[0]], steps[cut + 1]])
  lasts = np.concatenate([steps[cut], [steps[-1]]])
  return list(zip(firsts.tolist(), lasts.tolist(), strict=True))


def _zeros(shape: _Shape) -> list[Finding]:
  steps = np.flatnonzero(shape.v == 0)
  if not steps.size:
    return []
  warmup = shape.warmup_end()
  runs = _runs(steps)
  at_warmup_start = warmup > 0 and runs[0][0] == 0 and runs[0][1] < warmup
  long = [r for i, r in enumerate(runs) if r[1] > r[0] and not (i == 0 and at_warmup_start)]
  where = ""
  if at_warmup_start and len(runs) == 1:
    where = " (at the start of the warmup)"
  elif not long:
    where = " (single updates, such as the last update of a decay to 0)"
  hint = (
    ": give the decay a small end value or end it after the last update, and"
    " check that no phase is scaled by 0"
    if long
    else ""
  )
  return [
    Finding(
      "zero-lr",
      "warning" if long else "info",
      f"the LR is exactly 0 at {_steps_text(steps)} ({steps.size} of"
      f" {shape.n} updates), so those updates change nothing{where}{hint}",
      tuple(steps[:100]),
    )
  ]


def _decays_too_early(shape: _Shape) -> list[Finding]:
  v, n = shape.v, shape.n
  settled = shape.settled_step()
  peak_step = int(np.argmax(v))
  decayed = v[-1] < np.max(v) - _RISE * shape.scale
  tail = n - settled
  # The last phase of a step decay starts at a declared step; it may be long.
  deliberate = bool(set(shape.declared) & {settled - 1, settled, settled + 1})
  share = _EARLY_STEPS if deliberate else _EARLY
  if not decayed or settled <= peak_step or tail < 2 or tail < share * n:
    return []
  if settled <= _EPOCHS * n:
    return [
      Finding(
        "sized-in-epochs",
        "warning",
        f"the whole schedule plays out in the first {settled} of {n} updates"
        f" ({settled / n:.2%}) and stays at its final value {_num(v[-1])} for the"
        f" other {tail / n:.1%}: a schedule counted in epochs, stepped every"
        " update? Count its steps in updates (multiply them by the steps per"
        " epoch) or wrap it in per_epoch(schedule, steps_per_epoch)",
        (settled,),
      )
    ]
  return [
    Finding(
      "decays-too-early",
      "warning",
      f"reaches its final value {_num(v[-1])} at step {settled} and stays"
      f" there for the last {tail} of {n} steps ({tail / n:.0%}): make the"
      f" decay as long as the run ({n} updates, minus the warmup where the"
      " decay is counted after it)",
      (settled,),
    )
  ]


def _too_many_restarts(shape: _Shape) -> list[Finding]:
  restarts = shape.restarts()
  if len(restarts) <= _MANY_RESTARTS:
    return []
  return [
    Finding(
      "too-many-restarts",
      "warning",
      f"restarts {len(restarts)} times in {shape.n} updates (every"
      f" {shape.n / (len(restarts) + 1):.4g} updates on average): a restart"
      " period counted in epochs, stepped every update? Count the period in"
      " updates (multiply it by the steps per epoch) or wrap the schedule in"
      " per_epoch(schedule, steps_per_epoch)",
      tuple(restarts[:100]),
    )
  ]


def _rises_after_decay(shape: _Shape) -> list[Finding]:
  v, tol = shape.v, _RISE * shape.scale
  edges = [0] + shape.phase_starts() + [shape.n]
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
          f" {start + k} (not at a restart): a cosine whose period (T_max) is"
          f" shorter than the run? Make the decay as long as the run ({shape.n}"
          " updates), or use a schedule that restarts on purpose"
          " (cosine_restarts_schedule, repeat)",
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
      f" {t}{more}, which is not a declared restart or step decay: check that"
      " the pieces meet (each piece's start value is the previous one's end)",
      tuple(steps[:100]),
    )
  ]


def _warmup_mismatch(shape: _Shape) -> list[Finding]:
  """A jump that ends a rise from step 0 and is not followed by more rise:
  a warmup to one value joined to a phase starting from another. (A
  sawtooth, which rises again after its drop, and a staircase warmup, flat
  before each step, are not this.)"""
  v, eps = shape.v, shape.eps
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
          " is not where the schedule goes on from; give both the same peak",
          (int(t),),
        )
      ]
  return []


def _end_above_peak(shape: _Shape) -> list[Finding]:
  v = shape.v
  w = shape.warmup_end()
  if not v[-1] > v[w] + _RISE * shape.scale:
    return []
  where = f"at the end of its warmup (step {w})" if w else "at step 0"
  return [
    Finding(
      "end-above-peak",
      "warning",
      f"ends at {_num(v[-1])} (step {shape.n - 1}), above the {_num(v[w])} it"
      f" reached {where}: check the end value (end_value, alpha, the last"
      " phase's scale) against the peak",
      (shape.n - 1,),
    )
  ]


def _after_the_run(shape: _Shape) -> list[Finding]:
  """What the run misses of the schedule: a warmup that ends, growth that
  goes on, a milestone, a floor or a cooldown that come after it."""
  v, tol = shape.v, _RISE * shape.scale
  steps, u = shape.after()
  bad = np.flatnonzero(~np.isfinite(u))
  blew_up = bool(bad.size) and bool(np.isinf(u[bad[0]]))
  if bad.size:
    steps, u = steps[: bad[0]], u[: bad[0]]
  if not u.size:
    return []
  rising = v[-1] > v[0] + tol and not np.any(np.diff(v) < -shape.eps[1:])
  if rising:
    found = _rising_run(shape, steps, u, blew_up)
    if found:
      return found
  return _milestones_beyond(shape, steps, u) or _floor_after(shape, steps, u)


def _rising_run(shape: _Shape, steps: np.ndarray, u: np.ndarray, blew_up: bool) -> list[Finding]:
  v, n, tol = shape.v, shape.n, _RISE * shape.scale
  top = int(np.argmax(u))
  rise = f"rises from {_num(v[0])} at step 0 to {_num(v[-1])} at the last update (step {n - 1})"
  if blew_up or (u[-1] > v[-1] + tol and top == len(u) - 1):
    later = "overflows" if blew_up else f"reaches {_num(u[-1])} at step {steps[-1]}"
    return [
      Finding(
        "grows",
        "warning",
        f"{rise} and keeps growing after the run ({later}): a decay rate or"
        " gamma above 1? Use a rate below 1 to decay",
        (n - 1,),
      )
    ]
  if u[top] > v[-1] + tol:
    return [
      Finding(
        "warmup-longer-than-run",
        "warning",
        f"{rise}, {v[-1] / u[top]:.0%} of the {_num(u[top])} it reaches at step"
        f" {steps[top]}, after the run of {n} updates: the warmup is longer than"
        f" the run; make it a small part of the run (such as {max(n // 20, 1)}"
        " updates, 5%)",
        (n - 1,),
      )
    ]
  if shape.settled_step() >= (1 - _EPOCHS) * n:
    return [
      Finding(
        "rises-whole-run",
        "warning",
        f"{rise} and never decays: a decay whose start and end values are"
        " swapped, or a warmup as long as the run? Warm up over a small part"
        " of the run, then decay",
        (n - 1,),
      )
    ]
  return []


def _milestones_beyond(shape: _Shape, steps: np.ndarray, u: np.ndarray) -> list[Finding]:
  """A run that never decays, and a step down in one update after it."""
  v, n, tol = shape.v, shape.n, _RISE * shape.scale
  if shape.settled_step() > shape.warmup_end():
    return []  # the run moves after its warmup: later stairs go on from it
  below = np.flatnonzero(u < v[-1] - tol)
  if not below.size:
    return []
  i = int(below[0])
  lo = int(steps[i - 1]) if i else n - 1
  hi = _first_step(shape, lo, int(steps[i]), lambda x: x < v[-1] - tol)
  earlier, before, at, later = shape.values_at(np.asarray([hi - 2, hi - 1, hi, hi + 1]))
  drop = before - at
  if drop <= tol or drop <= 4 * max(abs(before - earlier), abs(at - later)):
    return []  # a continuous decay: see _floor_after
  return [
    Finding(
      "milestones-beyond-run",
      "warning",
      f"the first step decay is at step {hi}, at or after the end of the run"
      f" ({n} updates: steps 0-{n - 1}), so the LR never decays and stays at"
      f" {_num(v[-1])} to the end: put the milestones inside the run (they"
      " count updates, or epochs under per_epoch)",
      (hi,),
    )
  ]


def _first_step(shape: _Shape, lo: int, hi: int, where: Any) -> int:
  """The first step in ``(lo, hi]`` whose value meets ``where``, knowing
  that ``hi``'s does (a search on grids of 1025 steps)."""
  while hi - lo > 1:
    grid = np.unique(np.linspace(lo, hi, 1025).astype(np.int64))
    first = int(np.argmax(where(shape.values_at(grid))))
    lo, hi = int(grid[first - 1]), int(grid[first])
  return hi


def _floor_after(shape: _Shape, steps: np.ndarray, u: np.ndarray) -> list[Finding]:
  """The schedule reaches a floor at step ``L`` after the run and holds it
  (or climbs from it): the run ends short of its decay. Decays that go on
  for ever (rsqrt, an exponential decay with no floor) have no floor."""
  v, n = shape.v, shape.n
  m_i = int(np.argmin(u))
  m, end = u[m_i], v[-1]
  drop = end - m
  if m_i == len(u) - 1 or drop <= _FLAT * shape.scale:
    return []
  at_floor = m + _ulps(np.asarray([m]))[0] + _FLAT * shape.scale
  reach = int(np.argmax(u <= at_floor))
  lo = int(steps[reach - 1]) if reach else n - 1
  floor_step = _first_step(shape, lo, int(steps[reach]), lambda x: x <= at_floor)
  if floor_step - n < 2 or shape.restarts() or np.min(v[np.argmax(v) :]) <= m + 1e-3 * drop:
    return []  # restarts asked for, or a floor the run has already reached
  # A decay that only underflows to 0 is no floor: halfway there, it is
  # already nearly at its end value; a cosine or a linear decay is not.
  half = u[int(np.searchsorted(steps, (n + floor_step) // 2))]
  if half - m < 0.01 * drop:
    return []
  share = drop / max(float(np.max(v)) - m, shape.scale * 1e-12)
  w = shape.warmup_end()
  if w >= 1 and abs(floor_step - (n + w)) <= 1 and share > 1e-3:
    return [
      Finding(
        "warmup-not-subtracted",
        "warning",
        f"ends at {_num(end)} ({share:.1%} of the way from its floor {_num(m)}"
        f" to its peak), and reaches the floor at step {floor_step}, {w} steps"
        f" after the run: the decay is counted from the end of the {w}-step"
        f" warmup; give the decay {n - w} steps (the run minus the warmup), or"
        " use warmup_cosine_decay_schedule, whose decay_steps include the warmup",
        (n - 1,),
      )
    ]
  if share > _RISE and floor_step - n >= max(2, _RISE * n):
    return [
      Finding(
        "sized-for-longer-run",
        "warning",
        f"ends at {_num(end)} ({share:.0%} of the way from its floor {_num(m)}"
        f" to its peak) and only reaches the floor at step {floor_step}, after"
        f" the run of {n} updates: the schedule is sized for a longer run (its"
        f" cooldown or decay is cut off); size it for {n} updates",
        (n - 1,),
      )
    ]
  return []


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
  if not math.isfinite(x) or jax.config.read("jax_enable_x64"):
    return x
  return float(str(np.float32(x)))
