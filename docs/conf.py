"""Sphinx configuration: MyST Markdown pages, notebooks rendered from their stored outputs.

Build (no network needed): ``pip install -e ".[docs]"`` then
``sphinx-build -W -b html docs docs/_build/html``.
"""

from __future__ import annotations

import pathlib
import re
import shutil
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # document this checkout, installed or not

project = "optax_sched"
author = "optax_sched authors"
copyright = "optax_sched authors"  # noqa: A001 (Sphinx's name)

extensions = [
  "myst_nb",  # MyST Markdown pages and .ipynb notebooks
  "sphinx.ext.autodoc",
  "sphinx.ext.autosummary",
  "sphinx.ext.napoleon",  # Google-style docstrings, as optax's
  "sphinx.ext.mathjax",
]

# The notebooks live in notebooks/ at the top of the repository (the tests run them there);
# copy them under the source tree for myst-nb. They are rendered as stored, never executed.
_NOTEBOOKS = pathlib.Path(__file__).parent / "notebooks"
shutil.rmtree(_NOTEBOOKS, ignore_errors=True)
shutil.copytree(ROOT / "notebooks", _NOTEBOOKS)
nb_execution_mode = "off"

myst_enable_extensions = ["dollarmath", "colon_fence", "deflist"]
myst_heading_anchors = 3

templates_path = ["_templates"]  # autosummary: one page per public name, no member tables
autosummary_generate = True
autosummary_ignore_module_all = False
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_typehints_description_target = "documented"  # types on the documented arguments only
autodoc_default_options = {"members": False}
napoleon_google_docstring = True
napoleon_numpy_docstring = False
napoleon_use_rtype = False

exclude_patterns = ["_build", "**.ipynb_checkpoints", "README.md"]
suppress_warnings = ["myst.header"]

html_theme = "sphinx_book_theme"
html_title = "optax_sched"
html_theme_options = {
  "show_toc_level": 2,
  "use_download_button": False,
  "use_fullscreen_button": False,
}
# No intersphinx: the build never fetches anything.


def _list_new_pages(app, docname, source):
  """Adds every top-level page the index does not list to a last table of contents.

  A new ``docs/<topic>.md`` then needs no edit here to be built and reachable (Sphinx warns,
  and ``-W`` fails, on a page in no table of contents); list it in ``index.md`` to place it.
  """
  if docname != "index":
    return
  listed = set(re.findall(r"^([\w/.-]+)$", source[0], flags=re.M))
  here = pathlib.Path(__file__).parent
  new = sorted(p.stem for p in here.glob("*.md") if p.stem not in listed | {"index"})
  if new:
    source[0] += "\n```{toctree}\n:maxdepth: 1\n:caption: More\n\n" + "\n".join(new) + "\n```\n"


def _reread_index(app, env, added, changed, removed):
  return ["index"]  # an incremental build sees a new page too


def setup(app):
  app.connect("source-read", _list_new_pages)
  app.connect("env-get-outdated", _reread_index)
