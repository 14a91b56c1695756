"""The optax-sched command, driven as a user drives it: in a subprocess."""

import functools
import json
import os
import pathlib
import struct
import subprocess
import sys

import pytest

import optax_sched as sched
from optax_sched import config

ROOT = pathlib.Path(__file__).resolve().parents[1]
WARMUP_COSINE = "warmup_cosine_decay_schedule(0.0, 1e-3, 100, 1000, 1e-5)"
SGDR = "sgdr_schedule([dict(init_value=1e-4, peak_value=1e-3, warmup_steps=5, decay_steps=300)])"


@functools.cache
def run(*args, stdin=None, cwd=None):
  """``optax-sched ARGS`` as a user runs it (each command run once)."""
  env = dict(os.environ, PYTHONPATH=str(ROOT), JAX_PLATFORMS="cpu")
  return subprocess.run(
    [sys.executable, "-m", "optax_sched.cli", *args],
    input=stdin,
    capture_output=True,
    text=True,
    env=env,
    cwd=cwd,
    timeout=120,
  )


def _png_size(data: bytes):
  assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
  assert data[12:16] == b"IHDR"
  return struct.unpack(">II", data[16:24])


def test_plot_writes_a_real_png_of_a_sensible_size(tmp_path):
  out = tmp_path / "lr.png"
  result = run(
    "plot", WARMUP_COSINE, "cosine_decay_schedule(1e-3, 1000)", "--steps", "1000", "-o", str(out)
  )
  assert result.returncode == 0, result.stderr
  data = out.read_bytes()
  width, height = _png_size(data)
  assert 600 <= width <= 2000 and 300 <= height <= 1500
  assert len(data) > 10_000


def test_plot_writes_svg(tmp_path):
  out = tmp_path / "lr.svg"
  result = run("plot", WARMUP_COSINE, "-n", "1000", "-o", str(out), "--log")
  assert result.returncode == 0, result.stderr
  assert out.read_bytes().startswith(b"<?xml")


def test_show_prints_a_terminal_plot_and_the_description():
  result = run("show", WARMUP_COSINE, "--steps", "1000")
  assert result.returncode == 0, result.stderr
  assert any("\u2801" <= ch <= "\u28ff" for ch in result.stdout)
  assert "peak_value" in result.stdout and "warmup_steps" in result.stdout


def test_show_and_plot_use_the_natural_length_without_steps(tmp_path):
  spec = "warmup(cosine_decay_schedule(1e-3, 900), 100)"  # 100 + 900 updates
  shown = run("show", spec)
  assert shown.returncode == 0, shown.stderr
  assert "natural length: 1000 steps" in shown.stdout
  # The description is the one of a 1000-step run: it ends at the cosine's 0.
  explicit = run("show", spec, "--steps", "1000")
  assert shown.stdout.splitlines()[1:] == explicit.stdout.splitlines()[1:]
  out = tmp_path / "lr.png"
  plotted = run("plot", spec, "exponential_decay(1e-3, 100, 0.5)", "-o", str(out))
  assert plotted.returncode == 0, plotted.stderr
  assert out.stat().st_size > 10_000


def test_describe_json():
  result = run("describe", WARMUP_COSINE, "--steps", "1000", "--json")
  facts = json.loads(result.stdout)
  assert (facts["peak_value"], facts["warmup_steps"], facts["zero_steps"]) == (1e-3, 100, 1)


@pytest.mark.parametrize(
  "spec, args, status",
  [
    ("cosine_decay_schedule(1e-3, 200)", [], 1),
    (WARMUP_COSINE, [], 0),
    (WARMUP_COSINE, ["--strict"], 1),
  ],
  ids=["warning", "info-only", "strict-info"],
)
def test_lint_exit_status(spec, args, status):
  result = run("lint", spec, "--steps", "1000", *args)
  assert result.returncode == status, result.stdout + result.stderr


def test_lint_prints_the_findings():
  result = run("lint", "cosine_decay_schedule(1e-3, 200)", "--steps", "1000")
  assert "warning: decays-too-early:" in result.stdout


def _list_groups(stdout: str) -> dict[str, dict[str, str]]:
  """``optax-sched list`` read back: group title -> {name: summary}."""
  groups: dict[str, dict[str, str]] = {}
  for line in stdout.splitlines():
    if line and not line.startswith(" "):
      title = line
      groups[title] = {}
    elif line:
      name, _, text = line.strip().partition(" ")
      groups[title][name] = text.strip()
  return groups


