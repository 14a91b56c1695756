"""Mutation testing of the core arithmetic, the families, the combinators,
the choose-before-you-train code (``scaling``, ``lr_find``) and the loss-curve
laws' formulas (``laws/formulas.py``).

An optional tool (``pip install -e .[dev]``), not run in CI: it runs mutmut 3
(configured under ``[tool.mutmut]`` in pyproject.toml), niced and with at most
2 workers, and prints the score per area and overall: killed / tested (the
equivalent mutants in ``EQUIVALENT`` excluded), with a 95% Wilson interval
for the whole population when a sample was tested.

    python scripts/mutation.py --sample 300 --seed 1   # stratified sample, all areas
    python scripts/mutation.py --sample 300 --seed 1 --retest  # its non-killed again
    python scripts/mutation.py --sample 300 --seed 1 --report  # its scores, no run
    python scripts/mutation.py --paths math            # every mutant of _math.py
    python scripts/mutation.py --paths choose --sample 150 --seed 6  # one area's sample
    python scripts/mutation.py --paths laws --sample 120 --seed 8
    python scripts/mutation.py --mutants NAME ...      # re-test named mutants

Run it from the repository root. mutmut works in ``mutants/`` (a mutated copy
of the tree, ignored by git); ``mutmut results`` / ``mutmut show NAME`` there
show what survived. A full run is about 6500 mutants (hours on 2 cores), so
``--sample N --seed S`` draws N mutants over the selected areas, each area's
share proportional to its mutant count. Scores go to ``mutants/scores.json``.

Every mutant runs, of ``TESTS``, the tests that reach the mutated function
(mutmut's map, collected once), stopping at the first failure. The workers
share JAX's persistent compilation cache (``mutants/.jax_cache``): a program
the mutation does not change is not compiled again (the cache key is the
compiled program, so a mutant that changes it misses the cache).
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import math
import os
import pathlib
import random
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent

#: Area -> its source files.
AREAS: dict[str, list[str]] = {
  "math": ["optax_sched/_math.py"],
  "combinators": ["optax_sched/combinators/*.py"],
  "families": ["optax_sched/families/*.py"],
  "choose": ["optax_sched/scaling.py", "optax_sched/range_test.py"],
  "laws": ["optax_sched/laws/formulas.py"],
}

#: The tests mutants run: one selection for every area, as mutmut collects
#: its test-to-function map again (a run of all of them) whenever the
#: selection changes. Seconds with ``pytest -n 0`` on 2 shared cores (load
#: 9, no compilation cache): test_arithmetic 56, test_combinators 87,
#: test_exact_boundaries 46; test_lr_find and test_scaling 30 together (load
#: 3-4). Each mutant runs only the tests that reach the mutated function.
#: laws/formulas.py is tested by test_law_formulas (36 s at load 1, against the
#: formulas written out in NumPy), not test_laws (114 s, its slowest test a fit
#: on a real run, 31 s): a mutant that survives runs every test that reaches it.
TESTS: list[str] = [
  "tests/test_arithmetic.py",
  "tests/test_exact_boundaries.py",
  "tests/test_cycles.py",
  "tests/test_samples.py",
  "tests/test_restarts.py",
  "tests/test_combinators.py",
  "tests/test_rehorizon.py",
  "tests/test_optax_parity.py",
  "tests/test_families_torchkeras.py",
  "tests/test_bad_input.py",
  "tests/test_scaling.py",
  "tests/test_lr_find.py",
  "tests/test_law_formulas.py",
]

#: Imported once by mutmut's fork server, before any test (none of them
#: starts JAX's backend, so forking stays safe); not optax_sched itself,
#: whose import-time code must run mutated.
PRELOAD = ["numpy", "jax", "jax.numpy", "optax", "chex"]

_NO_TABLES = "never builds the bucket tables (as _Buckets.of__mutmut_9): the same count"

_SORTED_HINT = (
  "segment_sum without indices_are_sorted: a hint (the segments are sorted), the same sums"
)

#: Mutants that cannot change behaviour, with the reason (not counted).
EQUIVALENT: dict[str, str] = {
  "optax_sched._math.xǁ_Bucketsǁof__mutmut_9": (
    "never builds the bucket tables: the search they stand in for gives the same count"
  ),
  "optax_sched._math.x_cycle__mutmut_29": (
    "the period length left a scalar, not broadcast to the steps: every caller combines it"
    " with the position, which has their shape"
  ),
  "optax_sched._math.x__cycle_closed_form__mutmut_15": (
    "the stand-in multiplier for m == 1 (3 for 2) only feeds the geometric branch,"
    " which jnp.where discards there (finite either way: no NaN gradient)"
  ),
  "optax_sched._math.x__interpolate_within__mutmut_38": (
    "j = min(i, n + 2) is i, which differs from min(i, n - 2) only in the last piece (i = n - 1),"
    " whose value is values[-1] whatever j"
  ),
  "optax_sched.families.cosine.x_cosine_decay__mutmut_15": (
    "drops the clip at 0 of raised_cosine, a square (sin(x) ** 2), which is never below 0"
  ),
  "optax_sched._math.xǁ_Bucketsǁof__mutmut_18": (
    "never builds the bucket tables (the dtype test fails): the search gives the same count"
  ),
  "optax_sched._math.xǁ_Bucketsǁindex__mutmut_10": (
    "a step past the top bound's bucket reads that bucket, not the empty one after it:"
    " it has passed all of that bucket's bounds too, so the count is n either way"
  ),
  "optax_sched._math.x_safe_div__mutmut_19": (
    "the stand-in denominator where den == 0 (2 for 1) only feeds the branch jnp.where"
    " discards (finite and nonzero either way: no NaN gradient)"
  ),
  "optax_sched._math.x__interpolate_within__mutmut_19": (
    "bounds start at 0 and a schedule's steps are >= 0 (negative steps become 0 before"
    " _value), so searchsorted_right(bounds, t) - 1 is never below 0"
  ),
  "optax_sched.combinators.join.x__check_steps__mutmut_6": (
    "zip(strict=None) for strict=True: arrs is built from steps one for one, same length"
  ),
  "optax_sched.combinators.cycles.xǁcyclesǁ_equal_decays__mutmut_12": (
    "the name only appears in the error of a length check that _check has already passed"
    " with the same value"
  ),
  "optax_sched.families.polynomial.x__remaining__mutmut_35": (
    "without the cap at ceil(T), left > T only before the transition, where left / T is"
    " clipped to 1 and (T - left) / T to 0 anyway"
  ),
  "optax_sched.families.polynomial.x__remaining__mutmut_102": (
    "count past the end only feeds the fraction done, used in the branch jnp.where takes"
    " when more than half remains (finite either way)"
  ),
  "optax_sched.combinators.timing.xǁrepeatǁ_value__mutmut_39": (
    "decay known to be 1 then multiplies the value by 1.0 ** i, which is the value"
    " (the result is cast to the float dtype either way)"
  ),
  "optax_sched._math.x__fraction_floor__mutmut_15": (
    "sign > 0 for sign >= 0: sign == 0 has returned earlier, so sign is +1 or -1 there"
  ),
  "optax_sched._math.x_cycle__mutmut_52": (
    "known_l > 0 for >= 0: _cycle_table(0.0, ...) is None (every cycle would start at 0,"
    " more than MAX_CYCLES of them), so the same closed form runs"
  ),
  "optax_sched._math.x_searchsorted_right__mutmut_3": _NO_TABLES,
  "optax_sched._math.x_searchsorted_right__mutmut_40": _NO_TABLES,
  "optax_sched._math.x_searchsorted_right__mutmut_43": _NO_TABLES,
  "optax_sched._math.x_select_piece__mutmut_4": (
    "never builds the bucket tables (side None, which _Buckets.of rejects): the same count"
  ),
  "optax_sched._math.x_stack__mutmut_5": (
    "dtype=None: jnp.asarray of the float64 NumPy stack canonicalises to the default float"
    " dtype either way (float32, or float64 under x64)"
  ),
  "optax_sched.combinators.cycles.xǁcyclesǁ_check__mutmut_41": (
    "zip without strict: _per_cycle has already made one warmup per length"
  ),
  "optax_sched.combinators.cycles.xǁcyclesǁ_equal_decays__mutmut_3": (
    "the owner only appears in the error of a length check that _check has already passed"
  ),
  "optax_sched.combinators.cycles.xǁcyclesǁ_tables__mutmut_22": (
    "the name only appears in the error of a length check that _check has already passed"
  ),
  "optax_sched.combinators.join.xǁjoin_schedulesǁ_value__mutmut_8": (
    "typing.cast(None, ...) for cast(Array, ...): cast does nothing at run time"
  ),
  "optax_sched.families.onecycle.xǁonecycle_scheduleǁ_value__mutmut_27": (
    "the value before any phase (targets[-2] for [-1]) is always overwritten: min(t, ends[-1])"
    " lies in some phase for every step but NaN"
  ),
  "optax_sched.families.polynomial.x__remaining__mutmut_60": (
    "without the upper cap the count only feeds the near-end branch, taken where the count is"
    " below T anyway (as _remaining__mutmut_35)"
  ),
  "optax_sched.families.restarts.x_restarting__mutmut_3": (
    "the default end_value is never used: every caller passes end_value"
  ),
  "optax_sched._math.x_cumulative_product__mutmut_17": (
    "np.cumprod(..., dtype=float32) casts each factor to float32 before multiplying: the same"
    " products"
  ),
  "optax_sched._math.x_cycle__mutmut_43": (
    "the table branch for a period of 0 (>= for >): periods reaching it are validated > 0, and"
    " a period of 0 gives no table (as x_cycle__mutmut_52)"
  ),
  "optax_sched._math.xǁ_Bucketsǁof__mutmut_15": (
    "tables built for exactly 16 bounds too: the search they stand in for gives the same count"
  ),
  "optax_sched._math.xǁ_Bucketsǁof__mutmut_35": _NO_TABLES,
  "optax_sched._math.xǁ_Bucketsǁof__mutmut_38": (
    "another count of bounds per bucket: the tables are correct for any (checked against"
    " np.searchsorted for 4 to 8)"
  ),
  "optax_sched._math.x_searchsorted_right__mutmut_23": (
    "the small-search branch at exactly 16 bounds too: the same count for every step but NaN,"
    " whose piece is not defined (0 or n already depends on the number of bounds)"
  ),
  "optax_sched.combinators.join.xǁjoin_schedulesǁdeclared_jumps__mutmut_28": (
    "a piece asked for its jumps up to end + start instead of end - start: the extra ones lie"
    " at or past the piece's end, which inner < end drops"
  ),
  "optax_sched.combinators.timing.xǁrepeatǁdeclared_jumps__mutmut_16": (
    "with stretch_cycles, j * (length / p) < length keeps only j < p, which jumps(child, p)"
    " already returns (only a child jump within an ulp of the period could differ)"
  ),
  "optax_sched.scaling.x_batch_scaled__mutmut_46": (
    "warnings.warn without its category: UserWarning is its default"
  ),
  "optax_sched.scaling.x_batch_scaled__mutmut_43": (
    "warnings.warn with category None: UserWarning, its default"
  ),
  "optax_sched.scaling.x_batch_scaled__mutmut_59": (
    "warnings.warn with category None: UserWarning, its default"
  ),
  "optax_sched.scaling.x_deepseek_llm__mutmut_21": (
    "warnings.warn without its category: UserWarning is its default"
  ),
  "optax_sched.range_test.x_lr_find__mutmut_101": (
    "np.asarray of Python ints without a dtype: int64, NumPy's default integer on 64-bit platforms"
  ),
  "optax_sched.range_test.x__loop__mutmut_79": (
    "eval_shape of update 1 for update 0: only the loss dtype is read, which the index"
    " cannot change"
  ),
  "optax_sched.range_test.x__loop__mutmut_83": (
    "the moving average starts in the default float dtype: float32 (the loss dtype) without"
    " x64; under x64 with a float32 loss a float64 average, whose stop check (with the same"
    " slack) still ends at or after the float64 one that decides what is kept"
  ),
  "optax_sched.range_test.x__loop__mutmut_13": (
    "min(i, n + 1) differs from min(i, n - 1) only at i = n, the unrolled update after the"
    " last, whose loss is dropped (out.at[n], mode='drop') and whose state is discarded"
  ),
  "optax_sched.laws.formulas.x_blocks__mutmut_35": (
    "no upper clip of the boundaries: one past T is dropped instead of marking T, whose count"
    " cumsum(marks)[:T] never reads"
  ),
  "optax_sched.laws.formulas.x_moved__mutmut_1": (
    ">= for >: differs only at a span of exactly 16 ulps of s1, or at s1 = 0, where every"
    " drop before t is 0"
  ),
  "optax_sched.laws.formulas.x_multi_power__mutmut_27": (
    "chunks of at least 2 queries: the chunk size only bounds memory (any size, the same sums)"
  ),
  "optax_sched.laws.formulas.x_multi_power__mutmut_33": (
    "the chunk sized by flat[1] for flat[0]: every array of the summary has the same shape"
  ),
  "optax_sched.laws.formulas.x_summary__mutmut_46": (
    "2 for 1 as the divisor of an empty block: its weighted sums are 0, so its means are 0"
    " either way (and its total 0)"
  ),
  "optax_sched.laws.formulas.x_summary__mutmut_75": (
    "k as integers: times the float weights they promote to the weights' dtype, the same products"
  ),
  "optax_sched.laws.formulas.x_summary__mutmut_87": _SORTED_HINT,
  "optax_sched.laws.formulas.x_blocks__mutmut_29": (
    "marks one longer: cumsum(marks)[:T] never reads the extra count"
  ),
  "optax_sched.laws.formulas.x_blocks__mutmut_31": (
    "no lower clip of the boundaries: they are >= 0 (linspace from 0, and steps are >= 1)"
  ),
  "optax_sched.laws.formulas.x_loss_drop__mutmut_30": (
    "the stand-in rate 2 for 1 only feeds the branch jnp.where discards (finite either way)"
  ),
  "optax_sched.laws.formulas.x_momentum_sum__mutmut_14": (
    "max(t - index, 1) for max(..., 0): a counted block (end <= t) has index <= end - 1, so"
    " t - index >= 1; the others are masked out"
  ),
  "optax_sched.laws.formulas.x_summary__mutmut_35": _SORTED_HINT,
  "optax_sched.laws.formulas.x_summary__mutmut_72": _SORTED_HINT,
  "optax_sched.laws.formulas.x_summary__mutmut_89": _SORTED_HINT,
  "optax_sched.laws.formulas.x_summary__mutmut_77": (
    "k as integers: times the float weights they promote to the weights' dtype, the same"
    " products (as summary__mutmut_75)"
  ),
  "optax_sched.laws.formulas.x_summary__mutmut_96": (
    "zip(strict=False): both rows hold the same four arrays"
  ),
}

MAX_CHILDREN = 2


def _module_glob(path: str) -> str:
  """``optax_sched/families/*.py`` -> ``optax_sched.families.*`` (mutant names)."""
  stem = path.removesuffix(".py").removesuffix("*").rstrip("/")
  return stem.replace("/", ".") + ".*"


def _select(paths: list[str]) -> dict[str, list[str]]:
  """Name globs per requested area or file."""
  out = {}
  for p in paths:
    if p in AREAS:
      out[p] = [_module_glob(f) for f in AREAS[p]]
    elif any(fnmatch.fnmatch(p, f) for files in AREAS.values() for f in files):
      out[p] = [_module_glob(p)]
    else:
      raise SystemExit(f"--paths {p!r}: not an area ({', '.join(AREAS)}) nor a file in one")
  return out


def _exit_codes() -> dict[str, int | None]:
  """mutmut's result per generated mutant (None: not tested)."""
  from mutmut.mutation.data import SourceFileMutationData
  from mutmut.utils.file_utils import walk_mutatable_files

  out: dict[str, int | None] = {}
  for path in walk_mutatable_files():
    data = SourceFileMutationData(path=path)
    data.load()
    out.update(data.exit_code_by_key)
  return out


def _generate(children: int) -> None:
  """mutmut's mutant generation alone (to list the names to sample)."""
  from mutmut import __main__ as mm
  from mutmut.utils.file_utils import copy_also_copy_files, copy_src_dir, setup_source_paths

  pathlib.Path("mutants").mkdir(exist_ok=True)
  copy_src_dir()
  copy_also_copy_files()
  setup_source_paths()
  mm.create_mutants(children)


def _matching(names, globs: list[str]) -> list[str]:
  return sorted(n for n in names if any(fnmatch.fnmatch(n, g) for g in globs))


def stratified_sample(by_area: dict[str, list[str]], size: int, seed: int) -> dict[str, list[str]]:
  """``size`` names drawn without replacement, each area's share proportional
  to its count (largest remainders get the rounding), each area drawn with
  its own seeded generator (``f"{seed}-{area}"``)."""
  total = sum(len(v) for v in by_area.values())
  size = min(size, total)
  quota = {a: size * len(v) / total for a, v in by_area.items()}
  share = {a: math.floor(q) for a, q in quota.items()}
  for a in sorted(quota, key=lambda a: share[a] - quota[a])[: size - sum(share.values())]:
    share[a] += 1
  return {
    a: sorted(random.Random(f"{seed}-{a}").sample(sorted(v), share[a])) for a, v in by_area.items()
  }


def wilson(k: int, n: int, z: float = 1.959964) -> tuple[float, float]:
  """The 95% Wilson score interval of a proportion ``k / n``."""
  if n == 0:
    return 0.0, 1.0
  p = k / n
  mid = (p + z * z / (2 * n)) / (1 + z * z / n)
  half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
  return max(0.0, mid - half), min(1.0, mid + half)


def score(names: list[str], codes: dict[str, int | None]) -> dict:
  """Counts per status of ``names``, the score and its interval."""
  from mutmut.stats import status_by_exit_code

  counts: dict[str, int] = {}
  not_killed, excluded, untested = [], [], []
  for name in names:
    code = codes.get(name)
    if code is None:
      untested.append(name)
      continue
    if name in EQUIVALENT:
      excluded.append(name)
      continue
    status = status_by_exit_code[code]
    counts[status] = counts.get(status, 0) + 1
    if status != "killed":
      not_killed.append(name)
  tested = sum(counts.values())
  killed = counts.get("killed", 0)
  lo, hi = wilson(killed, tested)
  return {
    "killed": killed,
    "tested": tested,
    "score": round(killed / tested, 4) if tested else None,
    "wilson95": [round(lo, 4), round(hi, 4)],
    "excluded": sorted(excluded),
    "untested": len(untested),
    "counts": counts,
    "not_killed": sorted(not_killed),
  }


def _fastest_tests_first() -> None:
  """A mutant's tests run fastest first (by mutmut's recorded durations), so
  that a killed mutant stops early; the same tests run either way."""
  from mutmut.runners.harness import PytestRunner
  from mutmut.state import state

  regular = PytestRunner._pytest_args_regular_run

  def ordered(self, tests):
    durations = state().duration_by_test
    return regular(self, sorted(tests, key=lambda t: (durations.get(t, 0.0), t)))

  PytestRunner._pytest_args_regular_run = ordered


def _collection_errors_fail() -> None:
  """A mutant that breaks the import of a test module (one that builds a
  schedule at import) fails the test run: pytest exits with a collection
  error (status 4 with node ids), which mutmut would file as a crash of its
  own ("timeout"); counted as the failure it is."""
  from mutmut.runners.harness import BadTestExecutionCommandsException, PytestRunner

  original = PytestRunner.execute_pytest

  class Errors:
    def __init__(self):
      self.count = 0

    def pytest_collectreport(self, report):
      self.count += bool(report.failed)

  def execute(self, params, **kwargs):
    errors = Errors()
    kwargs["plugins"] = [*kwargs.get("plugins", []), errors]
    try:
      return original(self, params, **kwargs)
    except BadTestExecutionCommandsException:
      if errors.count:
        return 1
      raise

  PytestRunner.execute_pytest = execute


def _line(label: str, s: dict, population: int) -> str:
  lo, hi = s["wilson95"]
  return (
    f"{label:12} {s['killed']:4d} / {s['tested']:4d} killed = {100 * (s['score'] or 0):5.1f}%  "
    f"95% CI [{100 * lo:.1f}, {100 * hi:.1f}]  of {population} mutants; "
    f"{len(s['excluded'])} equivalent excluded, {s['untested']} untested"
  )


def main(argv: list[str] | None = None) -> None:
  parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
  parser.add_argument(
    "--paths", nargs="+", default=list(AREAS), help=f"areas ({', '.join(AREAS)}) or source files"
  )
  parser.add_argument("--max-children", type=int, default=MAX_CHILDREN, help="at most 2")
  parser.add_argument("--sample", type=int, help="test this many mutants in all, drawn at random")
  parser.add_argument("--seed", type=int, default=0, help="the draw of --sample")
  parser.add_argument("--retest", action="store_true", help="re-test the sample's non-killed")
  parser.add_argument("--report", action="store_true", help="print the scores, run nothing")
  parser.add_argument("--mutants", nargs="+", help="re-test only these mutants (names from mutmut)")
  args = parser.parse_args(argv)
  os.chdir(ROOT)
  os.nice(10)  # the workers inherit it
  children = max(1, min(args.max_children, MAX_CHILDREN))
  cache = ROOT / "mutants" / ".jax_cache"
  os.environ.update(
    JAX_COMPILATION_CACHE_DIR=str(cache),
    JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS="0",
    JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES="-1",
  )

  from mutmut import __main__ as mm
  from mutmut.configuration import ForkServerWarmup, config

  preload = ROOT / "mutants" / "preload.txt"
  preload.parent.mkdir(exist_ok=True)
  preload.write_text("\n".join(PRELOAD) + "\n")
  config().pytest_add_cli_args_test_selection = TESTS
  config().forkserver_warmup = ForkServerWarmup.IMPORT
  config().preload_modules_file = str(preload)

  globs = _select(args.paths)
  _generate(children)
  codes = _exit_codes()
  by_area = {label: _matching(codes, g) for label, g in globs.items()}
  population = {label: len(v) for label, v in by_area.items()}
  if args.sample:
    chosen = stratified_sample(by_area, args.sample, args.seed)
    what = f"--sample {args.sample} --seed {args.seed}"
  else:
    chosen, what = by_area, "every mutant"
  every = [n for v in chosen.values() for n in v]
  if args.mutants:
    run = sorted(set(args.mutants))
  elif args.retest:
    run = [n for n in every if n not in EQUIVALENT and codes.get(n) not in (None, 1, 3)]
  else:
    run = [n for n in every if codes.get(n) is None]  # picks up an interrupted run
  # mutmut tests the mutants with the fastest tests first; a seeded shuffle
  # instead, so that the mutants of a run stopped early are a random subset.
  order = {n: random.Random(f"{args.seed}-{n}").random() for n in run}
  mm.estimated_worst_case_time = lambda name: order.get(name, 0.0)
  _fastest_tests_first()
  _collection_errors_fail()
  start = time.time()
  if run and not args.report:
    print(f"testing {len(run)} mutants ({what})", file=sys.stderr)
    try:
      mm._run(run, children)
    except SystemExit as e:
      if e.code not in (0, None):
        raise
  codes = _exit_codes()
  scores: dict = {"sample": what, "tests": TESTS, "wall_seconds": round(time.time() - start)}
  for label, names in chosen.items():
    scores[label] = score(names, codes) | {"population": population[label]}
    print(_line(label, scores[label], population[label]), file=sys.stderr)
  scores["overall"] = score(every, codes) | {"population": sum(population.values())}
  print(_line("overall", scores["overall"], sum(population.values())), file=sys.stderr)
  (ROOT / "mutants" / "scores.json").write_text(json.dumps(scores, indent=2))


if __name__ == "__main__":
  main()
