"""sched.lr_find: fastai's range test as one jitted loop that ends at the stop."""

import math
import sys
import warnings
from functools import partial

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

import optax_sched as sched
from optax_sched.range_test import pick, suggest

X = jnp.linspace(-1.0, 1.0, 80).reshape(10, 8)  # 10 batches of 8 points
BATCHES = {"x": X, "y": 3.0 * X - 1.0}


def mse(w, batch):
  return jnp.mean((w["a"] * batch["x"] + w["b"] - batch["y"]) ** 2)


PARAMS = {"a": jnp.float32(0.0), "b": jnp.float32(0.0)}


def test_sweep_is_fastais_exponential():
  f = sched.lr_find(
    mse, PARAMS, BATCHES, min_lr=1e-4, max_lr=1.0, num_steps=40, stop_factor=math.inf
  )
  i = np.arange(40)
  np.testing.assert_allclose(f.lrs, 1e-4 * (1e4) ** (i / 40), rtol=1e-6)


def test_losses_are_a_plain_training_run_and_smoothing_is_bias_corrected():
  n = 30
  f = sched.lr_find(
    mse,
    PARAMS,
    BATCHES,
    min_lr=1e-3,
    max_lr=0.1,
    num_steps=n,
    optimizer=optax.sgd,
    stop_factor=math.inf,
  )
  # the same run, written out: SGD with the i-th rate on batch i mod 10
  w, expected = PARAMS, []
  for i in range(n):
    batch = {k: v[i % 10] for k, v in BATCHES.items()}
    loss, g = jax.value_and_grad(mse)(w, batch)
    expected.append(float(loss))
    w = jax.tree_util.tree_map(lambda p, d, lr=f.lrs[i]: p - lr * d, w, g)
  np.testing.assert_allclose(f.losses, expected, rtol=1e-4)
  m, smooth = 0.0, []
  for k, loss in enumerate(expected):
    m = 0.98 * m + 0.02 * loss
    smooth.append(m / (1 - 0.98 ** (k + 1)))
  np.testing.assert_allclose(f.smoothed, smooth, rtol=1e-4)


def test_stops_after_the_smoothed_loss_passes_stop_factor_times_best():
  f = sched.lr_find(
    mse, PARAMS, BATCHES, min_lr=1e-4, max_lr=1e3, num_steps=100, optimizer=optax.sgd
  )
  assert f.stopped_early
  best = np.minimum.accumulate(f.smoothed)
  assert f.smoothed[-1] > 4.0 * best[-1] or not np.isfinite(f.smoothed[-1])
  assert np.all(f.smoothed[:-1] <= 4.0 * best[:-1])
  assert f.lrs.shape == f.losses.shape == f.smoothed.shape


def test_suggestions_follow_fastais_definitions():
  lrs = np.geomspace(1e-5, 1.0, 50)
  loss = np.concatenate([np.full(20, 2.0), np.linspace(2.0, 0.5, 20), np.linspace(0.5, 5, 10)])
  got = suggest(lrs, loss, 50)
  core_lrs, core = lrs[5:-5], loss[5:-5]
  assert got["minimum"] == pytest.approx(core_lrs[np.argmin(core)] / 10)
  slope = np.diff(core) / np.diff(np.log(core_lrs))
  assert got["steepest"] == pytest.approx(core_lrs[np.argmin(slope)])
  # the longest falling run of the core curve is 15..34 (20 points, from 2.0
  # to 0.5); fastai's start is 34 - 20 = 14, its pick int(20/3) + int(20/6) on
  assert got["valley"] == pytest.approx(core_lrs[14 + 6 + 3])


def test_auto_is_steepest_unless_below_valley():
  assert pick({"valley": 0.01, "steepest": 0.05, "minimum": 1.0}) == 0.05
  assert pick({"valley": 0.01, "steepest": 1e-6, "minimum": 1.0}) == 0.01
  assert pick({"valley": 0.01, "steepest": 1e-6, "minimum": 1.0}, "minimum") == 1.0
  assert pick({"valley": math.nan, "steepest": 1e-6, "minimum": 1.0}) == 1e-6


