"""The exercise's built-in problems, one module each, behind one interface.

``load_problem(name, seed, epochs, batch_size, seeds, **options)`` returns a
:class:`~optax_sched.problems.base.Problem`: training and validation data,
the batch order of every epoch, initial parameters and the model
(``model.init(key)``, ``model.apply(params, x)``). :func:`loss` and
:func:`evaluate` (cross-entropy in nats, accuracy) work on any of them, so
``compare``, an LR range test or a loss-law fit need nothing problem-specific.

- ``digits``: scikit-learn's 8x8 digits, a one-hidden-layer MLP (needs
  scikit-learn);
- ``charlm``: a small decoder-only transformer, character-level language
  model on the Python docs installed with Python (``norm="pre"`` or
  ``"post"``); ``charlm_tiny`` the same at a size for tests.
"""

from __future__ import annotations

import importlib
from typing import Any

from optax_sched.problems.base import SEED_AXES, Model, Problem, evaluate, loss

#: name -> (module, fixed options, one-line description).
PROBLEMS: dict[str, tuple[str, dict, str]] = {
  "digits": ("digits", {}, "8x8 digits (scikit-learn), one-hidden-layer MLP"),
  "charlm": ("charlm", {"size": "small"}, "character LM on Python's docs, 2-layer transformer"),
  "charlm_tiny": (
    "charlm",
    {"size": "tiny"},
    "the character LM at a test size (1 layer, width 16)",
  ),
}

__all__ = [
  "PROBLEMS",
  "SEED_AXES",
  "Model",
  "Problem",
  "default_lr",
  "evaluate",
  "load_problem",
  "loss",
]


def _module(name: str):
  if name not in PROBLEMS:
    raise ValueError(f"load_problem: name={name!r} is not allowed: choose from {sorted(PROBLEMS)}")
  return importlib.import_module(f"optax_sched.problems.{PROBLEMS[name][0]}")


def load_problem(
  name: str = "digits",
  seed: int = 0,
  epochs: int = 5,
  batch_size: int = 32,
  seeds: int | None = None,
  **options: Any,
) -> Problem:
  """The problem ``name`` with ``seeds`` stacked seeds (``None``: no seeds axis).

  ``options`` go to the problem's loader (``charlm``: ``norm="pre"|"post"``).
  """
  module = _module(name)
  return module.load(seed, epochs, batch_size, seeds, **{**PROBLEMS[name][1], **options})


def default_lr(name: str) -> float:
  """The peak learning rate ``compare`` uses on ``name`` when none is given."""
  return _module(name).DEFAULT_LR
