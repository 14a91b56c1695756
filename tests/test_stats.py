"""Student-t quantiles and the seeds' summary, without SciPy in the package."""

import math

import numpy as np
import pytest

from optax_sched.stats import summarize, t_band, t_cdf, t_quantile


@pytest.mark.parametrize("df", [1, 2, 3, 4, 7, 30, 200])
@pytest.mark.parametrize("p", [0.6, 0.9, 0.975, 0.995])
def test_t_quantile_matches_scipy(df, p):
  stats = pytest.importorskip("scipy.stats")
  assert math.isclose(t_quantile(p, df), stats.t.ppf(p, df), rel_tol=1e-9)
  assert math.isclose(t_quantile(1 - p, df), stats.t.ppf(1 - p, df), rel_tol=1e-9)


@pytest.mark.parametrize("df", [1, 3, 10])
def test_t_cdf_inverts_the_quantile(df):
  for p in (0.01, 0.3, 0.5, 0.8, 0.99):
    assert math.isclose(t_cdf(t_quantile(p, df), df), p, rel_tol=1e-9, abs_tol=1e-12)


def test_t_quantile_approaches_the_normal_for_many_degrees_of_freedom():
  assert abs(t_quantile(0.975, 1e6) - 1.959964) < 1e-5


@pytest.mark.parametrize(
  "kw, name", [({"p": 1.0, "df": 3}, "p=1.0"), ({"p": 0.9, "df": 0}, "df=0")]
)
def test_t_quantile_bad_arguments_raise_naming_them(kw, name):
  with pytest.raises(ValueError, match=f"t_quantile: {name} is not allowed"):
    t_quantile(**kw)


def test_summary_is_the_sample_statistics_and_the_t_interval():
  xs = [2.31, 2.25, 2.40, 2.28]
  s = summarize(xs)
  assert s["per_seed"] == xs
  assert math.isclose(s["mean"], np.mean(xs))
  assert math.isclose(s["std"], np.std(xs, ddof=1))
  half = t_quantile(0.975, 3) * np.std(xs, ddof=1) / 2
  np.testing.assert_allclose(s["ci95"], [np.mean(xs) - half, np.mean(xs) + half])


def test_the_interval_covers_the_true_mean_95_percent_of_the_time():
  rng = np.random.default_rng(0)
  samples = rng.normal(1.0, 2.0, size=(4000, 3))
  hits = 0
  for xs in samples:
    lo, hi = summarize(xs)["ci95"]
    hits += lo <= 1.0 <= hi
  assert 0.94 < hits / len(samples) < 0.96


def test_one_value_has_no_spread_and_no_interval():
  assert summarize([0.5]) == {"per_seed": [0.5], "mean": 0.5, "std": None, "ci95": None}


def test_no_values_raise():
  with pytest.raises(ValueError, match="summarize: values=\\[\\] is not allowed"):
    summarize([])


def test_t_band_is_the_summary_interval_at_every_point():
  curves = np.array([[1.0, 2.0, 3.0], [1.5, 2.5, 2.0], [0.5, 2.25, 4.0]])
  mean, lo, hi = t_band(curves)
  for j in range(3):
    s = summarize(curves[:, j])
    np.testing.assert_allclose([mean[j], lo[j], hi[j]], [s["mean"], *s["ci95"]])