def test_suggestion_trains_the_toy_problem():
  f = sched.lr_find(mse, PARAMS, BATCHES)
  assert set(f.suggestions) == {"valley", "steepest", "minimum"}
  assert 1e-3 < f.suggestion < 1.0
  assert isinstance(f.suggestion, float)


def test_pure_and_cached():
  before = jax.tree_util.tree_map(np.array, PARAMS)
  a = sched.lr_find(mse, PARAMS, BATCHES, num_steps=20)
  b = sched.lr_find(mse, PARAMS, BATCHES, num_steps=20)
  jax.tree_util.tree_map(np.testing.assert_array_equal, PARAMS, before)
  np.testing.assert_array_equal(a.losses, b.losses)


def test_the_default_adamw_is_optax_adamw():
  # Every loss is <params, batch>, so it shows the parameters of each update;
  # they start large, so weight decay moves them visibly.
  def linear(w, batch):
    return jnp.sum(w["p"] * batch) + jnp.sum(w["q"] * batch[:3])

  params = {"p": jnp.full(8, 100.0), "q": jnp.linspace(-50.0, 50.0, 3)}
  batches = jnp.linspace(0.5, 2.0, 40).reshape(5, 8)
  kw = dict(min_lr=1e-2, max_lr=1.0, num_steps=30, stop_factor=math.inf)
  ours = sched.lr_find(linear, params, batches, **kw)
  theirs = sched.lr_find(linear, params, batches, optimizer=optax.adamw, **kw)
  np.testing.assert_allclose(ours.losses, theirs.losses, rtol=1e-6)
  plain = sched.lr_find(linear, params, batches, optimizer=optax.adam, **kw)
  assert np.abs(plain.losses[-1] / theirs.losses[-1] - 1) > 1e-4  # weight decay shows


def test_the_default_adamw_takes_parameters_of_any_float_dtype():
  half = {"a": jnp.float16(0.0), "b": jnp.float16(0.0)}
  ours = sched.lr_find(mse, half, BATCHES, num_steps=20)
  theirs = sched.lr_find(mse, half, BATCHES, num_steps=20, optimizer=optax.adamw)
  assert np.isfinite(ours.losses).all()
  np.testing.assert_array_equal(ours.losses, theirs.losses)


def test_a_loss_below_zero_stops_only_when_it_rises_by_the_factor():
  def shifted(w, b):
    return mse(w, b) - 10.0

  f = sched.lr_find(shifted, PARAMS, BATCHES, num_steps=30, stop_factor=math.inf)
  assert f.losses.shape == (30,) and not f.stopped_early
  f = sched.lr_find(shifted, PARAMS, BATCHES, min_lr=1e-4, max_lr=1e3, optimizer=optax.sgd)
  best = np.minimum.accumulate(f.smoothed)
  assert f.stopped_early and f.losses.size > 50
  assert f.smoothed[-1] - best[-1] > 3 * abs(best[-1]) or not np.isfinite(f.smoothed[-1])


def _counted(loss_fn):
  """loss_fn, and a list that grows by one on every evaluation of it."""
  calls = []

  def counted(w, batch):
    jax.debug.callback(lambda: calls.append(1))
    return loss_fn(w, batch)

  return counted, calls


@pytest.mark.parametrize("seeds", [None, [0, 1, 2]])
def test_no_update_runs_past_the_stop(seeds):
  # fastai's loop ends at the stop, and so does the compiled one: at most one
  # update past it (two updates per iteration), not the rest of the sweep.
  loss_fn, calls = _counted(mse)
  x = X.reshape(8, 10).T  # every batch spans [-1, 1]: a shuffle keeps the curve smooth
  kw = dict(min_lr=1e-4, max_lr=1e3, num_steps=300, optimizer=optax.sgd, seeds=seeds)
  f = sched.lr_find(loss_fn, PARAMS, {"x": x, "y": 3.0 * x - 1.0}, **kw)
  jax.effects_barrier()
  kept = f.losses.shape[-1]  # (a vmapped callback runs once for all seeds)
  assert f.stopped_early and 20 < kept < 250
  assert kept <= len(calls) <= kept + 1


