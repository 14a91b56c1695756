"""laws/formulas.py function by function against the papers' formulas written out
in NumPy float64 (direct O(T^2) sums at small T): fast, for mutation testing.

Conventions (docs/laws.md): ``lrs[k]`` is the rate of update k, a loss at step t
follows updates 0..t-1, ``d_k = lrs[k-1] - lrs[k]`` for k >= 1 (a warmup's rises
are negative drops, as in the Multi-Power Law authors' code).
"""

import functools

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from optax_sched.laws import formulas as F

MPL = dict(L0=3.0, A=0.5, alpha=0.5, B=350.0, C=2.0, beta=0.6, gamma=0.6)
MOM = dict(L0=3.1, A=0.45, alpha=0.6, C=0.3, lam=0.99)
TINY = 1e-30  # the documented floor of an LR sum inside a negative power


# -- the references, straight from the formulas -------------------------------------------------


def ref_s1(lrs, t):
  return float(sum(lrs[:t]))


def ref_power(p, lrs, steps):
  return np.array([p["L0"] + p["A"] * max(ref_s1(lrs, t), TINY) ** -p["alpha"] for t in steps])


def ref_s2(lam, lrs, steps):
  """Tissue et al.: m_k = lam m_{k-1} + d_k (d_0 = 0), S2(t) = m_0 + ... + m_{t-1}."""
  m, ms = 0.0, []
  for k in range(len(lrs)):
    m = lam * m + (lrs[k - 1] - lrs[k] if k else 0.0)
    ms.append(m)
  return np.array([sum(ms[:t]) for t in steps])


def ref_momentum(p, lrs, steps):
  return ref_power(p, lrs, steps) - p["C"] * ref_s2(p["lam"], lrs, steps)


def ref_ld(p, lrs, t):
  """LD(t) = sum_{k=1}^{t-1} d_k G(lrs[k]^-gamma S_k(t)), G(x) = 1 - (1 + C x)^-beta,
  S_k(t) = lrs[k] + ... + lrs[t-1]; a rate of 0 with updates after it: G = 1 (x infinite);
  no LR moved since (S_k = 0): G = 0."""
  lrs = np.asarray(lrs, np.float64)
  k = np.arange(1, t)
  d = lrs[k - 1] - lrs[k]
  s = np.cumsum(lrs[1:t][::-1])[::-1]  # s[i] = lrs[i+1] + ... + lrs[t-1]
  eta = lrs[k]
  with np.errstate(divide="ignore", invalid="ignore"):
    x = p["C"] * eta ** -p["gamma"] * s
    g = 1.0 - (1.0 + x) ** -p["beta"]
  g = np.where(eta > 0, g, np.where(s > 0, 1.0, 0.0))
  return float(np.sum(np.where(d != 0, d * g, 0.0)))


def ref_multi_power(p, lrs, steps):
  ld = np.array([ref_ld(p, lrs, t) for t in steps])
  return ref_power(p, lrs, steps) - p["B"] * ld


# -- runs -----------------------------------------------------------------------------------------


def warmup_cosine(total, warmup=0, peak=1e-3, floor=0.1):
  t = np.arange(total, dtype=np.float64)
  cos = floor + (1 - floor) * 0.5 * (1 + np.cos(np.pi * (t - warmup) / max(total - warmup, 1)))
  return np.where(t < warmup, peak * (t + 1) / max(warmup, 1), peak * cos)


def step_decay(total, drops_at, peak=1e-3, factor=0.3, warmup=0):
  lrs = np.full(total, peak)
  for b in drops_at:
    lrs[b:] *= factor
  if warmup:
    lrs[:warmup] = peak * np.arange(1, warmup + 1) / warmup
  return lrs


def wsd(total, decay, peak=1e-3, end=1e-5):
  lrs = np.full(total, peak)
  lrs[total - decay :] = np.linspace(peak, end, decay)
  return lrs


