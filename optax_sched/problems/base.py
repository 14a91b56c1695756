"""What every built-in problem is: data, a model, initial parameters and batch orders per seed.

A :class:`Problem` is a pytree. Its data (``x_train``, ``y_train``, ``x_val``,
``y_val``) is shared by every seed; its ``order`` (the batches of every
epoch) and ``params`` (the initial parameters) come from the seed. A problem
loaded with ``seeds=S`` holds S of them stacked on a leading axis, so
``jax.vmap(..., in_axes=(None, SEED_AXES))`` trains the S seeds in one
program (see :data:`SEED_AXES`).

The model is a frozen dataclass with no array fields (a pytree with no
leaves), so it travels through ``jit`` and ``vmap`` as part of the problem's
structure. It has two methods: ``init(key) -> params`` and
``apply(params, x) -> logits``; targets are class indices, so one loss and
one evaluation (:func:`loss`, :func:`evaluate`) serve every problem.
"""

from __future__ import annotations

import dataclasses
from typing import Any, NamedTuple, Protocol, TypeVar

import jax
import jax.numpy as jnp
import numpy as np
import optax


class Model(Protocol):
  """A network: parameters from a key, logits from inputs."""

  def init(self, key: jax.Array) -> Any: ...

  def apply(self, params: Any, x: jax.Array) -> jax.Array: ...


_M = TypeVar("_M")


def static_model(cls: type[_M]) -> type[_M]:
  """Registers a frozen dataclass as a pytree whose every field is static."""
  names = [f.name for f in dataclasses.fields(cls)]  # type: ignore[arg-type]
  return jax.tree_util.register_dataclass(cls, data_fields=[], meta_fields=names)


class Problem(NamedTuple):
  """The data, the batch order, the initial parameters and the model of a run.

  ``order`` has shape ``(epochs, steps_per_epoch, batch_size)`` (indices into
  the training set); with several seeds ``order`` and every leaf of
  ``params`` gain a leading seeds axis.
  """

  x_train: jax.Array
  y_train: jax.Array
  x_val: jax.Array
  y_val: jax.Array
  order: jax.Array
  params: Any
  model: Any

  @property
  def steps_per_epoch(self) -> int:
    return int(self.order.shape[-2])

  @property
  def total_steps(self) -> int:
    return int(self.order.shape[-3]) * self.steps_per_epoch

  @property
  def seeds(self) -> int | None:
    """The length of the seeds axis, or ``None`` when there is none."""
    return int(self.order.shape[0]) if self.order.ndim == 4 else None

  def one_seed(self, i: int) -> Problem:
    """Seed ``i`` of a problem loaded with seeds, without the seeds axis."""
    if self.seeds is None or not 0 <= i < self.seeds:
      raise ValueError(f"one_seed: i={i} is not allowed: this problem has seeds={self.seeds}")
    take = lambda a: a[i]  # noqa: E731
    return self._replace(order=self.order[i], params=jax.tree_util.tree_map(take, self.params))


@jax.custom_vjp
def dense(x: jax.Array, w: jax.Array, b: jax.Array) -> jax.Array:
  """``x @ w + b`` for ``x`` of shape ``(..., n_in)``, with a faster gradient on CPU.

  Autodiff's weight gradient ``x.T @ g`` (``x`` as rows) is a matmul over
  the batch axis of both operands, which XLA:CPU runs through a slower path
  than a plain matmul; here ``x.T`` is laid out first (a copy XLA may not
  fold back into the matmul). The same numbers; the digits MLP's 100 updates
  of ``lr_find`` run 1-5% faster (scripts/bench_lr_find_step.py).

  Example:
    >>> x, w = jnp.ones((2, 3)), jnp.ones((3, 4))
    >>> jax.grad(lambda w: dense(x, w, jnp.zeros(4)).sum())(w)[0].tolist()
    [2.0, 2.0, 2.0, 2.0]
  """
  return x @ w + b


def _dense_fwd(x, w, b):
  return dense(x, w, b), (x, w)


def _dense_bwd(saved, g):
  x, w = saved
  rows, g_rows = x.reshape(-1, x.shape[-1]), g.reshape(-1, g.shape[-1])
  return g @ w.T, jax.lax.optimization_barrier(rows.T) @ g_rows, g_rows.sum(0)


dense.defvjp(_dense_fwd, _dense_bwd)


#: ``in_axes`` of a problem loaded with ``seeds=S``: the batch order and the
#: initial parameters carry the seeds axis, the data and the model do not.
SEED_AXES = Problem._make([None, None, None, None, 0, 0, None])


def loss(model: Model, params: Any, x: jax.Array, y: jax.Array) -> jax.Array:
  """Mean cross-entropy (nats) of ``model`` on ``x`` against class indices ``y``."""
  return optax.softmax_cross_entropy_with_integer_labels(model.apply(params, x), y).mean()


def evaluate(model: Model, params: Any, x: jax.Array, y: jax.Array) -> tuple[jax.Array, jax.Array]:
  """Mean cross-entropy (nats per prediction) and accuracy."""
  out = model.apply(params, x)
  ce = optax.softmax_cross_entropy_with_integer_labels(out, y).mean()
  return ce, jnp.mean(jnp.argmax(out, -1) == y)


def _orders(rng: np.random.Generator, n_train: int, epochs: int, batch_size: int) -> np.ndarray:
  steps = n_train // batch_size
  return np.stack(
    [
      rng.permutation(n_train)[: steps * batch_size].reshape(steps, batch_size)
      for _ in range(epochs)
    ]
  ).astype(np.int32)


def assemble(
  data: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
  model: Model,
  rng: np.random.Generator,
  seed: int,
  epochs: int,
  batch_size: int,
  seeds: int | None,
) -> Problem:
  """A problem from its data: batch orders and initial parameters per seed.

  Seed member 0 draws its orders from ``rng`` (the generator that split the
  data) and its parameters from ``PRNGKey(seed)``; member i >= 1 from
  ``default_rng((seed, i))`` and ``fold_in(PRNGKey(seed), i)``. So member i
  is the same whatever the number of seeds, and ``seeds=None`` (no seeds
  axis) is member 0.
  """
  n_train = len(data[0])
  if not 1 <= batch_size <= n_train:
    raise ValueError(
      f"load_problem: batch_size={batch_size} is not allowed: it must be"
      f" between 1 and the {n_train} training examples"
    )
  if epochs < 1:
    raise ValueError(f"load_problem: epochs={epochs} is not allowed: it must be >= 1")
  if seeds is not None and seeds < 1:
    raise ValueError(f"load_problem: seeds={seeds} is not allowed: it must be >= 1 (or None)")
  key = jax.random.PRNGKey(seed)
  orders = [_orders(rng, n_train, epochs, batch_size)]
  params = [model.init(key)]
  for i in range(1, seeds or 1):
    orders.append(_orders(np.random.default_rng((seed, i)), n_train, epochs, batch_size))
    params.append(model.init(jax.random.fold_in(key, i)))
  if seeds is None:
    order, init = jnp.asarray(orders[0]), params[0]
  else:
    order = jnp.asarray(np.stack(orders))
    init = jax.tree_util.tree_map(lambda *p: jnp.stack(p), *params)
  x_train, y_train, x_val, y_val = (jnp.asarray(a) for a in data)
  return Problem(x_train, y_train, x_val, y_val, order, init, model)
