"""sched.lr_find: fastai's range test as one jitted loop that ends at the stop."""

import math
import sys

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
