"""Arguments of combinators that may be a schedule or a number."""
from __future__ import annotations

from typing import Any

import jax.numpy as jnp

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


def evaluate(x: Any, t) -> Any:
  """The value of an operand at clamped step ``t``."""
  if isinstance(x, Schedule):
    return x(t)
  return jnp.broadcast_to(fl(x), jnp.shape(t))
