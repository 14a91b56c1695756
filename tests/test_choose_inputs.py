"""The choosing tools met with the inputs users get wrong: each is a ValueError
(or, from the command, one line and exit status 2) that names what is wrong,
never a traceback from inside JAX, a NaN or a silent answer."""

import json
import math
import warnings

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

import optax_sched as sched
from optax_sched import cli

# 8 batches of 8 points of the line y = 3x - 1.
XS = jnp.linspace(-1, 1, 64).reshape(8, 8)
BATCHES = (XS, 3 * XS - 1)


def line_loss(w, batch):
  x, y = batch
  return jnp.mean((w[0] * x + w[1] - y) ** 2)


def squared_errors(w, batch):  # one loss per example: not a scalar
  x, y = batch
  return (w[0] * x + w[1] - y) ** 2


@pytest.mark.parametrize(
  "loss_fn, params, message",
  [
    (squared_errors, jnp.zeros(2), "returns an array of shape (8,)"),
    (line_loss, jnp.zeros(2, jnp.int32), "params has dtype int32"),
    (lambda p, b: line_loss(p["w"] * p["n"], b), {"w": jnp.zeros(2), "n": 1}, "params['n']"),
    (lambda p: jnp.sum(p), jnp.zeros(2), "takes 1 positional argument"),
    (lambda w, b: line_loss(w, b) * jnp.nan, jnp.zeros(2), "is nan at the first update"),
  ],
)
def test_lr_find_says_what_is_wrong_with_the_loss_or_params(loss_fn, params, message):
  with pytest.raises(ValueError, match="^lr_find: ") as info:
    sched.lr_find(loss_fn, params, BATCHES, num_steps=20)
  assert message in str(info.value)


def test_lr_find_refuses_an_optimizer_that_is_not_a_function_of_the_rate():
  with pytest.raises(ValueError, match=r"optimizer=.* such as optax\.adamw"):
    sched.lr_find(line_loss, jnp.zeros(2), BATCHES, optimizer=optax.adamw(1e-3))
  with pytest.raises(ValueError, match="loss_fn=None"):
    sched.lr_find(None, jnp.zeros(2), BATCHES)  # pyright: ignore[reportArgumentType]


def test_lr_find_refuses_a_loss_that_is_never_finite_after_the_first_update():
  # The gradient of sqrt at 0 is infinite: the first update makes the parameters NaN.
  def loss(w, batch):
    return jnp.sqrt(jnp.sum(w**2)) + line_loss(w, batch)

  with pytest.raises(ValueError, match="not finite after the first update"):
    sched.lr_find(loss, jnp.zeros(2), BATCHES, num_steps=20)


def test_lr_find_warns_when_the_test_stops_before_its_suggestions_window():
  # Batches whose losses differ 100-fold: in this order the smoothed loss rises
  # past 4x its first value at the second update.
  xs = jnp.stack([jnp.full(8, 0.1), jnp.full(8, 1.0)])
  batches = (xs, jnp.zeros_like(xs))

  def loss(w, batch):
    x, y = batch
    return jnp.mean((w[0] * x + 1.0 - y) ** 2) * (1 + 99 * jnp.mean(x > 0.5))

  with pytest.warns(UserWarning, match="stopped after 2 of 50 updates"):
    finder = sched.lr_find(loss, jnp.zeros(1), batches, num_steps=50)
  assert finder.lrs.size == 2 and finder.stopped_early


def test_lr_find_runs_without_a_warning_on_a_normal_curve():
  with warnings.catch_warnings():
    warnings.simplefilter("error")
    finder = sched.lr_find(line_loss, jnp.zeros(2), BATCHES, num_steps=60)
  assert math.isfinite(finder.suggestion)


@pytest.mark.parametrize(
  "name, values, message",
  [
    ("mom", {"L0": 2.0}, "name='mom' is not allowed"),
    ("power", {"L0": 2.0}, "missing A, alpha"),
    ("power", {"L0": 2.0, "A": 0.5, "alpha": 0.5, "beta": 1.0}, "unknown beta"),
  ],
)
def test_loss_law_names_a_wrong_law_or_parameter(name, values, message):
  with pytest.raises(ValueError, match="^LossLaw: ") as info:
    sched.LossLaw(name, values)
  assert message in str(info.value)