@pytest.mark.parametrize("stop_factor", [1.0005, 1.003, 1.02, 1.3, 4.0])
@pytest.mark.parametrize("seeds", [None, [0, 1]])
def test_the_early_stop_keeps_what_the_float64_rule_keeps(stop_factor, seeds):
  # The compiled loop checks the stop in float32 with some slack; what is kept
  # is decided in float64 on the losses: the same as running every update and
  # cutting the curve afterwards. A noisy loss with small stop factors puts
  # the rule near its boundary again and again.
  def noisy(w, batch):
    return mse(w, batch) * (1 + 0.3 * jnp.sin(40 * batch["x"][0]))

  kw = dict(min_lr=1e-3, max_lr=30.0, num_steps=120, optimizer=optax.sgd, seeds=seeds)
  f = sched.lr_find(noisy, PARAMS, BATCHES, stop_factor=stop_factor, **kw)
  full = sched.lr_find(noisy, PARAMS, BATCHES, stop_factor=math.inf, **kw)
  rows = np.atleast_2d(full.smoothed)
  best = np.minimum.accumulate(rows, axis=1)
  over = ~np.isfinite(rows) | (rows - best > (stop_factor - 1) * np.abs(best))
  stop = min(int(np.argmax(row)) if row.any() else rows.shape[1] - 1 for row in over)
  assert stop < 119 and f.stopped_early
  assert f.losses.shape[-1] == stop + 1
  np.testing.assert_array_equal(f.losses, full.losses[..., : stop + 1])
  np.testing.assert_allclose(
    f.suggestions["minimum"],
    suggest(full.lrs[: stop + 1], rows.mean(0)[: stop + 1], 120)["minimum"],
  )


def test_the_returned_rates_are_the_callers_to_change():
  a = sched.lr_find(mse, PARAMS, BATCHES, num_steps=20)
  a.lrs[:] = 0.0
  b = sched.lr_find(mse, PARAMS, BATCHES, num_steps=20)
  assert b.lrs[0] == pytest.approx(1e-7)


def test_seeds_run_together_and_shuffle_batches():
  f = sched.lr_find(mse, PARAMS, BATCHES, num_steps=30, seeds=[0, 1, 2], stop_factor=math.inf)
  assert f.losses.shape == f.smoothed.shape == (3, 30)
  assert not np.allclose(f.losses[0], f.losses[1])
  one = sched.lr_find(mse, PARAMS, BATCHES, num_steps=30, seeds=[1], stop_factor=math.inf)
  np.testing.assert_allclose(one.losses[0], f.losses[1], rtol=1e-5)


def test_params_may_be_drawn_per_seed():
  def init(key):
    return {"a": jax.random.normal(key), "b": jnp.float32(0.0)}

  f = sched.lr_find(mse, init, BATCHES, num_steps=20, seeds=[0, 1], stop_factor=math.inf)
  assert f.losses[0, 0] != f.losses[1, 0]


def test_plot_marks_the_suggestions():
  pytest.importorskip("matplotlib")
  import matplotlib

  matplotlib.use("Agg")
  f = sched.lr_find(mse, PARAMS, BATCHES, seeds=[0, 1])
  ax = f.plot()
  labels = [t.get_text() for t in ax.get_legend().get_texts()]
  assert any(t.startswith("steepest") for t in labels) and ax.get_xscale() == "log"


@pytest.mark.parametrize(
  "kwargs, name",
  [
    ({"min_lr": 0.0}, "min_lr"),
    ({"min_lr": 1.0, "max_lr": 0.5}, "max_lr"),
    ({"num_steps": 5}, "num_steps"),
    ({"num_steps": 50.0}, "num_steps"),
    ({"min_lr": True}, "min_lr"),
    ({"smoothing": "0.9"}, "smoothing"),
    ({"smoothing": 1.0}, "smoothing"),
    ({"stop_factor": 1.0}, "stop_factor"),
    ({"seeds": []}, "seeds"),
    ({"seeds": [0.5]}, "seeds"),
    ({"method": "best"}, "method"),
  ],
)
def test_bad_arguments_name_themselves(kwargs, name):
  with pytest.raises(ValueError, match=f"{name}="):
    sched.lr_find(mse, PARAMS, BATCHES, **kwargs)


