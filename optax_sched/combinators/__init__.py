"""Combinators: schedules built from other schedules.

``join_schedules`` (pieces in sequence), ``warmup`` (a ramp into any
schedule), pointwise arithmetic (``multiply``, ``divide``, ``add``, ``scale``,
``minimum``, ``maximum``, ``clip``; the operators on schedules build these),
time maps (``shift``, ``stretch``, ``repeat``, ``per_epoch``, ``rehorizon``) and
``fraction`` for durations given as fractions of a run.
"""

from optax_sched._base import add, divide, multiply
from optax_sched.combinators.arithmetic import clip, maximum, minimum, scale
from optax_sched.combinators.durations import fraction
from optax_sched.combinators.join import join_schedules
from optax_sched.combinators.rehorizon import rehorizon
from optax_sched.combinators.timing import per_epoch, repeat, shift, stretch
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
  "stretch",
  "repeat",
  "per_epoch",
  "rehorizon",
  "fraction",
]
