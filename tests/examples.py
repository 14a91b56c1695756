"""One valid instance of every optax-named schedule, for tests that sweep all."""

import jax.numpy as jnp

import optax_sched as sched
from optax_sched.compat import (
  keras as _keras,
  timm as _timm,
  torch as _torch,
  transformers as _hf,
)

OPTAX_EXAMPLES = {
  "constant_schedule": lambda: sched.constant_schedule(1e-3),
  "linear_schedule": lambda: sched.linear_schedule(0.0, 1e-3, 100, 10),
  "polynomial_schedule": lambda: sched.polynomial_schedule(1e-3, 1e-5, 2.0, 100, 5),
  "cosine_decay_schedule": lambda: sched.cosine_decay_schedule(1e-3, 100, 0.1),
  "warmup_cosine_decay_schedule": lambda: sched.warmup_cosine_decay_schedule(
    0.0, 1e-3, 10, 100, 1e-5
  ),
  "warmup_constant_schedule": lambda: sched.warmup_constant_schedule(0.0, 1e-3, 10),
  "warmup_exponential_decay_schedule": lambda: sched.warmup_exponential_decay_schedule(
    0.0, 1e-3, 10, 20, 0.5, end_value=1e-5
  ),
  "exponential_decay": lambda: sched.exponential_decay(1e-3, 20, 0.5, 5, True),
  "piecewise_constant_schedule": lambda: sched.piecewise_constant_schedule(
    1e-3, {30: 0.1, 60: 0.1}
  ),
  "piecewise_interpolate_schedule": lambda: sched.piecewise_interpolate_schedule(
    "cosine", 1e-3, {30: 0.1, 60: 0.5}
  ),
  "linear_onecycle_schedule": lambda: sched.linear_onecycle_schedule(100, 1e-3),
  "cosine_onecycle_schedule": lambda: sched.cosine_onecycle_schedule(100, 1e-3),
  "sgdr_schedule": lambda: sched.sgdr_schedule(
    [dict(init_value=1e-4, peak_value=1e-3, warmup_steps=5, decay_steps=50)] * 2
  ),
  "join_schedules": lambda: sched.join_schedules(
    [sched.linear_schedule(0.0, 1e-3, 10), sched.cosine_decay_schedule(1e-3, 90)], [10]
  ),
}

_COS = sched.cosine_decay_schedule(1e-3, 100, 0.1)
_LIN = sched.linear_schedule(0.0, 1e-3, 50)

# One valid instance of every combinator (every registered name it adds).
COMBINATOR_EXAMPLES = {
  "join_schedules": lambda: sched.join_schedules(  # one family: the fast path
    [_COS, _COS.replace(init_value=5e-4, decay_steps=60)], [50]
  ),
  "warmup": lambda: sched.warmup(_COS, 20, 1e-5, "cosine"),
  "multiply": lambda: sched.multiply(_COS, _LIN),
  "divide": lambda: sched.divide(_COS, 2.0),
  "add": lambda: sched.add(_COS, 1e-4),
  "scale": lambda: sched.scale(_COS, 0.5),
  "minimum": lambda: sched.minimum(_COS, _LIN, 8e-4),
  "maximum": lambda: sched.maximum(_COS, 5e-4),
  "clip": lambda: sched.clip(_COS, floor=2e-4, ceiling=9e-4),
  "shift": lambda: sched.shift(_COS, 30),
  "hold": lambda: sched.hold(_COS, 70),
  "stretch": lambda: sched.stretch(_COS, 2.5),
  "repeat": lambda: sched.repeat(_COS, 40, 2.0, 0.5),
  "per_epoch": lambda: sched.per_epoch(_COS, 7),
  "cycles": lambda: sched.cycles(_COS, [110, 60], [10, 5], [1.0, 0.5]),
  "per_sample": lambda: sched.per_sample(_COS, 8, (2, 2, 100)),
  "rehorizon": lambda: sched.rehorizon(_COS, 40, 100, 150),
}

