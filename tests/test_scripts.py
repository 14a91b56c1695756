"""The benchmark script still runs and prints every table (no timing is
asserted: speed figures come from running it, see docs/speed.md)."""

import os
import pathlib
import subprocess
import sys

import optax_sched as sched

ROOT = pathlib.Path(__file__).resolve().parents[1]


def test_bench_quick_prints_every_table_and_family():
  env = dict(os.environ, JAX_PLATFORMS="cpu")
  out = subprocess.run(
    [sys.executable, str(ROOT / "scripts" / "bench.py"), "--quick", "--optax-max-n", "10"],
    capture_output=True,
    text=True,
    env=env,
    timeout=600,
    check=False,
  )
  assert out.returncode == 0, out.stderr[-3000:]
  text = out.stdout
  for heading in (
    "### n pieces",
    "### Every optax family",
    "### Inside training",
    "### A 1M-step learning-rate trace",
    "### Choosing before training",
  ):
    assert heading in text, text
  rows = {line.split("|")[1].strip() for line in text.splitlines() if line.startswith("| ")}
  missing = set(sched.OPTAX_NAMES) - rows
  assert not missing, missing
  # Past --optax-max-n optax is not run, and the table says so.
  assert "not run" in text


def test_gallery_has_a_working_example_for_every_name_but_lambdalr():
  """Every registered name is drawn from its own example spec (a guessed
  picture is what the gallery falls back to for names added later)."""
  sys.path.insert(0, str(ROOT / "scripts"))
  try:
    import gallery
  finally:
    sys.path.pop(0)
  from optax_sched.config import public_names

  assert set(gallery.EXAMPLES) <= set(public_names())
  assert set(public_names()) - set(gallery.EXAMPLES) == {"torch.LambdaLR"}
  built, skipped = gallery.build_all()
  assert [name for name, _ in skipped] == ["torch.LambdaLR"]
  for name, schedule in built:
    assert schedule.name == name
