"""Hostile input: one table of bad constructor arguments across every area.

Each row builds a registered name (``optax_sched.registry()``) with one
argument outside its domain; the ValueError must name the schedule and the
argument and say "not allowed" (the project's message format
"<schedule>: <arg>=<value> is not allowed: <what is allowed>"). Rows marked
"peer accepts" are arguments the original library takes without complaint
and turns into a silent constant, a negative rate, NaN or a crash later.
"""

import contextlib
import io
import os
import pathlib
import re
import tempfile
from unittest import mock

import jax.numpy as jnp
import pytest
from hypothesis import given, settings, strategies as st

import optax_sched as sched
from optax_sched import cli
from optax_sched.compat import (
  keras as _keras,  # noqa: F401  (registers the names)
  timm as _timm,  # noqa: F401
  torch as _torch,
  transformers as _hf,  # noqa: F401
)

nan = float("nan")
inf = float("inf")
C = sched.cosine_decay_schedule(1e-3, 100)
L = sched.linear_schedule(0.0, 1e-3, 10)
T = _torch.StepLR(1e-3, 30)


def _f(t):
  return jnp.ones_like(t, float)


# (registered name, kwargs, the argument the message must name)
OPTAX = [
  ("constant_schedule", dict(value=nan), "value"),
  ("constant_schedule", dict(value="1e-3"), "value"),
  (
    "linear_schedule",
    dict(init_value=0.0, end_value=1e-3, transition_steps=-1),
    "transition_steps",
  ),
  (
    "linear_schedule",
    dict(init_value=0.0, end_value=1e-3, transition_steps=10, transition_begin=-5),
    "transition_begin",
  ),
  ("linear_schedule", dict(init_value=inf, end_value=1e-3, transition_steps=10), "init_value"),
  (
    "polynomial_schedule",
    dict(init_value=1.0, end_value=0.0, power=nan, transition_steps=10),
    "power",
  ),
  (
    "polynomial_schedule",
    dict(init_value=1.0, end_value=0.0, power=1.0, transition_steps=-10),
    "transition_steps",
  ),
  ("cosine_decay_schedule", dict(init_value=1e-3, decay_steps=0), "decay_steps"),
  ("cosine_decay_schedule", dict(init_value=1e-3, decay_steps=100, alpha=nan), "alpha"),
  (
    "warmup_cosine_decay_schedule",
    dict(init_value=0.0, peak_value=1e-3, warmup_steps=100, decay_steps=100),
    "decay_steps",
  ),
  (
    "warmup_cosine_decay_schedule",
    dict(init_value=0.0, peak_value=1e-3, warmup_steps=-1, decay_steps=100),
    "warmup_steps",
  ),
  (
    "warmup_constant_schedule",
    dict(init_value=0.0, peak_value=1e-3, warmup_steps=-3),
    "warmup_steps",
  ),
  (
    "exponential_decay",
    dict(init_value=1e-3, transition_steps=0, decay_rate=0.5),
    "transition_steps",
  ),
  ("exponential_decay", dict(init_value=1e-3, transition_steps=10, decay_rate=0.0), "decay_rate"),
  ("exponential_decay", dict(init_value=1e-3, transition_steps=10, decay_rate=-0.5), "decay_rate"),
  (
    "exponential_decay",
    dict(init_value=1e-3, transition_steps=10, decay_rate=0.5, transition_begin=-1),
    "transition_begin",
  ),
  (
    "exponential_decay",
    dict(init_value=1e-3, transition_steps=10, decay_rate=0.5, staircase="yes"),
    "staircase",
  ),
  (
    "warmup_exponential_decay_schedule",
    dict(init_value=0.0, peak_value=1e-3, warmup_steps=-1, transition_steps=10, decay_rate=0.5),
    "warmup_steps",
  ),
  (
    "piecewise_constant_schedule",
    dict(init_value=1e-3, boundaries_and_scales={10: -0.1}),
    "boundaries_and_scales",
  ),
  (
    "piecewise_constant_schedule",
    dict(init_value=1e-3, boundaries_and_scales={-10: 0.1}),
    "boundaries_and_scales",
  ),
  (
    "piecewise_constant_schedule",
    dict(init_value=1e-3, boundaries_and_scales=[(10, 0.1)]),
    "boundaries_and_scales",
  ),
  (
    "piecewise_interpolate_schedule",
    dict(interpolate_type="cubic", init_value=1e-3),
    "interpolate_type",
  ),
  ("linear_onecycle_schedule", dict(transition_steps=0, peak_value=1e-3), "transition_steps"),
  (
    "linear_onecycle_schedule",
    dict(transition_steps=100, peak_value=1e-3, pct_start=1.5),
    "pct_start",
  ),
  (
    "linear_onecycle_schedule",
    dict(transition_steps=100, peak_value=1e-3, pct_start=0.5, pct_final=0.4),
    "pct_final",
  ),
  (
    "linear_onecycle_schedule",
    dict(transition_steps=100, peak_value=1e-3, div_factor=0),
    "div_factor",
  ),
  (
    "cosine_onecycle_schedule",
    dict(transition_steps=100, peak_value=1e-3, final_div_factor=-1),
    "final_div_factor",
  ),
  ("sgdr_schedule", dict(cosine_kwargs=[]), "cosine_kwargs"),
  (
    "sgdr_schedule",
    dict(cosine_kwargs=[dict(init_value=0.0, peak_value=1e-3, warmup_steps=10, decay_steps=5)]),
    "decay_steps",
  ),
  (
    "join_schedules",
    dict(schedules=[sched.constant_schedule(1.0)] * 3, boundaries=[10]),
    "boundaries",
  ),
  (
    "join_schedules",
    dict(schedules=[sched.constant_schedule(1.0)] * 3, boundaries=[20, 10]),
    "boundaries",
  ),
  (
    "join_schedules",
    dict(schedules=[sched.constant_schedule(1.0)] * 2, boundaries=[-1]),
    "boundaries",
  ),
  (
    "join_schedules",
    dict(schedules=["cosine", sched.constant_schedule(1.0)], boundaries=[1]),
    "schedules",
  ),
]

