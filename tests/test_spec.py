"""Spec strings: the Python call syntax, read with ast, never evaluated."""

import builtins
import warnings
from typing import Any

import pytest
from every_example import every_example
from hypothesis import given, settings, strategies as st

import optax_sched as sched
from optax_sched import _base

EXAMPLES = every_example()


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_repr_reads_back_as_an_equal_schedule(name):
  s = EXAMPLES[name]()
  assert sched.from_spec(repr(s)) == s


def test_nested_join_from_the_issue():
  s = sched.from_spec(
    "join_schedules([linear_schedule(0.0, 1e-3, 100), cosine_decay_schedule(1e-3, 900)], [100])"
  )
  assert s == sched.join_schedules(
    [sched.linear_schedule(0.0, 1e-3, 100), sched.cosine_decay_schedule(1e-3, 900)], [100]
  )


@pytest.mark.parametrize(
  "text",
  [
    "polynomial_schedule(1e-3, 1e-5, 2.0, 100, 5)",
    "polynomial_schedule(init_value=1e-3, end_value=1e-5, power=2.0,"
    " transition_steps=100, transition_begin=5)",
    "polynomial_schedule(1e-3, 1e-5, transition_steps=100, power=2.0, transition_begin=+5)",
    "  optax.polynomial_schedule(1e-3, 1e-5, 2.0, 100, 5)\n",
    "optax_sched.polynomial_schedule(1e-3, 1e-5, 2.0, 100, 5)",
  ],
)
def test_positional_keyword_signs_and_module_paths(text):
  assert sched.from_spec(text) == sched.polynomial_schedule(1e-3, 1e-5, 2.0, 100, 5)


def test_negative_numbers():
  s = sched.from_spec("linear_schedule(-1e-3, -0.5, 10)")
  assert s == sched.linear_schedule(-1e-3, -0.5, 10)


@pytest.mark.parametrize(
  "text, expected",
  [
    (
      "cosine_decay_schedule(6e-4 / 2001, 100)",
      lambda: sched.cosine_decay_schedule(6e-4 / 2001, 100),
    ),
    (
      "cosine_decay_schedule(3e-4 * 0.1, 2 ** 10)",
      lambda: sched.cosine_decay_schedule(3e-4 * 0.1, 1024),
    ),
    (
      "cosine_decay_schedule(1e-3, 1000 // 3 - 1 + -2)",
      lambda: sched.cosine_decay_schedule(1e-3, 330),
    ),
    (
      "1e-3 * warmup(cosine_decay_schedule(1.0, 900), 100)",
      lambda: sched.multiply(sched.warmup(sched.cosine_decay_schedule(1.0, 900), 100), 1e-3),
    ),
    (
      "cosine_decay_schedule(1e-3, 100) / 2 + 1e-5",
      lambda: sched.add(sched.divide(sched.cosine_decay_schedule(1e-3, 100), 2), 1e-5),
    ),
    (
      "-constant_schedule(1.0) + constant_schedule(2.0) * constant_schedule(3.0)",
      lambda: (
        -sched.constant_schedule(1.0) + sched.constant_schedule(2.0) * sched.constant_schedule(3.0)
      ),
    ),
    (
      "warmup(cosine_decay_schedule(1e-3, fraction(0.9, 10_000)), fraction(0.1, 10_000))",
      lambda: sched.warmup(sched.cosine_decay_schedule(1e-3, 9000), 1000),
    ),
    (
      "join_schedules([constant_schedule(1.0), constant_schedule(0.1)],"
      " optax_sched.fraction([0.5], 1001, rounding='ceil'))",
      lambda: sched.join_schedules(
        [sched.constant_schedule(1.0), sched.constant_schedule(0.1)], [501]
      ),
    ),
  ],
  ids=[
    "divide",
    "multiply-power",
    "floor-divide",
    "number-times-schedule",
    "schedule-arithmetic",
    "sign-of-a-schedule",
    "fraction",
    "fraction-list",
  ],
)
def test_arithmetic_on_numbers_and_schedules_and_fraction(text, expected):
  s = sched.from_spec(text)
  assert s == expected()
  assert float(s(7)) == float(expected()(7))


def test_dicts_with_number_keys():
  s = sched.from_spec("piecewise_constant_schedule(1e-3, {30: 0.1, 60: 0.5})")
  assert s == sched.piecewise_constant_schedule(1e-3, {30: 0.1, 60: 0.5})


def test_dict_call_takes_keywords_only():
  with pytest.raises(ValueError, match="keyword arguments only"):
    sched.from_spec("piecewise_constant_schedule(1e-3, dict([(30, 0.1)]))")


