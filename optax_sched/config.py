"""Schedules as data: configs (dict, JSON, YAML) and spec strings.

A config is a JSON-able dict ``{"name": ..., "args": {...}}`` with the public
name of the schedule and its constructor arguments; nested schedules (in
combinators) are nested dicts of the same form. Compat schedules keep their
dotted names (``"torch.StepLR"``). The top level also carries
``"format_version"``. Dicts with non-string keys (optax's
``boundaries_and_scales``) are stored as ``{"$dict": [[key, value], ...]}``.

A spec is the Python call that builds a schedule, read with :mod:`ast` and
never evaluated: calls of public names (nested), numbers, strings,
``True``/``False``/``None``, lists, tuples and dicts, arithmetic on numbers
(``6e-4 / 2001``), ``+ - * /`` between schedules and numbers
(``1e-3 * warmup(...)``) and ``fraction(...)``. Anything else is a
``ValueError`` naming the offending part.

Example:
  >>> import optax_sched as sched
  >>> s = sched.cosine_decay_schedule(1e-3, 1000)
  >>> sched.to_config(s)
  {'format_version': 1, 'name': 'cosine_decay_schedule',
   'args': {'init_value': 0.001, 'decay_steps': 1000, 'alpha': 0.0, 'exponent': 1.0}}
  >>> sched.from_config(sched.to_config(s)) == s
  True
  >>> sched.from_spec("cosine_decay_schedule(1e-3, decay_steps=1000)") == s
  True
  >>> print(sched.to_yaml(s), end="")
  format_version: 1
  name: cosine_decay_schedule
  args:
    init_value: 0.001
    decay_steps: 1000
    alpha: 0.0
    exponent: 1.0
"""

from __future__ import annotations

import ast
import difflib
import functools
import importlib
import json
import math
import operator
import os
import pkgutil
import re
import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np

from optax_sched import _base
from optax_sched._base import Schedule
from optax_sched._validate import concrete

FORMAT_VERSION = 1

# Names that are registered but cannot be written as data (they hold code).
NOT_DATA = frozenset({"function_schedule"})

# Limits that keep hostile text from costing more than a real schedule could.
MAX_TEXT = 1_000_000
MAX_DEPTH = 64
MAX_NODES = 1_000_000
# Integers beyond this cannot be steps or counts (int64) and numpy would keep
# them as Python objects that no check can see.
MAX_INT = 2**63 - 1

# Module paths users copy from peers' code, mapped onto our dotted prefixes.
_ALIASES = {
  "torch.optim.lr_scheduler": "torch",
  "transformers.optimization": "transformers",
  "timm.scheduler": "timm",
  "keras.optimizers.schedules": "keras",
  "tf.keras.optimizers.schedules": "keras",
  "optax_sched.compat": "",
  "optax_sched": "",
  "sched": "",
  "optax": "",
}


def registry() -> dict[str, type[Schedule]]:
  """Every registered public schedule name and its class.

  Imports every family, combinator and compat module first (the package
  root imports them lazily), so the table is complete.

  Example:
    >>> import optax_sched as sched
    >>> names = sched.registry()
    >>> names["torch.StepLR"] is sched.compat.torch.StepLR
    True
  """
  _import_all()
  return _base.registry()


def public_names() -> dict[str, type[Schedule]]:
  """Every public schedule name (families, combinators, compat) -> class."""
  return {k: c for k, c in sorted(registry().items()) if k not in NOT_DATA}


@functools.cache
def _import_all() -> None:
  for package in ("optax_sched.families", "optax_sched.combinators", "optax_sched.compat"):
    module = importlib.import_module(package)
    for sub in pkgutil.iter_modules(module.__path__):
      if not sub.name.startswith("_"):
        importlib.import_module(f"{package}.{sub.name}")


# ---------------------------------------------------------------- configs