FAMILIES = [
  ("rsqrt_schedule", dict(init_value=nan, timescale=10), "init_value"),
  ("rsqrt_schedule", dict(init_value=1e-3, timescale=0), "timescale"),
  ("rsqrt_schedule", dict(init_value=1e-3, timescale=-10), "timescale"),
  ("rsqrt_schedule", dict(init_value=1e-3, timescale=10, power=0.0), "power"),
  ("rsqrt_schedule", dict(init_value=1e-3, timescale=10, power=inf), "power"),
  ("wsd_schedule", dict(peak_value=inf, stable_steps=10, decay_steps=10), "peak_value"),
  ("wsd_schedule", dict(peak_value=1e-3, stable_steps=-1, decay_steps=10), "stable_steps"),
  ("wsd_schedule", dict(peak_value=1e-3, stable_steps=10, decay_steps=-5), "decay_steps"),
  (
    "wsd_schedule",
    dict(peak_value=1e-3, stable_steps=10, decay_steps=10, decay_shape="quadratic"),
    "decay_shape",
  ),
  (
    "wsd_schedule",
    dict(peak_value=1e-3, stable_steps=10, decay_steps=10, decay_shape="power", exponent=0.0),
    "exponent",
  ),
  (
    "wsd_schedule",
    dict(peak_value=1e-3, stable_steps=10, decay_steps=10, decay_shape="exp", decay_ratio=0.0),
    "decay_ratio",
  ),
  (
    "wsd_schedule",
    dict(peak_value=1e-3, stable_steps=10, decay_steps=10, decay_shape="exp", decay_ratio=1.0),
    "decay_ratio",
  ),
  (
    "wsd_schedule",
    dict(peak_value=1e-3, stable_steps=10, decay_steps=10, num_cycles=nan),
    "num_cycles",
  ),
  (
    "wsd_schedule",
    dict(peak_value=1e-3, stable_steps=10, decay_steps=10, stable_shape="rsqrt"),
    "timescale",
  ),
  (
    "wsd_schedule",
    dict(peak_value=1e-3, stable_steps=10, decay_steps=10, stable_shape="rsqrt", timescale=0),
    "timescale",
  ),
  (
    "wsd_schedule",
    dict(peak_value=1e-3, stable_steps=10, decay_steps=10, stable_shape="log"),
    "stable_shape",
  ),
  (
    "wsd_schedule",
    dict(
      peak_value=1e-3,
      stable_steps=10,
      decay_steps=10,
      stable_shape="power",
      timescale=5,
      stable_power=-1.0,
    ),
    "stable_power",
  ),
  ("tanh_schedule", dict(init_value=1e-3, decay_steps=0), "decay_steps"),
  ("tanh_schedule", dict(init_value=1e-3, decay_steps=100, lb=3.0, ub=-7.0), "ub"),
  ("tanh_schedule", dict(init_value=1e-3, decay_steps=100, lb=nan), "lb"),
  ("tanh_schedule", dict(init_value=1e-3, decay_steps=100, period_mult=0.5), "period_mult"),
  ("tanh_schedule", dict(init_value=1e-3, decay_steps=100, decay=-0.1), "decay"),
  ("tanh_schedule", dict(init_value=1e-3, decay_steps=100, cycle_limit=0), "cycle_limit"),
  ("tanh_schedule", dict(init_value=1e-3, decay_steps=100, cycle_limit=1.5), "cycle_limit"),
  (
    "tri_stage_schedule",
    dict(peak_value=1e-3, warmup_steps=-1, hold_steps=10, decay_steps=10),
    "warmup_steps",
  ),
  (
    "tri_stage_schedule",
    dict(peak_value=1e-3, warmup_steps=10, hold_steps=-1, decay_steps=10),
    "hold_steps",
  ),
  (
    "tri_stage_schedule",
    dict(peak_value=1e-3, warmup_steps=10, hold_steps=10, decay_steps=0),
    "decay_steps",
  ),
  (
    "tri_stage_schedule",
    dict(peak_value=1e-3, warmup_steps=10, hold_steps=10, decay_steps=10, init_scale=-0.1),
    "init_scale",
  ),
  (
    "tri_stage_schedule",
    dict(peak_value=1e-3, warmup_steps=10, hold_steps=10, decay_steps=10, final_scale=0.0),
    "final_scale",
  ),
  ("cosine_cycles_schedule", dict(init_value=1e-3, decay_steps=0), "decay_steps"),
  ("cosine_cycles_schedule", dict(init_value=1e-3, decay_steps=100, num_cycles=inf), "num_cycles"),
  ("cosine_cycles_schedule", dict(init_value=1e-3, decay_steps=100, end_value=nan), "end_value"),
  ("polynomial_restarts_schedule", dict(init_value=1e-3, first_period=0), "first_period"),
  ("polynomial_restarts_schedule", dict(init_value=1e-3, first_period=10, power=0.0), "power"),
  ("polynomial_restarts_schedule", dict(init_value=1e-3, first_period=10, k_decay=0.0), "k_decay"),
  (
    "polynomial_restarts_schedule",
    dict(init_value=1e-3, first_period=10, period_mult=0.9),
    "period_mult",
  ),
  (
    "polynomial_restarts_schedule",
    dict(init_value=1e-3, first_period=10, cycle_limit=-1),
    "cycle_limit",
  ),
  (
    "warmup_polynomial_decay_schedule",
    dict(init_value=0.0, peak_value=1e-3, warmup_steps=10, decay_steps=10),
    "decay_steps",
  ),
  (
    "warmup_polynomial_decay_schedule",
    dict(init_value=0.0, peak_value=1e-3, warmup_steps=-1, decay_steps=10),
    "warmup_steps",
  ),
  (
    "warmup_polynomial_decay_schedule",
    dict(init_value=0.0, peak_value=1e-3, warmup_steps=1, decay_steps=10, power=0.0),
    "power",
  ),
  (
    "warmup_polynomial_decay_schedule",
    dict(init_value=0.0, peak_value=nan, warmup_steps=1, decay_steps=10),
    "peak_value",
  ),
  ("cosine_restarts_schedule", dict(init_value=1e-3, first_period=-1), "first_period"),
  (
    "cosine_restarts_schedule",
    dict(init_value=1e-3, first_period=10, decay_mode="both"),
    "decay_mode",
  ),
  ("cosine_restarts_schedule", dict(init_value=1e-3, first_period=10, k_decay=-1.0), "k_decay"),
  ("cosine_restarts_schedule", dict(init_value=1e-3, first_period=10, decay=-1.0), "decay"),
  ("step_decay_schedule", dict(init_value=1e-3, step_size=0), "step_size"),
  ("step_decay_schedule", dict(init_value=1e-3, step_size=10, gamma=-0.5), "gamma"),
  ("step_decay_schedule", dict(init_value=nan, step_size=10), "init_value"),
  ("multistep_decay_schedule", dict(init_value=1e-3, milestones=[-1]), "milestones"),
  ("multistep_decay_schedule", dict(init_value=1e-3, milestones=[10], gamma=-1.0), "gamma"),
  ("multistep_decay_schedule", dict(init_value=1e-3, milestones="10"), "milestones"),
  ("piecewise_values_schedule", dict(boundaries=[10, 5], values=[1.0, 0.5, 0.1]), "boundaries"),
  ("piecewise_values_schedule", dict(boundaries=[10], values=[1.0, 0.5, 0.1]), "values"),
  ("piecewise_values_schedule", dict(boundaries=[10], values=[1.0, nan]), "values"),
  (
    "piecewise_values_schedule",
    dict(boundaries=[10], values=[1.0, 0.5], closed_right="yes"),
    "closed_right",
  ),
  # The native factor families take any real factors (torch's domain is
  # checked by compat.torch, below).
  ("linear_factor_schedule", dict(base_value=1e-3, start_factor=nan), "start_factor"),
  ("linear_factor_schedule", dict(base_value=1e-3, total_steps=-1), "total_steps"),
  ("constant_factor_schedule", dict(base_value=1e-3, factor=inf), "factor"),
  ("constant_factor_schedule", dict(base_value=1e-3, total_steps=-2), "total_steps"),
  ("cosine_annealing_schedule", dict(init_value=1e-3, decay_steps=0), "decay_steps"),
  ("cosine_annealing_schedule", dict(init_value=1e-3, decay_steps=10, end_value=nan), "end_value"),
  ("cyclic_schedule", dict(init_value=1e-4, peak_value=1e-3, step_size_up=0), "step_size_up"),
  ("cyclic_schedule", dict(init_value=1e-4, peak_value=1e-3, step_size_down=-1), "step_size_down"),
  ("cyclic_schedule", dict(init_value=1e-4, peak_value=1e-3, mode="sawtooth"), "mode"),
  ("cyclic_schedule", dict(init_value=1e-4, peak_value=1e-3, mode="exp_range", gamma=0.0), "gamma"),
  ("cyclic_schedule", dict(init_value=1e-4, peak_value=1e-3, scale_mode="epoch"), "scale_mode"),
  ("cyclic_schedule", dict(init_value=1e-4, peak_value=1e-3, scale_fn=0.5), "scale_fn"),
  ("onecycle_schedule", dict(total_steps=0, peak_value=1e-3), "total_steps"),
  ("onecycle_schedule", dict(total_steps=100, peak_value=1e-3, pct_start=1.5), "pct_start"),
  (
    "onecycle_schedule",
    dict(total_steps=100, peak_value=1e-3, anneal_strategy="cubic"),
    "anneal_strategy",
  ),
  ("onecycle_schedule", dict(total_steps=100, peak_value=1e-3, div_factor=0.0), "div_factor"),
  (
    "inverse_time_decay_schedule",
    dict(init_value=1e-3, decay_steps=0, decay_rate=0.5),
    "decay_steps",
  ),
  (
    "inverse_time_decay_schedule",
    dict(init_value=1e-3, decay_steps=10, decay_rate=-1.0),
    "decay_rate",
  ),
  (
    "inverse_time_decay_schedule",
    dict(init_value=1e-3, decay_steps=10, decay_rate=0.5, staircase="no"),
    "staircase",
  ),
  ("polynomial_decay_schedule", dict(init_value=1e-3, decay_steps=0), "decay_steps"),
  ("polynomial_decay_schedule", dict(init_value=1e-3, decay_steps=10, power=-1.0), "power"),
  (
    "polynomial_schedule",
    dict(init_value=1.0, end_value=0.0, power=-1.0, transition_steps=10),
    "power",
  ),
  ("polynomial_decay_schedule", dict(init_value=1e-3, decay_steps=10, cycle=2), "cycle"),
]

