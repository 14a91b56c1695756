"""per_sample: a schedule counted in consumed samples while the batch ramps up.

The reference is Megatron-LM's rule, written here in plain Python from its
source (megatron/core/num_microbatches_calculator.py,
RampupBatchsizeNumMicroBatchesCalculator.update, and the training loop that
advances OptimizerParamScheduler by the batch of each update): before update
t the calculator sees the samples consumed so far, c; the batch is the global
batch when c > R, else start + int(c / (R / n)) * increment.
"""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import optax_sched as sched

SAMPLES = jax.jit(lambda s, t: s.samples(t))  # one compiled program per ramp


def megatron_consumed(global_batch, ramp, updates, exact=False):
  """Samples consumed before each update, by Megatron-LM's rule (float division,
  as Megatron writes it, or the exact integer floor)."""
  start, increment, samples = ramp
  n = (global_batch - start) // increment
  per_increment = samples / n
  consumed, out = 0, []
  for _ in range(updates):
    out.append(consumed)
    if consumed > samples:
      batch = global_batch
    else:
      stages = consumed * n // samples if exact else int(consumed / per_increment)
      batch = start + stages * increment
    consumed += batch
  return np.asarray(out)


def megatron_cosine_lr(consumed, max_lr, min_lr, warmup, decay):
  """OptimizerParamScheduler.get_lr, cosine style, counted in samples."""
  if warmup > 0 and consumed <= warmup:
    return max_lr * consumed / warmup
  if consumed > decay:
    return min_lr
  ratio = (consumed - warmup) / (decay - warmup)
  return min_lr + 0.5 * (math.cos(math.pi * ratio) + 1.0) * (max_lr - min_lr)


# Megatron-LM's GPT-3 175B example: --global-batch-size 1536
# --rampup-batch-size 16 16 5859375 (examples/gpt3/train_gpt3_175b_distributed.sh).
GPT3 = (1536, (16, 16, 5_859_375))


@pytest.mark.parametrize(
  "global_batch, ramp",
  [GPT3, (64, (16, 16, 96)), (1024, (256, 128, 50_000)), (8, (1, 1, 7)), (512, (32, 32, 1000))],
)
def test_consumed_samples_follow_megatron(global_batch, ramp):
  s = sched.per_sample(sched.constant_schedule(1.0), global_batch, ramp)
  updates = 25_000 if global_batch == GPT3[0] else 2_000  # GPT-3's ramp: ~20k updates
  expected = megatron_consumed(global_batch, ramp, updates)
  np.testing.assert_array_equal(np.asarray(SAMPLES(s, jnp.arange(updates))), expected)


def test_the_lr_follows_samples_as_in_megatron_gpt3():
  # --lr 6.0e-5 --min-lr 6.0e-6 --lr-decay-style cosine --lr-warmup-samples 183105
  # --lr-decay-samples 126953125 (Megatron-LM's former examples/pretrain_gpt3_175B.sh).
  warmup, decay = 183_105, 126_953_125
  lr = sched.warmup(
    sched.cosine_decay_schedule(6e-5, decay - warmup, alpha=0.1), warmup, prefix=True
  )
  s = sched.per_sample(lr, *GPT3)
  with jax.enable_x64(True):
    t = np.arange(0, 12_000, 7)
    got = np.asarray(jax.jit(s)(t))
  consumed = megatron_consumed(*GPT3, 12_000)[t]
  expected = [megatron_cosine_lr(c, 6e-5, 6e-6, warmup, decay) for c in consumed]
  np.testing.assert_allclose(got, expected, rtol=1e-12, atol=0)


def test_exact_where_megatron_float_division_rounds_down():
  # n = 95 increments, R = 28272: before update 64, 4464 samples are consumed,
  # exactly 15 increments' worth (4464 * 95 / 28272 = 15); Megatron computes
  # int(4464 / (28272 / 95)) = 14 and uses a batch 16 smaller.
  ramp = (16, 16, 28_272)
  s = sched.per_sample(sched.constant_schedule(1.0), 1536, ramp)
  exact = megatron_consumed(1536, ramp, 200, exact=True)
  rounded = megatron_consumed(1536, ramp, 200)
  np.testing.assert_array_equal(np.asarray(SAMPLES(s, jnp.arange(200))), exact)
  assert (exact[63], exact[64], rounded[64]) == (4464, 4720, 4704)


