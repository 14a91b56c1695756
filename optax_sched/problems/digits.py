"""scikit-learn's bundled 8x8 digits (1797 images, no download) and a one-hidden-layer MLP."""

from __future__ import annotations

import dataclasses
import math

import jax
import jax.numpy as jnp
import numpy as np

from optax_sched.problems.base import Problem, assemble, dense, static_model

DEFAULT_LR = 3e-2


@static_model
@dataclasses.dataclass(frozen=True)
class MLP:
  """``relu(x @ w1 + b1) @ w2 + b2``, He-initialised."""

  n_in: int = 64
  hidden: int = 64
  n_out: int = 10

  def init(self, key: jax.Array) -> dict:
    k1, k2 = jax.random.split(key)
    return {
      "w1": jax.random.normal(k1, (self.n_in, self.hidden)) * math.sqrt(2.0 / self.n_in),
      "b1": jnp.zeros(self.hidden),
      "w2": jax.random.normal(k2, (self.hidden, self.n_out)) * math.sqrt(2.0 / self.hidden),
      "b2": jnp.zeros(self.n_out),
    }

  def apply(self, params: dict, x: jax.Array) -> jax.Array:
    h = jax.nn.relu(dense(x, params["w1"], params["b1"]))
    return dense(h, params["w2"], params["b2"])


def load(
  seed: int = 0,
  epochs: int = 5,
  batch_size: int = 32,
  seeds: int | None = None,
  val_fraction: float = 0.2,
) -> Problem:
  """The digits split 80/20 by ``seed`` (pixels scaled to [0, 1]), the MLP,
  and each seed's initial parameters and batch orders (see ``assemble``)."""
  from sklearn.datasets import load_digits

  x, y = load_digits(return_X_y=True)
  rng = np.random.default_rng(seed)
  perm = rng.permutation(len(x))
  n_val = int(round(val_fraction * len(x)))
  val, tr = perm[:n_val], perm[n_val:]
  x = (x / 16.0).astype(np.float32)
  y = y.astype(np.int32)
  data = (x[tr], y[tr], x[val], y[val])
  return assemble(data, MLP(), rng, seed, epochs, batch_size, seeds)