COMPAT = [
  ("torch.StepLR", dict(base_lr=1e-3, step_size=0), "step_size"),
  ("torch.StepLR", dict(base_lr=1e-3, step_size=10, gamma=-1.0), "gamma"),  # peer accepts
  ("torch.MultiStepLR", dict(base_lr=1e-3, milestones=[-5]), "milestones"),  # peer accepts
  ("torch.ConstantLR", dict(base_lr=1e-3, factor=2.0), "factor"),
  ("torch.ConstantLR", dict(base_lr=1e-3, total_iters=-1), "total_iters"),  # peer accepts
  ("torch.LinearLR", dict(base_lr=1e-3, start_factor=0.0), "start_factor"),
  ("torch.LinearLR", dict(base_lr=1e-3, end_factor=2.0), "end_factor"),
  ("torch.ExponentialLR", dict(base_lr=1e-3, gamma=-0.5), "gamma"),  # peer accepts
  ("torch.ExponentialLR", dict(base_lr=1e-3, gamma=nan), "gamma"),  # peer accepts
  ("torch.PolynomialLR", dict(base_lr=1e-3, total_iters=0), "total_iters"),  # peer accepts
  ("torch.PolynomialLR", dict(base_lr=1e-3, power=-1.0), "power"),  # peer accepts
  ("torch.CosineAnnealingLR", dict(base_lr=1e-3, T_max=0), "T_max"),  # peer accepts
  ("torch.CosineAnnealingLR", dict(base_lr=1e-3, T_max=10, eta_min=nan), "eta_min"),
  ("torch.CosineAnnealingWarmRestarts", dict(base_lr=1e-3, T_0=0), "T_0"),
  ("torch.CosineAnnealingWarmRestarts", dict(base_lr=1e-3, T_0=10, T_mult=0), "T_mult"),
  ("torch.CosineAnnealingWarmRestarts", dict(base_lr=1e-3, T_0=10, T_mult=1.5), "T_mult"),
  ("torch.CyclicLR", dict(base_lr=1e-4, max_lr=1e-3, step_size_up=0), "step_size_up"),
  ("torch.CyclicLR", dict(base_lr=1e-4, max_lr=1e-3, mode="sine"), "mode"),
  ("torch.OneCycleLR", dict(max_lr=1e-3), "total_steps"),
  ("torch.OneCycleLR", dict(max_lr=1e-3, total_steps=100, pct_start=2.0), "pct_start"),
  ("torch.OneCycleLR", dict(max_lr=nan, total_steps=100), "max_lr"),
  ("torch.MultiplicativeLR", dict(base_lr=1e-3, lr_lambda="0.9"), "lr_lambda"),
  ("torch.LambdaLR", dict(base_lr=1e-3, lr_lambda=[_f, _f]), "lr_lambda"),
  ("torch.SequentialLR", dict(schedulers=[T, T], milestones=[10, 20]), "milestones"),
  ("torch.SequentialLR", dict(schedulers=[], milestones=[]), "schedulers"),
  ("torch.ChainedScheduler", dict(schedulers=[]), "schedulers"),
  ("torch.ChainedScheduler", dict(schedulers=["StepLR"]), "schedulers"),
  # Not a schedule of the step (a state machine driven by a metric), same checks.
  ("torch.ReduceLROnPlateau", dict(base_lr=1e-3, factor=1.0), "factor"),
  ("torch.ReduceLROnPlateau", dict(base_lr=1e-3, mode="up"), "mode"),
  ("torch.ReduceLROnPlateau", dict(base_lr=1e-3, patience=-1), "patience"),
  ("torch.ReduceLROnPlateau", dict(base_lr=1e-3, threshold_mode="x"), "threshold_mode"),
  ("torch.ReduceLROnPlateau", dict(base_lr=1e-3, min_lr=-1.0), "min_lr"),
  ("torch.ReduceLROnPlateau", dict(base_lr=1e-3, cooldown=nan), "cooldown"),
  (
    "keras.ExponentialDecay",
    dict(initial_learning_rate=1e-3, decay_steps=0, decay_rate=0.9),
    "decay_steps",
  ),
  (
    "keras.ExponentialDecay",
    dict(initial_learning_rate=1e-3, decay_steps=10, decay_rate=-1.0),
    "decay_rate",
  ),  # peer accepts
  ("keras.PiecewiseConstantDecay", dict(boundaries=[10], values=[1.0]), "values"),
  (
    "keras.PiecewiseConstantDecay",
    dict(boundaries=[20, 10], values=[1.0, 0.5, 0.1]),
    "boundaries",
  ),  # peer accepts
  ("keras.PolynomialDecay", dict(initial_learning_rate=1e-3, decay_steps=0), "decay_steps"),
  (
    "keras.PolynomialDecay",
    dict(initial_learning_rate=1e-3, decay_steps=10, power=-1.0),
    "power",
  ),  # peer accepts
  (
    "keras.InverseTimeDecay",
    dict(initial_learning_rate=1e-3, decay_steps=10, decay_rate=-1.0),
    "decay_rate",
  ),  # peer accepts
  (
    "keras.InverseTimeDecay",
    dict(initial_learning_rate=1e-3, decay_steps=0, decay_rate=0.5),
    "decay_steps",
  ),
  ("keras.CosineDecay", dict(initial_learning_rate=1e-3, decay_steps=0), "decay_steps"),
  (
    "keras.CosineDecay",
    dict(initial_learning_rate=1e-3, decay_steps=10, warmup_steps=-1),
    "warmup_steps",
  ),
  (
    "keras.CosineDecayRestarts",
    dict(initial_learning_rate=1e-3, first_decay_steps=0),
    "first_decay_steps",
  ),
  (
    "keras.CosineDecayRestarts",
    dict(initial_learning_rate=1e-3, first_decay_steps=10, t_mul=0.5),
    "t_mul",
  ),
  (
    "keras.CosineDecayRestarts",
    dict(initial_learning_rate=1e-3, first_decay_steps=10, m_mul=-1.0),
    "m_mul",
  ),  # peer accepts
  ("transformers.get_constant_schedule", dict(base_lr=nan), "base_lr"),
  (
    "transformers.get_constant_schedule_with_warmup",
    dict(base_lr=1e-3, num_warmup_steps=-1),
    "num_warmup_steps",
  ),  # peer accepts
  (
    "transformers.get_linear_schedule_with_warmup",
    dict(base_lr=1e-3, num_warmup_steps=10, num_training_steps=-5),
    "num_training_steps",
  ),
  (
    "transformers.get_cosine_schedule_with_warmup",
    dict(base_lr=1e-3, num_warmup_steps=10, num_training_steps=100, num_cycles=nan),
    "num_cycles",
  ),
  (
    "transformers.get_cosine_with_hard_restarts_schedule_with_warmup",
    dict(base_lr=1e-3, num_warmup_steps=10, num_training_steps=100, num_cycles=0),
    "num_cycles",
  ),  # peer accepts
  (
    "transformers.get_polynomial_decay_schedule_with_warmup",
    dict(base_lr=1e-3, num_warmup_steps=10, num_training_steps=100, lr_end=1e-2),
    "lr_end",
  ),
  (
    "transformers.get_polynomial_decay_schedule_with_warmup",
    dict(base_lr=1e-3, num_warmup_steps=10, num_training_steps=100, power=0.0),
    "power",
  ),
  (
    "transformers.get_inverse_sqrt_schedule",
    dict(base_lr=1e-3, num_warmup_steps=10, timescale=0),
    "timescale",
  ),
  (
    "transformers.get_cosine_with_min_lr_schedule_with_warmup",
    dict(base_lr=1e-3, num_warmup_steps=10, num_training_steps=100),
    "min_lr",
  ),
  (
    "transformers.get_cosine_with_min_lr_schedule_with_warmup",
    dict(base_lr=1e-3, num_warmup_steps=10, num_training_steps=100, min_lr=1e-5, min_lr_rate=0.1),
    "min_lr_rate",
  ),
  (
    "transformers.get_cosine_with_min_lr_schedule_with_warmup_lr_rate",
    dict(
      base_lr=1e-3,
      num_warmup_steps=10,
      num_training_steps=100,
      min_lr_rate=0.1,
      warmup_lr_rate=-0.5,
    ),
    "warmup_lr_rate",
  ),
  (
    "transformers.get_wsd_schedule",
    dict(base_lr=1e-3, num_warmup_steps=10, num_decay_steps=10),
    "num_training_steps",
  ),
  (
    "transformers.get_wsd_schedule",
    dict(
      base_lr=1e-3,
      num_warmup_steps=10,
      num_decay_steps=10,
      num_training_steps=100,
      decay_type="exp",
    ),
    "decay_type",
  ),
  (
    "transformers.get_wsd_schedule",
    dict(
      base_lr=1e-3,
      num_warmup_steps=10,
      num_decay_steps=10,
      num_training_steps=100,
      warmup_type="step",
    ),
    "warmup_type",
  ),
  (
    "transformers.get_wsd_schedule",
    dict(base_lr=1e-3, num_warmup_steps=10, num_decay_steps=-1, num_training_steps=100),
    "num_decay_steps",
  ),
  ("timm.CosineLRScheduler", dict(base_lr=1e-3, t_initial=0), "t_initial"),
  ("timm.CosineLRScheduler", dict(base_lr=1e-3, t_initial=10, cycle_mul=0.5), "cycle_mul"),
  ("timm.CosineLRScheduler", dict(base_lr=1e-3, t_initial=10, warmup_t=-1), "warmup_t"),
  ("timm.CosineLRScheduler", dict(base_lr=1e-3, t_initial=10, noise_range_t=5), "noise_range_t"),
  ("timm.TanhLRScheduler", dict(base_lr=1e-3, t_initial=10, lb=3.0, ub=-7.0), "ub"),
  ("timm.PolyLRScheduler", dict(base_lr=1e-3, t_initial=10, power=-1.0), "power"),
  ("timm.StepLRScheduler", dict(base_lr=1e-3, decay_t=0), "decay_t"),
  ("timm.MultiStepLRScheduler", dict(base_lr=1e-3, decay_t=[20, 10]), "decay_t"),
  (
    "timm.WSDLRScheduler",
    dict(base_lr=1e-3, t_initial=100, decay_t=10, decay_fn="step"),
    "decay_fn",
  ),
  (
    "timm.WSDLRScheduler",
    dict(base_lr=1e-3, t_initial=100, decay_t=10, stable_fn="log"),
    "stable_fn",
  ),
  ("timm.WSDLRScheduler", dict(base_lr=1e-3, t_initial=100, decay_t=200), "decay_t"),
]

