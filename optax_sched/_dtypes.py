"""The default float and int dtypes (the bottom of the package: imports no other module of it)."""

from __future__ import annotations

from typing import Any, TypeAlias

import jax
import jax.numpy as jnp
import numpy as np

#: A real hyperparameter: a Python number, a NumPy or JAX scalar or array, or
#: a traced value (under ``jit``, ``vmap`` or ``grad``).
Real: TypeAlias = float | int | jax.Array | np.ndarray | np.floating | np.integer


def float_dtype() -> Any:
  """float32, or float64 when ``jax_enable_x64`` is on."""
  return jnp.result_type(float)


def int_dtype() -> Any:
  """int32, or int64 when ``jax_enable_x64`` is on."""
  return jnp.result_type(int)


def fl(x: Any) -> jax.Array:
  """``x`` as an array of the default float dtype."""
  return jnp.asarray(x, dtype=float_dtype())
