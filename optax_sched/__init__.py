"""optax_sched: learning-rate schedules for JAX/Optax that you can see, sweep and port.

Every schedule is an ``optax.Schedule`` and a JAX pytree of its
hyperparameters. The top level is a drop-in superset of optax's schedule
functions: same names, arguments, defaults and numbers.
"""

# The root imports nothing heavy: each public name is imported on first use
# (PEP 562), so ``import optax_sched`` and ``optax-sched --help`` start at
# once. To add a public name: add it to _LAZY (name -> defining module), to
# the TYPE_CHECKING block (what type checkers and editors read) and to
# __all__; tests/test_lazy_imports.py checks that the three agree.

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from optax_sched._version import __version__ as __version__

if TYPE_CHECKING:
  from optax_sched import combinators as combinators, compat as compat, scaling as scaling
  from optax_sched._base import (
    Schedule as Schedule,
    constant_schedule as constant_schedule,
    function_schedule as function_schedule,
    validate as validate,
  )
  from optax_sched._validate import (
    traced_checks as traced_checks,
  )
  from optax_sched.combinators import (
    add as add,
    clip as clip,
    cycles as cycles,
    divide as divide,
    fraction as fraction,
    hold as hold,
    join_schedules as join_schedules,
    maximum as maximum,
    minimum as minimum,
    multiply as multiply,
    per_epoch as per_epoch,
    per_sample as per_sample,
    rehorizon as rehorizon,
    repeat as repeat,
    scale as scale,
    shift as shift,
    stretch as stretch,
    warmup as warmup,
  )
  from optax_sched.config import (
    from_config as from_config,
    from_json as from_json,
    from_spec as from_spec,
    from_yaml as from_yaml,
    load as load,
    registry as registry,
    to_config as to_config,
    to_json as to_json,
    to_spec as to_spec,
    to_yaml as to_yaml,
  )
  from optax_sched.families.annealing import (
    cosine_annealing_schedule as cosine_annealing_schedule,
  )
  from optax_sched.families.cosine import (
    cosine_decay_schedule as cosine_decay_schedule,
    sgdr_schedule as sgdr_schedule,
    warmup_cosine_decay_schedule as warmup_cosine_decay_schedule,
  )
  from optax_sched.families.cosine_cycles import (
    cosine_cycles_schedule as cosine_cycles_schedule,
  )
  from optax_sched.families.cyclic import (
    cyclic_schedule as cyclic_schedule,
  )
  from optax_sched.families.exponential import (
    exponential_decay as exponential_decay,
    warmup_exponential_decay_schedule as warmup_exponential_decay_schedule,
  )
  from optax_sched.families.inverse_time import (
    inverse_time_decay_schedule as inverse_time_decay_schedule,
  )
  from optax_sched.families.onecycle import (
    onecycle_schedule as onecycle_schedule,
  )
  from optax_sched.families.piecewise import (
    cosine_onecycle_schedule as cosine_onecycle_schedule,
    linear_onecycle_schedule as linear_onecycle_schedule,
    piecewise_constant_schedule as piecewise_constant_schedule,
    piecewise_interpolate_schedule as piecewise_interpolate_schedule,
  )
  from optax_sched.families.polynomial import (
    linear_schedule as linear_schedule,
    polynomial_decay_schedule as polynomial_decay_schedule,
    polynomial_schedule as polynomial_schedule,
    warmup_constant_schedule as warmup_constant_schedule,
    warmup_polynomial_decay_schedule as warmup_polynomial_decay_schedule,
  )
  from optax_sched.families.ramps import (
    constant_factor_schedule as constant_factor_schedule,
    linear_factor_schedule as linear_factor_schedule,
  )
  from optax_sched.families.restarts import (
    cosine_restarts_schedule as cosine_restarts_schedule,
    polynomial_restarts_schedule as polynomial_restarts_schedule,
  )
  from optax_sched.families.rsqrt import (
    rsqrt_schedule as rsqrt_schedule,
  )
  from optax_sched.families.step import (
    multistep_decay_schedule as multistep_decay_schedule,
    piecewise_values_schedule as piecewise_values_schedule,
    step_decay_schedule as step_decay_schedule,
  )
  from optax_sched.families.tanh import (
    tanh_schedule as tanh_schedule,
  )
  from optax_sched.families.tri_stage import (
    tri_stage_schedule as tri_stage_schedule,
  )
  from optax_sched.families.wsd import (
    wsd_schedule as wsd_schedule,
  )
  from optax_sched.groups import (
    group_optimizer as group_optimizer,
    label_params as label_params,
  )
  from optax_sched.inspect import (
    Finding as Finding,
    describe as describe,
    lint as lint,
  )
  from optax_sched.laws import (
    LossLaw as LossLaw,
    fit_loss_law as fit_loss_law,
  )
  from optax_sched.optimize import (
    optimize_schedule as optimize_schedule,
  )
  from optax_sched.plotting import (
    plot as plot,
  )
  from optax_sched.range_test import (
    LRFinder as LRFinder,
    lr_find as lr_find,
  )
  from optax_sched.training import (
    current_lr as current_lr,
    step_count as step_count,
  )