COMBINATORS = [
  ("warmup", dict(schedule=C, warmup_steps=-1), "warmup_steps"),
  ("warmup", dict(schedule=C, warmup_steps=10, shape="cubic"), "shape"),
  ("warmup", dict(schedule="cosine", warmup_steps=10), "schedule"),
  ("warmup", dict(schedule=C, warmup_steps=10, init_value=nan), "init_value"),
  ("warmup", dict(schedule=C, warmup_steps=10, prefix="yes"), "prefix"),
  ("multiply", dict(a=C, b="x"), "b"),
  ("multiply", dict(a=None, b=C), "a"),
  ("divide", dict(a=C, b=0.0), "b"),
  ("add", dict(a=C, b=nan), "b"),
  ("scale", dict(schedule=C, factor=inf), "factor"),
  ("clip", dict(schedule=C, floor=1e-3, ceiling=1e-4), "ceiling"),
  ("clip", dict(schedule=C, floor=nan), "floor"),
  ("clip", dict(schedule=None, floor=1e-3), "schedule"),
  ("minimum", dict(schedules=[]), "schedules"),
  ("maximum", dict(schedules=[C, "x"]), "schedules"),
  ("shift", dict(schedule=C, steps=nan), "steps"),
  ("shift", dict(schedule=C, steps="10"), "steps"),
  ("shift", dict(schedule=C, steps=-inf), "steps"),
  ("hold", dict(schedule=C, steps=0), "steps"),
  ("hold", dict(schedule=C, steps=inf), "steps"),
  ("hold", dict(schedule=C, steps="100"), "steps"),
  ("per_sample", dict(schedule=C, global_batch_size=0), "global_batch_size"),
  (
    "per_sample",
    dict(schedule=C, global_batch_size=64, rampup_batch_size=(16, 20, 9)),
    "rampup_batch_size",
  ),
  ("cycles", dict(schedule=C, lengths=[100, -1]), "lengths"),
  ("cycles", dict(schedule=C, lengths=[100], warmup_steps=200), "warmup_steps"),
  ("cycles", dict(schedule=C, lengths=[100], peaks=[1.0, 2.0]), "peaks"),
  ("stretch", dict(schedule=C, factor=0.0), "factor"),
  ("rehorizon", dict(schedule=C, at_step=-1, total_steps=100, new_total_steps=200), "at_step"),
  ("rehorizon", dict(schedule=C, at_step=100, total_steps=100, new_total_steps=200), "at_step"),
  (
    "rehorizon",
    dict(schedule=C, at_step=50, total_steps=100, new_total_steps=50),
    "new_total_steps",
  ),
  ("rehorizon", dict(schedule=C, at_step=None, total_steps=100, new_total_steps=200), "at_step"),
  ("stretch", dict(schedule=C, factor=-2.0), "factor"),
  ("repeat", dict(schedule=C, period=0), "period"),
  ("repeat", dict(schedule=C, period=10, period_mult=0.5), "period_mult"),
  ("repeat", dict(schedule=C, period=10, decay=-1.0), "decay"),
  ("repeat", dict(schedule=C, period=10, stretch_cycles="no"), "stretch_cycles"),
  ("per_epoch", dict(schedule=C, steps_per_epoch=0), "steps_per_epoch"),
  ("per_epoch", dict(schedule=C, steps_per_epoch=-3), "steps_per_epoch"),
  ("per_epoch", dict(schedule=T, steps_per_epoch=nan), "steps_per_epoch"),
  ("join_schedules", dict(schedules=[C], boundaries=[nan]), "boundaries"),
]