def to_config(schedule: Schedule | Mapping[str, Schedule]) -> dict[str, Any]:
  """A JSON-able dict from which :func:`from_config` rebuilds ``schedule``.

  A dict ``{label: schedule}`` (a schedule per parameter group, see
  :func:`optax_sched.group_optimizer`) gives ``{"groups": {label: config}}``.

  Example:
    >>> import optax_sched as sched
    >>> sched.to_config(sched.cosine_decay_schedule(1e-3, 100))
    {'format_version': 1, 'name': 'cosine_decay_schedule', 'args': {'init_value': 0.001,
    'decay_steps': 100, 'alpha': 0.0, 'exponent': 1.0}}
  """
  if isinstance(schedule, Mapping):
    return {"format_version": FORMAT_VERSION, "groups": _encode_groups(schedule)}
  if not isinstance(schedule, Schedule):
    raise ValueError(
      f"schedule={schedule!r} is not allowed: to_config takes an optax_sched Schedule"
    )
  return {"format_version": FORMAT_VERSION, **_encode(schedule, "schedule")}


def _encode_groups(groups: Mapping[str, Any]) -> dict[str, Any]:
  if not groups:
    raise ValueError(
      "schedule={} is not allowed: a group dict needs at least one {label: schedule}"
    )
  out = {}
  for label, s in groups.items():
    if not isinstance(label, str):
      raise ValueError(f"schedule: group label {label!r} is not allowed: labels are str")
    if not isinstance(s, Schedule):
      raise ValueError(
        f"schedule[{label!r}]={s!r} is not allowed: every group holds an optax_sched Schedule"
      )
    out[label] = _encode(s, f"schedule[{label!r}]")
  return out


def _encode(x: Any, where: str) -> Any:
  if isinstance(x, Schedule):
    if x.name in NOT_DATA:
      raise ValueError(
        f"{where}: a {x.name} (a Python callable) cannot be saved"
        " as config; use a named family instead"
      )
    return {
      "name": x.name,
      "args": {k: _encode(val, f"{where}.{k}") for k, val in x.arguments().items()},
    }
  if isinstance(x, (str, bool, type(None), int, float)):
    return x
  if isinstance(x, (list, tuple)):
    return [_encode(val, f"{where}[{i}]") for i, val in enumerate(x)]
  if isinstance(x, dict):
    if all(isinstance(k, str) for k in x):
      return {k: _encode(val, f"{where}[{k!r}]") for k, val in x.items()}
    return {"$dict": [[_encode(k, where), _encode(val, f"{where}[{k!r}]")] for k, val in x.items()]}
  if callable(x):
    raise ValueError(f"{where}={x!r} cannot be saved as config: it is a Python callable")
  arr = concrete(x)
  if arr is None:
    raise ValueError(
      f"{where}={x!r} cannot be saved as config: only concrete values can (not traced ones)"
    )
  return arr.item() if arr.ndim == 0 else np.asarray(arr).tolist()


def from_config(config: dict[str, Any]) -> Schedule:
  """Rebuilds a schedule from :func:`to_config`'s dict (validating it).

  Raises ValueError, naming the offending entry, for anything that is not a
  config of public names and plain values.

  Example:
    >>> import optax_sched as sched
    >>> s = sched.warmup(sched.cosine_decay_schedule(1e-3, 100), 10)
    >>> sched.from_config(sched.to_config(s)) == s
    True
    >>> sched.from_config({'name': 'torch.StepLR', 'args': {'base_lr': 0.1, 'step_size': 2}})
    torch.StepLR(base_lr=0.1, step_size=2)
  """
  if not isinstance(config, dict):
    raise ValueError(
      f"config={_short(config)} is not allowed: expected a dict with 'name' and 'args'"
    )
  version = config.get("format_version", FORMAT_VERSION)
  if isinstance(version, bool) or version != FORMAT_VERSION:
    raise ValueError(
      f"format_version={_short(version)} is not allowed: this version of"
      f" optax_sched reads format_version {FORMAT_VERSION}"
    )
  if "groups" in config:
    return _decode_groups(config)
  extra = set(config) - {"format_version", "name", "args"}
  if extra:
    raise ValueError(
      f"config: unknown key(s) {sorted(map(str, extra))}; allowed: format_version, name, args"
    )
  return _Decoder().schedule(config, "config", 0)


