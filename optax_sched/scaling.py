"""Published rules for the peak learning rate and the batch size.

Plain floats in, plain floats out. Each rule states its source and the range
its authors measured it on; a value outside that range still gets an answer,
with a ``UserWarning`` that says it is an extrapolation.

Example:
  >>> import optax_sched as sched
  >>> lr, tokens = sched.scaling.deepseek_llm(1e19)
  >>> print(f"{lr:.3g} {tokens:.3g}")
  0.00131 4.79e+05
  >>> print(f"{sched.scaling.batch_scaled(1e-3, 256, 1024):.3g}")
  0.002
  >>> print(f"{sched.scaling.batch_scaled(0.1, 256, 1024, rule='linear'):.3g}")
  0.4
"""

from __future__ import annotations

import math
import warnings

#: DeepSeek LLM's fit (Bi et al. 2024, eq. 1): eta = a * C**b, B = c * C**d.
DEEPSEEK_LR = (0.3118, -0.1250)
DEEPSEEK_BATCH = (0.2920, 0.3271)
#: The compute budgets (FLOPs) the fit used, and the largest budget the
#: authors checked it on.
DEEPSEEK_FIT_RANGE = (1e17, 2e19)
DEEPSEEK_CHECKED_UP_TO = 1e20
#: Goyal et al. 2017 saw the linear rule hold up to this many examples per
#: batch (ImageNet, ResNet-50) and break beyond it.
GOYAL_MAX_BATCH = 8192
RULES = ("sqrt", "linear")


def _positive(fn: str, name: str, value) -> float:
  if isinstance(value, (bool, str, bytes)):  # float("1e19") would parse: not a number given
    x = float("nan")
  else:
    try:
      x = float(value)
    except (TypeError, ValueError):
      x = float("nan")
  if not (x > 0 and math.isfinite(x)):
    raise ValueError(f"{fn}: {name}={value!r} is not allowed: it must be a finite number > 0")
  return x


def deepseek_llm(compute: float) -> tuple[float, float]:
  r"""Peak learning rate and batch size (tokens) for a compute budget.

  .. math::
    \eta_{opt} = 0.3118\, C^{-0.1250}, \qquad B_{opt} = 0.2920\, C^{0.3271}

  with :math:`C` the compute budget in FLOPs, counted as DeepSeek does:
  :math:`C = M D`, :math:`M` the non-embedding FLOPs per token (about 6 x the
  non-embedding parameters plus the attention's cost) and :math:`D` the
  training tokens.

  Range of validity: fitted on budgets from 1e17 to 2e19 FLOPs (decoder-only
  LLaMA-like models, AdamW, multi-step schedule, DeepSeek's data) and checked
  by the authors at 1e20. Outside [1e17, 1e20] it warns that the value is an
  extrapolation (the authors used it for their 7B and 67B models, far
  beyond; the near-optimal band around the fit is wide).

  Args:
    compute: the compute budget ``C`` in FLOPs, > 0.

  Returns:
    ``(peak_lr, batch_size_tokens)`` as floats.

  Example:
    >>> lr, tokens = deepseek_llm(1e18)
    >>> print(f"{lr:.3g} {tokens:.3g}")
    0.00175 2.26e+05

  References:
    DeepSeek-AI (Bi et al.), "DeepSeek LLM: Scaling Open-Source Language
    Models with Longtermism", 2024, arXiv:2401.02954, section 3.1.
  """
  c = _positive("deepseek_llm", "compute", compute)
  lo, hi = DEEPSEEK_FIT_RANGE[0], DEEPSEEK_CHECKED_UP_TO
  if not lo <= c <= hi:
    warnings.warn(
      f"deepseek_llm: compute={c:.3g} FLOPs is outside the range the rule was fitted on"
      f" ({lo:.0e} to {DEEPSEEK_FIT_RANGE[1]:.0e} FLOPs, checked up to {hi:.0e}):"
      " the values are an extrapolation",
      UserWarning,
      stacklevel=2,
    )
  return DEEPSEEK_LR[0] * c ** DEEPSEEK_LR[1], DEEPSEEK_BATCH[0] * c ** DEEPSEEK_BATCH[1]


def batch_scaled(lr: float, batch_size: float, new_batch_size: float, rule: str = "sqrt") -> float:
  r"""The learning rate for ``new_batch_size``, from one tuned at ``batch_size``.

  With :math:`\kappa` = ``new_batch_size / batch_size``:

  - ``"sqrt"`` (Adam, RMSprop; Malladi et al. 2022): :math:`\eta' = \eta\sqrt\kappa`.
    The full rule also sets :math:`1-\beta_i' = \kappa(1-\beta_i)` and
    :math:`\epsilon' = \epsilon/\sqrt\kappa`; it is derived from the SDE
    of Adam and holds while gradient noise dominates the updates. Range of
    validity: :math:`\beta_1' = 1 - \kappa(1 - \beta_1)` must stay > 0, so
    with Adam's default :math:`\beta_1 = 0.9`, :math:`\kappa < 10`; a larger
    :math:`\kappa` warns.
  - ``"linear"`` (SGD with momentum; Goyal et al. 2017):
    :math:`\eta' = \eta\kappa`, with a gradual warmup (5 epochs in the
    paper). Range of validity: it held up to 8192 examples per batch on
    ImageNet and broke beyond; a larger ``new_batch_size`` warns.

  Args:
    lr: the learning rate tuned at ``batch_size``, > 0.
    batch_size: the batch size it was tuned at, > 0.
    new_batch_size: the batch size to scale to, > 0.
    rule: ``"sqrt"`` or ``"linear"``.

  Returns:
    The scaled learning rate, a float.

  Example:
    >>> print(f"{batch_scaled(3e-4, 512, 2048):.3g}")
    0.0006
    >>> print(f"{batch_scaled(0.1, 256, 8192, rule='linear'):.3g}")
    3.2

  References:
    Malladi, Lyu, Panigrahi, Arora, "On the SDEs and Scaling Rules for
    Adaptive Gradient Algorithms", NeurIPS 2022, arXiv:2205.10287.
    Goyal et al., "Accurate, Large Minibatch SGD: Training ImageNet in 1
    Hour", 2017, arXiv:1706.02677.
  """
  fn = "batch_scaled"
  lr = _positive(fn, "lr", lr)
  b = _positive(fn, "batch_size", batch_size)
  nb = _positive(fn, "new_batch_size", new_batch_size)
  if rule not in RULES:
    raise ValueError(f"{fn}: rule={rule!r} is not allowed: choose 'sqrt' or 'linear'")
  kappa = nb / b
  if rule == "sqrt":
    if kappa >= 10:
      warnings.warn(
        f"{fn}: new_batch_size / batch_size = {kappa:.3g} is outside the square-root rule's"
        " range: with Adam's beta1 = 0.9 the rule's beta1' = 1 - kappa (1 - beta1) is <= 0"
        " for kappa >= 10 (Malladi et al. 2022)",
        UserWarning,
        stacklevel=2,
      )
    return lr * math.sqrt(kappa)
  if nb > GOYAL_MAX_BATCH:
    warnings.warn(
      f"{fn}: new_batch_size={nb:g} is outside the linear rule's range: Goyal et al. 2017"
      f" saw it hold up to {GOYAL_MAX_BATCH} examples per batch and break beyond",
      UserWarning,
      stacklevel=2,
    )
  return lr * kappa
