"""The schedule a loss-curve law predicts to end lowest: ``optimize_schedule``.

A fitted law (``optax_sched.fit_loss_law``) predicts the final loss of any
per-update learning-rate curve, differentiably. Minimising that prediction
over a flexible family of non-increasing curves with ``jax.grad`` and optax
gives the schedule the law prefers, returned as an ordinary piecewise-linear
optax_sched schedule: it plots, lints, stores as config and trains like any
other.
"""

from __future__ import annotations

import math
import warnings
from typing import Any, Protocol

import jax
import jax.numpy as jnp
import numpy as np
import optax

from optax_sched._validate import concrete
from optax_sched.combinators import warmup
from optax_sched.families.cosine import cosine_decay_schedule
from optax_sched.families.piecewise import piecewise_interpolate_schedule
from optax_sched.families.polynomial import linear_schedule
from optax_sched.families.wsd import wsd_schedule

#: Knots of the piecewise-linear curve after the warmup (fewer when the decay
#: has fewer updates).
KNOTS = 256
#: Adam steps on the knot parameters.
ITERATIONS = 400
#: Knots a straight line through their neighbours reproduces within this
#: fraction of the peak are dropped from the returned schedule.
SIMPLIFY_TOLERANCE = 1e-4


class Law(Protocol):
  """What :func:`optimize_schedule` needs of a law (``LossLaw`` has it)."""

  def predict(self, lrs: jax.Array, steps: Any = None) -> jax.Array: ...


def optimize_schedule(
  law: Law,
  total_steps: int,
  peak_value: float,
  *,
  warmup_steps: int = 0,
  knots: int = KNOTS,
  iterations: int = ITERATIONS,
) -> Any:
  r"""The non-increasing schedule after a linear warmup whose predicted final loss is lowest.

  After the warmup (linear from 0 to the curve's first value over
  ``warmup_steps``, the same for every candidate), the rate is
  piecewise-linear through :math:`K` knots at evenly spaced updates with
  values

  .. math::
    v_j = \eta_{peak} \Big(1 - \sum_{i \le j} w_i\Big), \qquad
    w = \mathrm{softmax}(\theta) \in \mathbb{R}^{K+1},

  so :math:`\eta_{peak} \ge v_0 \ge v_1 \ge \ldots \ge v_{K-1} \ge 0` for every
  :math:`\theta`. Starting from :math:`\theta = 0` (a linear decay), Adam
  minimises ``law.predict(lrs, [total_steps])`` over :math:`\theta`, with
  ``lrs`` the rate of every update; the curve can take any non-increasing
  shape the knots resolve (constant then a late decay, as the Multi-Power Law
  authors found, included).

  Cost: ``iterations`` gradients of one prediction at one step, O(T) each
  for the built-in laws; one compiled program.

  Args:
    law: anything with ``predict(lrs, steps)`` differentiable in ``lrs``
      (``optax_sched.fit_loss_law``'s ``LossLaw``).
    total_steps: updates of the run, T >= 2.
    peak_value: the largest rate allowed, > 0.
    warmup_steps: updates of linear warmup, 0 <= W < T - 1.
    knots: knots of the curve after the warmup, >= 2.
    iterations: Adam steps, >= 1.

  Returns:
    ``piecewise_interpolate_schedule("linear", v_0, {...})`` wrapped in
    ``warmup(..., warmup_steps)`` when ``warmup_steps > 0``.

  Example (the momentum law with parameters set by hand):
    >>> import optax_sched as sched
    >>> law = sched.LossLaw("momentum", {"L0": 2.0, "A": 0.4, "alpha": 0.5, "C": 0.05, "lam": 0.99})
    >>> s = sched.optimize_schedule(law, 1000, 1e-2, warmup_steps=50)
    >>> refs = reference_schedules(1000, 1e-2, 50)
    >>> final = lambda x: float(law.predict(x, [1000], total_steps=1000)[0])
    >>> final(s) < min(final(r) for r in refs.values())
    True
    >>> float(s(50)) <= 1e-2, float(s(600)) > float(s(999))
    (True, True)

  References:
    Luo et al., "A Multi-Power Law for Loss Curve Prediction Across Learning
    Rate Schedules", ICLR 2025, arXiv:2503.12811 (section 5: optimising the
    schedule under the law). Tissue et al., "Scaling Law with Learning Rate
    Annealing", 2024, arXiv:2408.11029.
  """
  _check(law, total_steps, peak_value, warmup_steps, knots, iterations)
  decay = total_steps - warmup_steps
  positions = np.unique(np.round(np.linspace(0, decay - 1, min(knots, decay))).astype(np.int64))
  theta, loss, stuck = _solve(
    law, int(total_steps), int(warmup_steps), float(peak_value), positions, int(iterations)
  )
  if not np.isfinite(float(loss)):
    raise ValueError(
      f"optimize_schedule: law={law!r} is not allowed here: its predicted final loss is not"
      f" finite for any curve tried (peak_value={peak_value!r}, total_steps={total_steps!r})"
    )
  stuck = int(stuck)
  if stuck == iterations:
    # Every step would have been skipped: the answer would be the starting
    # linear decay, not an optimum.
    raise ValueError(
      f"optimize_schedule: law={law!r} is not allowed here: the gradient of its predicted final"
      f" loss is not finite at any curve tried (peak_value={peak_value!r}), so nothing can be"
      " optimised; check the law's parameters (law.converged)"
    )
  if stuck:
    warnings.warn(
      f"optimize_schedule: the gradient of the law's predicted final loss was not finite at"
      f" {stuck} of {iterations} steps (those steps were skipped); the curve is the best of"
      " the others",
      UserWarning,
      stacklevel=2,
    )
  values = np.asarray(_values(theta, float(peak_value)), np.float64)
  return _as_schedule(values, positions, float(peak_value), int(warmup_steps))


