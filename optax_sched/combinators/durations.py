"""Durations given as fractions of a run whose length is known."""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp
import numpy as np

from optax_sched import _validate as v
from optax_sched._math import exact

_ROUNDING = {"floor": "floor", "ceil": "ceil", "round": "rint"}


def fraction(fractions: Any, total_steps: Any, rounding: str = "floor") -> Any:
  """Step counts for ``fractions`` of a run of ``total_steps`` steps.

  ``fraction(0.05, 20_000)`` is the step count of a 5% warmup, to pass
  wherever a combinator or family takes steps. ``fractions`` is a number or a
  list of them (e.g. join boundaries). The product is taken in float64 like
  the peers' Python arithmetic, then rounded: ``"floor"`` (``int(pct * T)``:
  optax's one-cycle, Keras), ``"ceil"`` (Transformers' ``warmup_ratio``) or
  ``"round"``. Concrete arguments give Python ints, so the schedule's
  ``repr`` and config hold plain step counts; traced ones give a float array.

  Example:
    >>> fraction(0.05, 20_000), fraction([0.25, 0.75], 1000)
    (1000, [250, 750])
    >>> fraction(0.1, 1001, rounding="ceil")
    101
  """
  v.choice("fraction", "rounding", tuple(_ROUNDING), rounding)
  v.positive("fraction", "total_steps", total_steps)
  if isinstance(fractions, (list, tuple)):
    return [fraction(f, total_steps, rounding) for f in fractions]
  v.nonnegative("fraction", "fractions", fractions)
  fn = _ROUNDING[rounding]
  steps = exact(lambda m, f, n: getattr(m, fn)(f * n), fractions, total_steps)
  if isinstance(steps, np.ndarray) or np.isscalar(steps):
    return int(np.asarray(steps))
  return jnp.asarray(steps)
