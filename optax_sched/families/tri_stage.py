"""fairseq's tri-stage schedule: warmup, hold, exponential decay."""

from __future__ import annotations

from optax_sched import _validate as v
from optax_sched._base import Composite, Schedule, register
from optax_sched._dtypes import Real
from optax_sched.families.exponential import exponential_decay


@register
class tri_stage_schedule(Composite):
  r"""Linear warmup, a hold at the peak, an exponential decay, a floor.

  .. math::
    v(t) = \begin{cases}
      P s_0 + (P - P s_0)\, t / W & t < W \\
      P & W \le t < W + H \\
      P\, s_1^{(t - W - H) / D} & W + H \le t < W + H + D \\
      P s_1 & \text{after}
    \end{cases}

  A warmup (``combinators.warmup``) in front of
  :class:`~optax_sched.exponential_decay` with ``transition_begin=H`` and
  ``end_value = P s_1``; the defaults are fairseq's
  (``init_lr_scale = final_lr_scale = 0.01``). fairseq's
  ``phase_ratio``/``max_update`` form gives ``W, H, D`` as fractions of the
  run: multiply them out first.

  Args:
    peak_value: ``P``.
    warmup_steps: ``W`` >= 0.
    hold_steps: ``H`` >= 0.
    decay_steps: ``D`` > 0 steps to go from ``P`` to ``P s_1``.
    init_scale: ``s_0`` >= 0, the start of warmup as a fraction of ``P``.
    final_scale: ``s_1`` > 0, the floor as a fraction of ``P``.

  Example:
    >>> s = tri_stage_schedule(1e-3, 100, 200, 1000)
    >>> [round(float(s(k)), 7) for k in (0, 100, 300, 800, 1300)]
    [1e-05, 0.001, 0.001, 0.0001, 1e-05]

  References:
    Park et al., SpecAugment, 2019; fairseq's ``tri_stage`` LR scheduler.
  """

  peak_value: Real
  warmup_steps: Real
  hold_steps: Real
  decay_steps: Real
  init_scale: Real = 0.01
  final_scale: Real = 0.01

  def _check(self):
    v.real(self, "peak_value")
    v.nonnegative(self, "warmup_steps")
    v.nonnegative(self, "hold_steps")
    v.positive(self, "decay_steps")
    v.nonnegative(self, "init_scale")
    v.positive(self, "final_scale")

  def native(self) -> Schedule:
    from optax_sched.combinators import warmup

    decay = exponential_decay(
      self.peak_value,
      self.decay_steps,
      self.final_scale,
      transition_begin=self.hold_steps,
      end_value=self.final_scale * self.peak_value,
    )
    return warmup(decay, self.warmup_steps, init_value=self.init_scale * self.peak_value)