# Wrong types: a ValueError in the same format, not a TypeError from deep in
# NumPy or jax.
TYPES = [
  ("cosine_decay_schedule", dict(init_value=1e-3, decay_steps="100"), "decay_steps"),
  ("rsqrt_schedule", dict(init_value=1e-3, timescale=None), "timescale"),
  ("rsqrt_schedule", dict(init_value=1e-3, timescale=10, power=True), "power"),
  (
    "cosine_cycles_schedule",
    dict(init_value=1e-3, decay_steps=10, num_cycles=1 + 2j),
    "num_cycles",
  ),
  (
    "wsd_schedule",
    dict(peak_value=1e-3, stable_steps=10, decay_steps=10, decay_shape=3),
    "decay_shape",
  ),
  ("tanh_schedule", dict(init_value=1e-3, decay_steps=100, cycle_limit="2"), "cycle_limit"),
  (
    "tri_stage_schedule",
    dict(peak_value=None, warmup_steps=1, hold_steps=1, decay_steps=1),
    "peak_value",
  ),
  ("step_decay_schedule", dict(init_value=1e-3, step_size=[10, 20]), "step_size"),
  ("torch.StepLR", dict(base_lr=1e-3, step_size="10"), "step_size"),
  ("keras.CosineDecay", dict(initial_learning_rate=1e-3, decay_steps=10, alpha="0"), "alpha"),
  ("timm.CosineLRScheduler", dict(base_lr=1e-3, t_initial=None), "t_initial"),
  (
    "transformers.get_linear_schedule_with_warmup",
    dict(base_lr=1e-3, num_warmup_steps=10, num_training_steps=None),
    "num_training_steps",
  ),
  ("warmup", dict(schedule=C, warmup_steps=None), "warmup_steps"),
  ("stretch", dict(schedule=C, factor=None), "factor"),
  ("repeat", dict(schedule=C, period="5"), "period"),
  ("per_epoch", dict(schedule=C, steps_per_epoch=None), "steps_per_epoch"),
  ("shift", dict(schedule=C, steps={"steps": 10}), "steps"),
  ("join_schedules", dict(schedules=[C, L], boundaries=10), "boundaries"),
]

