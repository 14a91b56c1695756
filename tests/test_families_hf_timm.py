"""The families behind compat.transformers and compat.timm, against float64 NumPy.

rsqrt, wsd, tanh, polynomial restarts, tri-stage, cosine cycles and warmup +
polynomial decay: each against an independent formula written here, under
vmap over a hyperparameter, and with finite gradients (the docstring examples
run in tests/test_docstrings.py).
"""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from conftest import assert_close

import optax_sched as sched
from optax_sched.families import cosine_cycles, polynomial, restarts, rsqrt, tanh, tri_stage, wsd

STEPS = np.arange(400)


def wsd_reference(
  t, peak, stable, decay, end, shape, a=1.0, r=0.1, n=0.5, stable_shape="constant", tau=None, q=0.5
):
  out = []
  for s in t:
    g = (
      1.0
      if stable_shape == "constant"
      else (1 + s / tau) ** -(0.5 if stable_shape == "rsqrt" else q)
    )
    top = max(peak * g, end)
    d = s - stable
    if d >= decay:
      out.append(end)
      continue
    f = min(max(d, 0) / decay, 1.0) if decay else 0.0
    h = {
      "linear": 1 - f,
      "cosine": 0.5 * (1 + math.cos(2 * math.pi * n * f)),
      "1-sqrt": 1 - math.sqrt(f),
      "power": 1 - f**a,
      "exp": (r**f - r) / (1 - r),
    }[shape]
    out.append(end + (top - end) * h)
  return out


def cycles_reference(t, init, period, mult, decay, end, limit, shape):
  """Walks the cycles one step at a time, like a stateful scheduler."""
  out, i, pos, length = [], 0, 0.0, float(period)
  for _ in t:
    c = shape(pos / length)
    v = end + (init * decay**i - end) * c
    out.append(end if (limit is not None and i >= limit) else v)
    pos += 1
    if pos >= length:
      pos, i, length = pos - length, i + 1, length * mult
  return out


def tri_stage_reference(t, peak, w, h, d, s0, s1):
  out = []
  for s in t:
    if s < w:
      out.append(peak * s0 + (peak - peak * s0) / w * s)
    elif s < w + h:
      out.append(peak)
    elif s <= w + h + d:
      out.append(peak * math.exp(math.log(s1) / d * (s - w - h)))
    else:
      out.append(peak * s1)
  return out


CASES = [
  ("rsqrt", rsqrt.rsqrt_schedule(1e-3, 50.0), [1e-3 * (1 + s / 50) ** -0.5 for s in STEPS]),
  (
    "rsqrt.power",
    rsqrt.rsqrt_schedule(2e-3, 10, power=0.8),
    [2e-3 * (1 + s / 10) ** -0.8 for s in STEPS],
  ),
  *[
    (
      f"wsd.{shape}",
      wsd.wsd_schedule(
        1e-3, 200, 150, 1e-5, decay_shape=shape, exponent=2.0, decay_ratio=0.05, num_cycles=0.75
      ),
      wsd_reference(STEPS, 1e-3, 200, 150, 1e-5, shape, 2.0, 0.05, 0.75),
    )
    for shape in wsd.DECAY_SHAPES
  ],
  (
    "wsd.rsqrt_stable",
    wsd.wsd_schedule(1e-3, 250, 100, 1e-4, "linear", stable_shape="rsqrt", timescale=20),
    wsd_reference(STEPS, 1e-3, 250, 100, 1e-4, "linear", stable_shape="rsqrt", tau=20),
  ),
  (
    "wsd.power_stable_floor",
    wsd.wsd_schedule(
      1e-3, 300, 50, 2e-4, "cosine", stable_shape="power", timescale=5, stable_power=1.0
    ),
    wsd_reference(STEPS, 1e-3, 300, 50, 2e-4, "cosine", stable_shape="power", tau=5, q=1.0),
  ),
  (
    "wsd.no_decay",
    wsd.wsd_schedule(1e-3, 100, 0, 1e-5),
    wsd_reference(STEPS, 1e-3, 100, 0, 1e-5, "1-sqrt"),
  ),
  (
    "tanh",
    tanh.tanh_schedule(1e-3, 60, 1e-5, period_mult=2.0, decay=0.5, cycle_limit=3),
    cycles_reference(
      STEPS, 1e-3, 60, 2.0, 0.5, 1e-5, 3, lambda r: 0.5 * (1 - math.tanh(-7 * (1 - r) + 3 * r))
    ),
  ),
  (
    "polynomial_restarts",
    restarts.polynomial_restarts_schedule(1e-3, 45, 1.5, 1.5, 0.8, 1e-5, None, 0.7),
    cycles_reference(STEPS, 1e-3, 45, 1.5, 0.8, 1e-5, None, lambda r: (1 - r**0.7) ** 1.5),
  ),
  (
    "tri_stage",
    tri_stage.tri_stage_schedule(1e-3, 40, 60, 200, 0.05, 0.02),
    tri_stage_reference(STEPS, 1e-3, 40, 60, 200, 0.05, 0.02),
  ),
  (
    "cosine_cycles",
    cosine_cycles.cosine_cycles_schedule(1e-3, 150, 1.25, 1e-4),
    [1e-4 + (1e-3 - 1e-4) * 0.5 * (1 + math.cos(2 * math.pi * 1.25 * s / 150)) for s in STEPS],
  ),
  (
    "warmup_polynomial_decay",
    polynomial.warmup_polynomial_decay_schedule(1e-5, 1e-3, 30, 330, 1e-6, 0.5),
    [
      1e-5 + (1e-3 - 1e-5) * s / 30
      if s < 30
      else (1e-3 - 1e-6) * (1 - min(s - 30, 300) / 300) ** 0.5 + 1e-6
      for s in STEPS
    ],
  ),
]


