"""The lessons' exercise: one problem under six LR schedules, 3 seeds each, one plot.

    python scripts/lesson_exercise.py [--epochs 5] [--out exercise_out]
        [--schedules constant,steplr,cosine,warmup_cosine,onecycle,wsd]
        [--seeds 3] [--seed 0] [--batch-size 32] [--lr 3e-2]
        [--problem digits|charlm|charlm_tiny] [--post-ln]

Same as ``optax-sched compare`` and ``python -m optax_sched.exercise``.
"""

import argparse
import sys

from optax_sched import exercise


def main() -> int:
  parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
  exercise.add_arguments(parser)
  return exercise.run(parser.parse_args())


if __name__ == "__main__":
  sys.exit(main())
