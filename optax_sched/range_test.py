"""The learning-rate range test (``lr_find``): one short run, a growing rate.

Smith's range test as fastai runs it: train from the given parameters for
``num_steps`` updates while the rate grows exponentially from ``min_lr``
towards ``max_lr``, smooth the loss with a bias-corrected moving average, stop
when it passes ``stop_factor`` times the best smoothed loss, and read
suggestions off the curve. Here the whole run is one jitted loop that ends at
the stop, as fastai's does (and several seeds one ``vmap`` of its update);
nothing of the caller's state changes.
"""

from __future__ import annotations

import bisect
import dataclasses
import inspect
import math
import warnings
from collections.abc import Callable, Sequence
from functools import lru_cache, partial
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


#: ``optax.adamw``'s defaults (read from its signature, so they follow optax):
#: the default optimizer, which :func:`lr_find` runs as a fused update.
ADAMW = {
  k: inspect.signature(optax.adamw).parameters[k].default
  for k in ("b1", "b2", "eps", "weight_decay")
}


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
  :math:`\bar L_i` exceeds ``stop_factor`` times the lowest so far
  :math:`\bar L^*` (in general: :math:`\bar L_i - \bar L^* > (f - 1)|\bar L^*|`,
  :math:`f` = ``stop_factor``, which also serves losses below zero), or is
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

  Cost: at most ``num_steps`` updates in one compiled loop (a
  ``lax.while_loop``, with the moving average and the stop check in float32
  alongside, so that it ends at the stop: at most one update runs past it,
  unless the smoothed loss comes within 1e-4 of the threshold and turns back);
  the program is cached per ``loss_fn``/``optimizer``, shapes and settings
  (``smoothing``, ``stop_factor``), so a second call does not compile.

  Args:
    loss_fn: ``loss_fn(params, batch) -> scalar``, jittable.
    params: the initial parameters (a pytree; not modified), or a function
      ``key -> params`` (each seed then draws its own).
    batches: a pytree of arrays whose leading axis indexes batches, cycled
      when shorter than ``num_steps``.
    optimizer: ``lr -> optax.GradientTransformation``; it is called once with
      the sweep as a schedule (a callable ``step -> rate``), as optax
      optimizers accept. Default: AdamW with ``optax.adamw``'s defaults
      (:data:`ADAMW`), run as one fused update per leaf (float32 parameters;
      others go through ``optax.adamw`` itself): the same numbers as
      ``optax.adamw`` to float32 rounding, in less time.
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
    An :class:`LRFinder`. A ``UserWarning`` says when the test stopped too
    early to leave out the first and last points before the suggestions.

  Raises:
    ValueError: bad settings; a ``loss_fn`` that fails on a batch or does not
      return a floating-point scalar; non-float leaves in ``params``; a loss
      that is not finite at the first update, or never after it.

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
  if not callable(loss_fn):
    raise ValueError(f"lr_find: loss_fn={_short(loss_fn)} is not allowed: it must be a function")
  if optimizer is not None and (
    not callable(optimizer) or isinstance(optimizer, optax.GradientTransformation)
  ):
    raise ValueError(
      f"lr_find: optimizer={_short(optimizer)} is not allowed: give a function of the rate,"
      " such as optax.adamw (not optax.adamw(1e-3)), or None"
    )
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
  lrs, rates, order = _sweep(min_lr, max_lr, num_steps, n_b)
  check = (float(smoothing), float(stop_factor) - 1)  # the loop's own stop check (_loop)
  keys = None
  try:
    if seeds is None and not callable(params):
      out, count = _run_one(loss_fn, optimizer, params, batches, order, rates, *check)
    else:
      if seeds is None:  # params drawn from a key: the one run is seed 0's
        keys, orders = np.zeros(1, np.int32), order[None]
      else:
        keys = np.asarray(_check_seeds(seeds), np.int64)
        orders = np.stack([_shuffled_order(int(s), n_b, num_steps) for s in keys])
      out, count = _run_seeds(loss_fn, optimizer, params, batches, orders, keys, rates, *check)
  except Exception as e:
    _explain(e, loss_fn, params, batches, keys)  # raises a ValueError when it can say why
    raise
  count = min(int(np.asarray(count)), num_steps)  # the updates that ran
  rows = np.atleast_2d(np.asarray(out))[:, :count].tolist()
  for k, row in enumerate(rows):
    if not math.isfinite(row[0]):
      raise ValueError(
        f"lr_find: loss_fn(params, batch) is {row[0]} at the first update{_of_seed(seeds, k)},"
        f" before any change to params: it must be a finite scalar; check loss_fn and params"
      )
  smoothed_rows, stops = zip(*(_smooth(row, smoothing, stop_factor) for row in rows), strict=True)
  stop = min(stops)
  kept = slice(0, stop + 1)
  losses, smoothed = np.array(rows)[:, kept], np.array(smoothed_rows)[:, kept]
  curve = smoothed[0] if seeds is None else smoothed.mean(0)
  if seeds is None:
    losses, smoothed = losses[0], smoothed[0]
  suggestions = suggest(lrs[kept], curve, num_steps)
  if not math.isfinite(pick(suggestions)):
    raise ValueError(
      f"lr_find: the loss is not finite after the first update (rate {min_lr:.3g}), so no rate"
      " can be suggested: check loss_fn's gradient at params"
    )
  if stop + 1 - 5 - num_steps // 10 < 2:
    warnings.warn(
      f"lr_find: the range test stopped after {stop + 1} of {num_steps} updates (rate"
      f" {lrs[stop]:.3g}): too few to skip the first {num_steps // 10} and last 5 points, so the"
      " suggestions come from every point; lower min_lr or raise stop_factor (a loss that"
      " jumps between batches also stops the test early)",
      UserWarning,
      stacklevel=2,
    )
  return LRFinder(
    lrs=lrs[kept].copy(),
    losses=losses,
    smoothed=smoothed,
    suggestions=suggestions,
    method=method,
    stopped_early=stop + 1 < num_steps,
  )


