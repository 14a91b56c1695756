"""Fitting a law's parameters to logged losses (Levenberg-Marquardt in JAX).

The fit runs in float64 inside ``jax.enable_x64(True)`` (local to the call;
the process's own setting is untouched). Parameters are fitted through their
logarithms (all are positive; the momentum law's ``lam`` through a logit),
from several data-driven starting points at once (``vmap``), on the mean
Huber loss of the log residual ``log(loss) - log(pred)`` (robust to noisy
logs, as in the Multi-Power Law authors' fit).

Speed: the data are summarised once in NumPy (no compilation) and padded to
a few sizes; which points the fit sees is a mask, so a fit on the first 70%
of a log and the fit on all of it run the same compiled program, and so do
later calls on logs of similar size. The Jacobian of the annealing sum (the
M x blocks part of the work) is taken in its own parameters only (3 of
``multi_power``'s 7, 1 of ``momentum``'s 5), and each start stops once its
curve no longer moves.
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
# optimizer's last _PATIENCE steps.
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
    lam = q[0]
    n = jnp.maximum(t[:, None] - index, 0.0)
    e = lam**n
    g = (1.0 - e) / (1.0 - lam)
    dg = ((1.0 - e) - n * e * (1.0 - lam) / lam) / (1.0 - lam) ** 2
    return jnp.sum(w * g, axis=1), jnp.sum(w * dg, axis=1)[:, None]
  c, beta, gamma = q[0], q[1], q[2]
  # G = 1 - (1 + x) ** -beta, x = C * rate ** -gamma * span; a rate of 0
  # has realised its whole drop (G = 1, no derivative).
  span = jnp.maximum(s1[:, None] - where, 0.0)
  ok = rate > 0
  log_rate = jnp.log(jnp.where(ok, rate, 1.0))
  x = c * jnp.exp(-gamma * log_rate) * span
  log1p = jnp.log1p(x)
  power = jnp.exp(-beta * log1p)
  g = jnp.where(ok, 1.0 - power, (span > 0).astype(span.dtype))
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
def _solve(name: str, starts, runs, fitted):
  """Levenberg-Marquardt on the Huber loss (reweighted least squares), per start.

  ``fitted`` is 1 on the points fitted, 0 elsewhere; returns per start the
  parameters, the objective, how far the curve moved over the last
  _PATIENCE steps, the RMS residual, and the mean relative error on the
  points that are neither fitted nor padding.
  """
  valid = jnp.concatenate([r.valid for r in runs])
  held_out = valid * (1 - fitted)
  on = fitted > 0

  def evaluate(u):
    r_all, jac = _residuals_and_jacobian(name, u, runs)
    r = jnp.where(on, r_all, 0.0)
    value = jnp.sum(fitted * optax.losses.huber_loss(r, delta=_HUBER_DELTA))
    value = value / jnp.sum(fitted) / _HUBER_DELTA**2
    value = jnp.where(jnp.all(jnp.isfinite(r)), value, jnp.inf)
    return value, r_all, r, jnp.where(on[:, None], jac, 0.0)

  def step(carry):
    # The residuals and Jacobian at u come with it from the step that accepted
    # it; the first step (all zero: du = 0) evaluates the start.
    i, u, mu, value, r_all, r, jac, ring, _ = carry
    w = jnp.minimum(1.0, _HUBER_DELTA / jnp.maximum(jnp.abs(r), 1e-300))
    jtj = jac.T @ (w[:, None] * jac)
    g = jac.T @ (w * r)
    damp = jtj + mu * (jnp.diag(jnp.diag(jtj)) + 1e-12 * jnp.eye(u.shape[0]))
    du = -jnp.linalg.solve(damp, g)
    du = jnp.where(jnp.all(jnp.isfinite(du)), du, 0.0)
    new = evaluate(u + du)
    better = (new[0] < value) | (i == 0)
    u = jnp.where(better, u + du, u)
    value, r_all, r, jac = (
      jnp.where(better, a, b) for a, b in zip(new, (value, r_all, r, jac), strict=True)
    )
    mu = jnp.where(i == 0, mu, jnp.clip(jnp.where(better, mu / 3.0, mu * 4.0), 1e-9, 1e9))
    # How far the fitted curve moved over the last _PATIENCE steps.
    slot = i % _PATIENCE
    moved = jnp.max(jnp.abs(r - ring[slot]))
    return i + 1, u, mu, value, r_all, r, jac, ring.at[slot].set(r), moved

  def running(carry):
    i, moved = carry[0], carry[-1]
    return (i <= _STEPS) & ((i <= _PATIENCE) | (moved >= _STILL))

  def one(u0):
    n = sum(r.valid.size for r in runs)
    zeros = jnp.zeros(n)
    jac = jnp.zeros((n, u0.shape[0]))
    ring = jnp.zeros((_PATIENCE, n))
    carry = (0, u0, 1e-2, jnp.inf, zeros, zeros, jac, ring, jnp.inf)
    _, u, _, value, r_all, r, _, _, moved = jax.lax.while_loop(running, step, carry)
    rms = jnp.sqrt(jnp.sum(r**2) / jnp.sum(fitted))
    error = jnp.where(held_out > 0, jnp.abs(jnp.exp(-r_all) - 1), 0.0)
    return u, value, moved, rms, jnp.sum(error) / jnp.maximum(jnp.sum(held_out), 1)

  return jax.vmap(one)(starts)


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
    out = _solve(name, jnp.asarray(u0, jnp.float64), runs, jnp.asarray(fitted, jnp.float64))
    u, value, moved, rms, error = jax.device_get(out)
  value = np.where(np.isfinite(value), value, np.inf)
  best = int(np.argmin(value))
  names = formulas.LAWS[name][1]
  params = dict(zip(names, map(float, np.exp(u[best])), strict=True))
  if "lam" in params:
    params["lam"] = float(1 / (1 + np.exp(-u[best][names.index("lam")])))
  reason = ""
  if not np.isfinite(value[best]) or not all(map(math.isfinite, params.values())):
    reason = "the objective or a parameter is not finite at every starting point"
  elif rms[best] > _MAX_RMS:
    reason = f"the law does not describe the log (residual {rms[best]:.1%} of the loss)"
  elif moved[best] > _MOVED:
    reason = (
      f"the fitted curve still moved by {moved[best]:.1e} of the loss over the last"
      f" {_PATIENCE} steps of the optimizer"
    )
  return Fit(params, not reason, reason, float(error[best]), np.asarray(u))


def fitted_mask(runs: list[Run], sizes: list[int]) -> np.ndarray:
  """1 on the first ``sizes[i]`` points of run i, 0 elsewhere (padding included)."""
  parts = []
  for r, n in zip(runs, sizes, strict=True):
    m = np.zeros(r.valid.size)
    m[:n] = 1.0
    parts.append(m)
  return np.concatenate(parts)
