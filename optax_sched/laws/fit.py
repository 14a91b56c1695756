"""Fitting a law's parameters to logged losses (Levenberg-Marquardt in JAX).

The fit runs in float64 inside ``jax.enable_x64(True)`` (local to the call;
the process's own setting is untouched). Parameters are fitted through their
logarithms (all are positive; the momentum law's ``lam`` through a logit),
from several data-driven starting points at once (``vmap``), on the mean
Huber loss of the log residual ``log(loss) - log(pred)`` (robust to noisy
logs, as in the Multi-Power Law authors' fit).

Speed: the data are summarised once in NumPy (no compilation) and padded to
a few sizes; which points the fit sees is a mask. The only compiled program
is the evaluation of the residuals and their Jacobian for every start
(derivatives by hand, in one pass); the Levenberg-Marquardt loop around it
runs in NumPy. So one program per law serves a fit on the first 70% of a log,
the fit on all of it and later calls on logs of similar size, and each start
stops once its curve no longer moves.
"""

from __future__ import annotations

import dataclasses
import functools
import math

import jax
import jax.numpy as jnp
import numpy as np
import optax

from optax_sched.laws import formulas

_HUBER_DELTA = 1e-3
_STEPS = 100
# A fit whose root-mean-square relative residual exceeds this does not
# describe the log.
_MAX_RMS = 0.05
# Converged: the fitted curve moved by less than this (relative) over the
# optimizer's last _PATIENCE steps, or it is within _MOVED / 2 of every fitted
# point (it reached the data: no curve as close can differ from it by _MOVED
# there, however fast it got there).
_MOVED = 1e-4
_PATIENCE = 10
# A start stops early once its curve moved by less than this over the last
# _PATIENCE steps (far below _MOVED: the steps left would change nothing).
_STILL = 1e-7
# Blocks of the annealing sum while fitting (max relative error of the
# prediction ~5e-5 on the logs of tests/data/loss_logs, vs 2e-6 at 2048).
_FIT_BLOCKS = 512
# Points and blocks are padded to a multiple of these (fewer distinct shapes,
# fewer compilations).
_PAD_POINTS = 64
_PAD_BLOCKS = 128
# Largest log(C * rate ** -gamma) formed as a number (see _annealing_and_jacobian).
_MAX_LOG = 600.0
# The parameters the annealing sum of each law depends on.
_ANNEALING = {"multi_power": ("C", "beta", "gamma"), "momentum": ("lam",)}


def _to_params(name: str, u: jax.Array) -> dict:
  names = formulas.LAWS[name][1]
  p = {k: jnp.exp(u[i]) for i, k in enumerate(names)}
  if "lam" in p:
    p["lam"] = jax.nn.sigmoid(u[names.index("lam")])
  return p


def _from_params(name: str, p: dict) -> np.ndarray:
  names = formulas.LAWS[name][1]
  out = []
  for k in names:
    v = float(p[k])
    out.append(math.log(v / (1.0 - v)) if k == "lam" else math.log(v))
  return np.array(out)


