"""Runs the notebooks and stores their outputs in place, for the docs site to render.

The docs build never executes a notebook (myst-nb, ``nb_execution_mode = "off"``): it shows
the outputs stored in ``notebooks/*.ipynb``. Re-run this after changing a notebook or the code
it shows, and commit the result. The test suite executes the notebooks on its own.

  python scripts/run_notebooks.py [notebooks/exercise.ipynb ...]
"""

from __future__ import annotations

import argparse
import os
import pathlib
import re
import sys
import tempfile

import nbformat
from nbclient import NotebookClient

ROOT = pathlib.Path(__file__).resolve().parent.parent
TMP = re.compile(re.escape(tempfile.gettempdir()) + r"/[^/\s,]+/")


def run(path: pathlib.Path) -> None:
  nb = nbformat.read(path, as_version=4)
  env = dict(os.environ)
  env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
  env.pop("MPLBACKEND", None)  # the kernel's inline backend stores the figures
  env.pop("XLA_FLAGS", None)
  client = NotebookClient(
    nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
  )
  client.execute(env=env)
  for cell in nb.cells:
    if cell.cell_type != "code":
      continue
    cell.metadata.pop("execution", None)  # timestamps: noise in every diff
    # Warnings name files of the machine that ran it; they are not part of the lesson.
    cell.outputs = [o for o in cell.outputs if o.get("name") != "stderr"]
    for o in cell.outputs:
      if o.get("output_type") == "stream":  # a temporary directory differs on every run
        o["text"] = TMP.sub("<tmp>/", o["text"])
  text = nbformat.writes(nb)
  for local in (str(ROOT), str(pathlib.Path.home()), "/tmp/"):
    if local in text:
      sys.exit(f"{path}: an output names the local path {local}; not written")
  path.write_text(text)
  print(f"{path.relative_to(ROOT)}: {sum(len(c.get('outputs', [])) for c in nb.cells)} outputs")


def main(argv: list[str] | None = None) -> None:
  parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  parser.add_argument("paths", nargs="*", type=pathlib.Path)
  args = parser.parse_args(argv)
  for path in args.paths or sorted((ROOT / "notebooks").glob("*.ipynb")):
    run(path.resolve())


if __name__ == "__main__":
  main()
