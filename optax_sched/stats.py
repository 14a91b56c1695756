"""Mean, sample standard deviation and Student-t interval of a few seeds' results.

Pure NumPy and ``math`` (no SciPy). The t quantile inverts the t
distribution's CDF, which is ``1 - I_x(df/2, 1/2) / 2`` at ``t > 0`` with
``x = df / (df + t**2)``; the regularised incomplete beta ``I_x`` is
evaluated by its continued fraction (Abramowitz & Stegun 26.5.8, 26.7.1) and
the inverse found by bisection, to about 1e-10.

Example:
  >>> round(t_quantile(0.975, 2), 4)
  4.3027
  >>> s = summarize([1.0, 2.0, 3.0])
  >>> s["mean"], s["std"], [round(v, 4) for v in s["ci95"]]
  (2.0, 1.0, [-0.4841, 4.4841])
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np


def _beta_fraction(a: float, b: float, x: float) -> float:
  """The continued fraction of ``I_x(a, b)`` (modified Lentz), for ``x < (a+1)/(a+b+2)``."""
  tiny = 1e-300
  c, d = 1.0, 1.0 - (a + b) * x / (a + 1.0)
  d = 1.0 / (d if abs(d) > tiny else tiny)
  h = d
  for m in range(1, 500):
    for num in (
      m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
      -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1)),
    ):
      d = 1.0 + num * d
      d = 1.0 / (d if abs(d) > tiny else tiny)
      c = 1.0 + num / c
      c = c if abs(c) > tiny else tiny
      h *= d * c
    if abs(d * c - 1.0) < 1e-15:
      break
  return h


def _incomplete_beta(a: float, b: float, x: float) -> float:
  """The regularised incomplete beta function ``I_x(a, b)``."""
  if x <= 0.0:
    return 0.0
  if x >= 1.0:
    return 1.0
  log_front = (
    math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
  )
  if x < (a + 1.0) / (a + b + 2.0):
    return math.exp(log_front) * _beta_fraction(a, b, x) / a
  return 1.0 - math.exp(log_front) * _beta_fraction(b, a, 1.0 - x) / b


def t_cdf(t: float, df: float) -> float:
  """P(T <= t) for Student's t with ``df`` degrees of freedom."""
  tail = 0.5 * _incomplete_beta(df / 2.0, 0.5, df / (df + t * t))
  return 1.0 - tail if t > 0 else tail


def t_quantile(p: float, df: float) -> float:
  """The ``p`` quantile of Student's t with ``df`` degrees of freedom (``0 < p < 1``)."""
  if not 0.0 < p < 1.0:
    raise ValueError(f"t_quantile: p={p} is not allowed: it must be in (0, 1)")
  if not df > 0:
    raise ValueError(f"t_quantile: df={df} is not allowed: it must be > 0")
  if p < 0.5:
    return -t_quantile(1.0 - p, df)
  lo, hi = 0.0, 1.0
  while t_cdf(hi, df) < p:
    lo, hi = hi, 2.0 * hi
  for _ in range(200):
    mid = 0.5 * (lo + hi)
    if t_cdf(mid, df) < p:
      lo = mid
    else:
      hi = mid
    if hi - lo < 1e-12 * max(1.0, hi):
      break
  return 0.5 * (lo + hi)


def summarize(values: Iterable[float]) -> dict:
  """``per_seed``, ``mean``, sample ``std`` and the 95% Student-t interval of the mean.

  ``ci95 = mean -/+ t_quantile(0.975, n - 1) * std / sqrt(n)``. With one
  value ``std`` and ``ci95`` are ``None``.
  """
  xs = [float(v) for v in values]
  n = len(xs)
  if n == 0:
    raise ValueError("summarize: values=[] is not allowed: give at least one value")
  mean = sum(xs) / n
  if n == 1:
    return {"per_seed": xs, "mean": mean, "std": None, "ci95": None}
  std = math.sqrt(sum((x - mean) ** 2 for x in xs) / (n - 1))
  half = t_quantile(0.975, n - 1) * std / math.sqrt(n)
  return {
    "per_seed": xs,
    "mean": mean,
    "std": std,
    "ci95": [mean - half, mean + half],
  }


def t_band(curves: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
  """Mean over seeds (axis 0) and its 95% Student-t interval at each point
  (the interval is the mean itself with one seed)."""
  curves = np.asarray(curves, dtype=float)
  n = curves.shape[0]
  mean = curves.mean(0)
  if n == 1:
    return mean, mean, mean
  half = t_quantile(0.975, n - 1) * curves.std(0, ddof=1) / np.sqrt(n)
  return mean, mean - half, mean + half
