"""Schedules as data: config dicts, JSON, YAML and loading from any source."""

import dataclasses
import json
from typing import Any

import pytest
from every_example import every_example
from hypothesis import given, settings, strategies as st

import optax_sched as sched
from optax_sched import _base, config

EXAMPLES = every_example()
NAMES = sorted(EXAMPLES)


@pytest.fixture(params=NAMES)
def schedule(request):
  return EXAMPLES[request.param]()


def test_config_round_trip_rebuilds_an_equal_schedule(schedule):
  assert sched.from_config(sched.to_config(schedule)) == schedule


def test_config_is_plain_json(schedule):
  cfg = sched.to_config(schedule)
  assert json.loads(json.dumps(cfg, allow_nan=False)) == cfg


def test_json_round_trip(schedule):
  assert sched.from_json(sched.to_json(schedule)) == schedule


def test_yaml_round_trip(schedule):
  assert sched.from_yaml(sched.to_yaml(schedule)) == schedule


def test_config_carries_the_format_version():
  cfg = sched.to_config(sched.constant_schedule(1e-3))
  assert cfg["format_version"] == config.FORMAT_VERSION == 1


def test_nested_schedules_are_nested_configs():
  s = sched.join_schedules(
    [sched.linear_schedule(0.0, 1e-3, 10), sched.cosine_decay_schedule(1e-3, 90)], [10]
  )
  pieces = sched.to_config(s)["args"]["schedules"]
  assert [p["name"] for p in pieces] == ["linear_schedule", "cosine_decay_schedule"]


def test_handwritten_yaml_reads_exponent_notation_as_numbers():
  s = sched.from_yaml("name: cosine_decay_schedule\nargs: {init_value: 1e-3, decay_steps: 1000}\n")
  assert s == sched.cosine_decay_schedule(1e-3, 1000)


