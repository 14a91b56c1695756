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

_COS = sched.cosine_decay_schedule(1e-3, 100, 0.1)
_LIN = sched.linear_schedule(0.0, 1e-3, 50)

# One valid instance of every combinator (every registered name it adds).
COMBINATOR_EXAMPLES = {
    "join_schedules": lambda: sched.join_schedules(  # one family: the fast path
        [_COS, _COS.replace(init_value=5e-4, decay_steps=60)], [50]),
    "warmup": lambda: sched.warmup(_COS, 20, 1e-5, "cosine"),
    "multiply": lambda: sched.multiply(_COS, _LIN),
    "divide": lambda: sched.divide(_COS, 2.0),
    "add": lambda: sched.add(_COS, 1e-4),
    "scale": lambda: sched.scale(_COS, 0.5),
    "minimum": lambda: sched.minimum(_COS, _LIN, 8e-4),
    "maximum": lambda: sched.maximum(_COS, 5e-4),
    "clip": lambda: sched.clip(_COS, floor=2e-4, ceiling=9e-4),
    "shift": lambda: sched.shift(_COS, 30),
    "stretch": lambda: sched.stretch(_COS, 2.5),
    "repeat": lambda: sched.repeat(_COS, 40, 2.0, 0.5),
    "per_epoch": lambda: sched.per_epoch(_COS, 7),
}
