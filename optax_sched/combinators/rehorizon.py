"""Change the budget of a running schedule: ``rehorizon``."""

from __future__ import annotations

import math

import jax.numpy as jnp
import numpy as np

from optax_sched import _validate as v
from optax_sched._base import ScheduleLike, register
from optax_sched._dtypes import Real, fl
from optax_sched.combinators._operand import known
from optax_sched.combinators.timing import _Timed


@register
class rehorizon(_Timed):
  r"""A run planned for ``total_steps``, told at ``at_step`` to end at ``new_total_steps``.

  Equal to ``schedule`` up to ``at_step``; after it, what was left of
  ``schedule`` is stretched (or squeezed) to end at ``new_total_steps``:

  .. math::
    v(u) = s(u), \quad u \le a; \qquad
    v(u) = s\!\left(a + (u - a)\,\frac{T - a}{T' - a}\right), \quad u > a

  with :math:`a` = ``at_step``, :math:`T` = ``total_steps``, :math:`T'` =
  ``new_total_steps``. The curve is continuous at :math:`a` and reaches at
  :math:`T'` the value the plan had at :math:`T`, so a cosine or a WSD
  cooldown still ends at its floor. A resumed run needs no other change: the
  optimizer's step counter goes on as before (see the checkpoint example in
  the docs).

  Exactness: with concrete integer arguments and integer steps, the warp is
  computed as ``a + q·(T-a)/g + r·(T-a)/(T'-a)`` where ``q, r`` are the exact
  integer quotient and remainder of ``(u - a)`` by ``(T'-a)/g`` (``g`` the
  gcd of both lengths). Wherever the warped step is a whole number (``r =
  0``) the child sees exactly that number (below 2**24 in float32, 2**53 in
  float64), so a boundary of the plan is crossed at exactly the step the
  warp maps onto it. Traced arguments use the formula in floats.

  Args:
    schedule: the planned schedule (any schedule or callable of the step).
    at_step: ``a``, the step at which the budget changes; ``0 <= a < T``.
    total_steps: ``T``, the length the run was planned for.
    new_total_steps: ``T' > a``, the new length (longer or shorter than ``T``).

  Example (a cosine over 1000 steps, at step 400 extended to 1600):
    >>> import optax_sched as sched
    >>> plan = sched.cosine_decay_schedule(1.0, 1000)
    >>> s = sched.rehorizon(plan, 400, 1000, 1600)
    >>> [round(float(s(k)), 4) for k in (400, 1000, 1600)]  # == plan at 400, 700, 1000
    [0.6545, 0.2061, 0.0]
  """

  schedule: ScheduleLike
  at_step: Real
  total_steps: Real
  new_total_steps: Real

  def _check(self):
    v.nonnegative(self, "at_step")
    v.compare(self, "at_step", "<", "total_steps", "the change must happen inside the planned run")
    v.compare(self, "new_total_steps", ">", "at_step", "the run cannot end before the change")

  def _lengths(self) -> tuple[int, int] | None:
    """``((T - a)/g, (T' - a)/g)`` as Python ints when every argument is a whole number."""
    args = (self.at_step, self.total_steps, self.new_total_steps)
    if not known(*args):
      return None
    a, t, n = (float(x) for x in args)
    if not all(x == int(x) for x in (a, t, n)):
      return None
    old, new = int(t) - int(a), int(n) - int(a)
    g = math.gcd(old, new)
    return old // g, new // g

  def _value(self, t):
    lengths = self._lengths()
    integer_steps = jnp.issubdtype(jnp.asarray(t).dtype, jnp.integer)
    if lengths is None or not integer_steps:
      a = fl(self.at_step)
      ratio = (fl(self.total_steps) - a) / (fl(self.new_total_steps) - a)
      u = fl(t)
      return self.schedule(jnp.where(u <= a, u, a + (u - a) * ratio))
    old, new = lengths
    a = int(self.at_step)
    d = jnp.maximum(t - a, 0)
    q = d // new
    r = d - q * new
    # Each term is a whole number (or r·old/new < old) computed exactly, so
    # the sum is exact wherever the float type can hold it.
    warped = (fl(a) + fl(q) * fl(old)) + fl(r) * (old / new)
    return self.schedule(jnp.where(t <= a, fl(t), warped))

  def _map_jumps(self, steps: np.ndarray):
    a, t, n = (float(x) for x in (self.at_step, self.total_steps, self.new_total_steps))
    return np.where(steps <= a, steps, a + (steps - a) * (n - a) / (t - a))

  def declared_jumps(self, total_steps):
    if not known(self.at_step, self.total_steps, self.new_total_steps):
      return ()
    return super().declared_jumps(total_steps)

  def _child_total(self, total_steps):
    """The plan's step that the last step of this run sees."""
    a, t, n = (float(x) for x in (self.at_step, self.total_steps, self.new_total_steps))
    return a + (total_steps - a) * (t - a) / (n - a) if total_steps > a else total_steps
