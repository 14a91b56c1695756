"""The families behind compat.torch and compat.keras (and a few behind timm and
Transformers), against float64 NumPy.

Each reference below is written from the family's docstring formula, in
float64, one step at a time; then sweeps under vmap, gradients, step shapes
and bad arguments.
"""

import bisect
import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from conftest import assert_close

from optax_sched.families.annealing import cosine_annealing_schedule
from optax_sched.families.cyclic import cyclic_schedule
from optax_sched.families.inverse_time import inverse_time_decay_schedule
from optax_sched.families.onecycle import onecycle_schedule
from optax_sched.families.piecewise import piecewise_constant_schedule
from optax_sched.families.polynomial import (
  polynomial_decay_schedule,
  warmup_polynomial_decay_schedule,
)
from optax_sched.families.ramps import constant_factor_schedule, linear_factor_schedule
from optax_sched.families.step import (
  multistep_decay_schedule,
  piecewise_values_schedule,
  step_decay_schedule,
)
from optax_sched.families.wsd import wsd_schedule

T = 400


def cyclic_ref(t, lo, hi, up, down, mode, gamma):
  period = up + down
  c, p = divmod(t, period)
  h = p / up if p <= up else (period - p) / down
  scale = {"triangular": 1.0, "triangular2": 0.5**c, "exp_range": gamma**t}[mode]
  return lo + (hi - lo) * h * scale


def onecycle_ref(t, n, peak, pct, kind, div, final, three):
  t = min(t, n - 1)
  start, low = peak / div, peak / div / final
  if three:
    ends, vals = [pct * n - 1, 2 * pct * n - 2, n - 1], [start, peak, start, low]
  else:
    ends, vals = [pct * n - 1, n - 1], [start, peak, low]
  lo = 0.0
  for k, end in enumerate(ends):
    if t <= end or k == len(ends) - 1:
      pct_k = (t - lo) / (end - lo)
      a, b = vals[k], vals[k + 1]
      if kind == "cos":
        return b + (a - b) / 2 * (math.cos(math.pi * pct_k) + 1)
      return a + (b - a) * pct_k
    lo = end


def wsd_rsqrt_ref(t, peak, stable, decay, end, tau):
  """An rsqrt stable phase (power 1/2 whatever ``stable_power`` says), a linear decay."""
  g = max(peak * (1 + t / tau) ** -0.5, end)
  d = t - stable
  return end if d >= decay else end + (g - end) * (1 - max(d, 0) / decay)


def poly_cycle_ref(t, init, steps, end, power):
  mult = 1 if t == 0 else math.ceil(t / steps)
  return (init - end) * (1 - t / (steps * mult)) ** power + end


