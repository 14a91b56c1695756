"""Our schedules inside optax optimizers give the parameters optax's own give."""

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

import optax_sched as sched

ARGS = dict(init_value=0.0, peak_value=3e-2, warmup_steps=20, decay_steps=300, end_value=3e-4)
STEPS = 300


def _problem():
  key = jax.random.PRNGKey(0)
  k1, k2, k3 = jax.random.split(key, 3)
  x = jax.random.normal(k1, (64, 8))
  y = x @ jax.random.normal(k2, (8,)) + 0.1 * jax.random.normal(k3, (64,))
  params = {"w": jnp.zeros(8), "b": jnp.zeros(())}

  def loss(p):
    return jnp.mean((x @ p["w"] + p["b"] - y) ** 2)

  return params, loss


def _train(make_optimizer, schedule):
  params, loss = _problem()
  opt = make_optimizer(schedule)
  state = opt.init(params)

  @jax.jit
  def step(params, state):
    grads = jax.grad(loss)(params)
    updates, state = opt.update(grads, state, params)
    return optax.apply_updates(params, updates), state

  for _ in range(STEPS):
    params, state = step(params, state)
  return params, state


OPTIMIZERS = {
  "adamw": lambda s: optax.adamw(learning_rate=s, weight_decay=0.01),
  "lesson_chain": lambda s: optax.chain(
    optax.clip_by_global_norm(1.0),
    optax.scale_by_adam(),
    optax.scale_by_schedule(s),
    optax.scale(-1.0),
  ),
  "inject_hyperparams": lambda s: optax.inject_hyperparams(optax.adamw)(learning_rate=s),
  "clip_then_adamw": lambda s: optax.chain(
    optax.clip_by_global_norm(1.0), optax.adamw(learning_rate=s)
  ),
}


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_same_parameters_as_with_optax_schedule(name):
  ours, _ = _train(OPTIMIZERS[name], sched.warmup_cosine_decay_schedule(**ARGS))
  theirs, _ = _train(OPTIMIZERS[name], optax.warmup_cosine_decay_schedule(**ARGS))
  for k in ours:
    np.testing.assert_allclose(ours[k], theirs[k], rtol=1e-5, atol=1e-7)
  # It trained: the schedule was not silently zero.
  assert float(jnp.abs(ours["w"]).sum()) > 0.1


def test_inject_hyperparams_exposes_our_learning_rate():
  s = sched.warmup_cosine_decay_schedule(**ARGS)
  _, state = _train(OPTIMIZERS["inject_hyperparams"], s)
  # inject_hyperparams records the rate it used for the last update.
  np.testing.assert_allclose(state.hyperparams["learning_rate"], s(STEPS - 1), rtol=1e-6)