def _decode_groups(config: dict[str, Any]) -> dict[str, Schedule]:
  extra = set(config) - {"format_version", "groups"}
  groups = config["groups"]
  if extra:
    raise ValueError(
      f"config: unknown key(s) {sorted(map(str, extra))} beside 'groups'; allowed: format_version"
    )
  if not isinstance(groups, dict) or not groups:
    raise ValueError(
      f"config['groups']={_short(groups)} is not allowed:"
      " expected a dict {label: schedule config}"
    )
  out = {}
  for label, sub in groups.items():
    if not isinstance(sub, dict):
      raise ValueError(
        f"config['groups'][{label!r}]={_short(sub)} is not allowed: expected a schedule config"
      )
    out[label] = _Decoder().schedule(sub, f"config['groups'][{label!r}]", 0)
  return out


class _Decoder:
  """Walks a config with a depth limit and a node budget."""

  def __init__(self):
    self.nodes = 0

  def _visit(self, where: str, depth: int) -> None:
    self.nodes += 1
    if depth > MAX_DEPTH:
      raise ValueError(f"{where}: nested more than {MAX_DEPTH} levels deep")
    if self.nodes > MAX_NODES:
      raise ValueError(f"{where}: more than {MAX_NODES} values in one config")

  def schedule(self, node: Any, where: str, depth: int) -> Schedule:
    self._visit(where, depth)
    if not isinstance(node, dict) or "name" not in node:
      raise ValueError(
        f"{where}={_short(node)} is not allowed: a schedule config is a dict with 'name' and 'args'"
      )
    name, args = node["name"], node.get("args", {})
    if not isinstance(name, str):
      raise ValueError(
        f"{where}.name={_short(name)} is not allowed: it must"
        " be a public schedule name (see `optax-sched list`)"
      )
    cls = lookup(name, f"{where}.name={_short(name)}")
    if not isinstance(args, dict) or not all(isinstance(k, str) for k in args):
      raise ValueError(
        f"{where}.args={_short(args)} is not allowed: it must be a dict of argument names"
      )
    decoded = {k: self.value(val, f"{where}.args.{k}", depth + 1) for k, val in args.items()}
    return build(cls, [], decoded, where)

  def value(self, x: Any, where: str, depth: int) -> Any:
    self._visit(where, depth)
    if isinstance(x, dict):
      if "name" in x and "args" in x:
        return self.schedule(x, where, depth)
      if set(x) == {"$dict"}:
        pairs = x["$dict"]
        if not isinstance(pairs, list) or not all(
          isinstance(p, list) and len(p) == 2 for p in pairs
        ):
          raise ValueError(f"{where}: '$dict' must hold [key, value] pairs")
        out = {}
        for k, val in pairs:
          key = self.value(k, where, depth + 1)
          if not isinstance(key, (str, int, float, bool, type(None))):
            raise ValueError(
              f"{where}: dict key {_short(key)} is not allowed: keys are numbers or strings"
            )
          out[key] = self.value(val, f"{where}[{key!r}]", depth + 1)
        return out
      if not all(isinstance(k, (str, int, float)) for k in x):
        raise ValueError(f"{where}: dict keys must be numbers or strings")
      return {k: self.value(val, f"{where}[{k!r}]", depth + 1) for k, val in x.items()}
    if isinstance(x, (list, tuple)):
      return [self.value(val, f"{where}[{i}]", depth + 1) for i, val in enumerate(x)]
    if isinstance(x, int) and not isinstance(x, bool) and abs(x) > MAX_INT:
      raise ValueError(f"{where}={_short(x)} is not allowed: integers must fit in 64 bits")
    if isinstance(x, (str, bool, type(None), int, float)):
      return x
    raise ValueError(
      f"{where}={_short(x)} is not allowed in a config: only"
      " numbers, strings, booleans, None, lists and dicts"
    )


