"""Helpers for training loops: the learning rate the optimizer will use next.

An optax optimizer keeps its step counter inside ``opt_state`` (on the
device). :func:`current_lr` finds that counter in any optax state and
evaluates the schedule at it, so a training loop can log or check the rate
without keeping a second counter on the host.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import jax
import jax.numpy as jnp
import optax

from optax_sched.groups import partition_states

# States whose ``count`` is the argument optax passes to a schedule, in the
# order they are preferred when several are present.
_SCHEDULE_STATES = (
  optax.ScaleByScheduleState,
  optax.InjectStatefulHyperparamsState,
  optax.InjectHyperparamsState,
)


def _is_state(x: Any) -> bool:
  return isinstance(x, _SCHEDULE_STATES) or isinstance(x, optax.MultiStepsState) or _counted(x)


def _counted(x: Any) -> bool:
  return isinstance(x, tuple) and hasattr(x, "_fields") and "count" in x._fields


def step_count(opt_state: Any) -> jax.Array:
  """The number of optimizer updates made so far, read from ``opt_state``.

  Looks, in order of preference, for the count of ``scale_by_schedule`` (what
  ``optax.adamw(learning_rate=schedule)`` keeps), of ``inject_hyperparams``,
  any other optax state with a ``count`` field (``scale_by_adam``...), and
  last the ``gradient_step`` of ``optax.MultiSteps``. Inside ``MultiSteps``
  the inner optimizer's count is found first, which counts optimizer updates,
  not micro-batches. The result stays on the device (no host transfer), so
  it can be used inside ``jax.jit``.

  Raises:
    ValueError: ``opt_state`` holds no step counter (for example the state of
      ``optax.sgd(0.1)``, which is empty).

  Example:
    >>> import jax.numpy as jnp, optax
    >>> opt = optax.adamw(1e-3)
    >>> int(step_count(opt.init({"w": jnp.zeros(3)})))
    0
  """
  nodes = [x for x in jax.tree_util.tree_leaves(opt_state, is_leaf=_is_state) if _is_state(x)]
  for kind in _SCHEDULE_STATES:
    for x in nodes:
      if isinstance(x, kind):
        return x.count
  for x in nodes:
    if _counted(x):
      return x.count
  for x in nodes:
    if isinstance(x, optax.MultiStepsState):
      return x.gradient_step
  raise ValueError(
    f"step_count: opt_state of type {type(opt_state).__name__} is not"
    " allowed: it holds no step counter (expected the state of an optax"
    " optimizer built with a schedule, e.g. optax.adamw(learning_rate=s),"
    " optax.scale_by_schedule(s), optax.inject_hyperparams or"
    " optax.MultiSteps)"
  )


def current_lr(schedule: Callable[[Any], Any] | Mapping[str, Any], opt_state: Any) -> Any:
  """The learning rate the next optimizer update will use: ``schedule(count)``.

  ``count`` is the step counter found in ``opt_state`` by :func:`step_count`
  (``scale_by_schedule``, ``adamw``, ``chain``, ``inject_hyperparams``,
  ``MultiSteps``...). Unlike ``opt_state.hyperparams["learning_rate"]`` of
  ``inject_hyperparams``, which holds the rate of the *last* update, this is
  the rate of the *next* one, the same convention as the schedule's own step.
  Jittable; nothing is moved to the host. Given the ``{label: schedule}`` of
  :func:`optax_sched.group_optimizer`, returns ``{label: rate}``, each group
  read from its own counter.

  Example:
    >>> import jax.numpy as jnp, optax
    >>> import optax_sched as sched
    >>> s = sched.linear_schedule(0.0, 1.0, 10)
    >>> opt = optax.adamw(learning_rate=s)
    >>> params = {"w": jnp.zeros(3)}
    >>> state = opt.init(params)
    >>> _, state = opt.update({"w": jnp.ones(3)}, state, params)
    >>> round(float(current_lr(s, state)), 6)
    0.1
  """
  if isinstance(schedule, Mapping):
    # One rate per group of `group_optimizer`: each group counts its own updates.
    inner = partition_states(opt_state)
    return {
      label: _rate(s, inner[label] if inner is not None and label in inner else opt_state)
      for label, s in schedule.items()
    }
  return _rate(schedule, opt_state)


def _rate(schedule: Any, opt_state: Any) -> jax.Array:
  if not callable(schedule):  # a constant rate given as a number
    return jnp.asarray(schedule, dtype=jnp.result_type(float))
  return jnp.asarray(schedule(step_count(opt_state)))