def test_loss_law_still_maps_and_vmaps_as_a_pytree():
  law = sched.LossLaw("power", {"L0": 2.0, "A": 0.5, "alpha": 0.5})
  doubled = jax.tree_util.tree_map(lambda v: 2 * v, law)
  assert doubled.params == {"L0": 4.0, "A": 1.0, "alpha": 1.0}
  stacked = jax.tree_util.tree_map(lambda v: jnp.array([v, 2 * v]), law)
  # L0 + A * (0.01 * 100) ** -alpha at a constant rate of 0.01: 2.5 and 5.0.
  got = jax.vmap(lambda m: m.predict(jnp.full(100, 0.01), [100]))(stacked)
  np.testing.assert_allclose(np.asarray(got)[:, 0], [2.5, 5.0], rtol=1e-6)


@pytest.mark.parametrize(
  "lrs, total_steps, message",
  [
    (np.full(100, 0.01), 200, "total_steps=200 is not allowed with an array of 100 rates"),
    (lambda t: 0.01 + 0 * t, 0, "total_steps: must be an int >= 1"),
    (lambda t: 0.01 + 0 * t, 50.5, "total_steps: must be an int >= 1"),
  ],
)
def test_predict_refuses_a_total_steps_it_would_ignore_or_cannot_use(lrs, total_steps, message):
  law = sched.LossLaw("power", {"L0": 2.0, "A": 0.5, "alpha": 0.5})
  with pytest.raises(ValueError, match=message):
    law.predict(lrs, [10], total_steps=total_steps)


def test_predict_takes_total_steps_equal_to_the_array_length_or_for_a_schedule():
  law = sched.LossLaw("power", {"L0": 2.0, "A": 0.5, "alpha": 0.5})
  # L0 + A * (0.01 * 100) ** -alpha = 2.5, from the array and from the schedule.
  got = law.predict(np.full(100, 0.01), [100], total_steps=100)
  from_schedule = law.predict(sched.constant_schedule(0.01), [100], total_steps=100)
  np.testing.assert_allclose([float(got[0]), float(from_schedule[0])], [2.5, 2.5], rtol=1e-6)


def test_fit_names_the_step_of_a_nan_loss():
  lrs = np.full(100, 1e-2)
  losses = np.linspace(3.0, 2.0, 10)
  losses[4] = np.nan
  with pytest.raises(ValueError, match="got nan at step 50$"):
    sched.fit_loss_law(lrs, losses, np.arange(10, 101, 10))


def test_optimize_schedule_takes_a_peak_that_is_a_0d_array():
  law = sched.LossLaw("momentum", {"L0": 2.0, "A": 0.4, "alpha": 0.5, "C": 0.05, "lam": 0.99})
  best = sched.optimize_schedule(law, 100, jnp.float32(1e-2), iterations=5)
  assert float(best(0)) <= 1e-2 * (1 + 1e-6)
  with pytest.raises(ValueError, match="peak_value=Array"):
    sched.optimize_schedule(law, 100, jnp.zeros(2))


# ---- the commands ----

LAW = sched.LossLaw("power", {"L0": 2.0, "A": 0.5, "alpha": 0.5})
RUN = "warmup_cosine_decay_schedule(0.0, 3e-4, 100, 2000)"


def _losses(steps):
  return np.asarray(LAW.predict(sched.from_spec(RUN), steps, total_steps=2000))


def _fit(tmp_path, capsys, name, text, *options):
  path = tmp_path / name
  path.write_text(text)
  code = cli.main(["fit", str(path), "--schedule", RUN, "--law", "power", *options])
  out, err = capsys.readouterr()
  return code, out, err


def _csv(header, steps):
  return header + "\n" + "".join(f"{s},{v}\n" for s, v in zip(steps, _losses(steps), strict=True))


