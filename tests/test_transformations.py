"""The same schedule under jit, no jit, on a device, under pmap, on every backend."""

import chex
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from conftest import assert_close
from examples import OPTAX_EXAMPLES

NAMES = sorted(OPTAX_EXAMPLES)
STEPS = jnp.arange(0, 160, 7)


class VariantsTest(chex.TestCase):
  @chex.variants(with_jit=True, without_jit=True, with_device=True)
  def test_step_array_agrees_with_scalar_calls(self):
    for name in NAMES:
      s = OPTAX_EXAMPLES[name]()
      out = self.variant(s.__call__)(STEPS)
      ref = np.array([float(s(int(t))) for t in STEPS])
      assert_close(out, ref, err_msg=name)

  @chex.variants(with_jit=True, without_jit=True, with_device=True)
  def test_vmapped_steps_agree_with_array_call(self):
    for name in NAMES:
      s = OPTAX_EXAMPLES[name]()
      out = self.variant(jax.vmap(s.__call__))(STEPS)
      assert_close(out, s(STEPS), err_msg=name)

  @chex.variants(with_pmap=True)
  def test_pmap_on_four_devices(self):
    if jax.device_count() < 4:
      self.skipTest(f"needs 4 devices, jax sees {jax.device_count()}")
    steps = jnp.arange(4 * 6).reshape(4, 6) * 5
    for name in NAMES:
      s = OPTAX_EXAMPLES[name]()
      out = self.variant(s.__call__, n_devices=4)(steps)
      assert_close(out, s(steps), err_msg=name)


def _platforms():
  params = []
  for platform in ("cpu", "gpu", "tpu"):
    try:
      devices = jax.devices(platform)
    except RuntimeError:
      devices = []
    params.append(
      pytest.param(
        platform,
        marks=pytest.mark.skipif(
          not devices, reason=f"no {platform} device visible to jax on this machine"
        ),
      )
    )
  return params


@pytest.mark.parametrize("platform", _platforms())
@pytest.mark.parametrize("name", NAMES)
def test_backend_matrix(platform, name):
  s = OPTAX_EXAMPLES[name]()
  device = jax.devices(platform)[0]
  steps = jax.device_put(STEPS, device)
  out = jax.jit(lambda t: s(t))(steps)
  assert out.devices() == {device}
  ref = np.array([float(s(int(t))) for t in STEPS])
  # Accelerators may use lower-precision transcendental functions.
  assert_close(out, ref, rtol=1e-6 if platform == "cpu" else 1e-5)
