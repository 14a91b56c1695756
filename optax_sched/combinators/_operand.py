"""The base of combinators around one schedule, and a check that values are known.

Operands (a schedule or a number: ``operand``, ``evaluate``, ``jumps``) live in
``optax_sched._base`` with the pointwise algebra that needs them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from optax_sched import _validate as v
from optax_sched._base import Schedule, jumps, operand


def known(*values: Any) -> bool:
  """Whether every value is concrete (jumps can only be listed then)."""
  return all(v.concrete(x) is not None for x in values)


class Wrapper(Schedule):
  """Base of combinators with one ``schedule`` field (an operand)."""

  def __post_init__(self):
    object.__setattr__(self, "schedule", operand(self, "schedule", self.schedule))
    super().__post_init__()

  def declared_jumps(self, total_steps):
    """The child's jumps, through this combinator's map of time."""
    return self._map_jumps(jumps(self.schedule, self._child_total(total_steps)))

  def _child_total(self, total_steps):
    return total_steps

  def _map_jumps(self, steps: np.ndarray):
    return steps