# Every run has T = 300 updates and 7 steps: one compiled program per law serves them all.
RUNS = {
  "constant": (np.full(300, 5e-4), [1, 2, 17, 150, 298, 299, 300]),
  "cosine": (warmup_cosine(300, 0), [1, 3, 50, 51, 52, 200, 300]),
  "warmup_cosine": (warmup_cosine(300, 30), [1, 10, 30, 31, 100, 250, 300]),
  "cosine_to_zero": (warmup_cosine(300, 10, floor=0.0), [5, 100, 199, 200, 298, 299, 300]),
  "step": (step_decay(300, [100, 200]), [50, 100, 101, 150, 200, 201, 300]),
  "step_to_zero": (step_decay(300, [40, 70], factor=0.0), [20, 40, 41, 70, 71, 100, 300]),
  "warmup_step": (step_decay(300, [150], warmup=20), [1, 20, 21, 149, 150, 151, 299]),
  "wsd": (wsd(300, 60), [100, 239, 240, 241, 270, 299, 300]),
  "wsd_to_zero": (wsd(300, 60, end=0.0), [100, 239, 240, 241, 270, 299, 300]),
  "pause": (  # a rate of 0 with rates above 0 after it: G = 1 for its drop
    np.concatenate([np.full(100, 1e-3), np.zeros(50), np.full(150, 5e-4)]),
    [99, 100, 101, 150, 151, 200, 300],
  ),
  "rise": (
    np.concatenate([np.full(100, 1e-4), np.full(100, 1e-3), np.full(100, 2e-4)]),
    [99, 100, 150, 200, 201, 250, 300],
  ),
}

# jit: one compilation per shape instead of one per operation
power = jax.jit(F.power)
momentum = jax.jit(F.momentum)
multi_power = jax.jit(F.multi_power, static_argnames="n_blocks")


def x64(f):
  """The test run with x64 on (float64 throughout), off again after it."""

  @functools.wraps(f)
  def wrapped(*args, **kwargs):
    with jax.enable_x64(True):
      return f(*args, **kwargs)

  return wrapped


def jx(a):
  return jnp.asarray(np.asarray(a))


# -- helpers --------------------------------------------------------------------------------------


@x64
def test_prefix_sums_and_drops():
  lrs = np.array([0.1, 0.4, 0.25, 0.25, 0.0])
  np.testing.assert_allclose(F.prefix_sums(jx(lrs)), [0, 0.1, 0.5, 0.75, 1.0, 1.0], rtol=1e-15)
  np.testing.assert_allclose(F.drops(jx(lrs)), [0, -0.3, 0.15, 0.0, 0.25], rtol=1e-15)


def test_helpers_keep_float32():
  lrs = jnp.asarray([0.1, 0.4, 0.25], jnp.float32)
  assert F.prefix_sums(lrs).dtype == jnp.float32 and F.drops(lrs).dtype == jnp.float32
  with jax.enable_x64(True):
    lrs = jnp.asarray([0.1, 0.4, 0.25], jnp.float32)
    assert F.prefix_sums(lrs).dtype == jnp.float32 and F.drops(lrs).dtype == jnp.float32


@x64
def test_safe_pow_floors_at_tiny_with_a_finite_gradient():
  x = jnp.asarray([0.0, 1e-31, 1e-30, 2e-30, 0.25, 4.0])
  e = jnp.float64(-0.5)
  want = np.maximum(np.asarray(x), TINY) ** -0.5
  np.testing.assert_allclose(F.safe_pow(x, e), want, rtol=1e-14)
  g = jax.vmap(jax.grad(lambda v: F.safe_pow(v, e)))(x)
  xs = np.asarray(x)
  np.testing.assert_allclose(g[3:], -0.5 * xs[3:] ** -1.5, rtol=1e-12)
  assert np.all(np.asarray(g[:3]) == 0.0)
  # and in the exponent, finite at 0 too
  ge = jax.grad(lambda a: F.safe_pow(jnp.asarray([0.0, 4.0]), a).sum())(e)
  np.testing.assert_allclose(ge, TINY**-0.5 * np.log(TINY) + 4.0**-0.5 * np.log(4.0), rtol=1e-12)


