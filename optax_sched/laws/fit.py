"""Fitting a law's parameters to logged losses (Levenberg-Marquardt in JAX).

The fit runs in float64 inside ``jax.enable_x64(True)`` (local to the call;
the process's own setting is untouched). Parameters are fitted through their
logarithms (all are positive; the momentum law's ``lam`` through a logit),
from several data-driven starting points at once (``vmap``), on the mean
Huber loss of the log residual ``log(loss) - log(pred)`` (robust to noisy
logs, as in the Multi-Power Law authors' fit).
"""

from __future__ import annotations

import functools
import math

import jax
import jax.numpy as jnp
import numpy as np
import optax

from optax_sched.laws import formulas

_HUBER_DELTA = 1e-3
_STEPS = 80
# A fit whose root-mean-square relative residual exceeds this does not
# describe the log.
_MAX_RMS = 0.05
# Objective values below this (a residual of ~1e-4 of the loss) count as an
# exact fit when judging whether the optimizer has stopped improving.
_FLOOR = 1e-2


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


def _residuals(name: str, u, runs):
  fn = formulas.LAWS[name][0]
  p = _to_params(name, u)
  out = [jnp.log(y) - jnp.log(jnp.maximum(fn(p, lrs, s), 1e-10)) for lrs, s, y in runs]
  return jnp.concatenate(out)


def _huber(r):
  return jnp.mean(optax.losses.huber_loss(r, delta=_HUBER_DELTA)) / _HUBER_DELTA**2


@functools.partial(jax.jit, static_argnums=0)
def _solve(name: str, starts, runs):
  """Levenberg-Marquardt on the Huber loss (reweighted least squares), per start."""
  res = functools.partial(_residuals, name, runs=runs)

  def objective(u):
    r = res(u)
    return jnp.where(jnp.all(jnp.isfinite(r)), _huber(r), jnp.inf)

  def step(carry, _):
    u, mu, value = carry
    r = res(u)
    jac = jax.jacfwd(res)(u)
    w = jnp.minimum(1.0, _HUBER_DELTA / jnp.maximum(jnp.abs(r), 1e-300))
    jtj = jac.T @ (w[:, None] * jac)
    g = jac.T @ (w * r)
    damp = jtj + mu * (jnp.diag(jnp.diag(jtj)) + 1e-12 * jnp.eye(u.shape[0]))
    du = -jnp.linalg.solve(damp, g)
    du = jnp.where(jnp.all(jnp.isfinite(du)), du, 0.0)
    new = objective(u + du)
    better = new < value
    u = jnp.where(better, u + du, u)
    mu = jnp.clip(jnp.where(better, mu / 3.0, mu * 4.0), 1e-9, 1e9)
    value = jnp.where(better, new, value)
    return (u, mu, value), value

  def one(u0):
    (u, _, value), trace = jax.lax.scan(step, (u0, 1e-2, objective(u0)), None, _STEPS)
    return u, value, trace

  return jax.vmap(one)(starts)


def _starts(name: str, runs_np) -> np.ndarray:
  """Starting points: per-L0 guess, A and alpha from a log-log regression."""
  all_loss = np.concatenate([r[2] for r in runs_np])
  s1 = np.concatenate([np.concatenate([[0.0], np.cumsum(r[0])])[r[1]] for r in runs_np])
  lo, hi = float(all_loss.min()), float(all_loss.max())
  peak = max(float(np.max(np.concatenate([r[0] for r in runs_np]))), 1e-30)
  span = max(hi - lo, 1e-3 * lo)
  out = []
  for l0 in (lo - 0.1 * span, lo - 0.5 * span, lo - 2.0 * span):
    l0 = max(l0, 1e-3 * lo)
    keep = s1 > 0
    y = np.log(np.maximum(all_loss[keep] - l0, 1e-6))
    x = np.log(s1[keep])
    slope, icpt = np.polyfit(x, y, 1) if np.ptp(x) > 0 else (-0.5, np.log(span))
    alpha = float(np.clip(-slope, 0.05, 3.0))
    a = float(np.exp(icpt))
    for scale in (0.01, 0.05):
      p = {"L0": l0, "A": a, "alpha": alpha}
      if name == "momentum":
        p.update(C=scale * lo / peak * (1 - 0.999), lam=0.999)
      elif name == "multi_power":
        p.update(B=scale * lo / peak, C=(peak / 3e-4) ** -0.5, beta=0.5, gamma=0.5)
      elif scale != 0.01:
        continue
      out.append(_from_params(name, p))
  return np.stack(out)


def fit(name: str, runs_np) -> tuple[dict, bool, str]:
  """Fits law ``name`` to ``runs_np = [(lrs, steps, losses), ...]`` (NumPy).

  Returns ``(params, converged, reason)``.
  """
  with jax.enable_x64(True):
    runs = tuple(
      (jnp.asarray(lrs, jnp.float64), jnp.asarray(steps, jnp.int32), jnp.asarray(loss, jnp.float64))
      for lrs, steps, loss in runs_np
    )
    starts = jnp.asarray(_starts(name, runs_np), jnp.float64)
    u, value, trace = jax.device_get(_solve(name, starts, runs))
  value = np.where(np.isfinite(value), value, np.inf)
  best = int(np.argmin(value))
  params = {k: float(v) for k, v in _to_params(name, jnp.asarray(u[best])).items()}
  reason = ""
  if not np.isfinite(value[best]) or not all(map(math.isfinite, params.values())):
    reason = "the objective or a parameter is not finite at every starting point"
  else:
    tail = trace[best][-20:]
    rel = float((tail[0] - tail[-1]) / max(abs(tail[-1]), _FLOOR))
    rms = math.sqrt(2.0 * float(value[best])) * _HUBER_DELTA
    if rel > 1e-3:
      reason = f"the optimizer was still improving the objective ({rel:.1e} over its last 20 steps)"
    elif rms > _MAX_RMS:
      reason = f"the law does not describe the log (residual {rms:.1%} of the loss)"
  return params, not reason, reason
