"""Loss-curve laws: the formulas against the papers', fits, bad input."""

import warnings

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from loss_logs import load

import optax_sched as sched
from optax_sched.laws import fit as _fit, formulas

MPL = dict(L0=3.04, A=0.525, alpha=0.508, B=363.8, C=2.066, beta=0.583, gamma=0.641)
MOMENTUM = dict(L0=3.1, A=0.45, alpha=0.6, C=0.3, lam=0.999)


def _run(total=1500, warmup=150, peak=3e-4, kind="cosine"):
  """Per-update LRs: linear warmup from 0, then cosine, a step drop or WSD."""
  rest = {
    "cosine": sched.cosine_decay_schedule(peak, total - warmup, 0.1),
    "step": sched.piecewise_constant_schedule(peak, {(total - warmup) // 2: 0.3}),
    "wsd": sched.linear_schedule(peak, peak / 10, total // 5, total - warmup - total // 5),
  }[kind]
  s = sched.join_schedules([sched.linear_schedule(0.0, peak, warmup - 1), rest], [warmup])
  return np.asarray(s(np.arange(total)), np.float64)


def _paper_multi_power(p, lrs, steps):
  """Luo et al.'s formula term by term (their code's convention: warmup rises count)."""
  out = []
  for t in steps:
    s1 = lrs[:t].sum()
    ld = sum(
      (lrs[k - 1] - lrs[k])
      * (1 - (1 + p["C"] * lrs[k] ** -p["gamma"] * lrs[k:t].sum()) ** -p["beta"])
      for k in range(1, t)
    )
    out.append(p["L0"] + p["A"] * s1 ** -p["alpha"] - p["B"] * ld)
  return np.array(out)


def _paper_momentum(p, lrs, steps):
  """Tissue et al.'s recurrence m_i = lam m_{i-1} + (eta_{i-1} - eta_i), S2 = sum m."""
  m, s2, out = 0.0, [0.0], []
  for i in range(len(lrs)):
    m = p["lam"] * m + (lrs[i - 1] - lrs[i] if i else 0.0)
    s2.append(s2[-1] + m)
  for t in steps:
    out.append(p["L0"] + p["A"] * lrs[:t].sum() ** -p["alpha"] - p["C"] * s2[t])
  return np.array(out)


@pytest.mark.parametrize("kind", ["cosine", "step", "wsd"])
def test_multi_power_is_the_papers_formula(kind):
  lrs, steps = _run(kind=kind), np.arange(10, 1501, 70)
  with jax.enable_x64(True):
    got = sched.LossLaw("multi_power", MPL).predict(lrs, steps)
  np.testing.assert_allclose(got, _paper_multi_power(MPL, lrs, steps), rtol=1e-12)


def test_multi_power_blocks_of_a_long_run_stay_within_1e_5():
  lrs, steps = _run(total=6000, warmup=500), np.array([499, 800, 3001, 4500, 5999, 6000])
  with jax.enable_x64(True):
    got = sched.LossLaw("multi_power", MPL).predict(lrs, steps)
  np.testing.assert_allclose(got, _paper_multi_power(MPL, lrs, steps), rtol=1e-5)


def test_a_steep_law_at_a_tiny_rate_stays_finite_in_float32():
  # gamma ~ 95 (as fitted on a short noisy run): rate ** -gamma overflows
  # float32 at a rate of 1e-7, which made the prediction and its gradient NaN.
  p = dict(MPL, B=30.0, gamma=94.6)
  lrs = np.linspace(3e-2, 1.2e-7, 220).astype(np.float32)
  steps = np.arange(10, 221, 30)
  law = sched.LossLaw("multi_power", p)
  got = np.asarray(law.predict(lrs, steps))
  with np.errstate(over="ignore"):
    want = _paper_multi_power(p, lrs.astype(np.float64), steps)
  np.testing.assert_allclose(got, want, rtol=1e-5)
  grad = jax.grad(lambda lr: law.predict(lr, steps)[-1])(jnp.asarray(lrs))
  assert np.all(np.isfinite(grad))


@pytest.mark.parametrize("kind", ["cosine", "step"])
def test_momentum_is_the_papers_recurrence(kind):
  lrs, steps = _run(kind=kind), np.arange(10, 1501, 70)
  with jax.enable_x64(True):
    got = sched.LossLaw("momentum", MOMENTUM).predict(lrs, steps)
  np.testing.assert_allclose(got, _paper_momentum(MOMENTUM, lrs, steps), rtol=1e-10)


def test_predict_takes_a_schedule_and_keeps_float32():
  law = sched.LossLaw("multi_power", MPL)
  s = sched.warmup_cosine_decay_schedule(0.0, 3e-4, 100, 1000)
  got = law.predict(s, [500, 1000], total_steps=1000)
  want = law.predict(s(jnp.arange(1000)), [500, 1000])
  assert got.dtype == jnp.float32 and not jax.config.jax_enable_x64
  np.testing.assert_allclose(got, want)


def test_predict_differentiates_and_vmaps_over_candidates():
  law = sched.LossLaw("multi_power", MPL)
  lrs = jnp.stack([jnp.asarray(_run(kind=k), jnp.float32) for k in ("cosine", "step", "wsd")])
  final = jax.vmap(lambda r: law.predict(r, jnp.array([1500]))[0])(lrs)
  one = [float(law.predict(r, [1500])[0]) for r in lrs]
  np.testing.assert_allclose(final, one, rtol=1e-6)
  g = jax.grad(lambda r: law.predict(r, jnp.array([1500]))[0])(lrs[0])
  assert g.shape == (1500,) and bool(jnp.all(jnp.isfinite(g))) and float(jnp.abs(g).max()) > 0


def test_fit_recovers_a_synthetic_multi_power_curve():
  """Joint fit on cosine + step runs of a known law predicts a WSD run it never saw."""
  true = sched.LossLaw("multi_power", MPL)
  steps = np.arange(160, 1501, 20)
  fit_runs = [_run(kind="cosine"), _run(kind="step")]
  with jax.enable_x64(True):
    losses = [np.asarray(true.predict(r, steps)) for r in fit_runs]
  law = sched.fit_loss_law(fit_runs, losses, [steps, steps], law="multi_power")
  assert law.converged and law.name == "multi_power"
  wsd = _run(kind="wsd")
  got, want = law.predict(wsd, steps), true.predict(wsd, steps)
  assert float(jnp.max(jnp.abs(got / want - 1))) < 1e-3


def test_auto_on_the_real_cosine_run_predicts_the_other_schedules():
  """mpl-25m: fitted on the cosine run alone, predict 8 other schedules."""
  entry, runs = load("mpl-25m")
  lrs, steps, loss, _ = runs[entry["fit"]]
  law = sched.fit_loss_law(lrs, loss, steps)
  assert law.converged and law.name in ("momentum", "multi_power") and "auto chose" in law.reason
  errors, finals = [], []
  for name, (r, s, y, _) in runs.items():
    if name != entry["fit"]:
      e = np.abs(np.asarray(law.predict(r, s)) / y - 1)
      errors.append(e.mean())
      finals.append(e[-1])
  # The figures: 0.14-0.43% (momentum), 0.33-0.79% (multi_power).
  assert np.mean(errors) < 0.005 and max(finals) < 0.02


def _exact_small_log():
  """30 points of a 300-update run, drawn in float32 from a known momentum law."""
  s = sched.warmup_cosine_decay_schedule(0.0, 1e-2, 20, 300, 0.0)
  lrs, steps = np.asarray(s(np.arange(300)), np.float64), np.arange(10, 301, 10)
  true = sched.LossLaw("momentum", dict(L0=2.0, A=0.4, alpha=0.5, C=0.05, lam=0.99))
  return lrs, np.asarray(true.predict(lrs.astype(np.float32), steps), np.float64), steps


def test_an_exact_small_log_fits_without_a_warning():
  # Its best start reaches the data (residual ~1e-7, float32's rounding) in
  # the last of the optimizer's 100 steps: the curve moved by 6e-3 over the
  # last 10, which alone read as "not converged".
  lrs, losses, steps = _exact_small_log()
  with warnings.catch_warnings():
    warnings.simplefilter("error")
    law = sched.fit_loss_law(lrs, losses, steps, law="momentum")
  assert law.converged and law.reason == ""
  np.testing.assert_allclose(law.predict(lrs, steps), losses, rtol=1e-6)


def test_a_fit_stopped_while_its_curve_moves_is_not_converged_and_warns(monkeypatch):
  monkeypatch.setattr(_fit, "_STEPS", 15)  # far from the data yet
  with pytest.warns(RuntimeWarning, match="momentum fit did not converge: the fitted curve still"):
    law = sched.fit_loss_law(*_exact_small_log(), law="momentum")
  assert not law.converged


def _good():
  lrs = _run()
  steps = np.arange(100, 1501, 100)
  return lrs, np.linspace(4.0, 3.0, steps.size), steps


@pytest.mark.parametrize(
  "change, match",
  [
    (lambda r, y, s: (r, np.where(np.arange(y.size) == 3, np.nan, y), s), "losses: must be finite"),
    (lambda r, y, s: (r, np.where(np.arange(y.size) == 3, np.inf, y), s), "losses: must be finite"),
    (lambda r, y, s: (r[:1000], y, s), "lrs: has 1000 rates but steps reaches 1500"),
    (lambda r, y, s: (-r, y, s), "lrs: rates must be finite and >= 0"),
    (lambda r, y, s: (r, y[:2], s[:2]), "losses: 2 logged points cannot fit the 7 parameters"),
    (lambda r, y, s: (r, y, s[::-1]), "steps: must strictly increase"),
    (lambda r, y, s: (r, y, s - 100), "steps: must be >= 1"),
    (lambda r, y, s: (r, y, s[:-1]), "steps: one step per loss"),
  ],
)
def test_bad_input_names_the_argument(change, match):
  with pytest.raises(ValueError, match=match):
    sched.fit_loss_law(*change(*_good()))


def test_unknown_law_lists_the_names():
  with pytest.raises(ValueError, match="law: must be one of auto, power, momentum, multi_power"):
    sched.fit_loss_law(*_good(), law="chinchilla")


def test_a_log_the_law_cannot_describe_is_not_converged_and_warns():
  lrs, _, steps = _good()
  noise = np.resize([1.0, 1.3], steps.size)  # a loss jumping by 30% every log
  with pytest.warns(RuntimeWarning, match="power fit did not converge: the law does not describe"):
    law = sched.fit_loss_law(lrs, 3.0 * noise, steps, law="power")
  assert not law.converged


def test_fit_leaves_x64_off():
  with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    sched.fit_loss_law(*_good(), law="power")
  assert not jax.config.jax_enable_x64 and jnp.ones(1).dtype == jnp.float32


def test_the_fits_numpy_summary_is_the_formulas_summary():
  """The fit summarises a run in NumPy; the prediction in JAX (formulas.summary)."""
  lrs, steps = _run(total=6000, warmup=500), np.array([499, 800, 3001, 4500, 5999, 6000])
  got = _fit.summary(lrs, steps, 512)
  with jax.enable_x64(True):
    parts = [
      np.asarray(a).reshape(-1) for a in formulas.summary(jnp.asarray(lrs), jnp.asarray(steps), 512)
    ]
  keep = parts[0] != 0
  for g, want in zip(got, parts, strict=True):
    np.testing.assert_allclose(g, want[keep], rtol=1e-12)


@pytest.mark.parametrize("name", ["power", "momentum", "multi_power"])
def test_the_fits_jacobian_by_hand_is_jaxs(name):
  lrs, steps = _run(), np.arange(30, 1501, 30)
  run = _fit.prepare(lrs, steps, np.linspace(4.0, 3.0, steps.size))
  values = {**MPL, **MOMENTUM, "C": 2.0}  # both laws' parameters (C > 1e-3 exercises both)
  with jax.enable_x64(True):
    u = jnp.asarray(_fit._from_params(name, {k: values[k] for k in formulas.LAWS[name][1]}))
    r, jac = _fit._residuals_and_jacobian(name, u, [run])
    want = jax.jacfwd(_fit._residuals, argnums=1)(name, u, [run])
    np.testing.assert_allclose(r, _fit._residuals(name, u, [run]), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(jac, want, rtol=1e-9, atol=1e-12 * float(jnp.abs(want).max()))


def test_the_fits_jacobian_of_a_steep_law_at_a_tiny_rate_is_finite_and_jaxs():
  # gamma ~ 95 (as fitted on the digits problem): 1e-7 ** -gamma = 1e662
  # overflows even float64, which made the fit's Jacobian NaN.
  p = dict(MPL, B=30.0, gamma=94.6)
  lrs, steps = np.linspace(3e-2, 1.2e-7, 220), np.arange(10, 221, 15)
  with np.errstate(over="ignore"):
    pred = _paper_multi_power(p, lrs, steps)  # its overflows give G = 1, the limit
  losses = pred * np.linspace(1.02, 0.98, steps.size)
  run = _fit.prepare(lrs, steps, losses)
  fitted = _fit.fitted_mask([run], [steps.size])
  with jax.enable_x64(True):
    u = jnp.asarray(_fit._from_params("multi_power", p))
    r, jac = _fit._residuals_and_jacobian("multi_power", u, [run])
    want = jax.jacfwd(_fit._residuals, argnums=1)("multi_power", u, [run])
    value, _, jac_all = _fit._evaluate("multi_power", u[None], [run], jnp.asarray(fitted))
    r, jac, want = np.asarray(r), np.asarray(jac), np.asarray(want)
  np.testing.assert_allclose(r[: steps.size], np.log(losses / pred), rtol=1e-10, atol=1e-13)
  assert np.all(np.isfinite(want)) and np.all(np.isfinite(jac))
  np.testing.assert_allclose(jac, want, rtol=1e-9, atol=1e-12 * np.abs(want).max())
  assert np.isfinite(float(value[0])) and np.all(np.isfinite(jac_all))


def test_auto_compiles_one_program_per_law_and_leaves_x64_off():
  """The held-out fits and the refit on every point share their compiled programs."""
  lrs = _run(total=3000, warmup=300)
  steps = np.arange(37, 3001, 37)  # a size no other test uses
  losses = np.asarray(sched.LossLaw("momentum", MOMENTUM).predict(lrs, steps))
  cache_size = _fit._evaluate._cache_size  # pyright: ignore[reportAttributeAccessIssue]
  before = cache_size()
  with warnings.catch_warnings():
    warnings.simplefilter("ignore", RuntimeWarning)
    law = sched.fit_loss_law(lrs, losses, steps)
  assert cache_size() - before <= 2
  assert law.name == "momentum" and "auto chose momentum" in law.reason
  assert jnp.ones(1).dtype == jnp.float32  # x64 is off again
