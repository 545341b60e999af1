"""Sweep progress: a rich bar on a terminal, plain lines in a log (nohup, a cluster job).

Both show runs done / total, failures, elapsed time and ETA. Without a terminal a line is
printed every :data:`LINE_EVERY_RUNS` share of the runs or every :data:`LINE_EVERY_SECONDS`,
whichever comes first, and once at the end.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

LINE_EVERY_RUNS = 0.05
"""Without a terminal: a progress line after each 5 % of the runs ..."""
LINE_EVERY_SECONDS = 60.0
"""... or after a minute without one."""


def failure_line(record: dict[str, Any]) -> str:
    """One line naming a failed run and the last line of its error."""
    last = record["error"].strip().splitlines()[-1] if record["error"] else ""
    return f"run {record['run_id']} failed ({last})"


@dataclass
class SweepProgress:
    """Callbacks for :func:`talentsim.experiment.runner.run_sweep` that drive a rich bar."""

    progress: Progress
    task: TaskID | None = None
    failed: int = 0

    def start(self, todo: int, already_done: int) -> None:
        """Show the bar; runs finished in an earlier session count as done."""
        self.task = self.progress.add_task(
            "sweep", total=todo + already_done, completed=already_done, failed=0
        )

    def run_done(self, record: dict[str, Any]) -> None:
        """Advance by one finished run."""
        if record["status"] != "ok":
            self.failed += 1
            self.progress.console.print(
                f"[red]{escape(failure_line(record))}[/]", highlight=False, soft_wrap=True
            )
        if self.task is not None:
            self.progress.update(self.task, advance=1, failed=self.failed)


@dataclass
class LineProgress:
    """The same callbacks printing plain progress lines, for output that is not a terminal."""

    say: Callable[[str], None]
    clock: Callable[[], float] = time.monotonic
    total: int = 0
    done: int = 0
    failed: int = 0
    todo: int = 0
    finished_now: int = 0
    started: float = field(default=0.0)
    last_line: float = field(default=0.0)
    last_done: int = 0

    def start(self, todo: int, already_done: int) -> None:
        """Print the plan: runs to do and runs finished in an earlier session."""
        self.total, self.done, self.todo = todo + already_done, already_done, todo
        self.started = self.last_line = self.clock()
        self.last_done = already_done
        self.say(f"sweep: {todo} runs to do, {already_done} of {self.total} already done")

    def run_done(self, record: dict[str, Any]) -> None:
        """Count a finished run; print a line when enough runs or time have passed."""
        self.done += 1
        self.finished_now += 1
        if record["status"] != "ok":
            self.failed += 1
            self.say(failure_line(record))
        step = max(1, round(self.total * LINE_EVERY_RUNS))
        now = self.clock()
        if (
            self.done - self.last_done >= step
            or now - self.last_line >= LINE_EVERY_SECONDS
            or self.finished_now == self.todo
        ):
            self.say(self.line(now))
            self.last_line, self.last_done = now, self.done

    def line(self, now: float) -> str:
        """``sweep: 12/120 runs (10 %), 1 failed, elapsed 0:01:05, ETA 0:09:45``."""
        elapsed = now - self.started
        rate = self.finished_now / elapsed if elapsed > 0 else 0.0
        left = self.total - self.done
        eta = clock_text(left / rate) if rate > 0 else "?"
        share = 100 * self.done / self.total if self.total else 100.0
        return (
            f"sweep: {self.done}/{self.total} runs ({share:.0f} %), {self.failed} failed, "
            f"elapsed {clock_text(elapsed)}, ETA {eta}"
        )


def clock_text(seconds: float) -> str:
    """Seconds as ``H:MM:SS``."""
    whole = round(seconds)
    return f"{whole // 3600}:{whole // 60 % 60:02d}:{whole % 60:02d}"


@contextmanager
def sweep_progress(console: Console) -> Iterator[SweepProgress | LineProgress]:
    """Progress on ``console`` for the duration of a sweep: a live bar, or plain lines."""
    if not console.is_terminal:
        yield LineProgress(lambda text: console.print(text, markup=False, highlight=False,
                                                      soft_wrap=True))  # fmt: skip
        return
    progress = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("runs  [red]{task.fields[failed]} failed"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=console,
    )
    with progress:
        yield SweepProgress(progress)
