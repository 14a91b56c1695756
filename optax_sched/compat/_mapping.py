"""The base of compat schedules: a peer's names mapped onto a native family."""

from __future__ import annotations

import re
from typing import ClassVar

from optax_sched._base import Composite

_MESSAGE = re.compile(r"^(?P<owner>[\w.]+): (?P<arg>\w+)(?P<rest>[\[=].*)$", re.S)


class Mapping(Composite):
  """A peer's schedule under its own argument names, computed by ``native()``.

  Subclasses check what only their peer has in ``_check_args`` and build the
  native family in ``native``; the family's own checks run on construction
  too, and their messages are rewritten to the peer's schedule and argument
  names (``renames`` maps native argument names to the peer's), so a bad
  ``T_max`` is reported as ``torch.CosineAnnealingLR: T_max=...``, not as
  the family's ``decay_steps``.
  """

  renames: ClassVar[dict[str, str]] = {}

  def _check_args(self) -> None:
    """Checks of the peer's own arguments (before the family's)."""

  def _check(self):
    self._check_args()
    try:
      self.native()
    except ValueError as e:
      raise ValueError(self._translate(str(e))) from None

  def _translate(self, message: str) -> str:
    m = _MESSAGE.match(message)
    if not m:
      return f"{self.name}: {message}"
    arg = self.renames.get(m["arg"], m["arg"])
    return f"{self.name}: {arg}{m['rest']}"
