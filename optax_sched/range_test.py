"""The learning-rate range test (``lr_find``): one short run, a growing rate.

Smith's range test as fastai runs it: train from the given parameters for
``num_steps`` updates while the rate grows exponentially from ``min_lr``
towards ``max_lr``, smooth the loss with a bias-corrected moving average, stop
when it passes ``stop_factor`` times the best smoothed loss, and read
suggestions off the curve. Here the whole run is one jitted ``lax.scan`` (and
several seeds one ``vmap`` of it); nothing of the caller's state changes.
"""

from __future__ import annotations

import bisect
import dataclasses
import math
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import optax

#: fastai's suggestions, all in ``finder.suggestions``.
METHODS = ("valley", "steepest", "minimum")
#: What ``finder.suggestion`` may return: a suggestion, or ``"auto"`` (the
#: default, chosen by scripts/lr_find_eval.py; see docs/choose.md).
CHOICES = ("auto", *METHODS)
#: What ``"auto"`` is, in words.
AUTO = "steepest, floored at valley"


def pick(suggestions: dict[str, float], method: str = "auto") -> float:
  """``suggestions[method]``; ``"auto"`` is the larger of ``"steepest"`` and
  ``"valley"``: the steepest fall, unless it lies in the flat, noisy start of
  the curve, below fastai's conservative valley."""
  if method != "auto":
    return suggestions[method]
  picks = [suggestions["steepest"], suggestions["valley"]]
  return max((x for x in picks if math.isfinite(x)), default=math.nan)


def _adamw(lr: Any) -> optax.GradientTransformation:
  return optax.adamw(lr)


@dataclasses.dataclass(frozen=True)
class LRFinder:
  """What :func:`lr_find` measured, and the rates it suggests.

  Attributes:
    lrs: the rate of each recorded update, ``(n,)``.
    losses: the raw loss of each update, ``(n,)``, or ``(seeds, n)``.
    smoothed: the bias-corrected moving average of ``losses`` (same shape).
    suggestions: ``{"valley", "steepest", "minimum"}`` -> rate (fastai's
      definitions, read off the smoothed curve, or the seeds' mean curve).
    method: which suggestion ``suggestion`` returns (see :func:`pick`).
    stopped_early: whether the smoothed loss passed ``stop_factor`` times its
      best (or stopped being finite) before ``num_steps``.

  Example:
    >>> f = LRFinder(np.geomspace(1e-4, 1.0, 5), np.ones(5), np.ones(5),
    ...              {"valley": 1e-3, "steepest": 1e-6, "minimum": 0.01})
    >>> f.suggestion  # "auto": the steepest fall, floored at valley
    0.001
  """

  lrs: np.ndarray
  losses: np.ndarray
  smoothed: np.ndarray
  suggestions: dict[str, float]
  method: str = "auto"
  stopped_early: bool = False

  @property
  def suggestion(self) -> float:
    """The suggested peak learning rate (see :func:`pick`)."""
    return pick(self.suggestions, self.method)

  def plot(self, ax: Any = None) -> Any:
    """Smoothed loss against the rate (log axis), suggestions marked.

    Returns the matplotlib ``Axes`` (a new figure's when ``ax`` is None).
    """
    if ax is None:
      import matplotlib.pyplot as plt

      _, ax = plt.subplots(figsize=(7, 4.2))
    curves = np.atleast_2d(self.smoothed)
    if curves.shape[0] > 1:
      for c in curves:
        ax.plot(self.lrs, c, color="C0", alpha=0.3, lw=0.8)
    curve = curves.mean(0)
    ax.plot(self.lrs, curve, color="C0", lw=2, label="smoothed loss")
    for i, name in enumerate(METHODS):
      lr = self.suggestions[name]
      if not math.isfinite(lr):
        continue
      mark = " (suggestion)" if lr == self.suggestion else ""
      y = np.interp(np.log(lr), np.log(self.lrs), curve)
      ax.plot([lr], [y], "o", color=f"C{i + 1}", ms=8, label=f"{name}: {lr:.2e}{mark}")
    finite = np.where(np.isfinite(curve), curve, np.nan)
    if np.isfinite(finite).any():  # the blow-up at the end would flatten the rest
      lo = float(np.nanmin(finite))
      hi = float(np.nanmax(finite[: int(np.nanargmin(finite)) + 1]))
      if hi > lo:
        ax.set_ylim(lo - 0.1 * (hi - lo), hi + 0.6 * (hi - lo))
    ax.set_xscale("log")
    ax.set_xlabel("learning rate")
    ax.set_ylabel("loss")
    ax.legend()
    return ax


