"""natural_length: the run a schedule was written for (None when it never ends)."""

import pytest
from every_example import every_example

import optax_sched as sched
from optax_sched.compat import timm, torch, transformers
from optax_sched.lengths import natural_length

COS = sched.cosine_decay_schedule(1.0, 900)

CASES = [
  (sched.cosine_decay_schedule(1.0, 1000), 1000),
  (sched.warmup_cosine_decay_schedule(0.0, 1.0, 100, 1000), 1000),  # optax: decay_steps is total
  (sched.linear_schedule(1.0, 0.0, 500, transition_begin=100), 600),
  (sched.warmup(COS, 100), 1000),  # the cosine starts after the warmup
  (sched.warmup(COS, 100, prefix=False), 900),  # the warmup overrides its first steps
  (sched.join_schedules([sched.linear_schedule(0.0, 1.0, 100), COS], [100]), 1000),
  (sched.join_schedules([COS, sched.constant_schedule(0.0)], [900]), None),
  (sched.shift(COS, 50), 950),
  (sched.shift(COS, -1), 899),
  (sched.hold(COS, 700), 700),
  (sched.stretch(COS, 1.5), 1350),
  (sched.per_epoch(sched.cosine_decay_schedule(1.0, 90), 100), 9000),
  (sched.per_sample(sched.cosine_decay_schedule(1.0, 1000), 10), 100),
  (sched.per_sample(sched.cosine_decay_schedule(1.0, 112), 64, (16, 16, 96)), 4),
  (sched.cycles(COS, [1000, 500, 500], warmup_steps=[100, 50, 50]), 2000),
  (sched.multiply(COS, sched.linear_schedule(0.5, 1.0, 1200)), 1200),
  (0.5 * COS, 900),
  (sched.repeat(COS, 900), None),
  (sched.constant_schedule(1.0), None),
  (sched.exponential_decay(1.0, 100, 0.5), None),
  (sched.cosine_restarts_schedule(1.0, 100, period_mult=2.0, cycle_limit=3), 700),
  (torch.CosineAnnealingLR(1.0, T_max=400), 400),
  (torch.OneCycleLR(max_lr=1.0, total_steps=1000), 1000),
  (torch.StepLR(1.0, step_size=30), None),
  (transformers.get_linear_schedule_with_warmup(1.0, 100, 1000), 1000),
  (timm.CosineLRScheduler(1.0, t_initial=300, warmup_t=20, cycle_limit=2), 600),
  (timm.CosineLRScheduler(1.0, t_initial=300, warmup_t=20, warmup_prefix=True), 320),
]


@pytest.mark.parametrize("schedule, expected", CASES, ids=[repr(c[0])[:60] for c in CASES])
def test_natural_length(schedule, expected):
  assert natural_length(schedule) == expected


@pytest.mark.parametrize("name, build", sorted(every_example().items()))
def test_every_public_name_has_a_length_or_none(name, build):
  n = natural_length(build())
  assert n is None or (isinstance(n, int) and n >= 1)


def test_not_a_schedule_has_none():
  assert natural_length(lambda t: 1.0) is None
