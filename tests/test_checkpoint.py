"""Checkpoints with orbax: stop, restore, continue as if never stopped.

The optimizer state holds the step counter, so saving ``opt_state`` saves the
position on the schedule; the schedule itself is rebuilt from code (or from
``to_config``). Resuming under a *longer* schedule continues at the saved
count on the new curve.
"""

import jax
import numpy as np
import orbax.checkpoint as ocp
import pytest
from conftest import assert_close

import optax_sched as sched
from optax_sched import exercise
from optax_sched.training import current_lr, step_count

PROBLEM = exercise.load_problem(seed=2, epochs=2, batch_size=64)
BATCHES = PROBLEM.order.reshape(-1, PROBLEM.order.shape[-1])
TOTAL = len(BATCHES)  # 2 epochs of 22 steps
_step = jax.jit(exercise.train_step)


def _wsd(total, decay=8, warmup=4, peak=2e-2):
  return sched.warmup(
    sched.wsd_schedule(
      peak, stable_steps=total - warmup - decay, decay_steps=decay, decay_shape="linear"
    ),
    warmup,
  )


def _fresh(schedule):
  return PROBLEM.params, exercise.optimizer(schedule).init(PROBLEM.params)


def _steps(schedule, params, opt_state, start, stop):
  lrs = []
  for i in range(start, stop):
    idx = BATCHES[i]
    params, opt_state, _, lr = _step(
      schedule, params, opt_state, PROBLEM.x_train[idx], PROBLEM.y_train[idx]
    )
    lrs.append(lr)
  return params, opt_state, lrs


def _save_and_restore(path, params, opt_state, schedule):
  ckpt = ocp.StandardCheckpointer()
  ckpt.save(path, {"params": params, "opt_state": opt_state})
  ckpt.wait_until_finished()
  # A restarted job knows only the structure: it builds it from a fresh init.
  target = jax.tree_util.tree_map(
    ocp.utils.to_shape_dtype_struct,
    dict(zip(("params", "opt_state"), _fresh(schedule), strict=True)),
  )
  restored = ocp.StandardCheckpointer().restore(path, target)
  return restored["params"], restored["opt_state"]


def _assert_bit_identical(a, b):
  for x, y in zip(jax.tree_util.tree_leaves(a), jax.tree_util.tree_leaves(b), strict=True):
    np.testing.assert_array_equal(np.asarray(x), np.asarray(y))


SCHEDULES = {
  "wsd": _wsd(TOTAL),
  "onecycle": sched.cosine_onecycle_schedule(TOTAL, 2e-2),
  "warmup_cosine": sched.warmup_cosine_decay_schedule(0.0, 2e-2, 5, TOTAL),
}


@pytest.mark.parametrize("name", sorted(SCHEDULES))
@pytest.mark.parametrize("k", [1, 25, TOTAL - 3])
def test_stop_restore_continue_is_bit_identical(tmp_path, name, k):
  s = SCHEDULES[name]
  full_params, full_state, full_lrs = _steps(s, *_fresh(s), 0, TOTAL)

  params, opt_state, lrs = _steps(s, *_fresh(s), 0, k)
  params, opt_state = _save_and_restore(tmp_path / "ckpt", params, opt_state, s)
  assert int(step_count(opt_state)) == k
  params, opt_state, rest = _steps(s, params, opt_state, k, TOTAL)

  np.testing.assert_array_equal(np.asarray(lrs + rest), np.asarray(full_lrs))
  _assert_bit_identical(params, full_params)
  _assert_bit_identical(opt_state, full_state)


def test_restored_state_gives_the_schedule_at_the_saved_step(tmp_path):
  s = SCHEDULES["onecycle"]
  params, opt_state, _ = _steps(s, *_fresh(s), 0, 9)
  _, restored = _save_and_restore(tmp_path / "ckpt", params, opt_state, s)
  np.testing.assert_array_equal(current_lr(s, restored), s(9))


def test_moving_the_wsd_decay_later_resumes_bit_identical_to_the_longer_run(tmp_path):
  # Planned for 20 steps (decay from step 12); at step 10, still in the stable
  # phase, the run is extended to 44 steps (decay from step 36).
  short, long = _wsd(20), _wsd(TOTAL)
  k = 10
  params, opt_state, lrs = _steps(short, *_fresh(short), 0, k)
  params, opt_state = _save_and_restore(tmp_path / "ckpt", params, opt_state, long)
  params, _, rest = _steps(long, params, opt_state, k, TOTAL)

  full_params, _, full_lrs = _steps(long, *_fresh(long), 0, TOTAL)
  np.testing.assert_array_equal(np.asarray(lrs + rest), np.asarray(full_lrs))
  _assert_bit_identical(params, full_params)


def test_stretching_a_cosine_continues_on_the_new_curve_at_the_saved_step(tmp_path):
  short = sched.cosine_decay_schedule(2e-2, 20)
  long = short.replace(decay_steps=TOTAL)
  k = 12
  params, opt_state, _ = _steps(short, *_fresh(short), 0, k)
  params, opt_state = _save_and_restore(tmp_path / "ckpt", params, opt_state, long)
  _, _, rest = _steps(long, params, opt_state, k, TOTAL)
  assert_close(np.asarray(rest), long(np.arange(k, TOTAL)), rtol=1e-5)
  # The rate jumps up at the resume: the old curve was further along its decay.
  assert float(rest[0]) > float(short(k))
