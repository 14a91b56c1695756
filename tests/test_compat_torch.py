"""optax_sched.compat.torch gives torch's LRs step for step (golden traces)."""

import golden_functions
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from conftest import assert_close, golden_cases, load_golden, padded

from optax_sched.compat import torch as tl


def build(name, args):
  """Our schedule for a golden case's JSON arguments."""
  cls = getattr(tl, name.split(".")[1])
  args = dict(args)
  if "schedulers" in args:
    args["schedulers"] = [build(c["name"], c["args"]) for c in args["schedulers"]]
  if isinstance(args.get("lr_lambda"), dict):
    args["lr_lambda"] = golden_functions.lr_lambda(args["lr_lambda"], jnp)
  if "scale_fn" in args:
    args["scale_fn"] = golden_functions.scale_fn(args["scale_fn"], jnp)
  return cls(**args)


@pytest.mark.parametrize("case", golden_cases("torch"))
def test_matches_torch_trace(case):
  s = build(case["name"], case["args"])
  n = len(case["steps"])
  assert_close(s(padded(case["steps"]))[:n], case["values"], rtol=2e-6)


@pytest.mark.parametrize("case", golden_cases("torch"))
def test_matches_torch_one_step_at_a_time(case):
  s = build(case["name"], case["args"])
  idx = np.linspace(0, len(case["steps"]) - 1, 5).astype(int)
  ours = [float(s(int(case["steps"][i]))) for i in idx]
  assert_close(ours, [case["values"][i] for i in idx], rtol=2e-6)


FIRST_CASES = list({c.values[0]["name"]: c for c in reversed(golden_cases("torch"))}.values())


@pytest.mark.parametrize("case", FIRST_CASES)
def test_matches_torch_under_jit(case):
  s = build(case["name"], case["args"])
  f = jax.jit(lambda t: s(t))
  n = len(case["steps"])
  assert_close(f(padded(case["steps"]))[:n], case["values"], rtol=2e-6)


def test_every_scheduler_is_covered_by_golden_cases():
  names = {c.values[0]["name"] for c in golden_cases("torch")}
  # ReduceLROnPlateau follows a metric: tests/test_plateau.py has its traces.
  assert names == {f"torch.{n}" for n in tl.__all__ if n != "ReduceLROnPlateau"}


@pytest.mark.parametrize("name", tl.__all__)
def test_argument_names_and_defaults_are_torchs(name):
  """Same names and defaults, base_lr first; momentum arguments left out."""
  theirs = load_golden("torch")["signatures"][name]
  left_out = {"cycle_momentum", "base_momentum", "max_momentum", "optimizer"}
  expected = [(a, d) for a, d in theirs if a not in left_out]
  if name not in ("CyclicLR", "OneCycleLR", "SequentialLR", "ChainedScheduler"):
    expected = [("base_lr", None)] + expected
  import dataclasses

  ours = [
    (f.name, None if f.default is dataclasses.MISSING else f.default)
    for f in dataclasses.fields(getattr(tl, name))
  ]
  assert [a for a, _ in ours] == [a for a, _ in expected]
  for (a, d), (_, e) in zip(ours, expected, strict=True):
    assert d == pytest.approx(e) if isinstance(e, float) else d == e, a


# ---- quirks reproduced (numbers are torch's, from the golden file) ----


def golden_case(name, **match):
  for c in load_golden("torch")["cases"]:
    if c["name"] == name and all(c["args"].get(k) == val for k, val in match.items()):
      return c
  raise LookupError(name)


def test_cosine_annealing_climbs_back_past_t_max():
  s = tl.CosineAnnealingLR(1e-3, T_max=100, eta_min=1e-6)
  assert float(s(100)) == pytest.approx(1e-6, rel=1e-4)
  assert float(s(150)) > float(s(100))
  assert float(s(200)) == pytest.approx(1e-3, rel=1e-6)


def test_onecycle_peaks_at_pct_start_times_total_minus_one():
  s = tl.OneCycleLR(max_lr=0.1, total_steps=100, pct_start=0.3)
  values = np.asarray(s(jnp.arange(100)))
  assert int(np.argmax(values)) == 29


