"""The figures behind docs/guarantees.md, from one test run.

    python scripts/guarantees.py                           # a few minutes
    OPTAX_SCHED_EXAMPLES=100 python scripts/guarantees.py  # more draws

Runs the reliability tests (property, every-name, bad-input, step-range,
validation and fuzz tests) under pytest with ``--junitxml`` and
``--hypothesis-show-statistics``, then prints Markdown: how many public names,
the checks per name and the hypothesis examples tried, the bad-input cases,
the fuzz examples, the golden cases per library, the step-range facts and the
measured float32 error of a 10M-step cosine. Fails (exit 1) when a test does.
"""

from __future__ import annotations

import collections
import json
import os
import pathlib
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

ROOT = pathlib.Path(__file__).resolve().parent.parent
TESTS = ROOT / "tests"
RUNS = {  # file -> pytest -k filter (None: every test)
  "test_properties.py": None,
  "test_every_name.py": None,
  "test_bad_input.py": None,
  "test_step_range.py": None,
  "test_validation.py": None,
  "test_spec.py": "fuzz",
  "test_config.py": "fuzz",
}


def run_tests(out: pathlib.Path) -> tuple[list[dict], dict[str, int]]:
  """Runs pytest once per file; returns the test cases and hypothesis's
  passing examples per test id."""
  cases, examples = [], {}
  env = dict(os.environ, PYTHONPATH=str(ROOT))
  for name, keyword in RUNS.items():
    xml = out / f"{name}.xml"
    cmd = [
      sys.executable,
      "-m",
      "pytest",
      str(TESTS / name),
      "-q",
      "-p",
      "no:cacheprovider",
      f"--junitxml={xml}",
      "--hypothesis-show-statistics",
    ]
    if keyword:
      cmd += ["-k", keyword]
    print(f"running {name} ...", file=sys.stderr, flush=True)
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    examples.update(_hypothesis_examples(proc.stdout))
    for case in ET.parse(xml).getroot().iter("testcase"):
      failed = any(child.tag in ("failure", "error") for child in case)
      cases.append(
        dict(
          file=name,
          id=case.get("name"),
          failed=failed,
          skipped=any(child.tag == "skipped" for child in case),
        )
      )
    if proc.returncode not in (0, 5):
      print(proc.stdout[-3000:], file=sys.stderr)
  return cases, examples


def _hypothesis_examples(text: str) -> dict[str, int]:
  """``{test id: passing examples}`` from ``--hypothesis-show-statistics``."""
  out, current = collections.Counter(), None
  for line in text.splitlines():
    head = re.match(r"^\S+\.py::(\S+):$", line)
    if head:
      current = head.group(1)
    found = re.search(r"- (\d+) passing", line)
    if found and current:
      out[current] += int(found.group(1))
  return dict(out)


def _param(test_id: str) -> str | None:
  """The schedule name a parametrized test id is for (first bracket part)."""
  found = re.search(r"\[(.*)\]$", test_id)
  return found.group(1).split("-")[0] if found else None


def golden_counts() -> dict[str, int]:
  return {
    p.stem: len(json.loads(p.read_text())["cases"])
    for p in sorted((TESTS / "golden").glob("*.json"))
  }


def cosine_float32_error(n: int = 10_000_000) -> float:
  """Largest |float32 schedule - float64 formula| of a 1.0 -> 0 cosine over n steps."""
  import numpy as np

  import optax_sched as sched

  t = np.unique(np.linspace(0, n, 2_000_001).astype(np.int64))
  ours = np.asarray(sched.cosine_decay_schedule(1.0, n)(t.astype(np.int32)), np.float64)
  return float(np.max(np.abs(ours - 0.5 * (1 + np.cos(np.pi * t / n)))))


def main() -> int:
  sys.path[:0] = [str(ROOT), str(TESTS)]
  from every_example import every_example  # noqa: F401  (registers the compat names)

  import optax_sched as sched

  names = sorted(set(sched.registry()) - {"function_schedule"})

  with tempfile.TemporaryDirectory() as tmp:
    cases, examples = run_tests(pathlib.Path(tmp))
  failed = [c for c in cases if c["failed"]]

  def of(file):
    return [c for c in cases if c["file"] == file]

  def tried(file, keyword=""):
    ids = {c["id"] for c in of(file) if keyword in c["id"]}
    return sum(n for i, n in examples.items() if i in ids)

  every = of("test_every_name.py")
  per_name = collections.Counter(_param(c["id"]) for c in every if _param(c["id"]))
  props = of("test_properties.py")
  specs = {_param(c["id"]) for c in props if _param(c["id"])}
  props_per_spec = len(props) // max(len(specs), 1)
  golden = golden_counts()

  print("| Figure | Value |")
  print("|---|---|")
  rows = [
    ("public names (every one has an example)", len(names)),
    (
      "checks per name over random steps (test_every_name)",
      f"{min(per_name.values())} ({len(every)} tests)",
    ),
    ("hypothesis step draws tried over all names", tried("test_every_name.py")),
    ("families with a float64 reference and 5 property checks", len(specs)),
    (
      "property tests (reference, range, monotone, continuity, call forms)",
      f"{len(props)} ({props_per_spec} per family)",
    ),
    ("hypothesis hyperparameter draws tried", tried("test_properties.py")),
    (
      "bad-input cases (one ValueError each)",
      sum(c["id"].startswith("test_bad_argument") for c in of("test_bad_input.py")),
    ),
    (
      "fuzzed from_spec / from_config / command inputs",
      tried("test_spec.py") + tried("test_config.py") + tried("test_bad_input.py"),
    ),
    (
      "step-range and validation tests",
      len(of("test_step_range.py")) + len(of("test_validation.py")),
    ),
    (
      "golden cases per library",
      ", ".join(f"{k} {v}" for k, v in golden.items()) + f" (total {sum(golden.values())})",
    ),
    ("float32 error of a 10M-step cosine (peak 1.0)", f"{cosine_float32_error():.1e}"),
    ("tests run / failed", f"{len(cases)} / {len(failed)}"),
  ]
  for label, value in rows:
    print(f"| {label} | {value} |")
  for c in failed:
    print(f"FAILED {c['file']}::{c['id']}", file=sys.stderr)
  return 1 if failed else 0


if __name__ == "__main__":
  sys.exit(main())
