"""The ``optax-sched`` command: see a schedule before training with it.

SPEC is a spec string (``"cosine_decay_schedule(1e-3, 1000)"``, read with
``ast``, never evaluated), a JSON or YAML config file, JSON text, or ``-``
for standard input. Commands::

  optax-sched plot SPEC... [--steps N] -o lr.png # png, svg or pdf; overlays
  optax-sched show SPEC [--steps N]              # terminal plot + describe
  optax-sched describe SPEC --steps N [--json]
  optax-sched lint SPEC --steps N [--strict]     # exit 1 on a warning
  optax-sched list                               # every public name
  optax-sched convert SPEC --to json|yaml|spec
  optax-sched fit LOG [--schedule SPEC] [--predict SPEC...] [-o fit.png]
  optax-sched compare ...                        # train under several schedules
  optax-sched lr-find -o lr_find.png             # range test on a built-in problem
  optax-sched optimize --steps N --peak P --log LOG   # the schedule a fitted law prefers

``plot`` and ``show`` default ``--steps`` to the schedule's natural length
(``optax_sched.lengths.natural_length``: the run it was written for); a
schedule with no end needs ``--steps``. A bad SPEC or argument prints one
line on stderr and exits with status 2.
"""

from __future__ import annotations

import argparse
import importlib
import os
import re
import sys
import warnings
from collections.abc import Sequence

from optax_sched._version import __version__

PROG = "optax-sched"
_FORMATS = (".png", ".svg", ".pdf")


class _Parser(argparse.ArgumentParser):
  """Reports a usage error as one line (and exit status 2)."""

  def error(self, message: str):
    self.exit(2, f"{self.prog}: error: {_one_line(message)} (see `{self.prog} -h`)\n")


def _one_line(text: object) -> str:
  return " ".join(str(text).split())


def _steps(text: str) -> int:
  """``1000``, ``100_000`` or ``1e5``: a whole number of updates >= 1."""
  try:
    value = float(text.replace("_", ""))
  except ValueError:
    value = float("nan")
  if not (value >= 1 and value == int(value) and value < 2**31):
    raise argparse.ArgumentTypeError(f"{text!r} is not a number of steps (a whole number >= 1)")
  return int(value)


_NATURAL_HELP = (
  "the number of optimizer updates of the run (default: the length the schedule"
  " was written for, such as a decay's decay_steps)"
)


def _run_length(schedules, steps: int | None) -> int:
  """``--steps``, else the longest natural length of ``schedules``."""
  if steps is not None:
    return steps
  from optax_sched.lengths import natural_length

  # A spec per parameter group ({label: schedule}) counts each of its schedules.
  flat = [x for s in schedules for x in (s.values() if isinstance(s, dict) else [s])]
  lengths = [natural_length(s) for s in flat]
  known = [n for n in lengths if n is not None]
  if not known:
    which = "this schedule has no" if len(schedules) == 1 else "none of these schedules has a"
    raise ValueError(
      f"{which} natural length (a run it was written for, such as a decay's decay_steps):"
      " give --steps N"
    )
  return max(known)


def build_parser() -> argparse.ArgumentParser:
  parser = _Parser(
    prog=PROG,
    description=(
      "See a learning-rate schedule before training with it. SPEC is a call"
      " such as 'warmup_cosine_decay_schedule(0.0, 1e-3, 100, 1000)', a"
      " JSON/YAML config file, or - for standard input."
    ),
  )
  parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
  commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

  def command(name, help_text, spec=True, steps=True, natural=False):
    p = commands.add_parser(name, help=help_text, description=help_text)
    if spec:
      p.add_argument(
        "spec",
        metavar="SPEC",
        help="a spec string, a JSON or YAML config file, or - for standard input",
      )
    if steps:
      p.add_argument(
        "--steps",
        "-n",
        type=_steps,
        required=not natural,
        help=_NATURAL_HELP if natural else "the number of optimizer updates of the run",
      )
    return p

  p = command("plot", "draw schedules into an image (png, svg or pdf)", spec=False, steps=False)
  p.add_argument("specs", metavar="SPEC", nargs="+", help="one or more schedules, overlaid")
  p.add_argument("--steps", "-n", type=_steps, help=_NATURAL_HELP)
  p.add_argument("-o", "--output", required=True, help="the image file: .png, .svg or .pdf")
  p.add_argument("--log", action="store_true", help="logarithmic LR axis")
  p.add_argument("--labels", nargs="+", help="legend labels, one per SPEC")
  p.add_argument("--title", help="a title above the plot")
  p.add_argument(
    "--no-marks", action="store_true", help="no marks at warmup ends, peaks and restarts"
  )
  p.add_argument("--dpi", type=int, default=120)

  p = command("show", "plot a schedule in the terminal and describe it", natural=True)
  p.add_argument("--log", action="store_true", help="logarithmic LR axis")
  p.add_argument("--width", type=int, default=76)
  p.add_argument("--height", type=int, default=14)

  p = command("describe", "print init, peak, warmup, final, min, mean and zero-LR steps")
  p.add_argument("--json", action="store_true", help="print JSON")

  p = command("lint", "find common mistakes (exit status 1 on a warning)")
  p.add_argument(
    "--strict", action="store_true", help="exit status 1 on any finding, info included"
  )

  command("list", "every schedule name with a one-line summary", spec=False, steps=False)

  p = command("convert", "print a schedule as a JSON or YAML config or a spec", steps=False)
  p.add_argument("--to", choices=("json", "yaml", "spec"), required=True)

  _add_fit_command(commands)

  _add_choose_commands(commands)
  commands.add_parser(
    "compare",
    add_help=False,
    help=f"train one model under several schedules and compare them (see `{PROG} compare -h`)",
  )
  return parser


