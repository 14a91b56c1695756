"""The notebooks run top to bottom with the current code (so they cannot rot)."""

import os
import pathlib

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = pathlib.Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks():
  assert {p.name for p in NOTEBOOKS} >= {"schedule_gallery.ipynb", "exercise.ipynb"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_executes_without_error(path, tmp_path):
  nb = nbformat.read(path, as_version=4)
  env = dict(os.environ)
  # The kernel imports this checkout, whatever is installed.
  env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
  env["MPLBACKEND"] = "Agg"
  env.pop("XLA_FLAGS", None)
  client = NotebookClient(
    nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
  )
  client.execute(env=env)
  errors = [
    o
    for c in nb.cells
    if c.cell_type == "code"
    for o in c.get("outputs", [])
    if o.get("output_type") == "error"
  ]
  assert not errors
