"""One of the two processes of tests/test_multidevice.py's jax.distributed test.

    python tests/distributed_worker.py PROCESS_ID PORT STEPS

Joins a 2-process job on 127.0.0.1:PORT (CPU, gloo collectives), trains the
exercise's MLP data-parallel (each process feeds its half of every global
batch) and prints one JSON line: the rate of every step, the final count and
the final parameters, all read back only after the loop.
"""

import json
import sys


def main():
  pid, port, steps = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
  import jax

  try:
    jax.config.update("jax_cpu_collectives_implementation", "gloo")
  except AttributeError:
    pass  # a jax without the option: its CPU collectives are on by default
  jax.distributed.initialize(
    coordinator_address=f"127.0.0.1:{port}",
    num_processes=2,
    process_id=pid,
    initialization_timeout=60,
  )
  import functools

  import numpy as np
  from jax.sharding import Mesh, NamedSharding, PartitionSpec as P
  from multidevice_setup import BATCH, SCHEDULE, problem

  from optax_sched import exercise
  from optax_sched.training import step_count

  prob = problem()
  mesh = Mesh(np.array(jax.devices()), ("data",))
  replicated, data = NamedSharding(mesh, P()), NamedSharding(mesh, P("data"))
  half = BATCH // 2

  def global_array(x, sharding, local):
    return jax.make_array_from_process_local_data(sharding, np.asarray(local(x)))

  params = jax.tree_util.tree_map(lambda x: global_array(x, replicated, lambda a: a), prob.params)
  opt_state = jax.tree_util.tree_map(
    lambda x: global_array(x, replicated, lambda a: a),
    exercise.optimizer(SCHEDULE).init(prob.params),
  )
  batches = np.asarray(prob.order).reshape(-1, BATCH)[:steps]
  xs = [
    global_array(prob.x_train[i], data, lambda a: a[pid * half : (pid + 1) * half]) for i in batches
  ]
  ys = [
    global_array(prob.y_train[i], data, lambda a: a[pid * half : (pid + 1) * half]) for i in batches
  ]
  step = jax.jit(
    functools.partial(exercise.train_step, SCHEDULE),
    out_shardings=(replicated, replicated, replicated, replicated),
  )
  lrs = []
  with jax.transfer_guard("disallow"):
    for x, y in zip(xs, ys, strict=True):
      params, opt_state, _, lr = step(params, opt_state, x, y)
      lrs.append(lr)
  local = lambda a: np.asarray(a.addressable_data(0))  # noqa: E731
  print(
    json.dumps(
      {
        "process": pid,
        "process_count": jax.process_count(),
        "devices": jax.device_count(),
        "lrs": [float(local(lr)) for lr in lrs],
        "count": int(local(step_count(opt_state))),
        "params": {k: local(v).tolist() for k, v in params.items()},
      }
    ),
    flush=True,
  )
  jax.distributed.shutdown()


if __name__ == "__main__":
  main()
