"""Every docstring example runs and prints what it says."""

import doctest
import importlib
import pkgutil

import pytest

import optax_sched

MODULES = sorted(
  m.name
  for m in pkgutil.walk_packages(optax_sched.__path__, "optax_sched.")
  if not m.name.endswith("__main__")
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
  try:
    module = importlib.import_module(name)
  except ImportError as e:  # an optional extra (matplotlib, scikit-learn, ...) is missing
    pytest.skip(f"{name} needs an optional dependency: {e}")
  result = doctest.testmod(
    module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False
  )
  assert result.failed == 0, f"{result.failed} docstring example(s) failed in {name}"
