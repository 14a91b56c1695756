"""float32 is as accurate as float32 allows, for every public name (issue 12,
point 2): within 1e-5 relative of float64 wherever the value is nonzero (in
float32's normal range), and never exactly 0 where float64 is not.

Each name's example from ``scripts/gallery.py`` is evaluated over its natural
range run past its end and stretched to ~300k steps (``scripts/precision.py``
prints the same numbers).
"""

import pathlib
import sys

import pytest

from optax_sched.config import public_names

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "scripts"))
try:
  import precision
finally:
  sys.path.pop(0)

# A lambda has no example to build from a spec.
NO_EXAMPLE = {"torch.LambdaLR"}


def test_every_public_name_has_an_example():
  assert set(public_names()) - set(precision.EXAMPLES) == NO_EXAMPLE


@pytest.mark.parametrize("name", sorted(precision.EXAMPLES))
def test_float32_matches_float64(name):
  for label, (rel, at, zeros) in precision.measure(name).items():
    assert zeros == 0, f"{name} ({label}): {zeros} false zeros"
    assert rel <= precision.TOLERANCE, f"{name} ({label}): relative error {rel:.2e} at step {at}"


def test_stretched_scales_step_counts_only():
  spec = "torch.CosineAnnealingWarmRestarts(1.0, T_0=100, T_mult=2, eta_min=0.05)"
  assert precision.stretched(spec) == (
    "torch.CosineAnnealingWarmRestarts(1.0, T_0=10000, T_mult=2, eta_min=0.05)"
  )