def lookup(name: str, where: str = "") -> type[Schedule]:
  """The class of a public name, also reached through a module path.

  ``optax.cosine_decay_schedule`` and ``torch.optim.lr_scheduler.StepLR``
  find ``cosine_decay_schedule`` and ``torch.StepLR``.
  """
  where = where or f"name={_short(name)}"
  known = public_names()
  candidates = [name]
  for prefix, short in _ALIASES.items():
    if name.startswith(prefix + "."):
      rest = name[len(prefix) + 1 :]
      candidates.append(f"{short}.{rest}" if short else rest)
  for candidate in candidates:
    if candidate in known:
      return known[candidate]
  lowered = {k.lower(): k for k in known}
  close = [
    lowered[k] for k in difflib.get_close_matches(candidates[-1].lower(), lowered, n=2, cutoff=0.8)
  ]
  hint = f"; did you mean {' or '.join(close)}?" if close else (" (see `optax-sched list`)")
  raise ValueError(f"{where} is not allowed: it is not a public schedule name{hint}")


def build(cls: type[Schedule], args: list, kwargs: dict, where: str) -> Schedule:
  """``cls(*args, **kwargs)``, with a wrong call reported as ValueError."""
  try:
    return cls(*args, **kwargs)
  except TypeError as e:
    message = re.sub(r"^\w+\.__init__\(\) ", "", str(e))
    raise ValueError(f"{where}: {cls.name}: {message}") from None
  except (OverflowError, ArithmeticError) as e:
    raise ValueError(f"{where}: {cls.name}: {e}") from None


def _short(x: Any, limit: int = 80) -> str:
  text = repr(x)
  return text if len(text) <= limit else text[: limit - 3] + "..."


# ---------------------------------------------------------------- JSON, YAML


def to_json(schedule: Schedule, indent: int | None = 2) -> str:
  """:func:`to_config` as JSON text.

  Example:
    >>> import optax_sched as sched
    >>> print(sched.to_json(sched.exponential_decay(0.1, 10, 0.5), indent=None))
    {"format_version": 1, "name": "exponential_decay", "args": {"init_value": 0.1,
    "transition_steps": 10, "decay_rate": 0.5, "transition_begin": 0, "staircase": false,
    "end_value": null}}
  """
  return json.dumps(to_config(schedule), indent=indent)


def from_json(text: str) -> Schedule:
  """The schedule of a JSON config (see :func:`from_config`).

  Example:
    >>> import optax_sched as sched
    >>> text = (
    ...   '{"name": "exponential_decay",'
    ...   ' "args": {"init_value": 0.1, "transition_steps": 10, "decay_rate": 0.5}}'
    ... )
    >>> sched.from_json(text)
    exponential_decay(init_value=0.1, transition_steps=10, decay_rate=0.5)
  """
  _check_text(text)
  try:
    config = json.loads(text, parse_constant=_no_constant)
  except (json.JSONDecodeError, RecursionError) as e:
    raise ValueError(f"config is not valid JSON: {_first_line(e)}") from None
  return from_config(config)


def _no_constant(name: str):
  raise json.JSONDecodeError(f"{name} is not a number here", name, 0)


def _yaml():
  try:
    import yaml
  except ModuleNotFoundError:
    raise ValueError("YAML needs pyyaml: pip install 'optax-sched[yaml]'") from None
  return yaml


def _yaml_loader(yaml):
  class Loader(yaml.SafeLoader):
    """SafeLoader that also reads ``1e-3`` as a number (YAML 1.2 floats)."""

  Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?[eE][-+]?[0-9]+$"),
    list("-+0123456789"),
  )
  return Loader


