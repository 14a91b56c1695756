"""A schedule per parameter group, through optax's own partitioning.

Typical groups: weights with weight decay, embeddings/norms/biases without
it, a freshly initialised head at 10x the rate. :func:`label_params` names
the group of every parameter from its path, :func:`group_optimizer` builds
one ``optax.partition`` with an optimizer per group, each driven by its own
schedule, and ``current_lr(schedules, opt_state)`` reads every group's next
rate from the optimizer state.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import jax
import optax

from optax_sched._base import Schedule, as_schedule

Labels = Any  # a pytree of str with the structure of the parameters
LabelFn = Callable[[Any], Labels]


def _partition() -> Callable[..., optax.GradientTransformation]:
  # optax >= 0.2.5 names it `partition`; `multi_transform` is the older name.
  return getattr(optax, "partition", None) or optax.multi_transform


def _path_text(path: tuple) -> str:
  """``('encoder', 'layer_0', 'bias')`` for a key path: what rules match."""
  parts = []
  for key in path:
    for attr in ("key", "name", "idx"):
      if hasattr(key, attr):
        parts.append(str(getattr(key, attr)))
        break
    else:
      parts.append(str(key))
  return "/".join(parts)


def label_params(
  params: Any, rules: Mapping[str, str] | Sequence[tuple[str, str]], default: str = "default"
) -> Labels:
  """The group label of every parameter, from regular expressions on its path.

  A parameter's path is its keys joined by ``/`` (``"encoder/layer_0/bias"``
  for ``params["encoder"]["layer_0"]["bias"]``). The first rule whose pattern
  ``re.search``-es the path gives the label; no match gives ``default``.

  Args:
    params: the parameter pytree.
    rules: ``{pattern: label}`` (or a sequence of ``(pattern, label)`` pairs),
      tried in order.
    default: the label of a parameter no rule matches.

  Example:
    >>> import jax.numpy as jnp
    >>> params = {"embed": jnp.zeros((10, 4)), "dense": {"w": jnp.zeros((4, 4)),
    ...           "b": jnp.zeros(4)}, "head": {"w": jnp.zeros((4, 2))}}
    >>> label_params(params, {"^head/": "head", "embed|/b$": "no_decay"})
    {'dense': {'b': 'no_decay', 'w': 'default'}, 'embed': 'no_decay', 'head': {'w': 'head'}}
  """
  pairs = list(rules.items()) if isinstance(rules, Mapping) else list(rules)
  compiled = []
  for item in pairs:
    if not (isinstance(item, tuple | list) and len(item) == 2):
      raise ValueError(
        f"rules: entry {item!r} is not allowed: give {{pattern: label}} or (pattern, label) pairs"
      )
    pattern, label = item
    if not isinstance(label, str):
      raise ValueError(f"rules: label {label!r} for {pattern!r} is not allowed: a label is a str")
    try:
      compiled.append((re.compile(pattern), label))
    except (re.error, TypeError) as e:
      raise ValueError(
        f"rules: pattern {pattern!r} is not allowed: it must be a regular expression ({e})"
      ) from None

  def label(path, _):
    text = _path_text(path)
    return next((lab for rx, lab in compiled if rx.search(text)), default)

  return jax.tree_util.tree_map_with_path(label, params)


def _as_group_schedule(label: str, value: Any) -> Any:
  if isinstance(value, Schedule):
    return value
  if callable(value):
    return as_schedule(value, f"schedules[{label!r}]")
  if isinstance(value, int | float) and not isinstance(value, bool):
    return value
  raise ValueError(
    f"schedules[{label!r}]={value!r} is not allowed: give a schedule, a callable of the step or a"
    " number (a constant rate)"
  )


def group_optimizer(
  schedules: Mapping[str, Any],
  labels: Labels | LabelFn,
  optimizer: Callable[[Any], optax.GradientTransformation]
  | Mapping[str, Callable[[Any], optax.GradientTransformation]]
  | None = None,
) -> optax.GradientTransformation:
  """One optimizer, a schedule per parameter group (``optax.partition``).

  Every group ``g`` is updated by ``optimizer(schedules[g])``: its own
  optimizer state and step counter, its own learning-rate curve. Read the
  rates back with ``current_lr(schedules, opt_state)``.

  Args:
    schedules: ``{label: schedule}``; a number is a constant rate.
    labels: a pytree of labels with the structure of the parameters, or a
      function ``params -> labels`` such as ``lambda p: label_params(p, rules)``.
      Every label must be a key of ``schedules`` (checked at ``init``).
    optimizer: ``lr -> optax.GradientTransformation`` for every group
      (default ``optax.adamw``), or ``{label: lr -> transformation}`` to give
      groups different optimizers (e.g. no weight decay for norms).

  Example (the head at 10x the rate of the body):
    >>> import jax.numpy as jnp, optax
    >>> import optax_sched as sched
    >>> body = sched.warmup_cosine_decay_schedule(0.0, 1e-3, 10, 100)
    >>> schedules = {"body": body, "head": 10 * body}
    >>> params = {"body": jnp.ones(3), "head": jnp.ones(2)}
    >>> opt = group_optimizer(schedules, {"body": "body", "head": "head"})
    >>> state = opt.init(params)
    >>> for _ in range(5):
    ...   _, state = opt.update(params, state, params)
    >>> {k: round(float(v), 6) for k, v in sched.current_lr(schedules, state).items()}
    {'body': 0.0005, 'head': 0.005}
  """
  if not isinstance(schedules, Mapping) or not schedules:
    raise ValueError(
      f"schedules={schedules!r} is not allowed: give a non-empty dict {{label: schedule}}"
    )
  for key in schedules:
    if not isinstance(key, str):
      raise ValueError(f"schedules: label {key!r} is not allowed: labels are str")
  rates = {k: _as_group_schedule(k, s) for k, s in schedules.items()}
  if optimizer is None:
    makers: Mapping[str, Callable[[Any], optax.GradientTransformation]] = dict.fromkeys(
      rates, optax.adamw
    )
  elif isinstance(optimizer, Mapping):
    missing = sorted(set(rates) - set(optimizer))
    if missing:
      raise ValueError(
        f"optimizer: no optimizer for the group(s) {missing}; give one for every label of"
        f" schedules ({sorted(rates)})"
      )
    makers = optimizer
  elif callable(optimizer):
    makers = dict.fromkeys(rates, optimizer)
  else:
    raise ValueError(
      f"optimizer={optimizer!r} is not allowed: give lr -> optax.GradientTransformation, a dict"
      " of them per label, or None (optax.adamw)"
    )
  transforms = {k: makers[k](rate) for k, rate in rates.items()}

  def checked_labels(params):
    tree = labels(params) if callable(labels) else labels
    for path, lab in jax.tree_util.tree_leaves_with_path(tree):
      if lab not in rates:
        raise ValueError(
          f"labels: {lab!r} (for the parameter {_path_text(path) or 'params'}) is not allowed:"
          f" every label must be a key of schedules ({sorted(rates)})"
        )
    return tree

  return _partition()(transforms, checked_labels)


def partition_states(opt_state: Any) -> Mapping[str, Any] | None:
  """The ``inner_states`` (one per label) of the first partition state in ``opt_state``."""

  def is_partition(x):
    return hasattr(x, "inner_states") and isinstance(x.inner_states, Mapping)

  for node in jax.tree_util.tree_leaves(opt_state, is_leaf=is_partition):
    if is_partition(node):
      return node.inner_states
  return None
