"""Type-checks a user's script against the installed wheel, not the source tree.

Builds the wheel (``python -m build --wheel --no-isolation``: offline, with
the build tools of this environment), installs it without dependencies into a
fresh virtual environment that sees this environment's packages (jax, optax,
...), then runs the script there and type-checks it with pyright in strict
mode (every value of a known type; jax's and optax's own signatures
excepted). Exit status 0 when both pass.

  python scripts/typecheck_wheel.py [SCRIPT]   # default: tests/typecheck/user_script.py
"""

from __future__ import annotations

import json
import pathlib
import shutil
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "tests" / "typecheck" / "user_script.py"


def run(*cmd: str | pathlib.Path, cwd: pathlib.Path | None = None) -> str:
  out = subprocess.run([str(c) for c in cmd], cwd=cwd, capture_output=True, text=True)
  if out.returncode:
    sys.exit(f"{' '.join(map(str, cmd))} failed ({out.returncode}):\n{out.stdout}{out.stderr}")
  return out.stdout


def main() -> int:
  script = pathlib.Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else SCRIPT
  with tempfile.TemporaryDirectory(prefix="optax_sched_wheel_") as tmp:
    tmp = pathlib.Path(tmp)
    source = tmp / "source"
    # A copy of the tracked tree: the build writes build/ and *.egg-info.
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(".git", ".venv*", "__pycache__"))
    run(
      sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", tmp / "dist", source
    )
    (wheel,) = (tmp / "dist").glob("optax_sched-*.whl")
    venv = tmp / "venv"
    run(sys.executable, "-m", "venv", "--system-site-packages", venv)
    python = venv / "bin" / "python"
    run(python, "-m", "pip", "install", "-q", "--no-deps", "--no-index", wheel)
    work = tmp / "work"
    work.mkdir()
    shutil.copy(script, work / script.name)
    where = run(python, "-c", "import optax_sched; print(optax_sched.__file__)", cwd=work).strip()
    if not where.startswith(str(venv)):
      sys.exit(f"optax_sched comes from {where}, not from the installed wheel")
    print(f"installed {wheel.name} -> {where}")
    print(run(python, script.name, cwd=work).strip())
    # Strict (no value of unknown type), except what jax and optax leave open
    # in their own signatures (optax ships no stubs; jax has Unknown parts).
    config = {
      "typeCheckingMode": "strict",
      "reportMissingTypeStubs": False,
      "reportUnknownMemberType": False,
    }
    (work / "pyrightconfig.json").write_text(json.dumps(config))
    pyright = shutil.which("pyright") or sys.exit("pyright is not installed: pip install pyright")
    print(run(pyright, "--pythonpath", python, script.name, cwd=work).strip().splitlines()[-1])
  return 0


if __name__ == "__main__":
  sys.exit(main())
