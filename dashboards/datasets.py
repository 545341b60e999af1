"""Reading a sweep dataset (DIR/outcomes.parquet, DIR/runs.parquet, DIR/manifest.json).

Every problem becomes one :class:`~talentsim.analysis.dataset.DatasetError` naming the file
and what is wrong, so a page can show it as a message instead of a traceback. The manifest and
the Parquet files are read by :mod:`talentsim.analysis.dataset`, like ``talentsim analyze``
does; unlike it, a plain ``talentsim run`` folder and a sweep without ``runs.parquet`` or
``flows.parquet`` are accepted here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from dashboards.roots import files_inside, results_roots
from talentsim.analysis.dataset import DESIGN_KINDS as SWEEP_KINDS
from talentsim.analysis.dataset import NOT_OUTCOMES, DatasetError, read_manifest, read_table

DESIGN_KINDS = (*SWEEP_KINDS, "single")
"""Design kinds a sweep's manifest may name, and ``single`` for a plain run folder."""


@dataclass
class SweepData:
    """A loaded sweep: tidy outcomes, one row per run, the manifest and derived column lists."""

    path: Path
    outcomes: pd.DataFrame
    runs: pd.DataFrame
    manifest: dict[str, Any]
    levers: list[str] = field(default_factory=list)
    outcome_columns: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def kind(self) -> str:
        """The design kind (scenarios, grid, lhs, sobol, morris; single for one plain run)."""
        return str(self.manifest.get("design", {}).get("kind", "single"))

    @property
    def problem(self) -> dict[str, Any]:
        """The SALib problem of the design ({} if none)."""
        problem = self.manifest.get("design", {}).get("problem") or {}
        return problem if isinstance(problem, dict) else {}

    @property
    def failed(self) -> pd.DataFrame:
        """Runs whose status is not ok."""
        if "status" not in self.runs:
            return self.runs.iloc[0:0]
        return self.runs[self.runs["status"] != "ok"]


def load_sweep(path: Path, roots: list[Path] | None = None) -> SweepData:
    """Load and check the dataset in folder ``path``.

    A plain ``talentsim run`` folder (no ``design`` in its manifest, no ``run_id`` column) is
    accepted as a single run. Every file is resolved (symlinks followed) and must lie inside
    ``roots`` (default: the dashboard's results roots, if any are set).

    Raises:
        DatasetError: the folder, a file or a required column is missing or unreadable, a
            column has the wrong type, or a file leads outside the roots.

    """
    if not path.is_dir():
        raise DatasetError(f"{path}: no such folder")
    roots = results_roots() if roots is None else roots
    if roots and not files_inside(path, [root.resolve() for root in roots]):
        raise DatasetError(f"{path}: a dataset file leads outside the results roots; refused")
    manifest = read_manifest(path / "manifest.json", require_design=False)
    outcomes = read_table(path / "outcomes.parquet")
    notes: list[str] = []
    if "design" not in manifest and "run_id" not in outcomes:
        outcomes = outcomes.assign(run_id=0, point_id=0, replication=0)
        notes.append("a single run (no sweep design)")
    for column in ("run_id", "year"):
        if column not in outcomes:
            raise DatasetError(f"{path / 'outcomes.parquet'}: column '{column}' is missing")
    if not pd.api.types.is_integer_dtype(outcomes["year"]):
        raise DatasetError(
            f"{path / 'outcomes.parquet'}: column 'year' must hold whole numbers, "
            f"not {outcomes['year'].dtype}"
        )
    if outcomes.empty:
        raise DatasetError(f"{path / 'outcomes.parquet'}: no rows (no run has finished yet?)")
    runs = _load_runs(path, outcomes, notes)
    levers = [c for c in outcomes.columns if "." in c]
    numeric = outcomes.select_dtypes("number").columns
    outcome_columns = [c for c in numeric if c not in NOT_OUTCOMES and c not in levers]
    if not outcome_columns:
        raise DatasetError(f"{path / 'outcomes.parquet'}: no numeric outcome columns")
    return SweepData(path, outcomes, runs, manifest, levers, outcome_columns, notes)


def _load_runs(path: Path, outcomes: pd.DataFrame, notes: list[str]) -> pd.DataFrame:
    file = path / "runs.parquet"
    if file.exists():
        runs = read_table(file)
        for column in ("run_id", "status"):
            if column not in runs:
                raise DatasetError(f"{file}: column '{column}' is missing")
        return runs
    notes.append("no runs.parquet: run status unknown, every run with outcomes counted as ok")
    keys = [c for c in ("run_id", "point_id", "scenario", "replication") if c in outcomes]
    return outcomes[keys].drop_duplicates("run_id").assign(status="ok", error="")


def describe(data: SweepData) -> str:
    """One line: design, runs, failures, years."""
    years = data.outcomes["year"]
    n_runs = len(data.runs)
    return (
        f"design {data.kind} · {n_runs} runs · {len(data.failed)} failed · "
        f"years {int(years.min())}–{int(years.max())} · {len(data.levers)} levers"
    )