#: Public name -> the module that defines it (imported on first use).
_LAZY: dict[str, str] = {
  "Schedule": "optax_sched._base",
  "function_schedule": "optax_sched._base",
  "registry": "optax_sched.config",
  "to_config": "optax_sched.config",
  "from_config": "optax_sched.config",
  "to_json": "optax_sched.config",
  "from_json": "optax_sched.config",
  "to_yaml": "optax_sched.config",
  "from_yaml": "optax_sched.config",
  "to_spec": "optax_sched.config",
  "from_spec": "optax_sched.config",
  "load": "optax_sched.config",
  "describe": "optax_sched.inspect",
  "lint": "optax_sched.inspect",
  "Finding": "optax_sched.inspect",
  "plot": "optax_sched.plotting",
  "traced_checks": "optax_sched._validate",
  "validate": "optax_sched._base",
  "current_lr": "optax_sched.training",
  "step_count": "optax_sched.training",
  "group_optimizer": "optax_sched.groups",
  "label_params": "optax_sched.groups",
  "fit_loss_law": "optax_sched.laws",
  "LossLaw": "optax_sched.laws",
  "lr_find": "optax_sched.range_test",
  "LRFinder": "optax_sched.range_test",
  "optimize_schedule": "optax_sched.optimize",
  "constant_schedule": "optax_sched._base",
  "linear_schedule": "optax_sched.families.polynomial",
  "polynomial_schedule": "optax_sched.families.polynomial",
  "cosine_decay_schedule": "optax_sched.families.cosine",
  "warmup_cosine_decay_schedule": "optax_sched.families.cosine",
  "warmup_constant_schedule": "optax_sched.families.polynomial",
  "warmup_exponential_decay_schedule": "optax_sched.families.exponential",
  "exponential_decay": "optax_sched.families.exponential",
  "piecewise_constant_schedule": "optax_sched.families.piecewise",
  "piecewise_interpolate_schedule": "optax_sched.families.piecewise",
  "linear_onecycle_schedule": "optax_sched.families.piecewise",
  "cosine_onecycle_schedule": "optax_sched.families.piecewise",
  "sgdr_schedule": "optax_sched.families.cosine",
  "join_schedules": "optax_sched.combinators",
  "warmup": "optax_sched.combinators",
  "multiply": "optax_sched.combinators",
  "divide": "optax_sched.combinators",
  "add": "optax_sched.combinators",
  "scale": "optax_sched.combinators",
  "minimum": "optax_sched.combinators",
  "maximum": "optax_sched.combinators",
  "clip": "optax_sched.combinators",
  "shift": "optax_sched.combinators",
  "stretch": "optax_sched.combinators",
  "repeat": "optax_sched.combinators",
  "per_epoch": "optax_sched.combinators",
  "per_sample": "optax_sched.combinators",
  "cycles": "optax_sched.combinators",
  "hold": "optax_sched.combinators",
  "rehorizon": "optax_sched.combinators",
  "fraction": "optax_sched.combinators",
  "cosine_restarts_schedule": "optax_sched.families.restarts",
  "polynomial_restarts_schedule": "optax_sched.families.restarts",
  "cosine_cycles_schedule": "optax_sched.families.cosine_cycles",
  "rsqrt_schedule": "optax_sched.families.rsqrt",
  "tanh_schedule": "optax_sched.families.tanh",
  "tri_stage_schedule": "optax_sched.families.tri_stage",
  "wsd_schedule": "optax_sched.families.wsd",
  "warmup_polynomial_decay_schedule": "optax_sched.families.polynomial",
  "cosine_annealing_schedule": "optax_sched.families.annealing",
  "cyclic_schedule": "optax_sched.families.cyclic",
  "inverse_time_decay_schedule": "optax_sched.families.inverse_time",
  "onecycle_schedule": "optax_sched.families.onecycle",
  "polynomial_decay_schedule": "optax_sched.families.polynomial",
  "constant_factor_schedule": "optax_sched.families.ramps",
  "linear_factor_schedule": "optax_sched.families.ramps",
  "multistep_decay_schedule": "optax_sched.families.step",
  "piecewise_values_schedule": "optax_sched.families.step",
  "step_decay_schedule": "optax_sched.families.step",
}