def to_yaml(schedule: Schedule) -> str:
  """:func:`to_config` as YAML text (needs pyyaml: ``optax-sched[yaml]``).

  Example:
    >>> import optax_sched as sched
    >>> print(sched.to_yaml(sched.exponential_decay(0.1, 10, 0.5)))
    format_version: 1
    name: exponential_decay
    args:
      init_value: 0.1
      transition_steps: 10
      decay_rate: 0.5
      transition_begin: 0
      staircase: false
      end_value: null
  """
  return _yaml().safe_dump(to_config(schedule), sort_keys=False)


def from_yaml(text: str) -> Schedule:
  """The schedule of a YAML config; only plain YAML data is read (no tags).

  Example:
    >>> import optax_sched as sched
    >>> text = '''
    ... name: torch.StepLR
    ... args: {base_lr: 0.1, step_size: 30}
    ... '''
    >>> sched.from_yaml(text)
    torch.StepLR(base_lr=0.1, step_size=30)
  """
  yaml = _yaml()
  _check_text(text)
  try:
    config = yaml.load(text, Loader=_yaml_loader(yaml))
  except (yaml.YAMLError, RecursionError) as e:
    raise ValueError(f"config is not valid YAML: {_first_line(e)}") from None
  return from_config(config)


def _first_line(e: BaseException) -> str:
  return " ".join(str(e).split())[:200]


def _check_text(text: Any) -> None:
  if not isinstance(text, str):
    raise ValueError(f"text={_short(text)} is not allowed: expected a str")
  if len(text) > MAX_TEXT:
    raise ValueError(f"text of {len(text)} characters is not allowed: at most {MAX_TEXT}")


# ---------------------------------------------------------------- specs


def to_spec(schedule: Schedule | Mapping[str, Schedule]) -> str:
  """The call that builds ``schedule`` (its repr), readable by from_spec.

  A group dict gives ``{'label': call, ...}``.

  Example:
    >>> import optax_sched as sched
    >>> sched.to_spec(sched.warmup(sched.cosine_decay_schedule(1e-3, 900), 100))
    'warmup(schedule=cosine_decay_schedule(init_value=0.001, decay_steps=900), warmup_steps=100)'
  """
  to_config(schedule)  # The same checks: no callables, no traced values.
  if isinstance(schedule, Mapping):
    return "{" + ", ".join(f"{label!r}: {s!r}" for label, s in schedule.items()) + "}"
  return repr(schedule)


