"""optax_sched.compat.keras gives Keras's LRs step for step (golden traces)."""

import dataclasses

import jax
import jax.numpy as jnp
import pytest
from conftest import assert_close, golden_cases, load_golden, padded

from optax_sched.compat import keras as kl


def build(case):
  return getattr(kl, case["name"].split(".")[1])(**case["args"])


@pytest.mark.parametrize("case", golden_cases("keras"))
def test_matches_keras_trace(case):
  n = len(case["steps"])
  assert_close(build(case)(padded(case["steps"]))[:n], case["values"], rtol=2e-6)


@pytest.mark.parametrize("case", golden_cases("keras"))
def test_matches_keras_under_jit(case):
  s = build(case)
  n = len(case["steps"])
  assert_close(jax.jit(s)(padded(case["steps"]))[:n], case["values"], rtol=2e-6)


def test_every_schedule_is_covered_by_golden_cases():
  names = {c.values[0]["name"] for c in golden_cases("keras")}
  assert names == {f"keras.{n}" for n in kl.__all__}


@pytest.mark.parametrize("name", kl.__all__)
def test_argument_names_and_defaults_are_keras(name):
  theirs = load_golden("keras")["signatures"][name]
  ours = [
    [f.name, None if f.default is dataclasses.MISSING else f.default]
    for f in dataclasses.fields(getattr(kl, name))
  ]
  assert ours == theirs


def test_piecewise_constant_switches_one_step_after_the_boundary():
  s = kl.PiecewiseConstantDecay([10], [1.0, 0.5])
  assert [float(s(k)) for k in (10, 11)] == [1.0, 0.5]


def test_cosine_decay_warmup_counts_decay_steps_after_warmup():
  s = kl.CosineDecay(0.0, decay_steps=100, alpha=0.1, warmup_target=1.0, warmup_steps=10)
  assert float(s(10)) == pytest.approx(1.0)
  assert float(s(110)) == pytest.approx(0.1)
  assert float(s(60)) == pytest.approx(0.55)


def test_vmap_over_initial_learning_rate():
  t = jnp.arange(40)
  inits = jnp.array([1e-3, 2e-3])
  swept = jax.vmap(lambda i: kl.CosineDecayRestarts(i, 10, m_mul=0.5, alpha=0.1)(t))(inits)
  for k, i in enumerate([1e-3, 2e-3]):
    assert_close(swept[k], kl.CosineDecayRestarts(i, 10, m_mul=0.5, alpha=0.1)(t))


BAD = [
  (lambda: kl.ExponentialDecay(0.1, 0, 0.5), "decay_steps"),
  (lambda: kl.ExponentialDecay(0.1, 10, 0.0), "decay_rate"),
  (lambda: kl.ExponentialDecay(0.1, 10, 0.5, staircase="yes"), "staircase"),
  (lambda: kl.PiecewiseConstantDecay([10, 5], [1.0, 0.5, 0.1]), "boundaries"),
  (lambda: kl.PiecewiseConstantDecay([10, 10], [1.0, 0.5, 0.1]), "boundaries"),
  (lambda: kl.PiecewiseConstantDecay([10], [1.0]), "values"),
  (lambda: kl.PolynomialDecay(0.1, 0), "decay_steps"),
  (lambda: kl.PolynomialDecay(0.1, 10, power=-1.0), "power"),
  (lambda: kl.InverseTimeDecay(0.1, 0, 0.5), "decay_steps"),
  (lambda: kl.InverseTimeDecay(0.1, 10, -0.5), "decay_rate"),
  (lambda: kl.CosineDecay(0.1, 0), "decay_steps"),
  (lambda: kl.CosineDecay(0.1, 10, warmup_target=1.0, warmup_steps=-1), "warmup_steps"),
  (lambda: kl.CosineDecayRestarts(0.1, 0), "first_decay_steps"),
  (lambda: kl.CosineDecayRestarts(0.1, 10, t_mul=0.5), "t_mul"),
  (lambda: kl.CosineDecayRestarts(0.1, 10, m_mul=-0.5), "m_mul"),
]


@pytest.mark.parametrize("make,arg", BAD, ids=[f"{i}-{a}" for i, (_, a) in enumerate(BAD)])
def test_out_of_domain_argument_raises_naming_it(make, arg):
  with pytest.raises(ValueError, match=rf"keras\.\w+: {arg}"):
    make()


FIRST_CASES = list({c.values[0]["name"]: c for c in reversed(golden_cases("keras"))}.values())


@pytest.mark.parametrize("case", FIRST_CASES)
def test_matches_keras_with_the_schedule_as_a_jit_argument(case):
  """Hyperparameters traced (the schedule is a pytree argument)."""
  n = len(case["steps"])
  out = jax.jit(lambda s, t: s(t))(build(case), padded(case["steps"]))
  assert_close(out[:n], case["values"], rtol=2e-6)
