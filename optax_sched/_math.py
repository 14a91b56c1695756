"""Arithmetic shared by the families (written once, used everywhere).

All helpers take traced or concrete values and never branch in Python on a
hyperparameter's value (only on whether it is known, or on dtypes).
"""

from __future__ import annotations

import fractions
import functools
import math
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from optax_sched._dtypes import Real, fl, float_dtype, int_dtype
from optax_sched._validate import concrete, concrete_all


def linear_interpolate(start, end, pct, total=None):
  """``start + (end - start) * pct`` (optax's order of operations).

  With ``total``, ``pct`` is a position in ``[0, total]`` and the line is
  evaluated from the nearer end with the exact fraction of that end
  (``(total - pct) / total`` near ``end``), accurate to a few ulps when
  either end is 0.
  """
  if total is None:
    return (end - start) * pct + start
  pct, total = fl(pct), fl(total)
  near_start = start + (end - start) * (pct / total)
  near_end = end + (start - end) * ((total - pct) / total)
  return jnp.where(2 * pct <= total, near_start, near_end)


def cosine_interpolate(start, end, pct, total: Real = 1.0):
  """Half a cosine from ``start`` (``pct = 0``) to ``end`` (``pct = total``).

  Pass the position and the length (``pct=t, total=T``) rather than their
  quotient: the factor is then :func:`raised_cosine`, accurate to a few ulps
  up to the last step (no false ``end`` before ``pct = total``).
  """
  return end + (start - end) * raised_cosine(pct, total)


def raised_cosine(num, den, wrap: bool = False):
  """``(1 + cos(pi * num / den)) / 2`` to a few ulps, for ``den > 0``.

  Computed as ``sin(pi/2 * (den - r) / den) ** 2`` with ``r = num``, or
  with ``wrap`` (``num`` beyond ``[0, den]``) ``r = fmod(|num|, 2 den)``, an
  exact remainder: the direct formula cancels
  to exactly 0 in float32 in the last steps of a cosine to zero (``1 +
  cos(pi - x)`` loses every digit of ``x**2 / 2``); here the angle's relative
  error is the one rounding of ``(den - r) / den`` and ``sin`` keeps it.

  Example:
    >>> float(raised_cosine(99999, 100000)) > 0
    True
  """
  num, den = fl(num), fl(den)
  rem = jnp.fmod(jnp.abs(num), 2 * den) if wrap else num
  return jnp.sin((jnp.pi / 2) * ((den - rem) / den)) ** 2


def safe_div(num, den):
  """``num / den`` where ``den != 0``, else 0, with finite gradients."""
  den = jnp.asarray(den)
  nonzero = den != 0
  return jnp.where(nonzero, num / jnp.where(nonzero, den, 1), 0.0)


def exact(fn, *args):
  """``fn(*args)`` in float64 NumPy when every arg is concrete, else in jnp.

  Peers compute boundaries such as ``int(pct_start * total_steps)`` in Python
  doubles; doing the same when we can keeps every boundary identical to
  theirs, while traced arguments still work.
  """
  arrs = concrete_all(args)
  if arrs is not None:
    return fn(np, *[np.asarray(a, dtype=np.float64) for a in arrs])
  return fn(jnp, *[fl(a) for a in args])


#: Steps are exact up to this bound (the int32 maximum).
STEP_MAX = 2**31 - 1


