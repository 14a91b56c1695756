"""One valid instance of every optax-named schedule, for tests that sweep all."""
import optax_sched as sched

OPTAX_EXAMPLES = {
    "constant_schedule": lambda: sched.constant_schedule(1e-3),
    "linear_schedule": lambda: sched.linear_schedule(0.0, 1e-3, 100, 10),
    "polynomial_schedule": lambda: sched.polynomial_schedule(1e-3, 1e-5, 2.0, 100, 5),
    "cosine_decay_schedule": lambda: sched.cosine_decay_schedule(1e-3, 100, 0.1),
    "warmup_cosine_decay_schedule":
        lambda: sched.warmup_cosine_decay_schedule(0.0, 1e-3, 10, 100, 1e-5),
    "warmup_constant_schedule": lambda: sched.warmup_constant_schedule(0.0, 1e-3, 10),
    "warmup_exponential_decay_schedule":
        lambda: sched.warmup_exponential_decay_schedule(0.0, 1e-3, 10, 20, 0.5, end_value=1e-5),
    "exponential_decay": lambda: sched.exponential_decay(1e-3, 20, 0.5, 5, True),
    "piecewise_constant_schedule":
        lambda: sched.piecewise_constant_schedule(1e-3, {30: 0.1, 60: 0.1}),
    "piecewise_interpolate_schedule":
        lambda: sched.piecewise_interpolate_schedule("cosine", 1e-3, {30: 0.1, 60: 0.5}),
    "linear_onecycle_schedule": lambda: sched.linear_onecycle_schedule(100, 1e-3),
    "cosine_onecycle_schedule": lambda: sched.cosine_onecycle_schedule(100, 1e-3),
    "sgdr_schedule": lambda: sched.sgdr_schedule(
        [dict(init_value=1e-4, peak_value=1e-3, warmup_steps=5, decay_steps=50)] * 2),
    "join_schedules": lambda: sched.join_schedules(
        [sched.linear_schedule(0.0, 1e-3, 10), sched.cosine_decay_schedule(1e-3, 90)], [10]),
}
