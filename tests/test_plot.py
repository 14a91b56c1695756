"""Plots: matplotlib axes with marks, the envelope of long runs, text plots."""

import matplotlib

matplotlib.use("Agg")

import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from conftest import assert_close  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

import optax_sched as sched  # noqa: E402
from optax_sched.plotting import envelope, terminal_plot  # noqa: E402

WARMUP_COSINE = sched.warmup_cosine_decay_schedule(0.0, 1e-3, 100, 1000, 1e-5)
SGDR = sched.sgdr_schedule(
  [dict(init_value=1e-4, peak_value=1e-3, warmup_steps=5, decay_steps=50)] * 3
)


def _ax():
  return Figure().add_subplot()


def test_one_curve_per_schedule_with_its_label():
  ax = sched.plot({"a": WARMUP_COSINE, "b": SGDR}, 1000, ax=_ax(), marks=False)
  assert [line.get_label() for line in ax.get_lines()] == ["a", "b"]


def test_default_labels_are_the_reprs():
  ax = sched.plot([sched.constant_schedule(1e-3)], 10, ax=_ax(), marks=False)
  assert ax.get_lines()[0].get_label() == "constant_schedule(value=0.001)"


def test_curve_holds_the_schedule_values():
  ax = sched.plot(WARMUP_COSINE, 1000, ax=_ax(), marks=False)
  x, y = ax.get_lines()[0].get_data()
  assert_close(y, WARMUP_COSINE(np.asarray(x)))


def test_marks_warmup_end_and_peak():
  ax = sched.plot(WARMUP_COSINE, 1000, ax=_ax())
  marked = {(line.get_marker(), float(line.get_xdata()[0])) for line in ax.get_lines()[1:]}
  assert marked == {("o", 100.0), ("*", 100.0)}


def test_marks_each_restart_with_a_vertical_line():
  ax = sched.plot(SGDR, 150, ax=_ax())
  verticals = [line for line in ax.get_lines() if line.get_linestyle() == ":"]
  assert sorted(float(line.get_xdata()[0]) for line in verticals) == [50, 100]


def test_log_scale():
  ax = sched.plot(WARMUP_COSINE, 1000, ax=_ax(), log=True)
  assert ax.get_yscale() == "log"


def test_labels_must_match_the_schedules():
  with pytest.raises(ValueError, match="one label per schedule"):
    sched.plot([WARMUP_COSINE, SGDR], 100, ax=_ax(), labels=["only one"])


def test_plot_without_an_axis_makes_a_figure():
  ax = sched.plot(WARMUP_COSINE, 1000)
  assert ax.figure is not None


def test_envelope_keeps_a_one_step_spike_in_a_long_run():
  values = np.zeros(1_000_000)
  values[123_457] = 1.0
  steps, kept = envelope(values, 1000)
  assert len(steps) <= 3001 and kept.max() == 1.0
  assert steps[np.argmax(kept)] == 123_457


def test_envelope_keeps_every_step_of_a_short_run():
  values = np.linspace(0, 1, 50)
  steps, kept = envelope(values, 1000)
  np.testing.assert_array_equal(kept, values)


def test_terminal_plot_has_the_asked_size():
  lines = terminal_plot(WARMUP_COSINE, 1000, width=60, height=10).splitlines()
  assert len(lines) == 10 + 2
  assert max(len(line) for line in lines) <= 60


def test_terminal_plot_labels_top_and_bottom_values():
  lines = terminal_plot(WARMUP_COSINE, 1000, height=8).splitlines()
  assert lines[0].split()[0] == "0.001" and lines[7].split()[0] == "0"


def test_terminal_plot_draws_dots_in_every_column():
  lines = terminal_plot(sched.linear_schedule(1.0, 0.0, 100), 100, width=40, height=6).splitlines()[
    :6
  ]
  columns = [
    "".join(line[12:][i] if i < len(line) - 12 else " " for line in lines) for i in range(28)
  ]
  assert all(any("\u2800" < ch <= "\u28ff" for ch in col) for col in columns)


def test_terminal_plot_on_a_log_axis_labels_the_decades():
  s = sched.exponential_decay(1.0, 10, 0.1)
  lines = terminal_plot(s, 41, height=7, log=True).splitlines()
  assert [lines[i].split()[0] for i in (0, 3, 6)] == ["1", "0.01", "0.0001"]


def test_terminal_plot_needs_room():
  with pytest.raises(ValueError, match="width"):
    terminal_plot(WARMUP_COSINE, 100, width=5)


def test_terminal_plot_of_nothing_finite():
  s = sched.function_schedule(lambda t: jnp.full(jnp.shape(t), jnp.nan))
  assert "nothing to plot" in terminal_plot(s, 10)
