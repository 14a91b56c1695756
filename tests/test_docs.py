"""Every public name is documented: an example, a formula for a curve, a place in the API page.

The public names are ``optax_sched.__all__`` and the ``__all__`` of each module of
``optax_sched.compat``. ``tests/test_docstrings.py`` runs the examples.
"""

import importlib
import inspect
import pathlib
import pkgutil
import re

import pytest

import optax_sched
import optax_sched.compat
from optax_sched import Schedule

API_PAGE = pathlib.Path(__file__).resolve().parent.parent / "docs" / "api.md"

COMPAT_MODULES = sorted(
  f"optax_sched.compat.{m.name}"
  for m in pkgutil.iter_modules(optax_sched.compat.__path__)
  if not m.name.startswith("_")
)

# A formula is a ``.. math::`` block, a ``:math:`` role, or an inline literal that is an
# expression: an operator between two operands (``base_lr * gamma ** t``, ``a(t) / b(t)``) or
# an equation for the value (``v(t) = value``). Prose ("a cosine decay") is not a formula.
FORMULA = re.compile(
  r"\.\. math::"
  r"|:math:`"
  r"|``[^`]*[\w)\]]\s*(\*\*|\*|/|\+|-)\s*[\w(\[][^`]*``"
  r"|``\w+\(t\)\s*=[^`]+``"
)


def _public():
  names = [("optax_sched", n, getattr(optax_sched, n)) for n in optax_sched.__all__]
  for module_name in COMPAT_MODULES:
    module = importlib.import_module(module_name)
    names += [(module_name, n, getattr(module, n)) for n in module.__all__]
  return names


PUBLIC = _public()
IDS = [f"{m}.{n}" for m, n, _ in PUBLIC]


def test_every_compat_module_declares_its_public_names():
  for module_name in COMPAT_MODULES:
    assert hasattr(importlib.import_module(module_name), "__all__"), module_name


@pytest.mark.parametrize("module,name,obj", PUBLIC, ids=IDS)
def test_public_name_has_an_example(module, name, obj):
  doc = inspect.getdoc(obj) or ""
  assert ">>>" in doc, f"{module}.{name}: the docstring has no `>>>` example"


CURVES = [(m, n, o) for m, n, o in PUBLIC if isinstance(o, type) and issubclass(o, Schedule)]
CURVES = [c for c in CURVES if c[2] is not Schedule]


@pytest.mark.parametrize("module,name,obj", CURVES, ids=[f"{m}.{n}" for m, n, _ in CURVES])
def test_curve_has_a_formula(module, name, obj):
  doc = inspect.getdoc(obj) or ""
  assert FORMULA.search(doc), f"{module}.{name}: the docstring states no formula"


def test_formula_detection_tells_formulas_from_prose():
  assert FORMULA.search("``base_lr * gamma ** (t // step_size)``")
  assert FORMULA.search("``a(t) / b(t)``")
  assert FORMULA.search("``v(t) = value``")
  assert FORMULA.search(".. math::\n  v = E")
  assert not FORMULA.search("The same value at every step.")
  assert not FORMULA.search("Cosine decay with restarts (``cosine_restarts_schedule``).")


def test_api_page_lists_every_public_name():
  text = API_PAGE.read_text()
  listed = set(re.findall(r"^\s{3}(\w+)\s*$", text, flags=re.M))
  sections = re.split(r"\.\. currentmodule:: ", text)[1:]
  by_module = {}
  for section in sections:
    module, _, body = section.partition("\n")
    by_module.setdefault(module.strip(), set()).update(re.findall(r"^\s{3}(\w+)\s*$", body, re.M))
  missing = [f"{m}.{n}" for m, n, _ in PUBLIC if n not in by_module.get(m, ())]
  assert not missing, f"docs/api.md lacks {missing}"
  assert listed, "docs/api.md lists no name"