# -- the laws against the references --------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(RUNS))
@x64
def test_power_and_momentum_are_the_formulas(name):
  lrs, steps = RUNS[name]
  got = power(MOM, jx(lrs), jx(steps))
  np.testing.assert_allclose(got, ref_power(MOM, lrs, steps), rtol=1e-13)
  for lam in (0.0, 0.5, 0.99):
    p = MOM | {"lam": lam}
    want = ref_momentum(p, lrs, steps)
    np.testing.assert_allclose(momentum(p, jx(lrs), jx(steps)), want, rtol=1e-12)


@x64
def test_power_at_step_zero_uses_the_floor():
  lrs, steps = np.full(300, 1e-3), [0, 0, 1, 2, 3, 4, 300]
  got = power(MOM, jx(lrs), jx(steps))
  np.testing.assert_allclose(got, ref_power(MOM, lrs, steps), rtol=1e-13)
  got = momentum(MOM, jx(lrs), jx(steps))
  np.testing.assert_allclose(got, ref_momentum(MOM, lrs, steps), rtol=1e-13)


@pytest.mark.parametrize("name", sorted(RUNS))
@x64
def test_multi_power_is_the_formula(name):
  lrs, steps = RUNS[name]
  want = ref_multi_power(MPL, lrs, steps)
  np.testing.assert_allclose(multi_power(MPL, jx(lrs), jx(steps)), want, rtol=1e-12)
  # blocked (few uniform blocks, one boundary per step): exact where each block's
  # LR changes at most once each way, i.e. for the piecewise-constant runs
  if name in ("constant", "step", "step_to_zero", "rise"):
    for n in (1, 3, 16):
      got = multi_power(MPL, jx(lrs), jx(steps), n_blocks=n)
      np.testing.assert_allclose(got, want, rtol=1e-12, err_msg=f"n_blocks={n}")


@x64
def test_multi_power_params_matter():
  lrs, steps = RUNS["warmup_step"]
  for key, value in (("C", 0.5), ("beta", 0.3), ("gamma", 0.9), ("B", 100.0)):
    p = MPL | {key: value}
    got = multi_power(p, jx(lrs), jx(steps))
    np.testing.assert_allclose(got, ref_multi_power(p, lrs, steps), rtol=1e-12, err_msg=key)


@x64
def test_multi_power_blocked_beyond_2048_updates():
  # a step decay with a warmup at T = 5000: 2048 uniform blocks + one per step;
  # the warmup changes the LR every update (one rise per block of ~2.4 updates
  # does not hold), so it is short and the run is checked after it exactly
  total = 5000
  lrs = step_decay(total, [1777, 3001, 4500], warmup=0)
  steps = [1, 2, 1000, 1777, 1778, 2049, 3001, 3002, 4999, 5000]
  want = ref_multi_power(MPL, lrs, steps)
  np.testing.assert_allclose(multi_power(MPL, jx(lrs), jx(steps)), want, rtol=1e-12)


@x64
def test_multi_power_blocked_smooth_run_is_close():
  total = 4100
  lrs = warmup_cosine(total, 200)
  steps = np.array([150, 1000, 2500, 4000, 4100])
  want = ref_multi_power(MPL, lrs, steps)
  got = np.asarray(multi_power(MPL, jx(lrs), jx(steps)))
  ld_want = (ref_power(MPL, lrs, steps) - want) / MPL["B"]
  ld_got = (ref_power(MPL, lrs, steps) - got) / MPL["B"]
  # docs/laws.md: 1e-5 relative on real logs; here at most 1e-4 of the sum's scale
  np.testing.assert_allclose(ld_got, ld_want, rtol=0, atol=1e-4 * np.max(np.abs(ld_want)))
  # and each block exact when every update is its own block
  got = multi_power(MPL, jx(lrs), jx(steps), n_blocks=total)
  np.testing.assert_allclose(got, want, rtol=1e-12)