def main(argv: Sequence[str] | None = None) -> int:
  argv = list(sys.argv[1:] if argv is None else argv)
  if argv[:1] == ["compare"]:
    return _compare(argv[1:])
  args = build_parser().parse_args(argv)
  # Inspecting a schedule needs no accelerator: leave them to training jobs.
  if "JAX_PLATFORMS" not in os.environ:
    import jax

    jax.config.update("jax_platforms", "cpu")
  try:
    with warnings.catch_warnings():
      # A warning is one line too, not a source line of the library.
      warnings.showwarning = lambda message, *_, **__: print(
        f"{PROG} {args.command}: warning: {_one_line(message)}", file=sys.stderr
      )
      return _COMMANDS[args.command](args)
  except ValueError as e:
    print(f"{PROG} {args.command}: error: {_one_line(e)}", file=sys.stderr)
    return 2
  except BrokenPipeError:
    # The reader (`| head`) has gone: stop quietly, as other tools do.
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0
  except OSError as e:
    print(f"{PROG} {args.command}: error: {_one_line(e)}", file=sys.stderr)
    return 2


def _load(spec: str):
  from optax_sched.config import load

  if spec == "-":
    return load(sys.stdin.read())
  return load(spec)


def _plot(args) -> int:
  suffix = os.path.splitext(args.output)[1].lower()
  if suffix not in _FORMATS:
    raise ValueError(f"-o {args.output}: the image must end in " + ", ".join(_FORMATS))
  schedules = [_load(s) for s in args.specs]
  try:
    from matplotlib.figure import Figure
  except ModuleNotFoundError:
    raise ValueError("plot needs matplotlib: pip install 'optax-sched[plot]'") from None
  from optax_sched.plotting import plot

  fig = Figure(figsize=(8, 4.5), layout="constrained")
  ax = fig.add_subplot()
  steps = _run_length(schedules, args.steps)
  plot(schedules, steps, ax=ax, log=args.log, labels=args.labels, marks=not args.no_marks)
  if args.title:
    ax.set_title(args.title)
  fig.savefig(args.output, dpi=args.dpi)
  print(args.output)
  return 0


def _show(args) -> int:
  from optax_sched.inspect import describe, lint
  from optax_sched.plotting import terminal_plot

  s = _load(args.spec)
  steps = _run_length([s], args.steps)
  print(repr(s) if args.steps is not None else f"{s!r}  (over its natural length: {steps} steps)")
  print(terminal_plot(s, steps, width=args.width, height=args.height, log=args.log))
  print(_describe_text(describe(s, steps)))
  for finding in lint(s, steps):
    print(finding)
  return 0


def _describe(args) -> int:
  import json

  from optax_sched.inspect import describe

  facts = describe(_load(args.spec), args.steps)
  print(json.dumps(facts, indent=2) if args.json else _describe_text(facts))
  return 0


def _describe_text(facts: dict) -> str:
  width = max(map(len, facts))
  return "\n".join(f"{k:<{width}}  {v}" for k, v in facts.items())


def _lint(args) -> int:
  from optax_sched.inspect import lint

  findings = lint(_load(args.spec), args.steps)
  for finding in findings:
    print(finding)
  if not findings:
    print("no findings")
  failing = [f for f in findings if args.strict or f.severity != "info"]
  return 1 if failing else 0