def test_onecycle_holds_its_final_lr_after_total_steps():
  s = tl.OneCycleLR(max_lr=0.1, total_steps=100, anneal_strategy="linear")
  assert float(s(100)) == float(s(99)) == float(s(10**6))
  assert float(s(99)) == pytest.approx(0.1 / 25 / 1e4, abs=1e-6 * 0.1)


def test_sequential_restarts_the_next_scheduler_at_its_milestone():
  s = tl.SequentialLR(
    [tl.LinearLR(0.1, 0.1, 1.0, 5), tl.ExponentialLR(0.1, gamma=0.5)], milestones=[3]
  )
  assert float(s(3)) == pytest.approx(0.1)
  assert float(s(4)) == pytest.approx(0.05)


def test_multiplicative_accepts_a_constant_function():
  s = tl.MultiplicativeLR(0.1, lambda epoch: 0.9)
  assert float(s(2)) == pytest.approx(0.081)


def test_lambda_lr_receives_the_step():
  s = tl.LambdaLR(2.0, lambda t: 1.0 / (t + 1))
  assert_close(s(jnp.arange(4)), [2.0, 1.0, 2 / 3, 0.5])


def test_chained_scheduler_multiplies_factors():
  a, b = tl.StepLR(0.1, 3, 0.5), tl.LinearLR(0.1, 0.2, 1.0, 4)
  s = tl.ChainedScheduler([a, b])
  t = jnp.arange(10)
  assert_close(s(t), a(t) * b(t) / 0.1)


# ---- transformations ----


def test_vmap_over_base_lr_equals_one_at_a_time():
  lrs = jnp.array([1e-3, 3e-3])
  t = jnp.arange(50)
  swept = jax.vmap(lambda b: tl.CosineAnnealingLR(b, T_max=20, eta_min=1e-5)(t))(lrs)
  for i, b in enumerate([1e-3, 3e-3]):
    assert_close(swept[i], tl.CosineAnnealingLR(b, T_max=20, eta_min=1e-5)(t))


def test_grad_with_respect_to_max_lr_is_finite():
  g = jax.grad(lambda m: tl.OneCycleLR(m, total_steps=100)(40))(0.1)
  assert np.isfinite(g) and g > 0


def test_config_round_trip():
  from optax_sched import from_config, to_config

  s = tl.SequentialLR([tl.LinearLR(0.1, 0.1, 1.0, 5), tl.StepLR(0.1, 10)], [5])
  assert from_config(to_config(s)) == s


# ---- out-of-domain arguments ----