BAD = OPTAX + FAMILIES + COMPAT + COMBINATORS + TYPES


@pytest.mark.parametrize(
  "name,kwargs,arg", BAD, ids=[f"{b[0]}-{b[2]}-{i}" for i, b in enumerate(BAD)]
)
def test_bad_argument_raises_value_error_naming_it(name, kwargs, arg):
  build = _torch.ReduceLROnPlateau if name == "torch.ReduceLROnPlateau" else sched.registry()[name]
  with pytest.raises(ValueError) as info:
    build(**kwargs)
  message = str(info.value)
  assert message.startswith(f"{name}: "), message
  # The argument, or one entry of it: "milestones[0]=-5".
  assert re.search(rf"\b{re.escape(arg)}(\[[^\]]*\])?=", message), message
  assert "is not allowed: " in message, message


# (registered name, kwargs, the argument, what the message says is allowed)
ALLOWED = [
  ("minimum", dict(schedules=5), "schedules", "it must be a list of schedules"),
  (
    "join_schedules",
    dict(schedules=[], boundaries=[]),
    "schedules",
    "it must hold at least one schedule",
  ),
  (
    "join_schedules",
    dict(schedules=C, boundaries=[]),
    "schedules",
    "it must be a list of schedules",
  ),
  (
    "join_schedules",
    dict(schedules=[C, L], boundaries=[-1]),
    "boundaries[0]",
    "it must be a finite step >= 0",
  ),
  (
    "cosine_restarts_schedule",
    dict(init_value=1e-3, first_period=10, cycle_limit=1.5),
    "cycle_limit",
    "it must be a whole number >= 1, or None for no limit",
  ),
  (
    "rehorizon",
    dict(schedule=C, at_step=100, total_steps=100, new_total_steps=200),
    "at_step",
    "it must be < total_steps=100 (the change must happen inside the planned run)",
  ),
  (
    "per_sample",
    dict(schedule=C, global_batch_size=8, rampup_batch_size=(1, 2)),
    "rampup_batch_size",
    "it must be (start, increment, samples) or None",
  ),
  (
    "per_sample",
    dict(schedule=C, global_batch_size=8, rampup_batch_size=(2, 4, 100)),
    "rampup_batch_size",
    "global_batch_size - start = 6 must be >= 0 and a multiple of the increment",
  ),
  (
    "per_sample",
    dict(schedule=C, global_batch_size=100_002, rampup_batch_size=(1, 1, 1000)),
    "rampup_batch_size",
    "at most 100000 increments",
  ),
  ("repeat", dict(schedule=C, period=10, period_mult=0.5), "period_mult", "it must be >= 1"),
  (
    "shift",
    dict(schedule="x", steps=3),
    "schedule",
    "it must be a schedule or a callable of the step",
  ),
  (
    "warmup",
    dict(schedule=C, warmup_steps=5, init_value=1e-4, peak_value=-1.0, shape="exponential"),
    "peak_value",
    "it must be > 0",
  ),
  (
    "join_schedules",
    dict(schedules=[C, L], boundaries=10),
    "boundaries",
    "it must be a list of steps",
  ),
  (
    "sgdr_schedule",
    dict(cosine_kwargs="abc"),
    "cosine_kwargs",
    "it must be a list of warmup_cosine_decay_schedule argument dicts",
  ),
]