def from_spec(text: str) -> Schedule | dict[str, Schedule]:
  """Builds the schedule that a Python call expression describes.

  A dict of calls, ``{'head': call, 'body': call}``, gives a schedule per
  parameter group (for :func:`optax_sched.group_optimizer`).

  The text is parsed with :mod:`ast` and never evaluated. Allowed: calls of
  public names (``cosine_decay_schedule``, ``torch.StepLR``, also written
  with a module path such as ``optax.`` or ``torch.optim.lr_scheduler.``),
  positional and keyword arguments, nested calls, numbers (with a sign),
  strings, ``True``/``False``/``None``, lists, tuples and dicts (also as
  ``dict(key=value, ...)``), and:

  - arithmetic on numbers: ``+ - * / // **`` (``6e-4 / 2001``,
    ``3e-4 * 0.1``, ``2 ** 20``); the result must be a finite real number
    (integers within 64 bits);
  - ``+ - * /`` between a schedule and a number or another schedule, and a
    sign before a schedule: ``1e-3 * warmup(...)`` builds
    ``multiply(warmup(...), 0.001)``, as the operators on schedules do;
  - ``fraction(fractions, total_steps, rounding)``: step counts for
    fractions of a run (:func:`optax_sched.fraction`).

  Example:
    >>> s = from_spec("join_schedules([linear_schedule(0.0, 1e-3, 100),"
    ...               " cosine_decay_schedule(1e-3, 900)], [100])")
    >>> [round(float(s(k)), 6) for k in (50, 100, 1000)]
    [0.0005, 0.001, 0.0]
    >>> from_spec("3e-4 * warmup(cosine_decay_schedule(1.0, 9000), fraction(0.1, 10_000))")
    multiply(a=warmup(schedule=cosine_decay_schedule(init_value=1.0, decay_steps=9000),
      warmup_steps=1000), b=0.0003)
    >>> from_spec("cosine_decay_schedule(1e-3, lambda: 1)")
    Traceback (most recent call last):
    ...
    ValueError: spec: `lambda: 1` (column 29) is not allowed: only schedule calls, literals
      (numbers, strings, True/False/None, lists, tuples, dicts) and arithmetic
  """
  _check_text(text)
  source = text.strip()
  if not source:
    raise ValueError("spec is empty: write a call such as `cosine_decay_schedule(1e-3, 1000)`")
  try:
    with warnings.catch_warnings():
      # A stray backslash in a string literal ("\c") is not the user's
      # concern here: the string is a name or kind, checked below.
      warnings.simplefilter("ignore", (SyntaxWarning, DeprecationWarning))
      tree = ast.parse(source, mode="eval")
  except SyntaxError as e:
    raise ValueError(
      f"spec: not a Python call expression: {e.msg}" + (f" (column {e.offset})" if e.offset else "")
    ) from None
  except (RecursionError, MemoryError):
    raise ValueError("spec: nested too deeply") from None
  reader = _SpecReader(source)
  node = tree.body
  whole = "a spec is one schedule call, such as `cosine_decay_schedule(1e-3, 1000)`"

  def one(node: ast.AST, allowed: str) -> Schedule:
    if not isinstance(node, (ast.Call, ast.BinOp, ast.UnaryOp)):
      reader.reject(node, allowed)
    result = reader.read(node, 0)
    if not isinstance(result, Schedule):
      reader.reject(node, allowed + f"; this is {_short(result)}")
    return result

  if isinstance(node, ast.Dict) and node.keys:
    # A schedule per parameter group: {'label': call, ...}.
    groups = {}
    for key, value in zip(node.keys, node.values, strict=True):
      if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
        reader.reject(key if key is not None else node, "a group label is a string")
      groups[key.value] = one(value, "each group is one schedule call")
    return groups
  return one(node, whole)


# Arithmetic a spec may write; ``%``, bit operators and comparisons are not.
_ARITHMETIC = {
  ast.Add: operator.add,
  ast.Sub: operator.sub,
  ast.Mult: operator.mul,
  ast.Div: operator.truediv,
  ast.FloorDiv: operator.floordiv,
  ast.Pow: operator.pow,
}
# The operators Schedule implements (``number / schedule`` is not one).
_ON_SCHEDULES = (ast.Add, ast.Sub, ast.Mult, ast.Div)
_ARITHMETIC_HELP = (
  "arithmetic is + - * / // ** on numbers, and + - * / between a schedule"
  " and a number or schedule (a schedule is never divided into a number)"
)
# Integer powers beyond this exponent leave 64 bits for any base but 0, 1, -1.
_MAX_INT_EXPONENT = 63


def _is_number(x: Any) -> bool:
  return isinstance(x, (int, float)) and not isinstance(x, bool)


