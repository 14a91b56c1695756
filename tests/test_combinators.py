"""Combinators: their formulas, operators, checks, transformations, configs."""

import doctest
import importlib

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from conftest import assert_close, assert_grad_matches_finite_difference
from examples import COMBINATOR_EXAMPLES

import optax_sched as sched

COS = sched.cosine_decay_schedule(1e-3, 100, 0.1)
LIN = sched.linear_schedule(0.0, 1e-3, 50)
STEPS = jnp.array([0, 1, 7, 10, 33, 50, 99, 100, 150, 400, 1234])

EXAMPLES = COMBINATOR_EXAMPLES
NAMES = sorted(EXAMPLES)


def test_every_combinator_has_an_example():
  from optax_sched import combinators

  # multiply, divide and add live in optax_sched._base (the operators need
  # them); combinators.__all__ is the public list.
  registered = set(combinators.__all__) & set(sched.registry())
  assert registered == set(EXAMPLES)


# -- formulas ---------------------------------------------------------------

POINTWISE = [
  ("multiply", lambda: sched.multiply(COS, LIN), lambda t: COS(t) * LIN(t)),
  ("multiply number", lambda: sched.multiply(COS, 3.0), lambda t: COS(t) * 3.0),
  (
    "divide",
    lambda: sched.divide(COS, LIN),
    lambda t: jnp.where(LIN(t) == 0, 0.0, COS(t) / LIN(t)),
  ),
  ("add", lambda: sched.add(COS, LIN), lambda t: COS(t) + LIN(t)),
  ("scale", lambda: sched.scale(COS, 0.25), lambda t: 0.25 * COS(t)),
  (
    "minimum",
    lambda: sched.minimum(COS, LIN, 7e-4),
    lambda t: jnp.minimum(jnp.minimum(COS(t), LIN(t)), 7e-4),
  ),
  ("maximum", lambda: sched.maximum(COS, LIN), lambda t: jnp.maximum(COS(t), LIN(t))),
  ("clip", lambda: sched.clip(COS, 3e-4, 8e-4), lambda t: jnp.clip(COS(t), 3e-4, 8e-4)),
  ("clip floor only", lambda: sched.clip(COS, floor=3e-4), lambda t: jnp.maximum(COS(t), 3e-4)),
  (
    "clip by a schedule",
    lambda: sched.clip(COS, ceiling=LIN),
    lambda t: jnp.minimum(COS(t), LIN(t)),
  ),
  ("shift", lambda: sched.shift(COS, 30), lambda t: COS(jnp.maximum(t - 30, 0))),
  # The t + 1 convention of OLMo and fairseq: the LR of update t from t + 1.
  ("shift back", lambda: sched.shift(COS, -1), lambda t: COS(t + 1)),
  ("hold", lambda: sched.hold(COS, 60), lambda t: COS(jnp.minimum(t, 59))),
  ("stretch", lambda: sched.stretch(COS, 2.5), lambda t: COS(t / 2.5)),
  ("per_epoch", lambda: sched.per_epoch(COS, 7), lambda t: COS(t // 7)),
  ("repeat", lambda: sched.repeat(COS, 40), lambda t: COS(t % 40)),
  (
    "repeat decay",
    lambda: sched.repeat(COS, 40, decay=0.5),
    lambda t: COS(t % 40) * 0.5 ** (t // 40),
  ),
]


@pytest.mark.parametrize("name,build,formula", POINTWISE, ids=[p[0] for p in POINTWISE])
def test_value_follows_the_documented_formula(name, build, formula):
  assert_close(build()(STEPS), formula(STEPS))


OPERATORS = [
  ("0.5 * s", lambda s: 0.5 * s, sched.multiply, lambda t: 0.5 * COS(t)),
  ("s * 0.5", lambda s: s * 0.5, sched.multiply, lambda t: 0.5 * COS(t)),
  ("s * s", lambda s: s * LIN, sched.multiply, lambda t: COS(t) * LIN(t)),
  ("s / 4", lambda s: s / 4.0, sched.divide, lambda t: COS(t) / 4.0),
  ("s + c", lambda s: s + 1e-4, sched.add, lambda t: COS(t) + 1e-4),
  ("c + s", lambda s: 1e-4 + s, sched.add, lambda t: COS(t) + 1e-4),
  ("s - c", lambda s: s - 1e-4, sched.add, lambda t: COS(t) - 1e-4),
  ("c - s", lambda s: 1e-3 - s, sched.add, lambda t: 1e-3 - COS(t)),
  ("s - s", lambda s: s - LIN, sched.add, lambda t: COS(t) - LIN(t)),
  ("-s", lambda s: -s, sched.multiply, lambda t: -COS(t)),
]


@pytest.mark.parametrize("name,op,cls,formula", OPERATORS, ids=[o[0] for o in OPERATORS])
def test_operators_build_combinators(name, op, cls, formula):
  s = op(COS)
  assert isinstance(s, cls)
  assert_close(s(STEPS), formula(STEPS))


def test_operands_accept_plain_callables():
  s = sched.multiply(COS, lambda t: 2.0 + 0 * t)
  assert_close(s(STEPS), 2.0 * COS(STEPS))


def test_divide_by_a_schedule_that_reaches_zero_gives_zero_not_inf():
  s = sched.divide(COS, sched.linear_schedule(1.0, 0.0, 10))
  assert float(s(10)) == 0.0
  assert np.isfinite(jax.grad(lambda t: s(t))(10.0))


# -- warmup -----------------------------------------------------------------

SHAPES = [
  ("linear", lambda p: 1e-5 + (1e-3 - 1e-5) * p),
  ("cosine", lambda p: 1e-3 + (1e-5 - 1e-3) * (1 + np.cos(np.pi * p)) / 2),
  ("exponential", lambda p: 1e-5 * (1e-3 / 1e-5) ** p),
  ("constant", lambda p: 1e-5 + 0 * p),
]


@pytest.mark.parametrize("shape,ramp", SHAPES, ids=[s[0] for s in SHAPES])
def test_warmup_ramp_shapes(shape, ramp):
  s = sched.warmup(sched.cosine_decay_schedule(1e-3, 100), 40, 1e-5, shape)
  t = np.arange(40)
  assert_close(s(t), ramp(t / 40), rtol=1e-5)


def test_warmup_prefix_starts_the_schedule_after_the_warmup():
  s = sched.warmup(COS, 25)
  t = np.arange(25, 300)
  assert_close(s(t), COS(t - 25))
  assert_close(s(12.5), COS(0) / 2)


def test_warmup_without_prefix_overrides_the_first_steps():
  s = sched.warmup(COS, 25, prefix=False)
  t = np.arange(25, 300)
  assert_close(s(t), COS(t))
  assert_close(s(12.5), COS(25) / 2)


def test_warmup_peak_value_overrides_the_target():
  s = sched.warmup(COS, 10, 0.0, peak_value=5e-3)
  assert_close(s(5), 2.5e-3)
  assert_close(s(10), COS(0))


def test_warmup_of_zero_steps_is_the_schedule():
  s = sched.warmup(COS, 0, 1.0)
  assert_close(s(STEPS), COS(STEPS))


def test_warmup_of_a_number():
  s = sched.warmup(1e-3, 10)
  assert_close(s(jnp.array([0, 5, 10, 50])), [0.0, 5e-4, 1e-3, 1e-3])


# -- time maps ----------------------------------------------------------------


def test_repeat_with_period_mult_plays_the_whole_child_each_cycle():
  s = sched.repeat(sched.cosine_decay_schedule(1.0, 10), 10, period_mult=2)
  # Cycles [0, 10), [10, 30), [30, 70): the midpoint of each is cos(pi/2).
  assert_close(s(jnp.array([5, 20, 50])), [0.5, 0.5, 0.5], rtol=1e-6)
  assert_close(s(jnp.array([10, 30, 70])), [1.0, 1.0, 1.0])


@pytest.mark.parametrize("factor,first", [(3.0, 300), (1.1, 110), (0.7, 70), (1.15, 115)])
def test_stretch_moves_a_boundary_to_its_multiple(factor, first):
  s = sched.stretch(sched.piecewise_constant_schedule(1.0, {100: 0.5}), factor)
  np.testing.assert_array_equal(s(jnp.array([first - 1, first])), np.float32([1.0, 0.5]))


def test_shift_holds_the_first_value():
  s = sched.shift(sched.linear_schedule(1.0, 0.0, 10), 5)
  np.testing.assert_array_equal(s(jnp.array([0, 4, 5, 10, 15])), [1.0, 1.0, 1.0, 0.5, 0.0])


@pytest.mark.parametrize("rounding,expected", [("floor", 333), ("ceil", 334), ("round", 333)])
def test_fraction_rounding(rounding, expected):
  assert sched.fraction(1 / 3, 1000, rounding) == expected


def test_fraction_of_a_traced_total():
  out = jax.jit(lambda n: sched.fraction(0.1, n))(1000)
  assert float(out) == 100.0


def test_fraction_in_a_recipe():
  total = 20_000
  s = sched.warmup(
    sched.cosine_decay_schedule(1e-3, total - sched.fraction(0.05, total)),
    sched.fraction(0.05, total),
  )
  assert float(s(1000)) == pytest.approx(1e-3)
  assert float(s(total)) == pytest.approx(0.0, abs=1e-12)


PC10 = sched.piecewise_constant_schedule(1.0, {10: 0.5})
JUMPS = [
  ("per_epoch", lambda: sched.per_epoch(COS, 7), 30, [7, 14, 21, 28]),
  ("shift", lambda: sched.shift(PC10, 5), 30, [15]),
  ("stretch", lambda: sched.stretch(PC10, 2.0), 30, [20]),
  (
    "stretch periodic",
    lambda: sched.stretch(sched.step_decay_schedule(1.0, 10, 0.5), 2.0),
    70,
    [20, 40, 60],
  ),
  ("repeat restarts", lambda: sched.repeat(COS, 10, 2.0), 100, [10, 30, 70]),
  (
    "repeat inner",
    lambda: sched.repeat(sched.piecewise_constant_schedule(1.0, {5: 0.5}), 10),
    30,
    [5, 10, 15, 20, 25],
  ),
  (
    "repeat stretched inner",
    lambda: sched.repeat(sched.piecewise_constant_schedule(1.0, {5: 0.5}), 10, 2.0),
    40,
    [5, 10, 20, 30],
  ),
  # The child's jump at 10, on the restart, is that restart (declared once).
  ("repeat unstretched", lambda: sched.repeat(PC10, 10, stretch_cycles=False), 40, [10, 20, 30]),
  # Unstretched cycles of 10, 20, 40 steps: the child's jump at 5 comes 5 steps after each start.
  (
    "repeat unstretched, growing",
    lambda: sched.repeat(
      sched.piecewise_constant_schedule(1.0, {5: 0.5}), 10, 2.0, stretch_cycles=False
    ),
    40,
    [5, 10, 15, 30, 35],
  ),
  # The last update (9) still sees the child's jump at 9; the one at 10 is held off.
  (
    "hold",
    lambda: sched.hold(sched.piecewise_constant_schedule(1.0, {9: 0.5, 10: 0.5}), 10),
    30,
    [9],
  ),
  ("warmup constant", lambda: sched.warmup(COS, 10, 1e-5, "constant"), 50, [10]),
  ("warmup constant, one step", lambda: sched.warmup(COS, 1, 1e-5, "constant"), 50, [1]),
  ("warmup continuous", lambda: sched.warmup(PC10, 5), 50, [15]),
  ("warmup no prefix", lambda: sched.warmup(PC10, 5, prefix=False), 50, [10]),
  # The ramp ends at the child's value at W (after its jump there): continuous, none declared.
  ("warmup no prefix, the child's jump at W", lambda: sched.warmup(PC10, 10, prefix=False), 50, []),
  (
    "warmup no prefix, periodic",
    lambda: sched.warmup(sched.step_decay_schedule(1.0, 10, 0.5), 5, prefix=False),
    50,
    [10, 20, 30, 40],
  ),
  ("join", lambda: sched.join_schedules([PC10, PC10], [20]), 50, [10, 20, 30]),
  # The middle piece runs 7.7 steps and steps at each whole local step, 7 included (t = 9.5).
  (
    "join, a piece of fractional length",
    lambda: sched.join_schedules([PC10, sched.per_epoch(COS, 1), PC10], [2.5, 10.2]),
    11,
    [2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 8.5, 9.5, 10.2],
  ),
  ("multiply", lambda: sched.multiply(PC10, sched.shift(PC10, 10)), 50, [10, 20]),
  ("minimum", lambda: sched.minimum(PC10, 0.7, sched.shift(PC10, 3)), 50, [10, 13]),
  (
    "clip",
    lambda: sched.clip(PC10, floor=sched.shift(PC10, 20), ceiling=sched.shift(PC10, 30)),
    50,
    [10, 30, 40],
  ),
  ("continuous", lambda: sched.scale(COS, 2.0), 50, []),
]


@pytest.mark.parametrize("name,build,total,expected", JUMPS, ids=[j[0] for j in JUMPS])
def test_declared_jumps(name, build, total, expected):
  got = sorted(float(b) for b in build().declared_jumps(total))
  assert got == [float(e) for e in expected]


def test_declared_jumps_are_real_jumps_and_the_rest_is_smooth():
  s = sched.repeat(sched.warmup(COS, 5, shape="constant"), 40, 1.5, 0.5)
  total = 200
  values = np.asarray(s(np.arange(total)), np.float64)
  big = {int(i) + 1 for i in np.nonzero(np.abs(np.diff(values)) > 1e-4)[0]}
  assert big == {int(np.ceil(b)) for b in s.declared_jumps(total)}


# -- checks -------------------------------------------------------------------

BAD = [
  (lambda: sched.warmup(COS, -1), "warmup: warmup_steps=-1"),
  (lambda: sched.warmup(COS, 10, shape="quadratic"), "warmup: shape='quadratic'"),
  (lambda: sched.warmup(COS, 10, 0.0, "exponential"), "warmup: init_value=0.0"),
  (lambda: sched.warmup(COS, 10, prefix="yes"), "warmup: prefix='yes'"),
  (lambda: sched.warmup("cos", 10), "warmup: schedule='cos'"),
  (lambda: sched.multiply(COS, "2"), "multiply: b='2'"),
  (lambda: sched.add(COS, float("nan")), "add: b=nan"),
  (lambda: sched.divide(COS, 0.0), "divide: b=0.0"),
  (lambda: sched.scale(COS, None), "scale: factor=None"),
  (lambda: sched.minimum(COS), "minimum: schedules="),
  (
    lambda: sched.minimum(0.5),
    "minimum: schedules=[0.5] is not allowed: it must hold at least two schedules or numbers",
  ),
  (lambda: sched.maximum(COS, [1.0]), "maximum: schedules[1]=[1.0]"),
  (lambda: sched.clip(COS, 1e-3, 1e-4), "clip: ceiling=0.0001"),
  (lambda: sched.shift(COS, float("inf")), "shift: steps=inf"),
  (lambda: sched.hold(COS, 0), "hold: steps=0"),
  (lambda: sched.hold(COS, 0.5), "hold: steps=0.5"),
  (lambda: sched.shift(3.0, 5), "shift: schedule=3.0"),
  (lambda: sched.stretch(COS, 0), "stretch: factor=0"),
  (lambda: sched.repeat(COS, 0), "repeat: period=0"),
  (lambda: sched.repeat(COS, 10, 0.5), "repeat: period_mult=0.5"),
  (lambda: sched.repeat(COS, 10, stretch_cycles=1), "repeat: stretch_cycles=1"),
  (lambda: sched.per_epoch(COS, 0), "per_epoch: steps_per_epoch=0"),
  (lambda: sched.join_schedules([COS, COS], [10, 20]), "join_schedules: boundaries=[10, 20]"),
  (lambda: sched.join_schedules([COS, COS, COS], [20, 10]), "join_schedules: boundaries[1]=10"),
  (lambda: sched.join_schedules([COS, COS], [-1]), "join_schedules: boundaries[0]=-1"),
  (lambda: sched.join_schedules([COS, COS], ["a"]), "join_schedules: boundaries[0]='a'"),
  (lambda: sched.join_schedules(COS, []), "join_schedules: schedules="),
  (lambda: sched.fraction(0.1, 0), "fraction: total_steps=0"),
  (lambda: sched.fraction(-0.1, 10), "fraction: fractions=-0.1"),
  (lambda: sched.fraction(0.1, 10, "up"), "fraction: rounding='up'"),
]


@pytest.mark.parametrize("build,message", BAD, ids=[b[1] for b in BAD])
def test_bad_arguments_raise_a_value_error_naming_them(build, message):
  with pytest.raises(ValueError, match="is not allowed") as info:
    build()
  assert str(info.value).startswith(message)


def test_unsorted_boundaries_message_says_where():
  with pytest.raises(ValueError, match="increasing order"):
    sched.join_schedules([COS, COS, COS], [20, 10])


# -- transformations ----------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_jit_equals_eager(name):
  s = EXAMPLES[name]()
  assert_close(jax.jit(lambda t: s(t))(STEPS), s(STEPS))


@pytest.mark.parametrize("name", NAMES)
def test_vmap_over_steps_equals_array_call(name):
  s = EXAMPLES[name]()
  assert_close(jax.vmap(s)(STEPS), s(STEPS))


@pytest.mark.parametrize("name", NAMES)
def test_float_steps_agree_with_int_steps(name):
  s = EXAMPLES[name]()
  assert_close(s(STEPS.astype(jnp.float32)), s(STEPS))


@pytest.mark.parametrize("name", NAMES)
def test_vmap_over_every_leaf_equals_one_at_a_time(name):
  """Every hyperparameter, child ones included, may be traced."""
  s = EXAMPLES[name]()
  leaves, treedef = jax.tree.flatten(s)
  floats = [jnp.asarray(x, jnp.float32) for x in leaves]
  batch = [jnp.stack([x, x * 1.25]) for x in floats]
  swept = jax.vmap(lambda *ls: jax.tree.unflatten(treedef, ls)(STEPS))(*batch)
  for k in range(2):
    one = jax.tree.unflatten(treedef, [float(b[k]) for b in batch])
    assert_close(swept[k], one(STEPS), err_msg=f"{name} member {k}")


SWEEPS = [
  ("warmup.peak_value", lambda x: sched.warmup(COS, 20, peak_value=x), [1e-3, 2e-3]),
  ("warmup.warmup_steps", lambda x: sched.warmup(COS, x), [10.0, 30.0]),
  ("scale.factor", lambda x: sched.scale(COS, x), [0.5, 2.0]),
  ("shift.steps", lambda x: sched.shift(COS, x), [5.0, 40.0]),
  ("stretch.factor", lambda x: sched.stretch(COS, x), [0.5, 3.0]),
  ("repeat.period_mult", lambda x: sched.repeat(COS, 40, x), [1.0, 2.0]),
  ("repeat.decay", lambda x: sched.repeat(COS, 40, 1.0, x), [0.5, 0.9]),
  ("per_epoch.steps_per_epoch", lambda x: sched.per_epoch(COS, x), [3.0, 10.0]),
  ("clip.floor", lambda x: sched.clip(COS, floor=x), [2e-4, 5e-4]),
]


@pytest.mark.parametrize("name,build,values", SWEEPS, ids=[s[0] for s in SWEEPS])
def test_vmap_over_construction_equals_one_at_a_time(name, build, values):
  swept = jax.vmap(lambda x: build(x)(STEPS))(jnp.asarray(values))
  assert_close(swept, jnp.stack([build(v)(STEPS) for v in values]))


GRADS = [
  ("warmup peak", lambda x: sched.warmup(COS, 20, peak_value=x), 1e-3, 10),
  ("scale factor", lambda x: sched.scale(COS, x), 0.5, 30),
  ("repeat decay", lambda x: sched.repeat(COS, 40.0, 1.0, x), 0.7, 90),
  ("repeat period_mult", lambda x: sched.repeat(COS, 40.0, x), 1.5, 90),
  ("stretch factor", lambda x: sched.stretch(COS, x), 2.0, 90),
  ("shift steps", lambda x: sched.shift(COS, x), 10.0, 50),
]


@pytest.mark.parametrize("name,build,x,step", GRADS, ids=[g[0] for g in GRADS])
def test_grad_wrt_a_hyperparameter_matches_finite_difference(name, build, x, step):
  assert_grad_matches_finite_difference(lambda h: build(h)(step), x)


# -- configs, repr, docs --------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_config_round_trip_rebuilds_an_equal_schedule(name):
  s = EXAMPLES[name]()
  rebuilt = sched.from_config(sched.to_config(s))
  assert rebuilt == s
  np.testing.assert_array_equal(rebuilt(STEPS), s(STEPS))


def test_config_round_trip_of_a_nested_recipe():
  s = 0.5 * sched.warmup(sched.repeat(COS, 100, 2.0), sched.fraction(0.1, 1000)) + 1e-6
  assert sched.from_config(sched.to_config(s)) == s


@pytest.mark.parametrize("name", NAMES)
def test_repr_evaluates_to_an_equal_schedule(name):
  s = EXAMPLES[name]()
  assert eval(repr(s), vars(sched)) == s


@pytest.mark.parametrize("module", ["join", "arithmetic", "timing", "warmup", "durations"])
def test_docstring_examples_print_what_the_code_gives(module):
  mod = importlib.import_module(f"optax_sched.combinators.{module}")
  result = doctest.testmod(mod)
  assert result.attempted and not result.failed


def test_hold_keeps_the_last_in_run_value_at_every_later_step():
  decay = sched.linear_schedule(1.0, -1.0, 100)  # would go on below its end
  s = sched.hold(sched.cosine_decay_schedule(1.0, 100), 80)
  later = jnp.array([79, 80, 1000, 2**31 - 1], jnp.int32)
  assert jnp.all(s(later) == s(79))
  assert float(sched.hold(decay, 50)(10**6)) == float(decay(49))


def test_per_epoch_floors_float_steps_whose_quotient_rounds_up():
  """``floor(t / 1.5)`` at the float step t = 16774219: t / 1.5 = 11182812.67 rounds
  to 11182813 in float32, one epoch too many."""
  s = sched.per_epoch(sched.linear_schedule(0.0, 2.0**24, 2**24), 1.5)  # s(k) = k
  assert float(s(np.float32(16774219.0))) == 11182812.0


def test_hold_keeps_integer_steps_exact_past_2_24():
  """An int step is held as an int: 2**24 and 2**24 + 1 stay apart (float32 merges them)."""
  b = 2**24 + 1
  s = sched.hold(sched.piecewise_constant_schedule(1.0, {b: 0.5}), 2**30)
  assert [float(s(jnp.int32(k))) for k in (b - 1, b)] == [1.0, 0.5]


def test_shift_back_ports_the_t_plus_one_convention():
  # fairseq/OLMo compute the LR of update t from the count t + 1.
  s = sched.linear_schedule(0.0, 1.0, 10)
  back = sched.shift(s, -1)
  assert [float(back(t)) for t in (0, 8, 9, 50)] == [float(s(t)) for t in (1, 9, 10, 51)]


@pytest.mark.parametrize(
  "pieces",
  [
    [sched.constant_schedule(0.1), sched.constant_schedule(0.3)],  # one family: stacked leaves
    [sched.linear_schedule(0.1, 0.3, 10), sched.constant_schedule(0.3)],  # mixed
  ],
  ids=["one family", "mixed"],
)
def test_join_built_and_called_without_x64_follows_x64_when_it_is_on(pieces):
  s = sched.join_schedules(pieces, [10])
  assert s(15).dtype == jnp.float32
  with jax.enable_x64(True):
    v = s(15)
    assert v.dtype == jnp.float64
    assert float(v) == 0.3  # not 0.3 rounded to float32 (0.30000001192...)
  assert s(15).dtype == jnp.float32


def test_join_takes_any_sequence_of_boundaries_and_keeps_its_own_copy():
  """Boundaries given as a list, an array, a range or a generator give the same join;
  changing the caller's list afterwards does not move them."""
  pieces = [sched.constant_schedule(x) for x in (1.0, 2.0, 3.0)]
  expected = [1.0] * 10 + [2.0] * 10 + [3.0] * 10
  bounds = [10, 20]
  s = sched.join_schedules(pieces, bounds)
  bounds[0] = 15
  assert np.asarray(s(jnp.arange(30))).tolist() == expected
  assert isinstance(s.boundaries, tuple)
  for given in (np.array([10, 20]), range(10, 30, 10), (b for b in (10, 20))):
    t = sched.join_schedules(pieces, given)  # pyright: ignore[reportArgumentType]
    assert np.asarray(t(jnp.arange(30))).tolist() == expected


@pytest.mark.parametrize(
  "factor,bounds",
  [(1.1, (30, 60, 110)), (1.7, (10, 20, 30)), (1.3, (30, 60, 110)), (0.3, (30, 50, 60))],
)
def test_stretch_crosses_each_boundary_at_its_whole_stretched_step(factor, bounds):
  """``b * factor`` whole: the child's boundary ``b`` is crossed at that step, although
  the float32 quotient ``t / factor`` can miss ``b`` by an ulp or two there (which
  steps miss depends on how the backend divides: these are misses with XLA on CPU and
  with NumPy)."""
  child = sched.piecewise_constant_schedule(1.0, {b: 0.5 for b in bounds})
  s = sched.stretch(child, factor)
  at = [round(b * factor) for b in bounds]
  assert np.asarray(s(jnp.asarray(at))).tolist() == [0.5, 0.25, 0.125]
  assert np.asarray(s(jnp.asarray([t - 1 for t in at]))).tolist() == [1.0, 0.5, 0.25]
