"""ReduceLROnPlateau as a pure, jittable state machine (PyTorch's semantics).

A plateau scheduler is not a function of the step: it reacts to a metric.
:class:`ReduceLROnPlateau` holds the hyperparameters (a pytree, so they can be
traced and swept), :class:`PlateauState` the running state, and
``step(state, metric)`` is the pure transition, equal number for number to
``torch.optim.lr_scheduler.ReduceLROnPlateau.step(metric)``.

Two ways to drive an optax optimizer with it:

1. ``inject_hyperparams``: build ``optax.inject_hyperparams(optax.adamw)(
   learning_rate=plateau.base_lr)`` and after each evaluation write
   ``plateau.lr(pstate)`` into ``opt_state.hyperparams["learning_rate"]``
   (:meth:`ReduceLROnPlateau.set_learning_rate` does it without mutation).
2. A transform in the chain: ``plateau.scale_by_lr()`` multiplies the updates
   by ``-lr`` read from its own state inside ``opt_state``;
   :meth:`ReduceLROnPlateau.report` steps every such state with a metric::

     opt = optax.chain(optax.clip_by_global_norm(1.0), optax.scale_by_adam(),
                       plateau.scale_by_lr())
     ...  # train an epoch with opt.update
     opt_state = plateau.report(opt_state, val_loss)   # jittable

Either way the rate and the plateau state stay on the device.
"""

from __future__ import annotations

import dataclasses
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import optax

from optax_sched import _validate as v
from optax_sched._base import float_dtype, int_dtype


class PlateauState(NamedTuple):
  """The running state of :class:`ReduceLROnPlateau` (torch's attributes).

  Attributes:
    lr: the current learning rate.
    best: the best metric seen (``inf`` for mode "min", ``-inf`` for "max").
    num_bad_epochs: evaluations since the last improvement.
    cooldown_counter: evaluations left in which bad epochs are ignored.
    last_epoch: the number of ``step`` calls made.
  """

  lr: jax.Array
  best: jax.Array
  num_bad_epochs: jax.Array
  cooldown_counter: jax.Array
  last_epoch: jax.Array


