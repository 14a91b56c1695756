"""A cosine that keeps waving: ``num_cycles`` waves over ``decay_steps``."""

from __future__ import annotations

from optax_sched import _validate as v
from optax_sched._base import Schedule, fl, register
from optax_sched._dtypes import Real
from optax_sched._math import raised_cosine


@register
class cosine_cycles_schedule(Schedule):
  r"""``num_cycles`` cosine waves over ``decay_steps``, between ``init_value``
  and ``end_value``, never clipped.

  .. math::
    v(t) = E + (I - E)\,\tfrac12\bigl(1 + \cos(2\pi n\, t / T)\bigr)

  With the default ``n = 0.5`` it is half a cosine from ``I`` down to ``E``
  at ``t = T``, and then it rises again (Transformers'
  ``get_cosine_schedule_with_warmup`` does this past ``num_training_steps``;
  ``cosine_decay_schedule`` holds the floor instead). ``n = 1.5`` goes down,
  up and down again; ``n < 0.5`` stops part-way down.

  Args:
    init_value: ``I``, the value at step 0.
    decay_steps: ``T`` > 0 steps for ``n`` waves.
    num_cycles: ``n``, waves per ``T`` steps.
    end_value: ``E``, the bottom of every wave.

  Example:
    >>> s = cosine_cycles_schedule(1.0, 100)
    >>> [round(float(s(k)), 4) for k in (0, 50, 100, 150)]
    [1.0, 0.5, 0.0, 0.5]
  """

  init_value: Real
  decay_steps: Real
  num_cycles: Real = 0.5
  end_value: Real = 0.0

  def _check(self):
    v.real(self, "init_value")
    v.positive(self, "decay_steps")
    v.real(self, "num_cycles")
    v.real(self, "end_value")

  def _value(self, t):
    wave = raised_cosine(2 * fl(self.num_cycles) * fl(t), self.decay_steps, wrap=True)
    end = fl(self.end_value)
    return end + (self.init_value - end) * wave
