"""The problem shared by the multi-device tests and their worker processes."""

import optax_sched as sched
from optax_sched import exercise

BATCH = 64
SCHEDULE = sched.warmup_cosine_decay_schedule(0.0, 2e-2, 4, 40, 1e-4)


def problem():
  return exercise.load_problem(seed=5, epochs=1, batch_size=BATCH)
