"""Sphinx configuration: MyST Markdown pages, notebooks rendered from their stored outputs.

Build (no network needed): ``pip install -e ".[docs]"`` then
``sphinx-build -W -b html docs docs/_build/html``.
"""

from __future__ import annotations

import pathlib
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

autosummary_generate = True
autosummary_ignore_module_all = False
autodoc_member_order = "bysource"
autodoc_typehints = "description"
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
templates_path = ["_templates"]
