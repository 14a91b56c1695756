"""The same training step on 8 simulated devices and on two processes.

The schedule is evaluated inside the jitted update from the count in
``opt_state``, so nothing about it changes under data parallelism: every
device and every process holds the same count, the same rate and the same
parameters, and the loop runs with host transfers disallowed.
"""

import functools
import json
import os
import pathlib
import socket
import subprocess
import sys

import jax
import numpy as np
import pytest
from jax.sharding import Mesh, NamedSharding, PartitionSpec as P
from multidevice_setup import BATCH, SCHEDULE, problem

from optax_sched import exercise
from optax_sched.training import step_count

STEPS = 12
PROBLEM = problem()
BATCHES = np.asarray(PROBLEM.order).reshape(-1, BATCH)[:STEPS]
ROOT = pathlib.Path(__file__).resolve().parent.parent


def _single_device_run():
  step = jax.jit(functools.partial(exercise.train_step, SCHEDULE))
  params, opt_state = PROBLEM.params, exercise.optimizer(SCHEDULE).init(PROBLEM.params)
  lrs = []
  for i in BATCHES:
    params, opt_state, _, lr = step(params, opt_state, PROBLEM.x_train[i], PROBLEM.y_train[i])
    lrs.append(float(lr))
  return params, lrs


REFERENCE = _single_device_run()


@pytest.fixture(scope="module")
def sharded_run():
  if jax.device_count() < 8:
    pytest.skip(
      f"needs 8 devices, found {jax.device_count()}: XLA_FLAGS must hold"
      " --xla_force_host_platform_device_count=8 before jax starts"
    )
  mesh = Mesh(np.array(jax.devices()[:8]), ("data",))
  replicated, data = NamedSharding(mesh, P()), NamedSharding(mesh, P("data"))
  params = jax.device_put(PROBLEM.params, replicated)
  opt_state = jax.device_put(exercise.optimizer(SCHEDULE).init(PROBLEM.params), replicated)
  xs = [jax.device_put(PROBLEM.x_train[i], data) for i in BATCHES]
  ys = [jax.device_put(PROBLEM.y_train[i], data) for i in BATCHES]
  step = jax.jit(functools.partial(exercise.train_step, SCHEDULE), out_shardings=(replicated,) * 4)
  lrs = []
  # The step counter, the rate and the parameters stay on the devices.
  with jax.transfer_guard("disallow"):
    for x, y in zip(xs, ys, strict=True):
      params, opt_state, _, lr = step(params, opt_state, x, y)
      lrs.append(lr)
  return params, opt_state, lrs


def _shards(a):
  return [np.asarray(s.data) for s in a.addressable_shards]


def test_batch_is_split_over_8_devices(sharded_run):
  x = jax.device_put(
    PROBLEM.x_train[BATCHES[0]],
    NamedSharding(Mesh(np.array(jax.devices()[:8]), ("data",)), P("data")),
  )
  assert [s.data.shape[0] for s in x.addressable_shards] == [BATCH // 8] * 8


def test_every_device_holds_the_same_count_and_rate(sharded_run):
  _, opt_state, lrs = sharded_run
  assert [int(c) for c in _shards(step_count(opt_state))] == [STEPS] * 8
  for k, lr in enumerate(lrs):
    assert len(lr.addressable_shards) == 8
    np.testing.assert_array_equal(_shards(lr), [np.float32(REFERENCE[1][k])] * 8)


def test_every_device_holds_the_same_parameters(sharded_run):
  params, _, _ = sharded_run
  for leaf in jax.tree_util.tree_leaves(params):
    first, *rest = _shards(leaf)
    for other in rest:
      np.testing.assert_array_equal(other, first)


def test_sharded_parameters_equal_the_single_device_run(sharded_run):
  params, _, _ = sharded_run
  for k in params:
    # The gradient is summed in another order across devices: float rounding only.
    np.testing.assert_allclose(_shards(params[k])[0], REFERENCE[0][k], rtol=1e-4, atol=1e-6)


def _free_port():
  with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    return s.getsockname()[1]


@pytest.fixture(scope="module")
def two_processes(tmp_path_factory):
  port = _free_port()
  env = dict(os.environ)
  env["XLA_FLAGS"] = "--xla_force_host_platform_device_count=1"
  env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
  env["JAX_PLATFORMS"] = "cpu"
  worker = str(ROOT / "tests" / "distributed_worker.py")
  logs = tmp_path_factory.mktemp("distributed")
  # Files, not pipes: a worker blocked on a full pipe would stall its peer.
  outs = [(logs / f"{i}.out", logs / f"{i}.err") for i in range(2)]
  procs = []
  for i, (out, err) in enumerate(outs):
    with open(out, "w") as fo, open(err, "w") as fe:
      procs.append(
        subprocess.Popen(
          [sys.executable, worker, str(i), str(port), str(STEPS)],
          stdout=fo,
          stderr=fe,
          stdin=subprocess.DEVNULL,
          env=env,
          cwd=str(ROOT),
        )
      )
  try:
    for p in procs:
      p.wait(timeout=180)
  except subprocess.TimeoutExpired:
    for p in procs:
      p.kill()
      p.wait()
    pytest.fail(
      "the two jax.distributed processes did not finish within 180 s:\n"
      + "\n".join(e.read_text()[-1500:] for _, e in outs)
    )
  for p, (_, err_path) in zip(procs, outs, strict=True):
    err = err_path.read_text()
    if p.returncode != 0:
      if "collectives" in err.lower() and ("not" in err.lower() or "unsupported" in err.lower()):
        pytest.skip(
          "this jax cannot run CPU collectives across processes (gloo): "
          + err.strip().splitlines()[-1]
        )
      pytest.fail(f"worker exited with {p.returncode}:\n{err[-3000:]}")
  return [json.loads(out.read_text().strip().splitlines()[-1]) for out, _ in outs]


def test_two_processes_form_one_job(two_processes):
  assert sorted(r["process"] for r in two_processes) == [0, 1]
  assert all(r["process_count"] == 2 and r["devices"] == 2 for r in two_processes)


def test_two_processes_use_the_same_rates(two_processes):
  a, b = two_processes
  assert a["count"] == b["count"] == STEPS
  assert a["lrs"] == b["lrs"]
  np.testing.assert_array_equal(np.float32(a["lrs"]), np.float32(REFERENCE[1]))


def test_two_processes_hold_the_same_parameters(two_processes):
  a, b = two_processes
  assert a["params"] == b["params"]


def test_two_process_parameters_equal_the_single_process_run(two_processes):
  for k, v in two_processes[0]["params"].items():
    np.testing.assert_allclose(np.float32(v), REFERENCE[0][k], rtol=1e-4, atol=1e-6)
