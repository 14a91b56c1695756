"""``per_sample``: a schedule counted in consumed samples, also while the batch size ramps up."""

from __future__ import annotations

import functools
from typing import Any

import jax.numpy as jnp
import numpy as np

from optax_sched import _validate as v
from optax_sched._base import ScheduleLike, jumps, register, static
from optax_sched._dtypes import int_dtype
from optax_sched._math import lookup, searchsorted_right
from optax_sched.combinators.timing import _Timed

#: Most batch-size increments a ramp may have (one table row each).
MAX_INCREMENTS = 100_000
#: Sample counts must fit in int32 (the step dtype without x64).
MAX_SAMPLES = 2**31 - 1


def _whole(owner, name, value, low):
  if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
    v.fail(owner, name, value, f"it must be a whole number >= {low}")


@functools.cache
def ramp_tables(global_batch_size: int, rampup: tuple | None):
  """``(K, S, B)``: the first update ``K[j]`` of stage ``j``, the samples ``S[j]``
  consumed before it, and the stage's batch size ``B[j]`` (int64 arrays).

  Stage ``j`` uses batch ``start + j * increment``; it begins at the first
  update whose consumed samples reach ``ceil(j * R / n)``, where ``n`` is the
  number of increments and ``R`` the ramp-up samples (Megatron-LM's
  ``int(consumed / (R / n))``, taken in exact integers). The last stage uses
  ``global_batch_size`` for ever.
  """
  if rampup is None:
    return (np.zeros(1, np.int64),) * 2 + (np.asarray([global_batch_size], np.int64),)
  start, increment, samples = rampup
  n = (global_batch_size - start) // increment
  ks, ss, bs = [0], [0], [start]
  for j in range(1, n + 1):
    threshold = -(-j * samples // n)  # ceil(j R / n): the stage's first sample count
    batch = bs[-1]
    updates = max(0, -(-(threshold - ss[-1]) // batch))
    ks.append(ks[-1] + updates)
    ss.append(ss[-1] + updates * batch)
    bs.append(start + j * increment)
  return tuple(np.asarray(x, np.int64) for x in (ks, ss, bs))


@register
class per_sample(_Timed):
  r"""Counts ``schedule`` in consumed samples: ``schedule(S_t)``.

  ``S_t`` is the number of samples consumed before update ``t``. With a
  constant batch, :math:`S_t = t\,G`. With ``rampup_batch_size=(B_0, I, R)``
  (Megatron-LM's ``--rampup-batch-size start increment samples``) the batch
  of an update depends on the samples consumed before it:

  .. math::
    b(S) = B_0 + I \min\!\left(\left\lfloor \frac{S\,n}{R} \right\rfloor, n\right),
    \quad n = \frac{G - B_0}{I},
    \qquad S_{t+1} = S_t + b(S_t)

  which is the batch Megatron-LM's ``RampupBatchsizeNumMicroBatchesCalculator``
  gives (``megatron/core/num_microbatches_calculator.py``), while its
  ``OptimizerParamScheduler`` advances by that batch after each update, so a
  schedule given in samples (``--lr-warmup-samples``, ``--lr-decay-samples``)
  follows :math:`S_t`. GPT-3's batch ramp is the same warp, written in samples
  of one sequence length (tokens = samples x sequence length).

  The ramp is structure (static fields: changing it recompiles); ``S_t`` is
  found from a host table of the ``n + 1`` batch stages by a search over the
  stages, in integers: exact for every int32 update. ``S_t`` saturates at the
  int32 (int64 under x64) maximum; a float step is floored to an update.
  Megatron-LM computes ``int(S / (R / n))`` in floating point, which at a few
  stage boundaries gives one increment less than the exact rule used here
  (see docs/disagreements.md).

  Args:
    schedule: the schedule, counted in samples.
    global_batch_size: ``G`` >= 1, the batch size after the ramp.
    rampup_batch_size: ``(B_0, I, R)``: start batch ``B_0`` >= 1, increment
      ``I`` >= 1 with ``G - B_0`` a multiple of it, ramp-up samples
      ``R`` >= 1; None for a constant batch.

  Example (batch 16 to 64 by 16 over 96 samples; LR warmup over 200 samples):
    >>> from optax_sched import linear_schedule
    >>> s = per_sample(linear_schedule(0.0, 1.0, 200), 64, (16, 16, 96))
    >>> [int(s.samples(t)) for t in range(7)]
    [0, 16, 32, 64, 112, 176, 240]
    >>> [round(float(s(t)), 6) for t in range(7)]
    [0.0, 0.08, 0.16, 0.32, 0.56, 0.88, 1.0]
  """

  schedule: ScheduleLike
  global_batch_size: int = static()
  rampup_batch_size: tuple[int, int, int] | None = static(default=None)

  def __post_init__(self):
    if isinstance(self.rampup_batch_size, list):  # as read back from a config
      object.__setattr__(self, "rampup_batch_size", tuple(self.rampup_batch_size))
    super().__post_init__()

  def _check(self):
    g, ramp = self.global_batch_size, self.rampup_batch_size
    _whole(self, "global_batch_size", g, 1)
    if ramp is None:
      return
    if not isinstance(ramp, tuple) or len(ramp) != 3:
      v.fail(self, "rampup_batch_size", ramp, "it must be (start, increment, samples) or None")
    start, increment, samples = ramp
    for name, x in (("start", start), ("increment", increment), ("samples", samples)):
      _whole(self, f"rampup_batch_size {name}", x, 1)
    if start > g or (g - start) % increment:
      v.fail(
        self,
        "rampup_batch_size",
        ramp,
        f"global_batch_size - start = {g - start} must be >= 0 and a multiple of the increment",
      )
    if (g - start) // increment > MAX_INCREMENTS:
      v.fail(self, "rampup_batch_size", ramp, f"at most {MAX_INCREMENTS} increments")
    if samples + g > MAX_SAMPLES:
      v.fail(self, "rampup_batch_size", ramp, f"samples + global_batch_size <= {MAX_SAMPLES}")

  def _tables(self):
    return ramp_tables(self.global_batch_size, self.rampup_batch_size)

  def samples(self, step: Any) -> jnp.ndarray:
    """``S_t``: the samples consumed before update ``step`` (an int array)."""
    t = jnp.maximum(jnp.asarray(step), 0)
    if jnp.issubdtype(t.dtype, jnp.integer):
      k = t.astype(int_dtype())
    else:
      top = float(np.iinfo(np.dtype(int_dtype())).max)
      k = jnp.floor(jnp.minimum(t, top)).astype(int_dtype())
    top = np.iinfo(np.dtype(k.dtype)).max
    starts, consumed, batch = (x.astype(k.dtype) for x in self._tables())
    j = searchsorted_right(starts[1:], k)
    s0, b = lookup(consumed, j), lookup(batch, j)
    since = k - lookup(starts, j)
    return jnp.where(since > (top - s0) // b, top, s0 + since * b)

  def _value(self, t):
    return self.schedule(self.samples(t))

  def declared_jumps(self, total_steps):
    """The child's jumps (in samples), at the first update that reaches them."""
    starts, consumed, batch = self._tables()
    total = int(self.samples(int(total_steps)))
    inner = np.ceil(jumps(self.schedule, total))
    j = np.searchsorted(consumed, inner, side="right") - 1
    return starts[j] + np.ceil((inner - consumed[j]) / batch[j])
