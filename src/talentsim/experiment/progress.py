"""A terminal progress bar for a sweep: runs done / total, failures, elapsed time and ETA."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)


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
                f"[red]run {record['run_id']} failed[/] "
                f"({record['error'].strip().splitlines()[-1] if record['error'] else ''})",
                highlight=False,
                soft_wrap=True,
            )
        if self.task is not None:
            self.progress.update(self.task, advance=1, failed=self.failed)


@contextmanager
def sweep_progress(console: Console) -> Iterator[SweepProgress]:
    """A live progress bar on ``console`` for the duration of a sweep."""
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