def reference_schedules(total_steps: int, peak_value: float, warmup_steps: int = 0) -> dict:
  """The usual curves at the same peak, warmup and length: what the optimised
  schedule is compared with.

  ``"cosine"`` (to 0), ``"linear"`` (to 0) and ``"wsd"`` (stable, then a
  linear decay to 0 over the last 20% of the run), each after the same
  linear warmup from 0.

  Example:
    >>> s = reference_schedules(1000, 1e-3, 100)
    >>> [round(float(s[k](600)), 6) for k in ("cosine", "linear", "wsd")]
    [0.000413, 0.000444, 0.001]
  """
  decay = max(1, total_steps // 5)
  after = total_steps - warmup_steps
  curves = {
    "cosine": cosine_decay_schedule(peak_value, after),
    "linear": linear_schedule(peak_value, 0.0, after),
    "wsd": wsd_schedule(
      peak_value, stable_steps=max(0, after - decay), decay_steps=decay, decay_shape="linear"
    ),
  }
  if warmup_steps:
    return {k: warmup(v, warmup_steps) for k, v in curves.items()}
  return curves


def _values(theta: jax.Array, peak: float) -> jax.Array:
  """Knot values: peak x (1 - cumulative softmax), length K (theta has K+1)."""
  return peak * (1.0 - jnp.cumsum(jax.nn.softmax(theta))[:-1])


def _lrs(theta, peak, positions, warmup_steps, total_steps):
  """The rate of every update: linear warmup to v_0, then the knots interpolated."""
  v = _values(theta, peak)
  t = jnp.arange(total_steps - warmup_steps, dtype=v.dtype)
  after = jnp.interp(t, jnp.asarray(positions, v.dtype), v)
  ramp = v[0] * jnp.arange(warmup_steps, dtype=v.dtype) / max(warmup_steps, 1)
  return jnp.concatenate([ramp, after])


def _is_pytree_of_numbers(law) -> bool:
  leaves = jax.tree_util.tree_leaves(law)
  return bool(leaves) and all(isinstance(x, (int, float, np.ndarray, jax.Array)) for x in leaves)


def _solve(law, total_steps, warmup_steps, peak, positions, iterations):
  theta = jnp.zeros(positions.size + 1, jnp.float32)
  pos, top = jnp.asarray(positions, jnp.float32), jnp.float32(peak)
  if _is_pytree_of_numbers(law):  # a LossLaw: one compiled program per law structure and shape
    return _descend(law, pos, top, theta, total_steps, warmup_steps, iterations)

  def run(p, k, th):
    return _descend_body(law, p, k, th, total_steps, warmup_steps, iterations)

  return jax.jit(run)(pos, top, theta)


def _descend_body(law, positions, peak, theta, total_steps, warmup_steps, iterations):
  """Adam on the knot parameters; returns the best theta seen."""
  opt = optax.adam(0.1)
  steps = np.array([total_steps])

  def final_loss(theta):
    lrs = _lrs(theta, peak, positions, warmup_steps, total_steps)
    return law.predict(lrs, steps)[-1]

  grad = jax.value_and_grad(final_loss)

  def step(carry, _):
    theta, state, best, best_loss = carry
    loss, g = grad(theta)
    finite = jnp.all(jnp.isfinite(g))
    g = jnp.where(finite, g, 0.0)  # a law undefined at some rate: skip the step
    better = loss < best_loss
    best = jnp.where(better, theta, best)
    best_loss = jnp.where(better, loss, best_loss)
    updates, state = opt.update(g, state)
    return (optax.apply_updates(theta, updates), state, best, best_loss), ~finite

  init = (theta, opt.init(theta), theta, jnp.asarray(jnp.inf, theta.dtype))
  (theta, _, best, best_loss), skipped = jax.lax.scan(step, init, None, length=iterations)
  theta = jnp.asarray(theta)
  last = final_loss(theta)
  better = last < best_loss
  theta, loss = jnp.where(better, theta, best), jnp.where(better, last, best_loss)
  return theta, loss, jnp.sum(skipped)


_descend = jax.jit(_descend_body, static_argnums=(4, 5, 6))


def _simplify(positions, values, tol):
  """Drops knots the line through their kept neighbours passes within ``tol`` of."""
  keep = [0]
  for j in range(1, len(values) - 1):
    a, b = keep[-1], j + 1
    between = slice(a + 1, b)
    line = np.interp(positions[between], positions[[a, b]], values[[a, b]])
    if np.max(np.abs(line - values[between])) > tol:
      keep.append(j)
  keep.append(len(values) - 1)
  return positions[keep], values[keep]


def _as_schedule(values, positions, peak, warmup_steps):
  values = np.minimum.accumulate(np.clip(values, 0.0, peak))
  values = np.where(values < 1e-9 * peak, 0.0, values)
  positions, values = _simplify(positions, values, SIMPLIFY_TOLERANCE * peak)
  prev = values[:-1]
  scales = np.where(prev > 0, values[1:] / np.where(prev > 0, prev, 1.0), 1.0)
  scales = np.minimum(scales, 1.0)
  curve = piecewise_interpolate_schedule(
    "linear",
    float(values[0]),
    {int(p): float(s) for p, s in zip(positions[1:], scales, strict=True)},
  )
  return warmup(curve, warmup_steps) if warmup_steps > 0 else curve


def _check(law, total_steps, peak_value, warmup_steps, knots, iterations):
  def integer(x):
    return isinstance(x, (int, np.integer)) and not isinstance(x, bool)

  def bad(name, value, allowed):
    raise ValueError(f"optimize_schedule: {name}={value!r} is not allowed: {allowed}")

  if not callable(getattr(law, "predict", None)):
    bad("law", law, "it must have predict(lrs, steps) (see optax_sched.fit_loss_law)")
  if not (integer(total_steps) and total_steps >= 2):
    bad("total_steps", total_steps, "it must be an int >= 2")
  known = concrete(peak_value)  # a number or a 0-d array, such as a schedule's value
  real = known is not None and known.ndim == 0 and known.dtype.kind in "fiu"
  if isinstance(peak_value, bool) or not (real and 0 < peak_value < math.inf):
    bad("peak_value", peak_value, "it must be a finite number > 0")
  if not (integer(warmup_steps) and 0 <= warmup_steps < total_steps - 1):
    bad(
      "warmup_steps", warmup_steps, f"it must be an int in [0, total_steps - 1 = {total_steps - 1})"
    )
  if not (integer(knots) and knots >= 2):
    bad("knots", knots, "it must be an int >= 2")
  if not (integer(iterations) and iterations >= 1):
    bad("iterations", iterations, "it must be an int >= 1")