@x64
def test_multi_power_many_steps_in_chunks():
  # 1000 steps at T = 5000: more than 2**22 query x block elements, so the
  # queries are evaluated in chunks (the last one padded)
  total = 5000
  lrs = step_decay(total, [2000, 3500], warmup=0)
  steps = np.arange(5, total + 1, 5)
  got = np.asarray(multi_power(MPL, jx(lrs), jx(steps)))
  assert got.shape == steps.shape
  pick = np.array([0, 1, 399, 400, 686, 687, 688, 700, 998, 999])
  np.testing.assert_allclose(got[pick], ref_multi_power(MPL, lrs, steps[pick]), rtol=1e-12)


def test_multi_power_float32_large_gamma_small_rate():
  # x = C rate^-gamma span overflows float32 formed directly (1e-6 ** -8 = 1e48)
  lrs = np.concatenate([np.full(20, 1e-3), np.full(20, 1e-6)])
  steps = [10, 25, 40]
  p = MPL | {"gamma": 8.0}
  want = ref_multi_power(p, lrs, steps)
  p32 = {k: jnp.float32(v) for k, v in p.items()}
  f = lambda r: multi_power(p32, r, jnp.asarray(steps))  # noqa: E731
  got = f(jnp.asarray(lrs, jnp.float32))
  assert got.dtype == jnp.float32
  np.testing.assert_allclose(got, want, rtol=1e-5)
  g = jax.grad(lambda r: f(r).sum())(jnp.asarray(lrs, jnp.float32))
  assert np.all(np.isfinite(np.asarray(g)))


@x64
def test_multi_power_gradient_is_finite_and_right():
  lrs = warmup_cosine(300, 10, floor=0.0)
  lrs[-40:] = 0.0  # ends at a rate of 0: G = 1 then 0 (no LR after it)
  steps = [3, 30, 100, 255, 260, 280, 300]
  f = lambda r: multi_power(MPL, r, jx(steps)).sum()  # noqa: E731
  g = np.asarray(jax.grad(f)(jx(lrs)))
  assert np.all(np.isfinite(g))
  for k in (1, 50, 150, 250):  # central differences of the reference
    e = np.zeros_like(lrs)
    e[k] = 1e-9
    fd = (ref_multi_power(MPL, lrs + e, steps) - ref_multi_power(MPL, lrs - e, steps)).sum() / 2e-9
    np.testing.assert_allclose(g[k], fd, rtol=1e-5, err_msg=f"update {k}")
  # and in the parameters
  gp = jax.grad(lambda p: multi_power(p, jx(lrs), jx(steps)).sum())(
    {k: jnp.float64(v) for k, v in MPL.items()}
  )
  assert all(np.isfinite(float(v)) for v in gp.values())
  for key in ("L0", "A", "alpha", "B", "C", "beta", "gamma"):
    h = 1e-6 * MPL[key]
    up = ref_multi_power(MPL | {key: MPL[key] + h}, lrs, steps).sum()
    down = ref_multi_power(MPL | {key: MPL[key] - h}, lrs, steps).sum()
    np.testing.assert_allclose(float(gp[key]), (up - down) / (2 * h), rtol=1e-5, err_msg=key)


@x64
def test_momentum_gradient_matches_differences():
  lrs, steps = RUNS["warmup_step"]
  steps = jx(steps)
  f = lambda r: momentum(MOM, r, steps).sum()  # noqa: E731
  g = np.asarray(jax.grad(f)(jx(lrs)))
  for k in (0, 10, 150, 200):
    e = np.zeros_like(lrs)
    e[k] = 1e-8
    fd = (
      ref_momentum(MOM, lrs + e, np.asarray(steps)).sum()
      - ref_momentum(MOM, lrs - e, np.asarray(steps)).sum()
    ) / 2e-8
    np.testing.assert_allclose(g[k], fd, rtol=1e-5)


