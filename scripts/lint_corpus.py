"""Traces of real training recipes, from each project's own formula.

Writes ``tests/golden/lint_corpus.json``: for each recipe of
``tests/lint_corpus.py`` (same names), the run length in updates and the
learning rate at a sample of updates, computed the way the project computes
it: the real library where it is installed (optax for the flax example,
torch, transformers, timm's scheduler modules, keras with the jax backend),
else the project's formula written out here in plain Python (float64), as
the cited file writes it. Update ``k`` (from 0) is the ``k``-th optimizer
step; a project that counts from 1 (OLMo-core) is evaluated at ``k + 1``.

  KERAS_BACKEND=jax python scripts/lint_corpus.py
"""

from __future__ import annotations

import math
import os
import random
import sys

os.environ.setdefault("KERAS_BACKEND", "jax")

from golden_common import GOLDEN  # noqa: E402

IMAGENET = 1_281_167  # ImageNet-1k training images
COCO = 118_287  # COCO 2017 training images


def per_epoch(values_by_epoch, steps_per_epoch):
  """An LR stepped once per epoch, read at update ``k``."""
  return lambda k: values_by_epoch[k // steps_per_epoch]


def torch_epochs(build, epochs, base_lr):
  """The LR of each epoch of a torch scheduler stepped once per epoch."""
  import torch

  opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=base_lr, momentum=0.9)
  sched = build(opt)
  out = []
  for _ in range(epochs):
    out.append(float(opt.param_groups[0]["lr"]))
    opt.step()
    sched.step()
  return out


def hf_lambda(name, **kwargs):
  """A transformers schedule's multiplier, from the real library."""
  import torch
  import transformers

  opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)
  sched = getattr(transformers, name)(opt, **kwargs)
  return sched.lr_lambdas[0]


# --- the recipes: name -> (total updates, lr(k), edges worth sampling) ---


def nanogpt():
  # karpathy/nanoGPT train.py get_lr, config/train_gpt2.py values.
  lr, min_lr, warm, decay = 6e-4, 6e-5, 2000, 600_000

  def get_lr(it):
    if it < warm:
      return lr * (it + 1) / (warm + 1)
    if it > decay:
      return min_lr
    ratio = (it - warm) / (decay - warm)
    return min_lr + 0.5 * (1.0 + math.cos(math.pi * ratio)) * (lr - min_lr)

  return 600_000, get_lr, [warm]


def big_vision_vit_i1k():
  # google-research/big_vision big_vision/utils.py create_learning_rate_schedule,
  # configs/vit_i1k.py: lr 1e-3, warmup 10k steps, cosine, 300 epochs at batch 4096.
  base, warm, total = 1e-3, 10_000, 300 * IMAGENET // 4096

  def f(step):
    progress = min(max((step - warm) / float(total - warm), 0.0), 1.0)
    return base * 0.5 * (1.0 + math.cos(math.pi * progress)) * min(1.0, step / warm)

  return total, f, [warm]


def big_vision_rsqrt_cooldown():
  # big_vision/utils.py (decay_type="rsqrt", cooldown), configs/proj/scaling_laws/
  # train_vit_g.py: lr 8e-4, timescale 10k, warmup 10k, cooldown 50k, 1M steps.
  base, warm, t, cool, total = 8e-4, 10_000, 10_000, 50_000, 1_000_000

  def f(step):
    lr = base / math.sqrt(1 + (step - warm) / t) if warm <= step else base
    lr *= min(1.0, step / warm)
    return lr * min(1.0, (total - step) / cool)

  return total, f, [warm, total - cool]


def flax_imagenet():
  # google/flax examples/imagenet/train.py create_learning_rate_fn with
  # configs/default.py (lr 0.1, batch 128, 100 epochs, 5 warmup epochs): optax itself.
  import optax

  spe = IMAGENET // 128
  base = 0.1 * 128 / 256.0
  warmup_fn = optax.linear_schedule(0.0, base, 5 * spe)
  cosine_fn = optax.cosine_decay_schedule(base, (100 - 5) * spe)
  s = optax.join_schedules([warmup_fn, cosine_fn], [5 * spe])
  return 100 * spe, lambda k: float(s(k)), [5 * spe]