def lr_find(
  loss_fn: Callable[[Any, Any], jax.Array],
  params: Any,
  batches: Any,
  *,
  optimizer: Callable[[Any], optax.GradientTransformation] | None = None,
  min_lr: float = 1e-7,
  max_lr: float = 10.0,
  num_steps: int = 100,
  smoothing: float = 0.98,
  stop_factor: float = 4.0,
  seeds: Sequence[int] | None = None,
  method: str = "auto",
) -> LRFinder:
  r"""Runs the learning-rate range test and suggests a peak rate.

  Update :math:`i = 0, 1, \ldots` uses the rate
  :math:`\eta_i = \eta_{min} (\eta_{max}/\eta_{min})^{i/n}` (fastai's
  exponential sweep, :math:`n` = ``num_steps``) on batch ``i mod len``. The
  smoothed loss is :math:`\bar L_i = m_i / (1 - \beta^{i+1})` with
  :math:`m_i = \beta m_{i-1} + (1-\beta) L_i`, :math:`m_{-1} = 0`,
  :math:`\beta` = ``smoothing``. The run stops after the first update whose
  :math:`\bar L_i` exceeds ``stop_factor`` times the lowest so far, or is
  not finite. Suggestions, on :math:`\bar L` without its first ``n // 10``
  and last 5 points (fastai's ``SuggestionMethod``):

  - ``"valley"``: the longest run of falling loss, a point 1/2 of the way in;
  - ``"steepest"``: the rate of the steepest fall of :math:`\bar L` against
    :math:`\log \eta`;
  - ``"minimum"``: the rate of the lowest :math:`\bar L`, divided by 10.

  ``finder.suggestion`` is ``"auto"`` by default: ``"steepest"``, but never
  below ``"valley"`` (the steepest fall can sit in the flat, noisy start of
  the curve). On both built-in problems over several seeds it trained best
  (``scripts/lr_find_eval.py``; figures in docs/choose.md): fastai's default
  ``"valley"`` picked rates up to 100x too low on the digits MLP, and
  ``"minimum"`` up to 10x too low there and 12-36x too high on the character
  transformer.

  Cost: one compiled program of ``num_steps`` updates (a ``lax.scan``);
  it is cached per ``loss_fn``/``optimizer`` and shapes, so a second call
  does not compile.

  Args:
    loss_fn: ``loss_fn(params, batch) -> scalar``, jittable.
    params: the initial parameters (a pytree; not modified), or a function
      ``key -> params`` (each seed then draws its own).
    batches: a pytree of arrays whose leading axis indexes batches, cycled
      when shorter than ``num_steps``.
    optimizer: ``lr -> optax.GradientTransformation``; it is called once with
      the sweep as a schedule (a callable ``step -> rate``), as optax
      optimizers accept. Default ``optax.adamw``.
    min_lr: the first rate, > 0.
    max_lr: the rate the sweep tends to, > ``min_lr``.
    num_steps: updates, >= 10.
    smoothing: :math:`\beta` in [0, 1).
    stop_factor: > 1, or ``math.inf`` never to stop early.
    seeds: None, or seeds (ints) run at once under ``vmap``: each seed
      shuffles the batch order (and draws ``params`` when it is a function);
      suggestions come from the seeds' mean smoothed curve, cut where the
      first seed stops.
    method: ``"auto"`` or one of the suggestions: what ``finder.suggestion``
      returns.

  Returns:
    An :class:`LRFinder`.

  Example:
    >>> import jax.numpy as jnp
    >>> import optax_sched as sched
    >>> xs = jnp.linspace(-1, 1, 64).reshape(8, 8)  # 8 batches of 8 points
    >>> batches = (xs, 3 * xs - 1)
    >>> def loss_fn(w, batch):
    ...   x, y = batch
    ...   return jnp.mean((w[0] * x + w[1] - y) ** 2)
    >>> finder = sched.lr_find(loss_fn, jnp.zeros(2), batches, num_steps=60)
    >>> finder.lrs.shape, finder.method
    ((60,), 'auto')
    >>> sorted(finder.suggestions)
    ['minimum', 'steepest', 'valley']
    >>> 1e-3 < finder.suggestion < 1.0
    True

  References:
    Smith, "Cyclical Learning Rates for Training Neural Networks", WACV 2017,
    arXiv:1506.01186. fastai's ``Learner.lr_find`` and ``SuggestionMethod``
    (Howard & Gugger 2020).
  """
  _check(min_lr, max_lr, num_steps, smoothing, stop_factor, method)
  leaves = jax.tree_util.tree_leaves(batches)
  if not leaves or any(np.ndim(x) < 1 for x in leaves):
    raise ValueError(
      f"lr_find: batches={_short(batches)} is not allowed: it must be a pytree of arrays"
      " whose leading axis indexes batches"
    )
  n_batches = {np.shape(x)[0] for x in leaves}
  if len(n_batches) != 1 or 0 in n_batches:
    raise ValueError(
      f"lr_find: batches with leading axes {sorted(n_batches)} are not allowed: every array"
      " must have the same number (>= 1) of batches on its leading axis"
    )
  n_b = n_batches.pop()
  optimizer = _adamw if optimizer is None else optimizer
  lrs = min_lr * (max_lr / min_lr) ** (np.arange(num_steps) / num_steps)
  if seeds is None:
    orders = (np.arange(num_steps, dtype=np.int32) % n_b)[None]
    keys = None
    if callable(params):
      keys = np.zeros(1, np.int32)
  else:
    keys = np.asarray(_check_seeds(seeds), np.int64)
    orders = np.stack([_shuffled_order(int(s), n_b, num_steps) for s in keys])
  losses = _run(loss_fn, optimizer, params, batches, orders, keys, lrs.astype(np.float32))
  losses = np.asarray(losses, np.float64)
  if seeds is None:
    losses = losses[0]
  smoothed = _smooth(losses, smoothing)
  stop = min(_stop_index(c, stop_factor) for c in np.atleast_2d(smoothed))
  kept = slice(0, stop + 1)
  smoothed = smoothed[..., kept]
  curve = np.atleast_2d(smoothed).mean(0)
  return LRFinder(
    lrs=lrs[kept],
    losses=losses[..., kept],
    smoothed=smoothed,
    suggestions=suggest(lrs[kept], curve, num_steps),
    method=method,
    stopped_early=stop + 1 < num_steps,
  )