def _list(args) -> int:
  print("\n".join(list_lines()))
  return 0


#: The widest line ``optax-sched list`` prints.
LIST_WIDTH = 100


def list_lines() -> list[str]:
  """Every public name with a one-line summary, grouped: optax's names,
  the native families, each compat library, the combinators."""
  import optax_sched as sched
  from optax_sched.config import public_names

  names = public_names()
  groups: dict[str, list[str]] = {
    "optax (same names, arguments and values as optax)": list(sched.OPTAX_NAMES),
    "combinators (schedules built from schedules)": [
      n for n in sched.COMBINATOR_NAMES if n in names and n not in sched.OPTAX_NAMES
    ],
  }
  taken = {n for members in groups.values() for n in members}
  native = [n for n in names if "." not in n and n not in taken]
  groups = {
    next(iter(groups)): groups[next(iter(groups))],
    "native families": native,
    **{
      f"compat {lib} (optax_sched.compat.{lib}; in a spec: {lib}.NAME)": [
        n for n in names if n.startswith(lib + ".")
      ]
      for lib in sorted({n.split(".")[0] for n in names if "." in n})
    },
    **dict(list(groups.items())[1:]),
  }
  lines = []
  for title, members in groups.items():
    if not members:
      continue
    # Compat names without their library: the title says which it is.
    shown = [n.split(".", 1)[-1] for n in members]
    width = max(map(len, shown))
    lines += ["" if lines else None, title]
    for name, label in zip(members, shown, strict=True):
      head = f"  {label:<{width}}  "
      lines.append((head + _fit(summary(names[name]), LIST_WIDTH - len(head))).rstrip())
  return [line for line in lines if line is not None]


def summary(cls: type) -> str:
  """The first sentence of a class's docstring, as plain text."""
  doc = (cls.__dict__.get("__doc__") or "").strip()
  paragraph = " ".join(doc.split("\n\n")[0].split())
  text = plain(paragraph)
  end = re.search(r"\.(\s|$)", text)
  return text[: end.start() + 1] if end else text


def plain(text: str) -> str:
  """reStructuredText roles and literals as plain text (``:class:`~a.b``` -> ``b``)."""
  text = re.sub(r":[a-z]+:`~?([^`]*)`", lambda m: m.group(1).split(".")[-1], text)
  text = re.sub(r"``([^`]*)``", r"\1", text)
  text = re.sub(r"`([^`]*)`", r"\1", text)
  return re.sub(r"\*\*?([^*\s][^*]*)\*\*?", r"\1", text)


def _fit(text: str, width: int) -> str:
  """``text`` cut at a word to at most ``width`` characters (``...`` marks a cut)."""
  if len(text) <= width:
    return text
  return text[: width - 3].rsplit(" ", 1)[0].rstrip(",;:(") + "..."


def _convert(args) -> int:
  from optax_sched import config

  s = _load(args.spec)
  text = {"json": config.to_json, "yaml": config.to_yaml, "spec": config.to_spec}[args.to](s)
  print(text.rstrip("\n"))
  return 0


def _compare(argv: list[str]) -> int:
  """``compare`` lives in ``optax_sched.exercise`` (imported only here)."""
  try:
    exercise = importlib.import_module("optax_sched.exercise")
  except ModuleNotFoundError as e:
    missing = e.name or "a module"
    if missing == "optax_sched.exercise":
      print(
        f"{PROG} compare: error: this installation has no compare"
        " command (optax_sched.exercise is missing)",
        file=sys.stderr,
      )
    else:
      print(
        f"{PROG} compare: error: compare needs {missing.split('.')[0]}:"
        " pip install 'optax-sched[examples]'",
        file=sys.stderr,
      )
    return 2
  parser = _Parser(
    prog=f"{PROG} compare",
    description=("Train one model under several schedules and compare them."),
  )
  exercise.add_arguments(parser)
  args = parser.parse_args(argv)
  try:
    return int(exercise.run(args) or 0)
  except ValueError as e:
    print(f"{PROG} compare: error: {_one_line(e)}", file=sys.stderr)
    return 2


# ---- choosing before training: lr-find ----