def test_random_ramps_match_the_exact_integer_rule():
  rng = np.random.default_rng(0)
  for _ in range(12):
    start, increment = (int(x) for x in rng.integers(1, 40, 2))
    n = int(rng.integers(1, 30))
    ramp = (start, increment, int(rng.integers(1, 50_000)))
    g = start + n * increment
    s = sched.per_sample(sched.constant_schedule(1.0), g, ramp)
    expected = megatron_consumed(g, ramp, 500, exact=True)
    np.testing.assert_array_equal(np.asarray(SAMPLES(s, jnp.arange(500))), expected, str(ramp))


def test_constant_batch_counts_t_times_the_batch():
  s = sched.per_sample(sched.linear_schedule(0.0, 1.0, 1000), 10)
  assert [float(s(t)) for t in (0, 50, 100, 200)] == [0.0, 0.5, 1.0, 1.0]


def test_samples_saturate_instead_of_overflowing_int32():
  s = sched.per_sample(sched.constant_schedule(1.0), *GPT3)
  big = np.asarray(s.samples(jnp.asarray([2**31 - 1, 10**7], jnp.int32)))
  assert big[0] == 2**31 - 1
  reference = megatron_consumed(*GPT3, 25_000)
  assert big[1] == 2**31 - 1  # 1e7 updates of 1536 samples: beyond int32
  assert int(s.samples(10**6)) == reference[-1] + (10**6 - 24_999) * 1536


def test_float_and_traced_steps_and_config():
  s = sched.per_sample(sched.linear_schedule(0.0, 1.0, 200), 64, (16, 16, 96))
  assert float(s(4.0)) == float(s(4)) == float(s(4.7))
  np.testing.assert_array_equal(jax.jit(s)(jnp.arange(7)), s(jnp.arange(7)))
  np.testing.assert_array_equal(jax.vmap(s)(jnp.arange(7)), s(jnp.arange(7)))
  assert sched.from_config(sched.to_config(s)) == s
  assert sched.from_spec(repr(s)) == s
  assert sched.from_spec("per_sample(constant_schedule(1.0), 64, [16, 16, 96])") == (
    sched.per_sample(sched.constant_schedule(1.0), 64, (16, 16, 96))
  )
  # The child's hyperparameters stay leaves: a gradient through the warp.
  grad = jax.grad(lambda p: s.replace(schedule=sched.linear_schedule(0.0, p, 200))(3))(1.0)
  assert float(grad) == pytest.approx(64 / 200)


def test_child_jumps_map_to_the_first_update_that_reaches_them():
  child = sched.piecewise_constant_schedule(1.0, {100: 0.5})
  s = sched.per_sample(child, 64, (16, 16, 96))
  (jump,) = s.declared_jumps(20)
  assert float(s(jump - 1)) == 1.0 and float(s(jump)) == 0.5


@pytest.mark.parametrize(
  "kwargs, part",
  [
    (dict(global_batch_size=0), "global_batch_size=0"),
    (dict(global_batch_size=64.0), "global_batch_size=64.0"),
    (dict(global_batch_size=64, rampup_batch_size=(16, 16)), "rampup_batch_size=(16, 16)"),
    (dict(global_batch_size=64, rampup_batch_size=(16, 0, 96)), "increment=0"),
    (dict(global_batch_size=64, rampup_batch_size=(16, 16, 0)), "samples=0"),
    (dict(global_batch_size=64, rampup_batch_size=(16, 20, 96)), "multiple of the increment"),
    (dict(global_batch_size=16, rampup_batch_size=(64, 16, 96)), "must be >= 0"),
    (dict(global_batch_size=64, rampup_batch_size=(16, 16, 2**31)), "samples + global"),
  ],
)
def test_bad_ramps_raise_value_errors_naming_them(kwargs, part):
  with pytest.raises(ValueError, match="per_sample: ") as e:
    sched.per_sample(sched.constant_schedule(1.0), **kwargs)
  assert part in str(e.value)
