"""Cyclical learning rates: triangular, triangular2, exp_range (torch's CyclicLR)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax.numpy as jnp
import numpy as np

from optax_sched import _validate as v
from optax_sched._base import Schedule, fl, register, static
from optax_sched._dtypes import Real
from optax_sched._math import cycle, safe_div

MODES = ("triangular", "triangular2", "exp_range")


@register
class cyclic_schedule(Schedule):
  r"""Triangle waves between ``init_value`` and ``peak_value``.

  Each cycle rises for ``step_size_up`` steps and falls for
  ``step_size_down`` steps. At position :math:`p` of cycle :math:`c`
  (counting from 1), with :math:`h = p/U` rising and :math:`(U + D - p)/D`
  falling:

  .. math::
    v(t) = I + (P - I)\,h\,\sigma, \quad \sigma = \begin{cases}
      1 & \text{triangular} \\
      2^{-(c-1)} & \text{triangular2 (height halves every cycle)} \\
      \gamma^{t} & \text{exp\_range} \\
      \text{scale\_fn}(c \text{ or } t) & \text{a custom scale\_fn}
    \end{cases}

  Args:
    init_value: ``I``, the bottom of every cycle (torch's ``base_lr``).
    peak_value: ``P``, the top of the first cycle (torch's ``max_lr``).
    step_size_up: ``U`` > 0 steps rising.
    step_size_down: ``D`` >= 0 steps falling; ``None`` means ``U``.
    mode: ``"triangular"``, ``"triangular2"`` or ``"exp_range"``; ignored
      when ``scale_fn`` is given.
    gamma: ``\gamma`` > 0 for ``"exp_range"``.
    scale_fn: a jnp-traceable function of the cycle number (from 1) or of
      the step, returning the height factor; static, so not swept by vmap.
    scale_mode: ``"cycle"`` or ``"iterations"``: what ``scale_fn`` receives.

  Example:
    >>> s = cyclic_schedule(0.1, 1.0, 4, mode="triangular2")
    >>> [round(float(s(k)), 3) for k in (0, 2, 4, 8, 12, 16)]
    [0.1, 0.55, 1.0, 0.1, 0.55, 0.1]

  References:
    Smith, Cyclical Learning Rates for Training Neural Networks, 2017.
  """

  init_value: Real
  peak_value: Real
  step_size_up: Real = 2000
  step_size_down: Real | None = None
  mode: str = static(default="triangular")
  gamma: Real = 1.0
  scale_fn: Callable[[Any], Any] | None = static(default=None)
  scale_mode: str = static(default="cycle")

  def _check(self):
    v.real(self, "init_value")
    v.real(self, "peak_value")
    v.positive(self, "step_size_up")
    if self.step_size_down is not None:
      v.nonnegative(self, "step_size_down")
    if self.scale_fn is None:
      v.choice(self, "mode", MODES)
    elif not callable(self.scale_fn):
      v.fail(
        self,
        "scale_fn",
        self.scale_fn,
        "it must be a function of the cycle number or step, or None",
      )
    v.positive(self, "gamma")
    v.choice(self, "scale_mode", ("cycle", "iterations"))

  def _value(self, t):
    raw_down = self.step_size_up if self.step_size_down is None else self.step_size_down
    # The raw sizes keep integer steps in integer arithmetic (exact cycles).
    i, pos, _ = cycle(t, jnp.asarray(self.step_size_up) + jnp.asarray(raw_down))
    up, down = fl(self.step_size_up), fl(raw_down)
    rising = pos <= up
    height = jnp.where(rising, pos / up, safe_div(up + down - pos, down))
    if self.scale_fn is not None:
      x = i + 1 if self.scale_mode == "cycle" else fl(t)
      scale = self.scale_fn(x)
    elif self.mode == "triangular":
      scale = 1.0
    elif self.mode == "triangular2":
      scale = 0.5**i
    else:
      scale = fl(self.gamma) ** fl(t)
    return self.init_value + (self.peak_value - self.init_value) * height * scale

  def declared_jumps(self, total_steps):
    """Every cycle start: each cycle is a new phase that rises again (and,
    with ``step_size_down=0``, a sawtooth's drop)."""
    up = v.concrete(self.step_size_up)
    down = up if self.step_size_down is None else v.concrete(self.step_size_down)
    if up is None or down is None:
      return ()
    period = float(up) + float(down)
    return np.arange(period, total_steps, period)
