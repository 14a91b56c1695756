"""Inverse-square-root decay (rsqrt, Noam) and its power generalisation."""

from __future__ import annotations

from optax_sched import _validate as v
from optax_sched._base import Schedule, fl, register
from optax_sched._dtypes import Real


def rsqrt(t, init_value, timescale, power=0.5):
  """``I * (1 + t / tau) ** -power``: ``I`` at ``t = 0``."""
  return init_value * (1 + fl(t) / fl(timescale)) ** (-fl(power))


@register
class rsqrt_schedule(Schedule):
  r"""Inverse-square-root decay from ``init_value``, with a timescale.

  .. math::
    v(t) = I \, (1 + t / \tau)^{-p}

  ``p = 0.5`` is the reciprocal square root; other powers give the Power
  scheduler's family. Put a warmup in front with
  ``optax_sched.combinators.warmup``; its default ``prefix=True`` hands the
  decay the steps counted from the end of warmup, so with ``tau`` equal to
  the warmup length ``W`` the decay is ``I * sqrt(W / t)`` in absolute steps:
  Noam's schedule (Transformer, big_vision's rsqrt, Transformers'
  ``get_inverse_sqrt_schedule``).

  Args:
    init_value: ``I``, the value at step 0.
    timescale: ``tau`` > 0 steps; the value halves (``p = 0.5``) after
      ``3 tau``.
    power: ``p`` > 0.

  Example:
    >>> s = rsqrt_schedule(1e-3, timescale=100)
    >>> [round(float(s(k)), 7) for k in (0, 300, 800)]
    [0.001, 0.0005, 0.0003333]

  Noam's schedule, a linear warmup over 100 steps into the same decay:
    >>> from optax_sched.combinators import warmup
    >>> noam = warmup(rsqrt_schedule(1e-3, timescale=100), 100)
    >>> [round(float(noam(k)), 7) for k in (50, 100, 400)]
    [0.0005, 0.001, 0.0005]

  References:
    Vaswani et al., Attention Is All You Need, 2017 (section 5.3);
    Shen et al., Power Scheduler, 2024.
  """

  init_value: Real
  timescale: Real
  power: Real = 0.5

  def _check(self):
    v.real(self, "init_value")
    v.positive(self, "timescale")
    v.positive(self, "power")

  def _value(self, t):
    return rsqrt(t, self.init_value, self.timescale, self.power)
