"""A schedule per parameter group: group_optimizer, label_params, current_lr."""

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

import optax_sched as sched

BODY = sched.warmup_cosine_decay_schedule(0.0, 0.1, 5, 50, 0.0)
SCHEDULES = {"body": BODY, "head": 10 * BODY, "frozen_norm": 0.0}
PARAMS = {
  "embed": jnp.ones((3, 2)),
  "dense": {"w": jnp.ones((2, 2)), "b": jnp.ones(2)},
  "norm": {"scale": jnp.ones(2)},
  "head": {"w": jnp.ones((2, 1))},
}
RULES = {"^head/": "head", "^norm/": "frozen_norm"}


def test_label_params_first_matching_rule_wins_and_the_rest_get_the_default():
  labels = sched.label_params(PARAMS, [("w$", "weights"), ("^head/", "head")], default="other")
  assert labels == {
    "embed": "other",
    "dense": {"w": "weights", "b": "other"},
    "norm": {"scale": "other"},
    "head": {"w": "weights"},  # "w$" comes first
  }


@pytest.mark.parametrize(
  "rules,match",
  [({"(": "x"}, "pattern"), ({"a": 3}, "label"), ([("a",)], "rules")],
)
def test_label_params_rejects_bad_rules(rules, match):
  with pytest.raises(ValueError, match=match):
    sched.label_params(PARAMS, rules)


def _train(opt, steps):
  """Plain SGD-style loop on loss = sum(params): every gradient is 1."""
  params, state = PARAMS, opt.init(PARAMS)
  history = []

  @jax.jit
  def step(params, state):
    grads = jax.tree_util.tree_map(jnp.ones_like, params)
    updates, state = opt.update(grads, state, params)
    return optax.apply_updates(params, updates), state, updates

  for _ in range(steps):
    rates = sched.current_lr(SCHEDULES, state)
    params, state, updates = step(params, state)
    history.append((rates, updates))
  return params, state, history


def test_each_group_follows_its_own_schedule():
  opt = sched.group_optimizer(SCHEDULES, lambda p: sched.label_params(p, RULES, "body"), optax.sgd)
  _, _, history = _train(opt, 12)
  for t, (rates, updates) in enumerate(history):
    body, head = float(BODY(t)), 10 * float(BODY(t))
    assert float(rates["body"]) == pytest.approx(body, rel=1e-6)
    assert float(rates["head"]) == pytest.approx(head, rel=1e-6)
    assert float(rates["frozen_norm"]) == 0.0
    # SGD: update = -lr * grad with grad = 1.
    np.testing.assert_allclose(updates["dense"]["w"], -body, rtol=1e-6, atol=1e-12)
    np.testing.assert_allclose(updates["embed"], -body, rtol=1e-6, atol=1e-12)
    np.testing.assert_allclose(updates["head"]["w"], -head, rtol=1e-6, atol=1e-12)
    np.testing.assert_array_equal(updates["norm"]["scale"], 0.0)


def test_a_dict_of_optimizers_gives_groups_different_optimizers():
  no_decay = lambda lr: optax.adamw(lr, weight_decay=0.0)  # noqa: E731
  decay = lambda lr: optax.adamw(lr, weight_decay=0.5)  # noqa: E731
  schedules = {"decay": BODY, "no_decay": BODY}
  labels = sched.label_params(PARAMS, {"/b$|^norm/|^embed": "no_decay"}, "decay")
  opt = sched.group_optimizer(schedules, labels, {"decay": decay, "no_decay": no_decay})
  params, state = PARAMS, opt.init(PARAMS)
  zero = jax.tree_util.tree_map(jnp.zeros_like, PARAMS)
  for _ in range(6):  # zero gradients: only weight decay moves a parameter
    updates, state = opt.update(zero, state, params)
    params = optax.apply_updates(params, updates)
  assert float(params["dense"]["w"][0, 0]) < 1.0
  assert float(params["dense"]["b"][0]) == 1.0
  assert float(params["embed"][0, 0]) == 1.0


def test_a_label_without_a_schedule_is_named_at_init():
  opt = sched.group_optimizer({"body": BODY}, sched.label_params(PARAMS, RULES, "body"))
  with pytest.raises(ValueError, match="'head'"):
    opt.init(PARAMS)


@pytest.mark.parametrize(
  "schedules,optimizer,match",
  [
    ({}, None, "schedules"),
    ({"a": "fast"}, None, "schedules\\['a'\\]"),
    ({1: BODY}, None, "label"),
    ({"a": BODY, "b": BODY}, {"a": optax.sgd}, "optimizer"),
    ({"a": BODY}, 3, "optimizer"),
  ],
)
def test_bad_arguments_name_themselves(schedules, optimizer, match):
  with pytest.raises(ValueError, match=match):
    sched.group_optimizer(schedules, {"w": "a"}, optimizer)


def test_current_lr_of_a_single_schedule_is_unchanged():
  opt = optax.adamw(learning_rate=BODY)
  state = opt.init(PARAMS)
  assert float(sched.current_lr(BODY, state)) == 0.0


def test_group_dicts_round_trip_through_config_json_and_spec():
  groups = {"body": BODY, "head": 10 * BODY}
  assert sched.from_config(sched.to_config(groups)) == groups
  assert sched.from_json(sched.to_json(groups)) == groups
  text = sched.to_spec(groups)
  assert text.startswith("{'body': ")
  assert sched.from_spec(text) == groups


@pytest.mark.parametrize(
  "spec,match",
  [
    ("{'a': 3}", "schedule call"),
    ("{1: constant_schedule(1.0)}", "label"),
    ("{'a': __import__('os')}", "not allowed"),
  ],
)
def test_bad_group_specs_are_rejected(spec, match):
  with pytest.raises(ValueError, match=match):
    sched.from_spec(spec)


@pytest.mark.parametrize(
  "config,match",
  [
    ({"groups": {}}, "groups"),
    ({"groups": {"a": 3}}, "groups"),
    ({"groups": {"a": {"name": "cosine_decay_schedule", "args": {}}}}, "decay_steps|init_value"),
    ({"groups": {"a": {"name": "constant_schedule", "args": {"value": 1.0}}}, "x": 1}, "'x'"),
  ],
)
def test_bad_group_configs_are_rejected(config, match):
  with pytest.raises(ValueError, match=match):
    sched.from_config(config)


def test_describe_lint_and_plot_take_a_group_dict():
  groups = {"body": BODY, "head": 10 * BODY}
  described = sched.describe(groups, 50)
  assert described["head"]["peak_value"] == pytest.approx(10 * described["body"]["peak_value"])
  found = sched.lint({"ok": BODY, "short": sched.warmup_cosine_decay_schedule(0, 1, 5, 20)}, 50)
  assert [f.severity for f in found["ok"]] == ["info"]  # the LR of 0 at the warmup's start
  assert "warning" in [f.severity for f in found["short"]]
  ax = sched.plot(groups, 50)
  assert [t.get_text() for t in ax.get_legend().get_texts()][:2] == ["body", "head"]