def _add_fit_command(commands) -> None:
  """``fit`` (run by ``optax_sched.laws.command``; declared here so ``--help`` imports no JAX)."""
  text = "fit a loss-curve law on a training log and predict the loss of other schedules"
  p = commands.add_parser("fit", help=text, description=text)
  p.add_argument(
    "log",
    metavar="LOG",
    help="CSV (step,loss[,lr]), JSON lines with those keys, or a TensorBoard event file or run"
    " directory (pip install 'optax-sched[tensorboard]')",
  )
  p.add_argument("--schedule", metavar="SPEC", help="the run's schedule (when LOG has no lr)")
  p.add_argument(
    "--loss-tag",
    metavar="TAG",
    help="TensorBoard: the loss's scalar tag (default: loss, train/loss...)",
  )
  p.add_argument(
    "--lr-tag",
    metavar="TAG",
    help="TensorBoard: the rate's scalar tag (default: lr, learning_rate...)",
  )
  p.add_argument(
    "--law", default="auto", choices=("auto", "multi_power", "momentum", "power"), help="the law"
  )
  p.add_argument("--predict", metavar="SPEC", nargs="+", default=[], help="candidate schedules")
  p.add_argument("--steps", "-n", type=_steps, help="candidates' length (default: LOG's)")
  p.add_argument("-o", "--output", help="an image of the fitted and predicted curves")
  p.set_defaults(load=_load)


def _add_choose_commands(commands) -> None:
  p = commands.add_parser(
    "lr-find",
    help="the learning-rate range test on a built-in problem; plot and suggestions",
    description="Runs sched.lr_find (fastai's range test, AdamW) on a built-in problem of"
    " `compare` (the first epoch's batches), prints the suggested peak rates and writes the plot.",
  )
  p.add_argument("-o", "--output", default="lr_find.png", help="the plot: .png, .svg or .pdf")
  p.add_argument(
    "--problem",
    default="digits",
    help="digits (the MLP, default), charlm (the character transformer) or charlm_tiny",
  )
  p.add_argument("--seed", type=int, default=0, help="data split, initial parameters, order")
  p.add_argument("--seeds", type=int, default=1, help="runs at once (vmapped), K >= 1")
  p.add_argument("--num-steps", type=_steps, default=100)
  p.add_argument("--min-lr", type=float, default=1e-7)
  p.add_argument("--max-lr", type=float, default=10.0)
  p.add_argument("--batch-size", type=_steps, default=32)

  p = commands.add_parser(
    "optimize",
    help="the schedule a loss-curve law predicts to end lowest, as a spec (and a plot)",
    description="Fits a law on a log (columns step, loss and lr, or --schedule for the rates)"
    " or takes its parameters (--law NAME --param K=V ...), runs sched.optimize_schedule and"
    " prints the result as a spec with its predicted final loss next to cosine, linear and WSD.",
  )
  p.add_argument("--steps", "-n", type=_steps, required=True, help="updates of the run to plan")
  p.add_argument("--peak", type=float, required=True, help="the largest rate allowed")
  p.add_argument("--warmup", type=int, default=0, help="updates of linear warmup (default 0)")
  p.add_argument("--log", help="a CSV or JSON-lines log: step, loss and optionally lr")
  p.add_argument("--schedule", metavar="SPEC", help="the logged run's schedule (no lr column)")
  p.add_argument("--law", default="auto", help="the law to fit, or with --param its name")
  p.add_argument("--param", nargs="+", metavar="K=V", help="the law's parameters (no fit)")
  p.add_argument("-o", "--output", help="plot the schedules and predicted losses (png/svg/pdf)")


def _read_log(path: str):
  from optax_sched.laws.command import read_log

  return read_log(path)


def _law_from_args(args):
  from optax_sched.laws import LossLaw, fit_loss_law
  from optax_sched.laws.formulas import LAWS

  if args.param:
    if args.law not in LAWS:
      raise ValueError(
        f"--law {args.law}: with --param give the law's name: {', '.join(LAWS)}"
        " (auto chooses only when fitting a --log)"
      )
    values = {}
    for item in args.param:
      key, sep, value = item.partition("=")
      try:
        values[key] = float(value)
      except ValueError:
        sep = ""
      if not sep:
        raise ValueError(f"--param {item}: give NAME=NUMBER")
    return LossLaw(args.law, values)
  if not args.log:
    raise ValueError("give --log LOG (a run to fit the law on) or --param K=V ... (its parameters)")
  from optax_sched.laws.command import rates

  cols = _read_log(args.log)
  lrs = rates(cols, args.schedule, _load)
  return fit_loss_law(lrs, cols["loss"], cols["step"], law=args.law)


