"""Sweeps: K training runs under K schedules in one ``jit(vmap)`` program.

A schedule is a pytree whose hyperparameters are leaves, so a training
function of the schedule can be ``vmap``-ed over them: K peak learning rates
(or K members of one family) train side by side in one compiled program,
each run equal to training it alone.

Example:
  >>> import jax.numpy as jnp, optax
  >>> import optax_sched as sched
  >>> def train(s):  # minimise w**2 for 10 steps
  ...   opt = optax.sgd(s)
  ...   w, st = jnp.float32(1.0), opt.init(jnp.float32(1.0))
  ...   for _ in range(10):
  ...     u, st = opt.update(2 * w, st)
  ...     w = w + u
  ...   return w
  >>> base = sched.cosine_decay_schedule(0.1, 10)
  >>> [round(float(w), 4) for w in sweep(train, base, init_value=[0.01, 0.1, 0.3])]
  [0.8951, 0.3023, 0.0109]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import jax
import jax.numpy as jnp

from optax_sched.combinators.join import stacked


def sweep(train_fn: Callable[[Any], Any], schedule: Any, **values: Sequence[Any]) -> Any:
  """``train_fn(schedule.replace(**{name: values[name][k]}))`` for every k, at once.

  Args:
    train_fn: a jittable function of a schedule returning a pytree (params,
      curves...).
    schedule: the schedule whose arguments are swept.
    **values: argument name -> K values; every list must have the same K.

  Returns:
    ``train_fn``'s output with a leading axis of length K.

  The swept values are traced, so they are not checked like concrete
  arguments are; check them first by building one schedule per value if in
  doubt.
  """
  if not values:
    raise ValueError("sweep: no values given: pass argument=[v1, v2, ...]")
  allowed = set(schedule.arguments())
  unknown = sorted(set(values) - allowed)
  if unknown:
    raise ValueError(
      f"sweep: argument(s) {unknown} are not allowed: {schedule.name} has {sorted(allowed)}"
    )
  arrays = {k: jnp.asarray(v) for k, v in values.items()}
  lengths = {k: (a.shape[0] if a.ndim else None) for k, a in arrays.items()}
  if len(set(lengths.values())) != 1 or None in lengths.values():
    raise ValueError(
      f"sweep: value lists of lengths {lengths} are not allowed: give"
      " every argument a list of the same length K >= 1"
    )
  return jax.jit(jax.vmap(lambda kw: train_fn(schedule.replace(**kw))))(arrays)


def stack(schedules: Sequence[Any]) -> Any:
  """One schedule whose every hyperparameter has a leading axis of length K.

  All schedules must be of one family with the same structure (the same
  static arguments and number of pieces).
  """
  if not schedules:
    raise ValueError("stack: schedules=[] is not allowed: give at least one schedule")
  treedefs = [jax.tree_util.tree_structure(s) for s in schedules]
  for i, t in enumerate(treedefs[1:], 1):
    if t != treedefs[0]:
      raise ValueError(
        f"stack: schedules[{i}]={schedules[i]!r} is not allowed: every schedule must"
        f" have the structure of schedules[0]={schedules[0]!r} (one family, same"
        " static arguments and number of pieces)"
      )
  return stacked(schedules)


def sweep_schedules(train_fn: Callable[[Any], Any], schedules: Sequence[Any]) -> Any:
  """``[train_fn(s) for s in schedules]`` as one ``jit(vmap)`` program.

  Returns ``train_fn``'s output with a leading axis of length ``len(schedules)``.
  """
  return jax.jit(jax.vmap(train_fn))(stack(schedules))