@pytest.mark.parametrize(
  "batches", [{"x": X, "y": X[:5]}, {"x": jnp.float32(1.0)}, {}, {"x": X[:0], "y": X[:0]}]
)
def test_bad_batches(batches):
  with pytest.raises(ValueError, match="batches"):
    sched.lr_find(mse, PARAMS, batches)


def _longest_valley_quadratic(losses):
  """fastai's valley index written as its O(n^2) longest-falling-run search."""
  n = len(losses)
  lds, max_end = [1] * n, 0
  for i in range(1, n):
    for j in range(i):
      if losses[i] < losses[j] and lds[i] < lds[j] + 1:
        lds[i] = lds[j] + 1
    if lds[max_end] < lds[i]:
      max_end = i
  max_start = max_end - lds[max_end]
  sections = (max_end - max_start) / 3
  return max(0, max_start + int(sections) + int(sections / 2))


def test_valley_index_matches_the_quadratic_search():
  valley = sys.modules["optax_sched.range_test"]._valley
  rng = np.random.default_rng(0)
  for _ in range(300):
    x = np.round(rng.normal(size=int(rng.integers(2, 60))).cumsum(), 1)  # with ties
    assert valley(x) == _longest_valley_quadratic(list(x))


# What each bad argument's message says is allowed (the charter: the argument,
# its value and what is allowed).
MESSAGES = [
  ({"min_lr": -1.0}, "min_lr=-1.0 is not allowed: it must be a finite number > 0"),
  ({"max_lr": math.inf}, "max_lr=inf is not allowed: it must be a finite number > min_lr=1e-07"),
  ({"num_steps": 9}, "num_steps=9 is not allowed: it must be an int >= 10"),
  ({"num_steps": True}, "num_steps=True is not allowed: it must be an int >= 10"),
  ({"smoothing": -0.1}, "smoothing=-0.1 is not allowed: it must be in [0, 1)"),
  (
    {"stop_factor": 0.5},
    "stop_factor=0.5 is not allowed: it must be > 1 (math.inf never stops early)",
  ),
  (
    {"method": "best"},
    "method='best' is not allowed: choose from auto, valley, steepest, minimum",
  ),
  (
    {"seeds": [True]},
    "seeds=[True] is not allowed: give None or a non-empty sequence of ints",
  ),
]


@pytest.mark.parametrize("kwargs, message", MESSAGES, ids=[m.split("=")[0] for _, m in MESSAGES])
def test_the_message_says_what_is_allowed(kwargs, message):
  with pytest.raises(ValueError) as info:
    sched.lr_find(mse, PARAMS, BATCHES, **kwargs)
  assert str(info.value) == f"lr_find: {message}"


def test_the_batches_message_says_what_is_allowed_and_shortens_the_value():
  with pytest.raises(ValueError) as info:
    sched.lr_find(mse, PARAMS, {"x": 1.0})
  assert str(info.value) == (
    "lr_find: batches={'x': 1.0} is not allowed: it must be a pytree of arrays"
    " whose leading axis indexes batches"
  )
  with pytest.raises(ValueError) as info:
    sched.lr_find(mse, PARAMS, {"x": X, "y": X[:5]})
  assert str(info.value) == (
    "lr_find: batches with leading axes [5, 10] are not allowed: every array must have"
    " the same number (>= 1) of batches on its leading axis"
  )
  # a long value is cut to 57 characters and "..." (60 in all)
  long = {f"scalar_number_{i}": float(i) for i in range(8)}
  with pytest.raises(ValueError) as info:
    sched.lr_find(mse, PARAMS, long)
  shown = str(info.value).removeprefix("lr_find: batches=").split(" is not allowed")[0]
  assert shown == repr(long)[:57] + "..."