def _optimize(args) -> int:
  import numpy as np

  from optax_sched.config import to_spec
  from optax_sched.optimize import optimize_schedule, reference_schedules

  if args.output and os.path.splitext(args.output)[1].lower() not in _FORMATS:
    raise ValueError(f"-o {args.output}: the image must end in " + ", ".join(_FORMATS))
  # Checked before the law is fitted (which takes seconds), by their options' names.
  if not 0 < args.peak < float("inf"):
    raise ValueError(f"--peak {args.peak}: must be a finite rate > 0")
  if not 0 <= args.warmup < args.steps - 1:
    raise ValueError(f"--warmup {args.warmup}: must be >= 0 and < --steps - 1 = {args.steps - 1}")
  law = _law_from_args(args)
  print(f"law: {law!r}")
  best = optimize_schedule(law, args.steps, args.peak, warmup_steps=args.warmup)
  candidates = {"optimized": best, **reference_schedules(args.steps, args.peak, args.warmup)}
  t = np.arange(args.steps)
  curves = {k: np.asarray(law.predict(np.asarray(s(t), np.float32))) for k, s in candidates.items()}
  print(to_spec(best))
  print(f"{'schedule':<10}  predicted final loss")
  for name, c in curves.items():
    print(f"{name:<10}  {c[-1]:.6g}")
  if args.output:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(10, 4), layout="constrained")
    a, b = fig.subplots(1, 2)
    for name, s in candidates.items():
      width = 2.2 if name == "optimized" else 1.2
      a.plot(t, np.asarray(s(t)), lw=width, label=name)
      b.plot(t[1:] + 1, curves[name][1:], lw=width, label=f"{name}: {curves[name][-1]:.4g}")
    a.set_xlabel("update")
    a.set_ylabel("learning rate")
    a.legend()
    b.set_xlabel("update")
    b.set_ylabel("predicted loss")
    b.set_yscale("log")
    tail = np.concatenate([c[args.steps // 10 :] for c in curves.values()])
    b.set_ylim(tail.min() * 0.995, tail.max() * 1.005)
    b.legend(title="final")
    fig.savefig(args.output, dpi=120)
    print(args.output)
  return 0


def _lr_find(args) -> int:
  suffix = os.path.splitext(args.output)[1].lower()
  if suffix not in _FORMATS:
    raise ValueError(f"-o {args.output}: the image must end in " + ", ".join(_FORMATS))
  if args.seeds < 1:
    raise ValueError(f"--seeds={args.seeds} is not allowed: it must be >= 1")
  try:
    from matplotlib.figure import Figure

    from optax_sched import problems

    if args.problem not in problems.PROBLEMS:
      raise ValueError(
        f"--problem={args.problem!r} is not allowed: choose from " + ", ".join(problems.PROBLEMS)
      )
    problem = problems.load_problem(args.problem, args.seed, 1, args.batch_size)
  except ModuleNotFoundError as e:
    raise ValueError(f"lr-find needs {e.name}: pip install 'optax-sched[examples]'") from None
  from optax_sched.range_test import AUTO, lr_find

  batches = (problem.x_train[problem.order[0]], problem.y_train[problem.order[0]])
  try:
    finder = lr_find(
      lambda params, batch: problems.loss(problem.model, params, *batch),
      problem.params,
      batches,  # the default optimizer is the exercise's: AdamW with optax.adamw's defaults
      min_lr=args.min_lr,
      max_lr=args.max_lr,
      num_steps=args.num_steps,
      seeds=None if args.seeds == 1 else list(range(args.seed, args.seed + args.seeds)),
    )
  except ValueError as e:  # lr_find names its arguments; here they are options
    options = r"\b(min_lr|max_lr|num_steps)\b"
    raise ValueError(re.sub(options, lambda m: "--" + m[1].replace("_", "-"), str(e))) from None
  for name, lr in finder.suggestions.items():
    print(f"{name:<9} {lr:.3g}")
  print(f"suggestion {finder.suggestion:.3g}  ({finder.method}: {AUTO})")
  fig = Figure(figsize=(7, 4.2), layout="constrained")
  ax = finder.plot(fig.add_subplot())
  ax.set_title(f"lr_find on {args.problem} (AdamW, batch {args.batch_size})")
  fig.savefig(args.output, dpi=120)
  print(args.output)
  return 0


_COMMANDS = {
  "plot": _plot,
  "show": _show,
  "describe": _describe,
  "lint": _lint,
  "list": _list,
  "convert": _convert,
  "fit": lambda args: importlib.import_module("optax_sched.laws.command").run(args),
  "lr-find": _lr_find,
  "optimize": _optimize,
}

if __name__ == "__main__":
  sys.exit(main())