BAD = [
  (lambda: tl.StepLR(0.1, step_size=0), "step_size"),
  (lambda: tl.StepLR(0.1, step_size=2.5), "step_size"),
  (lambda: tl.StepLR(0.1, step_size=10, gamma=-0.1), "gamma"),
  (lambda: tl.StepLR(0.1, 10, last_epoch=5), "last_epoch"),
  (lambda: tl.MultiStepLR(0.1, milestones=[30, 10]), "milestones"),
  (lambda: tl.MultiStepLR(0.1, milestones=[-1]), "milestones"),
  (lambda: tl.ConstantLR(0.1, factor=0.0), "factor"),
  (lambda: tl.ConstantLR(0.1, factor=1.5), "factor"),
  (lambda: tl.ConstantLR(0.1, total_iters=0), "total_iters"),
  (lambda: tl.LinearLR(0.1, start_factor=0.0), "start_factor"),
  (lambda: tl.LinearLR(0.1, end_factor=1.5), "end_factor"),
  (lambda: tl.LinearLR(0.1, total_iters=0), "total_iters"),
  (lambda: tl.ExponentialLR(0.1, gamma=0.0), "gamma"),
  (lambda: tl.PolynomialLR(0.1, total_iters=0), "total_iters"),
  (lambda: tl.PolynomialLR(0.1, power=-1.0), "power"),
  (lambda: tl.CosineAnnealingLR(0.1, T_max=0), "T_max"),
  (lambda: tl.CosineAnnealingWarmRestarts(0.1, T_0=0), "T_0"),
  (lambda: tl.CosineAnnealingWarmRestarts(0.1, T_0=10, T_mult=1.5), "T_mult"),
  (lambda: tl.CyclicLR(0.01, 0.1, step_size_up=0), "step_size_up"),
  (lambda: tl.CyclicLR(0.01, 0.1, step_size_down=-1), "step_size_down"),
  (lambda: tl.CyclicLR(0.01, 0.1, mode="sine"), "mode"),
  (lambda: tl.CyclicLR(0.01, 0.1, scale_mode="epochs", scale_fn=lambda x: 1.0), "scale_mode"),
  (lambda: tl.CyclicLR(0.01, 0.1, mode="exp_range", gamma=0.0), "gamma"),
  (lambda: tl.OneCycleLR(0.1), "total_steps"),
  (lambda: tl.OneCycleLR(0.1, total_steps=0), "total_steps"),
  (lambda: tl.OneCycleLR(0.1, epochs=2, steps_per_epoch=0), "steps_per_epoch"),
  (lambda: tl.OneCycleLR(0.1, total_steps=100, pct_start=1.5), "pct_start"),
  (lambda: tl.OneCycleLR(0.1, total_steps=100, pct_start=0.01), "pct_start"),
  (lambda: tl.OneCycleLR(0.1, total_steps=100, pct_start=0.6, three_phase=True), "pct_start"),
  (lambda: tl.OneCycleLR(0.1, total_steps=100, anneal_strategy="cosine"), "anneal_strategy"),
  (lambda: tl.OneCycleLR(0.1, total_steps=100, div_factor=0.0), "div_factor"),
  (lambda: tl.LambdaLR(0.1, 0.5), "lr_lambda"),
  (lambda: tl.LambdaLR(0.1, [lambda t: 1.0, lambda t: 0.5]), "lr_lambda"),
  (lambda: tl.MultiplicativeLR(0.1, lambda e: 0.9**e), "lr_lambda"),
  (lambda: tl.MultiplicativeLR(0.1, lambda e: 0.9 if e < 10 else 1.0), "lr_lambda"),
  (lambda: tl.SequentialLR([tl.StepLR(0.1, 5)], milestones=[5]), "milestones"),
  (lambda: tl.SequentialLR([tl.StepLR(0.1, 5), tl.StepLR(0.1, 5)], milestones=[]), "milestones"),
  (lambda: tl.SequentialLR([tl.StepLR(0.1, 5)] * 3, milestones=[10, 5]), "milestones"),
  (lambda: tl.SequentialLR([tl.StepLR(0.1, 5)] * 2, milestones=[0]), "milestones"),
  (lambda: tl.SequentialLR([tl.StepLR(0.1, 5), tl.MultiplicativeLR(0.1, 0.9)], [5]), "schedulers"),
  (lambda: tl.SequentialLR([tl.OneCycleLR(0.1, 10), tl.StepLR(0.1, 5)], [5]), "schedulers"),
  (lambda: tl.SequentialLR([], milestones=[]), "schedulers"),
  (lambda: tl.ChainedScheduler([tl.StepLR(0.1, 5), tl.LambdaLR(0.1, lambda t: t)]), "schedulers"),
  (lambda: tl.ChainedScheduler([tl.StepLR(0.1, 5), tl.CosineAnnealingLR(0.1, 10)]), "schedulers"),
  (lambda: tl.ChainedScheduler([tl.StepLR(0.1, 5), tl.StepLR(0.2, 5)]), "base_lr"),
]


@pytest.mark.parametrize("make,arg", BAD, ids=[f"{i}-{a}" for i, (_, a) in enumerate(BAD)])
def test_out_of_domain_argument_raises_naming_it(make, arg):
  with pytest.raises(ValueError, match=rf"torch\.\w+: .*{arg}"):
    make()


@pytest.mark.parametrize("case", FIRST_CASES)
def test_matches_torch_with_the_schedule_as_a_jit_argument(case):
  """Hyperparameters traced (the schedule is a pytree argument)."""
  s = build(case["name"], case["args"])
  n = len(case["steps"])
  out = jax.jit(lambda s, t: s(t))(s, padded(case["steps"]))
  assert_close(out[:n], case["values"], rtol=2e-6)


def test_a_lambda_cannot_be_saved_as_config_and_says_why():
  from optax_sched import to_config

  with pytest.raises(ValueError, match="Python callable"):
    to_config(tl.LambdaLR(0.1, lambda t: 1.0))