def _of_seed(seeds, k: int) -> str:
  return "" if seeds is None else f" of seed {list(seeds)[k]}"


def _explain(error: Exception, loss_fn, params, batches, keys) -> None:
  """Raises a ValueError that says what is wrong with ``lr_find``'s input,
  when the run failed (``error``) because of it: checked only then, since
  tracing ``loss_fn`` again costs as much as a short run."""
  try:
    if callable(params):
      key = jax.random.PRNGKey(0 if keys is None else int(keys[0]))
      params = jax.eval_shape(params, key)
    batch = jax.tree_util.tree_map(lambda b: b[0], batches)
    loss = jax.eval_shape(loss_fn, params, batch)
  except Exception as e:
    hint = ""
    if isinstance(batches, list):
      hint = (
        "; batches is one pytree of arrays stacked on their leading axis, not a list of"
        " batches: jax.tree.map(lambda *b: jnp.stack(b), *batches) stacks a list"
      )
    raise ValueError(
      f"lr_find: loss_fn(params, batch) fails on the first batch (batches with the leading"
      f" axis taken off): {type(e).__name__}: {_short(str(e), 300)}{hint}"
    ) from e
  for path, leaf in jax.tree_util.tree_leaves_with_path(params):
    dtype = getattr(leaf, "dtype", None)
    dtype = np.asarray(leaf).dtype if dtype is None else dtype
    if not jnp.issubdtype(dtype, jnp.floating):
      raise ValueError(
        f"lr_find: params{jax.tree_util.keystr(path)} has dtype {dtype}, which is not"
        " allowed: every leaf of params is trained, so every leaf must be floating-point"
        " (close over integer constants in loss_fn instead)"
      ) from error
  shape, dtype = getattr(loss, "shape", None), getattr(loss, "dtype", None)
  if shape != () or dtype is None or not jnp.issubdtype(dtype, jnp.floating):
    got = _short(loss) if dtype is None else f"an array of shape {shape} and dtype {dtype}"
    raise ValueError(
      f"lr_find: loss_fn(params, batch) returns {got}, which is not allowed: it must return a"
      " floating-point scalar (shape ()), such as a mean over the batch"
    ) from error


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