def _detectron2(main, warm_factor, warm_iters, max_iter):
  """detectron2/solver/build.py + lr_scheduler.py WarmupParamScheduler and
  LRMultiplier: the multiplier at ``where = iter / max_iter``; the warmup
  interpolates from ``warm_factor * main(0)`` to ``main(warm_length)``."""
  length = min(warm_iters / max_iter, 1.0)

  def f(it):
    where = it / max_iter
    if where < length:
      start, end = warm_factor * main(0.0), main(length)
      return start + (end - start) * (where / length)
    return main(where)

  return f


def detectron2_1x():
  # configs/Base-RCNN-FPN.yaml + configs/COCO-Detection/faster_rcnn_R_50_FPN_1x.yaml:
  # BASE_LR 0.02, STEPS (60000, 80000), MAX_ITER 90000, warmup 1000 iters from 1/1000.
  steps, max_iter, gamma = (60_000, 80_000), 90_000, 0.1

  def multistep(where):  # fvcore MultiStepParamScheduler
    epoch = int((where + 1e-7) * max_iter)
    return gamma ** sum(1 for m in steps if m <= epoch)

  f = _detectron2(multistep, 1.0 / 1000, 1000, max_iter)
  return max_iter, lambda k: 0.02 * f(k), [1000, *steps]


def detectron2_cosine():
  # detectron2/solver/build.py LR_SCHEDULER_NAME="WarmupCosineLR" (fvcore
  # CosineParamScheduler(1, BASE_LR_END / BASE_LR = 0)), 1x length and warmup.
  max_iter = 90_000

  def cosine(where):
    return 0.5 * (1.0 + math.cos(math.pi * where))

  f = _detectron2(cosine, 1.0 / 1000, 1000, max_iter)
  return max_iter, lambda k: 0.02 * f(k), [1000]


def fairseq_inverse_sqrt():
  # facebookresearch/fairseq fairseq/optim/lr_scheduler/inverse_square_root_schedule.py;
  # examples/scaling_nmt: --lr 5e-4 --warmup-updates 4000 --warmup-init-lr 1e-7,
  # 300k updates. The LR of update k is set from num_updates = k.
  lr, init, warm = 5e-4, 1e-7, 4000
  step = (lr - init) / warm
  decay = lr * warm**0.5

  def f(num_updates):
    if num_updates < warm:
      return init + num_updates * step
    return decay * num_updates**-0.5

  return 300_000, f, [warm]


def t5x_rsqrt():
  # google-research/t5x t5x/utils.py create_learning_rate_scheduler with
  # factors "constant * rsqrt_decay", base 1.0, warmup 10k (configs/runs/pretrain.gin);
  # T5.1.1 pretraining length 2**19 steps.
  return 2**19, lambda step: 1.0 / math.sqrt(max(step, 10_000)), [10_000]


def _maxtext(kind):
  # AI-Hypercomputer/maxtext src/maxtext/utils/maxtext_utils.py
  # create_learning_rate_schedule; configs/base.yml fractions: warmup 0.1, final 0.1,
  # WSD decay 0.1; learning_rate_schedule_steps = steps.
  lr, steps = 3e-5, 10_000
  final = lr * 0.1
  warm = int(steps * 0.1)

  def cos(init, end, length, t):
    pct = t / (length - 1) if length > 1 else 1.0
    a = 0.5 * (math.cos(math.pi * pct) + 1)
    return init * a + end * (1 - a)

  decay = int(steps * 0.1)
  stable = steps - warm - decay

  def f(k):
    if k < warm:
      return lr * k / warm
    if kind == "cosine":
      return cos(lr, final, steps - warm, k - warm)
    if k < warm + stable:
      return lr
    t = min(k - warm - stable, decay - 1)  # optax.linear_schedule over decay - 1 steps
    return lr + (final - lr) * t / (decay - 1)

  return steps, f, [warm, warm + stable]