@x64
def test_laws_vmap_over_rates_and_parameters():
  lrs = np.stack([RUNS["step"][0], RUNS["cosine"][0]])
  steps = [10, 50, 100, 150, 200, 250, 300]
  got = jax.vmap(lambda r: multi_power(MPL, r, jx(steps)))(jx(lrs))
  for i in range(2):
    np.testing.assert_allclose(got[i], ref_multi_power(MPL, lrs[i], steps), rtol=1e-12)
  lams = jnp.asarray([0.0, 0.9])
  got = jax.vmap(lambda lam: momentum(MOM | {"lam": lam}, jx(lrs[1]), jx(steps)))(lams)
  for i, lam in enumerate((0.0, 0.9)):
    want = ref_momentum(MOM | {"lam": lam}, lrs[1], steps)
    np.testing.assert_allclose(got[i], want, rtol=1e-12)


def test_laws_table():
  assert F.LAWS["power"] == (F.power, ("L0", "A", "alpha"))
  assert F.LAWS["momentum"] == (F.momentum, ("L0", "A", "alpha", "C", "lam"))
  assert F.LAWS["multi_power"] == (
    F.multi_power,
    ("L0", "A", "alpha", "B", "C", "beta", "gamma"),
  )
  assert F.BLOCKS == 2048


# -- blocks and the block summary -----------------------------------------------------------------


def _block_table(num_updates, steps, n_blocks):
  seg, ends = F.blocks(num_updates, jnp.asarray(steps, jnp.int32), n_blocks)
  seg, ends = np.asarray(seg), np.asarray(ends)
  assert seg.shape == (num_updates,) and seg.dtype == np.int32
  return seg, ends


@pytest.mark.parametrize(
  "num_updates, steps, n_blocks",
  [(10, [3, 7, 10], 2048), (100, [1, 33, 50, 99], 4), (100, [], 4), (5000, [1, 2500, 4999], 2048)],
)
def test_blocks_have_every_step_as_a_boundary(num_updates, steps, n_blocks):
  seg, ends = _block_table(num_updates, steps, n_blocks)
  assert np.all(np.diff(seg) >= 0) and seg[0] >= 0
  end_of = ends[seg]
  k = np.arange(num_updates)
  assert np.all(end_of > k)  # each update lies before its block's end
  start_of = np.where(seg > 0, ends[np.maximum(seg - 1, 0)], 0)
  assert np.all(start_of <= k)  # and at or after its start
  for s in steps:
    np.testing.assert_array_equal(end_of <= s, k < s)  # no block straddles a step
  used = np.unique(seg)
  assert len(used) <= min(num_updates, n_blocks) + len(steps)
  if num_updates <= n_blocks:  # every update its own block
    np.testing.assert_array_equal(end_of, k + 1)
  assert ends[-1] == np.iinfo(np.int32).max  # the block after the last boundary never counts


def test_blocks_are_uniform_without_steps():
  seg, ends = _block_table(100, [], 4)
  np.testing.assert_array_equal(np.unique(ends[seg]), [25, 50, 75, 100])
  seg, ends = _block_table(10, [], 3)  # round(linspace(0, 10, 4)) = 0, 3, 7, 10
  np.testing.assert_array_equal(np.unique(ends[seg]), [3, 7, 10])
  seg, ends = _block_table(7, [], 2048)  # fewer updates than blocks: one each
  assert len(ends) == 8 + 0