def _smooth(losses: list[float], beta: float, stop_factor: float) -> tuple[list[float], int]:
  """The bias-corrected moving average of one run's losses, and the index of
  its first value that is not finite or above ``stop_factor`` times the best
  so far (the best plus ``stop_factor - 1`` times its size when the best is
  negative; never with an infinite ``stop_factor``), or the last index. In
  Python floats: for a curve of a few hundred points NumPy costs more."""
  m, power, best, stop, out = 0.0, 1.0, math.inf, -1, []
  rise = stop_factor - 1  # fastai's value > stop_factor * best, for best > 0
  for i, x in enumerate(losses):
    m = beta * m + (1 - beta) * x
    power *= beta
    value = m / (1 - power)
    out.append(value)
    if stop < 0:
      if value < best:  # never NaN
        best = value
      # rise * abs(best) is NaN (never exceeded) when rise is inf and best 0
      if not math.isfinite(value) or value - best > rise * abs(best):
        stop = i
  return out, stop if stop >= 0 else len(out) - 1


def _shuffled_order(seed: int, n_batches: int, num_steps: int) -> np.ndarray:
  rng = np.random.default_rng(seed)
  cycles = -(-num_steps // n_batches)
  return np.concatenate([rng.permutation(n_batches) for _ in range(cycles)])[:num_steps]


#: Updates per iteration of the loop: 2 takes about 2% off the digits MLP's
#: step (half the loop's own work); more only compiles longer.
_UNROLL = 2
#: The loop's stop check runs in float32 on the device, with this much slack
#: (times the best smoothed loss) on the rise it allows, so that it ends at or
#: after the float64 check that decides what is kept: float32 moving averages
#: are good to about 1e-6 of the loss.
_SLACK = 1e-4


def _stepper(loss_fn, optimizer, params, batches, lrs):
  """``(init, step)`` of the run: ``init(params) -> state`` and
  ``step(state, idx, i) -> (state, loss)``, update ``i`` on batch ``idx``.

  ``optimizer`` None is AdamW with :data:`ADAMW` as one fused update per leaf,
  its rate and bias corrections computed ahead (2-6% off the digits MLP's
  updates against ``optax.adamw``, scripts/bench_lr_find_step.py; the same
  numbers to float32 rounding, tested), for float32 ``params`` (a pytree of
  arrays or of shapes); ``optax.adamw`` itself for any other dtype."""
  n = lrs.shape[0]
  grad = jax.value_and_grad(loss_fn)

  tree_map = jax.tree_util.tree_map

  def batch(idx):
    return tree_map(lambda b: b[idx], batches)

  if optimizer is None and all(x.dtype == jnp.float32 for x in jax.tree_util.tree_leaves(params)):
    b1, b2, eps, wd = (ADAMW[k] for k in ("b1", "b2", "eps", "weight_decay"))
    t = jnp.arange(1, n + 1, dtype=jnp.float32)
    c1s, c2s = 1 / (1 - b1**t), 1 / (1 - b2**t)  # 1 / the bias corrections

    def fused(state, idx, i):
      p, m, v = state
      lr, c1, c2 = lrs[i], c1s[i], c2s[i]
      loss, g = grad(p, batch(idx))
      m = tree_map(lambda m, g: b1 * m + (1 - b1) * g, m, g)
      v = tree_map(lambda v, g: b2 * v + (1 - b2) * g * g, v, g)

      def update(p, m, v):
        return p - lr * (m * c1 / (jnp.sqrt(v * c2) + eps) + wd * p)

      return (tree_map(update, p, m, v), m, v), loss

    def init_fused(p):
      zeros = tree_map(jnp.zeros_like, p)
      return p, zeros, zeros

    return init_fused, fused

  opt = (optimizer or optax.adamw)(lambda count: lrs[jnp.minimum(count, n - 1)])

  def step(state, idx, i):
    del i  # the optimizer counts its updates
    p, opt_state = state
    loss, grads = grad(p, batch(idx))
    updates, opt_state = opt.update(grads, opt_state, p)
    return (optax.apply_updates(p, updates), opt_state), loss

  return (lambda p: (p, opt.init(p))), step


def _loop(state, step, order, beta, rise, unroll=_UNROLL):
  """Runs ``step`` on ``order``'s batches (``(n,)``, or ``(seeds, n)`` with
  ``state`` and ``step`` batched) until update ``n`` or the stop, in one
  ``lax.while_loop``: the moving average and fastai's stop check run along
  (in float32, with :data:`_SLACK`), so that no update runs past the stop
  but the ``unroll - 1`` of its last iteration. A batched loop ends when the
  first seed stops.

  Returns ``(losses, count)``: ``losses`` shaped like ``order``, NaN after
  the ``count`` updates that ran (``count`` may pass ``n`` by ``unroll - 1``).
  """
  n = order.shape[-1]
  lead = order.shape[:-1]

  def one(carry):
    i, state, out, m, power, best, go = carry
    j = jnp.minimum(i, n - 1)  # the unrolled update after the last runs update n - 1 again
    state, loss = step(state, order[..., j], j)
    out = out.at[..., i].set(loss, mode="drop")
    m = beta * m + (1 - beta) * loss
    power = power * beta
    value = m / (1 - power)
    best = jnp.where(value < best, value, best)  # never NaN, as in _smooth
    ok = jnp.isfinite(value) & ~(value - best > (rise + _SLACK) * jnp.abs(best))
    return i + 1, state, out, m, power, best, go & jnp.all(ok)

  def body(carry):
    for _ in range(unroll):
      carry = one(carry)
    return carry

  # float32 at least: a float16 average could not tell the slack apart
  loss_dtype = jnp.promote_types(
    jax.eval_shape(step, state, order[..., 0], 0)[1].dtype, jnp.float32
  )
  zero = jnp.zeros(lead, loss_dtype)
  carry = (0, state, jnp.full(order.shape, jnp.nan, loss_dtype), zero, jnp.ones((), loss_dtype))
  carry += (zero + jnp.inf, jnp.bool_(True))
  out = jax.lax.while_loop(lambda c: (c[0] < n) & c[-1], body, carry)
  return out[2], out[0]


def _run(loss_fn, optimizer, params, batches, order, lrs, beta, rise, unroll=_UNROLL):
  """One run's losses and its update count (see :func:`_loop`)."""
  init, step = _stepper(loss_fn, optimizer, params, batches, lrs)
  return _loop(init(params), step, order, beta, rise, unroll)


#: ``beta`` and ``rise`` are static: settings, not data (a dynamic scalar costs
#: about 1% of the digits range test's call, to move it to the device).
_run_one = jax.jit(_run, static_argnums=(0, 1, 6, 7, 8))


def _run_seeds(loss_fn, optimizer, params, batches, orders, seeds, rates, beta, rise):
  """Every seed's run in one compiled program: losses ``(seeds, num_steps)``
  and the update count; ``params`` may be a function ``key -> params``. (A
  single run without seeds is not vmapped: a batch axis of 1 makes every
  matmul of the step a batched one, about 10% slower on CPU.)"""
  if callable(params):
    return _vmapped(loss_fn, optimizer, params, None, batches, orders, seeds, rates, beta, rise)
  return _vmapped(loss_fn, optimizer, None, params, batches, orders, seeds, rates, beta, rise)


@partial(jax.jit, static_argnums=(0, 1, 2, 8, 9))
def _vmapped(loss_fn, optimizer, params_fn, params, batches, orders, seeds, rates, beta, rise):
  def draw(seed):
    return params_fn(jax.random.PRNGKey(seed)) if params_fn is not None else params

  shapes = jax.eval_shape(draw, jax.ShapeDtypeStruct((), seeds.dtype))
  init, step = _stepper(loss_fn, optimizer, shapes, batches, rates)
  states = jax.vmap(lambda seed: init(draw(seed)))(seeds)
  return _loop(states, jax.vmap(step, in_axes=(0, 0, None)), orders, beta, rise)


@lru_cache(maxsize=16)
def _sweep(min_lr: float, max_lr: float, num_steps: int, n_batches: int):
  """The sweep's rates (float64, and float32 on the device) and the batch
  order of a run without seeds, made once per setting: converting them on
  every call costs 2% of a 100-step digits range test."""
  lrs = min_lr * (max_lr / min_lr) ** (np.arange(num_steps) / num_steps)
  lrs.setflags(write=False)
  order = np.arange(num_steps, dtype=np.int32) % n_batches
  return lrs, jnp.asarray(lrs, jnp.float32), jnp.asarray(order)


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


def _short(x, width: int = 60) -> str:
  text = x if isinstance(x, str) else repr(x)
  return text if len(text) < width else text[: width - 3] + "..."