def maxtext_cosine():
  return _maxtext("cosine")


def maxtext_wsd():
  return _maxtext("wsd")


def olmo_core_wsd():
  # allenai/OLMo-core src/olmo_core/optim/scheduler.py WSD.get_lr (warmup 2000,
  # decay_fraction 0.1, min LRs 0), called with current = k + 1 (the trainer's
  # global step counts from 1), so the last update sees current = t_max: LR 0.
  lr, warm, t_max = 4e-4, 2000, 100_000
  decay = round(t_max * 0.1)

  def get_lr(current):
    if current <= warm:
      return lr * min(current, warm) / warm
    if current >= t_max - decay:
      return lr * min(t_max - current, decay) / decay
    return lr

  return t_max, lambda k: get_lr(k + 1), [warm - 1, t_max - decay - 1]


def megatron_gpt3():
  # NVIDIA/Megatron-LM megatron/core/optimizer_param_scheduler.py get_lr (cosine);
  # examples/gpt3/train_gpt3_175b_distributed.sh: --lr 6.0e-5 --min-lr 6.0e-6
  # --lr-decay-iters 430000 --lr-warmup-fraction .001 --train-iters 500000.
  max_lr, min_lr, decay_steps, train = 6e-5, 6e-6, 430_000, 500_000
  warm = int(0.001 * decay_steps)

  def get_lr(num_steps):
    if warm > 0 and num_steps <= warm:
      return max_lr * num_steps / warm
    if num_steps > decay_steps:
      return min_lr
    ratio = (num_steps - warm) / (decay_steps - warm)
    return min_lr + 0.5 * (math.cos(math.pi * ratio) + 1.0) * (max_lr - min_lr)

  return train, get_lr, [warm, decay_steps]


def hf_linear():
  # huggingface/transformers Trainer default lr_scheduler_type="linear"
  # (optimization.py get_linear_schedule_with_warmup), lr 5e-5, 500 warmup steps.
  f = hf_lambda("get_linear_schedule_with_warmup", num_warmup_steps=500, num_training_steps=10_000)
  return 10_000, lambda k: 5e-5 * f(k), [500]


def hf_cosine():
  # transformers optimization.py get_cosine_schedule_with_warmup (Trainer
  # lr_scheduler_type="cosine", warmup_ratio 0.03), lr 2e-5, 20k steps.
  f = hf_lambda("get_cosine_schedule_with_warmup", num_warmup_steps=600, num_training_steps=20_000)
  return 20_000, lambda k: 2e-5 * f(k), [600]


def hf_wsd():
  # transformers optimization.py get_wsd_schedule (Trainer lr_scheduler_type
  # "warmup_stable_decay"): 1000 warmup, 8000 stable, 1000 decay (cosine, the default).
  f = hf_lambda(
    "get_wsd_schedule", num_warmup_steps=1000, num_stable_steps=8000, num_decay_steps=1000
  )
  return 10_000, lambda k: 1e-4 * f(k), [1000, 9000]


def timm_cosine_deit():
  # huggingface/pytorch-image-models train.py + timm/scheduler/cosine_lr.py, stepped
  # per epoch (t_in_epochs); DeiT-style hparams: 300 epochs, lr 5e-4 * 1024 / 512,
  # warmup 5 epochs from 1e-6, lr_min 1e-5; batch 1024.
  sys.path.insert(0, os.path.dirname(__file__))
  import torch
  from golden_timm import load_timm_schedulers

  classes, _ = load_timm_schedulers()
  spe, epochs, lr = IMAGENET // 1024, 300, 5e-4 * 1024 / 512
  opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=lr)
  sched = classes["CosineLRScheduler"](
    opt, t_initial=epochs, lr_min=1e-5, warmup_t=5, warmup_lr_init=1e-6
  )
  by_epoch = []
  for e in range(epochs):
    sched.step(e)
    by_epoch.append(float(opt.param_groups[0]["lr"]))
  return epochs * spe, per_epoch(by_epoch, spe), [5 * spe]