@functools.lru_cache(maxsize=256)
def _as_fraction(period: float) -> tuple[int, int, int] | None:
  """``(a, b, sign)`` with ``period = a / b + delta`` and ``sign`` the sign of
  ``delta``, where ``a / b`` stands for the period exactly for every step in
  ``[-STEP_MAX, STEP_MAX]``; None when no such fraction has ``a * b`` below
  ``2**31`` (int32 products stay exact), or when ``period < 1`` (the
  quotient of an int32 step would overflow int32).

  Proof sketch: for ``|t| <= STEP_MAX``, ``t / period`` and ``t b / a`` differ
  by ``|t delta| / (period a / b)``; when that is below ``1 / a`` (the
  smallest distance from ``t b / a`` to an integer it is not equal to), both
  have the same floor except where ``t b / a`` is an integer, which ``sign``
  settles.
  """
  exact = fractions.Fraction(period)
  if exact < 1:
    return None
  den = max(1, int(math.isqrt(STEP_MAX // max(1, math.ceil(period)))))
  approx = exact.limit_denominator(den)
  a, b = approx.numerator, approx.denominator
  delta = exact - approx
  if a <= 0 or a * b >= 2**31 or abs(delta) * STEP_MAX * a * b >= approx:
    return None
  return a, b, (delta > 0) - (delta < 0)


def _fraction_floor(t, a: int, b: int, sign: int):
  """``floor(t / (a / b + delta))`` for an integer array ``t`` (see
  :func:`_as_fraction`), in integer arithmetic: ``t = q a + r`` and
  ``floor(t b / a) = q b + floor(r b / a)`` with ``r b < a b < 2**31``."""
  q, r = t // a, t % a
  if sign == 0:
    return q * b + (r * b) // a
  # delta > 0 moves exact multiples t b / a = k (t > 0) down to k - 1; delta
  # < 0 does the same for t < 0.
  adj = (t > 0) if sign > 0 else (t < 0)
  return q * b + (r * b - adj.astype(t.dtype)) // a


def floor_div(a, b):
  """``floor(a / b)`` as floats, exact for integer steps ``|a| <= 2**31 - 1``.

  Integer steps and a concrete period ``b`` (an int, or a float such as 2.4
  or 1251.2) use integer arithmetic on the step (:func:`_fraction_floor`):
  exact, by the proof in :func:`_as_fraction`, and equal to Python's
  ``a // b`` on the float64 ``b``. Otherwise (float steps, traced or
  unusual periods) float division with a one-step correction, exact where
  ``a`` and the products ``q * b`` are (best effort past ``2**24`` in float32).
  """
  return fl(quotient(a, b))


def quotient(a, b):
  """``floor(a / b)``: an int array for integer steps (see :func:`floor_div`).

  Integer steps stay integers, so ``a - quotient(a, b) * b`` is exact and
  cannot overflow for any int32 step.
  """
  known = concrete(b)
  a, b = jnp.asarray(a), jnp.asarray(b)
  if jnp.issubdtype(a.dtype, jnp.integer):
    if jnp.issubdtype(b.dtype, jnp.integer):
      return a // jnp.maximum(b, 1).astype(a.dtype)
    frac = _as_fraction(float(known)) if known is not None and known.ndim == 0 else None
    if frac is not None:
      return _fraction_floor(a, *frac)
  af, bf = fl(a), fl(b)
  q = jnp.floor(af / bf)
  return q - (q * bf > af) + ((q + 1) * bf <= af)


def quotient_remainder(a, b):
  """``(q, a - q * b)`` with ``q = quotient(a, b)``; the remainder is exact
  for integer steps and an integer period, and one rounding off for a
  concrete fractional one (computed as ``(r b' - s a') / b'`` from the
  integer parts, never as a large ``q * b``)."""
  known = concrete(b)
  a_arr, b_arr = jnp.asarray(a), jnp.asarray(b)
  q = quotient(a, b)
  if jnp.issubdtype(a_arr.dtype, jnp.integer):
    if jnp.issubdtype(b_arr.dtype, jnp.integer):
      return q, fl(a_arr - q * jnp.maximum(b_arr, 1).astype(a_arr.dtype))
    frac = _as_fraction(float(known)) if known is not None and known.ndim == 0 else None
    if frac is not None:
      num, den, _ = frac
      r = a_arr % num
      s = q - (a_arr // num) * den
      # t = Q num + r and q = Q den + s give t - q num / den = r - s num / den
      # (s is in [-1, den), so no product is large).
      return q, fl(r * den - s * num) / den
  return q, fl(a_arr) - fl(q) * fl(b_arr)


def searchsorted_right(bounds, t, side="right"):
  """Number of ``bounds`` that are ``<= t`` (``< t`` with ``side="left"``;
  bounds sorted ascending).

  O(log n) per step, and the compiled program grows only with log n: up to
  ``SMALL`` bounds, one fused comparison per bound (cheaper than any search);
  beyond, for concrete integer bounds, a bucket table (:class:`_Buckets`),
  else an unrolled binary search (2-3x faster than the looped one on CPU).
  """
  # Checked before jnp.asarray: under jit that turns NumPy into a tracer.
  known = concrete(bounds)
  bounds = jnp.asarray(bounds)
  t = jnp.asarray(t)
  if not (jnp.issubdtype(bounds.dtype, jnp.integer) and jnp.issubdtype(t.dtype, jnp.integer)):
    bounds, t = fl(bounds), fl(t)
  if bounds.shape[0] <= SMALL:
    count = jnp.zeros(t.shape, int_dtype())
    for k in range(bounds.shape[0]):
      count = count + ((bounds[k] <= t) if side == "right" else (bounds[k] < t))
    return count
  tables = _Buckets.of(known, t, side)
  if tables is not None:
    return tables.count_le(t)
  return jnp.searchsorted(bounds, t, side=side, method="scan_unrolled")


def select_piece(values, bounds, t, side="right"):
  """``values[searchsorted_right(bounds, t, side)]``: the value of the piece
  ``t`` is in (``values`` has one entry more than ``bounds``).

  Same numbers as the search then a lookup; with many concrete integer
  bounds and 1-D values, a bucket select (:meth:`_Buckets.select`) that skips
  the dependent gather of the count.

  Example:
    >>> select_piece(np.array([1.0, 0.5, 0.25]), np.array([10, 20]), 15).item()
    0.5
  """
  known = concrete(bounds)
  values = jnp.asarray(values)
  t = jnp.asarray(t)
  tables = _Buckets.of(known, t, side) if values.ndim == 1 else None
  if tables is not None:
    return tables.select(values, t)
  return lookup(values, searchsorted_right(bounds, t, side=side))


class _Buckets:
  """Bucket tables over concrete integer ``bounds`` (sorted, >= 0).

  Steps are cut into ``2**shift`` wide buckets (about 4 per bound). For
  bucket ``k``: ``below[k]`` bounds lie in earlier buckets, and
  ``inside[j][k]`` is its ``j``-th own bound minus 1 (the int maximum when it
  has fewer), so that ``t > inside[j][k]`` never holds for a missing bound,
  even at the int maximum. A step then costs a handful of independent gathers
  at one index, instead of log2(n) dependent ones.
  """

  def __init__(self, bounds: np.ndarray, dtype):
    n = bounds.shape[0]
    top = int(bounds[-1])
    self.shift = max(0, int(np.ceil(np.log2((top + 1) / (4 * n)))))
    self.count = int(np.bincount(bounds.astype(np.int64) >> self.shift).max())
    self.buckets = (top >> self.shift) + 2
    starts = np.arange(self.buckets, dtype=np.int64) << self.shift
    self.below = np.searchsorted(bounds, starts, side="left")
    info = np.iinfo(dtype)
    own = np.arange(self.buckets)
    self.inside = []
    for j in range(self.count):
      at = np.minimum(self.below + j, n - 1)
      present = (self.below + j < n) & ((bounds[at] >> self.shift) == own)
      minus_one = np.maximum(bounds[at].astype(np.int64) - 1, info.min)
      self.inside.append(np.where(present, minus_one, info.max).astype(dtype))
    self.dtype = dtype

  @staticmethod
  def of(bounds: np.ndarray | None, t, side: str = "right") -> _Buckets | None:
    """Tables for concrete ``bounds`` searched from the right, or None where
    they do not apply (unknown, float or negative bounds; few enough for a
    chain of compares) or a search is as good (more than 3 in one bucket)."""
    if (
      side != "right"
      or bounds is None
      or bounds.ndim != 1
      or bounds.shape[0] <= SMALL
      or not (jnp.issubdtype(bounds.dtype, jnp.integer) and jnp.issubdtype(t.dtype, jnp.integer))
      or bounds[0] < 0
    ):
      return None
    tables = _Buckets(bounds, np.dtype(t.dtype))
    return tables if tables.count <= 3 else None

  def index(self, t):
    return jnp.clip(t >> self.shift, 0, self.buckets - 1)

  def passed(self, k, t):
    """For each own bound of the step's bucket, whether ``t`` reached it."""
    return [lookup(jnp.asarray(tab), k) < t for tab in self.inside]

  def count_le(self, t):
    """Number of bounds ``<= t``."""
    k = self.index(t)
    count = lookup(jnp.asarray(self.below.astype(self.dtype)), k)
    for reached in self.passed(k, t):
      count = count + reached
    return count.astype(int_dtype())

  def select(self, values, t):
    """``values[count_le(t)]`` for 1-D ``values`` (concrete or traced).

    The ``count + 1`` values a bucket can take are gathered once per call
    into a row per bucket; a step then gathers its bucket's row and its own
    bounds at one index, with no gather waiting on another (measured 1.4x
    faster than a gather per value on CPU).
    """
    k = self.index(t)
    last = values.shape[0] - 1
    rows = values[np.minimum(self.below[:, None] + np.arange(self.count + 1), last)]
    # Materialised once: fused into the loop, each step would redo the gather.
    rows = jax.lax.optimization_barrier(rows)
    row = rows.at[k].get(mode="promise_in_bounds")
    out = row[..., 0]
    for j, reached in enumerate(self.passed(k, t)):
      out = jnp.where(reached, row[..., j + 1], out)
    return out


#: Up to this many bounds, a search is a chain of compares, and a lookup in
#: a table of one entry more (a value per piece) a chain of selects: both fuse
#: with the arithmetic around them (measured several times faster than a
#: gather on CPU). Selects cost compile time per table, so callers that look
#: up many tables (one-family joins) pass a lower ``small``.
SMALL = 16


def lookup(table, index, small: int = SMALL + 1):
  """``table[index]`` for an int ``index`` array in ``[0, len(table))``.

  Tables of up to ``small`` entries use a chain of selects.
  """
  table = jnp.asarray(table)
  n = table.shape[0]
  if n > small:
    # In bounds by construction: skips the negative-index fix-up of table[i].
    return table.at[index].get(mode="promise_in_bounds")
  out = jnp.broadcast_to(table[0], jnp.shape(index) + table.shape[1:])
  for k in range(1, n):
    out = jnp.where(
      jnp.reshape(index >= k, jnp.shape(index) + (1,) * (table.ndim - 1)), table[k], out
    )
  return out


def steps_array(steps: Any, unreachable: str = "drop") -> Any:
  """Step counts as one array: int32 when all are concrete ints, else float.

  Integer boundaries stay integers so that comparisons with integer steps are
  exact. Ints beyond the int range (``2**31 - 1`` with x64 off) are never
  reached by a step: ``unreachable="drop"`` leaves them out (a count of the
  bounds ``<= t`` is the same for every step), ``"clip"`` clips them to the
  int maximum (for lengths, where the array's shape matters). Bounds are
  sorted, so those dropped are the last ones. Concrete steps give a NumPy
  array, so that :func:`searchsorted_right` can still see their values under
  ``jit``.

  Example:
    >>> steps_array([10, 2**40]).tolist()  # 2**40 is past every int32 step
    [10]
  """
  if not steps:
    return np.zeros((0,), np.dtype(int_dtype()))
  known = concrete_all(steps)
  if known is not None and all(a.dtype.kind in "iu" for a in known):
    top = np.iinfo(np.dtype(int_dtype())).max
    ints = [int(a) for a in known]
    if unreachable == "drop":
      ints = ints[: reachable(steps)]
    return np.asarray([min(a, top) for a in ints], dtype=np.dtype(int_dtype()))
  if known is not None:
    return np.asarray([float(a) for a in known], dtype=np.dtype(float_dtype()))
  return jnp.stack([fl(s) for s in steps])


def reachable(bounds: Any) -> int:
  """The number of ``bounds`` within the int range (``2**31 - 1`` with x64
  off): those a step can reach, the first ones as bounds are sorted.

  Only concrete ints can lie past the range (they are what
  :func:`steps_array` drops); floats and traced bounds all count.

  Example:
    >>> reachable([10, 2**31 - 1, 2**40])  # no int32 step reaches 2**40
    2
  """
  known = concrete_all(bounds)
  if known is None or not all(a.dtype.kind in "iu" for a in known):
    return len(bounds)
  top = np.iinfo(np.dtype(int_dtype())).max
  return sum(int(a) <= top for a in known)


def cumulative_product(init, factors: Any) -> jax.Array:
  """``[I, I*f1, (I*f1)*f2, ...]`` multiplied one at a time, in order.

  The order matches a Python loop (optax's piecewise schedules), so values
  agree bit for bit; concrete inputs are multiplied in NumPy and traced ones
  in a ``lax.scan``, so neither the trace nor the program grows with n.
  """
  factors = list(factors)
  dtype = np.dtype(float_dtype())
  arrs = concrete_all([init] + factors)
  if arrs is not None:
    return jnp.asarray(np.cumprod(np.asarray([float(a) for a in arrs], dtype=dtype), dtype=dtype))
  if not factors:
    return jnp.reshape(fl(init), (1,))

  def step(v, f):
    v = v * f
    return v, v

  _, rest = jax.lax.scan(step, fl(init), stack(factors))
  return jnp.concatenate([jnp.reshape(fl(init), (1,)), rest])


def stack_leaves(xs: Any) -> jax.Array:
  """Stacks one hyperparameter of n schedules into an array of length n.

  Concrete values are stacked in NumPy (the trace stays O(1) in n); integers
  stay integers (int32), so integer arithmetic in a family stays exact.
  """
  xs = list(xs)
  if all(type(x) in (int, float) for x in xs):
    arr = np.asarray(xs)  # the common case, kept fast: n Python numbers
  else:
    arrs = concrete_all(xs)
    arr = None if arrs is None else np.stack(arrs)
  if arr is not None:
    if arr.dtype.kind in "iu":
      return jnp.asarray(arr, dtype=int_dtype())
    if arr.dtype.kind == "b":
      return jnp.asarray(arr)
    return jnp.asarray(arr, dtype=float_dtype())
  return jnp.stack([jnp.asarray(x) for x in xs])


def interpolate_pieces(t, bounds, values, kind: str, end: int | None = None):
  """Interpolates ``values[i] -> values[i+1]`` over ``[bounds[i], bounds[i+1])``.

  ``bounds`` start at 0 and are sorted; past the last bound the value is
  ``values[-1]``. Zero-length intervals are skipped, and an interval's length
  counts as at least 1 (optax's ``piecewise_interpolate_schedule``).
  ``kind`` is ``"linear"`` or ``"cosine"``.

  With ``end`` (a concrete int, possibly past the int range, as a bound
  :func:`steps_array` dropped), the last piece does not stop at
  ``bounds[-1]``: it runs from ``values[-2]`` there toward ``values[-1]`` at
  ``end`` (``values`` then has one entry more than ``bounds``; ``bounds``
  concrete). Its length ``end - bounds[-1]`` is taken exactly in Python.

  Example:
    >>> t = np.array([0, 5, 10, 2**31 - 1], np.int32)
    >>> interpolate_pieces(t, np.array([0, 10]), np.array([1.0, 0.5]), "linear").tolist()
    [1.0, 0.75, 0.5, 0.5]
    >>> v = interpolate_pieces(t, np.array([0, 10]), np.array([1.0, 0.5, 0.0]), "linear", 2**40)
    >>> [round(x, 4) for x in v.tolist()]  # toward 0.0 at 2**40, never reached
    [1.0, 0.75, 0.5, 0.499]
  """
  interp = linear_interpolate if kind == "linear" else cosine_interpolate
  if end is None:
    return _interpolate_within(t, bounds, values, interp)
  values = jnp.asarray(values, dtype=float_dtype())
  n = len(bounds)
  t = jnp.asarray(t)
  start = bounds[n - 1]
  size = float(end - int(start))
  tail = interp(values[n - 1], values[n], jnp.clip(fl(t - start), 0, size), size)
  inside = _interpolate_within(t, bounds, values[:n], interp)
  return jnp.where(t >= start, tail, inside)


def _interpolate_within(t, bounds, values, interp):
  """:func:`interpolate_pieces` with no ``end``, for an ``interp`` function."""
  bounds = jnp.asarray(bounds)
  values = jnp.asarray(values, dtype=float_dtype())
  n = bounds.shape[0]
  i = searchsorted_right(bounds, t) - 1
  i = jnp.clip(i, 0, n - 1)
  last = i >= n - 1
  j = jnp.minimum(i, n - 2) if n > 1 else i
  k = jnp.minimum(j + 1, n - 1)
  lo, hi = lookup(bounds, j), lookup(bounds, k)
  size = jnp.maximum(fl(hi) - fl(lo), 1.0)
  pos = jnp.clip(fl(t) - fl(lo), 0, size)
  inside = interp(lookup(values, j), lookup(values, k), pos, size)
  return jnp.where(last, values[-1], inside)


def ceil_div(a, b):
  """``ceil(a / b)``, exact like :func:`floor_div`."""
  return -floor_div(-jnp.asarray(a), b)


def stack(values: Any) -> jax.Array:
  """Stacks scalars (concrete or traced) into one float array."""
  arrs = concrete_all(values)
  if arrs is not None:
    return jnp.asarray(np.asarray([float(a) for a in arrs]), dtype=float_dtype())
  return jnp.stack([fl(v) for v in values])


#: Cycle tables longer than this (a period multiplier very close to 1) fall
#: back to the closed form.
MAX_CYCLES = 1 << 15

#: Fractional bits of the fixed-point bounds in :func:`_cycle_table`.
_BITS = 192


@functools.lru_cache(maxsize=256)
def _cycle_table(period: float, mult: float, top: int):
  """Host tables of the cycles that start at or before step ``top``:
  ``(first step, first step - start, length)`` per cycle, or None when there
  are more than ``MAX_CYCLES``.

  The first integer step of cycle ``i`` is ``ceil(S_i)``, ``S_i = L (m**i -
  1) / (m - 1)`` for the float64 ``L`` and ``m``. It is computed exactly: the
  sums run on integer lower and upper bounds of ``2**_BITS * S_i`` (rounded
  down and up at every product); where the two bounds give the same ceiling
  it is the ceiling of ``S_i``, and where they do not (``S_i`` on or a hair
  from an integer) ``S_i`` is summed again as an exact fraction.
  """
  one = 1 << _BITS
  exact_l, exact_m = fractions.Fraction(period), fractions.Fraction(mult)

  def down(x):
    return math.floor(x * one)

  def up(x):
    return math.ceil(x * one)

  len_lo, len_hi, m_lo, m_hi = down(exact_l), up(exact_l), down(exact_m), up(exact_m)
  s_lo = s_hi = 0
  firsts, offsets, lengths = [], [], []
  while True:
    first = -(-s_lo // one)
    if first != -(-s_hi // one):
      i = len(firsts)
      first = math.ceil(exact_l * (exact_m**i - 1) / (exact_m - 1))
    if first > top:
      break
    if len(firsts) == MAX_CYCLES:
      return None
    firsts.append(first)
    offsets.append((first * one - s_lo) / one)
    lengths.append(len_lo / one)
    s_lo, s_hi = s_lo + len_lo, s_hi + len_hi
    len_lo, len_hi = len_lo * m_lo // one, -(-len_hi * m_hi // one)
  return np.asarray(firsts, np.int64), np.asarray(offsets), np.asarray(lengths)


def cycle(t, first_period, period_mult: Real = 1.0):
  """``(i, pos, length)``: the cycle a step falls in and where inside it.

  Cycle ``i`` has length ``L * m**i`` and starts at ``L * (m**i - 1) / (m - 1)``
  (``L * i`` when ``m == 1``). Exact for every integer step up to ``2**31 -
  1``, in float32 and float64, when ``L`` and ``m`` are concrete: with
  ``m == 1``, integer arithmetic on the step (:func:`quotient_remainder`);
  with ``m > 1``, a search of the step among the cycles' first steps,
  computed on the host in exact rational arithmetic (:func:`_cycle_table`).
  Traced ``L`` or ``m`` (and ``m`` so close to 1 that there are more than
  ``MAX_CYCLES`` cycles) take a best-effort path: the closed form through a
  logarithm, corrected by one cycle either way with a slack of a few ulps.
  """
  t_arr = jnp.asarray(t)
  known_l, known_m = concrete(first_period), concrete(period_mult)
  if known_l is not None and known_m is not None and known_l.ndim == 0 and known_m.ndim == 0:
    if known_m == 1:
      i, pos = quotient_remainder(t_arr, first_period)
      return fl(i), pos, jnp.broadcast_to(fl(first_period), jnp.shape(t_arr))
    top = min(int(np.iinfo(np.dtype(int_dtype())).max), 2**53)
    table = _cycle_table(float(known_l), float(known_m), top) if known_l > 0 else None
    if table is not None:
      return _cycle_from_table(t_arr, *table)
  return _cycle_closed_form(t_arr, first_period, period_mult)


def _cycle_from_table(t, firsts, offsets, lengths):
  """:func:`cycle` by a search among the cycles' first steps."""
  if jnp.issubdtype(t.dtype, jnp.integer):
    bounds = firsts.clip(max=np.iinfo(t.dtype).max).astype(t.dtype)
    i = searchsorted_right(bounds, t) - 1
    pos = fl(t - lookup(bounds, i)) + lookup(offsets.astype(float_dtype()), i)
  else:
    starts = (firsts - offsets).astype(float_dtype())
    i = searchsorted_right(starts, fl(t)) - 1
    pos = jnp.maximum(fl(t) - lookup(starts, i), 0)
  return fl(i), pos, lookup(lengths.astype(float_dtype()), i)


def _cycle_closed_form(t_arr, first_period, period_mult):
  """:func:`cycle` for traced periods: best effort (see there)."""
  tf, length0, m = fl(t_arr), fl(first_period), fl(period_mult)
  geometric = m != 1
  m_safe = jnp.where(geometric, m, 2.0)

  def start(i):
    return length0 * (m_safe**i - 1) / (m_safe - 1)

  i_geo = jnp.floor(jnp.log1p(tf / length0 * (m_safe - 1)) / jnp.log(m_safe))
  i_geo = jnp.maximum(i_geo, 0)
  # A few ulps of slack: start() itself rounds (13 * (1.01 - 1) / (1.01 - 1)
  # gives 13.000001 under XLA), and a step on a start belongs to the new cycle.
  slack = 16 * jnp.finfo(tf.dtype).eps * jnp.maximum(tf, length0)
  i_geo = i_geo - (start(i_geo) > tf + slack) + (start(i_geo + 1) <= tf + slack)
  i_lin, pos_lin = quotient_remainder(t_arr, first_period)
  i = jnp.where(geometric, i_geo, fl(i_lin))
  pos = jnp.where(geometric, jnp.maximum(tf - start(i_geo), 0), pos_lin)
  length = length0 * jnp.where(geometric, m_safe**i_geo, 1.0)
  return i, pos, length


def rate_power(rate, p):
  """``rate ** p`` for ``rate > 0``, as ``exp(p * log(rate))`` with the log
  taken in float64 on the host when ``rate`` is concrete: rounding ``rate``
  to float32 first (0.997 -> 0.99699998) would be raised to the power ``p``
  too (a relative error of ``p * 3e-8``, 1e-3 at ``p = 30000``)."""
  known = concrete(rate)
  if known is not None and known.ndim == 0 and known > 0:
    exact_rate = float(known)
    if float(np.asarray(exact_rate, float_dtype())) != exact_rate:
      return jnp.exp(fl(p) * fl(np.log(exact_rate)))
  # A rate the float dtype holds exactly (0.5, 0.25): pow keeps powers of two exact.
  return jnp.power(fl(rate), p)


def safe_pow(x, p):
  """``x ** p`` for ``x >= 0``, with a zero gradient where ``x = 0``.

  ``0 ** p`` has an infinite or NaN derivative (with respect to ``x`` when
  ``p < 1``, to ``p`` through ``log 0``); clipped progress fractions sit at 0
  for whole phases, so the gradient must not see it. The value at 0 is
  ``0 ** p`` (1 for ``p = 0``). A known ``p >= 1`` needs no guard (nothing
  differentiates a constant, and ``p x ** (p - 1)`` is finite at 0).
  """
  x = fl(x)
  known = concrete(p)
  if known is not None and known.ndim == 0 and known >= 1:
    if known == 1:
      return x
    return x ** (int(known) if float(known).is_integer() else fl(known))
  pos = x > 0
  at_zero = jnp.power(jnp.zeros((), x.dtype), jax.lax.stop_gradient(fl(p)))
  return jnp.where(pos, jnp.where(pos, x, 1.0) ** p, at_zero)