def test_params_drawn_from_a_key_without_seeds_are_seed_0s():
  def init(key):
    return {"a": jax.random.normal(key), "b": jnp.float32(0.0)}

  kw = dict(num_steps=20, stop_factor=math.inf)
  drawn = sched.lr_find(mse, init, BATCHES, **kw)
  given = sched.lr_find(mse, init(jax.random.PRNGKey(0)), BATCHES, **kw)
  assert drawn.losses.shape == drawn.smoothed.shape == (20,)
  np.testing.assert_allclose(drawn.losses, given.losses, rtol=1e-5)


def test_a_loss_that_overflows_is_kept_up_to_its_first_infinite_value():
  # Batch i's loss is e**(i + 0.9): it overflows float32 at the first i with
  # i + 0.9 > log(float32 max) = 88.72. With stop_factor=inf only a value
  # that is not finite stops the run, and the curve keeps it: the loop's
  # float32 average must not overflow (and stop) before the loss itself.
  n = 120
  batches = np.arange(n, dtype=np.float32)

  def growing(w, b):
    return jnp.exp(b + 0.9) + 0.0 * w

  f = sched.lr_find(growing, jnp.float32(0.0), batches, num_steps=n, stop_factor=math.inf)
  with np.errstate(over="ignore"):
    first_inf = int(np.argmax(np.isinf(np.exp(np.arange(n, dtype=np.float32) + 0.9))))
  assert first_inf == 88
  assert f.stopped_early and f.losses.shape == (first_inf + 1,)
  assert np.isinf(f.losses[-1]) and np.isfinite(f.losses[:-1]).all()


def _fastai_suggestions(lrs, loss):
  """fastai's three suggestions on an already trimmed curve, as it defines them."""
  slope = np.diff(loss) / np.diff(np.log(lrs))
  return {
    "valley": lrs[_longest_valley_quadratic(list(loss))],
    "steepest": lrs[np.argmin(slope)],
    "minimum": lrs[np.argmin(loss)] / 10,
  }


def test_suggestions_leave_out_the_first_tenth_of_the_sweep():
  # fastai reads its suggestions off recorder[num_it // 10 : -5]: a spike at
  # update 9 of 100, just before the cut, does not count (it would be the
  # steepest fall and start the longest valley), nor the dip in the last 5.
  lrs = np.geomspace(1e-5, 1.0, 100)
  i = np.arange(100)
  loss = 3.0 - np.tanh((i - 50) / 8.0) + 0.002 * np.sin(i)
  loss[9], loss[97] = 10.0, -5.0
  got = suggest(lrs, loss, 100)
  want = _fastai_suggestions(lrs[10:95], loss[10:95])
  assert got == pytest.approx(want, rel=1e-12)
  assert got["steepest"] != lrs[9] and got["minimum"] != lrs[97] / 10


def test_a_short_curve_is_trimmed_while_two_points_remain():
  # 17 points of a 100-update sweep: leaving out the first 10 and last 5
  # keeps 2, which is enough: suggestions come from those 2 alone.
  lrs = np.geomspace(1e-5, 1e-3, 17)
  loss = np.concatenate([np.linspace(9.0, 3.0, 10), [2.0, 1.0], np.zeros(5)])
  got = suggest(lrs, loss, 100)
  # falling from 2 to 1: steepest at its start, lowest at its end; the
  # longest valley (both points) starts at -1, fastai's pick is index 0
  assert got == pytest.approx({"valley": lrs[10], "steepest": lrs[10], "minimum": lrs[11] / 10})


@pytest.mark.parametrize("bad", [math.nan, math.inf])
def test_suggestions_stop_at_the_first_value_that_is_not_finite(bad):
  # fastai cuts the curve at its first NaN; lower values after it do not count
  lrs = np.geomspace(1e-5, 1.0, 50)
  loss = np.concatenate([np.linspace(3.0, 1.0, 30) ** 2, [bad], np.full(19, 0.1)])
  got = suggest(lrs, loss, 50)
  want = _fastai_suggestions(lrs[5:30], loss[5:30])
  assert got == pytest.approx(want, rel=1e-12)
  assert got["minimum"] == pytest.approx(lrs[29] / 10)


