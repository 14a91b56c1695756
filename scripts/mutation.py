"""Mutation testing of the core arithmetic, the families and the combinators.

An optional tool (``pip install -e .[dev]``), not run in CI: it runs mutmut 3
(configured under ``[tool.mutmut]`` in pyproject.toml) one area at a time,
each with its own fast test subset, niced and with at most 2 workers, and
prints the score per area: killed / (total - excluded equivalents).

    python scripts/mutation.py --paths math          # optax_sched/_math.py
    python scripts/mutation.py --paths combinators
    python scripts/mutation.py --paths optax_sched/families/cosine.py

Run it from the repository root. mutmut works in ``mutants/`` (a mutated copy
of the tree, ignored by git); ``mutmut results`` / ``mutmut show NAME`` there
show what survived. Each run re-tests every mutant of the selected paths, and
writes the scores to ``mutants/scores.json``.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import pathlib
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent

#: Area -> (source files, the fast tests that kill its mutants). Timed with
#: ``pytest -n 0``: these files cover the area's code in well under a minute
#: each; the slow end-to-end and golden files add little per second.
AREAS: dict[str, tuple[list[str], list[str]]] = {
  "math": (
    ["optax_sched/_math.py"],
    ["tests/test_arithmetic.py", "tests/test_restarts.py", "tests/test_step_range.py"],
  ),
  "combinators": (
    ["optax_sched/combinators/*.py"],
    ["tests/test_arithmetic.py", "tests/test_combinators.py"],
  ),
  "families": (
    ["optax_sched/families/*.py"],
    ["tests/test_arithmetic.py", "tests/test_optax_parity.py", "tests/test_families_torchkeras.py"],
  ),
}

#: Mutants that cannot change behaviour, with the reason (not counted).
EQUIVALENT: dict[str, str] = {}

MAX_CHILDREN = 2


def _module_glob(path: str) -> str:
  """``optax_sched/families/*.py`` -> ``optax_sched.families.*`` (mutant names)."""
  stem = path.removesuffix(".py").removesuffix("*").rstrip("/")
  return stem.replace("/", ".") + ".*"


def _select(paths: list[str]) -> list[tuple[str, list[str], list[str]]]:
  """``(label, source globs, tests)`` per requested area or file."""
  out = []
  for p in paths:
    if p in AREAS:
      out.append((p, *AREAS[p]))
      continue
    for files, tests in AREAS.values():
      if any(fnmatch.fnmatch(p, f) for f in files):
        out.append((p, [p], tests))
        break
    else:
      raise SystemExit(f"--paths {p!r}: not an area ({', '.join(AREAS)}) nor a file in one")
  return out


def _score(globs: list[str]) -> dict:
  """Counts per status for the mutants whose names match ``globs``."""
  from mutmut.mutation.data import SourceFileMutationData
  from mutmut.stats import status_by_exit_code
  from mutmut.utils.file_utils import walk_mutatable_files

  counts: dict[str, int] = {}
  survivors, excluded = [], []
  for path in walk_mutatable_files():
    data = SourceFileMutationData(path=path)
    data.load()
    for name, code in data.exit_code_by_key.items():
      if not any(fnmatch.fnmatch(name, g) for g in globs):
        continue
      if name in EQUIVALENT:
        excluded.append(name)
        continue
      status = status_by_exit_code[code]
      counts[status] = counts.get(status, 0) + 1
      if status != "killed":
        survivors.append(name)
  total = sum(counts.values())
  killed = counts.get("killed", 0)
  return {
    "killed": killed,
    "total": total,
    "score": round(killed / total, 4) if total else None,
    "excluded": len(excluded),
    "counts": counts,
    "not_killed": sorted(survivors),
  }


def main(argv: list[str] | None = None) -> None:
  parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  parser.add_argument(
    "--paths",
    nargs="+",
    default=list(AREAS),
    help=f"areas ({', '.join(AREAS)}) or source files, run one after another",
  )
  parser.add_argument("--max-children", type=int, default=MAX_CHILDREN, help="at most 2")
  args = parser.parse_args(argv)
  os.chdir(ROOT)
  os.nice(10)  # the workers inherit it
  children = max(1, min(args.max_children, MAX_CHILDREN))

  from mutmut import __main__ as mm
  from mutmut.configuration import config

  scores_file = ROOT / "mutants" / "scores.json"
  for label, files, tests in _select(args.paths):
    globs = [_module_glob(f) for f in files]
    config().pytest_add_cli_args_test_selection = tests
    start = time.time()
    try:
      mm._run(globs, children)
    except SystemExit as e:
      if e.code not in (0, None):
        raise
    score = _score(globs)
    score.update(tests=tests, wall_seconds=round(time.time() - start))
    scores = json.loads(scores_file.read_text()) if scores_file.exists() else {}
    scores[label] = score
    scores_file.write_text(json.dumps(scores, indent=2))
    print(
      f"{label}: {score['killed']} / {score['total']} killed ({score['score']}), "
      f"{score['excluded']} equivalent excluded, {score['wall_seconds']} s",
      file=sys.stderr,
    )


if __name__ == "__main__":
  main()
