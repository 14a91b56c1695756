"""PyTorch's ``torch.optim.lr_scheduler`` classes, number for number.

Each class takes torch's argument names, with ``base_lr`` (the optimizer's
``lr``) first in place of the optimizer; ``CyclicLR`` and ``OneCycleLR`` take
their own LR arguments as torch does. ``s(t)`` equals
``optimizer.param_groups[0]['lr']`` after ``t`` calls of
``scheduler.step()`` (torch 2.13), so ``s(t)`` is the LR of update ``t``.

Example (the lesson's recipes):
  >>> from optax_sched.compat import torch as tl
  >>> s = tl.StepLR(1e-3, step_size=30, gamma=0.1)
  >>> [round(float(s(k)), 8) for k in (29, 30, 60)]
  [0.001, 0.0001, 1e-05]
  >>> s = tl.OneCycleLR(max_lr=1e-3, epochs=10, steps_per_epoch=100,
  ...                   pct_start=0.1)
  >>> [round(float(s(k)), 7) for k in (0, 99, 999)]
  [4e-05, 0.001, 0.0]

What differs from torch, on purpose:

* ``last_epoch`` must be -1. Resuming needs no scheduler state here: optax's
  step count lives in ``opt_state`` and comes back with it.
* The momentum arguments of ``CyclicLR`` and ``OneCycleLR``
  (``cycle_momentum``, ``base_momentum``, ``max_momentum``) are not taken:
  these are learning-rate schedules.
* ``OneCycleLR`` holds its final LR from ``total_steps - 1`` on; torch
  extrapolates one step further (a negative LR with ``"linear"``) and raises
  after that.
* Arguments torch accepts but that break later (a zero step size, a
  ``pct_start * total_steps`` of 1, ``ConstantLR(factor=0)``) raise
  ``ValueError`` here, naming the argument.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ClassVar

import jax
import jax.numpy as jnp

from optax_sched import _validate as v
from optax_sched._base import Schedule, fl, function_schedule, register, static
from optax_sched._dtypes import Real
from optax_sched.combinators import join_schedules
from optax_sched.compat._mapping import Mapping
from optax_sched.families.annealing import cosine_annealing_schedule
from optax_sched.families.cyclic import cyclic_schedule
from optax_sched.families.exponential import exponential_decay
from optax_sched.families.onecycle import onecycle_schedule
from optax_sched.families.polynomial import polynomial_schedule
from optax_sched.families.ramps import constant_factor_schedule, linear_factor_schedule
from optax_sched.families.restarts import cosine_restarts_schedule
from optax_sched.families.step import multistep_decay_schedule, step_decay_schedule

# Not a Schedule (it follows a metric, not the step): a jittable state machine.
from optax_sched.plateau import ReduceLROnPlateau  # noqa: F401


def _whole(owner, name, minimum, value=None):
  v.number(
    owner,
    name,
    value,
    ok=lambda a: (a >= minimum) & (a == a // 1),
    allowed=f"it must be a whole number >= {minimum}",
  )


class _Torch(Mapping):
  """A torch scheduler: ``last_epoch`` is accepted only as -1."""

  def _check(self):
    if self.last_epoch != -1:
      v.fail(
        self,
        "last_epoch",
        self.last_epoch,
        "only -1 (a fresh scheduler): optax's step count is saved in"
        " opt_state and resumes with it; to start part-way, evaluate"
        " s(t + offset)",
      )
    super()._check()


@register(name="torch.StepLR")
class StepLR(_Torch):
  """``base_lr * gamma ** (t // step_size)``: :class:`step_decay_schedule`.

  Example:
    >>> from optax_sched.compat.torch import StepLR
    >>> s = StepLR(0.1, step_size=2, gamma=0.5)
    >>> [round(float(s(k)), 6) for k in range(6)]
    [0.1, 0.1, 0.05, 0.05, 0.025, 0.025]
  """

  base_lr: Real
  step_size: Real
  gamma: Real = 0.1
  last_epoch: int = static(default=-1)

  renames = {"init_value": "base_lr"}

  def _check_args(self):
    # torch tests `epoch % step_size == 0` each step: a fractional step
    # size decays only at common multiples, unlike its own closed form.
    _whole(self, "step_size", 1)

  def native(self):
    return step_decay_schedule(self.base_lr, self.step_size, self.gamma)


@register(name="torch.MultiStepLR")
class MultiStepLR(_Torch):
  """``base_lr * gamma ** (number of milestones <= t)``.

  A milestone listed twice decays twice, as in torch.

  Example (4 is listed twice):
    >>> from optax_sched.compat.torch import MultiStepLR
    >>> s = MultiStepLR(0.1, milestones=[2, 4, 4], gamma=0.5)
    >>> [round(float(s(k)), 6) for k in range(6)]
    [0.1, 0.1, 0.05, 0.05, 0.0125, 0.0125]
  """

  base_lr: Real
  milestones: Real
  gamma: Real = 0.1
  last_epoch: int = static(default=-1)

  renames = {"init_value": "base_lr"}

  def __post_init__(self):
    if isinstance(self.milestones, (list, tuple)):
      object.__setattr__(self, "milestones", tuple(self.milestones))
    super().__post_init__()

  def native(self):
    return multistep_decay_schedule(self.base_lr, self.milestones, self.gamma)


@register(name="torch.ConstantLR")
class ConstantLR(_Torch):
  """``base_lr * factor`` before ``total_iters``, ``base_lr`` from then on.

  Example:
    >>> from optax_sched.compat.torch import ConstantLR
    >>> s = ConstantLR(0.1, factor=0.5, total_iters=3)
    >>> [round(float(s(k)), 6) for k in range(5)]
    [0.05, 0.05, 0.05, 0.1, 0.1]
  """

  base_lr: Real
  factor: Real = 1.0 / 3
  total_iters: Real = 5
  last_epoch: int = static(default=-1)

  renames = {"base_value": "base_lr", "total_steps": "total_iters"}

  def _check_args(self):
    # torch divides by factor at total_iters (ZeroDivisionError at 0), and
    # with total_iters=0 never undoes the factor, against its own docs.
    v.in_range(self, "factor", 0.0, 1.0, lo_open=True)
    _whole(self, "total_iters", 1)

  def native(self):
    return constant_factor_schedule(self.base_lr, self.factor, self.total_iters)


@register(name="torch.LinearLR")
class LinearLR(_Torch):
  r"""``base_lr`` times a factor going linearly from ``start_factor`` to
  ``end_factor`` in ``total_iters`` steps: :class:`linear_factor_schedule`.

  With :math:`n` = ``total_iters``, :math:`a` = ``start_factor`` and :math:`b` =
  ``end_factor``:

  .. math::
    v(t) = \text{base\_lr}\,\bigl(a + (b - a)\,\min(t, n) / n\bigr)

  Example:
    >>> from optax_sched.compat.torch import LinearLR
    >>> s = LinearLR(0.1, start_factor=0.25, end_factor=1.0, total_iters=3)
    >>> [round(float(s(k)), 6) for k in range(5)]
    [0.025, 0.05, 0.075, 0.1, 0.1]
  """

  base_lr: Real
  start_factor: Real = 1.0 / 3
  end_factor: Real = 1.0
  total_iters: Real = 5
  last_epoch: int = static(default=-1)

  renames = {"base_value": "base_lr", "total_steps": "total_iters"}

  def _check_args(self):
    v.in_range(self, "start_factor", 0.0, 1.0, lo_open=True)
    v.in_range(self, "end_factor", 0.0, 1.0)
    # With total_iters=0 torch holds start_factor for ever.
    _whole(self, "total_iters", 1)

  def native(self):
    return linear_factor_schedule(
      self.base_lr, self.start_factor, self.end_factor, self.total_iters
    )


@register(name="torch.ExponentialLR")
class ExponentialLR(_Torch):
  """``base_lr * gamma ** t``: :class:`exponential_decay` with one-step
  transitions.

  Example:
    >>> from optax_sched.compat.torch import ExponentialLR
    >>> s = ExponentialLR(0.1, gamma=0.5)
    >>> [round(float(s(k)), 6) for k in range(4)]
    [0.1, 0.05, 0.025, 0.0125]
  """

  base_lr: Real
  gamma: Real
  last_epoch: int = static(default=-1)

  renames = {"init_value": "base_lr", "decay_rate": "gamma"}

  def native(self):
    return exponential_decay(self.base_lr, 1, self.gamma)


@register(name="torch.PolynomialLR")
class PolynomialLR(_Torch):
  """``base_lr * (1 - min(t, total_iters) / total_iters) ** power``:
  :class:`polynomial_schedule` to 0.

  Example:
    >>> from optax_sched.compat.torch import PolynomialLR
    >>> s = PolynomialLR(0.1, total_iters=4, power=2.0)
    >>> [round(float(s(k)), 6) for k in range(6)]
    [0.1, 0.05625, 0.025, 0.00625, 0.0, 0.0]
  """

  base_lr: Real
  total_iters: Real = 5
  power: Real = 1.0
  last_epoch: int = static(default=-1)

  renames = {"init_value": "base_lr", "transition_steps": "total_iters"}

  def _check_args(self):
    # torch stays at base_lr for total_iters=0 and divides by zero for a
    # negative power at total_iters.
    _whole(self, "total_iters", 1)
    v.nonnegative(self, "power")

  def native(self):
    return polynomial_schedule(self.base_lr, 0.0, self.power, self.total_iters)


@register(name="torch.CosineAnnealingLR")
class CosineAnnealingLR(_Torch):
  """``eta_min + (base_lr - eta_min) * (1 + cos(pi * t / T_max)) / 2``.

  Not clamped: stepped past ``T_max`` the LR climbs back up to ``base_lr``
  at ``2 * T_max``, as torch's does (:class:`cosine_annealing_schedule`).

  Example (climbing back past ``T_max``):
    >>> from optax_sched.compat.torch import CosineAnnealingLR
    >>> s = CosineAnnealingLR(0.1, T_max=4)
    >>> [round(float(s(k)), 6) for k in (0, 1, 2, 4, 6, 8)]
    [0.1, 0.085355, 0.05, 0.0, 0.05, 0.1]
  """

  base_lr: Real
  T_max: Real
  eta_min: Real = 0.0
  last_epoch: int = static(default=-1)

  renames = {"init_value": "base_lr", "decay_steps": "T_max", "end_value": "eta_min"}

  def native(self):
    return cosine_annealing_schedule(self.base_lr, self.T_max, self.eta_min)


@register(name="torch.CosineAnnealingWarmRestarts")
class CosineAnnealingWarmRestarts(_Torch):
  r"""Cosine from ``base_lr`` to ``eta_min`` over ``T_0`` steps, restarting,
  each cycle ``T_mult`` times longer: :class:`cosine_restarts_schedule`.

  With :math:`T_i` the length of the current cycle (``T_0 * T_mult**i``) and :math:`t_i`
  the steps since it started:

  .. math::
    v(t) = \eta_{min} + (\text{base\_lr} - \eta_{min})\,(1 + \cos(\pi\,t_i / T_i)) / 2

  Example:
    >>> from optax_sched.compat.torch import CosineAnnealingWarmRestarts
    >>> s = CosineAnnealingWarmRestarts(0.1, T_0=2, T_mult=2)
    >>> [round(float(s(k)), 6) for k in range(8)]
    [0.1, 0.05, 0.1, 0.085355, 0.05, 0.014645, 0.1, 0.096194]
  """

  base_lr: Real
  T_0: Real
  T_mult: Real = 1
  eta_min: Real = 0.0
  last_epoch: int = static(default=-1)

  renames = {
    "init_value": "base_lr",
    "first_period": "T_0",
    "period_mult": "T_mult",
    "end_value": "eta_min",
  }

  def _check_args(self):
    _whole(self, "T_0", 1)
    _whole(self, "T_mult", 1)

  def native(self):
    return cosine_restarts_schedule(self.base_lr, self.T_0, self.T_mult, end_value=self.eta_min)


@register(name="torch.CyclicLR")
class CyclicLR(_Torch):
  r"""Triangle waves between ``base_lr`` and ``max_lr``:
  :class:`cyclic_schedule`.

  ``scale_fn`` must be jnp-traceable (it receives the cycle number, from 1,
  or the step, as an array). The momentum arguments are not taken.

  In ``"triangular"`` mode, with :math:`u` = ``step_size_up``, :math:`d` =
  ``step_size_down`` (default :math:`u`) and :math:`x` the position in the current
  cycle of :math:`u + d` steps:

  .. math::
    v(t) = \text{base\_lr} + (\text{max\_lr} - \text{base\_lr})\,
      \begin{cases} x / u & x < u \\ 1 - (x - u) / d & x \ge u \end{cases}

  times ``1 / 2**(cycle - 1)`` in ``"triangular2"`` and ``gamma**t`` in
  ``"exp_range"`` (or ``scale_fn``).

  Example:
    >>> from optax_sched.compat.torch import CyclicLR
    >>> s = CyclicLR(0.01, 0.1, step_size_up=2)
    >>> [round(float(s(k)), 6) for k in range(6)]
    [0.01, 0.055, 0.1, 0.055, 0.01, 0.055]
  """

  base_lr: Real
  max_lr: Real
  step_size_up: Real = 2000
  step_size_down: Real | None = None
  mode: str = static(default="triangular")
  gamma: Real = 1.0
  scale_fn: Callable[[Any], Any] | None = static(default=None)
  scale_mode: str = static(default="cycle")
  last_epoch: int = static(default=-1)

  renames = {"init_value": "base_lr", "peak_value": "max_lr"}

  def native(self):
    return cyclic_schedule(
      self.base_lr,
      self.max_lr,
      self.step_size_up,
      self.step_size_down,
      self.mode,
      self.gamma,
      self.scale_fn,
      self.scale_mode,
    )


@register(name="torch.OneCycleLR")
class OneCycleLR(_Torch):
  """torch's one-cycle policy: :class:`onecycle_schedule`.

  The length is ``total_steps``, or ``epochs * steps_per_epoch`` when
  ``total_steps`` is None. The rising phase ends at step
  ``pct_start * total_steps - 1`` and the last at ``total_steps - 1``, where
  the LR is then held. The momentum arguments are not taken.

  Example:
    >>> from optax_sched.compat.torch import OneCycleLR
    >>> s = OneCycleLR(max_lr=0.1, total_steps=10, pct_start=0.3)
    >>> [round(float(s(k)), 6) for k in range(10)]
    [0.004, 0.052, 0.1, 0.095048, 0.081175, 0.061126, 0.038874, 0.018826, 0.004952, 0.0]
  """

  max_lr: Real
  total_steps: Real | None = None
  epochs: Real | None = None
  steps_per_epoch: Real | None = None
  pct_start: Real = 0.3
  anneal_strategy: str = static(default="cos")
  div_factor: Real = 25.0
  final_div_factor: Real = 1e4
  three_phase: bool = static(default=False)
  last_epoch: int = static(default=-1)

  renames = {"peak_value": "max_lr"}

  def _check_args(self):
    if self.total_steps is not None:
      _whole(self, "total_steps", 1)
    elif self.epochs is not None and self.steps_per_epoch is not None:
      _whole(self, "epochs", 1)
      _whole(self, "steps_per_epoch", 1)
    else:
      v.fail(self, "total_steps", None, "give total_steps, or both epochs and steps_per_epoch")

  def native(self):
    n = self.total_steps
    if n is None:
      n = self.epochs * self.steps_per_epoch
    return onecycle_schedule(
      n,
      self.max_lr,
      self.pct_start,
      self.anneal_strategy,
      self.div_factor,
      self.final_div_factor,
      self.three_phase,
    )


@register(name="torch.LambdaLR")
class LambdaLR(_Torch):
  """``base_lr * lr_lambda(t)``.

  ``lr_lambda`` must be jnp-traceable: it receives the step as an array, so
  write ``jnp.where(t < w, t / w, ...)`` where torch code has
  ``if t < w: ...``. It is static (part of the structure), so it cannot be
  swept with vmap or saved with ``to_config``.

  Example (the lesson's linear warmup then cosine):
    >>> import jax.numpy as jnp
    >>> def lr_lambda(t, w=1000, n=50_000):
    ...   progress = (t - w) / max(1, n - w)
    ...   return jnp.where(t < w, t / w, 0.5 * (1 + jnp.cos(jnp.pi * progress)))
    >>> s = LambdaLR(1e-4, lr_lambda)
    >>> [round(float(s(k)), 7) for k in (0, 500, 1000, 50_000)]
    [0.0, 5e-05, 0.0001, 0.0]
  """

  base_lr: Real
  lr_lambda: Callable[[Any], Any] = static()
  last_epoch: int = static(default=-1)

  def _check_args(self):
    if isinstance(self.lr_lambda, (list, tuple)) or not callable(self.lr_lambda):
      v.fail(
        self,
        "lr_lambda",
        self.lr_lambda,
        "it must be one jnp-traceable function of the step (one"
        " schedule per parameter group: build one LambdaLR for each)",
      )

  def native(self):
    v.real(self, "base_lr")
    base_lr, fn = self.base_lr, self.lr_lambda
    return function_schedule(lambda t: base_lr * fl(fn(t)))


def _constant_factor(owner, fn):
  """The factor ``fn`` returns whatever the step, or a clear ValueError."""
  if isinstance(fn, (int, float)) and not isinstance(fn, bool):
    return fn
  if not callable(fn):
    v.fail(owner, "lr_lambda", fn, "it must be a number or a function")
  seen = []

  def probe(t):
    seen.append(fn(t))
    return t

  try:
    jax.eval_shape(probe, jax.ShapeDtypeStruct((), jnp.int32))
  except jax.errors.JAXTypeError:
    seen = [None]
  out = seen[0] if seen else None
  if out is None or isinstance(out, jax.core.Tracer):
    v.fail(
      owner,
      "lr_lambda",
      fn,
      "MultiplicativeLR multiplies the LR by lr_lambda(k) at every step"
      " k, a running product with no closed form unless the factor is a"
      " constant: give a number (or a function returning one), or use"
      " LambdaLR with the product written out, e.g. lambda t: 0.95 ** t",
    )
  return out


@register(name="torch.MultiplicativeLR")
class MultiplicativeLR(_Torch):
  """The LR multiplied by a constant factor at every step:
  ``base_lr * factor ** t``.

  ``lr_lambda`` is a number, or a function of the epoch that returns a
  constant (``lambda epoch: 0.95``, torch's usual use). A factor that
  changes with the epoch makes a running product with no closed form and is
  rejected with a ValueError; write that product as a ``LambdaLR``.

  Example:
    >>> from optax_sched.compat.torch import MultiplicativeLR
    >>> s = MultiplicativeLR(0.1, lambda epoch: 0.5)
    >>> [round(float(s(k)), 6) for k in range(4)]
    [0.1, 0.05, 0.025, 0.0125]
  """

  base_lr: Real
  lr_lambda: Callable[[Any], Any] = static()
  last_epoch: int = static(default=-1)

  renames = {"init_value": "base_lr", "decay_rate": "lr_lambda"}

  def native(self):
    return exponential_decay(self.base_lr, 1, _constant_factor(self, self.lr_lambda))


# Schedulers that set the LR outright rather than scaling the current one:
# in a torch chain they discard what the schedulers before them did.
_OVERWRITING = (
  "torch.LambdaLR",
  "torch.CyclicLR",
  "torch.OneCycleLR",
  "torch.CosineAnnealingWarmRestarts",
)
_MULTIPLICATIVE = (
  "torch.StepLR",
  "torch.MultiStepLR",
  "torch.ConstantLR",
  "torch.LinearLR",
  "torch.ExponentialLR",
  "torch.PolynomialLR",
  "torch.MultiplicativeLR",
)


def _schedules(owner, name):
  value = getattr(owner, name)
  if not isinstance(value, (list, tuple)) or not value:
    v.fail(owner, name, value, "it must be a non-empty list of schedulers")
  for i, s in enumerate(value):
    if not isinstance(s, Schedule):
      v.fail(owner, f"{name}[{i}]", s, "it must be a schedule")
  object.__setattr__(owner, name, tuple(value))


@register(name="torch.SequentialLR")
class SequentialLR(_Torch):
  """Runs ``schedulers`` one after another, switching at ``milestones``.

  Like torch, each scheduler *restarts* at its milestone: scheduler ``i``
  sees the step counted from ``milestones[i-1]`` (so a ``LinearLR`` warmup
  for 5 steps followed by a ``CosineAnnealingLR`` is at ``base_lr`` on step
  5). This is :class:`join_schedules`.

  Rejected where torch does not restart a scheduler cleanly: a
  ``MultiplicativeLR``, ``SequentialLR`` or ``ChainedScheduler`` after the
  first place (torch continues from the previous LR or crashes), and
  ``OneCycleLR`` anywhere (it rewrites the optimizer's ``initial_lr``, which
  shifts the other schedulers depending on construction order).

  Example:
    >>> s = SequentialLR([LinearLR(0.1, 0.1, 1.0, 5),
    ...                   CosineAnnealingLR(0.1, T_max=10)], milestones=[5])
    >>> [round(float(s(k)), 4) for k in (0, 4, 5, 10)]
    [0.01, 0.082, 0.1, 0.05]
  """

  schedulers: Sequence[Schedule]
  milestones: Sequence[Real]
  last_epoch: int = static(default=-1)

  def __post_init__(self):
    _schedules(self, "schedulers")
    if not isinstance(self.milestones, (list, tuple)):
      v.fail(self, "milestones", self.milestones, "it must be a list of steps")
    object.__setattr__(self, "milestones", tuple(self.milestones))
    super().__post_init__()

  def _check_args(self):
    n = len(self.schedulers)
    if len(self.milestones) != n - 1:
      v.fail(
        self,
        "milestones",
        list(self.milestones),
        f"it must hold len(schedulers) - 1 = {n - 1} steps, one between"
        f" each pair of schedulers (got {len(self.milestones)})",
      )
    for i, m in enumerate(self.milestones):
      _whole(self, f"milestones[{i}]", 1, m)
    v.increasing(self, "milestones", self.milestones, strict=True)
    for i, s in enumerate(self.schedulers):
      bad = s.name == "torch.OneCycleLR" or (
        i > 0
        and s.name in ("torch.MultiplicativeLR", "torch.SequentialLR", "torch.ChainedScheduler")
      )
      if bad:
        v.fail(
          self,
          f"schedulers[{i}]",
          s,
          "torch does not restart this scheduler at a milestone (see SequentialLR's docstring)",
        )

  def native(self):
    return join_schedules(list(self.schedulers), list(self.milestones))


@register(name="torch.ChainedScheduler")
class ChainedScheduler(_Torch):
  """Applies every scheduler's factor at once: ``base_lr`` times the product
  of each scheduler's ``s_i(t) / base_lr``.

  torch steps each scheduler on the LR the previous one left, so the result
  is this product for schedulers that scale the current LR: ``StepLR``,
  ``MultiStepLR``, ``ConstantLR``, ``LinearLR``, ``ExponentialLR``,
  ``PolynomialLR`` and ``MultiplicativeLR``. The others are rejected:
  ``LambdaLR``, ``CyclicLR``, ``OneCycleLR`` and
  ``CosineAnnealingWarmRestarts`` set the LR outright (discarding the
  schedulers before them), and ``CosineAnnealingLR``'s update is not a
  factor (it pulls towards ``eta_min`` and, past ``T_max``, adds an
  unscaled step). All schedulers drive one optimizer: their ``base_lr`` must
  be equal.

  Example (torch's docstring example):
    >>> s = ChainedScheduler([ConstantLR(1.0, factor=0.1, total_iters=2),
    ...                       ExponentialLR(1.0, gamma=0.9)])
    >>> [round(float(s(k)), 4) for k in (0, 1, 2, 3)]
    [0.1, 0.09, 0.81, 0.729]
  """

  schedulers: Sequence[Schedule]
  last_epoch: ClassVar[int] = -1  # torch's ChainedScheduler has none

  def __post_init__(self):
    _schedules(self, "schedulers")
    super().__post_init__()

  def _check_args(self):
    for i, s in enumerate(self.schedulers):
      if s.name not in _MULTIPLICATIVE:
        reason = (
          "it sets the LR outright, discarding the schedulers before it"
          if s.name in _OVERWRITING
          else "its update is not a factor of the current LR"
        )
        v.fail(
          self,
          f"schedulers[{i}]",
          s,
          f"a chain multiplies factors; {reason} (allowed: "
          + ", ".join(n.split(".")[1] for n in _MULTIPLICATIVE)
          + ")",
        )
    first = v.concrete(self.schedulers[0].base_lr)
    for i, s in enumerate(self.schedulers[1:], 1):
      other = v.concrete(s.base_lr)
      if first is not None and other is not None and first != other:
        v.fail(
          self,
          f"schedulers[{i}].base_lr",
          s.base_lr,
          f"it must equal schedulers[0].base_lr={first.item()!r}: a chain drives one optimizer",
        )

  def native(self):
    # The product below is the whole mapping: no family to delegate to.
    return self

  def _value(self, t):
    value = fl(self.schedulers[0].base_lr)
    for s in self.schedulers:
      value = value * s.replace(base_lr=1.0)._value(t)
    return value

  def declared_jumps(self, total_steps):
    """Every scheduler's jumps."""
    return tuple(sorted({float(j) for s in self.schedulers for j in s.declared_jumps(total_steps)}))


__all__ = [
  "StepLR",
  "MultiStepLR",
  "ConstantLR",
  "LinearLR",
  "ExponentialLR",
  "PolynomialLR",
  "CosineAnnealingLR",
  "CosineAnnealingWarmRestarts",
  "CyclicLR",
  "OneCycleLR",
  "SequentialLR",
  "ChainedScheduler",
  "LambdaLR",
  "MultiplicativeLR",
  "ReduceLROnPlateau",
]
