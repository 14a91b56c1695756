"""Draws every registered schedule name into one image (docs/gallery.png).

Each name is drawn from an example spec in ``EXAMPLES`` when it has one, or
else from arguments guessed from its field names; names that neither can
build are skipped and listed. New families, combinators and compat names
therefore show up with no change here (give them an entry in ``EXAMPLES``
for a nicer picture).

  python scripts/gallery.py [--out docs/gallery.png] [--steps 1000]
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import pathlib
import re
import sys

import matplotlib

matplotlib.use("Agg")
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.font_manager import FontProperties  # noqa: E402
from matplotlib.textpath import text_to_path  # noqa: E402

import optax_sched as sched  # noqa: E402
from optax_sched.config import public_names  # noqa: E402

_COS = "cosine_decay_schedule(1.0, 900, alpha=0.05)"
_WARM = "linear_schedule(0.0, 1.0, 100)"
_CYCLE = "dict(init_value=0.1, peak_value=1.0, warmup_steps=20, decay_steps=250)"

# Example specs over a 1000-step run, by public name. Peak LRs are 1.0 so the
# shapes compare at a glance.
EXAMPLES = {
  # optax's catalogue
  "constant_schedule": "constant_schedule(1.0)",
  "linear_schedule": "linear_schedule(1.0, 0.05, 800, 100)",
  "polynomial_schedule": "polynomial_schedule(1.0, 0.05, 2.0, 900, 50)",
  "cosine_decay_schedule": "cosine_decay_schedule(1.0, 1000, alpha=0.05)",
  "warmup_cosine_decay_schedule": "warmup_cosine_decay_schedule(0.0, 1.0, 100, 1000, 0.05)",
  "warmup_constant_schedule": "warmup_constant_schedule(0.0, 1.0, 100)",
  "warmup_exponential_decay_schedule": "warmup_exponential_decay_schedule(0.0, 1.0, 100, 100, 0.7,"
  " staircase=True)",
  "exponential_decay": "exponential_decay(1.0, 200, 0.5)",
  "piecewise_constant_schedule": "piecewise_constant_schedule(1.0, {300: 0.3, 600: 0.3, 800: 0.3})",
  "piecewise_interpolate_schedule": (
    "piecewise_interpolate_schedule('cosine', 0.1, {200: 10.0, 1000: 0.01})"
  ),
  "linear_onecycle_schedule": "linear_onecycle_schedule(1000, 1.0)",
  "cosine_onecycle_schedule": "cosine_onecycle_schedule(1000, 1.0)",
  "sgdr_schedule": f"sgdr_schedule([{', '.join([_CYCLE] * 4)}])",
  "join_schedules": f"join_schedules([{_WARM}, {_COS}], [100])",
  # families beyond optax
  "cosine_restarts_schedule": "cosine_restarts_schedule(1.0, 100,"
  " period_mult=2, decay=0.8, end_value=0.05)",
  "cosine_annealing_schedule":  # unclamped: climbs back after 300
  "cosine_annealing_schedule(1.0, 300, 0.05)",
  "cosine_cycles_schedule": "cosine_cycles_schedule(1.0, 1000, num_cycles=1.5, end_value=0.05)",
  "polynomial_decay_schedule": "polynomial_decay_schedule(1.0, 250, 0.05, power=1.0, cycle=True)",
  "warmup_polynomial_decay_schedule": (
    "warmup_polynomial_decay_schedule(0.0, 1.0, 100, 1000, 0.05, 0.5)"
  ),
  "polynomial_restarts_schedule": (
    "polynomial_restarts_schedule(1.0, 200, power=2.0, period_mult=1.5,"
    " decay=0.8, end_value=0.05, cycle_limit=None)"
  ),
  "tanh_schedule": "tanh_schedule(1.0, 300, 0.05, decay=0.7, cycle_limit=3)",
  "rsqrt_schedule": "rsqrt_schedule(1.0, 50)",
  "inverse_time_decay_schedule": "inverse_time_decay_schedule(1.0, 100, 1.0, staircase=True)",
  "step_decay_schedule": "step_decay_schedule(1.0, 200, 0.5)",
  "multistep_decay_schedule": "multistep_decay_schedule(1.0, [500, 750, 900], 0.3)",
  "constant_factor_schedule": "constant_factor_schedule(1.0, 0.3, 200)",
  "linear_factor_schedule":  # a factor ramp can decay too
  "linear_factor_schedule(1.0, 1.0, 0.1, 800)",
  "cyclic_schedule": "cyclic_schedule(0.1, 1.0, 50, 200)",
  "onecycle_schedule": "onecycle_schedule(1000, 1.0, anneal_strategy='linear', three_phase=True)",
  "tri_stage_schedule": "tri_stage_schedule(1.0, 100, 300, 500)",
  "wsd_schedule": "wsd_schedule(1.0, 800, 200, 0.05)",
  # combinators
  "warmup": f"warmup({_COS}, 100)",
  "multiply": f"multiply({_COS}, constant_schedule(0.5))",
  "add": f"add({_COS}, constant_schedule(0.1))",
  "divide": "divide(constant_schedule(1.0), linear_schedule(1.0, 5.0, 1000))",
  "scale": f"scale(warmup({_COS}, 100), 0.5)",
  "minimum": f"minimum({_COS}, constant_schedule(0.6))",
  "maximum": f"maximum({_COS}, constant_schedule(0.3))",
  "clip": f"clip({_COS}, 0.2, 0.8)",
  "shift": f"shift({_COS}, 100)",
  "hold": "hold(cosine_decay_schedule(1.0, 1000), 600)",
  "stretch": f"stretch({_COS}, 0.5)",
  "repeat": "repeat(cosine_decay_schedule(1.0, 250), 250)",
  "per_epoch": "per_epoch(cosine_decay_schedule(1.0, 10), 100)",
  "cycles":  # levanter's cycles, with falling peaks
  "cycles(cosine_decay_schedule(1.0, 380, alpha=0.1), [400, 300, 300], [20, 30, 30],"
  " peaks=[1.0, 0.7, 0.5])",
  "per_sample":  # Megatron-LM's --rampup-batch-size 16 16 64000, LR warmup in samples
  "per_sample(warmup(cosine_decay_schedule(1.0, 240_000), 16_000), 256, (16, 16, 64_000))",
  "rehorizon": "rehorizon(cosine_decay_schedule(1.0, 1000, alpha=0.05), 400, 1000, 700)",
  # PyTorch
  "torch.StepLR": "torch.StepLR(1.0, step_size=300, gamma=0.3)",
  "torch.MultiStepLR": "torch.MultiStepLR(1.0, milestones=[300, 600, 800], gamma=0.3)",
  "torch.ConstantLR": "torch.ConstantLR(1.0, factor=0.3, total_iters=200)",
  "torch.LinearLR": "torch.LinearLR(1.0, start_factor=0.1, total_iters=200)",
  "torch.ExponentialLR": "torch.ExponentialLR(1.0, gamma=0.997)",
  "torch.MultiplicativeLR": "torch.MultiplicativeLR(1.0, lr_lambda=0.997)",
  "torch.PolynomialLR": "torch.PolynomialLR(1.0, total_iters=800, power=2.0)",
  "torch.CosineAnnealingLR": "torch.CosineAnnealingLR(1.0, T_max=400, eta_min=0.05)",
  "torch.CosineAnnealingWarmRestarts": "torch.CosineAnnealingWarmRestarts(1.0, T_0=100, T_mult=2,"
  " eta_min=0.05)",
  "torch.CyclicLR": "torch.CyclicLR(0.1, max_lr=1.0, step_size_up=100, mode='triangular2')",
  "torch.OneCycleLR": "torch.OneCycleLR(max_lr=1.0, total_steps=1000)",
  "torch.SequentialLR": "torch.SequentialLR(schedulers=[torch.LinearLR(1.0,"
  " start_factor=0.1, total_iters=100), torch.CosineAnnealingLR(1.0,"
  " T_max=900)], milestones=[100])",
  "torch.ChainedScheduler": "torch.ChainedScheduler(schedulers=[torch.ConstantLR(1.0,"
  " factor=0.5, total_iters=100), torch.ExponentialLR(1.0,"
  " gamma=0.998)])",
  "piecewise_values_schedule": "piecewise_values_schedule([300, 600, 800], [1.0, 0.5, 0.2, 0.05])",
  # Hugging Face Transformers
  "transformers.get_constant_schedule": "transformers.get_constant_schedule(1.0)",
  "transformers.get_constant_schedule_with_warmup": (
    "transformers.get_constant_schedule_with_warmup(1.0, num_warmup_steps=100)"
  ),
  "transformers.get_linear_schedule_with_warmup": (
    "transformers.get_linear_schedule_with_warmup(1.0, 100, 1000)"
  ),
  "transformers.get_cosine_schedule_with_warmup": (
    "transformers.get_cosine_schedule_with_warmup(1.0, 100, 1000)"
  ),
  "transformers.get_cosine_with_hard_restarts_schedule_with_warmup": (
    "transformers.get_cosine_with_hard_restarts_schedule_with_warmup(1.0, 100, 1000, num_cycles=3)"
  ),
  "transformers.get_polynomial_decay_schedule_with_warmup": (
    "transformers.get_polynomial_decay_schedule_with_warmup(1.0, 100, 1000, lr_end=0.05, power=2.0)"
  ),
  "transformers.get_inverse_sqrt_schedule": (
    "transformers.get_inverse_sqrt_schedule(1.0, num_warmup_steps=100)"
  ),
  "transformers.get_cosine_with_min_lr_schedule_with_warmup": (
    "transformers.get_cosine_with_min_lr_schedule_with_warmup(1.0, 100, 1000, min_lr=0.1)"
  ),
  "transformers.get_cosine_with_min_lr_schedule_with_warmup_lr_rate": (
    "transformers.get_cosine_with_min_lr_schedule_with_warmup_lr_rate(1.0,"
    " num_warmup_steps=100, num_training_steps=1000, min_lr_rate=0.1)"
  ),
  "transformers.get_wsd_schedule": "transformers.get_wsd_schedule(1.0, num_warmup_steps=100,"
  " num_decay_steps=200, num_training_steps=1000)",
  # timm
  "timm.CosineLRScheduler": "timm.CosineLRScheduler(1.0, t_initial=300, lr_min=0.05, warmup_t=20,"
  " warmup_lr_init=0.05, cycle_limit=4, cycle_decay=0.7)",
  "timm.TanhLRScheduler": "timm.TanhLRScheduler(1.0, t_initial=1000,"
  " warmup_t=50, warmup_lr_init=0.05)",
  "timm.PolyLRScheduler": "timm.PolyLRScheduler(1.0, t_initial=1000,"
  " power=2.0, warmup_t=50, warmup_lr_init=0.05)",
  "timm.StepLRScheduler": "timm.StepLRScheduler(1.0, decay_t=300,"
  " decay_rate=0.3, warmup_t=50, warmup_lr_init=0.05)",
  "timm.WSDLRScheduler":  # big_vision's rsqrt with a cooldown
  "timm.WSDLRScheduler(1.0, t_initial=1000, decay_t=200, lr_min=0.05,"
  " stable_fn='rsqrt', stable_timescale=50, warmup_t=50)",
  "timm.MultiStepLRScheduler": "timm.MultiStepLRScheduler(1.0, decay_t=[300, 600, 800],"
  " decay_rate=0.3)",
  # Keras
  "keras.ExponentialDecay": "keras.ExponentialDecay(1.0, decay_steps=200, decay_rate=0.5)",
  "keras.PiecewiseConstantDecay": "keras.PiecewiseConstantDecay(boundaries=[300, 600],"
  " values=[1.0, 0.3, 0.09])",
  "keras.PolynomialDecay": "keras.PolynomialDecay(1.0, decay_steps=300,"
  " end_learning_rate=0.05, power=2.0, cycle=True)",
  "keras.InverseTimeDecay": "keras.InverseTimeDecay(1.0, decay_steps=100, decay_rate=0.5)",
  "keras.CosineDecay": "keras.CosineDecay(0.05, decay_steps=900,"
  " warmup_target=1.0, warmup_steps=100, alpha=0.05)",
  "keras.CosineDecayRestarts": "keras.CosineDecayRestarts(1.0, first_decay_steps=150, t_mul=2.0,"
  " m_mul=0.8, alpha=0.05)",
}


def guess(cls):
  """A call of ``cls`` with arguments guessed from its required fields."""
  args = {}
  for f in dataclasses.fields(cls):
    if f.default is not dataclasses.MISSING or (f.default_factory is not dataclasses.MISSING):
      continue
    name = f.name.lower()
    if name.endswith("schedules"):
      args[f.name] = [sched.from_spec(_WARM), sched.from_spec(_COS)]
    elif "schedule" in name or name == "fn":
      args[f.name] = sched.from_spec(_COS)
    elif any(k in name for k in ("milestone", "boundar")):
      args[f.name] = [300, 600]
    elif "warmup" in name:
      args[f.name] = 100
    elif any(k in name for k in ("step", "total", "iters", "period", "t_", "cycle", "epoch")):
      args[f.name] = 1000 if "total" in name or "training" in name else 300
    elif any(k in name for k in ("gamma", "rate", "factor", "mult", "decay")):
      args[f.name] = 0.5
    elif any(k in name for k in ("power", "exponent")):
      args[f.name] = 2.0
    elif "type" in name or "mode" in name:
      args[f.name] = "linear"
    else:
      args[f.name] = 1.0
  return cls(**args)


def _width(text, size):
  """The width in points of one line of ``text`` at font ``size``."""
  return text_to_path.get_text_width_height_descent(text, FontProperties(size=size), ismath=False)[
    0
  ]


def _wrap(name, width, size):
  """``name`` broken after dots and underscores into lines of ``width``."""
  lines = [""]
  for token in re.findall(r"[^._]+[._]?|[._]", name):
    if lines[-1] and _width(lines[-1] + token, size) > width:
      lines.append("")
    lines[-1] += token
  return "\n".join(lines)


def fit_title(name, width, sizes=(8, 7)):
  """``(text, fontsize)``: a title of ``name`` at most ``width`` points wide.

  One line, else broken after the origin's dot (``transformers.``), at the
  largest size that fits; else wrapped at underscores too, in two lines.
  """
  head, dot, tail = name.partition(".")
  tries = [(text, size) for size in sizes for text in (name, f"{head}.\n{tail}" if dot else name)]
  tries += [(_wrap(name, width, size), size) for size in sizes]
  for text, size in tries:
    lines = text.split("\n")
    if len(lines) <= 2 and max(_width(s, size) for s in lines) <= width:
      return text, size
  return tries[-1]


def build_all():
  """``(name, schedule)`` for every name it can build, and the skipped.

  An ``EXAMPLES`` spec that does not build raises: it is this file's bug,
  and a guessed picture in its place would hide it.
  """
  built, skipped = [], []
  for name, cls in public_names().items():
    if name in EXAMPLES:
      built.append((name, sched.from_spec(EXAMPLES[name])))
      continue
    try:
      built.append((name, guess(cls)))
    except (TypeError, ValueError) as e:
      skipped.append((name, f"guess: {' '.join(str(e).split())}"))
  return built, skipped


def main(argv=None) -> int:
  parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  parser.add_argument("--out", default="docs/gallery.png")
  parser.add_argument("--steps", type=int, default=1000)
  parser.add_argument("--cols", type=int, default=6)
  args = parser.parse_args(argv)
  built, skipped = build_all()
  rows = math.ceil(len(built) / args.cols)
  panel = 2.6  # inches
  fig = Figure(figsize=(panel * args.cols, 1.9 * rows), layout="constrained")
  axes = fig.subplots(rows, args.cols, squeeze=False).ravel()
  for ax, (name, schedule) in zip(axes, built, strict=False):  # more axes than schedules
    sched.plot(schedule, args.steps, ax=ax)
    ax.get_legend().remove()
    title, size = fit_title(name, 0.85 * 72 * panel)  # room for tick labels
    ax.set_title(title, fontsize=size)
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.tick_params(labelsize=6)
  for ax in axes[len(built) :]:
    ax.set_visible(False)
  fig.suptitle(
    f"optax_sched: every schedule over {args.steps} steps (o warmup end, * peak, dotted: restart)",
    fontsize=10,
  )
  out = pathlib.Path(args.out)
  out.parent.mkdir(parents=True, exist_ok=True)
  fig.savefig(out, dpi=80)
  print(f"{out}: {len(built)} schedules")
  for name, why in skipped:
    print(f"skipped {name}: {why}", file=sys.stderr)
  return 0


if __name__ == "__main__":
  sys.exit(main())
