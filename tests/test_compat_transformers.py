"""compat.transformers gives Transformers' numbers (golden traces of the real library)."""

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
from optax_sched.compat import transformers as hf

CASES = golden_cases("transformers")


@pytest.mark.parametrize("case", CASES)
def test_matches_transformers_trace(case):
  assert_close(evaluate(build(case), np.asarray(case["steps"])), case["values"], rtol=2e-6)


@pytest.mark.parametrize("case", CASES)
def test_config_round_trip_gives_the_same_schedule(case):
  s = build(case)
  assert sched.from_config(sched.to_config(s)) == s


def test_every_get_function_is_covered_by_golden_cases():
  names = {c.values[0]["name"] for c in CASES}
  assert names == {f"transformers.{cls.__name__}" for cls in hf.SCHEDULER_TYPES.values()}


def test_repr_reads_like_the_transformers_call():
  s = hf.get_cosine_schedule_with_warmup(3e-4, 500, 10_000)
  assert repr(s) == (
    "transformers.get_cosine_schedule_with_warmup(base_lr=0.0003,"
    " num_warmup_steps=500, num_training_steps=10000)"
  )


def test_first_update_of_a_warmup_has_lr_zero():
  assert float(hf.get_linear_schedule_with_warmup(1e-3, 10, 100)(0)) == 0.0


def test_cosine_rises_again_after_num_training_steps():
  s = hf.get_cosine_schedule_with_warmup(1e-3, 0, 100)
  assert float(s(100)) < 1e-9 and float(s(150)) == pytest.approx(5e-4)


@pytest.mark.parametrize(
  "name,kwargs",
  [
    ("linear", {"num_warmup_steps": 10, "num_training_steps": 100}),
    ("cosine", {"num_warmup_steps": 10, "num_training_steps": 100}),
    (
      "cosine_with_restarts",
      {
        "num_warmup_steps": 10,
        "num_training_steps": 100,
        "scheduler_specific_kwargs": {"num_cycles": 3},
      },
    ),
    ("polynomial", {"num_warmup_steps": 10, "num_training_steps": 100}),
    ("constant", {}),
    ("constant_with_warmup", {"num_warmup_steps": 10}),
    ("inverse_sqrt", {"num_warmup_steps": 10}),
    (
      "cosine_with_min_lr",
      {
        "num_warmup_steps": 10,
        "num_training_steps": 100,
        "scheduler_specific_kwargs": {"min_lr": 1e-5},
      },
    ),
    (
      "cosine_warmup_with_min_lr",
      {
        "num_warmup_steps": 10,
        "num_training_steps": 100,
        "scheduler_specific_kwargs": {"min_lr_rate": 0.1},
      },
    ),
    (
      "warmup_stable_decay",
      {
        "num_warmup_steps": 10,
        "num_training_steps": 100,
        "scheduler_specific_kwargs": {"num_decay_steps": 20},
      },
    ),
  ],
)
def test_get_scheduler_builds_the_named_schedule(name, kwargs):
  s = hf.get_scheduler(name, 1e-3, **kwargs)
  assert type(s) is hf.SCHEDULER_TYPES[name]


@pytest.mark.parametrize(
  "name,kwargs,missing",
  [
    ("linear", {"num_training_steps": 100}, "num_warmup_steps"),
    ("cosine", {"num_warmup_steps": 10}, "num_training_steps"),
    ("inverse_sqrt", {}, "num_warmup_steps"),
  ],
)
def test_get_scheduler_names_the_missing_argument(name, kwargs, missing):
  with pytest.raises(ValueError, match=missing):
    hf.get_scheduler(name, 1e-3, **kwargs)


@pytest.mark.parametrize("name", ["reduce_lr_on_plateau", "greedy", "cosine_annealing"])
def test_get_scheduler_rejects_names_without_a_step_schedule(name):
  with pytest.raises(ValueError, match="name="):
    hf.get_scheduler(name, 1e-3, num_warmup_steps=1, num_training_steps=10)


def test_get_scheduler_rejects_kwargs_of_another_schedule():
  with pytest.raises(ValueError, match="scheduler_specific_kwargs"):
    hf.get_scheduler("linear", 1e-3, 10, 100, {"num_cycles": 2})


