"""rehorizon: a running schedule's budget changed at a step, as a time warp."""

from fractions import Fraction

import jax
import jax.numpy as jnp
import numpy as np
import optax
import orbax.checkpoint as ocp
import pytest

import optax_sched as sched
from optax_sched.training import current_lr

PLANS = {
  "cosine": sched.cosine_decay_schedule(1.0, 1000, alpha=0.01),
  "warmup_cosine": sched.warmup_cosine_decay_schedule(0.0, 1.0, 100, 1000, 0.0),
  "steps": sched.piecewise_constant_schedule(1.0, {500: 0.5, 700: 0.5, 900: 0.1}),
  "wsd": sched.wsd_schedule(1.0, 700, 300, 0.0, decay_shape="linear"),
}
# (0, 1000, 1150): float32 arithmetic would put new step 138 (plan step 120) at 119.99999.
CASES = [
  (400, 1000, 1600),
  (400, 1000, 700),
  (0, 1000, 3000),
  (999, 1000, 1001),
  (123, 1000, 777),
  (0, 1000, 1150),
]


def _warp(u: int, a: int, t: int, n: int) -> Fraction:
  """The plan's step that step ``u`` of the new run sees (the definition)."""
  return Fraction(u) if u <= a else a + Fraction(u - a) * Fraction(t - a, n - a)


@pytest.mark.parametrize("plan", PLANS, ids=str)
@pytest.mark.parametrize("a,t,n", CASES)
def test_equals_the_plan_up_to_the_change_and_the_warped_plan_after(plan, a, t, n):
  s = sched.rehorizon(PLANS[plan], a, t, n)
  steps = np.arange(0, n + 20)
  got = np.asarray(s(jnp.asarray(steps)))
  want = np.asarray(PLANS[plan](jnp.asarray([float(_warp(int(u), a, t, n)) for u in steps])))
  np.testing.assert_allclose(got[: a + 1], np.asarray(PLANS[plan](jnp.arange(a + 1))), rtol=1e-6)
  # Plans peak at 1.0: a float32 rounding of the warped step moves a value by ~1e-7.
  np.testing.assert_allclose(got, want, rtol=2e-5, atol=1e-6)


@pytest.mark.parametrize("a,t,n", CASES)
def test_whole_warped_steps_cross_the_plans_boundaries_exactly(a, t, n):
  """Where the warp lands on a whole step, a staircase's boundary is hit exactly."""
  bounds = list(range(a + 1, t, 7))
  plan = sched.piecewise_values_schedule(bounds, list(range(len(bounds) + 1)))
  s = sched.rehorizon(plan, a, t, n)
  steps = np.arange(n + 1)
  got = np.asarray(s(jnp.asarray(steps)))
  # Plan value at the exact rational warped step: how many boundaries are <= it.
  want = [sum(b <= _warp(int(u), a, t, n) for b in bounds) for u in steps]
  np.testing.assert_array_equal(got, np.asarray(want, dtype=np.float32))


