"""sched.optimize_schedule: the schedule a law predicts to end lowest."""

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import optax_sched as sched
import optax_sched.optimize  # noqa: F401  (reference_schedules)


@jax.tree_util.register_dataclass
@dataclasses.dataclass(frozen=True)
class MomentumLaw:
  r"""The momentum law of Tissue et al. 2024 ("Scaling Law with Learning Rate
  Annealing", arXiv:2408.11029), written out for the tests:

  L(s) = L0 + A S1(s)^-alpha - C S2(s),  S1(s) = sum_{i<s} eta_i,
  S2(s) = sum_{i<s} m_i,  m_i = lam m_{i-1} + (eta_{i-1} - eta_i),  m_0 = 0.
  """

  L0: float = 2.0
  A: float = 0.4
  alpha: float = 0.5
  C: float = 0.05
  lam: float = 0.99

  def predict(self, lrs, steps=None):
    lrs = jnp.asarray(lrs, jnp.float32)
    d = jnp.concatenate([jnp.zeros(1), lrs[:-1] - lrs[1:]])
    _, m = jax.lax.scan(lambda m, x: (self.lam * m + x,) * 2, jnp.float32(0.0), d)
    steps = np.arange(1, lrs.shape[0] + 1) if steps is None else np.asarray(steps)
    s1, s2 = jnp.cumsum(lrs)[steps - 1], jnp.cumsum(m)[steps - 1]
    return self.L0 + self.A * s1**-self.alpha - self.C * s2


T, PEAK, W = 400, 1e-2, 20
LAW = MomentumLaw()


def final(schedule):
  return float(LAW.predict(schedule(jnp.arange(T)), [T])[0])


def references():
  return sched.optimize.reference_schedules(T, PEAK, W)


def test_reference_cosine_is_optax_warmup_cosine():
  steps = jnp.arange(T)
  np.testing.assert_allclose(
    references()["cosine"](steps),
    sched.warmup_cosine_decay_schedule(0.0, PEAK, W, T, 0.0)(steps),
    rtol=1e-5,
    atol=1e-9,
  )


@pytest.fixture(scope="module")
def optimized():
  return sched.optimize_schedule(LAW, T, PEAK, warmup_steps=W, iterations=200)


@pytest.mark.parametrize("name", ["cosine", "linear", "wsd"])
def test_beats_the_usual_schedules_under_the_law(optimized, name):
  assert final(optimized) < final(references()[name])


def test_never_above_peak_and_non_increasing_after_warmup(optimized):
  lr = np.asarray(optimized(jnp.arange(T)))
  assert lr.max() <= PEAK * (1 + 1e-6)
  assert np.all(np.diff(lr[W:]) <= 1e-9)
  assert np.all(lr >= 0)
  np.testing.assert_allclose(lr[:W], lr[W] * np.arange(W) / W, rtol=1e-5, atol=1e-9)


def test_is_a_storable_jittable_schedule(optimized):
  again = sched.from_config(sched.to_config(optimized))
  steps = jnp.arange(0, T, 7)
  np.testing.assert_allclose(again(steps), optimized(steps), rtol=1e-6)
  np.testing.assert_allclose(jax.jit(optimized)(steps), optimized(steps), rtol=1e-6)


def test_without_warmup():
  s = sched.optimize_schedule(LAW, 300, PEAK, knots=64, iterations=100)
  assert isinstance(s, sched.piecewise_interpolate_schedule)
  lr = np.asarray(s(jnp.arange(300)))
  assert (
    LAW.predict(lr, [300])[0]
    < LAW.predict(sched.cosine_decay_schedule(PEAK, 300)(jnp.arange(300)), [300])[0]
  )


def test_a_law_that_predicts_nan_everywhere_is_refused():
  class Broken:
    def predict(self, lrs, steps=None):
      return jnp.full(1, jnp.nan) * lrs[0]

  with pytest.raises(ValueError, match="not finite"):
    sched.optimize_schedule(Broken(), 50, PEAK, iterations=3)


def test_a_law_whose_gradient_is_never_finite_is_refused():
  # The value is finite but its gradient is NaN (sqrt at 0 times 0): every
  # step would be skipped and the "optimum" would be the starting linear decay.
  class FlatNaN:
    def predict(self, lrs, steps=None):
      return jnp.atleast_1d(2.0 + jnp.sqrt(jnp.sum(lrs) - jnp.sum(lrs)))

  with pytest.raises(ValueError, match="gradient .* is not finite at any curve"):
    sched.optimize_schedule(FlatNaN(), 50, PEAK, iterations=5)


def test_steps_with_a_non_finite_gradient_are_skipped_with_a_warning():
  # Lower final rates predict a lower loss, but below a floor the gradient
  # is NaN (sqrt of max(x, 0) at 0): some steps are skipped, and said so.
  class Floor:
    def predict(self, lrs, steps=None):
      last = lrs[-1] / PEAK
      return jnp.atleast_1d(2.0 + last + jnp.sqrt(jnp.maximum(last - 1e-3, 0.0)))

  with pytest.warns(UserWarning, match=r"not finite at \d+ of 40 steps"):
    s = sched.optimize_schedule(Floor(), 50, PEAK, iterations=40)
  values = np.asarray(s(np.arange(50)))
  assert np.all(np.isfinite(values)) and np.all(np.diff(values) <= 1e-12)


@pytest.mark.parametrize(
  "kwargs, name",
  [
    ({"law": object()}, "law"),
    ({"total_steps": 1}, "total_steps"),
    ({"total_steps": 10.0}, "total_steps"),
    ({"peak_value": 0.0}, "peak_value"),
    ({"peak_value": float("nan")}, "peak_value"),
    ({"warmup_steps": T}, "warmup_steps"),
    ({"warmup_steps": -1}, "warmup_steps"),
    ({"knots": 1}, "knots"),
    ({"iterations": 0}, "iterations"),
  ],
)
def test_bad_input_names_the_argument(kwargs, name):
  args = {"law": LAW, "total_steps": T, "peak_value": PEAK, **kwargs}
  law, total, peak = args.pop("law"), args.pop("total_steps"), args.pop("peak_value")
  with pytest.raises(ValueError, match=f"{name}="):
    sched.optimize_schedule(law, total, peak, **args)


@pytest.mark.slow
def test_with_a_fitted_law_beats_the_usual_schedules_under_the_true_law():
  true = sched.LossLaw("momentum", {"L0": 2.0, "A": 0.4, "alpha": 0.5, "C": 0.05, "lam": 0.99})
  cosine = references()["cosine"]
  steps = np.arange(10, T + 1, 5)
  losses = np.asarray(true.predict(cosine(jnp.arange(T)), steps))
  law = sched.fit_loss_law(np.asarray(cosine(jnp.arange(T))), losses, steps)
  best = sched.optimize_schedule(law, T, PEAK, warmup_steps=W, iterations=200)

  def under_true(s):
    return float(true.predict(s(jnp.arange(T)), [T])[0])

  for name, s in references().items():
    assert under_true(best) < under_true(s), name