def suggest(lrs: np.ndarray, smoothed: np.ndarray, num_steps: int) -> dict[str, float]:
  """fastai's three suggestions from a recorded (smoothed) range test.

  The first ``num_steps // 10`` and last 5 points are left out, and the
  curve is cut at its first non-finite value.

  Example:
    >>> lrs = np.geomspace(1e-4, 1.0, 40)
    >>> loss = (np.log10(lrs) + 1.5) ** 2  # lowest at 10**-1.5
    >>> {k: round(float(np.log10(v)), 2) for k, v in suggest(lrs, loss, 40).items()}
    {'valley': -2.67, 'steepest': -3.59, 'minimum': -2.54}
  """
  lrs = np.asarray(lrs, np.float64)
  loss = np.asarray(smoothed, np.float64)
  lo = num_steps // 10
  if lrs.size - 5 - lo >= 2:
    lrs, loss = lrs[lo:-5], loss[lo:-5]
  bad = np.flatnonzero(~np.isfinite(loss))
  if bad.size:
    lrs, loss = lrs[: bad[0]], loss[: bad[0]]
  if lrs.size < 2:
    return dict.fromkeys(METHODS, math.nan)
  slope = np.diff(loss) / np.diff(np.log(lrs))
  return {
    "valley": float(lrs[_valley(loss)]),
    "steepest": float(lrs[int(np.argmin(slope))]),
    "minimum": float(lrs[int(np.argmin(loss))] / 10),
  }


def _valley(loss: np.ndarray) -> int:
  """fastai's longest valley: the longest strictly falling subsequence ending
  at each point (patience sorting, O(n log n)); the point (1/3 + 1/6) of the
  way along the longest (the first to reach that length)."""
  tails: list[float] = []  # tails[k]: the highest last value of a falling run of length k + 1
  best_len, max_end = 0, 0
  for i, x in enumerate((-loss).tolist()):
    k = bisect.bisect_left(tails, x)
    if k == len(tails):
      tails.append(x)
    else:
      tails[k] = x
    if k + 1 > best_len:
      best_len, max_end = k + 1, i
  max_start = max_end - best_len
  sections = (max_end - max_start) / 3
  return max(0, int(max_start + int(sections) + int(sections / 2)))


def _smooth(losses: np.ndarray, beta: float) -> np.ndarray:
  """The bias-corrected moving average along the last axis (in Python floats:
  a loop of numpy scalars costs 10x more for a 100-step curve)."""
  rows = []
  for row in np.reshape(losses, (-1, losses.shape[-1])).tolist():
    m, out = 0.0, []
    for i, x in enumerate(row):
      m = beta * m + (1 - beta) * x
      out.append(m / (1 - beta ** (i + 1)))
    rows.append(out)
  return np.reshape(np.array(rows, np.float64), losses.shape)