@pytest.mark.parametrize(
  "cls,kwargs,arg",
  [
    (hf.get_constant_schedule_with_warmup, dict(num_warmup_steps=-1), "num_warmup_steps"),
    (
      hf.get_linear_schedule_with_warmup,
      dict(num_warmup_steps=10, num_training_steps=10),
      "num_training_steps",
    ),
    (
      hf.get_cosine_schedule_with_warmup,
      dict(num_warmup_steps=10, num_training_steps=5),
      "num_training_steps",
    ),
    (
      hf.get_cosine_with_hard_restarts_schedule_with_warmup,
      dict(num_warmup_steps=0, num_training_steps=10, num_cycles=0),
      "num_cycles",
    ),
    (
      hf.get_polynomial_decay_schedule_with_warmup,
      dict(num_warmup_steps=0, num_training_steps=10, lr_end=1e-3),
      "lr_end",
    ),
    (
      hf.get_polynomial_decay_schedule_with_warmup,
      dict(num_warmup_steps=0, num_training_steps=10, power=0.0),
      "power",
    ),
    (hf.get_inverse_sqrt_schedule, dict(num_warmup_steps=10, timescale=0), "timescale"),
    (
      hf.get_cosine_with_min_lr_schedule_with_warmup,
      dict(num_warmup_steps=0, num_training_steps=10, min_lr=1e-5, min_lr_rate=0.1),
      "min_lr_rate",
    ),
    (
      hf.get_cosine_with_min_lr_schedule_with_warmup,
      dict(num_warmup_steps=0, num_training_steps=10),
      "min_lr",
    ),
    (
      hf.get_cosine_with_min_lr_schedule_with_warmup,
      dict(num_warmup_steps=0, num_training_steps=10, min_lr_rate=1.5),
      "min_lr_rate",
    ),
    (
      hf.get_cosine_with_min_lr_schedule_with_warmup,
      dict(num_warmup_steps=0, num_training_steps=10, min_lr=1.0),
      "min_lr",
    ),
    (
      hf.get_cosine_with_min_lr_schedule_with_warmup_lr_rate,
      dict(num_warmup_steps=2, num_training_steps=10, min_lr_rate=0.1, warmup_lr_rate=-0.5),
      "warmup_lr_rate",
    ),
    (hf.get_wsd_schedule, dict(num_warmup_steps=0, num_decay_steps=5), "num_training_steps"),
    (
      hf.get_wsd_schedule,
      dict(num_warmup_steps=10, num_decay_steps=20, num_training_steps=25),
      "num_training_steps",
    ),
    (
      hf.get_wsd_schedule,
      dict(num_warmup_steps=10, num_decay_steps=20, num_training_steps=100, num_stable_steps=10),
      "num_stable_steps",
    ),
    (
      hf.get_wsd_schedule,
      dict(num_warmup_steps=0, num_decay_steps=5, num_training_steps=10, decay_type="exp"),
      "decay_type",
    ),
    (
      hf.get_wsd_schedule,
      dict(num_warmup_steps=0, num_decay_steps=5, num_training_steps=10, warmup_type="power"),
      "warmup_type",
    ),
    (
      hf.get_wsd_schedule,
      dict(num_warmup_steps=0, num_decay_steps=5, num_training_steps=10, min_lr_ratio=-0.1),
      "min_lr_ratio",
    ),
  ],
)
def test_out_of_domain_argument_raises_naming_it(cls, kwargs, arg):
  with pytest.raises(ValueError, match=f"{cls.name}: {arg}="):
    cls(1e-3, **kwargs)


def test_traced_base_lr_under_vmap_equals_one_at_a_time():
  steps = jnp.arange(0, 130, 7)

  def build(lr):
    return hf.get_wsd_schedule(lr, 10, 30, num_training_steps=100)(steps)

  lrs = jnp.array([1e-3, 3e-3])
  assert_close(jax.vmap(build)(lrs), np.stack([build(float(x)) for x in lrs]))


def test_traced_step_counts_under_vmap_equal_one_at_a_time():
  steps = jnp.arange(0, 130, 7)

  def build(w):
    return hf.get_cosine_schedule_with_warmup(1e-3, w, 100.0)(steps)

  ws = jnp.array([5.0, 20.0])
  assert_close(jax.vmap(build)(ws), np.stack([build(float(x)) for x in ws]))


@pytest.mark.parametrize(
  "cls,kwargs",
  [
    (
      hf.get_cosine_with_min_lr_schedule_with_warmup_lr_rate,
      dict(num_warmup_steps=10, num_training_steps=100, min_lr_rate=0.1),
    ),
    (
      hf.get_polynomial_decay_schedule_with_warmup,
      dict(num_warmup_steps=10, num_training_steps=100, power=0.5),
    ),
    (
      hf.get_wsd_schedule,
      dict(
        num_warmup_steps=10,
        num_decay_steps=30,
        num_training_steps=100,
        decay_type="1-sqrt",
        warmup_type="1-sqrt",
      ),
    ),
  ],
)
def test_grad_wrt_every_hyperparameter_is_finite_at_every_step(cls, kwargs):
  for grad in grads_of_every_leaf(cls(1e-3, **kwargs), np.arange(120)):
    assert np.all(np.isfinite(grad))


@pytest.mark.parametrize("case", first_case_per_name("transformers"))
def test_grad_wrt_every_hyperparameter_is_finite(case):
  for grad in grads_of_every_leaf(build(case), case["steps"]):
    assert np.all(np.isfinite(grad))
