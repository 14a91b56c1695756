"""timm's schedulers, name for name, on native families.

Each class is registered as ``"timm.<ClassName>"``. Its first argument
``base_lr`` replaces the optimizer (timm reads the param groups' ``lr``); the
rest are timm's arguments with timm's defaults, and ``s(t)`` is timm's
``_get_lr(t)``: the LR timm sets for index ``t``.

The unit of ``t``: timm calls ``scheduler.step(epoch)`` after each epoch
(``t_in_epochs=True``, its default) or ``scheduler.step_update(num_updates)``
after each update (``t_in_epochs=False``); either way the LR for index
``t`` is ``_get_lr(t)``, and so is ``s(t)`` here. ``t_in_epochs`` is kept so
that recipes read the same, but it does not change ``s``: to follow a
per-epoch recipe inside a per-update training loop, evaluate
``s(update // updates_per_epoch)``; ``t_initial``, ``warmup_t`` and
``decay_t`` are then in epochs. timm applies index ``t`` after ``t`` steps,
so ``s(t)`` is the LR of update (or epoch) ``t``, counting from 0, as in
optax.

Quirks reproduced (timm 1.x):

* ``warmup_prefix=False`` (the default of the cosine, tanh and poly
  schedulers) runs the warmup *over* the first ``warmup_t`` steps of the
  decay: the decay sees the absolute step, so it jumps at ``warmup_t``.
  ``True`` (the default of the step schedulers) delays the decay instead.
* The warmup ramps to ``base_lr``, except ``TanhLRScheduler`` with
  ``warmup_prefix=False``, which ramps to the tanh's value at ``warmup_t``.
* ``cycle_limit=1`` by default: after ``t_initial`` the LR holds ``lr_min``.
* ``MultiStepLRScheduler`` compares milestones with ``t + 1``, so a
  milestone ``m`` takes effect at ``t = m - 1``, one step before torch's
  ``MultiStepLR``.
* ``WSDLRScheduler`` reaches ``lr_min`` at ``warmup_t + t_initial``, one step
  after its last decay step, and never lets a decaying stable phase fall
  below ``lr_min``.

Not reproduced: LR noise. ``noise_range_t`` must be None (a ``ValueError``
otherwise): timm draws the noise from a seeded torch generator on every
step, which JAX cannot replay; ``noise_pct``, ``noise_std`` and
``noise_seed`` are accepted and unused, as in timm without a noise range.
``initialize`` (an optimizer detail) is not an argument; a callable
``decay_fn`` for ``WSDLRScheduler`` is refused (it could not be saved as
config).

Stricter than timm (each a ``ValueError`` naming the argument): negative
``warmup_t`` or ``warmup_lr_init``; ``cycle_mul < 1`` (timm fails with a
math domain error later); ``cycle_limit < 1``; ``power <= 0``; ``decay_rate
<= 0``; ``decay_t`` milestones that are negative or unsorted.

Example (timm's ``CosineLRScheduler(opt, t_initial=100, lr_min=1e-5,
warmup_t=5, warmup_lr_init=1e-6)`` with ``lr=1e-3``):
  >>> from optax_sched.compat import timm
  >>> s = timm.CosineLRScheduler(1e-3, t_initial=100, lr_min=1e-5,
  ...                            warmup_t=5, warmup_lr_init=1e-6)
  >>> [round(float(s(k)), 7) for k in (0, 4, 5, 50, 100)]
  [1e-06, 0.0008002, 0.0009939, 0.000505, 1e-05]
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Sequence

from optax_sched import _validate as v
from optax_sched._base import Composite, Schedule, register, static
from optax_sched._dtypes import Real
from optax_sched.combinators import warmup
from optax_sched.families.exponential import exponential_decay
from optax_sched.families.piecewise import piecewise_constant_schedule
from optax_sched.families.restarts import cosine_restarts_schedule, polynomial_restarts_schedule
from optax_sched.families.tanh import tanh_schedule
from optax_sched.families.wsd import DECAY_SHAPES, STABLE_SHAPES, wsd_schedule


@dataclasses.dataclass(frozen=True, eq=False, repr=False)
class _Timm(Composite):
  """Arguments every timm scheduler shares: ``base_lr``, warmup and the noise switch.

  Declared once here; the schedulers add their own arguments after
  ``base_lr``. The shared ones are keyword-only (as every timm recipe passes
  them), so they can follow the schedulers' own.
  """

  base_lr: Real
  _: dataclasses.KW_ONLY
  warmup_t: Real = 0
  warmup_lr_init: Real = 0.0
  t_in_epochs: bool = static(default=True)
  noise_range_t: tuple[float, ...] | float | None = static(default=None)
  noise_pct: Real = 0.67
  noise_std: Real = 1.0
  noise_seed: Real = 42

  def __post_init__(self):
    noise = self.noise_range_t
    if isinstance(noise, list):
      object.__setattr__(self, "noise_range_t", tuple(noise))
    super().__post_init__()

  def _check(self):
    v.real(self, "base_lr")
    v.nonnegative(self, "warmup_t")
    v.nonnegative(self, "warmup_lr_init")
    v.flag(self, "t_in_epochs")
    if self.noise_range_t is not None:
      v.fail(
        self,
        "noise_range_t",
        self.noise_range_t,
        "LR noise is not supported (timm draws it from a torch generator"
        " on every step, which cannot be replayed in JAX): use None",
      )
    for name in ("noise_pct", "noise_std", "noise_seed"):
      v.real(self, name)

  def _warm(self, body: Schedule, prefix: bool, to_body: bool = False):
    """``body`` behind timm's linear warmup from ``warmup_lr_init``.

    The warmup ends at ``base_lr`` unless ``to_body`` (then at the body's
    value at ``warmup_t``, tanh's rule without a prefix).
    """
    return warmup(
      body,
      self.warmup_t,
      init_value=self.warmup_lr_init,
      peak_value=None if to_body else self.base_lr,
      prefix=prefix,
    )


@dataclasses.dataclass(frozen=True, eq=False, repr=False)
class _Cycles(_Timm):
  """The cycle arguments of the cosine, tanh and poly schedulers (the warmup
  overrides the first steps by default)."""

  _: dataclasses.KW_ONLY
  warmup_prefix: bool = static(default=False)

  def _check(self):
    super()._check()
    v.positive(self, "t_initial")
    v.nonnegative(self, "lr_min")
    v.number(
      self,
      "cycle_mul",
      ok=lambda a: a >= 1,
      allowed="it must be >= 1 (timm fails on shrinking cycles)",
    )
    v.nonnegative(self, "cycle_decay")
    v.number(
      self,
      "cycle_limit",
      ok=lambda a: (a >= 1) & (a == a // 1),
      allowed="it must be a whole number >= 1",
    )
    v.flag(self, "warmup_prefix")


@register(name="timm.CosineLRScheduler")
class CosineLRScheduler(_Cycles):
  r"""Cosine decay with restarts (:class:`~optax_sched.cosine_restarts_schedule`).

  In cycle :math:`i` (of :math:`T_i` = ``t_initial * cycle_mul**i`` steps, :math:`t_i` steps
  into it, :math:`\gamma` = ``cycle_decay**i``, :math:`k` = ``k_decay``), counted after the
  warmup with ``warmup_prefix`` and from step 0 without:

  .. math::
    v = \text{lr\_min} + \tfrac12(\gamma\,\text{base\_lr} - \text{lr\_min})
      \bigl(1 + \cos(\pi\,t_i^k / T_i^k)\bigr)

  and ``lr_min`` after ``cycle_limit`` cycles. During the warmup (:math:`t <` ``warmup_t``)
  the LR is ``warmup_lr_init + t * (base_lr - warmup_lr_init) / warmup_t``.

  Example:
    >>> s = CosineLRScheduler(1e-3, t_initial=10, cycle_limit=2)
    >>> [round(float(s(k)), 6) for k in (0, 5, 10, 15, 20)]
    [0.001, 0.0005, 0.001, 0.0005, 0.0]
  """

  t_initial: Real
  lr_min: Real = 0.0
  cycle_mul: Real = 1.0
  cycle_decay: Real = 1.0
  cycle_limit: Real = 1
  k_decay: Real = 1.0

  def _check(self):
    super()._check()
    v.positive(self, "k_decay")

  def native(self) -> Schedule:
    body = cosine_restarts_schedule(
      self.base_lr,
      self.t_initial,
      self.cycle_mul,
      self.cycle_decay,
      self.lr_min,
      self.cycle_limit,
      self.k_decay,
    )
    return self._warm(body, self.warmup_prefix)


@register(name="timm.TanhLRScheduler")
class TanhLRScheduler(_Cycles):
  r"""Hyperbolic-tangent decay with restarts (:class:`~optax_sched.tanh_schedule`).

  In cycle :math:`i` (of :math:`T_i` = ``t_initial * cycle_mul**i`` steps, :math:`t_i` steps
  into it, :math:`\gamma` = ``cycle_decay**i``), counted after the
  warmup with ``warmup_prefix`` and from step 0 without:

  .. math::
    v = \text{lr\_min} + \tfrac12(\gamma\,\text{base\_lr} - \text{lr\_min})
      \bigl(1 - \tanh(lb\,(1 - t_i / T_i) + ub\,t_i / T_i)\bigr)

  and ``lr_min`` after ``cycle_limit`` cycles. During the warmup (:math:`t <` ``warmup_t``)
  the LR ramps linearly from ``warmup_lr_init`` to ``base_lr`` (to the tanh's
  value at ``warmup_t`` without ``warmup_prefix``).

  Example:
    >>> s = TanhLRScheduler(1e-3, t_initial=100)
    >>> [round(float(s(k)), 6) for k in (0, 70, 100)]
    [0.001, 0.0005, 0.0]
  """

  t_initial: Real
  lb: Real = -7.0
  ub: Real = 3.0
  lr_min: Real = 0.0
  cycle_mul: Real = 1.0
  cycle_decay: Real = 1.0
  cycle_limit: Real = 1

  def _check(self):
    super()._check()
    v.real(self, "lb")
    v.real(self, "ub")
    v.compare(self, "ub", ">", "lb")

  def native(self) -> Schedule:
    body = tanh_schedule(
      self.base_lr,
      self.t_initial,
      self.lr_min,
      self.lb,
      self.ub,
      self.cycle_mul,
      self.cycle_decay,
      self.cycle_limit,
    )
    return self._warm(body, self.warmup_prefix, to_body=not self.warmup_prefix)


@register(name="timm.PolyLRScheduler")
class PolyLRScheduler(_Cycles):
  r"""Polynomial decay with restarts
  (:class:`~optax_sched.polynomial_restarts_schedule`).

  In cycle :math:`i` (of :math:`T_i` = ``t_initial * cycle_mul**i`` steps, :math:`t_i` steps
  into it, :math:`\gamma` = ``cycle_decay**i``, :math:`k` = ``k_decay``), counted after the
  warmup with ``warmup_prefix`` and from step 0 without:

  .. math::
    v = \text{lr\_min} + (\gamma\,\text{base\_lr} - \text{lr\_min})
      \bigl(1 - t_i^k / T_i^k\bigr)^{\text{power}}

  and ``lr_min`` after ``cycle_limit`` cycles. During the warmup (:math:`t <` ``warmup_t``)
  the LR is ``warmup_lr_init + t * (base_lr - warmup_lr_init) / warmup_t``.

  Example:
    >>> s = PolyLRScheduler(1e-3, t_initial=100, power=2.0)
    >>> [round(float(s(k)), 7) for k in (0, 50, 100)]
    [0.001, 0.00025, 0.0]
  """

  t_initial: Real
  power: Real = 0.5
  lr_min: Real = 0.0
  cycle_mul: Real = 1.0
  cycle_decay: Real = 1.0
  cycle_limit: Real = 1
  k_decay: Real = 1.0

  def _check(self):
    super()._check()
    v.positive(self, "power")
    v.positive(self, "k_decay")

  def native(self) -> Schedule:
    body = polynomial_restarts_schedule(
      self.base_lr,
      self.t_initial,
      self.power,
      self.cycle_mul,
      self.cycle_decay,
      self.lr_min,
      self.cycle_limit,
      self.k_decay,
    )
    return self._warm(body, self.warmup_prefix)


@dataclasses.dataclass(frozen=True, eq=False, repr=False)
class _Stepped(_Timm):
  """The step schedulers: the warmup delays the decay by default."""

  _: dataclasses.KW_ONLY
  warmup_prefix: bool = static(default=True)

  def _check(self):
    super()._check()
    v.flag(self, "warmup_prefix")


@register(name="timm.StepLRScheduler")
class StepLRScheduler(_Stepped):
  """``base_lr * decay_rate ** (t // decay_t)``
  (:class:`~optax_sched.exponential_decay` with ``staircase=True``).

  Example:
    >>> s = StepLRScheduler(1e-3, decay_t=30, decay_rate=0.1)
    >>> [round(float(s(k)), 8) for k in (29, 30, 60)]
    [0.001, 0.0001, 1e-05]
  """

  decay_t: Real
  decay_rate: Real = 1.0

  def _check(self):
    super()._check()
    v.positive(self, "decay_t")
    v.positive(self, "decay_rate")

  def native(self) -> Schedule:
    body = exponential_decay(self.base_lr, self.decay_t, self.decay_rate, staircase=True)
    return self._warm(body, self.warmup_prefix)


@register(name="timm.MultiStepLRScheduler")
class MultiStepLRScheduler(_Stepped):
  """``base_lr * decay_rate ** #{m in decay_t : m <= t + 1}``
  (:class:`~optax_sched.piecewise_constant_schedule` at ``m - 1``).

  Milestone ``m`` takes effect one step before torch's ``MultiStepLR``
  would apply it; repeated milestones decay more than once.

  Example:
    >>> s = MultiStepLRScheduler(1e-3, decay_t=[10, 20], decay_rate=0.1)
    >>> [round(float(s(k)), 8) for k in (8, 9, 19)]
    [0.001, 0.0001, 1e-05]
  """

  decay_t: Sequence[int] = static()
  decay_rate: Real = 1.0

  def __post_init__(self):
    if isinstance(self.decay_t, list):
      object.__setattr__(self, "decay_t", tuple(self.decay_t))
    super().__post_init__()

  def _check(self):
    super()._check()
    if not isinstance(self.decay_t, tuple):
      v.fail(self, "decay_t", self.decay_t, "it must be a list of steps")
    for i, m in enumerate(self.decay_t):
      v.number(
        self,
        f"decay_t[{i}]",
        m,
        ok=lambda a: (a >= 0) & (a == a // 1),
        allowed="milestones must be whole steps >= 0",
      )
    v.increasing(self, "decay_t", self.decay_t)
    v.positive(self, "decay_rate")

  def native(self) -> Schedule:
    counts = Counter(max(int(m) - 1, 0) for m in self.decay_t)
    body = piecewise_constant_schedule(
      self.base_lr, {b: self.decay_rate**n for b, n in sorted(counts.items())}
    )
    return self._warm(body, self.warmup_prefix)


@register(name="timm.WSDLRScheduler")
class WSDLRScheduler(_Timm):
  r"""Warmup, stable, decay over the last ``decay_t`` of ``t_initial``
  (:class:`~optax_sched.wsd_schedule`); the warmup is always a prefix.

  With :math:`t` counted after the warmup, :math:`S` = ``t_initial - decay_t`` and
  :math:`f = \min(\max(t - S, 0) / \text{decay\_t}, 1)`:

  .. math::
    v = \text{lr\_min} + \bigl(\max(\text{base\_lr}\,g(t), \text{lr\_min})
      - \text{lr\_min}\bigr)\,h(f)

  with :math:`g` the stable shape (``stable_fn``, 1 for ``"constant"``) and :math:`h` the
  decay shape (``decay_fn``), as in :class:`~optax_sched.wsd_schedule`.

  Example:
    >>> s = WSDLRScheduler(1e-3, t_initial=100, decay_t=20, decay_fn="linear")
    >>> [round(float(s(k)), 7) for k in (0, 80, 90, 100)]
    [0.001, 0.001, 0.0005, 0.0]
  """

  t_initial: Real
  decay_t: Real
  lr_min: Real = 0.0
  stable_fn: str = static(default="constant")
  stable_timescale: Real | None = None
  stable_power: Real = 0.5
  decay_fn: str = static(default="1-sqrt")
  decay_power: Real = 0.5
  decay_ratio: Real = 0.1

  def _check(self):
    super()._check()
    v.positive(self, "t_initial")
    v.positive(self, "decay_t")
    v.compare(self, "decay_t", "<=", "t_initial")
    v.nonnegative(self, "lr_min")
    v.choice(self, "stable_fn", STABLE_SHAPES)
    if callable(self.decay_fn):
      v.fail(
        self,
        "decay_fn",
        self.decay_fn,
        "a callable is not supported (it could not be saved as config):"
        " use one of " + ", ".join(map(repr, DECAY_SHAPES)),
      )
    v.choice(self, "decay_fn", DECAY_SHAPES)
    v.positive(self, "decay_power")
    v.positive(self, "stable_power")
    v.in_range(self, "decay_ratio", 0.0, 1.0, lo_open=True, hi_open=True)
    if self.stable_fn != "constant":
      if self.stable_timescale is None:
        w = v.concrete(self.warmup_t)
        if w is not None and not w > 0:
          v.fail(
            self,
            "stable_timescale",
            None,
            f"stable_fn={self.stable_fn!r} needs a stable_timescale > 0;"
            " it defaults to warmup_t, which is 0: set it explicitly",
          )
      else:
        v.positive(self, "stable_timescale")

  def native(self) -> Schedule:
    timescale = self.warmup_t if self.stable_timescale is None else self.stable_timescale
    body = wsd_schedule(
      self.base_lr,
      self.t_initial - self.decay_t,
      self.decay_t,
      self.lr_min,
      decay_shape=self.decay_fn,
      exponent=self.decay_power,
      decay_ratio=self.decay_ratio,
      stable_shape=self.stable_fn,
      timescale=None if self.stable_fn == "constant" else timescale,
      stable_power=self.stable_power,
    )
    return self._warm(body, prefix=True)


__all__ = [
  "CosineLRScheduler",
  "TanhLRScheduler",
  "PolyLRScheduler",
  "StepLRScheduler",
  "MultiStepLRScheduler",
  "WSDLRScheduler",
]
