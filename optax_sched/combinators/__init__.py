"""Combinators: schedules built from other schedules.

``join_schedules`` (pieces in sequence), ``warmup`` (a ramp into any
schedule), pointwise arithmetic (``multiply``, ``divide``, ``add``, ``scale``,
``minimum``, ``maximum``, ``clip``; the operators on schedules build these),
time maps (``shift``, ``hold``, ``stretch``, ``repeat``, ``cycles``,
``per_epoch``, ``per_sample``, ``rehorizon``) and
``fraction`` for durations given as fractions of a run.
"""

from optax_sched._base import add, divide, multiply
from optax_sched.combinators.arithmetic import clip, maximum, minimum, scale
from optax_sched.combinators.cycles import cycles
from optax_sched.combinators.durations import fraction
from optax_sched.combinators.join import join_schedules
from optax_sched.combinators.rehorizon import rehorizon
from optax_sched.combinators.samples import per_sample
from optax_sched.combinators.timing import hold, per_epoch, repeat, shift, stretch
from optax_sched.combinators.warmup import warmup

__all__ = [
  "join_schedules",
  "warmup",
  "multiply",
  "divide",
  "add",
  "scale",
  "minimum",
  "maximum",
  "clip",
  "shift",
  "hold",
  "stretch",
  "repeat",
  "cycles",
  "per_epoch",
  "per_sample",
  "rehorizon",
  "fraction",
]