@pytest.mark.parametrize("rows", [1, 2])
def test_plot_draws_each_seed_faintly_then_their_mean_and_the_suggestions(rows):
  pytest.importorskip("matplotlib")
  import matplotlib

  matplotlib.use("Agg")
  lrs = np.geomspace(1e-4, 1.0, 30)
  curves = np.stack([2.0 + np.cos(np.log(lrs) + k) for k in range(rows)])
  smoothed = curves[0] if rows == 1 else curves
  suggestions = {"valley": 1e-3, "steepest": 3e-2, "minimum": math.nan}
  f = sched.LRFinder(lrs, smoothed, smoothed, suggestions)
  ax = f.plot()
  seeds = rows if rows > 1 else 0  # one faint line per seed, if several
  assert len(ax.lines) == seeds + 1 + 2
  mean, marks = ax.lines[seeds], ax.lines[seeds + 1 :]
  for line, curve in zip(ax.lines[:seeds], curves[:seeds], strict=True):
    np.testing.assert_allclose(line.get_ydata(), curve)
    assert line.get_alpha() < 1 and line.get_linewidth() < mean.get_linewidth()
  np.testing.assert_allclose(mean.get_xdata(), lrs)
  np.testing.assert_allclose(mean.get_ydata(), curves.mean(0))
  assert mean.get_label() == "smoothed loss"
  # a dot on the mean curve for each finite suggestion (linear in log lr
  # between the recorded points), larger than matplotlib's default marker
  assert len(marks) == 2
  for mark, (name, lr) in zip(marks, [("valley", 1e-3), ("steepest", 3e-2)], strict=True):
    k = np.searchsorted(lrs, lr) - 1
    w = (np.log(lr) - np.log(lrs[k])) / (np.log(lrs[k + 1]) - np.log(lrs[k]))
    y = (1 - w) * curves.mean(0)[k] + w * curves.mean(0)[k + 1]
    assert mark.get_xdata()[0] == lr and mark.get_ydata()[0] == pytest.approx(y)
    assert mark.get_label().startswith(f"{name}: ")
    # "auto" is the larger of steepest and valley: steepest's mark says so
    assert mark.get_label().endswith(" (suggestion)") == (name == "steepest")
    assert mark.get_markersize() > matplotlib.rcParams["lines.markersize"]
  assert (ax.get_xscale(), ax.get_xlabel(), ax.get_ylabel()) == ("log", "learning rate", "loss")
  matplotlib.pyplot.close(ax.figure)


def test_seeds_suggest_from_their_mean_curve():
  # each seed shuffles the batches of a noisy loss: the curves, and the
  # suggestions read off each, differ; the finder's come from their mean
  def noisy(w, batch):
    return mse(w, batch) * (1 + 0.5 * jnp.sin(40 * batch["x"][0]))

  f = sched.lr_find(noisy, PARAMS, BATCHES, num_steps=60, seeds=[0, 1, 2], stop_factor=math.inf)
  assert f.smoothed.shape == (3, 60)
  mean = suggest(f.lrs, np.mean(f.smoothed, axis=0), 60)
  assert f.suggestions == pytest.approx(mean, rel=1e-6)
  assert any(suggest(f.lrs, row, 60) != mean for row in f.smoothed)


def _slow_rise(b):
  """Batch b's loss: lowest at b = 30, then a slow rise that stays finite."""
  return 1.0 + ((b - 30.0) / 9.0) ** 2


def _fastai_stop(raw, stop_factor=4.0, beta=0.98):
  """The first update whose smoothed loss passes stop_factor times the best
  so far (fastai's rule, its moving average written out)."""
  m, best = 0.0, math.inf
  for i, x in enumerate(raw):
    m = beta * m + (1 - beta) * x
    value = m / (1 - beta ** (i + 1))
    best = min(best, value)
    if value > stop_factor * best:
      return i
  return None