#: Subpackages and modules reachable as attributes (``sched.compat.torch``).
_SUBMODULES = frozenset(
  {
    "combinators",
    "compat",
    "config",
    "exercise",
    "families",
    "groups",
    "inspect",
    "laws",
    "lengths",
    "optimize",
    "range_test",
    "scaling",
    "plateau",
    "plotting",
    "sweep",
    "training",
  }
)

#: The names that match optax's schedule functions one for one.
OPTAX_NAMES = (
  "constant_schedule",
  "linear_schedule",
  "polynomial_schedule",
  "cosine_decay_schedule",
  "warmup_cosine_decay_schedule",
  "warmup_constant_schedule",
  "warmup_exponential_decay_schedule",
  "exponential_decay",
  "piecewise_constant_schedule",
  "piecewise_interpolate_schedule",
  "linear_onecycle_schedule",
  "cosine_onecycle_schedule",
  "sgdr_schedule",
  "join_schedules",
)

#: Schedules built from schedules (``optax_sched.combinators``).
COMBINATOR_NAMES = (
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
)

__all__ = [
  "Schedule",
  "function_schedule",
  "registry",
  "to_config",
  "from_config",
  "to_json",
  "from_json",
  "to_yaml",
  "from_yaml",
  "to_spec",
  "from_spec",
  "load",
  "describe",
  "lint",
  "Finding",
  "plot",
  "traced_checks",
  "validate",
  "current_lr",
  "step_count",
  "group_optimizer",
  "label_params",
  "fit_loss_law",
  "LossLaw",
  "lr_find",
  "LRFinder",
  "optimize_schedule",
  "constant_schedule",
  "linear_schedule",
  "polynomial_schedule",
  "cosine_decay_schedule",
  "warmup_cosine_decay_schedule",
  "warmup_constant_schedule",
  "warmup_exponential_decay_schedule",
  "exponential_decay",
  "piecewise_constant_schedule",
  "piecewise_interpolate_schedule",
  "linear_onecycle_schedule",
  "cosine_onecycle_schedule",
  "sgdr_schedule",
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
  "cosine_restarts_schedule",
  "polynomial_restarts_schedule",
  "cosine_cycles_schedule",
  "rsqrt_schedule",
  "tanh_schedule",
  "tri_stage_schedule",
  "wsd_schedule",
  "warmup_polynomial_decay_schedule",
  "cosine_annealing_schedule",
  "cyclic_schedule",
  "inverse_time_decay_schedule",
  "onecycle_schedule",
  "polynomial_decay_schedule",
  "constant_factor_schedule",
  "linear_factor_schedule",
  "multistep_decay_schedule",
  "piecewise_values_schedule",
  "step_decay_schedule",
]


def __getattr__(name: str) -> Any:
  module = _LAZY.get(name)
  if module is not None:
    value = getattr(importlib.import_module(module), name)
  elif name in _SUBMODULES:
    value = importlib.import_module(f"{__name__}.{name}")
  else:
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
  globals()[name] = value  # later lookups skip __getattr__
  return value


def __dir__() -> list[str]:
  return sorted({*__all__, *_SUBMODULES, "COMBINATOR_NAMES", "OPTAX_NAMES", "__version__"})
