"""The lint corpus: real recipes ported to optax_sched, and real mistakes.

``RECIPES``: schedules from real training code, each ported by hand the way
a user would (the source is cited by project and file). Their reference
traces come from the project's own formula or library, written by
``scripts/lint_corpus.py`` to ``tests/golden/lint_corpus.json`` (same
names); ``lint`` must give no warning or error on any of them.

``MISTAKES``: configuration mistakes reported in real issue trackers (cited
by repository and issue number), each a schedule and a run length, and the
lint code that must catch it.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import optax_sched as sched
from optax_sched.compat import keras as K, timm as M, torch as T, transformers as H

IMAGENET = 1_281_167
COCO = 118_287


def _join(pieces, boundaries):
  return sched.join_schedules(pieces, boundaries)


def _flax_imagenet():
  spe, base = IMAGENET // 128, 0.1 * 128 / 256
  return _join(
    [sched.linear_schedule(0.0, base, 5 * spe), sched.cosine_decay_schedule(base, 95 * spe)],
    [5 * spe],
  )


def _maxtext(kind):
  lr, steps, warm = 3e-5, 10_000, 1000
  if kind == "cosine":
    rest = [sched.cosine_decay_schedule(lr, steps - warm - 1, alpha=0.1)]
    return _join([sched.linear_schedule(0.0, lr, warm), *rest], [warm])
  return _join(
    [
      sched.linear_schedule(0.0, lr, warm),
      sched.constant_schedule(lr),
      sched.linear_schedule(lr, 0.1 * lr, 999),
    ],
    [warm, 9000],
  )


def _olmo_core_wsd():
  # get_lr(k + 1): the warmup reaches the peak at update 1999, the decay
  # starts from it at update 89999 and reaches 0 at the last update.
  lr = 4e-4
  return _join(
    [
      sched.linear_schedule(lr / 2000, lr, 1999),
      sched.constant_schedule(lr),
      sched.linear_schedule(lr, 0.0, 10_000),
    ],
    [1999, 89_999],
  )


def _deepseek_v3():
  peak, low = 2.2e-4, 2.2e-5
  return _join(
    [
      sched.linear_schedule(0.0, peak, 2000),
      sched.constant_schedule(peak),
      sched.cosine_decay_schedule(peak, 43_000, alpha=low / peak),
      sched.constant_schedule(low),
      sched.constant_schedule(7.3e-6),
    ],
    [2000, 100_000, 143_000, 146_330],
  )


def _torchvision_vit():
  spe = IMAGENET // 512
  seq = T.SequentialLR(
    [T.LinearLR(0.003, start_factor=0.033, total_iters=30), T.CosineAnnealingLR(0.003, T_max=270)],
    [30],
  )
  return sched.per_epoch(seq, spe)


# name -> (source, port). Names match scripts/lint_corpus.py.
RECIPES: dict[str, tuple[str, Any]] = {
  "nanogpt": (
    "karpathy/nanoGPT train.py get_lr, config/train_gpt2.py",
    lambda: sched.warmup_cosine_decay_schedule(6e-4 / 2001, 6e-4, 2000, 600_000, 6e-5),
  ),
  "big_vision_vit_i1k": (
    "google-research/big_vision big_vision/utils.py create_learning_rate_schedule,"
    " configs/vit_i1k.py",
    lambda: sched.warmup_cosine_decay_schedule(0.0, 1e-3, 10_000, 300 * IMAGENET // 4096),
  ),
  "big_vision_rsqrt_cooldown": (
    "google-research/big_vision big_vision/utils.py (rsqrt, cooldown),"
    " configs/proj/scaling_laws/train_vit_g.py",
    lambda: sched.warmup(
      sched.wsd_schedule(
        8e-4, 940_000, 50_000, decay_shape="linear", stable_shape="rsqrt", timescale=10_000
      ),
      10_000,
    ),
  ),
  "flax_imagenet": (
    "google/flax examples/imagenet/train.py create_learning_rate_fn, configs/default.py",
    _flax_imagenet,
  ),
  "detectron2_1x": (
    "facebookresearch/detectron2 detectron2/solver/build.py build_lr_scheduler"
    " (WarmupMultiStepLR), configs/Base-RCNN-FPN.yaml",
    lambda: sched.warmup(
      sched.multistep_decay_schedule(0.02, [60_000, 80_000], 0.1),
      1000,
      init_value=0.02 / 1000,
      prefix=False,
    ),
  ),
  "detectron2_cosine": (
    "facebookresearch/detectron2 detectron2/solver/build.py build_lr_scheduler (WarmupCosineLR)",
    lambda: sched.warmup(
      sched.cosine_decay_schedule(0.02, 90_000), 1000, init_value=0.02 / 1000, prefix=False
    ),
  ),
  "fairseq_inverse_sqrt": (
    "facebookresearch/fairseq fairseq/optim/lr_scheduler/inverse_square_root_schedule.py",
    lambda: sched.warmup(sched.rsqrt_schedule(5e-4, 4000), 4000, init_value=1e-7),
  ),
  "t5x_rsqrt": (
    "google-research/t5x t5x/utils.py create_learning_rate_scheduler (constant * rsqrt_decay)",
    lambda: _join([sched.constant_schedule(0.01), sched.rsqrt_schedule(0.01, 10_000)], [10_000]),
  ),
  "maxtext_cosine": (
    "AI-Hypercomputer/maxtext src/maxtext/utils/maxtext_utils.py"
    " create_learning_rate_schedule (cosine)",
    lambda: _maxtext("cosine"),
  ),
  "maxtext_wsd": (
    "AI-Hypercomputer/maxtext src/maxtext/utils/maxtext_utils.py"
    " create_learning_rate_schedule (WSD, linear decay)",
    lambda: _maxtext("wsd"),
  ),
  "olmo_core_wsd": (
    "allenai/OLMo-core src/olmo_core/optim/scheduler.py WSD.get_lr",
    _olmo_core_wsd,
  ),
  "megatron_gpt3": (
    "NVIDIA/Megatron-LM megatron/core/optimizer_param_scheduler.py get_lr,"
    " examples/gpt3/train_gpt3_175b_distributed.sh",
    lambda: sched.warmup_cosine_decay_schedule(0.0, 6e-5, 430, 430_000, 6e-6),
  ),
  "hf_linear": (
    "huggingface/transformers src/transformers/optimization.py get_linear_schedule_with_warmup",
    lambda: H.get_linear_schedule_with_warmup(5e-5, 500, 10_000),
  ),
  "hf_cosine": (
    "huggingface/transformers src/transformers/optimization.py get_cosine_schedule_with_warmup",
    lambda: H.get_cosine_schedule_with_warmup(2e-5, 600, 20_000),
  ),
  "hf_wsd": (
    "huggingface/transformers src/transformers/optimization.py get_wsd_schedule",
    lambda: H.get_wsd_schedule(1e-4, 1000, 1000, num_stable_steps=8000),
  ),
  "timm_cosine_deit": (
    "huggingface/pytorch-image-models train.py + timm/scheduler/cosine_lr.py (per epoch)",
    lambda: sched.per_epoch(
      M.CosineLRScheduler(1e-3, t_initial=300, lr_min=1e-5, warmup_t=5, warmup_lr_init=1e-6),
      IMAGENET // 1024,
    ),
  ),
  "torchvision_resnet": (
    "pytorch/vision references/classification/train.py + README (ResNet, StepLR)",
    lambda: sched.per_epoch(T.StepLR(0.1, step_size=30, gamma=0.1), IMAGENET // 256),
  ),
  "torchvision_vit": (
    "pytorch/vision references/classification/train.py + README (ViT-B/16: LinearLR warmup,"
    " CosineAnnealingLR, SequentialLR)",
    _torchvision_vit,
  ),
  "sgdr_cifar": (
    "SGDR (Loshchilov & Hutter, ICLR 2017; loshchil/SGDR): T_0 = 10, T_mult = 2, as"
    " torch.optim.lr_scheduler.CosineAnnealingWarmRestarts per epoch",
    lambda: sched.per_epoch(
      T.CosineAnnealingWarmRestarts(0.05, T_0=10, T_mult=2), 50_000 // 128 + 1
    ),
  ),
  "mmdet_1x": (
    "open-mmlab/mmdetection configs/_base_/schedules/schedule_1x.py (mmengine LinearLR +"
    " MultiStepLR)",
    lambda: sched.multiply(
      sched.per_epoch(sched.multistep_decay_schedule(0.02, [8, 11], 0.1), -(-COCO // 16)),
      sched.linear_schedule(0.001, 1.0, 500),
    ),
  ),
  "deepseek_llm": (
    "deepseek-ai/DeepSeek-LLM, paper arXiv:2401.02954 section 2.3 (multi-step schedule)",
    lambda: sched.multiply(
      sched.linear_schedule(0.0, 4.2e-4, 2000),
      sched.piecewise_values_schedule([80_000, 90_000], [1.0, 0.316, 0.1]),
    ),
  ),
  "deepseek_v3": (
    "deepseek-ai/DeepSeek-V3, report arXiv:2412.19437 section 4.2",
    _deepseek_v3,
  ),
  "scenic_vit": (
    "google-research/scenic scenic/train_lib/lr_schedules.py (constant*linear_warmup*"
    "cosine_decay), projects/baselines/configs/imagenet/imagenet_vit_config.py",
    lambda: sched.warmup_cosine_decay_schedule(0.0, 3e-3, 10_000, 90 * (IMAGENET // 4096)),
  ),
  "torchtune_cosine": (
    "pytorch/torchtune torchtune/training/lr_schedulers.py get_cosine_schedule_with_warmup",
    lambda: sched.warmup_cosine_decay_schedule(0.0, 3e-4, 100, 3000),
  ),
  "keras_cosine_warmup": (
    "keras-team/keras keras/src/optimizers/schedules/learning_rate_schedule.py CosineDecay"
    " (warmup_target, warmup_steps)",
    lambda: K.CosineDecay(0.0, 10_000, warmup_target=1e-3, warmup_steps=1000),
  ),
}


@dataclasses.dataclass(frozen=True)
class Mistake:
  """A mistake from an issue tracker: ``build()`` for a run of ``steps``
  updates must get the lint ``code``."""

  issue: str
  what: str
  code: str
  build: Any
  steps: int


_SPE = 100  # steps per epoch in the per-epoch mistakes

MISTAKES: dict[str, Mistake] = {
  "milestones_beyond_run": Mistake(
    "microsoft/SoftTeacher#224",
    "lr steps at 480000 and 640000 iterations kept for a 12000-iteration run",
    "milestones-beyond-run",
    lambda: sched.warmup(
      sched.multistep_decay_schedule(0.01, [480_000, 640_000], 0.1), 500, init_value=1e-5
    ),
    12_000,
  ),
  "warmup_longer_than_run": Mistake(
    "gaoyixu/CAIL2020-Argument-Mining#1",
    "a 1000-step warmup for a run of 800 updates (the step count was divided by the batch"
    " size twice)",
    "warmup-longer-than-run",
    lambda: sched.warmup_cosine_decay_schedule(0.0, 2e-5, 1000, 8000),
    800,
  ),
  "warmup_not_subtracted": Mistake(
    "ml-explore/mlx-examples#985",
    "a 60-step warmup put in front of a 1000-step cosine decay for a 1000-step run",
    "warmup-not-subtracted",
    lambda: sched.warmup(sched.cosine_decay_schedule(1e-5, 1000, alpha=0.01), 60, init_value=1e-7),
    1000,
  ),
  "sized_for_longer_run": Mistake(
    "vllm-project/speculators#1104",
    "the schedule's total is epochs x batches while max_steps stops the run early",
    "sized-for-longer-run",
    lambda: sched.warmup(sched.wsd_schedule(3e-4, 18_000, 2000, decay_shape="linear"), 500),
    10_000,
  ),
  "per_epoch_stepped_per_batch": Mistake(
    "pytorch/pytorch#3814",
    "MultiStepLR(milestones in epochs) stepped after every batch",
    "sized-in-epochs",
    lambda: T.MultiStepLR(0.1, milestones=[30, 60, 80], gamma=0.1),
    90 * _SPE,
  ),
  "cosine_period_shorter_than_run": Mistake(
    "ivadomed/ivadomed#57",
    "CosineAnnealingLR(T_max=num_epochs) stepped per batch: the LR cycles down and up",
    "rises-after-decay",
    lambda: T.CosineAnnealingLR(1e-3, T_max=100),
    100 * _SPE,
  ),
  "decay_that_grows": Mistake(
    "SYSU-SAIL/PAM#4",
    "lr * gamma ** -(epoch // n_steps) with gamma = 0.1: x10 at every step",
    "grows",
    lambda: sched.per_epoch(T.StepLR(1e-4, step_size=30, gamma=10.0), _SPE),
    100 * _SPE,
  ),
  "zero_lr_stretch": Mistake(
    "LINCellularNeuroscience/VAME#26",
    "StepLR(step_size=100, gamma=0) when the scheduler is off: LR 0 after 100 epochs",
    "zero-lr",
    lambda: sched.per_epoch(T.StepLR(5e-4, step_size=100, gamma=0.0), _SPE),
    300 * _SPE,
  ),
  "decays_too_early": Mistake(
    "Lightricks/LTX-Video-Trainer#67",
    "the scheduler stepped once per process (4 GPUs): the decay ends at a quarter of the run",
    "decays-too-early",
    lambda: H.get_linear_schedule_with_warmup(1e-4, 100, 2500),
    10_000,
  ),
  "warmup_mismatch": Mistake(
    "huggingface/transformers#4940",
    "a warmup to the peak joined to a decay counted from step 0: the LR drops at the end"
    " of the warmup",
    "warmup-mismatch",
    lambda: _join(
      [sched.linear_schedule(0.0, 5e-5, 2000), sched.linear_schedule(5e-5 * 0.8, 0.0, 8000)],
      [2000],
    ),
    10_000,
  ),
  "restarts_stepped_per_batch": Mistake(
    "nodefluxio/vortex#58",
    "a trainer stepping every scheduler per batch: CosineAnnealingWarmRestarts(T_0=10"
    " epochs) restarts every 10 updates",
    "too-many-restarts",
    lambda: T.CosineAnnealingWarmRestarts(0.1, T_0=10),
    200 * _SPE,
  ),
}