@pytest.mark.parametrize(
  "name, text, message",
  [
    ("typo.csv", "stpe,loss\n10,2.5\n", "its columns: 'stpe', 'loss'"),
    ("empty.csv", "step,loss\n", "it has no rows"),
    ("cell.csv", "step,loss\n10,2.5\n20,\n", "line 3 has loss='', not a number"),
    (
      "mixed.jsonl",
      '{"step": 10, "loss": 2.5}\n{"step": 10, "val_loss": 2.6}\n',
      "line 2 has no loss (it has step, val_loss)",
    ),
    ("null.jsonl", '{"step": 10, "loss": null}\n', "line 1 has loss=None, not a number"),
    ("bad.jsonl", '{"step": 10, "loss": 2.5}\n{"step": 20,\n', "line 2 is not JSON"),
  ],
)
def test_fit_says_which_line_or_column_of_the_log_is_wrong(tmp_path, capsys, name, text, message):
  code, _, err = _fit(tmp_path, capsys, name, text)
  assert code == 2
  assert err.count("\n") == 1 and message in err


def test_fit_reads_column_names_in_any_case_and_with_spaces(tmp_path, capsys):
  steps = np.arange(50, 2001, 50)
  rows = zip(steps, _losses(steps), strict=True)
  text = "Step, Loss ,epoch\n" + "".join(f"{s},{v},0\n" for s, v in rows)
  code, out, _ = _fit(tmp_path, capsys, "log.csv", text)
  assert code == 0
  fitted = {ln.split()[0]: float(ln.split()[1]) for ln in out.splitlines()[1:4]}
  assert fitted == pytest.approx(LAW.params, rel=1e-3)


def test_fit_leaves_out_the_loss_at_step_0_with_a_one_line_warning(tmp_path, capsys):
  steps = np.arange(50, 2001, 50)
  text = _csv("step,loss", steps).replace("step,loss\n", "step,loss\n0,11.0\n")
  code, out, err = _fit(tmp_path, capsys, "log.csv", text)
  assert code == 0
  assert err.startswith("optax-sched fit: warning: ") and "step 0" in err and err.count("\n") == 1
  fitted = {ln.split()[0]: float(ln.split()[1]) for ln in out.splitlines()[1:4]}
  assert fitted == pytest.approx(LAW.params, rel=1e-3)


def test_fit_names_a_bad_predict_spec_before_fitting(tmp_path, capsys, monkeypatch):
  import optax_sched.laws as laws

  def never(*args, **kwargs):
    raise AssertionError("fitted before the candidates were read")

  monkeypatch.setattr(laws, "fit_loss_law", never)
  steps = np.arange(50, 2001, 50)
  code, _, err = _fit(
    tmp_path, capsys, "log.csv", _csv("step,loss", steps), "--predict", "cosine(1"
  )
  assert code == 2
  assert err.startswith("optax-sched fit: error: --predict cosine(1: ")


def test_fit_a_missing_log_is_one_line(tmp_path, capsys):
  assert cli.main(["fit", str(tmp_path / "nope.csv"), "--schedule", RUN]) == 2
  assert "no such file" in capsys.readouterr().err


MOMENTUM = ["L0=2", "A=0.4", "alpha=0.5", "C=0.05", "lam=0.99"]


@pytest.mark.parametrize(
  "options, message",
  [
    (["--param", *MOMENTUM], "--law auto: with --param give the law's name"),
    (["--law", "mom", "--param", *MOMENTUM], "--law mom: with --param"),
    (["--law", "momentum", "--param", *MOMENTUM[:-1], "lamda=0.99"], "missing lam; unknown lamda"),
    (["--peak", "0", "--law", "momentum", "--param", *MOMENTUM], "--peak 0.0: must be"),
    (["--warmup", "299", "--law", "momentum", "--param", *MOMENTUM], "--warmup 299: must be"),
  ],
)
def test_optimize_bad_law_or_options_are_one_line(capsys, options, message):
  argv = ["optimize", "--steps", "300", "--peak", "1e-2", *options]
  assert cli.main(argv) == 2
  err = capsys.readouterr().err
  assert err.startswith("optax-sched optimize: error: ") and err.count("\n") == 1
  assert message in err


