"""A user's script, type-checked against the installed wheel (scripts/typecheck_wheel.py).

Every value it builds has a known type (``assert_type``); it runs too
(tests/test_typecheck.py).
"""

from typing import Any

import jax
import jax.numpy as jnp
import optax
from typing_extensions import assert_type

import optax_sched as sched
from optax_sched.compat.torch import StepLR

warm = sched.warmup_cosine_decay_schedule(0.0, 1e-3, warmup_steps=100, decay_steps=1000)
assert_type(warm, sched.warmup_cosine_decay_schedule)

steps = sched.compat.torch.StepLR(1e-3, step_size=30, gamma=0.1)
assert_type(steps, StepLR)
timm = sched.compat.timm.CosineLRScheduler(1e-3, t_initial=100, warmup_t=5)
assert_type(timm, sched.compat.timm.CosineLRScheduler)
hf = sched.compat.transformers.get_linear_schedule_with_warmup(1e-3, 10, 100)
assert_type(hf, sched.compat.transformers.get_linear_schedule_with_warmup)
keras = sched.compat.keras.ExponentialDecay(1e-3, decay_steps=10, decay_rate=0.5)
assert_type(keras, sched.compat.keras.ExponentialDecay)

joined = sched.join_schedules([sched.linear_schedule(0.0, 1e-3, 100), warm], [100])
assert_type(joined, sched.join_schedules)
scaled = 0.5 * warm + sched.constant_schedule(1e-5)
assert_type(scaled, sched.Schedule)
ramped = sched.warmup(sched.cosine_decay_schedule(1e-3, 1000), 100)
assert_type(ramped, sched.warmup)

config = sched.to_config(warm)
assert_type(config, dict[str, Any])
rebuilt = sched.from_config(config)  # a dict of schedules for a per-group config
assert isinstance(rebuilt, sched.Schedule)
assert_type(rebuilt, sched.Schedule)
longer = warm.replace(decay_steps=2000)
assert_type(longer, sched.warmup_cosine_decay_schedule)

value = warm(10)
assert_type(value, jax.Array)


def lr_at_500(peak: jax.Array) -> jax.Array:
  return warm.replace(peak_value=peak)(500)


values = jax.vmap(lr_at_500)(jnp.array([1e-3, 3e-3]))
assert_type(values, jax.Array)

for schedule in (warm, steps, timm, hf, keras, joined, scaled, ramped, rebuilt, longer):
  optimizer = optax.adamw(learning_rate=schedule)
  assert_type(optimizer, optax.GradientTransformationExtraArgs)
  state = optimizer.init({"w": jnp.zeros(3)})
  updates, state = optimizer.update({"w": jnp.ones(3)}, state, {"w": jnp.zeros(3)})

assert rebuilt == warm
assert float(longer(1000)) > float(warm(1000))
print("ok")