def test_dict_call_with_keywords_and_tuples():
  s = sched.from_spec(
    "sgdr_schedule((dict(init_value=1e-4, peak_value=1e-3, warmup_steps=5,"
    " decay_steps=50), {'init_value': 1e-4, 'peak_value': 1e-3,"
    " 'warmup_steps': 5, 'decay_steps': 50}))"
  )
  assert s == sched.sgdr_schedule(
    [dict(init_value=1e-4, peak_value=1e-3, warmup_steps=5, decay_steps=50)] * 2
  )


def test_string_and_boolean_arguments():
  s = sched.from_spec("exponential_decay(1e-3, 20, 0.5, staircase=True, end_value=None)")
  assert s == sched.exponential_decay(1e-3, 20, 0.5, staircase=True)


@pytest.fixture
def fake_compat():
  @_base.register(name="torch.FakeOneCycleLR")
  class FakeOneCycleLR(_base.Schedule):
    """Test double of a compat class."""

    max_lr: Any
    total_steps: Any

    def _value(self, t):
      return self.max_lr * (t < self.total_steps)

  yield FakeOneCycleLR
  del _base._REGISTRY["torch.FakeOneCycleLR"]


@pytest.mark.parametrize(
  "prefix", ["torch.", "torch.optim.lr_scheduler.", "optax_sched.compat.torch."]
)
def test_dotted_compat_names(fake_compat, prefix):
  s = sched.from_spec(f"{prefix}FakeOneCycleLR(max_lr=1e-3, total_steps=1000)")
  assert s == fake_compat(1e-3, 1000)


def test_to_spec_keeps_compat_names(fake_compat):
  assert sched.to_spec(fake_compat(1e-3, 10)).startswith("torch.FakeOneCycleLR(")


@pytest.mark.parametrize(
  "text, part",
  [
    ("cosine_decay_schedule(1e-3, 100, alpha=oops)", "`oops`"),
    ("cosine_decay_schedule(1e-3, 10 % 3)", "`10 % 3`"),
    ("cosine_decay_schedule(1e-3, 1 << 3)", "`1 << 3`"),
    ("cosine_decay_schedule(1e-3, [100] * 2)", "`[100] * 2`"),
    ("cosine_decay_schedule(1e-3, 'a' * 3)", "`'a' * 3`"),
    ("cosine_decay_schedule(True + 1e-3, 100)", "`True + 1e-3`"),
    ("cosine_decay_schedule(1e-3 / 0, 100)", "division by zero"),
    ("cosine_decay_schedule(1e-3, 9 ** 9 ** 9)", "64 bits"),
    ("cosine_decay_schedule(1e-3, 2 ** 62 * 4)", "64 bits"),
    ("cosine_decay_schedule(1e308 * 10, 100)", "finite"),
    ("cosine_decay_schedule(10.0 ** 400, 100)", "finite"),
    ("cosine_decay_schedule((-8) ** 0.5, 100)", "real number"),
    ("2 / cosine_decay_schedule(1e-3, 100)", "never divided into a number"),
    ("cosine_decay_schedule(1e-3, 100) ** 2", "`cosine_decay_schedule(1e-3, 100) ** 2`"),
    ("6e-4 / 2001", "one schedule call"),
    ("fraction(0.1, 1000)", "one schedule call"),
    ("cosine_decay_schedule(1e-3, fraction(0.1))", "total_steps"),
    ("cosine_decay_schedule(1e-3, fraction(0.1, 0))", "total_steps=0"),
    ("cosine_decay_schedule(1e-3, [1][0])", "`[1][0]`"),
    ("cosine_decay_schedule(1e-3, *[100])", "`*[100]`"),
    ("cosine_decay_schedule(1e-3, **{'decay_steps': 100})", "`{'decay_steps'"),
    ("cosine_decay_schedule(1e-3, 1j)", "`1j`"),
    ("cosine_decay_schedule(1e-3, b'100')", "`b'100'`"),
    ("cosine_decay_schedule(1e-3, -'a')", "`-'a'`"),
    ("cosine_decay_schedule(1e-3, f'{1}')", "`f'{1}'`"),
    ("cosine_decay_schedule(1e-3, inf)", "`inf`"),
    ("cosine_decay_schedule(1e-3, 100", "not a Python call"),
    ("cosine_decay_schedul(1e-3, 100)", "`cosine_decay_schedul`"),
    ("cosine_decay_schedul(1e-3, 100)", "did you mean cosine_decay_schedule"),
    ("Cosine_Decay_Schedule(1e-3, 100)", "did you mean cosine_decay_schedule"),
    ("function_schedule(1)", "`function_schedule`"),
    ("cosine_decay_schedule(1e-3, 100, decay=2)", "decay"),
    ("cosine_decay_schedule(1e-3, 0)", "decay_steps=0"),
    ("1e-3", "`1e-3`"),
    ("", "empty"),
  ],
)
def test_errors_name_the_offending_part(text, part):
  with pytest.raises(ValueError) as e:
    sched.from_spec(text)
  assert part in str(e.value)