@x64
def test_summary_of_single_update_blocks_is_each_drop():
  lrs = np.array([1.0, 3.0, 2.0, 2.0, 0.5, 1.0, 0.0])  # drops/rises at k = 1..6
  steps = [2, 7]
  total, where, rate, index, ends = (np.asarray(a) for a in F.summary(jx(lrs), jx(steps)))
  assert total.shape == where.shape == rate.shape == index.shape == ends.shape
  assert total.shape[0] == 2
  seg, block_ends = _block_table(7, steps, 2048)
  np.testing.assert_array_equal(ends[0], block_ends)
  np.testing.assert_array_equal(ends[1], block_ends)
  prefix = np.concatenate([[0.0], np.cumsum(lrs)])
  d = np.concatenate([[0.0], lrs[:-1] - lrs[1:]])
  for k in range(7):
    b = seg[k]
    row = 0 if d[k] > 0 else 1
    np.testing.assert_allclose(total[row, b], d[k], rtol=1e-15)
    np.testing.assert_allclose(total[1 - row, b], 0.0)
    if d[k] != 0:
      np.testing.assert_allclose(where[row, b], prefix[k], rtol=1e-15)
      np.testing.assert_allclose(rate[row, b], lrs[k], rtol=1e-15)
      np.testing.assert_allclose(index[row, b], k, rtol=1e-15)
  # blocks with nothing in them: totals 0 and finite means
  for arr in (total, where, rate, index):
    assert np.all(np.isfinite(arr))


@x64
def test_summary_of_wide_blocks_is_the_drop_weighted_mean():
  lrs = np.array([1.0, 0.5, 0.7, 0.2, 0.2, 0.1, 0.4, 0.3])
  # one uniform block + the boundaries at 0 and 8: updates 0..7 in one block
  total, where, rate, index, ends = (np.asarray(a) for a in F.summary(jx(lrs), jx([8]), 1))
  prefix = np.concatenate([[0.0], np.cumsum(lrs)])
  d = np.concatenate([[0.0], lrs[:-1] - lrs[1:]])
  b = np.where(ends[0] == 8)[0][0]
  k = np.arange(8)
  for row, w in ((0, np.maximum(d, 0)), (1, np.minimum(d, 0))):
    np.testing.assert_allclose(total[row, b], w.sum(), rtol=1e-14)
    np.testing.assert_allclose(where[row, b], (w * prefix[:-1]).sum() / w.sum(), rtol=1e-14)
    np.testing.assert_allclose(rate[row, b], (w * lrs).sum() / w.sum(), rtol=1e-14)
    np.testing.assert_allclose(index[row, b], (w * k).sum() / w.sum(), rtol=1e-14)


@x64
def test_loss_drop_and_momentum_sum_from_the_summary():
  for name in ("warmup_cosine", "step", "rise", "cosine_to_zero"):
    lrs, steps = RUNS[name]
    flat = [a.reshape(-1) for a in F.summary(jx(lrs), jx(steps))]
    t = jx(steps)
    s1 = F.prefix_sums(jx(lrs))[t]
    want = [ref_ld(MPL, lrs, s) for s in steps]
    np.testing.assert_allclose(F.loss_drop(MPL, s1, t, *flat), want, rtol=1e-12, err_msg=name)
    for lam in (0.5, 0.99):
      got = F.momentum_sum({"lam": lam}, t, *flat)
      np.testing.assert_allclose(got, ref_s2(lam, lrs, steps), rtol=1e-11, atol=1e-18)


