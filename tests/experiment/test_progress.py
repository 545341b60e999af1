"""Progress without a terminal: plain lines every few runs or every minute, and at the end."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from talentsim.cli import app
from talentsim.experiment.progress import LineProgress


def test_line_progress_prints_every_twentieth_of_the_runs_and_each_minute() -> None:
    lines: list[str] = []
    now = [0.0]
    progress = LineProgress(lines.append, clock=lambda: now[0])
    progress.start(todo=90, already_done=10)
    assert lines == ["sweep: 90 runs to do, 10 of 100 already done"]
    for _ in range(4):
        now[0] += 1
        progress.run_done({"run_id": "x", "status": "ok", "error": None})
    assert len(lines) == 1  # 4 of 100 runs: under 5 %, under a minute
    now[0] += 1
    progress.run_done({"run_id": "p3-r0", "status": "failed", "error": "Traceback\nBoom: x\n"})
    assert lines[1:] == [
        "run p3-r0 failed (Boom: x)",
        "sweep: 15/100 runs (15 %), 1 failed, elapsed 0:00:05, ETA 0:01:25",
    ]
    now[0] += 61  # a slow run: a line after a minute
    progress.run_done({"run_id": "y", "status": "ok", "error": None})
    assert lines[-1].startswith("sweep: 16/100 runs (16 %), 1 failed, elapsed 0:01:06")


def test_sweep_without_a_terminal_prints_progress_lines(tiny: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["sweep", str(tiny), "--out", str(tmp_path / "data"), "--executor", "serial"]
    )
    assert result.exit_code == 0, result.output
    assert "sweep: 8 runs to do, 0 of 8 already done" in result.output
    assert "sweep: 1/8 runs (12 %), 0 failed" in result.output
    assert "sweep: 8/8 runs (100 %), 0 failed" in result.output
