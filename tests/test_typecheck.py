"""The user script that CI type-checks against the wheel (scripts/typecheck_wheel.py) runs."""

import os
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]


def test_user_script_runs():
  env = dict(os.environ, PYTHONPATH=str(ROOT), JAX_PLATFORMS="cpu")
  out = subprocess.run(
    [sys.executable, str(ROOT / "tests" / "typecheck" / "user_script.py")],
    capture_output=True,
    text=True,
    env=env,
    timeout=300,
  )
  assert out.returncode == 0, out.stderr
  assert out.stdout.strip().splitlines()[-1] == "ok"
