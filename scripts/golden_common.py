"""Shared by the golden-trace generators: which steps to record, writing JSON."""

from __future__ import annotations

import json
import pathlib
import random

GOLDEN = pathlib.Path(__file__).resolve().parent.parent / "tests" / "golden"


def steps_for(length: int, rng: random.Random) -> list[int]:
  """Every step up to a small length (plus 30%), else edges and a sample."""
  end = int(length * 1.3) + 5
  if end <= 400:
    return list(range(end))
  picks = {0, 1, length - 1, length, length + 1, end}
  picks.update(rng.randrange(end) for _ in range(300))
  return sorted(picks)


def write(name: str, generator: str, versions: dict, cases: list, **extra) -> None:
  """Writes ``tests/golden/<name>.json`` in the format tests/conftest.py reads
  (``extra`` adds top-level keys, such as the peers' signatures)."""
  out = GOLDEN / f"{name}.json"
  out.write_text(
    json.dumps({"generator": generator, "versions": versions, **extra, "cases": cases}, indent=1)
    + "\n"
  )
  print(f"wrote {len(cases)} cases to {out}")


def sample_steps(end: int, rng: random.Random, edges=()) -> list[int]:
  """Every step below a small ``end``, else 0, 1, ``edges``, the last two
  steps below ``end`` and a random sample (for peers that cannot be stepped
  past ``end``, such as torch's OneCycleLR)."""
  if end <= 400:
    return list(range(end))
  picks = {0, 1, end - 2, end - 1, *(e for e in edges if 0 <= e < end)}
  picks.update(rng.randrange(end) for _ in range(300))
  return sorted(picks)
