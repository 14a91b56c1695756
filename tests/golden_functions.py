"""Named step functions for golden cases that take a function (LambdaLR's
``lr_lambda``, CyclicLR's ``scale_fn``).

Shared by ``scripts/golden_torch.py`` (``xp=numpy``, feeding torch) and the
tests (``xp=jax.numpy``), so a JSON case can name a function by string.
"""

from __future__ import annotations

import functools


def _warmup_cosine(t, xp, warmup, total):
  progress = (t - warmup) / max(1, total - warmup)
  return xp.where(t < warmup, t / warmup, 0.5 * (1.0 + xp.cos(xp.pi * progress)))


def _linear_warmup(t, xp, warmup):
  return xp.minimum(1.0, (t + 1) / warmup)


def _inverse_sqrt(t, xp, warmup):
  return 1.0 / xp.sqrt(xp.maximum(t, warmup) / warmup)


def _power(t, xp, rate):
  return xp.power(rate, t)


LR_LAMBDAS = {
  "warmup_cosine": _warmup_cosine,
  "linear_warmup": _linear_warmup,
  "inverse_sqrt": _inverse_sqrt,
  "power": _power,
}


def _inverse(x, xp):
  return 1.0 / x


def _slow_decay(x, xp):
  return xp.power(0.999, x)


SCALE_FNS = {"inverse": _inverse, "slow_decay": _slow_decay}


def lr_lambda(spec: dict, xp):
  """``{"fn": name, "kwargs": {...}}`` -> a function of the step."""
  return functools.partial(LR_LAMBDAS[spec["fn"]], xp=xp, **spec.get("kwargs", {}))


def scale_fn(name: str, xp):
  return functools.partial(SCALE_FNS[name], xp=xp)