@dataclasses.dataclass(frozen=True)
class ReduceLROnPlateau:
  r"""Multiplies the rate by ``factor`` when a metric stops improving.

  ``torch.optim.lr_scheduler.ReduceLROnPlateau`` with the optimizer argument
  replaced by ``base_lr``. At each ``step(state, metric)``:

  .. code-block:: text

    better  = metric < best * (1 - threshold)   mode="min", threshold_mode="rel"
              metric < best - threshold         mode="min", threshold_mode="abs"
              metric > best * (1 + threshold)   mode="max", threshold_mode="rel"
              metric > best + threshold         mode="max", threshold_mode="abs"
    if better: best = metric; num_bad_epochs = 0  else: num_bad_epochs += 1
    if cooldown_counter > 0: cooldown_counter -= 1; num_bad_epochs = 0
    if num_bad_epochs > patience:
      new = max(lr * factor, min_lr); if lr - new > eps: lr = new
      cooldown_counter = cooldown; num_bad_epochs = 0

  A ``nan`` metric is never better (a bad epoch), as in torch.

  Args:
    base_lr: the starting learning rate (> 0).
    mode: "min" (the metric should fall, e.g. a loss) or "max" (accuracy).
    factor: multiplier applied on a plateau, in [0, 1).
    patience: bad evaluations tolerated before reducing (>= 0).
    threshold: the least change that counts as an improvement (>= 0).
    threshold_mode: "rel" (relative to ``best``) or "abs".
    cooldown: evaluations after a reduction during which bad ones are ignored.
    min_lr: the floor of the rate (>= 0).
    eps: reductions smaller than this are skipped (>= 0).

  All numeric arguments are pytree leaves: they may be traced (``vmap`` over
  ``factor`` or ``patience``); traced values are not checked.

  Example:
    >>> p = ReduceLROnPlateau(1.0, patience=1, factor=0.5)
    >>> st, lrs = p.init(), []
    >>> for loss in [3.0, 2.0, 2.0, 2.0, 2.0, 2.0]:
    ...   st = p.step(st, loss)
    ...   lrs.append(float(p.lr(st)))
    >>> lrs
    [1.0, 1.0, 1.0, 0.5, 0.5, 0.25]
  """

  base_lr: Any
  mode: str = dataclasses.field(default="min", metadata={"static": True})
  factor: Any = 0.1
  patience: Any = 10
  threshold: Any = 1e-4
  threshold_mode: str = dataclasses.field(default="rel", metadata={"static": True})
  cooldown: Any = 0
  min_lr: Any = 0.0
  eps: Any = 1e-8

  name = "torch.ReduceLROnPlateau"

  def __post_init__(self):
    v.positive(self, "base_lr")
    v.choice(self, "mode", ("min", "max"))
    v.in_range(self, "factor", 0.0, 1.0, hi_open=True)
    v.nonnegative(self, "patience")
    v.nonnegative(self, "threshold")
    v.choice(self, "threshold_mode", ("rel", "abs"))
    v.nonnegative(self, "cooldown")
    v.nonnegative(self, "min_lr")
    v.nonnegative(self, "eps")

  def init(self) -> PlateauState:
    """The state before the first ``step``: torch's state after construction."""
    worse = jnp.inf if self.mode == "min" else -jnp.inf
    zero = jnp.zeros((), int_dtype())
    return PlateauState(
      lr=jnp.asarray(self.base_lr, float_dtype()),
      best=jnp.asarray(worse, float_dtype()),
      num_bad_epochs=zero,
      cooldown_counter=zero,
      last_epoch=zero,
    )

  def _is_better(self, metric, best):
    if self.mode == "min":
      if self.threshold_mode == "rel":
        return metric < best * (1.0 - self.threshold)
      return metric < best - self.threshold
    if self.threshold_mode == "rel":
      return metric > best * (1.0 + self.threshold)
    return metric > best + self.threshold

  def step(self, state: PlateauState, metric: Any) -> PlateauState:
    """The state after one evaluation of ``metric`` (a scalar). Pure, jittable."""
    metric = jnp.asarray(metric, float_dtype())
    better = self._is_better(metric, state.best)
    best = jnp.where(better, metric, state.best)
    bad = jnp.where(better, 0, state.num_bad_epochs + 1)
    in_cooldown = state.cooldown_counter > 0
    cooldown_counter = jnp.where(in_cooldown, state.cooldown_counter - 1, state.cooldown_counter)
    bad = jnp.where(in_cooldown, 0, bad)
    reduce = bad > self.patience
    new_lr = jnp.maximum(state.lr * self.factor, self.min_lr)
    lr = jnp.where(reduce & (state.lr - new_lr > self.eps), new_lr, state.lr)
    return PlateauState(
      lr=lr.astype(state.lr.dtype),
      best=best.astype(state.best.dtype),
      num_bad_epochs=jnp.where(reduce, 0, bad).astype(state.num_bad_epochs.dtype),
      cooldown_counter=jnp.where(reduce, self.cooldown, cooldown_counter).astype(
        state.cooldown_counter.dtype
      ),
      last_epoch=state.last_epoch + 1,
    )

  def replace(self, **changes: Any) -> ReduceLROnPlateau:
    """A copy with some arguments changed (validated like a new call)."""
    return dataclasses.replace(self, **changes)

  def lr(self, state: PlateauState) -> jax.Array:
    """The current learning rate."""
    return state.lr

  def set_learning_rate(
    self, opt_state: Any, state: PlateauState, name: str = "learning_rate"
  ) -> Any:
    """``opt_state`` of ``optax.inject_hyperparams`` with ``name`` set to the rate.

    Example:
      >>> import jax.numpy as jnp, optax
      >>> p = ReduceLROnPlateau(0.1, patience=0)
      >>> opt = optax.inject_hyperparams(optax.sgd)(learning_rate=p.base_lr)
      >>> opt_state = opt.init(jnp.zeros(2))
      >>> st = p.step(p.step(p.init(), 1.0), 1.0)
      >>> opt_state = p.set_learning_rate(opt_state, st)
      >>> round(float(opt_state.hyperparams["learning_rate"]), 6)
      0.01
    """
    hyperparams = getattr(opt_state, "hyperparams", None)
    if not isinstance(hyperparams, dict) or name not in hyperparams:
      raise ValueError(
        f"{self.name}.set_learning_rate: opt_state of type"
        f" {type(opt_state).__name__} is not allowed: expected the state of"
        f" optax.inject_hyperparams(...) with a hyperparameter {name!r}"
      )
    old = hyperparams[name]
    new = dict(hyperparams)
    new[name] = jnp.asarray(self.lr(state), jnp.result_type(old))
    return opt_state._replace(hyperparams=new)

  def scale_by_lr(self) -> optax.GradientTransformation:
    """A transform multiplying updates by ``-lr``, ``lr`` read from its state.

    Its state is a :class:`PlateauState`; use it where ``optax.scale(-lr)``
    or ``optax.scale_by_learning_rate`` would go, and step it with
    :meth:`report`.
    """

    def init_fn(params):
      del params
      return self.init()

    def update_fn(updates, state, params=None):
      del params
      lr = self.lr(state)
      return jax.tree_util.tree_map(lambda u: (-lr * u).astype(u.dtype), updates), state

    return optax.GradientTransformation(init_fn, update_fn)

  def report(self, opt_state: Any, metric: Any) -> Any:
    """``opt_state`` with every :class:`PlateauState` in it stepped by ``metric``.

    Example:
      >>> import jax.numpy as jnp, optax
      >>> p = ReduceLROnPlateau(0.1, patience=0)
      >>> opt = optax.chain(optax.scale_by_adam(), p.scale_by_lr())
      >>> opt_state = opt.init(jnp.zeros(2))
      >>> opt_state = p.report(p.report(opt_state, 1.0), 1.0)
      >>> round(float(opt_state[1].lr), 6)
      0.01
    """
    is_state = lambda x: isinstance(x, PlateauState)  # noqa: E731
    found = [x for x in jax.tree_util.tree_leaves(opt_state, is_leaf=is_state) if is_state(x)]
    if not found:
      raise ValueError(
        f"{self.name}.report: opt_state of type {type(opt_state).__name__}"
        " is not allowed: it holds no PlateauState (build the optimizer with"
        " plateau.scale_by_lr())"
      )
    return jax.tree_util.tree_map(
      lambda x: self.step(x, metric) if is_state(x) else x, opt_state, is_leaf=is_state
    )


def _flatten(p):
  data = tuple(getattr(p, f.name) for f in dataclasses.fields(p) if not f.metadata.get("static"))
  meta = tuple(getattr(p, f.name) for f in dataclasses.fields(p) if f.metadata.get("static"))
  return data, meta


def _unflatten(meta, data):
  # Bypass __post_init__: jax rebuilds the object with tracers as leaves.
  p = object.__new__(ReduceLROnPlateau)
  dyn = [f.name for f in dataclasses.fields(ReduceLROnPlateau) if not f.metadata.get("static")]
  st = [f.name for f in dataclasses.fields(ReduceLROnPlateau) if f.metadata.get("static")]
  for k, x in zip(dyn, data, strict=True):
    object.__setattr__(p, k, x)
  for k, x in zip(st, meta, strict=True):
    object.__setattr__(p, k, x)
  return p


jax.tree_util.register_pytree_node(ReduceLROnPlateau, _flatten, _unflatten)