@pytest.mark.parametrize("name,kwargs,arg,allowed", ALLOWED, ids=[a[0] for a in ALLOWED])
def test_the_message_says_what_is_allowed(name, kwargs, arg, allowed):
  with pytest.raises(ValueError) as info:
    sched.registry()[name](**kwargs)
  message = str(info.value)
  assert message.startswith(f"{name}: {arg}="), message
  assert message.endswith(f" is not allowed: {allowed}"), message


def test_the_table_covers_every_area():
  assert len(BAD) >= 120
  names = {row[0] for row in BAD}
  for area in ("torch.", "keras.", "transformers.", "timm."):
    assert any(n.startswith(area) for n in names)
  assert set(sched.COMBINATOR_NAMES) - {"fraction"} <= names


# Text that would create this file if any of it ran.
_MARK = pathlib.Path(tempfile.gettempdir()) / "optax_sched_fuzz_ran"
_HOSTILE = st.sampled_from(
  [
    f"__import__('os').system('touch {_MARK}')",
    f"exec(\"open('{_MARK}', 'w')\")",
    f"constant_schedule(open('{_MARK}', 'w'))",
    "lambda: 0",
    "cosine_decay_schedule(1e-3, 10**400)",
    "cosine_decay_schedule(*[1e-3, 10])",
    "constant_schedule(value=open('x'))",
    "{'name': 'eval', 'args': {}}",
    f"name: constant_schedule\nargs: !!python/object/apply:os.system ['touch {_MARK}']",
    "join_schedules([constant_schedule(1)] * 10**9, [])",
    "(" * 500 + ")" * 500,
  ]
)