@pytest.mark.parametrize("name,s,expected", CASES, ids=[c[0] for c in CASES])
def test_matches_float64_reference(name, s, expected):
  assert_close(s(STEPS), expected, rtol=2e-6)


@pytest.mark.parametrize("name,s,expected", CASES, ids=[c[0] for c in CASES])
def test_config_round_trip(name, s, expected):
  assert sched.from_config(sched.to_config(s)) == s


SWEEPS = [
  ("rsqrt.timescale", lambda x: rsqrt.rsqrt_schedule(1e-3, x), [10.0, 80.0]),
  ("wsd.decay_steps", lambda x: wsd.wsd_schedule(1e-3, 100, x, 1e-5), [20.0, 90.0]),
  (
    "wsd.exponent",
    lambda x: wsd.wsd_schedule(1e-3, 100, 80, decay_shape="power", exponent=x),
    [0.5, 2.0],
  ),
  ("tanh.decay_steps", lambda x: tanh.tanh_schedule(1e-3, x), [30.0, 70.0]),
  (
    "polynomial_restarts.power",
    lambda x: restarts.polynomial_restarts_schedule(1e-3, 40, x, cycle_limit=3),
    [0.5, 2.0],
  ),
  ("tri_stage.hold_steps", lambda x: tri_stage.tri_stage_schedule(1e-3, 10, x, 50), [5.0, 30.0]),
  (
    "cosine_cycles.num_cycles",
    lambda x: cosine_cycles.cosine_cycles_schedule(1e-3, 100, x),
    [0.5, 1.5],
  ),
  (
    "warmup_polynomial_decay.warmup_steps",
    lambda x: polynomial.warmup_polynomial_decay_schedule(0.0, 1e-3, x, 150),
    [5.0, 40.0],
  ),
]


@pytest.mark.parametrize("name,build,xs", SWEEPS, ids=[c[0] for c in SWEEPS])
def test_vmap_over_a_hyperparameter_equals_one_at_a_time(name, build, xs):
  steps = jnp.arange(0, 200, 3)
  swept = jax.vmap(lambda x: build(x)(steps))(jnp.array(xs))
  assert_close(swept, np.stack([build(x)(steps) for x in xs]))


@pytest.mark.parametrize("name,build,xs", SWEEPS, ids=[c[0] for c in SWEEPS])
def test_grad_wrt_the_hyperparameter_is_finite_at_every_step(name, build, xs):
  grad = jax.vmap(jax.grad(lambda x, t: build(x)(t)), (None, 0))
  assert np.all(np.isfinite(grad(xs[0], jnp.arange(200))))


@pytest.mark.parametrize(
  "s,arg",
  [
    (lambda: rsqrt.rsqrt_schedule(1e-3, 0), "timescale"),
    (lambda: rsqrt.rsqrt_schedule(1e-3, 10, power=-0.5), "power"),
    (lambda: wsd.wsd_schedule(1e-3, -1, 10), "stable_steps"),
    (lambda: wsd.wsd_schedule(1e-3, 10, 10, decay_shape="step"), "decay_shape"),
    (lambda: wsd.wsd_schedule(1e-3, 10, 10, decay_ratio=1.0), "decay_ratio"),
    (lambda: wsd.wsd_schedule(1e-3, 10, 10, stable_shape="rsqrt"), "timescale"),
    (lambda: wsd.wsd_schedule(1e-3, 10, 10, stable_shape="cosine"), "stable_shape"),
    (lambda: tanh.tanh_schedule(1e-3, 10, lb=1.0, ub=0.0), "ub"),
    (lambda: tanh.tanh_schedule(1e-3, 0), "decay_steps"),
    (lambda: restarts.polynomial_restarts_schedule(1e-3, 10, power=0), "power"),
    (lambda: tri_stage.tri_stage_schedule(1e-3, 10, 10, 0), "decay_steps"),
    (lambda: tri_stage.tri_stage_schedule(1e-3, 10, 10, 10, final_scale=0.0), "final_scale"),
    (lambda: cosine_cycles.cosine_cycles_schedule(1e-3, 0), "decay_steps"),
    (lambda: polynomial.warmup_polynomial_decay_schedule(0.0, 1e-3, 10, 10), "decay_steps"),
    (lambda: polynomial.warmup_polynomial_decay_schedule(0.0, 1e-3, 1, 10, power=0.0), "power"),
  ],
)
def test_out_of_domain_argument_raises_naming_it(s, arg):
  with pytest.raises(ValueError, match=f": {arg}="):
    s()