class _SpecReader:
  """Turns an allowed AST into values; rejects every other node."""

  _LITERALS = (
    "only schedule calls, literals (numbers, strings, True/False/None, lists, tuples, dicts)"
    " and arithmetic"
  )

  def __init__(self, source: str):
    self.source = source
    self.nodes = 0

  def reject(self, node: ast.AST, allowed: str = _LITERALS):
    part = ast.get_source_segment(self.source, node) or type(node).__name__
    part = part if len(part) <= 60 else part[:57] + "..."
    raise ValueError(f"spec: `{part}` (column {node.col_offset + 1}) is not allowed: {allowed}")

  def read(self, node: ast.AST, depth: int) -> Any:
    self.nodes += 1
    if depth > MAX_DEPTH or self.nodes > MAX_NODES:
      self.reject(node, f"specs are at most {MAX_DEPTH} levels deep and {MAX_NODES} values long")
    if isinstance(node, ast.Constant):
      return self.constant(node)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
      value = self.read(node.operand, depth + 1)
      if not (_is_number(value) or isinstance(value, Schedule)):
        self.reject(node, "a sign goes before a number or a schedule")
      return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.BinOp):
      return self.arithmetic(node, depth)
    if isinstance(node, (ast.List, ast.Tuple)):
      items = [self.read(x, depth + 1) for x in node.elts]
      return items if isinstance(node, ast.List) else tuple(items)
    if isinstance(node, ast.Dict):
      return self.mapping(node, depth)
    if isinstance(node, ast.Call):
      return self.call(node, depth)
    if isinstance(node, ast.Name) and node.id in ("inf", "nan"):
      self.reject(node, "write a finite number")
    self.reject(node)

  def constant(self, node: ast.Constant) -> Any:
    value = node.value
    if isinstance(value, (bool, str, type(None), float)):
      return value
    if isinstance(value, int):
      if abs(value) > MAX_INT:
        self.reject(node, "integers must fit in 64 bits")
      return value
    self.reject(node)

  def arithmetic(self, node: ast.BinOp, depth: int) -> Any:
    """``a op b`` on numbers, or a schedule operator; checked before and after."""
    kind = type(node.op)
    if kind not in _ARITHMETIC:
      self.reject(node, _ARITHMETIC_HELP)
    a, b = self.read(node.left, depth + 1), self.read(node.right, depth + 1)
    schedules = isinstance(a, Schedule) or isinstance(b, Schedule)
    operands_ok = all(_is_number(x) or isinstance(x, Schedule) for x in (a, b))
    if not operands_ok or (
      schedules and (kind not in _ON_SCHEDULES or (kind is ast.Div and not isinstance(a, Schedule)))
    ):
      self.reject(node, _ARITHMETIC_HELP)
    if schedules:
      return _ARITHMETIC[kind](a, b)  # a combinator: validates its operands
    if kind is ast.Pow and isinstance(a, int) and isinstance(b, int):
      if abs(a) > 1 and b > _MAX_INT_EXPONENT:
        self.reject(node, "integers must fit in 64 bits")
    try:
      value = _ARITHMETIC[kind](a, b)
    except ZeroDivisionError:
      self.reject(node, "a division by zero")
    except OverflowError:
      self.reject(node, "write a finite number")
    if isinstance(value, complex):
      self.reject(node, "the result must be a real number")
    if isinstance(value, int) and abs(value) > MAX_INT:
      self.reject(node, "integers must fit in 64 bits")
    if isinstance(value, float) and not math.isfinite(value):
      self.reject(node, "write a finite number")
    return value

  def mapping(self, node: ast.Dict, depth: int) -> dict:
    out = {}
    for k, val in zip(node.keys, node.values, strict=True):
      if k is None:
        self.reject(val, "`**` unpacking is not allowed; write the entries")
      key = self.read(k, depth + 1)
      if not isinstance(key, (str, int, float, bool, type(None))):
        self.reject(k, "dict keys are numbers or strings")
      out[key] = self.read(val, depth + 1)
    return out

  def call(self, node: ast.Call, depth: int) -> Any:
    name = self.dotted(node.func)
    if name == "dict":
      return self.keywords_dict(node, depth)
    where = f"spec: `{name}(...)` (column {node.col_offset + 1})"
    if _is_fraction(name):
      return self.fraction(node, depth, where)
    cls = lookup(name, f"spec: `{name}` (column {node.col_offset + 1})")
    args = []
    for a in node.args:
      if isinstance(a, ast.Starred):
        self.reject(a, "`*` unpacking is not allowed; write the arguments")
      args.append(self.read(a, depth + 1))
    return build(cls, args, self.keywords(node, depth), where)

  def fraction(self, node: ast.Call, depth: int, where: str) -> Any:
    """``fraction(0.05, 20_000)``: a step count (or a list of them)."""
    from optax_sched.combinators.durations import fraction

    args = [self.read(a, depth + 1) for a in node.args if not isinstance(a, ast.Starred)]
    if len(args) != len(node.args):
      self.reject(node, "`*` unpacking is not allowed; write the arguments")
    try:
      return fraction(*args, **self.keywords(node, depth))
    except TypeError as e:
      raise ValueError(f"{where}: {e}") from None

  def keywords(self, node: ast.Call, depth: int) -> dict:
    out = {}
    for kw in node.keywords:
      if kw.arg is None:
        self.reject(kw.value, "`**` unpacking is not allowed; write the arguments")
      out[kw.arg] = self.read(kw.value, depth + 1)
    return out

  def keywords_dict(self, node: ast.Call, depth: int) -> dict:
    """``dict(a=1, b=2)``, the form optax's sgdr examples use."""
    if node.args:
      self.reject(node.args[0], "dict(...) takes keyword arguments only")
    return self.keywords(node, depth)

  def dotted(self, node: ast.AST) -> str:
    parts = []
    while isinstance(node, ast.Attribute):
      parts.append(node.attr)
      node = node.value
    if not isinstance(node, ast.Name):
      self.reject(
        node, "a call names a schedule, such as `cosine_decay_schedule` or `torch.StepLR`"
      )
    parts.append(node.id)
    return ".".join(reversed(parts))


