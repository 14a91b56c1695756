"""float32 against float64: the worst relative error and false zeros per name.

Every public name's example from ``scripts/gallery.py`` is built and evaluated
twice, once with x64 off (float32 values, int32 steps) and once inside
``jax.enable_x64(True)`` (float64, int64 steps), over its natural
range run past its end (steps 0..2999) and stretched (every step count in the
spec times 100, steps 0..299,999). Printed per name: the worst relative error
``|v32 - v64| / |v64|`` and the number of false zeros (``v32 == 0``), both
where ``|v64|`` is at least float32's smallest normal number (below it the
value is out of float32's range: ``0.997 ** 300000`` is 0 in float32).

  python scripts/precision.py [--names timm.PolyLRScheduler ...] [--all]

By default only the names over ``TOLERANCE`` (or with a false zero) are listed;
``--all`` lists every name. Exits 1 when some name fails.
"""

from __future__ import annotations

import argparse
import pathlib
import re
import sys

import jax
import numpy as np

import optax_sched as sched

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from gallery import EXAMPLES  # noqa: E402

TOLERANCE = 1e-5
NATURAL, STRETCH = 3000, 100

# Integer arguments that are counts or factors, not durations: never stretched.
_NOT_STEPS = ("T_mult", "num_cycles", "cycle_limit", "period_mult")
_INT = re.compile(r"(?<![\w.])(\d+)(?![\w.])")


def stretched(spec: str, factor: int = STRETCH) -> str:
  """``spec`` with every integer literal (a step count) times ``factor``,
  except the arguments in ``_NOT_STEPS``."""

  def scale(m: re.Match) -> str:
    before = spec[: m.start()].rstrip()
    if any(before.endswith(f"{k}=") for k in _NOT_STEPS):
      return m.group(1)
    return str(int(m.group(1)) * factor)

  return _INT.sub(scale, spec)


def values(spec: str, steps: int, x64: bool) -> np.ndarray:
  """``spec``'s schedule over ``0..steps-1``, built and evaluated in one mode."""
  if x64:
    with jax.enable_x64(True):
      s = sched.from_spec(spec)
      return np.asarray(jax.jit(s)(np.arange(steps, dtype=np.int64)), np.float64)
  s = sched.from_spec(spec)
  return np.asarray(jax.jit(s)(np.arange(steps, dtype=np.int32)), np.float64)


def compare(spec: str, steps: int) -> tuple[float, int, int]:
  """``(worst relative error, its step, false zeros)`` of ``spec``."""
  v32, v64 = values(spec, steps, False), values(spec, steps, True)
  # Below float32's smallest normal a value is out of float32's range.
  nonzero = np.abs(v64) >= np.finfo(np.float32).tiny
  rel = np.zeros_like(v64)
  rel[nonzero] = np.abs(v32[nonzero] - v64[nonzero]) / np.abs(v64[nonzero])
  worst = int(np.argmax(rel))
  return float(rel[worst]), worst, int(np.sum((v32 == 0) & nonzero))


def measure(name: str) -> dict:
  """The natural and stretched comparisons of one name's example."""
  spec = EXAMPLES[name]
  out = {}
  for label, s, n in (
    ("natural", spec, NATURAL),
    ("stretched", stretched(spec), NATURAL * STRETCH),
  ):
    out[label] = compare(s, n)
  return out


def main(argv=None) -> int:
  parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  parser.add_argument("--names", nargs="*", default=sorted(EXAMPLES))
  parser.add_argument("--all", action="store_true", help="list every name, not only failures")
  args = parser.parse_args(argv)
  failed = 0
  print(f"{'name':<66} {'natural':>22} {'stretched x100':>22}")
  for name in args.names:
    m = measure(name)
    bad = any(rel > TOLERANCE or zeros for rel, _, zeros in m.values())
    failed += bad
    if bad or args.all:
      cells = [f"{rel:9.2e}@{at:<7d} 0s={zeros:<3d}" for rel, at, zeros in m.values()]
      print(f"{name:<66} {cells[0]:>22} {cells[1]:>22}{'  FAIL' if bad else ''}")
  print(f"{failed} of {len(args.names)} names over {TOLERANCE:g} or with false zeros")
  return 1 if failed else 0


if __name__ == "__main__":
  sys.exit(main())
