"""One-cycle with torch's phase boundaries (OneCycleLR), two or three phases."""

from __future__ import annotations

import jax.numpy as jnp

from optax_sched import _validate as v
from optax_sched._base import Schedule, fl, register, static
from optax_sched._dtypes import Real
from optax_sched._math import cosine_interpolate, exact, linear_interpolate


@register
class onecycle_schedule(Schedule):
  r"""Up from ``peak_value / div_factor`` to ``peak_value``, then down to
  ``peak_value / (div_factor * final_div_factor)`` at step ``total_steps - 1``.

  With :math:`N` = ``total_steps``, :math:`p` = ``pct_start``, the phases end
  at the (fractional) steps

  * two phases: :math:`e_1 = pN - 1` (up), :math:`e_2 = N - 1` (down);
  * three phases: :math:`e_1 = pN - 1` (up), :math:`e_2 = 2pN - 2` (back down
    to the initial value), :math:`e_3 = N - 1` (down to the minimum).

  Inside a phase from :math:`e_{k-1}` (:math:`e_0 = 0`) to :math:`e_k` the
  value moves from its start to its end along half a cosine or a line, with
  progress :math:`(t - e_{k-1}) / (e_k - e_{k-1})`. From ``total_steps - 1``
  on the value is held at the minimum.

  These are torch's ``OneCycleLR`` boundaries: the peak is reached at step
  ``pct_start * total_steps - 1``, one step before optax's
  ``cosine_onecycle_schedule``, and the minimum at ``total_steps - 1``
  instead of ``total_steps``.

  Args:
    total_steps: ``N`` >= 1 steps in the cycle.
    peak_value: the top of the cycle.
    pct_start: ``p`` in [0, 1], the fraction of steps spent rising; with
      ``three_phase``, at most 0.5.
    anneal_strategy: ``"cos"`` or ``"linear"``.
    div_factor: > 0; the cycle starts at ``peak_value / div_factor``.
    final_div_factor: > 0; it ends at ``peak_value / div_factor /
      final_div_factor``.
    three_phase: whether to come back to the start before the final decay.

  Example:
    >>> s = onecycle_schedule(100, 1.0, pct_start=0.25, div_factor=10.0,
    ...                       final_div_factor=100.0)
    >>> [round(float(s(k)), 4) for k in (0, 24, 62, 99, 150)]
    [0.1, 1.0, 0.49, 0.001, 0.001]

  References:
    Smith & Topin, Super-Convergence, 2017.
  """

  total_steps: Real
  peak_value: Real
  pct_start: Real = 0.3
  anneal_strategy: str = static(default="cos")
  div_factor: Real = 25.0
  final_div_factor: Real = 1e4
  three_phase: bool = static(default=False)

  def _check(self):
    v.number(self, "total_steps", ok=lambda a: a >= 1, allowed="it must be >= 1")
    v.real(self, "peak_value")
    v.flag(self, "three_phase")
    v.in_range(self, "pct_start", 0.0, 0.5 if self.three_phase else 1.0)
    v.choice(self, "anneal_strategy", ("cos", "linear"))
    v.positive(self, "div_factor")
    v.positive(self, "final_div_factor")
    p, n = v.concrete(self.pct_start), v.concrete(self.total_steps)
    if p is not None and n is not None and float(p) * float(n) == 1.0:
      v.fail(
        self,
        "pct_start",
        self.pct_start,
        f"pct_start * total_steps must not be 1 (total_steps={n.item()!r}):"
        " the rising phase would end at step 0 and have no length",
      )

  def phase_ends(self):
    """The steps where each phase ends (fractional, like torch's)."""
    first = exact(lambda m, p, n: p * n - 1, self.pct_start, self.total_steps)
    last = exact(lambda m, n: n - 1, self.total_steps)
    if self.three_phase:
      return [first, exact(lambda m, p, n: 2 * p * n - 2, self.pct_start, self.total_steps), last]
    return [first, last]

  def _value(self, t):
    peak = fl(self.peak_value)
    start = peak / self.div_factor
    low = start / self.final_div_factor
    if self.three_phase:
      targets = [start, peak, start, low]
    else:
      targets = [start, peak, low]
    ends = [fl(e) for e in self.phase_ends()]
    tf = jnp.minimum(fl(t), ends[-1])
    interp = cosine_interpolate if self.anneal_strategy == "cos" else linear_interpolate
    value = targets[-1]
    lo = [jnp.zeros_like(ends[0])] + ends[:-1]
    # Walk the phases from the last: the earliest phase whose end is not
    # passed wins (torch's `step <= end_step`).
    for k in reversed(range(len(ends))):
      size = ends[k] - lo[k]
      has_size = size > 0
      pos = jnp.where(has_size, jnp.clip(tf - lo[k], 0, size), 0)
      inside = interp(targets[k], targets[k + 1], pos, jnp.where(has_size, size, 1))
      value = jnp.where(tf <= ends[k], inside, value)
    return value
