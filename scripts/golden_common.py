"""Shared by the golden-trace scripts: which steps to trace, how to write."""
from __future__ import annotations

import json
import pathlib
import random

GOLDEN = pathlib.Path(__file__).resolve().parent.parent / "tests" / "golden"


def sample_steps(end: int, rng: random.Random, edges=()) -> list[int]:
  """Every step below a small ``end``, else 0, 1, ``edges``, the last two
  steps and a random sample of 300."""
  if end <= 400:
    return list(range(end))
  picks = {0, 1, end - 2, end - 1, *(e for e in edges if 0 <= e < end)}
  picks.update(rng.randrange(end) for _ in range(300))
  return sorted(picks)


def write(name: str, generator: str, versions: dict, cases: list, **extra) -> None:
  """Writes ``tests/golden/<name>.json`` in the shared format."""
  out = GOLDEN / f"{name}.json"
  out.parent.mkdir(parents=True, exist_ok=True)
  out.write_text(json.dumps({"generator": generator, "versions": versions, **extra,
                             "cases": cases}, indent=None, separators=(",", ":")))
  print(f"wrote {len(cases)} cases to {out.name}")
