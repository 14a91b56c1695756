"""Loss-curve laws: fit a law on logged runs, predict the loss under any schedule.

A law maps the per-update learning rates of a run to its loss curve. Three
are built in (see :func:`fit_loss_law` for the formulas and references):
``"power"``, ``"momentum"`` (Tissue et al. 2024) and ``"multi_power"``
(Luo et al. 2025); ``"auto"`` picks the one that holds out best.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import math
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import jax
import jax.core
import jax.numpy as jnp
import numpy as np

from optax_sched.laws import fit as _fit, formulas

LAW_NAMES = ("auto", *formulas.LAWS)
# How much better (held-out error) an unconverged fit must be to win "auto".
_UNCONVERGED = 1.5
# Share of each run's logged points the "auto" choice fits on before it
# validates on the rest.
_HOLDOUT_PREFIX = 0.7


@dataclasses.dataclass(frozen=True)
class LossLaw:
  """A fitted loss-curve law: a JAX pytree whose leaves are its parameters.

  Attributes:
    name: ``"power"``, ``"momentum"`` or ``"multi_power"``.
    values: the parameters (leaves), by name.
    converged: whether the fit converged (see ``reason``).
    reason: why the fit is not trusted ("" when it converged), or for a law
      chosen by ``law="auto"``, how it was chosen.

  Example (the power law at a constant rate of 0.01: ``L0 + A * (0.01 * t) ** -alpha``):
    >>> import numpy as np, optax_sched as sched
    >>> law = sched.LossLaw("power", {"L0": 2.0, "A": 0.5, "alpha": 0.5})
    >>> np.round(np.asarray(law.predict(np.full(100, 0.01), [1, 25, 100])), 4).tolist()
    [7.0, 3.0, 2.5]
  """

  name: str
  values: dict[str, Any]
  converged: bool = True
  reason: str = ""

  def __post_init__(self) -> None:
    # Names only (never the leaves: under jit and vmap they are tracers).
    if self.name not in formulas.LAWS:
      raise ValueError(
        f"LossLaw: name={self.name!r} is not allowed: choose from {', '.join(formulas.LAWS)}"
      )
    if isinstance(self.values, dict):
      needed = formulas.LAWS[self.name][1]
      missing = [k for k in needed if k not in self.values]
      unknown = [k for k in self.values if k not in needed]
      if missing or unknown:
        raise ValueError(
          f"LossLaw: values for {self.name!r} need exactly the parameters {', '.join(needed)}"
          + (f"; missing {', '.join(missing)}" if missing else "")
          + (f"; unknown {', '.join(map(str, unknown))}" if unknown else "")
        )

  @property
  def params(self) -> dict[str, float]:
    """The parameters as Python floats."""
    return {k: float(v) for k, v in self.values.items()}

  def predict(
    self,
    lrs: jax.Array | np.ndarray | Callable[[jax.Array], jax.Array],
    steps: jax.Array | np.ndarray | Sequence[int] | None = None,
    *,
    total_steps: int | None = None,
  ) -> jax.Array:
    """Predicted loss after each of ``steps`` updates of a run.

    Args:
      lrs: the rate of every update of the run, from the first (1-D, length
        T), or a schedule (any callable from update index to rate), then
        evaluated at ``0..total_steps-1``.
      steps: how many updates had been applied at each prediction, 1..T,
        increasing; default every step ``1..T``.
      total_steps: the run's length T when ``lrs`` is a schedule (default: the
        last of ``steps``); with an array, its length or None.

    Returns:
      The predicted losses, one per step, in the dtype of ``lrs`` (float32
      unless float64 is enabled). Differentiable in ``lrs`` (``jax.grad``),
      and ``jax.vmap`` runs K candidate ``lrs`` arrays in one call.

    Cost: O(T) for ``power`` and ``momentum`` (O(T log T) work). For
    ``multi_power`` O(T + M * (M + 2048)) work for M steps and memory O(T)
    plus a bounded chunk: the annealing sum is grouped into 2048 blocks plus
    one boundary per step (exact for T <= 2048; see ``formulas.multi_power``).
    """
    if total_steps is not None and not (
      isinstance(total_steps, (int, np.integer))
      and not isinstance(total_steps, bool)
      and total_steps >= 1
    ):
      raise ValueError(f"total_steps: must be an int >= 1 (the run's length), got {total_steps!r}")
    if callable(lrs):
      if total_steps is None:
        if steps is None:
          raise ValueError("total_steps: needed when lrs is a schedule and steps is None")
        total_steps = int(np.max(np.asarray(steps)))
      lrs = lrs(jnp.arange(int(total_steps)))
    elif total_steps is not None and total_steps != np.shape(lrs)[0]:
      # An array already has its length: a different total_steps is a mistake.
      raise ValueError(
        f"total_steps={total_steps} is not allowed with an array of {np.shape(lrs)[0]} rates:"
        " give it only with a schedule, or equal to len(lrs)"
      )
    lrs = jnp.asarray(lrs)
    if not jnp.issubdtype(lrs.dtype, jnp.floating):
      lrs = lrs.astype(jnp.float32)
    if lrs.ndim != 1:
      raise ValueError(f"lrs: must be 1-D (one rate per update), got shape {lrs.shape}")
    if steps is None:
      steps = jnp.arange(1, lrs.shape[0] + 1)
    elif not isinstance(steps, jax.core.Tracer):
      steps = _check_steps(np.asarray(steps), lrs.shape[0])
    if not isinstance(lrs, jax.core.Tracer):
      _check_lrs(np.asarray(lrs))
    values = {k: jnp.asarray(v, lrs.dtype) for k, v in self.values.items()}
    return formulas.LAWS[self.name][0](values, lrs, jnp.asarray(steps, jnp.int32))

  def __repr__(self) -> str:
    inner = ", ".join(f"{k}={float(v):.4g}" for k, v in self.values.items())
    return f"LossLaw({self.name!r}, {inner}{'' if self.converged else ', converged=False'})"


jax.tree_util.register_dataclass(
  LossLaw, data_fields=["values"], meta_fields=["name", "converged", "reason"]
)


def _check_lrs(lrs: np.ndarray, arg: str = "lrs") -> None:
  if lrs.ndim != 1 or lrs.size == 0:
    raise ValueError(
      f"{arg}: must be a non-empty 1-D array (one rate per update), got shape {lrs.shape}"
    )
  bad = ~np.isfinite(lrs) | (lrs < 0)
  if bad.any():
    i = int(np.argmax(bad))
    raise ValueError(f"{arg}: rates must be finite and >= 0, got {lrs[i]} at update {i}")


def _check_steps(steps: np.ndarray, num_updates: int, arg: str = "steps") -> np.ndarray:
  if steps.ndim != 1 or steps.size == 0:
    raise ValueError(f"{arg}: must be a non-empty 1-D array, got shape {steps.shape}")
  if not np.all(np.isfinite(steps)) or not np.all(steps == np.round(steps)):
    raise ValueError(f"{arg}: must be whole numbers of updates, got {steps[:5]}...")
  steps = steps.astype(np.int64)
  if steps[0] < 1:
    raise ValueError(f"{arg}: must be >= 1 (updates applied), got {steps[0]}")
  if np.any(np.diff(steps) <= 0):
    i = int(np.argmax(np.diff(steps) <= 0))
    raise ValueError(
      f"{arg}: must strictly increase, got {steps[i]} then {steps[i + 1]} at positions {i}, {i + 1}"
    )
  if steps[-1] > num_updates:
    raise ValueError(
      f"lrs: has {num_updates} rates but {arg} reaches {steps[-1]}: lrs needs one rate per update"
      " up to the last step"
    )
  return steps


def _runs(lrs, losses, steps) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
  joint = isinstance(lrs, (list, tuple))
  lrs_l = list(lrs) if joint else [lrs]
  loss_l = list(losses) if joint else [losses]
  if steps is None:
    steps_l = [None] * len(lrs_l)
  else:
    steps_l = list(steps) if joint else [steps]
  if not (len(lrs_l) == len(loss_l) == len(steps_l)) or not lrs_l:
    raise ValueError(
      f"lrs, losses, steps: one entry per run each, got {len(lrs_l)}, {len(loss_l)}, {len(steps_l)}"
    )
  runs = []
  for i, (r, y, s) in enumerate(zip(lrs_l, loss_l, steps_l, strict=True)):
    tag = f"[{i}]" if joint else ""
    r = np.asarray(r, np.float64)
    _check_lrs(r, "lrs" + tag)
    y = np.asarray(y, np.float64)
    if y.ndim != 1 or y.size == 0:
      raise ValueError(f"losses{tag}: must be a non-empty 1-D array, got shape {y.shape}")
    bad = ~np.isfinite(y) | (y <= 0)
    if bad.any():
      j = int(np.argmax(bad))
      at = f"position {j}"
      if s is not None and np.shape(s) == y.shape:
        step = np.asarray(s)[j]
        at = f"step {int(step) if float(step).is_integer() else step}"
      raise ValueError(f"losses{tag}: must be finite and > 0, got {y[j]} at {at}")
    s = np.arange(1, y.size + 1) if s is None else np.asarray(s)
    if s.shape != y.shape:
      raise ValueError(f"steps{tag}: one step per loss, got {s.shape} steps for {y.shape} losses")
    s = _check_steps(s, r.size, "steps" + tag)
    # Before the first update with a rate above 0 (a warmup from 0), every
    # law's loss is infinite: those points are left out, not fitted.
    before = np.cumsum(r)[s - 1] <= 0
    if before.all():
      raise ValueError(
        f"lrs{tag}: the rates up to step {s[-1]} are all 0: a law needs a run whose rates add up"
        " to more than 0 before a logged loss"
      )
    if before.any():
      warnings.warn(
        f"fit_loss_law: left out the losses{tag} logged before any update with a rate above 0"
        f" (steps {', '.join(map(str, s[before][:3]))}{', ...' if before.sum() > 3 else ''}):"
        " every law's loss is infinite there",
        UserWarning,
        stacklevel=3,
      )
      s, y = s[~before], y[~before]
    runs.append((r[: s[-1]], s, y))
  return runs


def fit_loss_law(
  lrs: Any,
  losses: Any,
  steps: Any = None,
  *,
  law: str = "auto",
) -> LossLaw:
  r"""Fits a loss-curve law to one run's logged losses, or to several jointly.

  Conventions: ``lrs[k]`` is the rate of update ``k`` (from 0) and a loss
  logged at ``step = t`` was measured after ``t`` updates. With
  :math:`\eta_k` = ``lrs[k]``, :math:`S_1(t)=\sum_{k<t}\eta_k` and the drop
  :math:`d_k=\eta_{k-1}-\eta_k` (a warmup's rises count, negatively):

  - ``"power"``: :math:`L(t) = L_0 + A\,S_1(t)^{-\alpha}`.
  - ``"momentum"`` (Tissue et al., "Scaling Law with Learning Rate
    Annealing", 2024, arXiv:2408.11029): :math:`L(t) = L_0 + A\,S_1(t)^{-\alpha}
    - C\,S_2(t)`, :math:`S_2(t)=\sum_{i<t} m_i`, :math:`m_i=\lambda m_{i-1}+d_i`.
  - ``"multi_power"`` (Luo et al., "A Multi-Power Law for Loss Curve
    Prediction Across Learning Rate Schedules", ICLR 2025):
    :math:`L(t) = L_0 + A\,S_1(t)^{-\alpha} - B\sum_{k=1}^{t-1} d_k\,
    (1-(1+C\,\eta_k^{-\gamma}S_k(t))^{-\beta})`, :math:`S_k(t)=\sum_{i=k}^{t-1}\eta_i`.
    The warmup is inside :math:`S_1` and its rises inside the sum, as in the
    authors' code (the convention that reproduces their published errors).
  - ``"auto"`` (default): fits ``multi_power`` and ``momentum`` on the first
    70% of each run's points, keeps the one with the smaller mean relative
    error on the rest (a fit that did not converge must be 1.5x better to
    win), and continues its fit on every point; ``law.reason`` says which
    and why.

  The fit (Levenberg-Marquardt from several data-driven starts at once,
  float64 local to the call) minimises the Huber loss of
  ``log(loss) - log(pred)``. One compiled program per law (the residuals and
  their Jacobian, vmapped over the starts) serves every fit of a log of
  similar size (the held-out fits, the final one, later calls).

  Args:
    lrs: the rate of every update of the run from the first (1-D, length at
      least the last step, finite, >= 0), or a list of such arrays (a joint
      fit of several runs sharing one law).
    losses: the logged losses (finite, > 0), or a list (one per run).
    steps: for each loss, how many updates had been applied (1..T, strictly
      increasing); default ``1..len(losses)``; or a list (one per run). A
      loss logged before any update with a rate above 0 (the start of a
      warmup from 0) is left out, with a ``UserWarning``: every law's loss is
      infinite there.
    law: ``"auto"``, ``"multi_power"``, ``"momentum"`` or ``"power"``.

  Returns:
    A :class:`LossLaw`. When the fit did not converge, ``law.converged`` is
    False and a ``RuntimeWarning`` names the reason.

  Raises:
    ValueError: bad input (NaN or inf losses, negative rates, ``lrs`` shorter
      than the last step, steps that do not increase, fewer points than the
      law has parameters, an unknown law), naming the argument.

  Example:
    >>> import numpy as np, optax_sched as sched
    >>> lrs = np.asarray(sched.cosine_decay_schedule(1e-3, 2000)(np.arange(2000)))
    >>> true = sched.LossLaw("power", {"L0": 2.0, "A": 0.5, "alpha": 0.5})
    >>> steps = np.arange(20, 2001, 20)
    >>> law = sched.fit_loss_law(lrs, true.predict(lrs, steps), steps, law="power")
    >>> {k: round(v, 3) for k, v in law.params.items()}
    {'L0': 2.0, 'A': 0.5, 'alpha': 0.5}
  """
  if law not in LAW_NAMES:
    raise ValueError(f"law: must be one of {', '.join(LAW_NAMES)}, got {law!r}")
  runs = _runs(lrs, losses, steps)
  points = sum(s.size for _, s, _ in runs)
  needed = len(formulas.LAWS["multi_power" if law == "auto" else law][1])
  if points < needed:
    raise ValueError(
      f"losses: {points} logged points cannot fit the {needed} parameters of law={law!r};"
      f" give at least {needed}"
    )
  prepared = [_fit.prepare(*run) for run in runs]
  reason = ""
  if law == "auto":
    # Both laws fit the first points of each run and are scored on the rest;
    # the chosen one then continues from there on every point (the same
    # compiled programs: only the mask of fitted points changes).
    sizes = [max(1, int(round(_HOLDOUT_PREFIX * s.size))) for _, s, _ in runs]
    head = [(r, s[:n], y[:n]) for (r, s, y), n in zip(runs, sizes, strict=True)]
    mask = _fit.fitted_mask(prepared, sizes)
    # Two threads: the laws compile and run side by side (XLA releases the GIL).
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
      futures = {
        n: pool.submit(_fit.solve, n, prepared, mask, _fit.starts(n, head))
        for n in ("multi_power", "momentum")
      }
      held = {n: f.result() for n, f in futures.items()}
    scores = {n: (f.held_out_error, f.converged) for n, f in held.items()}

    # A fit still creeping at its last steps is often the better law (a
    # parameter at its bound); only a clearly better one beats a converged fit.
    def rank(n: str) -> float:
      error, converged = scores[n]
      return error * (1.0 if converged else _UNCONVERGED) if math.isfinite(error) else math.inf

    law = min(scores, key=rank)
    reason = "auto chose {} (held-out mean relative error {})".format(
      law,
      ", ".join(
        f"{n} {e:.3%}" + ("" if ok else " (fit not converged)") for n, (e, ok) in scores.items()
      ),
    )
    starts = held[law].ends
  else:
    starts = _fit.starts(law, runs)
  every = _fit.fitted_mask(prepared, [s.size for _, s, _ in runs])
  result = _fit.solve(law, prepared, every, starts)
  params, ok, why = result.params, result.converged, result.reason
  if not ok:
    warnings.warn(
      f"fit_loss_law: the {law} fit did not converge: {why}", RuntimeWarning, stacklevel=2
    )
    reason = why
  return LossLaw(law, params, ok, reason)


__all__ = ["LAW_NAMES", "LossLaw", "fit_loss_law"]
