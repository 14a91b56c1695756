"""``cycles``: runs of warmup then decay, each with its own length and peak."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import jax.numpy as jnp
import numpy as np

from optax_sched import _validate as v
from optax_sched._base import ScheduleFn, jumps, register
from optax_sched._dtypes import Real, fl
from optax_sched._math import linear_interpolate, lookup, searchsorted_right, stack, steps_array
from optax_sched.combinators._operand import known
from optax_sched.combinators.timing import _Timed


def _per_cycle(owner, name: str, value: Any, n: int) -> tuple:
  """``value`` as one entry per cycle (a scalar is repeated)."""
  if isinstance(value, (list, tuple)):
    if len(value) != n:
      v.fail(owner, name, list(value), f"it must hold one entry per cycle ({n}), or be one number")
    return tuple(value)
  return (value,) * n


@register
class cycles(_Timed):
  r"""Cycles of a warmup then ``schedule``, each with its own length and peak.

  Cycle :math:`i` starts at :math:`S_i = L_0 + \dots + L_{i-1}` and lasts
  :math:`L_i` steps; with :math:`u = t - S_i`, its warmup :math:`W_i` and
  peak :math:`p_i` (1 when ``peaks`` is None):

  .. math::
    v(t) = \begin{cases}
      e_{i} + (p_i\,s(0) - e_{i})\,u / W_i & u < W_i \\
      p_i\, s\!\left((u - W_i)\,D_0 / D_i\right) & u \ge W_i
    \end{cases}
    \qquad D_i = L_i - W_i

  ``schedule`` is written for the first cycle's decay (:math:`D_0` steps);
  a later cycle plays it stretched to its own :math:`D_i`. The warmup of
  cycle :math:`i` rises from :math:`e_i`, where the previous cycle ended
  (:math:`e_i = p_{i-1}\,s(D_0)`; :math:`e_0` = ``init_value``), to the
  cycle's peak. Past the last cycle ``schedule`` goes on (stretched like the
  last cycle). This is levanter's cyclic schedule (``cycle_length`` or
  ``cycles`` with ``warmup`` and ``rewarmup``; levanter's optim config), with
  per-cycle peaks added (``peaks`` multiply ``schedule``; give it as a shape
  that starts at 1, or as values with ``peaks=None``). A cycle is found by a
  search over the starts, O(log n) per step; with equal decay lengths the
  child's step stays an integer.

  Args:
    schedule: the decay of one cycle, counted from the end of its warmup.
    lengths: :math:`L_i` > 0, the length of each cycle in steps.
    warmup_steps: :math:`W_i`, one number for every cycle or one per cycle
      (levanter's ``warmup`` for the first, ``rewarmup`` for the others);
      :math:`0 \le W_i < L_i`.
    peaks: one factor per cycle multiplying ``schedule``, or None.
    init_value: where the first warmup starts.

  Example (three cycles of 100 steps, warmups of 10 then 5, peaks 1, 0.5, 0.25):
    >>> from optax_sched import cosine_decay_schedule
    >>> s = cycles(cosine_decay_schedule(1.0, 90, alpha=0.1), [100, 100, 100],
    ...            warmup_steps=[10, 5, 5], peaks=[1.0, 0.5, 0.25])
    >>> [round(float(s(k)), 6) for k in (0, 5, 10, 100, 105, 205, 299)]
    [0.0, 0.5, 1.0, 0.1, 0.5, 0.25, 0.025062]
  """

  schedule: ScheduleFn
  lengths: Sequence[Real]
  warmup_steps: Real | Sequence[Real] = 0
  peaks: Sequence[Real] | None = None
  init_value: Real = 0.0

  def __post_init__(self):
    super().__post_init__()  # checked as given, so errors show the user's lists
    for name in ("lengths", "warmup_steps", "peaks"):
      value = getattr(self, name)
      if isinstance(value, list):
        object.__setattr__(self, name, tuple(value))

  def _check(self):
    if not isinstance(self.lengths, (list, tuple)) or not self.lengths:
      v.fail(self, "lengths", self.lengths, "it must be a non-empty list of cycle lengths")
    n = len(self.lengths)
    for i, length in enumerate(self.lengths):
      v.positive(self, f"lengths[{i}]", length)
    warm = _per_cycle(self, "warmup_steps", self.warmup_steps, n)
    for i, (w, length) in enumerate(zip(warm, self.lengths, strict=True)):
      name = (
        f"warmup_steps[{i}]" if isinstance(self.warmup_steps, (list, tuple)) else "warmup_steps"
      )
      v.nonnegative(self, name, w)
      lw, ll = v.concrete(w), v.concrete(length)
      if lw is not None and ll is not None and not lw < ll:
        v.fail(self, name, w, f"it must be < lengths[{i}]={length!r} (a cycle needs a decay)")
    if self.peaks is not None:
      if not isinstance(self.peaks, (list, tuple)):
        v.fail(self, "peaks", self.peaks, "it must be a list of one factor per cycle, or None")
      _per_cycle(self, "peaks", self.peaks, n)
      for i, p in enumerate(self.peaks):
        v.real(self, f"peaks[{i}]", p)
    v.real(self, "init_value")

  def _tables(self):
    n = len(self.lengths)
    lengths = steps_array(self.lengths, unreachable="clip")
    warm = steps_array(_per_cycle(self, "warmup_steps", self.warmup_steps, n), unreachable="clip")
    peaks = stack(self.peaks if self.peaks is not None else (1.0,) * n)
    return lengths, warm, peaks

  def _equal_decays(self) -> bool:
    n = len(self.lengths)
    warm = _per_cycle(self, "warmup_steps", self.warmup_steps, n)
    if not known(*self.lengths, *warm):
      return False
    decays = {float(length) - float(w) for length, w in zip(self.lengths, warm, strict=True)}
    return len(decays) == 1

  def _value(self, t):
    lengths, warm, peaks = self._tables()
    if isinstance(lengths, np.ndarray):  # concrete: integer starts stay exact
      starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(lengths.dtype)
    else:
      starts = jnp.concatenate([jnp.zeros(1, lengths.dtype), jnp.cumsum(lengths)[:-1]])
    if not (jnp.issubdtype(starts.dtype, jnp.integer) and jnp.issubdtype(t.dtype, jnp.integer)):
      starts, t = fl(starts), fl(t)
    i = searchsorted_right(starts[1:], t)
    u = t - lookup(starts, i).astype(t.dtype)
    w, length, p = lookup(warm, i), lookup(lengths, i), lookup(peaks, i)
    decay0 = lengths[0] - warm[0]
    since = jnp.maximum(u - w.astype(u.dtype), 0)
    if not self._equal_decays():
      since = fl(since) * (fl(decay0) / fl(length - w))
    top = self.schedule(jnp.zeros((), since.dtype))
    end = self.schedule(jnp.asarray(decay0))
    before = jnp.where(i > 0, lookup(peaks, jnp.maximum(i - 1, 0)) * end, fl(self.init_value))
    rise = linear_interpolate(before, p * top, fl(u) / jnp.maximum(fl(w), 1.0))
    return jnp.where(u < w, rise, p * self.schedule(since))

  def declared_jumps(self, total_steps):
    """Every cycle start (a restart) and the child's jumps in each decay."""
    n = len(self.lengths)
    warm = _per_cycle(self, "warmup_steps", self.warmup_steps, n)
    if not known(*self.lengths, *warm):
      return ()
    lengths, warm = np.asarray(self.lengths, float), np.asarray(warm, float)
    starts = np.concatenate([[0.0], np.cumsum(lengths)[:-1]])
    decay0 = lengths[0] - warm[0]
    inner = jumps(self.schedule, decay0)
    out = [starts[1:]]
    for start, length, w in zip(starts, lengths, warm, strict=True):
      scale = (length - w) / decay0
      out.append(start + w + inner[inner < decay0] * scale)
    return np.concatenate(out)
