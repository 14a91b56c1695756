"""The choosing commands of ``optax-sched``: lr-find."""

import pytest

from optax_sched import cli

pytest.importorskip("sklearn")
pytest.importorskip("matplotlib")


def test_lr_find_prints_suggestions_and_writes_the_plot(tmp_path, capsys):
  out = tmp_path / "lr.png"
  assert cli.main(["lr-find", "-o", str(out), "--num-steps", "30"]) == 0
  text = capsys.readouterr().out
  for name in ("valley", "steepest", "minimum", "suggestion"):
    assert name in text
  assert out.stat().st_size > 1000


@pytest.mark.parametrize(
  "argv, message",
  [
    (["-o", "lr.txt"], "must end in"),
    (["--seeds", "0"], "--seeds=0"),
    (["--min-lr", "1.0", "--max-lr", "0.1"], "max_lr="),
  ],
)
def test_lr_find_bad_options(tmp_path, capsys, argv, message):
  argv = (
    ["lr-find", "-o", str(tmp_path / "lr.png"), *argv] if argv[0] != "-o" else ["lr-find", *argv]
  )
  assert cli.main(argv) == 2
  assert message in capsys.readouterr().err
