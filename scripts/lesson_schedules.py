"""Prints the optax lesson's schedules at a few steps and plots them.

python scripts/lesson_schedules.py [--out lesson_schedules.png]
"""

import argparse

import numpy as np

import optax_sched as sched

LESSON = {
  "constant": sched.constant_schedule(1e-3),
  "linear warmup": sched.linear_schedule(0.0, 1e-3, 1000),
  "cosine (alpha=0.1)": sched.cosine_decay_schedule(1e-3, 10_000, alpha=0.1),
  "warmup + cosine": sched.warmup_cosine_decay_schedule(0.0, 1e-3, 1000, 10_000, 1e-5),
  "exponential": sched.exponential_decay(1e-3, 1000, 0.5),
  "polynomial": sched.polynomial_schedule(1e-3, 1e-5, 2.0, 10_000),
}


def main():
  parser = argparse.ArgumentParser(description=__doc__)
  parser.add_argument("--out", default="lesson_schedules.png")
  args = parser.parse_args()
  steps = np.arange(15_000)
  print(f"{'schedule':<22}" + "".join(f"{k:>12}" for k in (0, 1000, 5000, 10000, 14999)))
  for name, s in LESSON.items():
    print(f"{name:<22}" + "".join(f"{float(s(k)):12.3e}" for k in (0, 1000, 5000, 10000, 14999)))
  import matplotlib

  matplotlib.use("Agg")
  import matplotlib.pyplot as plt

  fig, ax = plt.subplots(figsize=(8, 4.5))
  for name, s in LESSON.items():
    ax.plot(steps, np.asarray(s(steps)), label=name)
  ax.set_xlabel("step")
  ax.set_ylabel("learning rate")
  ax.legend()
  fig.tight_layout()
  fig.savefig(args.out, dpi=120)
  print(f"wrote {args.out}")


if __name__ == "__main__":
  main()
