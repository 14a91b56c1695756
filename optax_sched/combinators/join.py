"""``join_schedules``: pieces one after another, O(log n) for one family."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

import jax
import jax.numpy as jnp
import numpy as np
import optax

from optax_sched import _validate as v
from optax_sched._base import Schedule, ScheduleFn, as_schedule, jumps, register
from optax_sched._dtypes import Real, float_dtype
from optax_sched._math import lookup, reachable, searchsorted_right, stack_leaves, steps_array
from optax_sched.combinators._operand import known


def family_of(pieces: Sequence[ScheduleFn]) -> Schedule | None:
  """The pieces as one schedule with stacked leaves, if they are one family.

  Pieces of one pytree structure (class and static fields) differ only in
  their leaves, so one piece evaluated with gathered leaves stands for all
  of them. Returns None for mixed pieces. Each piece is flattened once and
  concrete leaves are stacked in NumPy: tracing stays fast at n = 10^4.
  """
  flat = [jax.tree_util.tree_flatten(p) for p in pieces]
  treedef = flat[0][1]
  if any(td != treedef for _, td in flat[1:]):
    return None
  columns = zip(*(leaves for leaves, _ in flat), strict=True)
  return jax.tree_util.tree_unflatten(treedef, [stack_leaves(col) for col in columns])


def stacked(pieces: Sequence[Schedule]) -> Schedule:
  """One schedule whose every leaf stacks the pieces' leaves (axis 0).

  The pieces must share one pytree structure (``optax_sched.sweep.stack``
  uses this to sweep many schedules in one program).
  """
  family = family_of(pieces)
  if family is None:
    raise ValueError(
      "stacked: schedules of different structure (family or static arguments) cannot be stacked"
    )
  return family


def gathered_call(family: Schedule, index, local):
  """``family`` with leaves ``[index]``, called at ``local``, elementwise.

  ``index`` and ``local`` have one shape; each element picks its own piece.
  ``vmap`` turns the per-element leaf lookup into one gather per leaf, so
  any family works, whatever its arithmetic.
  """
  shape = jnp.shape(local)

  def one(i, s):
    # Few selects per leaf: a join has several leaves, each its own table.
    return jax.tree.map(lambda x: lookup(x, i, small=4), family)(s)

  out = jax.vmap(one)(jnp.reshape(index, (-1,)), jnp.reshape(local, (-1,)))
  return jnp.reshape(out, shape)


def _check_steps(owner: Any, name: str, steps: Sequence[Any]) -> None:
  """Every concrete step finite, >= 0 and sorted (vectorised: n may be 10^4)."""
  arrs = [v.concrete(b) for b in steps]
  for i, (b, a) in enumerate(zip(steps, arrs, strict=True)):
    if a is None or a.ndim or a.dtype.kind not in "iuf":
      v.number(owner, f"{name}[{i}]", b)
  known = [(i, a) for i, a in enumerate(arrs) if a is not None]
  where = [i for i, _ in known]
  values = np.asarray([float(a) for _, a in known])
  bad = ~(np.isfinite(values) & (values >= 0))
  if bad.any():
    i = where[int(np.argmax(bad))]
    v.fail(owner, f"{name}[{i}]", steps[i], "it must be a finite step >= 0")
  if len(where) == len(steps) and np.any(np.diff(values) < 0):
    i = int(np.argmax(np.diff(values) < 0)) + 1
    v.fail(
      owner,
      f"{name}[{i}]",
      steps[i],
      f"{name} must be in increasing order, and it is below {name}[{i - 1}]={steps[i - 1]!r}",
    )


@register
class join_schedules(Schedule):
  """Runs ``schedules`` one after another, switching at ``boundaries``.

  .. math::
    v(t) = s_i(t - b_{i-1}) \\text{ for } b_{i-1} \\le t < b_i,
    \\quad b_{-1} = 0

  Piece ``i`` sees the step counted from ``boundaries[i-1]`` (optax's
  semantics; at a repeated boundary the later piece wins). Optax evaluates
  every piece at every step; here, when all pieces are of one family (same
  class and static fields, e.g. 1000 cosine cycles), a step finds its piece
  by a search over the boundaries and evaluates only that piece with its gathered
  hyperparameters: O(log n) per step and a compiled program that does not
  grow with n. Mixed pieces use ``optax.join_schedules``; nest a one-family
  join inside a mixed one to keep the speed (warmup, 1000 restarts, a tail).

  Checks optax lacks: exactly one boundary fewer than schedules, boundaries
  finite, >= 0 and sorted.

  Example (the optax lesson's warmup, cosine, constant tail):
    >>> from optax_sched import linear_schedule, cosine_decay_schedule, constant_schedule
    >>> s = join_schedules([linear_schedule(0.0, 3e-4, 1000),
    ...                     cosine_decay_schedule(3e-4, 50_000, alpha=0.1),
    ...                     constant_schedule(3e-5)], [1000, 51_000])
    >>> [round(float(s(k)), 7) for k in (500, 1000, 60_000)]
    [0.00015, 0.0003, 3e-05]
  """

  schedules: Sequence[ScheduleFn]
  boundaries: Sequence[Real]

  def __post_init__(self):
    if not isinstance(self.schedules, (list, tuple)):
      v.fail(self, "schedules", self.schedules, "it must be a list of schedules")
    if not isinstance(self.boundaries, (list, tuple)):
      try:
        object.__setattr__(self, "boundaries", list(self.boundaries))
      except TypeError:
        v.fail(self, "boundaries", self.boundaries, "it must be a list of steps")
    object.__setattr__(
      self,
      "schedules",
      tuple(as_schedule(s, f"schedules[{i}]", self.name) for i, s in enumerate(self.schedules)),
    )
    object.__setattr__(self, "boundaries", tuple(self.boundaries))
    super().__post_init__()

  def _check(self):
    if not self.schedules:
      v.fail(self, "schedules", [], "it must hold at least one schedule")
    if len(self.boundaries) != len(self.schedules) - 1:
      v.fail(
        self,
        "boundaries",
        list(self.boundaries),
        f"it must hold len(schedules) - 1 = {len(self.schedules) - 1}"
        f" steps, one between each pair of schedules (got"
        f" {len(self.boundaries)})",
      )
    _check_steps(self, "boundaries", self.boundaries)

  def declared_jumps(self, total_steps):
    """Every boundary, and each piece's own jumps from where it starts."""
    if not known(*self.boundaries):
      return ()
    starts = [0.0] + [float(b) for b in self.boundaries]
    ends = starts[1:] + [float(total_steps)]
    out = [np.asarray(starts[1:])]
    for piece, start, end in zip(self.schedules, starts, ends, strict=True):
      inner = jumps(piece, end - start) + start
      out.append(inner[inner < end])
    return np.concatenate(out)

  @property
  def fast(self) -> bool:
    """Whether evaluation takes the O(log n) one-family path."""
    return self._family() is not None

  def _family(self) -> Schedule | None:
    if len(self.schedules) < 2:
      return None
    # Stacked leaves take the float dtype of the call (float64 under x64):
    # one cached family per dtype, so x64 on after a float32 call is float64.
    cache = self.__dict__.setdefault("_family_cache", {})
    key = float_dtype()
    if key in cache:
      return cache[key]
    family = family_of(self.schedules)
    if all(v.concrete(x) is not None for x in jax.tree.leaves((family, self.boundaries))):
      # Safe to keep: no tracer inside. Not a field, so not in the pytree.
      cache[key] = family
    return family

  def _value(self, t):
    if len(self.schedules) == 1:
      return self.schedules[0](t)
    family = self._family()
    if family is None:
      # optax annotates int boundaries; it compares them with the step, so
      # any number (or traced value) works.
      bounds = cast("list[int]", list(self.boundaries))
      # Boundaries past the int range are never reached (and overflow optax's compare).
      bounds = bounds[: reachable(bounds)]
      return optax.join_schedules(list(self.schedules)[: len(bounds) + 1], bounds)(t)
    bounds = steps_array(self.boundaries)
    index = searchsorted_right(bounds, t)
    starts = jnp.concatenate([jnp.zeros((1,), bounds.dtype), bounds])
    start = lookup(starts, index)
    if not jnp.issubdtype(start.dtype, jnp.integer):
      t = t.astype(start.dtype)
    return gathered_call(family, index, t - start)
