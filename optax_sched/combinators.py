"""Combinators: schedules built from other schedules."""
from __future__ import annotations

from typing import Any, Sequence

import jax.numpy as jnp
import optax

from optax_sched import _validate as v
from optax_sched._base import Schedule, as_schedule, register


@register
class join_schedules(Schedule):
  """Runs ``schedules`` one after another, switching at ``boundaries``.

  Piece ``i`` sees the step counted from ``boundaries[i-1]`` (optax's
  semantics). Built on ``optax.join_schedules``, with checks optax lacks:
  exactly one boundary fewer than schedules, boundaries sorted and >= 0.

  Example (the optax lesson's warmup, cosine, constant tail):
    >>> from optax_sched import linear_schedule, cosine_decay_schedule, constant_schedule
    >>> s = join_schedules([linear_schedule(0.0, 3e-4, 1000),
    ...                     cosine_decay_schedule(3e-4, 50_000, alpha=0.1),
    ...                     constant_schedule(3e-5)], [1000, 51_000])
    >>> [round(float(s(k)), 7) for k in (500, 1000, 60_000)]
    [0.00015, 0.0003, 3e-05]
  """

  schedules: Sequence[Any]
  boundaries: Sequence[Any]

  def __post_init__(self):
    if not isinstance(self.schedules, (list, tuple)):
      v.fail(self, "schedules", self.schedules, "it must be a list of schedules")
    if not isinstance(self.boundaries, (list, tuple)):
      try:
        object.__setattr__(self, "boundaries", list(self.boundaries))
      except TypeError:
        v.fail(self, "boundaries", self.boundaries,
               "it must be a list of steps")
    object.__setattr__(self, "schedules", tuple(
        as_schedule(s, f"schedules[{i}]", self.name) for i, s in enumerate(self.schedules)))
    object.__setattr__(self, "boundaries", tuple(self.boundaries))
    super().__post_init__()

  def _check(self):
    if not self.schedules:
      v.fail(self, "schedules", [], "it must hold at least one schedule")
    if len(self.boundaries) != len(self.schedules) - 1:
      v.fail(self, "boundaries", list(self.boundaries),
             f"it must hold len(schedules) - 1 = {len(self.schedules) - 1}"
             f" steps, one between each pair of schedules (got"
             f" {len(self.boundaries)})")
    for i, b in enumerate(self.boundaries):
      v.nonnegative(self, f"boundaries[{i}]", b)
    v.increasing(self, "boundaries", self.boundaries)

  def _value(self, t):
    return optax.join_schedules(list(self.schedules),
                                list(self.boundaries))(t)

  def declared_jumps(self, total_steps):
    """Every boundary, and each piece's own jumps from where it starts."""
    bounds = [v.concrete(b) for b in self.boundaries]
    if any(b is None for b in bounds):
      return ()
    starts = [0.0] + [float(b) for b in bounds]
    ends = starts[1:] + [float(total_steps)]
    jumps = list(starts[1:])
    for piece, start, end in zip(self.schedules, starts, ends):
      jumps += [start + j for j in piece.declared_jumps(int(end - start))
                if start + j < end]
    return tuple(jumps)