def _is_fraction(name: str) -> bool:
  """``fraction``, also as ``optax_sched.fraction`` or ``sched.fraction``."""
  prefixes = [p for p, short in _ALIASES.items() if short == ""]
  return name == "fraction" or any(name == f"{p}.fraction" for p in prefixes)


# ---------------------------------------------------------------- any source


def load(source: Any) -> Schedule:
  """A schedule from whatever names one.

  ``source`` may be a Schedule (returned), a config dict, a path to a
  ``.json``/``.yaml``/``.yml`` config or to a file holding a spec, JSON text
  (starting with ``{``), or a spec string (``{'label': call, ...}`` for a
  schedule per parameter group).

  Example:
    >>> import optax_sched as sched
    >>> sched.load('cosine_decay_schedule(1e-3, 100)')
    cosine_decay_schedule(init_value=0.001, decay_steps=100)
    >>> sched.load({'name': 'constant_schedule', 'args': {'value': 0.1}})
    constant_schedule(value=0.1)
  """
  if isinstance(source, Schedule):
    return source
  if isinstance(source, dict):
    return from_config(source)
  if isinstance(source, os.PathLike) or (isinstance(source, str) and _looks_like_path(source)):
    return _load_file(os.fspath(source))
  if not isinstance(source, str):
    raise ValueError(
      f"source={_short(source)} is not allowed: expected a"
      " Schedule, a config dict, a path or a spec string"
    )
  if source.lstrip().startswith("{"):
    try:
      return from_json(source)
    except ValueError as json_error:
      # `{'head': call, ...}` is a group spec, not JSON.
      if "(" not in source:
        raise json_error from None
  return from_spec(source)


def _looks_like_path(text: str) -> bool:
  if "(" in text or "\n" in text or len(text) > 4096:
    return False
  return text.endswith((".json", ".yaml", ".yml")) or os.path.isfile(text)


def _load_file(path: str) -> Schedule:
  try:
    with open(path, encoding="utf-8") as f:
      text = f.read(MAX_TEXT + 1)
  except (OSError, UnicodeDecodeError) as e:
    raise ValueError(f"cannot read {path}: {getattr(e, 'strerror', None) or e}") from None
  try:
    if path.endswith(".json"):
      return from_json(text)
    if path.endswith((".yaml", ".yml")):
      return from_yaml(text)
    return from_json(text) if text.lstrip().startswith("{") else from_spec(text)
  except ValueError as e:
    raise ValueError(f"{path}: {e}") from None