@x64
def test_training_at_a_rate_of_0_leaves_the_loss_where_it_is():
  # The drop to a rate of 0 at update z is not realised while only rates of 0
  # follow (G = 0: no update moved the weights), so the loss stays at L(z).
  # Its span, P[t] - P[z], is 0 only up to rounding: G once flipped to 1 for
  # about 1 run in 20 (losses off by up to 0.3).
  rng = np.random.default_rng(1)
  runs = rng.uniform(1e-4, 1e-3, (200, 300))
  zero = rng.integers(5, 290, 200)
  steps = np.stack([[z - 1, z, z + 1, z + 2, 298, 299, 300] for z in zero])
  for lrs, z in zip(runs, zero, strict=True):
    lrs[z:] = 0.0
  got = np.asarray(jax.vmap(lambda r, s: multi_power(MPL, r, s))(jx(runs), jx(steps)))
  for i in range(200):
    want = ref_multi_power(MPL, runs[i], steps[i])
    np.testing.assert_allclose(got[i], want, rtol=1e-12, err_msg=f"run {i}")
    np.testing.assert_allclose(got[i, 1:], got[i, 1], rtol=1e-12)  # constant from z on
  # float32 too
  lrs32 = runs.astype(np.float32)
  with jax.enable_x64(False):
    got32 = jax.vmap(lambda r, s: F.multi_power(MPL, r, s))(jnp.asarray(lrs32), jnp.asarray(steps))
  for i in range(200):
    want = ref_multi_power(MPL, lrs32[i].astype(np.float64), steps[i])
    np.testing.assert_allclose(got32[i], want, rtol=1e-5, err_msg=f"run {i} (float32)")


@x64
def test_the_fits_annealing_sum_leaves_a_rate_of_0_unrealised_too():
  from optax_sched.laws import fit

  rng = np.random.default_rng(2)
  q = jnp.asarray([MPL["C"], MPL["beta"], MPL["gamma"]])
  f = jax.jit(lambda s1, t, b: fit._annealing_and_jacobian("multi_power", q, s1, t, b)[0])
  for _ in range(100):
    lrs = rng.uniform(1e-4, 1e-3, 300)
    z = int(rng.integers(5, 290))
    lrs[z:] = 0.0
    steps = np.array([z - 1, z, z + 1, z + 2, 298, 299, 300])
    # padded with empty blocks (a total of 0) to one shape: one compilation
    blocks = [
      jnp.asarray(np.pad(a, (0, 700 - a.size), constant_values=v))
      for a, v in zip(fit.summary(lrs, steps, 512), (0.0, 0.0, 1.0, 0.0, 2.0**31 - 1), strict=True)
    ]
    s1 = jnp.asarray(np.cumsum(np.concatenate([[0.0], lrs]))[steps])
    ld = f(s1, jnp.asarray(steps), blocks)
    want = [ref_ld(MPL, lrs, t) for t in steps]
    np.testing.assert_allclose(ld, want, rtol=1e-11, err_msg=f"drop to 0 at {z}")


@x64
def test_a_tiny_rate_after_a_rate_of_0_realises_its_drop():
  # Rounding is a few ulps of the LR sum (here 1e-3: 2e-19); a rate of 1e-13
  # after a rate of 0 is far above it, so the drop to 0 is realised (G = 1).
  lrs = np.concatenate([np.full(10, 1e-4), np.zeros(5), np.full(285, 1e-13)])
  steps = [10, 11, 15, 16, 17, 100, 300]
  want = ref_multi_power(MPL, lrs, steps)
  np.testing.assert_allclose(multi_power(MPL, jx(lrs), jx(steps)), want, rtol=1e-12)
  # G = 1 from step 16 on: the loss is B * 1e-4 below its value at steps 11..15
  np.testing.assert_allclose(want[2] - want[3], MPL["B"] * 1e-4, rtol=1e-6)


def test_float32_rates_give_float32_losses_under_x64():
  # a rate of 0 in the run: the G of its drop comes from a boolean (0 or 1)
  lrs = np.concatenate([np.full(100, 1e-3), np.zeros(50), np.full(150, 5e-4)])
  steps = np.array([99, 100, 101, 150, 151, 200, 300])
  with jax.enable_x64(True):
    r32 = jnp.asarray(lrs, jnp.float32)
    for f, ref, p in (
      (power, ref_power, MOM),
      (momentum, ref_momentum, MOM),
      (multi_power, ref_multi_power, MPL),
    ):
      name = ref.__name__
      got = f(p, r32, jnp.asarray(steps))
      assert got.dtype == jnp.float32, name
      np.testing.assert_allclose(
        got, ref(p, lrs.astype(np.float32).astype(np.float64), steps), rtol=1e-5, err_msg=name
      )
