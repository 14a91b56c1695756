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

# Smallest rate used inside a power with a negative exponent (a rate that is
# exactly 0, as at the end of a cosine to 0, would give 0 ** -gamma = inf).
_TINY = 1e-30
# Uniform blocks of updates the Multi-Power annealing sum is grouped into
# (on top of one boundary per requested step); at most this many per run.
BLOCKS = 2048
# Largest query x block matrix evaluated at once (memory bound of predict).
_CHUNK_ELEMENTS = 1 << 22


def prefix_sums(lrs: jax.Array) -> jax.Array:
  """``P[t] = lrs[0] + ... + lrs[t-1]`` for ``t = 0..T`` (length T+1)."""
  return jnp.concatenate([jnp.zeros((1,), lrs.dtype), jnp.cumsum(lrs)])


def drops(lrs: jax.Array) -> jax.Array:
  """``d[k] = lrs[k-1] - lrs[k]`` for ``k >= 1``, ``d[0] = 0``."""
  return jnp.concatenate([jnp.zeros((1,), lrs.dtype), lrs[:-1] - lrs[1:]])


def power(p: dict, lrs: jax.Array, steps: jax.Array) -> jax.Array:
  """``L(t) = L0 + A * S1(t) ** -alpha``."""
  s1 = jnp.maximum(prefix_sums(lrs)[steps], _TINY)
  return p["L0"] + p["A"] * s1 ** -p["alpha"]


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
  segment = jnp.searchsorted(bounds, jnp.arange(num_updates), side="right") - 1
  big = jnp.iinfo(jnp.int32).max
  ends = jnp.concatenate([bounds[1:], jnp.array([big], jnp.int32)])
  return segment, ends


def multi_power(p: dict, lrs: jax.Array, steps: jax.Array, n_blocks: int = BLOCKS) -> jax.Array:
  """``L(t) = L0 + A * S1(t) ** -alpha - B * LD(t)`` (the Multi-Power Law).

  ``LD(t) = sum_{k=1}^{t-1} d_k * (1 - (1 + C * lrs[k] ** -gamma * S_k(t)) ** -beta)``
  with ``S_k(t) = lrs[k] + ... + lrs[t-1]``. The sum over k is grouped into
  at most ``n_blocks`` uniform blocks plus one boundary per step; in a block,
  the rises and the drops each act at their drop-weighted mean position and
  rate (exact when every block holds one update, i.e. ``T <= n_blocks``, or
  when a block's LR changes at most once each way). Work
  O(T + M * (M + n_blocks)), memory O(T) plus a bounded chunk.
  """
  num_updates = lrs.shape[0]
  segment, ends = blocks(num_updates, steps, n_blocks)
  n_seg = ends.shape[0]
  prefix = prefix_sums(lrs)
  d = drops(lrs)
  inv = jnp.maximum(lrs, _TINY) ** -p["gamma"]
  parts = []
  for w in (jnp.maximum(d, 0.0), jnp.minimum(d, 0.0)):
    total = jax.ops.segment_sum(w, segment, n_seg, indices_are_sorted=True)
    safe = jnp.where(total == 0, 1.0, total)
    where = jax.ops.segment_sum(w * prefix[:-1], segment, n_seg, indices_are_sorted=True) / safe
    rate = jax.ops.segment_sum(w * inv, segment, n_seg, indices_are_sorted=True) / safe
    parts.append((total, where, rate))

  def loss_drop(t):
    s = prefix[t]
    out = 0.0
    for total, where, rate in parts:
      x = p["C"] * rate * jnp.maximum(s[:, None] - where[None, :], 0.0)
      g = 1.0 - (1.0 + x) ** -p["beta"]
      out = out + jnp.sum(jnp.where(ends[None, :] <= t[:, None], total * g, 0.0), axis=1)
    return out

  m = steps.shape[0]
  chunk = max(1, min(m, _CHUNK_ELEMENTS // n_seg))
  n_chunks = -(-m // chunk)
  if n_chunks == 1:
    return power(p, lrs, steps) - p["B"] * loss_drop(steps)
  padded = jnp.concatenate([steps, jnp.broadcast_to(steps[-1:], (n_chunks * chunk - m,))])
  ld = jax.lax.map(loss_drop, padded.reshape(n_chunks, chunk)).reshape(-1)[:m]
  return power(p, lrs, steps) - p["B"] * ld


#: name -> (prediction function, parameter names in order).
LAWS = {
  "power": (power, ("L0", "A", "alpha")),
  "momentum": (momentum, ("L0", "A", "alpha", "C", "lam")),
  "multi_power": (multi_power, ("L0", "A", "alpha", "B", "C", "beta", "gamma")),
}