CASES = [
  (step_decay_schedule(0.1, 7, 0.5), lambda t: 0.1 * 0.5 ** (t // 7)),
  (step_decay_schedule(0.1, 1, 0.9), lambda t: 0.1 * 0.9**t),
  (
    multistep_decay_schedule(1.0, [5, 5, 30], 0.3),
    lambda t: 0.3 ** bisect.bisect_right([5, 5, 30], t),
  ),
  (
    piecewise_values_schedule([10, 50], [3.0, 2.0, 1.0]),
    lambda t: [3.0, 2.0, 1.0][bisect.bisect_right([10, 50], t)],
  ),
  (
    piecewise_values_schedule([10, 50], [3.0, 2.0, 1.0], closed_right=True),
    lambda t: [3.0, 2.0, 1.0][bisect.bisect_left([10, 50], t)],
  ),
  (linear_factor_schedule(0.2, 0.1, 0.7, 40), lambda t: 0.2 * (0.1 + 0.6 * min(t, 40) / 40)),
  (constant_factor_schedule(0.2, 0.25, 13), lambda t: 0.2 * (0.25 if t < 13 else 1.0)),
  (
    cosine_annealing_schedule(1.0, 37, 0.01),
    lambda t: 0.01 + 0.99 * (1 + math.cos(math.pi * t / 37)) / 2,
  ),
  (
    cyclic_schedule(0.01, 0.1, 9, 4, "triangular"),
    lambda t: cyclic_ref(t, 0.01, 0.1, 9, 4, "triangular", 1.0),
  ),
  (
    cyclic_schedule(0.01, 0.1, 10, None, "triangular2"),
    lambda t: cyclic_ref(t, 0.01, 0.1, 10, 10, "triangular2", 1.0),
  ),
  (
    cyclic_schedule(0.01, 0.1, 6, 11, "exp_range", gamma=0.995),
    lambda t: cyclic_ref(t, 0.01, 0.1, 6, 11, "exp_range", 0.995),
  ),
  (
    onecycle_schedule(300, 0.1, 0.3),
    lambda t: onecycle_ref(t, 300, 0.1, 0.3, "cos", 25, 1e4, False),
  ),
  (
    onecycle_schedule(250, 0.1, 0.2, "linear", 10.0, 100.0, True),
    lambda t: onecycle_ref(t, 250, 0.1, 0.2, "linear", 10.0, 100.0, True),
  ),
  (onecycle_schedule(50, 0.1, 0.0), lambda t: onecycle_ref(t, 50, 0.1, 0.0, "cos", 25, 1e4, False)),
  (inverse_time_decay_schedule(0.1, 20, 0.7), lambda t: 0.1 / (1 + 0.7 * t / 20)),
  (inverse_time_decay_schedule(0.1, 20, 0.7, True), lambda t: 0.1 / (1 + 0.7 * (t // 20))),
  (
    polynomial_decay_schedule(0.1, 30, 0.001, 0.5, cycle=True),
    lambda t: poly_cycle_ref(t, 0.1, 30, 0.001, 0.5),
  ),
  (
    polynomial_decay_schedule(0.1, 30, 0.001, 2.0),
    lambda t: (0.1 - 0.001) * (1 - min(t, 30) / 30) ** 2 + 0.001,
  ),
  (
    warmup_polynomial_decay_schedule(0.0, 0.1, 20, 300, 0.001, 2.0),
    lambda t: 0.1 * t / 20 if t < 20 else (0.1 - 0.001) * (1 - min(t - 20, 280) / 280) ** 2 + 0.001,
  ),
  (
    wsd_schedule(
      0.1, 200, 100, 0.001, "linear", stable_shape="rsqrt", timescale=10, stable_power=2.0
    ),
    lambda t: wsd_rsqrt_ref(t, 0.1, 200, 100, 0.001, 10),
  ),
]
IDS = [f"{i}-{s.name}" for i, (s, _) in enumerate(CASES)]


@pytest.mark.parametrize("schedule,reference", CASES, ids=IDS)
def test_matches_float64_formula(schedule, reference):
  assert_close(schedule(jnp.arange(T)), [reference(t) for t in range(T)], rtol=2e-6)


@pytest.mark.parametrize("schedule,reference", CASES, ids=IDS)
def test_float_steps_equal_int_steps(schedule, reference):
  t = np.arange(0, T, 7)
  assert_close(schedule(t.astype(np.float32)), schedule(t), rtol=2e-6)


@pytest.mark.parametrize("schedule,reference", CASES, ids=IDS)
def test_any_shape_of_steps(schedule, reference):
  assert schedule(jnp.arange(12).reshape(3, 4)).shape == (3, 4)
  assert schedule(5).shape == ()


SWEEPS = [
  ("step_decay.gamma", lambda x: step_decay_schedule(0.1, 7, x), [0.5, 0.9]),
  ("step_decay.step_size", lambda x: step_decay_schedule(0.1, x, 0.5), [5.0, 9.0]),
  ("multistep.gamma", lambda x: multistep_decay_schedule(0.1, [10, 30], x), [0.1, 0.5]),
  ("multistep.milestone", lambda x: multistep_decay_schedule(0.1, [x, 60], 0.5), [10.0, 30.0]),
  ("piecewise_values.value", lambda x: piecewise_values_schedule([20], [x, 0.5]), [1.0, 2.0]),
  ("linear_factor.start_factor", lambda x: linear_factor_schedule(0.1, x, 1.0, 30), [0.1, 0.5]),
  ("constant_factor.total_steps", lambda x: constant_factor_schedule(0.1, 0.5, x), [10.0, 25.0]),
  ("cosine_annealing.decay_steps", lambda x: cosine_annealing_schedule(0.1, x), [20.0, 33.0]),
  ("cyclic.peak_value", lambda x: cyclic_schedule(0.01, x, 8), [0.1, 0.2]),
  ("cyclic.step_size_up", lambda x: cyclic_schedule(0.01, 0.1, x, 5, "triangular2"), [4.0, 9.0]),
  (
    "cyclic.gamma",
    lambda x: cyclic_schedule(0.01, 0.1, 8, mode="exp_range", gamma=x),
    [0.99, 0.999],
  ),
  ("onecycle.pct_start", lambda x: onecycle_schedule(100, 0.1, x), [0.2, 0.4]),
  ("onecycle.total_steps", lambda x: onecycle_schedule(x, 0.1, three_phase=True), [80.0, 120.0]),
  # pct_start=1: the decay phase has no length (it ends where the rise does).
  ("onecycle.peak_value", lambda x: onecycle_schedule(100, x, pct_start=1.0), [0.1, 0.2]),
  ("inverse_time.decay_rate", lambda x: inverse_time_decay_schedule(0.1, 10, x), [0.5, 2.0]),
  (
    "polynomial_decay.power",
    lambda x: polynomial_decay_schedule(0.1, 30, 0.0, x, True),
    [0.5, 2.0],
  ),
]
STEPS = jnp.array([0, 1, 5, 9, 10, 11, 29, 30, 31, 60, 99, 100, 150])


@pytest.mark.parametrize("name,build,values", SWEEPS, ids=[s[0] for s in SWEEPS])
def test_vmap_over_construction_equals_one_at_a_time(name, build, values):
  swept = jax.jit(jax.vmap(lambda x: build(x)(STEPS)))(jnp.asarray(values))
  one_by_one = jnp.stack([build(v)(STEPS) for v in values])
  np.testing.assert_allclose(swept, one_by_one, rtol=2e-6, atol=1e-9)


@pytest.mark.parametrize("name,build,values", SWEEPS, ids=[s[0] for s in SWEEPS])
def test_grads_are_finite(name, build, values):
  grads = jax.jit(jax.vmap(jax.grad(lambda x, t: build(x)(t)), in_axes=(None, 0)))(
    jnp.float32(values[0]), STEPS
  )
  assert np.all(np.isfinite(grads))


BAD = [
  (lambda: step_decay_schedule(0.1, 0), "step_size"),
  (lambda: step_decay_schedule(0.1, 5, -0.5), "gamma"),
  (lambda: multistep_decay_schedule(0.1, [5, 2]), "milestones"),
  (lambda: multistep_decay_schedule(0.1, 5), "milestones"),
  (lambda: piecewise_values_schedule([5], [1.0, 2.0, 3.0]), "values"),
  (lambda: piecewise_values_schedule([-5], [1.0, 2.0]), "boundaries"),
  (lambda: linear_factor_schedule(0.1, total_steps=0), "total_steps"),
  (lambda: constant_factor_schedule(0.1, factor="a"), "factor"),
  (lambda: cosine_annealing_schedule(0.1, 0), "decay_steps"),
  (lambda: cyclic_schedule(0.1, 1.0, 0), "step_size_up"),
  (lambda: cyclic_schedule(0.1, 1.0, 5, mode="square"), "mode"),
  (lambda: onecycle_schedule(0, 0.1), "total_steps"),
  (lambda: onecycle_schedule(10, 0.1, pct_start=0.1), "pct_start"),
  (lambda: onecycle_schedule(10, 0.1, anneal_strategy="cosine"), "anneal_strategy"),
  (lambda: inverse_time_decay_schedule(0.1, 10, -1.0), "decay_rate"),
  (lambda: polynomial_decay_schedule(0.1, 10, cycle=1), "cycle"),
]


@pytest.mark.parametrize("make,arg", BAD, ids=[f"{i}-{a}" for i, (_, a) in enumerate(BAD)])
def test_out_of_domain_argument_raises_naming_it(make, arg):
  with pytest.raises(ValueError, match=rf"_schedule: {arg}"):
    make()


STEP_FUNCTIONS = [
  step_decay_schedule(0.1, 7, 0.5),
  multistep_decay_schedule(1.0, [5, 5, 30], 0.3),
  piecewise_values_schedule([10, 50], [3.0, 2.0, 1.0]),
  piecewise_values_schedule([10, 50], [3.0, 2.0, 1.0], closed_right=True),
  constant_factor_schedule(0.2, 0.25, 13),
  inverse_time_decay_schedule(0.1, 20, 0.7, True),
  piecewise_constant_schedule(1.0, {10: 1.0, 20: 0.5, 40: 2.0}),  # a scale of 1 changes nothing
]


@pytest.mark.parametrize("schedule", STEP_FUNCTIONS, ids=lambda s: repr(s))
def test_declared_jumps_are_where_a_step_function_changes(schedule):
  values = np.asarray(schedule(jnp.arange(100)))
  changes = (np.flatnonzero(np.diff(values) != 0) + 1).tolist()
  declared = sorted({int(math.ceil(j)) for j in schedule.declared_jumps(100)})
  assert declared == changes


@pytest.mark.parametrize(
  "schedule",
  [
    cyclic_schedule(0.01, 0.1, 9, 4, "triangular2"),
    cyclic_schedule(0.01, 0.1, 5, 0),
    polynomial_decay_schedule(0.1, 30, 0.001, 0.5, cycle=True),
  ],
  ids=lambda s: repr(s),
)
def test_lint_sees_cycles_as_deliberate(schedule):
  from optax_sched.inspect import lint

  codes = {f.code for f in lint(schedule, 200)}
  assert not codes & {"jump", "rises-after-decay"}


@pytest.mark.parametrize("up,down", [(3, 0.1), (2.5, 0.7)])
def test_cyclic_reaches_its_peak_exactly(up, down):
  """At ``step_size_up`` the rise ends at ``peak_value`` (torch: ``max_lr``), also
  with fractional step sizes."""
  assert float(cyclic_schedule(0.0, 1.0, up, down)(up)) == 1.0


def test_polynomial_decay_cycle_declares_each_restart():
  """With ``cycle``, the horizon grows at the step after each multiple of ``decay_steps``."""
  s = polynomial_decay_schedule(0.1, 10, 0.001, 1.0, cycle=True)
  values = np.asarray(s(jnp.arange(50)))
  rises = (np.flatnonzero(np.diff(values) > 0) + 1).tolist()
  assert rises == [11, 21, 31, 41]
  assert [float(j) for j in s.declared_jumps(50)] == rises


@pytest.mark.parametrize("scale_mode", ["cycle", "iterations"])
def test_cyclic_scale_fn_receives_the_cycle_number_or_the_step(scale_mode):
  """torch's ``scale_fn``: of the cycle number, counted from 1, or of the step."""
  s = cyclic_schedule(0.1, 1.0, 4, 2, scale_fn=lambda x: 1.0 / x, scale_mode=scale_mode)
  steps = list(range(1, 30))
  want = []
  for t in steps:
    c, p = divmod(t, 6)
    h = p / 4 if p <= 4 else (6 - p) / 2
    want.append(0.1 + 0.9 * h / (c + 1 if scale_mode == "cycle" else t))
  assert_close(s(jnp.asarray(steps)), want, rtol=2e-6)


@pytest.mark.parametrize(
  "build",
  [
    lambda x: cyclic_schedule(0.1, 1.0, x, 3),
    lambda x: cyclic_schedule(0.1, 1.0, 4, x),
    lambda x: multistep_decay_schedule(0.1, [x, 20]),
    lambda x: constant_factor_schedule(0.1, 0.5, x),
  ],
  ids=[
    "cyclic.step_size_up",
    "cyclic.step_size_down",
    "multistep.milestones",
    "constant_factor.total_steps",
  ],
)
def test_no_jumps_are_declared_when_a_step_is_traced(build):
  seen = []

  def run(x):
    s = build(x)
    seen.append(s.declared_jumps(30))
    return s(5)

  jax.jit(run)(3.0)
  assert [tuple(j) for j in seen] == [()]


def test_cyclic_declares_each_cycle_start():
  jumps = cyclic_schedule(0.1, 1.0, 4, 3).declared_jumps(30)
  assert np.asarray(jumps).tolist() == [7.0, 14.0, 21.0, 28.0]