def torchvision_resnet():
  # pytorch/vision references/classification/train.py + README (ResNet):
  # lr 0.1, StepLR(step_size=30, gamma=0.1), 90 epochs, batch 32 x 8 GPUs.
  import torch

  spe = IMAGENET // 256
  by_epoch = torch_epochs(
    lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=30, gamma=0.1), 90, 0.1
  )
  return 90 * spe, per_epoch(by_epoch, spe), [30 * spe, 60 * spe]


def torchvision_vit():
  # references/classification/train.py (LinearLR warmup + CosineAnnealingLR in a
  # SequentialLR) with the README's ViT-B/16 hparams: 300 epochs, lr 0.003,
  # 30 warmup epochs, lr_warmup_decay 0.033, batch 512.
  import torch

  S = torch.optim.lr_scheduler
  spe, epochs, warm = IMAGENET // 512, 300, 30

  def build(o):
    w = S.LinearLR(o, start_factor=0.033, total_iters=warm)
    main = S.CosineAnnealingLR(o, T_max=epochs - warm, eta_min=0.0)
    return S.SequentialLR(o, schedulers=[w, main], milestones=[warm])

  return epochs * spe, per_epoch(torch_epochs(build, epochs, 0.003), spe), [warm * spe]


def sgdr_cifar():
  # SGDR (Loshchilov & Hutter, ICLR 2017; loshchil/SGDR) T_0 = 10, T_mult = 2 epochs
  # on CIFAR: cycles of 10, 20, 40, 80 epochs (150 in all), batch 128, lr 0.05;
  # torch.optim.lr_scheduler.CosineAnnealingWarmRestarts stepped per epoch.
  import torch

  spe = 50_000 // 128 + 1
  by_epoch = torch_epochs(
    lambda o: torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(o, T_0=10, T_mult=2),
    150,
    0.05,
  )
  return 150 * spe, per_epoch(by_epoch, spe), [10 * spe, 30 * spe, 70 * spe]


def mmdet_1x():
  # open-mmlab/mmdetection configs/_base_/schedules/schedule_1x.py (mmengine
  # LinearLR(start_factor=0.001, by_epoch=False, end=500) and MultiStepLR(by_epoch,
  # milestones=[8, 11], gamma=0.1) over 12 epochs), lr 0.02, batch 16: both
  # multiply the LR.
  spe = math.ceil(COCO / 16)

  def f(k):
    warm = 0.001 + (1.0 - 0.001) * min(500, k) / 500
    epoch = k // spe
    return 0.02 * warm * 0.1 ** sum(1 for m in (8, 11) if epoch >= m)

  return 12 * spe, f, [500, 8 * spe, 11 * spe]


def deepseek_llm():
  # deepseek-ai/DeepSeek-LLM (paper arXiv:2401.02954, section 2.3): warmup 2000
  # steps, then 31.6% of the peak after 80% of the tokens and 10% after 90%;
  # 7B peak 4.2e-4. Run length 100k steps.
  peak, n, warm = 4.2e-4, 100_000, 2000

  def f(k):
    lr = peak * min(1.0, k / warm)
    if k >= 0.9 * n:
      return lr * 0.1
    return lr * 0.316 if k >= 0.8 * n else lr

  return n, f, [warm, int(0.8 * n), int(0.9 * n)]


def deepseek_v3():
  # deepseek-ai/DeepSeek-V3 (report arXiv:2412.19437, section 4.2): 0 -> 2.2e-4 over
  # 2K steps, constant to 10T tokens, cosine to 2.2e-5 over 4.3T, 2.2e-5 for 333B,
  # 7.3e-6 for the last 167B; tokens mapped to steps at 100M tokens per step.
  peak, low, last = 2.2e-4, 2.2e-5, 7.3e-6
  warm, stable_end, cos_end, hold_end, n = 2000, 100_000, 143_000, 146_330, 148_000

  def f(k):
    if k < warm:
      return peak * k / warm
    if k < stable_end:
      return peak
    if k < cos_end:
      p = (k - stable_end) / (cos_end - stable_end)
      return low + (peak - low) * 0.5 * (1 + math.cos(math.pi * p))
    return low if k < hold_end else last

  return n, f, [warm, stable_end, cos_end, hold_end]