@pytest.fixture
def fake_compat():
  """A compat-style class under a dotted name, removed again afterwards."""

  @_base.register(name="torch.FakeStepLR")
  class FakeStepLR(_base.Schedule):
    """Test double of a compat class."""

    base_lr: Any
    step_size: Any
    gamma: Any = 0.1

    def _value(self, t):
      return self.base_lr * self.gamma ** (t // self.step_size)

  yield FakeStepLR
  del _base._REGISTRY["torch.FakeStepLR"]


def test_compat_names_keep_their_dotted_name(fake_compat):
  cfg = sched.to_config(fake_compat(0.1, 30))
  assert cfg["name"] == "torch.FakeStepLR"


def test_compat_names_round_trip(fake_compat):
  s = fake_compat(0.1, 30, gamma=0.5)
  assert sched.from_config(sched.to_config(s)) == s


def test_function_schedule_cannot_be_saved():
  with pytest.raises(ValueError, match="function_schedule"):
    sched.to_config(sched.function_schedule(lambda t: t))


@pytest.mark.parametrize(
  "cfg, names",
  [
    ({"format_version": 2, "name": "constant_schedule", "args": {"value": 1}}, "format_version=2"),
    ({"name": "no_such_schedule", "args": {}}, "'no_such_schedule'"),
    ({"name": "function_schedule", "args": {"fn": "print"}}, "'function_schedule'"),
    ({"name": ["constant_schedule"], "args": {}}, "config.name"),
    ({"name": "constant_schedule", "args": []}, "config.args"),
    ({"name": "constant_schedule", "args": {"value": 1}, "extra": 1}, "extra"),
    ({"name": "constant_schedule", "args": {"valu": 1}}, "valu"),
    ({"name": "constant_schedule", "args": {"value": "0.1"}}, "value='0.1'"),
    ({"name": "constant_schedule", "args": {"value": 10**30}}, "64 bits"),
    (
      {
        "name": "piecewise_constant_schedule",
        "args": {"init_value": 1, "boundaries_and_scales": {"$dict": [1, 2]}},
      },
      "\\$dict",
    ),
    ("constant_schedule(1)", "expected a dict"),
  ],
  ids=lambda x: x if isinstance(x, str) else None,
)
def test_bad_configs_raise_value_error_naming_the_entry(cfg, names):
  with pytest.raises(ValueError, match=names):
    sched.from_config(cfg)


def test_deeply_nested_config_is_refused():
  cfg = {"name": "constant_schedule", "args": {"value": 1}}
  deep: Any = 1
  for _ in range(10_000):
    deep = [deep]
  cfg["args"]["value"] = deep
  with pytest.raises(ValueError, match="nested more than"):
    sched.from_config(cfg)


def test_yaml_tags_are_not_constructed(tmp_path):
  marker = tmp_path / "pwned"
  text = f"!!python/object/apply:os.system ['touch {marker}']\n"
  with pytest.raises(ValueError, match="not valid YAML"):
    sched.from_yaml(text)
  assert not marker.exists()


def test_yaml_alias_bomb_is_refused():
  # Nine levels of seven references: 9 * 7**8 values from 80 lines of text.
  lines = ["name: constant_schedule", "args:", "  a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1]"]
  for i in range(1, 9):
    ref, own = chr(ord("a") + i - 1), chr(ord("a") + i)
    lines.append(f"  {own}: &{own} [" + ", ".join([f"*{ref}"] * 7) + "]")
  with pytest.raises(ValueError, match="values in one config"):
    sched.from_yaml("\n".join(lines))


def test_json_without_nan_or_infinity():
  with pytest.raises(ValueError, match="JSON"):
    sched.from_json('{"name": "constant_schedule", "args": {"value": NaN}}')


@pytest.mark.parametrize(
  "suffix, write",
  [
    (".json", sched.to_json),
    (".yaml", sched.to_yaml),
    (".yml", sched.to_yaml),
    (".txt", sched.to_spec),
  ],
)
def test_load_reads_config_and_spec_files(tmp_path, suffix, write):
  s = sched.warmup_cosine_decay_schedule(0.0, 1e-3, 10, 100)
  path = tmp_path / f"lr{suffix}"
  path.write_text(write(s))
  assert sched.load(str(path)) == s
  assert sched.load(path) == s


@pytest.mark.parametrize(
  "source",
  [
    "cosine_decay_schedule(1e-3, 100)",
    '{"name": "cosine_decay_schedule", "args": {"init_value": 0.001, "decay_steps": 100}}',
    {"name": "cosine_decay_schedule", "args": {"init_value": 1e-3, "decay_steps": 100}},
  ],
  ids=["spec", "json-text", "dict"],
)
def test_load_reads_text_and_dicts(source):
  assert sched.load(source) == sched.cosine_decay_schedule(1e-3, 100)


def test_load_names_a_missing_file():
  with pytest.raises(ValueError, match="cannot read missing.yaml"):
    sched.load("missing.yaml")


def test_every_public_name_is_a_dataclass_schedule():
  names = config.public_names()
  assert "function_schedule" not in names
  assert all(dataclasses.is_dataclass(c) and issubclass(c, sched.Schedule) for c in names.values())


_JSONISH = st.recursive(
  st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
  lambda inner: (
    st.lists(inner, max_size=4)
    | st.dictionaries(
      st.sampled_from(
        [
          "name",
          "args",
          "$dict",
          "value",
          "init_value",
          "decay_steps",
          "schedules",
          "boundaries",
          "x",
        ]
      ),
      inner,
      max_size=4,
    )
  ),
  max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(
  st.sampled_from(sorted(config.public_names()) + ["nope", "__import__"]),
  st.dictionaries(st.text(max_size=12), _JSONISH, max_size=4),
)
def test_fuzzed_configs_give_a_schedule_or_value_error(name, args):
  try:
    s = sched.from_config({"name": name, "args": args})
  except ValueError:
    return
  assert isinstance(s, sched.Schedule)
