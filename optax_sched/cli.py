"""The ``optax-sched`` command: see a schedule before training with it.

SPEC is a spec string (``"cosine_decay_schedule(1e-3, 1000)"``, read with
``ast``, never evaluated), a JSON or YAML config file, JSON text, or ``-``
for standard input. Commands::

  optax-sched plot SPEC... --steps N -o lr.png   # png, svg or pdf; overlays
  optax-sched show SPEC --steps N                # terminal plot + describe
  optax-sched describe SPEC --steps N [--json]
  optax-sched lint SPEC --steps N [--strict]     # exit 1 on a warning
  optax-sched list                               # every public name
  optax-sched convert SPEC --to json|yaml|spec
  optax-sched compare ...                        # train under several schedules

A bad SPEC or argument prints one line on stderr and exits with status 2.
"""

from __future__ import annotations

import argparse
import importlib
import os
import re
import sys
from collections.abc import Sequence

from optax_sched._version import __version__

PROG = "optax-sched"
_FORMATS = (".png", ".svg", ".pdf")


class _Parser(argparse.ArgumentParser):
  """Reports a usage error as one line (and exit status 2)."""

  def error(self, message: str):
    self.exit(2, f"{self.prog}: error: {_one_line(message)} (see `{self.prog} -h`)\n")


def _one_line(text: str) -> str:
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

  def command(name, help_text, spec=True, steps=True):
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
        required=True,
        help="the number of optimizer updates of the run",
      )
    return p

  p = command("plot", "draw schedules into an image (png, svg or pdf)", spec=False, steps=False)
  p.add_argument("specs", metavar="SPEC", nargs="+", help="one or more schedules, overlaid")
  p.add_argument(
    "--steps", "-n", type=_steps, required=True, help="the number of optimizer updates of the run"
  )
  p.add_argument("-o", "--output", required=True, help="the image file: .png, .svg or .pdf")
  p.add_argument("--log", action="store_true", help="logarithmic LR axis")
  p.add_argument("--labels", nargs="+", help="legend labels, one per SPEC")
  p.add_argument("--title", help="a title above the plot")
  p.add_argument(
    "--no-marks", action="store_true", help="no marks at warmup ends, peaks and restarts"
  )
  p.add_argument("--dpi", type=int, default=120)

  p = command("show", "plot a schedule in the terminal and describe it")
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
  plot(schedules, args.steps, ax=ax, log=args.log, labels=args.labels, marks=not args.no_marks)
  if args.title:
    ax.set_title(args.title)
  fig.savefig(args.output, dpi=args.dpi)
  print(args.output)
  return 0


def _show(args) -> int:
  from optax_sched.inspect import describe, lint
  from optax_sched.plotting import terminal_plot

  s = _load(args.spec)
  print(repr(s))
  print(terminal_plot(s, args.steps, width=args.width, height=args.height, log=args.log))
  print(_describe_text(describe(s, args.steps)))
  for finding in lint(s, args.steps):
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


_COMMANDS = {
  "plot": _plot,
  "show": _show,
  "describe": _describe,
  "lint": _lint,
  "list": _list,
  "convert": _convert,
}

if __name__ == "__main__":
  sys.exit(main())