def test_json_lines_log_without_lr_and_schedule_names_the_option(tmp_path, capsys):
  path = tmp_path / "log.jsonl"
  path.write_text(
    "".join(json.dumps({"step": s, "loss": 2.0 + 1 / s}) + "\n" for s in range(1, 50))
  )
  assert cli.main(["fit", str(path)]) == 2
  assert "--schedule: needed" in capsys.readouterr().err


def test_fit_says_why_the_logged_lr_is_not_enough(tmp_path, capsys):
  path = tmp_path / "log.csv"
  path.write_text("step,loss,lr\n10,2.5,1e-3\n20,2.4,1e-3\n")
  assert cli.main(["fit", str(path)]) == 2
  assert "lr is logged at 2 steps, not at every step 1..20" in capsys.readouterr().err


def test_fit_a_log_with_only_step_0_is_one_error(tmp_path, capsys):
  code, _, err = _fit(tmp_path, capsys, "log.csv", "step,loss\n0,2.5\n")
  assert code == 2
  assert err.splitlines()[-1].endswith("no loss is logged after step 0")


def test_lr_find_says_how_to_stack_a_list_of_batches():
  listed = [(XS[i], 3 * XS[i] - 1) for i in range(8)]
  with pytest.raises(ValueError, match="not a list of batches") as info:
    sched.lr_find(line_loss, jnp.zeros(2), listed, num_steps=20)
  stacked = jax.tree.map(lambda *b: jnp.stack(b), *listed)  # what the message suggests
  np.testing.assert_array_equal(stacked[0], XS)
  assert "too many values to unpack" in str(info.value)


def test_fit_leaves_out_the_losses_before_a_warmup_from_0_moves():
  # A warmup from 0 logged from step 1: the loss at step 1 follows one update
  # at rate 0, where every law's loss is infinite. Fitted with it, the fit
  # reported "the law does not describe the log (residual 44%)".
  lrs = np.asarray(sched.warmup_cosine_decay_schedule(0.0, 3e-3, 150, 3000)(np.arange(3000)))
  true = {"L0": 2.0, "A": 0.6, "alpha": 0.4, "C": 1.0, "lam": 0.99}
  steps = np.concatenate([[1], np.arange(10, 3001, 10)])
  losses = np.asarray(sched.LossLaw("momentum", true).predict(lrs, steps), np.float64)
  losses[0] = 10.0  # a real first loss is finite
  with pytest.warns(UserWarning, match=r"left out the losses .* \(steps 1\)"):
    law = sched.fit_loss_law(lrs, losses, steps, law="momentum")
  assert law.converged
  assert law.params == pytest.approx(true, rel=1e-2)
  with pytest.raises(ValueError, match="^lrs: the rates up to step 3000 are all 0"):
    sched.fit_loss_law(np.zeros(3000), losses, steps)


def test_lr_find_names_an_integer_leaf_of_params_drawn_from_a_key():
  def init(key):
    return {"w": jax.random.normal(key), "b": jnp.int32(0)}

  def loss(p, batch):
    x, y = batch
    return jnp.mean((p["w"] * x + p["b"] - y) ** 2)

  with pytest.raises(ValueError, match=r"params\['b'\] has dtype int32"):
    sched.lr_find(loss, init, BATCHES, num_steps=20, seeds=[0, 1])


def test_fit_reads_a_csv_with_a_byte_order_mark(tmp_path, capsys):
  steps = np.arange(50, 2001, 50)
  code, out, _ = _fit(tmp_path, capsys, "log.csv", "\ufeff" + _csv("step,loss", steps))
  assert code == 0
  fitted = {ln.split()[0]: float(ln.split()[1]) for ln in out.splitlines()[1:4]}
  assert fitted == pytest.approx(LAW.params, rel=1e-3)
