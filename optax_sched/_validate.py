"""Construction-time checks of concrete hyperparameters.

Every check names the schedule, the argument, the value given and what is
allowed. Traced values (under ``jit``/``vmap``/``grad``) cannot be checked in
Python and are passed through unchecked: an invalid traced value gives
whatever the formula gives (often ``nan`` or ``inf``), as documented in the
docs/guarantees.md. Inside :func:`traced_checks` the same domain checks
become ``jax.experimental.checkify`` checks on traced values, so a function
wrapped in ``checkify.checkify`` reports them.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable, Iterable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

_TRACED_CHECKS = contextvars.ContextVar("optax_sched_traced_checks", default=False)


@contextlib.contextmanager
def traced_checks():
  """Checks traced hyperparameters with ``checkify`` while active.

  Example:
    >>> import jax
    >>> from jax.experimental import checkify
    >>> import optax_sched as sched
    >>> def lr(decay_steps):
    ...   with sched.traced_checks():
    ...     return sched.cosine_decay_schedule(1e-3, decay_steps)(5)
    >>> err, _ = checkify.checkify(jax.jit(lr))(0.0)
    >>> err.get()
    'cosine_decay_schedule: decay_steps=0.0 is not allowed: it must be > 0 (`check` failed)'
  """
  token = _TRACED_CHECKS.set(True)
  try:
    yield
  finally:
    _TRACED_CHECKS.reset(token)


def _traced_check(owner, name, value, ok, allowed, finite):
  from jax.experimental import checkify

  title = getattr(owner, "name", owner)
  x = jnp.asarray(value)
  good = jnp.all(jnp.isfinite(x)) if finite else jnp.asarray(True)
  if ok is not None:
    good = good & jnp.all(ok(x))
  checkify.check(
    good, f"{title}: {name}={{x}} is not allowed: {allowed or 'it must be finite'}", x=x
  )


def concrete(x: Any) -> np.ndarray | None:
  """``x`` as a NumPy array when its value is known in Python, else None."""
  if isinstance(x, jax.core.Tracer) or x is None or isinstance(x, (str, bytes)):
    return None
  if isinstance(x, bool):
    return np.asarray(x)
  try:
    arr = np.asarray(x)
  except (TypeError, ValueError):
    return None
  if arr.dtype == object:
    return None
  return arr


def fail(owner: Any, name: str, value: Any, allowed: str) -> None:
  title = getattr(owner, "name", owner)
  raise ValueError(f"{title}: {name}={_show(value)} is not allowed: {allowed}")


def _show(value: Any) -> str:
  arr = concrete(value)
  if arr is not None and arr.ndim == 0:
    return repr(arr.item())
  return repr(value)


def number(
  owner: Any,
  name: str,
  value: Any = None,
  *,
  ok: Callable[[np.ndarray], Any] | None = None,
  allowed: str = "",
  finite: bool = True,
) -> None:
  """Checks that a concrete ``value`` (default: ``owner.<name>``) is real."""
  if value is None:
    value = getattr(owner, name)
  if isinstance(value, (str, bytes, list, tuple, dict, set)) or (value is None):
    fail(owner, name, value, "it must be a number" + (f" ({allowed})" if allowed else ""))
  if (
    isinstance(value, int) and not isinstance(value, bool) and (abs(value) > np.iinfo(np.int64).max)
  ):
    fail(owner, name, value, "it is too large (beyond 64-bit integers)")
  arr = concrete(value)
  if arr is None:
    if isinstance(value, jax.core.Tracer) and _TRACED_CHECKS.get():
      _traced_check(owner, name, value, ok, allowed, finite)
    return
  if (
    arr.dtype == bool
    or not np.issubdtype(arr.dtype, np.number)
    or (np.issubdtype(arr.dtype, np.complexfloating))
  ):
    fail(owner, name, value, "it must be a real number" + (f" ({allowed})" if allowed else ""))
  if finite and not np.all(np.isfinite(arr)):
    fail(owner, name, value, "it must be finite" + (f" ({allowed})" if allowed else ""))
  if ok is not None and not np.all(ok(arr)):
    fail(owner, name, value, allowed)


def real(owner, name, value=None):
  number(owner, name, value)


def positive(owner, name, value=None):
  number(owner, name, value, ok=lambda a: a > 0, allowed="it must be > 0")


def nonnegative(owner, name, value=None):
  number(owner, name, value, ok=lambda a: a >= 0, allowed="it must be >= 0")


def in_range(owner, name, lo, hi, value=None, *, lo_open=False, hi_open=False):
  def ok(a):
    return ((a > lo) if lo_open else (a >= lo)) & ((a < hi) if hi_open else (a <= hi))

  brackets = ("(" if lo_open else "[") + f"{lo}, {hi}" + (")" if hi_open else "]")
  number(owner, name, value, ok=ok, allowed=f"it must be in {brackets}")


def choice(owner, name, options: Iterable[str], value=None):
  if value is None:
    value = getattr(owner, name)
  options = tuple(options)
  if value not in options:
    fail(owner, name, value, "it must be one of " + ", ".join(map(repr, options)))


def flag(owner, name, value=None):
  if value is None:
    value = getattr(owner, name)
  if not isinstance(value, (bool, np.bool_)):
    fail(owner, name, value, "it must be True or False")


def increasing(owner, name, values: Iterable[Any], *, strict=False):
  """Checks that concrete ``values`` are sorted (strictly if ``strict``)."""
  arrs = [concrete(v) for v in values]
  if any(a is None for a in arrs) or len(arrs) < 2:
    return
  flat = np.asarray([float(a) for a in arrs])
  bad = np.diff(flat) <= 0 if strict else np.diff(flat) < 0
  if np.any(bad):
    fail(
      owner,
      name,
      list(values),
      "it must be in " + ("strictly " if strict else "") + "increasing order",
    )


_ORDER = {
  ">": (lambda a, b: a > b, "> "),
  ">=": (lambda a, b: a >= b, ">= "),
  "<": (lambda a, b: a < b, "< "),
  "<=": (lambda a, b: a <= b, "<= "),
}


def compare(owner, name, op: str, other: str, note: str = ""):
  """Checks ``owner.<name> <op> owner.<other>`` when both are concrete."""
  a, b = concrete(getattr(owner, name)), concrete(getattr(owner, other))
  if a is None or b is None:
    return
  ok, text = _ORDER[op]
  if not np.all(ok(a, b)):
    fail(
      owner,
      name,
      getattr(owner, name),
      f"it must be {text}{other}={_show(getattr(owner, other))}" + (f" ({note})" if note else ""),
    )