@settings(max_examples=100, deadline=None, derandomize=True)
@given(st.one_of(_HOSTILE, st.text(max_size=60).filter(lambda t: not t.startswith("-"))))
def test_the_command_answers_any_text_with_status_0_or_2(text):
  out, err = io.StringIO(), io.StringIO()
  with (
    mock.patch.dict(os.environ, {"JAX_PLATFORMS": "cpu"}),
    contextlib.redirect_stdout(out),
    contextlib.redirect_stderr(err),
  ):
    status = cli.main(["describe", text, "-n", "20"])
  assert status in (0, 2), err.getvalue()
  assert not _MARK.exists()
  if status == 2:
    assert err.getvalue().count("\n") == 1 and "Traceback" not in err.getvalue()


# (registered name, kwargs, the argument and the value as the message shows them, the
# start of what it says is allowed)
SHOWN = [
  ("sgdr_schedule", dict(cosine_kwargs=[]), "cosine_kwargs=[]", "it must hold at least one cycle"),
  (
    "onecycle_schedule",
    dict(total_steps=10, peak_value=1e-3, pct_start=0.1),
    "pct_start=0.1",
    "pct_start * total_steps must not be 1 (total_steps=10)",
  ),
  (
    "piecewise_constant_schedule",
    dict(init_value=1.0, boundaries_and_scales={True: 0.5}),
    "boundaries_and_scales={True: 0.5}",
    "every boundary must be a step >= 0 (got key True)",
  ),
  (
    "piecewise_constant_schedule",
    dict(init_value=1.0, boundaries_and_scales={"10": 0.5}),
    "boundaries_and_scales={'10': 0.5}",
    "every boundary must be a step >= 0 (got key '10')",
  ),
  (
    "piecewise_constant_schedule",
    dict(init_value=1.0, boundaries_and_scales={10: -0.5}),
    "boundaries_and_scales[10]=-0.5",
    "scales must be >= 0",
  ),
  (
    "linear_onecycle_schedule",
    dict(transition_steps=100, peak_value=1e-3, pct_final=1.5),
    "pct_final=1.5",
    "it must be in [0.0, 1.0]",
  ),
  (
    "multistep_decay_schedule",
    dict(init_value=1e-3, milestones="10"),
    "milestones='10'",
    "it must be a list of numbers",
  ),
  (
    "piecewise_values_schedule",
    dict(boundaries=[10], values=[1.0, 0.5, 0.1]),
    "values=[1.0, 0.5, 0.1]",
    "it must hold len(boundaries) + 1 = 2 values, one per piece (got 3)",
  ),
]


@pytest.mark.parametrize(
  "name,kwargs,shown,allowed", SHOWN, ids=[f"{s[0]}-{i}" for i, s in enumerate(SHOWN)]
)
def test_the_message_shows_the_value_given(name, kwargs, shown, allowed):
  """The value in the message is the one given (a bool or text key is refused as a step)."""
  with pytest.raises(ValueError) as info:
    sched.registry()[name](**kwargs)
  message = str(info.value)
  assert message.startswith(f"{name}: {shown} is not allowed: {allowed}"), message