def test_a_slow_rise_stops_at_fastais_stop_not_later():
  # the run ends at fastai's stop, at most one update past it
  n = 200
  stop = _fastai_stop(_slow_rise(np.arange(n)))
  assert stop is not None and stop < n - 20
  loss_fn, calls = _counted(lambda w, b: _slow_rise(b) + 0.0 * w)
  f = sched.lr_find(loss_fn, jnp.float32(0.0), np.arange(n, dtype=np.float32), num_steps=n)
  jax.effects_barrier()
  assert f.stopped_early and f.losses.shape == (stop + 1,)
  assert stop + 1 <= len(calls) <= stop + 2


def test_one_update_per_iteration_runs_none_past_the_stop():
  # the loop's unroll (scripts/bench_lr_find_step.py times 1 and 2): with 2
  # updates per iteration a stop on the first of a pair runs the second too
  rt = sys.modules["optax_sched.range_test"]
  n = 200
  stop = _fastai_stop(_slow_rise(np.arange(n)))
  assert stop is not None and stop % 2 == 0  # the first of a pair
  _, rates, order = rt._sweep(1e-7, 10.0, n, n)
  batches = jnp.arange(n, dtype=jnp.float32)
  for unroll, count in [(1, stop + 1), (2, stop + 2)]:
    run = partial(rt._run, lambda w, b: _slow_rise(b) + 0.0 * w, None, beta=0.98, rise=3.0)
    losses, ran = jax.jit(partial(run, unroll=unroll))(jnp.float32(0.0), batches, order, rates)
    assert int(ran) == count
    np.testing.assert_allclose(losses[:count], _slow_rise(np.arange(count)), rtol=1e-6)
    assert np.isnan(losses[count:]).all()


def test_too_short_a_curve_suggests_nan():
  lrs = np.geomspace(1e-4, 1.0, 40)
  loss = np.full(40, 1.0)
  loss[1] = math.nan  # cut at index 1: a single point, no slope
  got = suggest(lrs[:2], loss[:2], 40)
  assert sorted(got) == ["minimum", "steepest", "valley"]
  assert all(isinstance(v, float) and math.isnan(v) for v in got.values())
  assert math.isnan(pick(got))


def test_no_smoothing_keeps_the_raw_losses():
  # smoothing 0 is allowed ([0, 1)): m_i = L_i and the bias correction is 1
  f = sched.lr_find(mse, PARAMS, BATCHES, num_steps=20, smoothing=0.0, stop_factor=math.inf)
  assert f.losses.shape == (20,)
  np.testing.assert_array_equal(f.smoothed, f.losses)


@pytest.mark.parametrize("seeds", [None, [0, 1]])
def test_a_run_warns_nothing(seeds):
  # a fresh loss function is traced (and its dtypes chosen) again
  def loss_fn(w, batch):
    return mse(w, batch)

  with warnings.catch_warnings():
    warnings.simplefilter("error")
    # (no early stop: a test stopped too early for its suggestions warns, and rightly)
    f = sched.lr_find(loss_fn, PARAMS, BATCHES, num_steps=20, seeds=seeds, stop_factor=math.inf)
  assert f.losses.dtype == f.smoothed.dtype == np.float64  # the caller's floats


@pytest.mark.parametrize("seeds", [None, [0, 1]])
def test_float32_parameters_under_x64_give_the_same_run(seeds):
  kw = dict(num_steps=20, stop_factor=math.inf, optimizer=optax.sgd, seeds=seeds)
  with jax.enable_x64(True):
    wide = sched.lr_find(mse, PARAMS, BATCHES, **kw)
  narrow = sched.lr_find(mse, PARAMS, BATCHES, **kw)
  np.testing.assert_allclose(wide.losses, narrow.losses, rtol=1e-6)
  np.testing.assert_allclose(wide.smoothed, narrow.smoothed, rtol=1e-6)