# The families behind compat.transformers / compat.timm, and those compat names.
HF_TIMM_EXAMPLES = {
  "rsqrt_schedule": lambda: sched.rsqrt_schedule(1e-3, 20.0),
  "wsd_schedule": lambda: sched.wsd_schedule(1e-3, 100, 60, 1e-5, "cosine"),
  "tanh_schedule": lambda: sched.tanh_schedule(1e-3, 80, 1e-5),
  "tri_stage_schedule": lambda: sched.tri_stage_schedule(1e-3, 20, 30, 100),
  "cosine_cycles_schedule": lambda: sched.cosine_cycles_schedule(1e-3, 100, 1.5, 1e-5),
  "polynomial_restarts_schedule": lambda: sched.polynomial_restarts_schedule(
    1e-3, 50, 2.0, cycle_limit=3
  ),
  "warmup_polynomial_decay_schedule": lambda: sched.warmup_polynomial_decay_schedule(
    0.0, 1e-3, 10, 150, 1e-5, 2.0
  ),
  "transformers.get_constant_schedule": lambda: _hf.get_constant_schedule(1e-3),
  "transformers.get_constant_schedule_with_warmup": lambda: _hf.get_constant_schedule_with_warmup(
    1e-3, 10
  ),
  "transformers.get_linear_schedule_with_warmup": lambda: _hf.get_linear_schedule_with_warmup(
    1e-3, 10, 150
  ),
  "transformers.get_cosine_schedule_with_warmup": lambda: _hf.get_cosine_schedule_with_warmup(
    1e-3, 10, 150
  ),
  "transformers.get_cosine_with_hard_restarts_schedule_with_warmup": lambda: (
    _hf.get_cosine_with_hard_restarts_schedule_with_warmup(1e-3, 10, 150, 3)
  ),
  "transformers.get_polynomial_decay_schedule_with_warmup": lambda: (
    _hf.get_polynomial_decay_schedule_with_warmup(1e-3, 10, 150, 1e-5, 2.0)
  ),
  "transformers.get_inverse_sqrt_schedule": lambda: _hf.get_inverse_sqrt_schedule(1e-3, 10),
  "transformers.get_cosine_with_min_lr_schedule_with_warmup": lambda: (
    _hf.get_cosine_with_min_lr_schedule_with_warmup(1e-3, 10, 150, min_lr=1e-5)
  ),
  "transformers.get_cosine_with_min_lr_schedule_with_warmup_lr_rate": lambda: (
    _hf.get_cosine_with_min_lr_schedule_with_warmup_lr_rate(1e-3, 10, 150, min_lr_rate=0.01)
  ),
  "transformers.get_wsd_schedule": lambda: _hf.get_wsd_schedule(
    1e-3, 10, 40, num_training_steps=150
  ),
  "timm.CosineLRScheduler": lambda: _timm.CosineLRScheduler(
    1e-3, t_initial=50, lr_min=1e-5, cycle_limit=3, warmup_t=5
  ),
  "timm.TanhLRScheduler": lambda: _timm.TanhLRScheduler(
    1e-3, t_initial=100, lr_min=1e-5, warmup_t=5
  ),
  "timm.PolyLRScheduler": lambda: _timm.PolyLRScheduler(
    1e-3, t_initial=100, power=2.0, warmup_t=5, warmup_prefix=True
  ),
  "timm.StepLRScheduler": lambda: _timm.StepLRScheduler(1e-3, decay_t=30, decay_rate=0.5),
  "timm.MultiStepLRScheduler": lambda: _timm.MultiStepLRScheduler(
    1e-3, decay_t=[40, 80], decay_rate=0.1
  ),
  "timm.WSDLRScheduler": lambda: _timm.WSDLRScheduler(
    1e-3, t_initial=150, decay_t=50, warmup_t=10, stable_fn="rsqrt"
  ),
}

