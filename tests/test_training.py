"""current_lr: the rate of the next update, read from any optax state."""

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

import optax_sched as sched
from optax_sched.training import current_lr, step_count

S = sched.warmup_cosine_decay_schedule(0.0, 1.0, 4, 20, 0.05)
PARAMS = {"w": jnp.zeros(3), "b": jnp.zeros(())}
GRADS = {"w": jnp.ones(3), "b": jnp.ones(())}

OPTIMIZERS = {
  "scale_by_schedule": lambda s: optax.chain(optax.scale_by_schedule(s), optax.scale(-1.0)),
  "sgd": lambda s: optax.sgd(s),
  "adamw": lambda s: optax.adamw(learning_rate=s, weight_decay=0.01),
  "chain_clip_adamw": lambda s: optax.chain(
    optax.clip_by_global_norm(1.0), optax.adamw(learning_rate=s)
  ),
  "lesson_chain": lambda s: optax.chain(
    optax.clip_by_global_norm(1.0),
    optax.scale_by_adam(),
    optax.scale_by_schedule(s),
    optax.scale(-1.0),
  ),
  "inject_hyperparams": lambda s: optax.inject_hyperparams(optax.adamw)(learning_rate=s),
  "multisteps": lambda s: optax.MultiSteps(optax.adamw(s), every_k_schedule=1),
}


def _updates(opt, n):
  """The state after ``n`` updates, in one compiled loop."""

  def body(_, state):
    return opt.update(GRADS, state, PARAMS)[1]

  return jax.jit(lambda: jax.lax.fori_loop(0, n, body, opt.init(PARAMS)))()


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
@pytest.mark.parametrize("n", [0, 6, 23])
def test_current_lr_is_schedule_at_number_of_updates(name, n):
  state = _updates(OPTIMIZERS[name](S), n)
  np.testing.assert_allclose(current_lr(S, state), S(n), rtol=1e-7)


@pytest.mark.parametrize("n", [0, 3, 10])
def test_current_lr_is_the_rate_the_next_update_applies(n):
  opt = optax.sgd(S)
  state = _updates(opt, n)
  updates, _ = opt.update(GRADS, state, PARAMS)
  # sgd applies -lr * grad, and every grad is 1.
  np.testing.assert_allclose(-updates["w"], current_lr(S, state) * jnp.ones(3), rtol=1e-7)


def test_inject_hyperparams_stores_the_last_rate_current_lr_gives_the_next():
  opt = OPTIMIZERS["inject_hyperparams"](S)
  state = _updates(opt, 5)
  np.testing.assert_allclose(state.hyperparams["learning_rate"], S(4), rtol=1e-7)
  np.testing.assert_allclose(current_lr(S, state), S(5), rtol=1e-7)


@pytest.mark.parametrize("every_k", [2, 4])
def test_multisteps_schedule_counts_optimizer_updates_not_micro_batches(every_k):
  opt = optax.MultiSteps(optax.sgd(S), every_k_schedule=every_k)
  updates_made = 3
  state = _updates(opt, every_k * updates_made + 1)  # one micro-batch into the next
  assert int(step_count(state)) == updates_made
  np.testing.assert_allclose(current_lr(S, state), S(updates_made), rtol=1e-7)


def test_multisteps_update_applies_the_rate_of_its_update_number():
  every_k, updates_made = 3, 5
  opt = optax.MultiSteps(optax.sgd(S), every_k_schedule=every_k)
  state = _updates(opt, every_k * updates_made + every_k - 1)
  updates, _ = opt.update(GRADS, state, PARAMS)  # completes update number 5
  np.testing.assert_allclose(-updates["w"], S(updates_made) * jnp.ones(3), rtol=1e-6)


def test_current_lr_under_jit_moves_nothing_to_the_host():
  opt = optax.adamw(S)
  state = jax.device_put(_updates(opt, 6))
  fn = jax.jit(lambda st: current_lr(S, st))
  fn(state)  # compile outside the guard
  with jax.transfer_guard("disallow"):
    out = fn(state)
  np.testing.assert_allclose(out, S(6), rtol=1e-7)


def test_plain_callable_schedule_works():
  fn = optax.cosine_decay_schedule(1.0, 10)
  state = _updates(optax.adam(fn), 3)
  np.testing.assert_allclose(current_lr(fn, state), fn(3), rtol=1e-7)


def test_state_without_counter_is_a_value_error():
  state = optax.sgd(0.1).init(PARAMS)
  with pytest.raises(ValueError, match="step_count: .* holds no step counter"):
    current_lr(S, state)