def test_reaches_the_plans_end_at_the_new_end_far_into_the_int32_range():
  a, t, n = 1_000_000, 2_000_000, 2**31 - 1
  plan = sched.linear_schedule(1.0, 0.0, t)
  s = sched.rehorizon(plan, a, t, n)
  assert float(s(n)) == 0.0
  assert float(s(a)) == pytest.approx(0.5)
  assert float(s(n - (n - a) // 2)) == pytest.approx(0.25, rel=1e-5)


def test_is_continuous_at_the_change():
  plan = PLANS["warmup_cosine"]
  s = sched.rehorizon(plan, 400, 1000, 4000)
  left, right = float(s(400)), float(s(401))
  assert left == pytest.approx(float(plan(400)))
  assert abs(right - left) < abs(float(plan(401)) - float(plan(400)))


def test_traced_arguments_match_concrete_ones_under_jit_and_vmap():
  plan = PLANS["cosine"]
  steps = jnp.arange(0, 2000, 37)
  news = jnp.asarray([700.0, 1600.0, 2500.0])

  @jax.jit
  def curves(new):
    return jax.vmap(lambda n: sched.rehorizon(plan, 400, 1000, n)(steps))(new)

  got = np.asarray(curves(news))
  for row, n in zip(got, (700, 1600, 2500), strict=True):
    np.testing.assert_allclose(
      row, sched.rehorizon(plan, 400, 1000, n)(steps), rtol=1e-5, atol=1e-7
    )


def test_gradient_with_respect_to_the_new_length():
  plan = PLANS["cosine"]
  grad = jax.grad(lambda n: sched.rehorizon(plan, 400, 1000, n)(1200))(1600.0)
  # A longer run is higher at the same step (the decay is slower).
  assert float(grad) > 0


def test_round_trips_through_config_and_spec():
  s = sched.rehorizon(PLANS["warmup_cosine"], 400, 1000, 1600)
  assert sched.from_config(sched.to_config(s)) == s
  assert sched.from_spec(sched.to_spec(s)) == s


@pytest.mark.parametrize(
  "args,name",
  [
    ((-1, 1000, 1600), "at_step"),
    ((1000, 1000, 1600), "at_step"),
    ((1200, 1000, 1600), "at_step"),
    ((400, 1000, 400), "new_total_steps"),
    ((400, 1000, 300), "new_total_steps"),
  ],
)
def test_bad_arguments_name_themselves(args, name):
  with pytest.raises(ValueError, match=name):
    sched.rehorizon(PLANS["cosine"], *args)


def test_declared_jumps_move_with_the_warp():
  s = sched.rehorizon(PLANS["steps"], 400, 1000, 700)
  # The plan's drops at 500, 700, 900 land at 400 + (b - 400) / 2.
  np.testing.assert_allclose(np.asarray(s.declared_jumps(700)), [450.0, 550.0, 650.0])


def test_resume_from_a_checkpoint_under_a_new_budget(tmp_path):
  """Train 40 steps of a 100-step plan, checkpoint, resume to end at 160."""
  plan = sched.warmup_cosine_decay_schedule(0.0, 0.1, 10, 100, 0.0)
  params = {"w": jnp.ones(4)}

  def loss(p):
    return jnp.sum((p["w"] - 0.5) ** 2)

  def run(schedule, params, state, start, stop):
    opt = optax.adamw(learning_rate=schedule)
    rates = []
    for _ in range(start, stop):
      rates.append(float(current_lr(schedule, state)))
      grads = jax.grad(loss)(params)
      updates, state = opt.update(grads, state, params)
      params = optax.apply_updates(params, updates)
    return params, state, rates

  state = optax.adamw(learning_rate=plan).init(params)
  params, state, before = run(plan, params, state, 0, 40)
  ckpt = ocp.StandardCheckpointer()
  path = tmp_path / "ckpt"
  ckpt.save(path, {"params": params, "opt_state": state})
  ckpt.wait_until_finished()
  target = jax.tree_util.tree_map(
    ocp.utils.to_shape_dtype_struct, {"params": params, "opt_state": state}
  )
  restored = ocp.StandardCheckpointer().restore(path, target)

  new = sched.rehorizon(plan, 40, 100, 160)
  _, _, after = run(new, restored["params"], restored["opt_state"], 40, 160)
  np.testing.assert_allclose(before, np.asarray(plan(jnp.arange(40))), rtol=1e-6)
  # The resumed run continues at step 40 and reaches the plan's end at 160.
  np.testing.assert_allclose(after[0], float(plan(40)), rtol=1e-6)
  np.testing.assert_allclose(after, np.asarray(new(jnp.arange(40, 160))), rtol=1e-5)
  # Step 159 of the new run sees the plan at 40 + 119 * 60 / 120 = 99.5.
  assert after[-1] == pytest.approx(float(plan(99.5)), rel=1e-5)


def test_a_whole_warped_step_is_exact_past_2_24():
  """Stretching 3 steps into 7 maps step 7q to exactly 3q: a staircase boundary at
  3q = 15_000_003 (past 2**24, where float32 holds only some integers) is met there."""
  b = 15_000_003
  child = sched.piecewise_constant_schedule(1.0, {b: 0.5})
  s = sched.rehorizon(child, at_step=0, total_steps=3, new_total_steps=7)
  steps = np.asarray([7 * (b // 3) - 7, 7 * (b // 3), 7 * (b // 3) + 7], np.int32)
  assert np.asarray(s(steps)).tolist() == [1.0, 0.5, 0.5]