# The families behind compat.torch/compat.keras, and the compat classes.
TORCH_KERAS_EXAMPLES = {
  "cosine_restarts_schedule": lambda: sched.cosine_restarts_schedule(
    1e-3, 20, 2.0, 0.8, 1e-5, cycle_limit=4
  ),
  "step_decay_schedule": lambda: sched.step_decay_schedule(1e-3, 30, 0.5),
  "multistep_decay_schedule": lambda: sched.multistep_decay_schedule(1e-3, [30, 60], 0.1),
  "piecewise_values_schedule": lambda: sched.piecewise_values_schedule(
    [30, 60], [1e-3, 5e-4, 1e-4], closed_right=True
  ),
  "linear_factor_schedule": lambda: sched.linear_factor_schedule(1e-3, 0.1, 1.0, 20),
  "constant_factor_schedule": lambda: sched.constant_factor_schedule(1e-3, 0.5, 20),
  "cosine_annealing_schedule": lambda: sched.cosine_annealing_schedule(1e-3, 100, 1e-5),
  "cyclic_schedule": lambda: sched.cyclic_schedule(1e-4, 1e-3, 10, 15, "triangular2"),
  "onecycle_schedule": lambda: sched.onecycle_schedule(100, 1e-3, 0.25, three_phase=True),
  "inverse_time_decay_schedule": lambda: sched.inverse_time_decay_schedule(1e-3, 10, 0.5),
  "polynomial_decay_schedule": lambda: sched.polynomial_decay_schedule(
    1e-3, 30, 1e-5, 2.0, cycle=True
  ),
  "torch.StepLR": lambda: _torch.StepLR(1e-3, 30),
  "torch.MultiStepLR": lambda: _torch.MultiStepLR(1e-3, [30, 60]),
  "torch.ConstantLR": lambda: _torch.ConstantLR(1e-3, 0.5, 10),
  "torch.LinearLR": lambda: _torch.LinearLR(1e-3, 0.1, 1.0, 10),
  "torch.ExponentialLR": lambda: _torch.ExponentialLR(1e-3, 0.97),
  "torch.PolynomialLR": lambda: _torch.PolynomialLR(1e-3, 80, 2.0),
  "torch.CosineAnnealingLR": lambda: _torch.CosineAnnealingLR(1e-3, 100, 1e-5),
  "torch.CosineAnnealingWarmRestarts": lambda: _torch.CosineAnnealingWarmRestarts(
    1e-3, 10, 2, 1e-5
  ),
  "torch.CyclicLR": lambda: _torch.CyclicLR(1e-4, 1e-3, 10, mode="exp_range", gamma=0.99),
  "torch.OneCycleLR": lambda: _torch.OneCycleLR(1e-3, 100),
  "torch.MultiplicativeLR": lambda: _torch.MultiplicativeLR(1e-3, 0.97),
  "torch.SequentialLR": lambda: _torch.SequentialLR(
    [_torch.LinearLR(1e-3, 0.1, 1.0, 10), _torch.CosineAnnealingLR(1e-3, 90)], [10]
  ),
  "torch.ChainedScheduler": lambda: _torch.ChainedScheduler(
    [_torch.LinearLR(1e-3, 0.1, 1.0, 10), _torch.StepLR(1e-3, 30, 0.5)]
  ),
  "keras.ExponentialDecay": lambda: _keras.ExponentialDecay(1e-3, 10, 0.9, staircase=True),
  "keras.PiecewiseConstantDecay": lambda: _keras.PiecewiseConstantDecay(
    [30, 60], [1e-3, 5e-4, 1e-4]
  ),
  "keras.PolynomialDecay": lambda: _keras.PolynomialDecay(1e-3, 30, 1e-5, 0.5, cycle=True),
  "keras.InverseTimeDecay": lambda: _keras.InverseTimeDecay(1e-3, 10, 0.5),
  "keras.CosineDecay": lambda: _keras.CosineDecay(0.0, 90, 0.1, 1e-3, 10),
  "keras.CosineDecayRestarts": lambda: _keras.CosineDecayRestarts(1e-3, 10, 2.0, 0.8, 0.1),
}

# Names whose schedule holds a Python function: not in a ``*_EXAMPLES`` table,
# because config/spec round trips (which sweep those tables) cannot save one.
FUNCTION_HOLDING = {
  "torch.LambdaLR": lambda: _torch.LambdaLR(
    1e-3, lambda t: jnp.where(t < 10, t / 10, 0.97 ** (t - 10))
  ),
}