def test_list_names_every_public_schedule_once_with_a_summary():
  groups = _list_groups(run("list").stdout)
  listed = []
  for title, members in groups.items():
    lib = title.split()[1] if title.startswith("compat ") else None
    listed += [f"{lib}.{n}" if lib else n for n in members]
    assert all(members.values()), f"a name without a summary in {title!r}"
  assert sorted(listed) == sorted(config.public_names())
  assert groups["native families"]["cosine_restarts_schedule"].startswith("Cosine cycles")


def test_list_groups_optax_native_each_compat_library_and_combinators():
  groups = _list_groups(run("list").stdout)
  titles = [t.split(" (")[0] for t in groups]
  assert titles == [
    "optax",
    "native families",
    "compat keras",
    "compat timm",
    "compat torch",
    "compat transformers",
    "combinators",
  ]
  short = {t.split(" (")[0]: members for t, members in groups.items()}
  assert list(short["optax"]) == list(sched.OPTAX_NAMES)
  assert short["compat torch"]["StepLR"].startswith("base_lr * gamma ** (t // step_size)")


def test_list_lines_are_short_plain_text():
  out = run("list").stdout
  assert max(map(len, out.splitlines())) <= 100
  for markup in ("``", ":class:", ":func:", ":math:", "`"):
    assert markup not in out, markup


def test_version_is_the_package_version():
  result = run("--version")
  assert result.returncode == 0
  assert result.stdout.strip() == f"optax-sched {sched.__version__}"


def test_convert_to_yaml_and_back_from_a_file(tmp_path):
  path = tmp_path / "lr.yaml"
  path.write_text(run("convert", SGDR, "--to", "yaml").stdout)
  result = run("convert", str(path), "--to", "json")
  assert sched.from_config(json.loads(result.stdout)) == sched.from_spec(SGDR)


def test_spec_from_standard_input():
  result = run("convert", "-", "--to", "spec", stdin=WARMUP_COSINE)
  assert sched.from_spec(result.stdout) == sched.from_spec(WARMUP_COSINE)


@pytest.mark.parametrize(
  "args, words",
  [
    (["lint", "__import__('os').system('echo hacked')", "-n", "10"], "`__import__('os')`"),
    (["lint", "cosine_decay_schedule(1e-3, 0)", "-n", "10"], "decay_steps=0"),
    (["describe", "cosine_schedule(1e-3, 10)", "-n", "10"], "cosine_schedule"),
    (["describe", WARMUP_COSINE, "-n", "ten"], "'ten'"),
    (["describe", "missing.yaml", "-n", "10"], "missing.yaml"),
    (["plot", WARMUP_COSINE, "-n", "10", "-o", "lr.gif"], "lr.gif"),
    (["show", "exponential_decay(1e-3, 100, 0.5)"], "no natural length"),
    (["plot", "constant_schedule(1e-3)", "-o", "lr.png"], "give --steps N"),
  ],
  ids=[
    "hostile",
    "invalid-argument",
    "unknown-name",
    "bad-steps",
    "missing-file",
    "bad-image-suffix",
    "show-without-a-length",
    "plot-without-a-length",
  ],
)
def test_bad_input_is_one_line_on_stderr_and_status_2(tmp_path, args, words):
  result = run(*args, cwd=str(tmp_path))
  assert result.returncode == 2
  assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
  assert words in result.stderr and "hacked" not in result.stdout


def test_compare_without_the_exercise_module_says_so(monkeypatch, capsys):
  from optax_sched import cli

  # None in sys.modules makes `import optax_sched.exercise` fail, as it would
  # in an install without the module.
  monkeypatch.setitem(sys.modules, "optax_sched.exercise", None)
  assert cli.main(["compare"]) == 2
  err = capsys.readouterr().err
  assert err.count("\n") == 1 and "compare" in err and "Traceback" not in err


def test_compare_hands_its_arguments_to_the_exercise_module(monkeypatch):
  import types

  from optax_sched import cli

  seen = {}
  fake = types.ModuleType("optax_sched.exercise")

  def run_exercise(args):
    seen["epochs"] = args.epochs
    return 0

  fake.add_arguments = lambda parser: parser.add_argument("--epochs", type=int)
  fake.run = run_exercise
  monkeypatch.setitem(sys.modules, "optax_sched.exercise", fake)
  assert cli.main(["compare", "--epochs", "3"]) == 0
  assert seen == {"epochs": 3}
