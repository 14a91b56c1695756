"""compat.timm gives timm's numbers (golden traces of the real schedulers)."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from conftest import (
  assert_close,
  build_case as build,
  evaluate,
  first_case_per_name,
  golden_cases,
  grads_of_every_leaf,
)

import optax_sched as sched
from optax_sched.compat import timm

CASES = golden_cases("timm")
NAMES = [
  "CosineLRScheduler",
  "TanhLRScheduler",
  "PolyLRScheduler",
  "StepLRScheduler",
  "MultiStepLRScheduler",
  "WSDLRScheduler",
]


@pytest.mark.parametrize("case", CASES)
def test_matches_timm_trace(case):
  assert_close(evaluate(build(case), np.asarray(case["steps"])), case["values"], rtol=2e-6)


@pytest.mark.parametrize("case", CASES)
def test_config_round_trip_gives_the_same_schedule(case):
  s = build(case)
  assert sched.from_config(sched.to_config(s)) == s


def test_every_scheduler_is_covered_by_golden_cases():
  assert {c.values[0]["name"] for c in CASES} == {f"timm.{n}" for n in NAMES}


def test_multistep_decays_one_step_before_the_milestone():
  s = timm.MultiStepLRScheduler(1.0, decay_t=[10], decay_rate=0.1)
  assert [float(s(k)) for k in (8, 9)] == [1.0, pytest.approx(0.1)]


def test_warmup_without_prefix_overrides_the_start_of_the_cosine():
  s = timm.CosineLRScheduler(1.0, t_initial=20, warmup_t=10, warmup_prefix=False)
  assert float(s(10)) == pytest.approx(0.5)


def test_t_in_epochs_does_not_change_the_values():
  a = timm.CosineLRScheduler(1.0, t_initial=20, t_in_epochs=True)
  b = timm.CosineLRScheduler(1.0, t_initial=20, t_in_epochs=False)
  assert_close(a(jnp.arange(30)), b(jnp.arange(30)))


@pytest.mark.parametrize(
  "cls,kwargs,arg",
  [
    (timm.CosineLRScheduler, dict(t_initial=10, noise_range_t=[2, 5]), "noise_range_t"),
    (timm.StepLRScheduler, dict(decay_t=10, noise_range_t=3), "noise_range_t"),
    (timm.CosineLRScheduler, dict(t_initial=0), "t_initial"),
    (timm.CosineLRScheduler, dict(t_initial=10, lr_min=-1e-5), "lr_min"),
    (timm.CosineLRScheduler, dict(t_initial=10, cycle_mul=0.5), "cycle_mul"),
    (timm.CosineLRScheduler, dict(t_initial=10, cycle_limit=0), "cycle_limit"),
    (timm.CosineLRScheduler, dict(t_initial=10, k_decay=0), "k_decay"),
    (timm.CosineLRScheduler, dict(t_initial=10, warmup_t=-1), "warmup_t"),
    (timm.CosineLRScheduler, dict(t_initial=10, warmup_lr_init=-1.0), "warmup_lr_init"),
    (timm.TanhLRScheduler, dict(t_initial=10, lb=3.0, ub=3.0), "ub"),
    (timm.PolyLRScheduler, dict(t_initial=10, power=0.0), "power"),
    (timm.StepLRScheduler, dict(decay_t=0), "decay_t"),
    (timm.StepLRScheduler, dict(decay_t=10, decay_rate=0.0), "decay_rate"),
    (timm.MultiStepLRScheduler, dict(decay_t=[20, 10]), "decay_t"),
    (timm.MultiStepLRScheduler, dict(decay_t=[-1, 10]), "decay_t"),
    (timm.MultiStepLRScheduler, dict(decay_t=10), "decay_t"),
    (timm.WSDLRScheduler, dict(t_initial=10, decay_t=20), "decay_t"),
    (timm.WSDLRScheduler, dict(t_initial=10, decay_t=5, decay_fn="sqrt"), "decay_fn"),
    (timm.WSDLRScheduler, dict(t_initial=10, decay_t=5, decay_fn=lambda f: 1 - f), "decay_fn"),
    (timm.WSDLRScheduler, dict(t_initial=10, decay_t=5, stable_fn="rsqrt"), "stable_timescale"),
    (timm.WSDLRScheduler, dict(t_initial=10, decay_t=5, decay_ratio=1.0), "decay_ratio"),
  ],
)
def test_out_of_domain_argument_raises_naming_it(cls, kwargs, arg):
  with pytest.raises(ValueError, match=rf"{cls.name}: {arg}(\[\d+\])?="):
    cls(1e-3, **kwargs)


@pytest.mark.parametrize(
  "build_one,xs",
  [
    (lambda x: timm.CosineLRScheduler(x, t_initial=30, warmup_t=5, cycle_limit=3), [1e-4, 5e-4]),
    (lambda x: timm.TanhLRScheduler(1e-3, t_initial=30, warmup_t=5, lr_min=x), [1e-5, 1e-4]),
    (lambda x: timm.PolyLRScheduler(1e-3, t_initial=30, power=x, cycle_limit=2), [0.6, 1.7]),
    (
      lambda x: timm.WSDLRScheduler(
        1e-3, t_initial=40, decay_t=20, decay_power=x, decay_fn="power", warmup_t=5
      ),
      [0.6, 1.7],
    ),
  ],
  ids=["cosine.base_lr", "tanh.lr_min", "poly.power", "wsd.decay_power"],
)
def test_traced_hyperparameter_under_vmap_equals_one_at_a_time(build_one, xs):
  steps = jnp.arange(0, 90, 3)
  swept = jax.vmap(lambda x: build_one(x)(steps))(jnp.array(xs))
  assert_close(swept, np.stack([build_one(x)(steps) for x in xs]))


@pytest.mark.parametrize(
  "cls,kwargs",
  [
    (timm.PolyLRScheduler, dict(t_initial=30, power=0.5, k_decay=0.7, cycle_limit=2)),
    (timm.WSDLRScheduler, dict(t_initial=40, decay_t=20, warmup_t=5, stable_fn="rsqrt")),
    (timm.CosineLRScheduler, dict(t_initial=30, k_decay=0.5, warmup_t=3)),
  ],
)
def test_grad_wrt_every_hyperparameter_is_finite_at_every_step(cls, kwargs):
  for grad in grads_of_every_leaf(cls(1e-3, **kwargs), np.arange(120)):
    assert np.all(np.isfinite(grad))


@pytest.mark.parametrize("case", first_case_per_name("timm"))
def test_grad_wrt_every_hyperparameter_is_finite(case):
  for grad in grads_of_every_leaf(build(case), case["steps"]):
    assert np.all(np.isfinite(grad))
