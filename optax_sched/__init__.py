"""optax_sched: learning-rate schedules for JAX/Optax that you can see, sweep and port.

Every schedule is an ``optax.Schedule`` and a JAX pytree of its
hyperparameters. The top level is a drop-in superset of optax's schedule
functions: same names, arguments, defaults and numbers.
"""

from optax_sched import scaling
from optax_sched._base import Schedule, constant_schedule, function_schedule, registry, validate
from optax_sched._validate import traced_checks
from optax_sched.combinators import (
  add,
  clip,
  divide,
  fraction,
  join_schedules,
  maximum,
  minimum,
  multiply,
  per_epoch,
  rehorizon,
  repeat,
  scale,
  shift,
  stretch,
  warmup,
)
from optax_sched.config import (
  from_config,
  from_json,
  from_spec,
  from_yaml,
  load,
  to_config,
  to_json,
  to_spec,
  to_yaml,
)
from optax_sched.families.annealing import cosine_annealing_schedule
from optax_sched.families.cosine import (
  cosine_decay_schedule,
  sgdr_schedule,
  warmup_cosine_decay_schedule,
)
from optax_sched.families.cosine_cycles import cosine_cycles_schedule
from optax_sched.families.cyclic import cyclic_schedule
from optax_sched.families.exponential import exponential_decay, warmup_exponential_decay_schedule
from optax_sched.families.inverse_time import inverse_time_decay_schedule
from optax_sched.families.onecycle import onecycle_schedule
from optax_sched.families.piecewise import (
  cosine_onecycle_schedule,
  linear_onecycle_schedule,
  piecewise_constant_schedule,
  piecewise_interpolate_schedule,
)
from optax_sched.families.polynomial import (
  linear_schedule,
  polynomial_decay_schedule,
  polynomial_schedule,
  warmup_constant_schedule,
  warmup_polynomial_decay_schedule,
)
from optax_sched.families.ramps import constant_factor_schedule, linear_factor_schedule
from optax_sched.families.restarts import cosine_restarts_schedule, polynomial_restarts_schedule
from optax_sched.families.rsqrt import rsqrt_schedule
from optax_sched.families.step import (
  multistep_decay_schedule,
  piecewise_values_schedule,
  step_decay_schedule,
)
from optax_sched.families.tanh import tanh_schedule
from optax_sched.families.tri_stage import tri_stage_schedule
from optax_sched.families.wsd import wsd_schedule
from optax_sched.groups import group_optimizer, label_params
from optax_sched.inspect import Finding, describe, lint
from optax_sched.laws import LossLaw, fit_loss_law
from optax_sched.lr_find import LRFinder, lr_find
from optax_sched.optimize import optimize_schedule
from optax_sched.plotting import plot
from optax_sched.training import current_lr, step_count

__version__ = "0.1.0"

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
  "stretch",
  "repeat",
  "per_epoch",
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
  "scaling",
  "lr_find",
  "LRFinder",
  "optimize_schedule",
  *OPTAX_NAMES,
  *COMBINATOR_NAMES,
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
