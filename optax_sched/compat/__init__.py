"""The schedules of other libraries under their own names, number for number.

Each submodule maps a library's schedules, with that library's class and
argument names, onto optax_sched's native families; ``s(t)`` is the LR of
update ``t``, equal to what the library gives at that point. Differences
that are on purpose are listed in each module's docstring and in the
porting pages of the docs (docs/from_*.md).

  >>> from optax_sched.compat import torch as tl
  >>> s = tl.CosineAnnealingLR(1e-3, T_max=100, eta_min=1e-6)
"""

from optax_sched.compat import keras, timm, torch, transformers

__all__ = ["keras", "timm", "torch", "transformers"]