def _stop_index(curve: np.ndarray, stop_factor: float) -> int:
  """The first index whose value is not finite or > stop_factor x the best so far."""
  best = np.minimum.accumulate(np.where(np.isfinite(curve), curve, np.inf))
  stop = ~np.isfinite(curve) | (curve > stop_factor * best)
  hits = np.flatnonzero(stop)
  return int(hits[0]) if hits.size else curve.size - 1


def _shuffled_order(seed: int, n_batches: int, num_steps: int) -> np.ndarray:
  rng = np.random.default_rng(seed)
  cycles = -(-num_steps // n_batches)
  return np.concatenate([rng.permutation(n_batches) for _ in range(cycles)])[:num_steps]


def _scan(loss_fn, optimizer, params, batches, order, lrs):
  n = lrs.shape[0]
  opt = optimizer(lambda count: lrs[jnp.minimum(count, n - 1)])

  def step(carry, idx):
    p, state = carry
    batch = jax.tree_util.tree_map(lambda b: b[idx], batches)
    loss, grads = jax.value_and_grad(loss_fn)(p, batch)
    updates, state = opt.update(grads, state, p)
    return (optax.apply_updates(p, updates), state), loss

  _, losses = jax.lax.scan(step, (params, opt.init(params)), order)
  return losses


@partial(jax.jit, static_argnums=(0, 1))
def _run_one(loss_fn, optimizer, params, batches, order, lrs):
  return _scan(loss_fn, optimizer, params, batches, order, lrs)


@partial(jax.jit, static_argnums=(0, 1, 2))
def _run_seeds(loss_fn, optimizer, params_fn, params, batches, orders, seeds, lrs):
  def one(order, seed):
    p = params_fn(jax.random.PRNGKey(seed)) if params_fn is not None else params
    return _scan(loss_fn, optimizer, p, batches, order, lrs)

  return jax.vmap(one)(orders, seeds)


def _run(loss_fn, optimizer, params, batches, orders, seeds, lrs):
  """The losses of every seed's run, ``(seeds, num_steps)``: one compiled program.

  One run without seeds is not vmapped: a batch axis of 1 makes every matmul
  of the step a batched one, about 10% slower on CPU.
  """
  if seeds is None:
    return np.asarray(_run_one(loss_fn, optimizer, params, batches, orders[0], lrs))[None]
  if callable(params):
    return _run_seeds(loss_fn, optimizer, params, None, batches, orders, seeds, lrs)
  return _run_seeds(loss_fn, optimizer, None, params, batches, orders, seeds, lrs)


def _check(min_lr, max_lr, num_steps, smoothing, stop_factor, method):
  def bad(name, value, allowed):
    raise ValueError(f"lr_find: {name}={value!r} is not allowed: {allowed}")

  def real(x):
    return isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, bool)

  if not (real(min_lr) and 0 < min_lr < math.inf):
    bad("min_lr", min_lr, "it must be a finite number > 0")
  if not (real(max_lr) and min_lr < max_lr < math.inf):
    bad("max_lr", max_lr, f"it must be a finite number > min_lr={min_lr!r}")
  if not (isinstance(num_steps, (int, np.integer)) and not isinstance(num_steps, bool)):
    bad("num_steps", num_steps, "it must be an int >= 10")
  if num_steps < 10:
    bad("num_steps", num_steps, "it must be an int >= 10")
  if not (real(smoothing) and 0 <= smoothing < 1):
    bad("smoothing", smoothing, "it must be in [0, 1)")
  if not (real(stop_factor) and stop_factor > 1):
    bad("stop_factor", stop_factor, "it must be > 1 (math.inf never stops early)")
  if method not in CHOICES:
    bad("method", method, "choose from " + ", ".join(CHOICES))


def _check_seeds(seeds) -> list[int]:
  try:
    out = [int(s) for s in seeds]
    ok = len(out) > 0 and all(
      isinstance(s, (int, np.integer)) and not isinstance(s, bool) for s in seeds
    )
  except TypeError:
    ok = False
  if not ok:
    raise ValueError(
      f"lr_find: seeds={seeds!r} is not allowed: give None or a non-empty sequence of ints"
    )
  return out


def _short(x) -> str:
  text = repr(x)
  return text if len(text) < 60 else text[:57] + "..."
