"""Schedules as data: ``to_config`` / ``from_config``.

A config is a JSON-able dict ``{"name": ..., "args": {...}}`` with the public
name of the schedule and its constructor arguments; nested schedules (in
combinators) are nested dicts of the same form. The top level also carries
``"format_version"``. Dicts with non-string keys (optax's
``boundaries_and_scales``) are stored as ``{"$dict": [[key, value], ...]}``.

Example:
  >>> import optax_sched as sched
  >>> s = sched.cosine_decay_schedule(1e-3, 1000)
  >>> sched.to_config(s)
  {'format_version': 1, 'name': 'cosine_decay_schedule', 'args': {'init_value': 0.001, 'decay_steps': 1000, 'alpha': 0.0, 'exponent': 1.0}}
  >>> sched.from_config(sched.to_config(s)) == s
  True
"""
from __future__ import annotations

from typing import Any

import numpy as np

from optax_sched._base import Schedule, registry
from optax_sched._validate import concrete

FORMAT_VERSION = 1


def to_config(schedule: Schedule) -> dict[str, Any]:
  """A JSON-able dict from which :func:`from_config` rebuilds ``schedule``."""
  if not isinstance(schedule, Schedule):
    raise ValueError(
        f"schedule={schedule!r} is not allowed: to_config takes an"
        " optax_sched Schedule")
  return {"format_version": FORMAT_VERSION, **_encode(schedule, "schedule")}


def _encode(x: Any, where: str) -> Any:
  if isinstance(x, Schedule):
    if x.name == "function_schedule":
      raise ValueError(
          f"{where}: a function_schedule (a Python callable) cannot be saved"
          " as config; use a named family instead")
    return {"name": x.name,
            "args": {k: _encode(val, f"{where}.{k}")
                     for k, val in x.arguments().items()}}
  if isinstance(x, (str, bool, type(None), int, float)):
    return x
  if isinstance(x, (list, tuple)):
    return [_encode(val, f"{where}[{i}]") for i, val in enumerate(x)]
  if isinstance(x, dict):
    if all(isinstance(k, str) for k in x):
      return {k: _encode(val, f"{where}[{k!r}]") for k, val in x.items()}
    return {"$dict": [[_encode(k, where), _encode(val, f"{where}[{k!r}]")]
                      for k, val in x.items()]}
  if callable(x):
    raise ValueError(
        f"{where}={x!r} cannot be saved as config: it is a Python function"
        " (a LambdaLR's lr_lambda, a scale_fn); use a named family instead")
  arr = concrete(x)
  if arr is None:
    raise ValueError(
        f"{where}={x!r} cannot be saved as config: only concrete values can"
        " (not traced ones)")
  return arr.item() if arr.ndim == 0 else np.asarray(arr).tolist()


def from_config(config: dict[str, Any]) -> Schedule:
  """Rebuilds a schedule from :func:`to_config`'s dict (validating it)."""
  if not isinstance(config, dict):
    raise ValueError(
        f"config={config!r} is not allowed: expected a dict with 'name' and"
        " 'args'")
  version = config.get("format_version", FORMAT_VERSION)
  if version != FORMAT_VERSION:
    raise ValueError(
        f"format_version={version!r} is not allowed: this version of"
        f" optax_sched reads format_version {FORMAT_VERSION}")
  return _decode_schedule(config, "config")


def _decode_schedule(node: Any, where: str) -> Schedule:
  if not isinstance(node, dict) or "name" not in node:
    raise ValueError(f"{where}={node!r} is not allowed: a schedule config is a"
                     " dict with 'name' and 'args'")
  name, args = node["name"], node.get("args", {})
  known = registry()
  if name not in known or name == "function_schedule":
    raise ValueError(f"{where}.name={name!r} is not allowed: it must be a"
                     " public schedule name (see `optax-sched list`)")
  if not isinstance(args, dict):
    raise ValueError(f"{where}.args={args!r} is not allowed: it must be a dict")
  decoded = {k: _decode(val, f"{where}.args.{k}") for k, val in args.items()}
  try:
    return known[name](**decoded)
  except TypeError as e:
    raise ValueError(f"{where}: {name}: {e}") from None


def _decode(x: Any, where: str) -> Any:
  if isinstance(x, dict):
    if "name" in x and "args" in x:
      return _decode_schedule(x, where)
    if set(x) == {"$dict"}:
      pairs = x["$dict"]
      if not isinstance(pairs, list) or not all(
          isinstance(p, list) and len(p) == 2 for p in pairs):
        raise ValueError(f"{where}: '$dict' must hold [key, value] pairs")
      return {_decode(k, where): _decode(val, where) for k, val in pairs}
    return {k: _decode(val, f"{where}[{k!r}]") for k, val in x.items()}
  if isinstance(x, list):
    return [_decode(val, f"{where}[{i}]") for i, val in enumerate(x)]
  if isinstance(x, (str, bool, type(None), int, float)):
    return x
  raise ValueError(f"{where}={x!r} is not allowed in a config")
