"""The package root imports on first use (PEP 562): fast to start, complete to use."""

import ast
import json
import os
import pathlib
import subprocess
import sys

import optax_sched as sched

ROOT = pathlib.Path(__file__).resolve().parents[1]
OPTIONAL = ("matplotlib", "yaml", "sklearn", "tqdm")


def _run(code: str) -> dict:
  """Runs ``code`` in a fresh interpreter; it prints a JSON value last."""
  env = dict(os.environ, PYTHONPATH=str(ROOT), JAX_PLATFORMS="cpu")
  out = subprocess.run(
    [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120, check=True
  )
  return json.loads(out.stdout.splitlines()[-1])


def test_importing_the_package_loads_neither_jax_nor_an_optional_library():
  loaded = _run(
    "import sys, json, optax_sched\nprint(json.dumps(sorted(m.split('.')[0] for m in sys.modules)))"
  )
  assert "jax" not in loaded and "optax" not in loaded
  assert not set(OPTIONAL) & set(loaded)


def test_the_commands_help_loads_neither_jax_nor_an_optional_library():
  """``optax-sched --help`` builds every subcommand's parser: none may import JAX."""
  loaded = _run(
    "import sys, json, contextlib, io\n"
    "from optax_sched import cli\n"
    "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
    "  cli.main(['--help'])\n"
    "print(json.dumps(sorted(m.split('.')[0] for m in sys.modules)))"
  )
  assert "jax" not in loaded and "numpy" not in loaded
  assert not set(OPTIONAL) & set(loaded)


def test_building_saving_inspecting_and_compat_load_no_optional_library():
  loaded = _run(
    "import sys, json, optax_sched as sched\n"
    "s = sched.warmup_cosine_decay_schedule(0.0, 1e-3, 100, 1000)\n"
    "s = sched.from_config(sched.to_config(s * 0.5))\n"
    "sched.describe(s, 1000); sched.lint(s, 1000); sched.to_spec(s)\n"
    "sched.compat.torch.StepLR(1e-3, step_size=10)(5)\n"
    "print(json.dumps(sorted(m.split('.')[0] for m in sys.modules)))"
  )
  assert "jax" in loaded
  assert not set(OPTIONAL) & set(loaded)


def test_compat_is_reachable_from_the_root_after_a_plain_import():
  value = _run(
    "import json, optax_sched as sched\n"
    "s = sched.compat.torch.StepLR(1.0, step_size=2, gamma=0.5)\n"
    "print(json.dumps([s.name, float(s(2)), sched.compat.timm.__name__]))"
  )
  assert value == ["torch.StepLR", 0.5, "optax_sched.compat.timm"]


def test_registry_is_complete_before_anything_else_is_used():
  names = _run("import json, optax_sched as sched\nprint(json.dumps(sorted(sched.registry())))")
  assert "cosine_decay_schedule" in names and "torch.StepLR" in names and "warmup" in names
  assert set(names) == set(sched.registry())


def test_every_public_name_resolves_and_is_listed_by_dir():
  for name in sched.__all__:
    assert getattr(sched, name) is not None, name
  assert set(sched.__all__) <= set(dir(sched))
  assert {"compat", "combinators", "plotting"} <= set(dir(sched))


def _type_checking_names(tree: ast.Module) -> dict[str, str]:
  block = next(
    n for n in tree.body if isinstance(n, ast.If) and getattr(n.test, "id", "") == "TYPE_CHECKING"
  )
  out = {}
  for node in block.body:
    assert isinstance(node, ast.ImportFrom)
    for alias in node.names:
      assert alias.asname == alias.name, f"write `{alias.name} as {alias.name}` (a re-export)"
      out[alias.name] = node.module
  return out


def test_lazy_table_type_checking_imports_and_all_agree():
  """What type checkers read (TYPE_CHECKING), what runs (_LAZY) and __all__."""
  tree = ast.parse((ROOT / "optax_sched" / "__init__.py").read_text())
  seen = _type_checking_names(tree)
  submodules = {n for n, m in seen.items() if m == "optax_sched"}
  assert submodules <= set(sched._SUBMODULES)
  assert {n: m for n, m in seen.items() if n not in submodules} == sched._LAZY
  assert sorted(sched.__all__) == sorted(sched._LAZY)