def _pad(a: np.ndarray, multiple: int, value: float) -> np.ndarray:
  size = -(-max(a.size, 1) // multiple) * multiple
  return np.concatenate([a, np.full(size - a.size, value, a.dtype)])


def summary(lrs: np.ndarray, steps: np.ndarray, n_blocks: int = _FIT_BLOCKS) -> tuple:
  """``formulas.summary`` in NumPy (float64, nothing to compile), flattened.

  Returns ``(total, where, rate, index, ends)`` of the blocks whose total is
  not 0 (the drops' blocks, then the rises').
  """
  num_updates = lrs.size
  uniform = np.round(np.linspace(0, num_updates, min(num_updates, n_blocks) + 1)).astype(np.int64)
  bounds = np.sort(np.concatenate([uniform, steps.astype(np.int64)]))
  marks = np.bincount(np.clip(bounds, 0, num_updates), minlength=num_updates + 1)
  segment = np.cumsum(marks)[:num_updates] - 1
  ends = np.concatenate([bounds[1:], [np.iinfo(np.int32).max]])
  prefix = np.concatenate([[0.0], np.cumsum(lrs)])
  d = np.concatenate([[0.0], lrs[:-1] - lrs[1:]])
  rows = []
  for w in (np.maximum(d, 0.0), np.minimum(d, 0.0)):
    total = np.bincount(segment, w, ends.size)
    safe = np.where(total == 0, 1.0, total)
    rows.append(
      [total]
      + [
        np.bincount(segment, w * x, ends.size) / safe
        for x in (prefix[:-1], lrs, np.arange(num_updates))
      ]
      + [ends.astype(np.float64)]
    )
  flat = [np.concatenate(parts) for parts in zip(*rows, strict=True)]
  keep = flat[0] != 0
  return tuple(a[keep] for a in flat)


@dataclasses.dataclass(frozen=True)
class Run:
  """One run, summarised and padded: the objective's data (see ``prepare``)."""

  s1: np.ndarray  # LR sum at each point
  t: np.ndarray  # the points' steps
  blocks: tuple  # summary(): total, where, rate, index, ends
  loss: np.ndarray
  valid: np.ndarray  # 1 on real points, 0 on padding


def prepare(lrs: np.ndarray, steps: np.ndarray, loss: np.ndarray) -> Run:
  """What the objective needs of one run (every law), padded to a few sizes."""
  s1 = np.concatenate([[0.0], np.cumsum(lrs)])[steps]
  total, where, rate, index, ends = summary(lrs, steps)
  blocks = (
    _pad(total, _PAD_BLOCKS, 0.0),
    _pad(where, _PAD_BLOCKS, 0.0),
    _pad(rate, _PAD_BLOCKS, 1.0),
    _pad(index, _PAD_BLOCKS, 0.0),
    _pad(ends, _PAD_BLOCKS, float(np.iinfo(np.int32).max)),
  )
  return Run(
    _pad(s1, _PAD_POINTS, 1.0),
    _pad(steps.astype(np.float64), _PAD_POINTS, 0.0),
    blocks,
    _pad(np.asarray(loss, np.float64), _PAD_POINTS, 1.0),
    _pad(np.ones(steps.size), _PAD_POINTS, 0.0),
  )


jax.tree_util.register_dataclass(
  Run, data_fields=["s1", "t", "blocks", "loss", "valid"], meta_fields=[]
)


def _annealing_sum(name: str, q: jax.Array, s1, t, blocks) -> jax.Array:
  """The annealing sum of law ``name`` (``formulas``), its parameters ``q`` in _ANNEALING order."""
  p = dict(zip(_ANNEALING[name], q, strict=True))
  if name == "multi_power":
    return formulas.loss_drop(p, s1, t, *blocks)
  return formulas.momentum_sum(p, t, *blocks)


def _annealing_and_jacobian(name: str, q: jax.Array, s1, t, blocks) -> tuple:
  """``_annealing_sum`` and its Jacobian in ``q``, in one pass (derivatives by hand)."""
  total, where, rate, index, ends = blocks
  w = jnp.where(ends <= t[:, None], total, 0.0)
  if name == "momentum":
    # G = (1 - lam ** n) / (1 - lam), n = t - k; one exp per element.
    lam = q[0]
    n = jnp.maximum(t[:, None] - index, 0.0)
    e = jnp.exp(n * jnp.log(lam))
    rest = jnp.sum(w * (1.0 - e), axis=1)
    a = 1.0 / (1.0 - lam)
    d_lam = a * a * (rest - (1.0 - lam) / lam * jnp.sum(w * n * e, axis=1))
    return a * rest, d_lam[:, None]
  c, beta, gamma = q[0], q[1], q[2]
  # G = 1 - (1 + x) ** -beta, x = C * rate ** -gamma * span = exp(a) * span.
  # exp(a) overflows even float64 for a steep law at a tiny rate (1e-7 ** -95
  # = 1e665): x is formed with a clipped to _MAX_LOG (per block) and the
  # excess added to log(1 + x), which is log(x) there (x > 1e16 while the span
  # exceeds exp(37 - _MAX_LOG) = 1e-245; no overflow below a span of 1e47).
  # So one log1p and one exp per element, as before: formulas.loss_drop's
  # log space needs a log of every span. A rate of 0 has realised its whole
  # drop (G = 1, no derivative); a span of 0 none (G = 0).
  span = jnp.maximum(s1[:, None] - where, 0.0)
  ok = rate > 0
  log_rate = jnp.log(jnp.where(ok, rate, 1.0))
  a = jnp.log(c) - gamma * log_rate
  x = jnp.exp(jnp.minimum(a, _MAX_LOG)) * span
  log1p = jnp.log1p(x) + jnp.where(x > 0, jnp.maximum(a - _MAX_LOG, 0.0), 0.0)  # log(1 + x)
  power = jnp.exp(-beta * log1p)
  g = jnp.where(ok, 1.0 - power, formulas.moved(span, s1).astype(span.dtype))
  w_ok = jnp.where(ok, w, 0.0)
  h = w_ok * beta * power * x / (1.0 + x)  # w * x * dG/dx
  jac = [
    jnp.sum(h, axis=1) / c,
    jnp.sum(w_ok * power * log1p, axis=1),
    -jnp.sum(h * log_rate, axis=1),
  ]
  return jnp.sum(w * g, axis=1), jnp.stack(jac, axis=1)


def _residuals(name: str, u, runs) -> jax.Array:
  """``log(loss) - log(pred)`` at every point (the formulas themselves; for tests)."""
  p = _to_params(name, u)
  out = []
  for r in runs:
    pred = p["L0"] + p["A"] * formulas.safe_pow(r.s1, -p["alpha"])
    if name in _ANNEALING:
      q = jnp.stack([p[k] for k in _ANNEALING[name]])
      coef = p["B"] if name == "multi_power" else p["C"]
      pred = pred - coef * _annealing_sum(name, q, r.s1, r.t, r.blocks)
    out.append(jnp.log(r.loss) - jnp.log(jnp.maximum(pred, 1e-10)))
  return jnp.concatenate(out)


def _residuals_and_jacobian(name: str, u, runs) -> tuple[jax.Array, jax.Array]:
  """``_residuals`` and their Jacobian in ``u``, in one pass."""
  names = formulas.LAWS[name][1]
  p = _to_params(name, u)
  # d(parameter)/du: exp for all, the logistic for lam.
  dp = jnp.stack([p[k] * (1.0 - p[k]) if k == "lam" else p[k] for k in names])
  res, jacs = [], []
  for r in runs:
    s1_pow = formulas.safe_pow(r.s1, -p["alpha"])
    pred = p["L0"] + p["A"] * s1_pow
    cols = {
      "L0": jnp.ones_like(pred),
      "A": s1_pow,
      "alpha": -p["A"] * s1_pow * jnp.log(jnp.maximum(r.s1, formulas._TINY)),
    }
    if name in _ANNEALING:
      q = jnp.stack([p[k] for k in _ANNEALING[name]])
      coef = "B" if name == "multi_power" else "C"
      total, jac = _annealing_and_jacobian(name, q, r.s1, r.t, r.blocks)
      pred = pred - p[coef] * total
      cols[coef] = -total
      cols.update({k: -p[coef] * jac[:, i] for i, k in enumerate(_ANNEALING[name])})
    kept = pred > 1e-10
    res.append(jnp.log(r.loss) - jnp.log(jnp.where(kept, pred, 1e-10)))
    d_pred = jnp.where(kept, -1.0 / jnp.where(kept, pred, 1.0), 0.0)
    jacs.append(jnp.stack([cols[k] for k in names], axis=1) * d_pred[:, None])
  return jnp.concatenate(res), jnp.concatenate(jacs) * dp


@functools.partial(jax.jit, static_argnums=0)
def _evaluate(name: str, u, runs, fitted):
  """Per start (row of ``u``): the objective, the residuals at every point and their Jacobian.

  The objective is the mean Huber loss of the residuals of the points where
  ``fitted`` is 1 (inf if one is not finite); the Jacobian is 0 elsewhere.
  """
  on = fitted > 0

  def one(u):
    r_all, jac = _residuals_and_jacobian(name, u, runs)
    r = jnp.where(on, r_all, 0.0)
    value = jnp.sum(fitted * optax.losses.huber_loss(r, delta=_HUBER_DELTA))
    value = value / jnp.sum(fitted) / _HUBER_DELTA**2
    value = jnp.where(jnp.all(jnp.isfinite(r)), value, jnp.inf)
    return value, r_all, jnp.where(on[:, None], jac, 0.0)

  return jax.vmap(one)(u)


def _step(u, mu, r, jac) -> np.ndarray:
  """The Levenberg-Marquardt step of each start on the Huber loss (reweighted least squares)."""
  w = np.minimum(1.0, _HUBER_DELTA / np.maximum(np.abs(r), 1e-300))
  jtj = np.einsum("smi,sm,smj->sij", jac, w, jac)
  g = np.einsum("smi,sm->si", jac, w * r)
  eye = np.eye(u.shape[1])
  damp = jtj + mu[:, None, None] * (jtj * eye + 1e-12 * eye)
  du = np.zeros_like(u)
  with np.errstate(all="ignore"):
    for k in range(u.shape[0]):
      try:
        du[k] = -np.linalg.solve(damp[k], g[k])
      except np.linalg.LinAlgError:
        pass  # singular: no step
  return np.where(np.all(np.isfinite(du), axis=1, keepdims=True), du, 0.0)


def _levenberg_marquardt(name: str, runs, fitted: np.ndarray, u0: np.ndarray) -> tuple:
  """Per start: the parameters, the objective, how far the curve moved over
  the last _PATIENCE steps, and the residuals at every point.

  The loop runs in NumPy around one compiled evaluation per step (a few
  milliseconds), so the only compilation is ``_evaluate``'s.
  """
  on = fitted > 0
  runs, fitted_j = jax.device_put(runs), jnp.asarray(fitted)

  def evaluate(u):
    return jax.device_get(_evaluate(name, jnp.asarray(u), runs, fitted_j))

  with np.errstate(all="ignore"):  # a start may meet inf or NaN: it stops improving
    return _loop(evaluate, on, u0)


def _loop(evaluate, on: np.ndarray, u0: np.ndarray) -> tuple:
  """The steps of ``_levenberg_marquardt``, ``evaluate`` its compiled evaluation."""
  u = np.array(u0, np.float64)
  value, r_all, jac = evaluate(u)
  r = np.where(on, r_all, 0.0)
  mu = np.full(u.shape[0], 1e-2)
  moved = np.full(u.shape[0], np.inf)
  running = np.ones(u.shape[0], bool)
  history = [r]
  for i in range(1, _STEPS + 1):
    du = np.where(running[:, None], _step(u, mu, r, jac), 0.0)
    new_value, new_r_all, new_jac = evaluate(u + du)
    better = running & (new_value < value)
    u = np.where(better[:, None], u + du, u)
    value = np.where(better, new_value, value)
    r_all = np.where(better[:, None], new_r_all, r_all)
    jac = np.where(better[:, None, None], new_jac, jac)
    r = np.where(on, r_all, 0.0)
    mu = np.where(running, np.clip(np.where(better, mu / 3.0, mu * 4.0), 1e-9, 1e9), mu)
    history.append(r)
    if i >= _PATIENCE:
      # How far the fitted curve moved over the last _PATIENCE steps; a start
      # stops once it no longer moves.
      moved = np.where(running, np.max(np.abs(r - history[-1 - _PATIENCE]), axis=1), moved)
      running &= moved >= _STILL
      if not running.any():
        break
  return u, value, moved, r_all


def starts(name: str, runs_np) -> np.ndarray:
  """Starting points: per-L0 guess, A and alpha from a log-log regression."""
  all_loss = np.concatenate([r[2] for r in runs_np])
  s1 = np.concatenate([np.concatenate([[0.0], np.cumsum(r[0])])[r[1]] for r in runs_np])
  lo, hi = float(all_loss.min()), float(all_loss.max())
  peak = max(float(np.max(np.concatenate([r[0] for r in runs_np]))), 1e-30)
  span = max(hi - lo, 1e-3 * lo)
  out = []
  # L0 below the lowest loss by a share of the loss's range, but not below a
  # share of the loss itself (a log whose first points are far above the
  # rest would put every guess at 0).
  for below, floor in ((0.1, 0.9), (0.5, 0.5), (2.0, 1e-3)):
    l0 = max(lo - below * span, floor * lo)
    keep = s1 > 0
    y = np.log(np.maximum(all_loss[keep] - l0, 1e-6))
    x = np.log(s1[keep])
    slope, icpt = np.polyfit(x, y, 1) if np.ptp(x) > 0 else (-0.5, np.log(span))
    alpha = float(np.clip(-slope, 0.05, 3.0))
    a = float(np.exp(icpt))
    p = {"L0": l0, "A": a, "alpha": alpha}
    if name == "momentum":
      p.update(C=0.03 * lo / peak * (1 - 0.999), lam=0.999)
    elif name == "multi_power":
      p.update(B=0.03 * lo / peak, C=(peak / 3e-4) ** -0.5, beta=0.5, gamma=0.5)
    out.append(_from_params(name, p))
  return np.stack(out)


@dataclasses.dataclass(frozen=True)
class Fit:
  """The outcome of ``solve``: the best start's parameters and diagnosis."""

  params: dict[str, float]
  converged: bool
  reason: str
  held_out_error: float  # mean relative error on the points not fitted
  ends: np.ndarray  # every start's final (transformed) parameters


def solve(name: str, runs: list[Run], fitted: np.ndarray, u0: np.ndarray) -> Fit:
  """Fits law ``name`` to the points of ``runs`` where ``fitted`` is 1, from the starts ``u0``."""
  with jax.enable_x64(True):
    u, value, moved, r_all = _levenberg_marquardt(name, runs, fitted, u0)
  value = np.where(np.isfinite(value), value, np.inf)
  best = int(np.argmin(value))
  names = formulas.LAWS[name][1]
  with np.errstate(all="ignore"):
    params = dict(zip(names, map(float, np.exp(u[best])), strict=True))
    if "lam" in params:
      params["lam"] = float(1 / (1 + np.exp(-u[best][names.index("lam")])))
  r = np.where(fitted > 0, r_all[best], 0.0)
  rms = np.sqrt(np.sum(r**2) / np.sum(fitted))
  held_out = np.concatenate([run.valid for run in runs]) * (1 - fitted)
  with np.errstate(all="ignore"):
    error = np.sum(np.where(held_out > 0, np.abs(np.exp(-r_all[best]) - 1), 0.0))
  error = error / max(np.sum(held_out), 1.0)
  reason = ""
  if not np.isfinite(value[best]) or not all(map(math.isfinite, params.values())):
    reason = "the objective or a parameter is not finite at every starting point"
  elif rms > _MAX_RMS:
    reason = f"the law does not describe the log (residual {rms:.1%} of the loss)"
  elif moved[best] > _MOVED and np.max(np.abs(r)) >= _MOVED / 2:
    reason = (
      f"the fitted curve still moved by {moved[best]:.1e} of the loss over the last"
      f" {_PATIENCE} steps of the optimizer"
    )
  return Fit(params, not reason, reason, float(error), u)


def fitted_mask(runs: list[Run], sizes: list[int]) -> np.ndarray:
  """1 on the first ``sizes[i]`` points of run i, 0 elsewhere (padding included)."""
  parts = []
  for r, n in zip(runs, sizes, strict=True):
    m = np.zeros(r.valid.size)
    m[:n] = 1.0
    parts.append(m)
  return np.concatenate(parts)