HOSTILE = [
  "cosine_decay_schedule(1e-3, 100) * open('{marker}', 'w')",
  "cosine_decay_schedule(1e-3, 100) + __import__('os').system('touch {marker}')",
  "cosine_decay_schedule(1e-3, 100).__add__(open('{marker}', 'w'))",
  "(9 ** 9 ** 9) * open('{marker}', 'w')",
  "__import__('os').system('touch {marker}')",
  "os.system('touch {marker}')",
  "open('{marker}', 'w')",
  "(lambda: open('{marker}', 'w'))()",
  "cosine_decay_schedule(1e-3, [open('{marker}', 'w') for _ in 'a'])",
  "cosine_decay_schedule(1e-3, {{open('{marker}', 'w')}})",
  "cosine_decay_schedule(1e-3, (x := open('{marker}', 'w')))",
  "cosine_decay_schedule.__init__.__globals__['os']",
  "().__class__.__base__.__subclasses__()",
  "cosine_decay_schedule(1e-3, 100).__class__('{marker}')",
  'exec(\'open("{marker}", "w")\')',
  "cosine_decay_schedule(1e-3, 100); open('{marker}', 'w')",
  "cosine_decay_schedule(1e-3, 100)\nopen('{marker}', 'w')",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_specs_are_refused_and_nothing_runs(tmp_path, text):
  marker = tmp_path / "pwned"
  with pytest.raises(ValueError):
    sched.from_spec(text.format(marker=marker))
  assert not marker.exists()


def test_spec_reading_never_calls_eval_or_exec(monkeypatch):
  def forbidden(*args, **kwargs):
    raise AssertionError("eval/exec called")

  monkeypatch.setattr(builtins, "eval", forbidden)
  monkeypatch.setattr(builtins, "exec", forbidden)
  assert sched.from_spec("cosine_decay_schedule(1e-3, 100)") == (
    sched.cosine_decay_schedule(1e-3, 100)
  )


@pytest.mark.parametrize(
  "text",
  [
    "[" * 100_000 + "]" * 100_000,
    "cosine_decay_schedule(1e-3, " + "[" * 150 + "]" * 150 + ")",
    "cosine_decay_schedule(1e-3, " + "-" * 5000 + "1)",
    "join_schedules(["
    + "join_schedules([" * 80
    + "constant_schedule(1)"
    + "], [])" * 80
    + "], [])",
    "cosine_decay_schedule(1e-3, " + "9" * 5000 + ")",
    "cosine_decay_schedule(1e-3, " + "9" * 30 + ")",
    "cosine_decay_schedule(1e-3, " + "2 * " * 70 + "1)",
    "cosine_decay_schedule(1e-3, " + "10 ** " * 5 + "10)",
    "constant_schedule(" + "1" * 2_000_000 + ")",
    "constant_schedule(1)\x00",
  ],
  ids=[
    "brackets",
    "nested-lists",
    "signs",
    "nested-calls",
    "huge-int",
    "int-over-64-bits",
    "product-over-64-bits",
    "power-tower",
    "huge-text",
    "null-byte",
  ],
)
def test_oversized_or_deep_specs_are_refused(text):
  with pytest.raises(ValueError):
    sched.from_spec(text)


_TOKENS = st.sampled_from(
  [
    "cosine_decay_schedule",
    "join_schedules",
    "constant_schedule",
    "torch.",
    "StepLR",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ",",
    ":",
    "=",
    "-",
    "+",
    "*",
    ".",
    "1e-3",
    "100",
    "0",
    "-1",
    "'linear'",
    "True",
    "None",
    "lambda",
    "x",
    "__import__",
    "dict",
    " ",
    "\n",
    "1j",
    "'",
    '"',
    "\\",
    "#",
    "**",
    "@",
    "/",
    "//",
    "%",
    "fraction",
    "0.1",
  ]
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=80), st.lists(_TOKENS, max_size=30).map("".join)))
def test_fuzzed_text_gives_a_schedule_or_value_error(text):
  try:
    s = sched.from_spec(text)
  except ValueError:
    return
  assert isinstance(s, sched.Schedule)


def test_stray_backslash_in_a_spec_string_is_a_value_error_without_warnings():
  with warnings.catch_warnings():
    warnings.simplefilter("error")
    with pytest.raises(ValueError, match="init_value"):
      sched.from_spec(r"cosine_decay_schedule('\c', 10)")
