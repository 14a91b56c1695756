"""The Schedule type: an immutable, callable pytree of hyperparameters.

A schedule maps an optimizer step ``t`` (the number of updates already made,
counting from 0) to a value. Every schedule in this package is a frozen
dataclass registered as a JAX pytree: numeric hyperparameters are leaves, so
``jax.vmap``/``jax.grad`` over them work; structure (mode strings, the number
of pieces) is static metadata.

Families subclass :class:`Schedule`, declare their arguments as dataclass
fields, validate concrete values in ``_check`` and compute the value in
``_value``::

    @register
    class my_schedule(Schedule):
        init_value: ArrayLike
        decay_steps: ArrayLike
        mode: str = static(default="linear")

        def _check(self):
            v.positive(self, "decay_steps")

        def _value(self, t):
            ...
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Callable
from typing import Any, ClassVar, TypeAlias, TypeVar, overload

import jax
import jax.numpy as jnp
import numpy as np
from jax.typing import ArrayLike

if sys.version_info >= (3, 11):
  from typing import dataclass_transform
else:
  from typing_extensions import dataclass_transform

from optax_sched import _validate as v
from optax_sched._dtypes import Real, fl, float_dtype, int_dtype
from optax_sched._math import safe_div

_REGISTRY: dict[str, type[Schedule]] = {}


_T = TypeVar("_T")
_S = TypeVar("_S", bound="Schedule")

#: What a combinator takes: a schedule, any callable of the step (an
#: ``optax.Schedule``), or a number (a sweepable leaf).
ScheduleLike: TypeAlias = "Callable[[Any], ArrayLike] | Real"


@overload
def static(*, default: _T) -> _T: ...
@overload
def static() -> Any: ...
def static(*, default: Any = dataclasses.MISSING) -> Any:
  """A field that is structure (a mode string, a flag), not a hyperparameter.

  ``default`` is a keyword (type checkers see a field's default only so).

  Static fields are part of the pytree's treedef, so they must be hashable and
  changing them recompiles; they can never be traced.
  """
  return dataclasses.field(default=default, metadata={"static": True})


def _holds_text(step: Any) -> bool:
  """Whether ``step`` is, or a (nested) list of steps holds, text (checked
  here: jax would first warn from deep inside its dtype handling)."""
  if isinstance(step, (str, bytes)):
    return True
  return isinstance(step, (list, tuple)) and any(_holds_text(x) for x in step)


def as_step(step: Any) -> jax.Array:
  """Turns a user's step into an array: negative steps become 0.

  Integer steps stay integers (so floor divisions and periods are exact up to
  the int32 maximum); float steps become the default float dtype.
  """
  if _holds_text(step) or step is None:
    raise ValueError(
      f"step={step!r} is not allowed: a step is a number or an array of numbers (int or float)"
    )
  try:
    step = jnp.asarray(step)
  except TypeError as e:
    raise ValueError(
      f"step={step!r} is not allowed: a step is a number or an array of numbers (int or float)"
    ) from e
  if step.dtype == jnp.bool_ or jnp.issubdtype(step.dtype, jnp.complexfloating):
    raise ValueError(f"step of dtype {step.dtype} is not allowed: use an int or float dtype")
  if jnp.issubdtype(step.dtype, jnp.integer):
    step = step.astype(int_dtype())
  else:
    step = step.astype(float_dtype())
  return jnp.maximum(step, 0)


# Type checkers read the class a decorator returns as a frozen dataclass of
# its annotated fields (its ``__init__`` is theirs), in both forms below.
@overload
@dataclass_transform(frozen_default=True, eq_default=False, field_specifiers=(static,))
def register(cls: type[_S], /) -> type[_S]: ...
@overload
@dataclass_transform(frozen_default=True, eq_default=False, field_specifiers=(static,))
def register(*, name: str | None = None) -> Callable[[type[_S]], type[_S]]: ...
def register(cls: Any = None, *, name: str | None = None) -> Any:
  """Class decorator: makes ``cls`` a frozen dataclass, a pytree and a name.

  ``name`` is the public name used by ``repr`` and ``to_config`` (defaults to
  the class name); compat schedules use dotted names such as
  ``"torch.StepLR"``.
  """

  def wrap(cls: Any) -> Any:
    cls = dataclasses.dataclass(frozen=True, eq=False, repr=False)(cls)
    cls.name = name or cls.__name__
    fields = dataclasses.fields(cls)
    data = tuple(f.name for f in fields if not f.metadata.get("static"))
    meta = tuple(f.name for f in fields if f.metadata.get("static"))
    cls._data_fields, cls._meta_fields = data, meta

    def flatten_with_keys(s):
      return (
        tuple((jax.tree_util.GetAttrKey(k), getattr(s, k)) for k in data),
        tuple(getattr(s, k) for k in meta),
      )

    def flatten(s):
      return (tuple(getattr(s, k) for k in data), tuple(getattr(s, k) for k in meta))

    def unflatten(aux, children):
      # Bypass __init__: jax rebuilds schedules with tangents, cotangents and
      # placeholder objects as leaves, which must not be validated.
      s = object.__new__(cls)
      for k, x in zip(meta, aux, strict=True):
        object.__setattr__(s, k, x)
      for k, x in zip(data, children, strict=True):
        object.__setattr__(s, k, x)
      return s

    jax.tree_util.register_pytree_with_keys(cls, flatten_with_keys, unflatten, flatten)
    if cls.name in _REGISTRY:
      raise RuntimeError(f"schedule name {cls.name!r} registered twice")
    _REGISTRY[cls.name] = cls
    return cls

  return wrap if cls is None else wrap(cls)


def registry() -> dict[str, type[Schedule]]:
  """Every registered public schedule name and its class.

  Example:
    >>> import optax_sched as sched
    >>> names = sched.registry()
    >>> names["cosine_decay_schedule"] is sched.cosine_decay_schedule
    True
  """
  return dict(_REGISTRY)


class Schedule:
  """Base of every schedule: ``s(step) -> value``, an ``optax.Schedule``.

  ``s(step)`` accepts a Python number or an array of any shape and any int or
  float dtype, and returns an array of that shape in the default float dtype.
  Negative steps give the value at step 0.

  Example (a pytree whose leaves are the hyperparameters):
    >>> import jax, jax.numpy as jnp
    >>> import optax_sched as sched
    >>> s = sched.cosine_decay_schedule(1.0, 4)
    >>> [round(v, 6) for v in s(jnp.arange(5)).tolist()]
    [1.0, 0.853553, 0.5, 0.146447, 0.0]
    >>> s.replace(init_value=2.0)
    cosine_decay_schedule(init_value=2.0, decay_steps=4)
    >>> jax.tree_util.tree_leaves(s)
    [1.0, 4, 0.0, 1.0]
    >>> peaks = jnp.array([1.0, 2.0])
    >>> jax.vmap(lambda p: s.replace(init_value=p)(2))(peaks).tolist()
    [0.4999999701976776, 0.9999999403953552]
  """

  name: ClassVar[str] = "Schedule"
  _data_fields: ClassVar[tuple[str, ...]] = ()
  _meta_fields: ClassVar[tuple[str, ...]] = ()

  def __post_init__(self):
    self._check()

  def _check(self) -> None:
    """Raises ValueError for concrete hyperparameters outside their domain."""

  def _value(self, t: jax.Array) -> jax.Array:
    """The value at clamped step ``t`` (int or float array, >= 0)."""
    raise NotImplementedError

  def __call__(self, step: Any) -> jax.Array:
    t = as_step(step)
    out = jnp.asarray(self._value(t), dtype=float_dtype())
    return jnp.broadcast_to(out, jnp.broadcast_shapes(out.shape, t.shape))

  def declared_jumps(self, total_steps: int) -> tuple:
    """Steps where the curve jumps or restarts by design (none by default).

    ``optax_sched.lint`` reports a discontinuity as ``jump`` unless it is
    declared here (within one step), and treats each declared step as the
    start of a new phase, so a rise after one is not ``rises-after-decay``;
    ``plot`` marks the upward ones as restarts. A step ``b`` means the value
    changes between ``s(ceil(b) - 1)`` and ``s(ceil(b))``. Families with step
    decays, restarts or boundaries override this; return ``()`` when a
    hyperparameter is not concrete. Steps outside ``(0, total_steps)`` are
    ignored.
    """
    return ()

  def replace(self, **changes: Any) -> Schedule:
    """A copy with some arguments changed (validated like a new call)."""
    names = {f.name for f in dataclasses.fields(self)}
    unknown = set(changes) - names
    if unknown:
      raise ValueError(
        f"{self.name}.replace: unknown argument(s) {sorted(unknown)}; allowed: {sorted(names)}"
      )
    return dataclasses.replace(self, **changes)

  def arguments(self) -> dict[str, Any]:
    """The constructor arguments, by name, in the order of the signature."""
    return {f.name: getattr(self, f.name) for f in _signature_fields(self)}

  def __repr__(self) -> str:
    parts = []
    for f in _signature_fields(self):
      value = getattr(self, f.name)
      has_default = f.default is not dataclasses.MISSING
      if has_default and _same(value, f.default):
        continue
      parts.append(f"{f.name}={_repr_value(value)}")
    return f"{self.name}({', '.join(parts)})"

  def __eq__(self, other: Any) -> bool:
    if type(self) is not type(other):
      return NotImplemented
    a, ta = jax.tree_util.tree_flatten(self)
    b, tb = jax.tree_util.tree_flatten(other)
    return ta == tb and all(_same(x, y) for x, y in zip(a, b, strict=True))

  def __hash__(self) -> int:
    leaves, treedef = jax.tree_util.tree_flatten(self)
    return hash((treedef, tuple(_hashable(x) for x in leaves)))

  # Arithmetic builds the pointwise combinators defined at the end of this module.
  def __mul__(self, other: Any) -> Schedule:
    return multiply(self, other)

  __rmul__ = __mul__

  def __truediv__(self, other: Any) -> Schedule:
    return divide(self, other)

  def __add__(self, other: Any) -> Schedule:
    return add(self, other)

  __radd__ = __add__

  def __sub__(self, other: Any) -> Schedule:
    return add(self, -1.0 * other)

  def __rsub__(self, other: Any) -> Schedule:
    return add(-1.0 * self, other)

  def __neg__(self) -> Schedule:
    return -1.0 * self


def _signature_fields(s: Schedule) -> list[dataclasses.Field]:
  """The fields in the order of ``__init__``: keyword-only ones last."""
  fields = dataclasses.fields(s)
  return [f for f in fields if not f.kw_only] + [f for f in fields if f.kw_only]


def _is_concrete(x: Any) -> bool:
  return not isinstance(x, jax.core.Tracer)


def _same(a: Any, b: Any) -> bool:
  if isinstance(a, Schedule) or isinstance(b, Schedule):
    return a == b
  if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
    return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
  if isinstance(a, dict) and isinstance(b, dict):
    return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
  if isinstance(a, (str, type(None), bool)) or isinstance(b, (str, type(None), bool)):
    return type(a) is type(b) and a == b
  if callable(a) or callable(b):
    return a is b
  if not (_is_concrete(a) and _is_concrete(b)):
    return a is b
  try:
    return bool(np.array_equal(np.asarray(a), np.asarray(b)))
  except (TypeError, ValueError):
    return a is b


def _hashable(x: Any) -> Any:
  if not _is_concrete(x):
    return id(x)
  try:
    arr = np.asarray(x)
  except (TypeError, ValueError):
    return id(x)
  return (arr.dtype.kind, arr.shape, arr.tobytes()) if arr.ndim else arr.item()


def _repr_value(x: Any) -> str:
  if isinstance(x, Schedule) or isinstance(x, (str, bool, type(None), int, float)):
    return repr(x)
  if isinstance(x, (list, tuple)):
    inner = ", ".join(_repr_value(v) for v in x)
    return f"[{inner}]" if isinstance(x, list) else (f"({inner},)" if len(x) == 1 else f"({inner})")
  if isinstance(x, dict):
    return "{" + ", ".join(f"{k!r}: {_repr_value(v)}" for k, v in x.items()) + "}"
  if callable(x):
    return getattr(x, "__qualname__", repr(x))
  if _is_concrete(x):
    try:
      arr = np.asarray(x)
    except (TypeError, ValueError):
      return repr(x)
    if arr.ndim == 0:
      return repr(arr.item())
    return repr(arr.tolist())
  return repr(x)


def as_schedule(fn: Any, argname: str = "schedule", owner: str | None = None) -> Schedule:
  """A Schedule for ``fn``: itself, a constant for a number, or a wrapper.

  A plain callable (an optax closure, a lambda) is wrapped in
  :class:`function_schedule`; it must be jnp-traceable.
  """
  if isinstance(fn, Schedule):
    return fn
  if isinstance(fn, (int, float)) and not isinstance(fn, bool):
    return constant_schedule(fn)
  if callable(fn):
    return function_schedule(fn)
  prefix = f"{owner}: " if owner else ""
  raise ValueError(
    f"{prefix}{argname}={fn!r} is not allowed: expected a schedule, a"
    " callable of the step, or a number"
  )


@register
class function_schedule(Schedule):
  """Wraps a jnp-traceable callable ``fn(step) -> value`` as a Schedule.

  The value is ``v(t) = fn(max(t, 0))``, as an array of the default float dtype.

  ``fn`` is static (part of the structure), so it cannot be swept with vmap
  and cannot be saved with ``to_config``.

  Example:
    >>> s = function_schedule(lambda t: 1e-3 / (1.0 + t))
    >>> round(float(s(1)), 7)
    0.0005
  """

  fn: Callable[[jax.Array], jax.Array] = static()

  def _check(self):
    if not callable(self.fn):
      raise ValueError(
        f"function_schedule: fn={self.fn!r} is not allowed: it must be a callable of the step"
      )

  def _value(self, t):
    return self.fn(t)


class Composite(Schedule):
  """A schedule defined as a composition of others.

  ``native()`` builds that composition from the arguments (a warmup in front
  of a family, a join, ...); the value is its value. Compat schedules use
  this to keep the peer's argument names while delegating the arithmetic.
  """

  def native(self) -> Schedule:
    """The equivalent schedule built from native families and combinators."""
    raise NotImplementedError

  def _value(self, t):
    return self.native()(t)

  def declared_jumps(self, total_steps: int) -> tuple:
    return tuple(self.native().declared_jumps(total_steps))


def validate(schedule: Any) -> None:
  """Runs every domain check of ``schedule`` and the schedules inside it.

  Concrete values raise ``ValueError`` at once; traced values (a schedule
  passed into ``jit`` as an argument, or swept with ``vmap``) become
  ``checkify`` checks, reported by a function wrapped in
  ``checkify.checkify``.

  Example (a traced hyperparameter, checked through checkify):
    >>> import jax
    >>> from jax.experimental import checkify
    >>> import optax_sched as sched
    >>> def lr(decay_steps, step):
    ...   s = sched.cosine_decay_schedule(1e-3, decay_steps)  # traced: not checked here
    ...   sched.validate(s)
    ...   return s(step)
    >>> checked = checkify.checkify(jax.jit(lr))
    >>> err, value = checked(10, 5)
    >>> err.get() is None, round(float(value), 7)
    (True, 0.0005)
    >>> err, value = checked(0, 5)
    >>> print(err.get())
    cosine_decay_schedule: decay_steps=0 is not allowed: it must be > 0 (`check` failed)
  """
  with v.traced_checks():
    schedule._check()
    for value in schedule.arguments().values():
      children = value if isinstance(value, (list, tuple)) else (value,)
      for child in children:
        if isinstance(child, Schedule):
          validate(child)


@register
class constant_schedule(Schedule):
  """The same value at every step: ``v(t) = value``.

  Example:
    >>> float(constant_schedule(5)(100))
    5.0
  """

  value: Real

  def _check(self):
    v.real(self, "value")

  def _value(self, t):
    return jnp.broadcast_to(fl(self.value), jnp.shape(t))


# The pointwise algebra (``s * 2``, ``a + b``, ``a / b``): here, so that the
# operators of Schedule need nothing above this module.


def operand(owner: Any, name: str, x: Any) -> Any:
  """``x`` kept as a Schedule (a callable is wrapped) or checked as a number.

  Numbers stay numbers (pytree leaves) rather than becoming constant
  schedules, so ``repr`` and ``to_config`` show ``0.5``, not a wrapper.
  """
  if isinstance(x, Schedule):
    return x
  if callable(x):
    return as_schedule(x, name, owner.name)
  v.real(owner, name, x)
  return x


def jumps(x: Any, total_steps) -> np.ndarray:
  """An operand's declared jumps as a float array (none for a number)."""
  if not isinstance(x, Schedule):
    return np.zeros(0)
  return np.asarray(x.declared_jumps(total_steps), dtype=np.float64).reshape(-1)


def evaluate(x: Any, t) -> Any:
  """The value of an operand at clamped step ``t``."""
  if isinstance(x, Schedule):
    return x(t)
  return jnp.broadcast_to(fl(x), jnp.shape(t))


class _Binary(Schedule):
  """Two operands ``a`` and ``b``, each a schedule or a number."""

  def __post_init__(self):
    for name in ("a", "b"):
      object.__setattr__(self, name, operand(self, name, getattr(self, name)))
    super().__post_init__()

  def _value(self, t):
    return self._op(evaluate(self.a, t), evaluate(self.b, t))

  def declared_jumps(self, total_steps):
    """Where either operand jumps."""
    return union_jumps(self.a, self.b, total_steps=total_steps)


def union_jumps(*operands: Any, total_steps: int) -> np.ndarray:
  """The sorted steps where any operand jumps."""
  return np.unique(np.concatenate([jumps(x, total_steps) for x in operands]))


@register
class multiply(_Binary):
  """``a(t) * b(t)``: a schedule times a schedule or a number.

  Example (a cosine shape scaled by a warmup multiplier):
    >>> from optax_sched import cosine_decay_schedule, linear_schedule
    >>> s = multiply(cosine_decay_schedule(1e-3, 100), linear_schedule(0.5, 1.0, 10))
    >>> [round(float(s(k)), 7) for k in (0, 10, 50)]
    [0.0005, 0.0009755, 0.0005]
  """

  a: ScheduleLike
  b: ScheduleLike

  def _op(self, a, b):
    return a * b


@register
class divide(_Binary):
  """``a(t) / b(t)``; where ``b(t) == 0`` the value is 0 (not ``inf``).

  A concrete number ``b == 0`` is rejected at construction.

  Example:
    >>> from optax_sched import constant_schedule
    >>> float(divide(constant_schedule(1.0), 4.0)(0))
    0.25
  """

  a: ScheduleLike
  b: ScheduleLike

  def _check(self):
    if not isinstance(self.b, Schedule):
      v.number(self, "b", ok=lambda x: x != 0, allowed="it must be != 0")

  def _op(self, a, b):
    return safe_div(a, b)


@register
class add(_Binary):
  """``a(t) + b(t)``: a schedule plus a schedule or a number.

  Example:
    >>> from optax_sched import linear_schedule
    >>> float(add(linear_schedule(0.0, 1.0, 10), 1.0)(5))
    1.5
  """

  a: ScheduleLike
  b: ScheduleLike

  def _op(self, a, b):
    return a + b