def scenic_vit():
  # google-research/scenic scenic/train_lib/lr_schedules.py compound
  # "constant*linear_warmup*cosine_decay", projects/baselines/configs/imagenet/
  # imagenet_vit_config.py: lr 3e-3, warmup 10k, 90 epochs at batch 4096.
  base, warm = 3e-3, 10_000
  total = 90 * (IMAGENET // 4096)
  cycle = total - int(warm / (total / total))

  def f(step):
    ratio = base * min(1.0, step * 1.0 / warm)
    progress = max(0.0, step - warm) / float(cycle)
    return ratio * max(0.0, 0.5 * (1.0 + math.cos(math.pi * (progress % 1.0))))

  return total, f, [warm]


def torchtune_cosine():
  # pytorch/torchtune torchtune/training/lr_schedulers.py
  # get_cosine_schedule_with_warmup (recipes/configs/llama3_1/8B_lora.yaml:
  # lr 3e-4, 100 warmup steps); 3000 updates.
  lr, warm, total = 3e-4, 100, 3000

  def f(step):
    if step < warm:
      return lr * step / max(1, warm)
    progress = (step - warm) / max(1, total - warm)
    return lr * max(0.0, 0.5 * (1.0 + math.cos(math.pi * 0.5 * 2.0 * progress)))

  return total, f, [warm]


def keras_cosine_warmup():
  # keras-team/keras keras/src/optimizers/schedules/learning_rate_schedule.py
  # CosineDecay(warmup_target, warmup_steps): decay_steps count after the warmup,
  # so the run is warmup + decay = 11k steps (the real keras, jax backend).
  import keras

  s = keras.optimizers.schedules.CosineDecay(
    0.0, decay_steps=10_000, warmup_target=1e-3, warmup_steps=1000
  )
  return 11_000, lambda k: float(s(k)), [1000]


RECIPES = [
  nanogpt,
  big_vision_vit_i1k,
  big_vision_rsqrt_cooldown,
  flax_imagenet,
  detectron2_1x,
  detectron2_cosine,
  fairseq_inverse_sqrt,
  t5x_rsqrt,
  maxtext_cosine,
  maxtext_wsd,
  olmo_core_wsd,
  megatron_gpt3,
  hf_linear,
  hf_cosine,
  hf_wsd,
  timm_cosine_deit,
  torchvision_resnet,
  torchvision_vit,
  sgdr_cifar,
  mmdet_1x,
  deepseek_llm,
  deepseek_v3,
  scenic_vit,
  torchtune_cosine,
  keras_cosine_warmup,
]


def sample(n: int, edges, rng: random.Random) -> list[int]:
  picks = {0, 1, 2, n - 3, n - 2, n - 1}
  for e in edges:
    picks.update(x for x in (e - 1, e, e + 1) if 0 <= x < n)
  picks.update(rng.randrange(n) for _ in range(300))
  return sorted(picks)


def main() -> None:
  import json

  import keras
  import torch
  import transformers

  rng = random.Random(0)
  out = {}
  for recipe in RECIPES:
    n, f, edges = recipe()
    steps = sample(n, edges, rng)
    out[recipe.__name__] = {
      "total_steps": n,
      "steps": steps,
      "values": [float(f(k)) for k in steps],
    }
  path = GOLDEN / "lint_corpus.json"
  versions = {"torch": torch.__version__, "transformers": transformers.__version__}
  versions["keras"] = keras.__version__
  import optax

  versions["optax"] = optax.__version__
  doc = {"generator": "scripts/lint_corpus.py", "versions": versions, "recipes": out}
  path.write_text(json.dumps(doc, indent=1) + "\n")
  print(f"wrote {len(out)} recipes to {path}")


if __name__ == "__main__":
  main()
