"""ReduceLROnPlateau: torch's numbers as a pure, jittable state machine."""

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from conftest import assert_close, golden_cases

from optax_sched.plateau import PlateauState, ReduceLROnPlateau


def _metric(x):
  return float(x)  # "nan", "inf" and "-inf" are stored as strings


@jax.jit
def _run(plateau, metrics):
  def body(state, m):
    state = plateau.step(state, m)
    return state, state

  return jax.lax.scan(body, plateau.init(), metrics)[1]


@pytest.mark.parametrize("case", golden_cases("plateau"))
def test_matches_torch(case):
  p = ReduceLROnPlateau(**case["args"])
  trace = _run(p, jnp.asarray([_metric(m) for m in case["metrics"]]))
  assert_close(trace.lr, case["lr"], rtol=1e-6)
  np.testing.assert_array_equal(trace.num_bad_epochs, case["num_bad_epochs"])
  np.testing.assert_array_equal(trace.cooldown_counter, case["cooldown_counter"])
  np.testing.assert_allclose(trace.best, [_metric(b) for b in case["best"]], rtol=1e-6)


def test_eager_steps_equal_jitted_scan():
  p = ReduceLROnPlateau(0.1, patience=1, cooldown=1, factor=0.5)
  metrics = [1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.5, 0.5]
  state, lrs = p.init(), []
  for m in metrics:
    state = p.step(state, m)
    lrs.append(float(p.lr(state)))
  np.testing.assert_array_equal(lrs, _run(p, jnp.asarray(metrics)).lr)


def test_init_is_torch_state_after_construction():
  st = ReduceLROnPlateau(0.3, mode="max").init()
  assert float(st.lr) == pytest.approx(0.3)
  assert float(st.best) == -np.inf
  assert int(st.num_bad_epochs) == int(st.cooldown_counter) == int(st.last_epoch) == 0


def test_vmap_over_factor_equals_one_at_a_time():
  metrics = jnp.ones(12)
  factors = jnp.array([0.1, 0.5, 0.9])
  base = ReduceLROnPlateau(1.0, patience=2)
  swept = jax.vmap(lambda f: _run(base.replace(factor=f), metrics).lr)(factors)
  for i, f in enumerate([0.1, 0.5, 0.9]):
    np.testing.assert_allclose(swept[i], _run(base.replace(factor=f), metrics).lr, rtol=1e-6)


@pytest.mark.parametrize(
  "kw, arg",
  [
    ({"base_lr": 0.0}, "base_lr"),
    ({"mode": "lowest"}, "mode"),
    ({"factor": 1.0}, "factor"),
    ({"factor": -0.1}, "factor"),
    ({"patience": -1}, "patience"),
    ({"threshold": -1e-4}, "threshold"),
    ({"threshold_mode": "relative"}, "threshold_mode"),
    ({"cooldown": -2}, "cooldown"),
    ({"min_lr": -1.0}, "min_lr"),
    ({"eps": -1.0}, "eps"),
  ],
)
def test_bad_argument_is_a_value_error_naming_it(kw, arg):
  args = {"base_lr": 0.1, **kw}
  with pytest.raises(ValueError, match=rf"torch.ReduceLROnPlateau: {arg}=.* is not allowed"):
    ReduceLROnPlateau(**args)


# ---- driving an optax optimizer ----


def _problem():
  x = jax.random.normal(jax.random.PRNGKey(0), (32, 4))
  y = x @ jnp.arange(1.0, 5.0)
  params = jnp.zeros(4)
  return params, lambda w: jnp.mean((x @ w - y) ** 2)


def _train(opt, after_epoch, epochs=8, steps=5):
  params, loss = _problem()
  state = opt.init(params)

  @jax.jit
  def epoch(params, state):
    def body(carry, _):
      params, state = carry
      g = jax.grad(loss)(params)
      u, state = opt.update(g, state, params)
      return (optax.apply_updates(params, u), state), None

    (params, state), _ = jax.lax.scan(body, (params, state), None, length=steps)
    # The loss floored at 1: it stops improving once training gets there.
    return params, after_epoch(state, jnp.maximum(loss(params), 1.0))

  for _ in range(epochs):
    params, state = epoch(params, state)
  return params, state


PLATEAU = ReduceLROnPlateau(0.5, patience=1, factor=0.5)


def test_scale_by_lr_chain_equals_inject_hyperparams():
  chain = optax.chain(optax.scale_by_adam(), PLATEAU.scale_by_lr())
  p_chain, st_chain = _train(chain, lambda st, m: PLATEAU.report(st, m))

  inject = optax.inject_hyperparams(optax.adam)(learning_rate=PLATEAU.base_lr)

  def step_inject(state, metric):
    pstate, opt_state = state
    pstate = PLATEAU.step(pstate, metric)
    return pstate, PLATEAU.set_learning_rate(opt_state, pstate)

  def update(g, state, params):
    u, inner = inject.update(g, state[1], params)
    return u, (state[0], inner)

  # The optimizer state carries the plateau state alongside inject's state.
  with_plateau = optax.GradientTransformation(lambda p: (PLATEAU.init(), inject.init(p)), update)
  p_inject, (pstate, _) = _train(with_plateau, step_inject)
  np.testing.assert_allclose(p_chain, p_inject, rtol=1e-4)  # float association differs
  np.testing.assert_allclose(st_chain[1].lr, pstate.lr)
  assert float(pstate.lr) < PLATEAU.base_lr  # it did reduce


def test_report_without_plateau_state_is_a_value_error():
  with pytest.raises(ValueError, match="holds no PlateauState"):
    PLATEAU.report(optax.adam(0.1).init(jnp.zeros(2)), 1.0)


def test_set_learning_rate_needs_inject_hyperparams():
  with pytest.raises(ValueError, match="inject_hyperparams"):
    PLATEAU.set_learning_rate(optax.adam(0.1).init(jnp.zeros(2)), PLATEAU.init())


def test_state_is_a_pytree_that_stays_on_device():
  step = jax.jit(PLATEAU.step)
  st = jax.device_put(PLATEAU.init())
  m = jax.device_put(jnp.float32(1.0))
  step(st, m)
  with jax.transfer_guard("disallow"):
    st = step(step(st, m), m)
  assert isinstance(st, PlateauState)


def test_reachable_under_torch_name_with_torch_arguments():
  import inspect

  from optax_sched.compat import torch as tl

  assert tl.ReduceLROnPlateau is ReduceLROnPlateau
  # torch's signature with the optimizer replaced by base_lr (issue 6).
  assert list(inspect.signature(tl.ReduceLROnPlateau).parameters) == [
    "base_lr",
    "mode",
    "factor",
    "patience",
    "threshold",
    "threshold_mode",
    "cooldown",
    "min_lr",
    "eps",
  ]
