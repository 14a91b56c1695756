"""Arguments of combinators that may be a schedule or a number."""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp
import numpy as np

from optax_sched import _validate as v
from optax_sched._base import Schedule, as_schedule, fl


def operand(owner: Any, name: str, x: Any) -> Any:
  """``x`` kept as a Schedule (a callable is wrapped) or checked as a number.

  Numbers stay numbers (pytree leaves) rather than becoming constant
  schedules, so ``repr`` and ``to_config`` show ``0.5``, not a wrapper.
  """
  if isinstance(x, Schedule):
    return x
  if callable(x):
    return as_schedule(x, name, owner.name)
  v.real(owner, name, x)
  return x


def jumps(x: Any, total_steps) -> np.ndarray:
  """An operand's declared jumps as a float array (none for a number)."""
  if not isinstance(x, Schedule):
    return np.zeros(0)
  return np.asarray(x.declared_jumps(total_steps), dtype=np.float64).reshape(-1)


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


def evaluate(x: Any, t) -> Any:
  """The value of an operand at clamped step ``t``."""
  if isinstance(x, Schedule):
    return x(t)
  return jnp.broadcast_to(fl(x), jnp.shape(t))
