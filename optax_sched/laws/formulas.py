"""The loss-curve laws as pure JAX functions of (parameters, per-update LRs, steps).

Conventions (shared by every law): ``lrs[k]`` is the rate of update ``k``
(``k = 0..T-1``) and a loss logged at ``step = t`` was measured after updates
``0..t-1``. ``S1(t) = lrs[0] + ... + lrs[t-1]`` and the LR drop of update
``k >= 1`` is ``d_k = lrs[k-1] - lrs[k]`` (a warmup's rises count as negative
drops, as in the Multi-Power Law authors' code).

Every function here is differentiable in ``lrs`` and in the parameters and
vmaps over either; none needs O(T^2) memory.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

# Smallest LR sum used inside a power with a negative exponent.
_TINY = 1e-30
# Uniform blocks of updates the Multi-Power annealing sum is grouped into
# (on top of one boundary per requested step); at most this many per run.
BLOCKS = 2048
# Largest query x block matrix evaluated at once (memory bound of predict).
_CHUNK_ELEMENTS = 1 << 22
# A span below this many ulps of the LR sum is 0 (rounding) behind a rate of 0.
_SPAN_ULPS = 16


def prefix_sums(lrs: jax.Array) -> jax.Array:
  """``P[t] = lrs[0] + ... + lrs[t-1]`` for ``t = 0..T`` (length T+1)."""
  return jnp.concatenate([jnp.zeros((1,), lrs.dtype), jnp.cumsum(lrs)])


def drops(lrs: jax.Array) -> jax.Array:
  """``d[k] = lrs[k-1] - lrs[k]`` for ``k >= 1``, ``d[0] = 0``."""
  return jnp.concatenate([jnp.zeros((1,), lrs.dtype), lrs[:-1] - lrs[1:]])


def safe_pow(x: jax.Array, exponent: jax.Array) -> jax.Array:
  """``max(x, tiny) ** exponent`` whose gradient is finite (0) where ``x <= tiny``."""
  ok = x > _TINY
  return jnp.where(ok, jnp.where(ok, x, 1.0) ** exponent, _TINY**exponent)


def power(p: dict, lrs: jax.Array, steps: jax.Array) -> jax.Array:
  """``L(t) = L0 + A * S1(t) ** -alpha``."""
  return p["L0"] + p["A"] * safe_pow(prefix_sums(lrs)[steps], -p["alpha"])


def momentum(p: dict, lrs: jax.Array, steps: jax.Array) -> jax.Array:
  """``L(t) = L0 + A * S1(t) ** -alpha - C * S2(t)``, ``S2`` the momentum sum.

  ``m_k = lam * m_{k-1} + d_k`` and ``S2(t) = m_0 + ... + m_{t-1}``: an
  associative scan, O(T) memory and O(T log T) work.
  """

  def combine(a, b):
    return a[0] * b[0], b[0] * a[1] + b[1]

  lam = jnp.broadcast_to(p["lam"], lrs.shape).astype(lrs.dtype)
  _, m = jax.lax.associative_scan(combine, (lam, drops(lrs)))
  s2 = prefix_sums(m)[steps]
  return power(p, lrs, steps) - p["C"] * s2


def blocks(num_updates: int, steps: jax.Array, n_blocks: int = BLOCKS):
  """Groups updates ``0..T-1`` into blocks whose boundaries include every step.

  Returns ``(segment, ends)``: the block of each update and the end (exclusive)
  of every block; a query at step t sums the blocks with ``end <= t``. With
  ``T <= n_blocks`` every update is its own block (exact sums).
  """
  n_uniform = min(num_updates, n_blocks)
  uniform = jnp.round(jnp.linspace(0, num_updates, n_uniform + 1)).astype(jnp.int32)
  bounds = jnp.sort(jnp.concatenate([uniform, steps.astype(jnp.int32)]))
  # The block of update k: how many boundaries are <= k, less one (a count
  # per position and a cumulative sum: O(T), no search).
  marks = jnp.zeros(num_updates + 1, jnp.int32).at[jnp.clip(bounds, 0, num_updates)].add(1)
  segment = jnp.cumsum(marks)[:num_updates] - 1
  big = jnp.iinfo(jnp.int32).max
  ends = jnp.concatenate([bounds[1:], jnp.array([big], jnp.int32)])
  return segment, ends


def summary(lrs: jax.Array, steps: jax.Array, n_blocks: int = BLOCKS):
  """The LR changes of a run grouped into blocks (independent of the parameters).

  Returns ``(total, where, rate, index, ends)``, each of shape (2, n): per
  block, the sum of the drops (row 0) and of the rises (row 1, negative), the
  drop-weighted mean of ``P_k`` (the LR sum before update k), of the rate
  and of k, and the block's end.
  """
  num_updates = lrs.shape[0]
  segment, ends = blocks(num_updates, steps, n_blocks)
  n_seg = ends.shape[0]
  prefix = prefix_sums(lrs)
  d = drops(lrs)
  rows = []
  for w in (jnp.maximum(d, 0.0), jnp.minimum(d, 0.0)):
    total = jax.ops.segment_sum(w, segment, n_seg, indices_are_sorted=True)
    safe = jnp.where(total == 0, 1.0, total)
    where = jax.ops.segment_sum(w * prefix[:-1], segment, n_seg, indices_are_sorted=True) / safe
    rate = jax.ops.segment_sum(w * lrs, segment, n_seg, indices_are_sorted=True) / safe
    k = jnp.arange(num_updates, dtype=lrs.dtype)
    index = jax.ops.segment_sum(w * k, segment, n_seg, indices_are_sorted=True) / safe
    rows.append((total, where, rate, index))
  total, where, rate, index = (jnp.stack(r) for r in zip(*rows, strict=True))
  return total, where, rate, index, jnp.broadcast_to(ends, total.shape)


def moved(span: jax.Array, s1: jax.Array) -> jax.Array:
  """Whether a rate above 0 followed a block (``span`` past the rounding of ``s1``).

  Behind a rate of 0 the whole drop is realised once a rate above 0 follows
  (G = 1) and none of it while only rates of 0 do (a span of 0, G = 0). That
  span is 0 only up to rounding (``jnp.cumsum`` need not add a 0 exactly, and
  ``where`` is a mean), which flipped G: a span within ``_SPAN_ULPS`` ulps of
  the LR sum counts as 0.
  """
  return span > _SPAN_ULPS * jnp.finfo(span.dtype).eps * s1[:, None]


def loss_drop(p: dict, s1: jax.Array, t: jax.Array, total, where, rate, index, ends) -> jax.Array:
  """``LD`` at steps ``t`` (with LR sums ``s1``) from a block summary (flattened)."""
  # A rate of 0 (a cosine to 0) has realised its whole drop: G = 1.
  span = jnp.maximum(s1[:, None] - where, 0.0)
  ok = (rate > 0) & (span > 0)
  # G = 1 - (1 + x) ** -beta with x = C * rate ** -gamma * span, in logs:
  # log(1 + x) = logaddexp(0, log x). Formed directly, x overflows float32
  # (and its gradient is NaN) for a large gamma at a small rate.
  log_x = (
    jnp.log(p["C"])
    - p["gamma"] * jnp.log(jnp.where(ok, rate, 1.0))
    + jnp.log(jnp.where(ok, span, 1.0))
  )
  g_ok = -jnp.expm1(-p["beta"] * jnp.logaddexp(0.0, log_x))
  g = jnp.where(ok, g_ok, ((rate <= 0) & moved(span, s1)).astype(span.dtype))
  return jnp.sum(jnp.where(ends <= t[:, None], total * g, 0.0), axis=1)


def momentum_sum(p: dict, t: jax.Array, total, where, rate, index, ends) -> jax.Array:
  """``S2(t) = sum_{k<t} d_k (1 - lam ** (t - k)) / (1 - lam)`` from a block summary."""
  lam = p["lam"]
  g = (1.0 - lam ** jnp.maximum(t[:, None] - index, 0.0)) / (1.0 - lam)
  return jnp.sum(jnp.where(ends <= t[:, None], total * g, 0.0), axis=1)


def multi_power(p: dict, lrs: jax.Array, steps: jax.Array, n_blocks: int = BLOCKS) -> jax.Array:
  """``L(t) = L0 + A * S1(t) ** -alpha - B * LD(t)`` (the Multi-Power Law).

  ``LD(t) = sum_{k=1}^{t-1} d_k * (1 - (1 + C * lrs[k] ** -gamma * S_k(t)) ** -beta)``
  with ``S_k(t) = lrs[k] + ... + lrs[t-1]``. The sum over k is grouped into
  at most ``n_blocks`` uniform blocks plus one boundary per step; in a block,
  the drops and the rises each act at their drop-weighted mean position and
  rate (exact when every block holds one update, i.e. ``T <= n_blocks``, or
  when a block's LR changes at most once each way). Work
  O(T + M * (M + n_blocks)) for M steps; memory O(T) plus a bounded chunk.
  """
  flat = [a.reshape(-1) for a in summary(lrs, steps, n_blocks)]
  prefix = prefix_sums(lrs)

  def chunk_drop(t):
    return loss_drop(p, prefix[t], t, *flat)

  m = steps.shape[0]
  chunk = max(1, min(m, _CHUNK_ELEMENTS // flat[0].shape[0]))
  n_chunks = -(-m // chunk)
  if n_chunks == 1:
    ld = chunk_drop(steps)
  else:
    padded = jnp.concatenate([steps, jnp.broadcast_to(steps[-1:], (n_chunks * chunk - m,))])
    ld = jax.lax.map(chunk_drop, padded.reshape(n_chunks, chunk)).reshape(-1)[:m]
  return power(p, lrs, steps) - p["B"] * ld


#: name -> (prediction function, parameter names in order).
LAWS = {
  "power": (power, ("L0", "A", "alpha")),
  "momentum": (momentum, ("L0", "A", "alpha", "C", "lam")),
  "multi_power": (multi_power, ("L0", "A", "alpha", "B", "C", "beta", "gamma")),
}
