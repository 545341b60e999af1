"""Load and validate a sweep dataset written by the experiment runner.

A sweep folder holds ``outcomes.parquet`` (one row per run × year), ``flows.parquet`` (people
moving between states), ``runs.parquet`` (one row per run, with its status) and
``manifest.json`` (the design and the resolved experiment). Everything is checked here, once:
the rest of :mod:`talentsim.analysis` trusts a :class:`SweepDataset`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

DESIGN_KINDS = ("scenarios", "grid", "lhs", "sobol", "morris", "optimize")
RUN_KEYS = ("run_id", "point_id", "scenario", "replication")
SEED_COLUMNS = ("seed_entropy", "seed_spawn_key")
RUN_BOOKKEEPING = ("status", "error", "seconds")
FLOW_COLUMNS = ("run_id", "year", "source", "target", "count")
NOT_OUTCOMES = frozenset(RUN_KEYS + SEED_COLUMNS + RUN_BOOKKEEPING + ("year",))


class DatasetError(ValueError):
    """A sweep folder that cannot be analysed; the message names the file and the field."""


@dataclass(frozen=True)
class SweepDataset:
    """A validated sweep: successful runs' outcomes and flows, every run's status, the design.

    Attributes:
        path: The sweep folder.
        outcomes: One row per successful run × year.
        flows: One row per run × year × (source, target).
        runs: One row per run (``status`` 'ok' or 'failed').
        manifest: The parsed ``manifest.json``.
        params: Lever/uncertainty columns (dotted config paths), in design order.
        outcome_names: Numeric outcome columns.

    """

    path: Path
    outcomes: pd.DataFrame
    flows: pd.DataFrame
    runs: pd.DataFrame
    manifest: dict
    params: list[str]
    outcome_names: list[str] = field(default_factory=list)

    @property
    def design(self) -> dict:
        """The manifest's design block (``kind`` and, for SALib designs, ``problem``)."""
        return self.manifest["design"]

    @property
    def kind(self) -> str:
        """The design kind: scenarios, grid, lhs, sobol or morris."""
        return str(self.design["kind"])

    @property
    def scenarios(self) -> list[str]:
        """Scenario names in design (point) order."""
        order = self.runs.sort_values("point_id").drop_duplicates("scenario")
        return [str(s) for s in order["scenario"]]

    @property
    def failed_runs(self) -> pd.DataFrame:
        """Runs that did not finish ('failed' or any status other than 'ok')."""
        return self.runs[self.runs["status"] != "ok"]

    @property
    def years(self) -> list[int]:
        """Simulated years present in the outcomes."""
        return sorted(int(y) for y in self.outcomes["year"].unique())


def load_dataset(path: Path | str) -> SweepDataset:
    """Read and validate the sweep folder at ``path``.

    Raises:
        DatasetError: a file is missing or unreadable, a required column is absent, the
            manifest has no usable design, or there is no successful run.

    """
    folder = Path(path)
    if not folder.is_dir():
        raise DatasetError(f"{folder}: not a folder (expected a sweep dataset)")
    manifest = read_manifest(folder / "manifest.json")
    runs = read_table(folder / "runs.parquet", (*RUN_KEYS, "status"))
    outcomes = read_table(folder / "outcomes.parquet", (*RUN_KEYS, "year"))
    flows = read_table(folder / "flows.parquet", FLOW_COLUMNS)
    params = _param_columns(manifest, runs, folder / "runs.parquet")
    missing = [p for p in params if p not in outcomes.columns]
    if missing:
        raise DatasetError(
            f"{folder / 'outcomes.parquet'}: missing parameter column(s) {', '.join(missing)}"
        )
    runs, outcomes = _label_crossed_points(runs, outcomes, params)
    ok = set(runs.loc[runs["status"] == "ok", "run_id"])
    outcomes = outcomes[outcomes["run_id"].isin(ok)].reset_index(drop=True)
    if outcomes.empty:
        raise DatasetError(f"{folder / 'outcomes.parquet'}: no rows from a successful run")
    names = [
        c
        for c in outcomes.columns
        if c not in NOT_OUTCOMES and c not in params and pd.api.types.is_numeric_dtype(outcomes[c])
    ]
    if not names:
        raise DatasetError(f"{folder / 'outcomes.parquet'}: no numeric outcome columns")
    return SweepDataset(
        path=folder,
        outcomes=outcomes,
        flows=flows[flows["run_id"].isin(ok)].reset_index(drop=True),
        runs=runs.reset_index(drop=True),
        manifest=manifest,
        params=params,
        outcome_names=names,
    )


def read_manifest(path: Path, *, require_design: bool = True) -> dict:
    """Read and check a sweep's ``manifest.json``.

    Args:
        path: The manifest file.
        require_design: If False, a manifest without a ``design`` block (a plain
            ``talentsim run`` folder) is accepted; a design block that is present is still
            checked.

    Raises:
        DatasetError: the file is missing or not JSON, or the design block is unusable.

    """
    if not path.is_file():
        raise DatasetError(f"{path}: missing (not a sweep dataset?)")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DatasetError(f"{path}: cannot read JSON ({exc})") from None
    if not isinstance(manifest, dict):
        raise DatasetError(f"{path}: expected a JSON object at the top level")
    design = manifest.get("design")
    if design is None and not require_design:
        return manifest
    if not isinstance(design, dict):
        raise DatasetError(f"{path}: field 'design' missing (not a sweep manifest?)")
    kind = design.get("kind")
    if kind not in DESIGN_KINDS:
        raise DatasetError(
            f"{path}: field 'design.kind' is {kind!r}, expected one of {', '.join(DESIGN_KINDS)}"
        )
    return manifest


def read_table(path: Path, required: tuple[str, ...] = ()) -> pd.DataFrame:
    """Read a Parquet table of a sweep, checking that the ``required`` columns are present.

    Raises:
        DatasetError: the file is missing or unreadable, or a required column is absent.

    """
    if not path.is_file():
        raise DatasetError(f"{path}: missing (not a sweep dataset?)")
    try:
        table = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises several types for a damaged file
        raise DatasetError(f"{path}: cannot read Parquet ({type(exc).__name__}: {exc})") from None
    missing = [c for c in required if c not in table.columns]
    if missing:
        raise DatasetError(f"{path}: missing column(s) {', '.join(missing)}")
    return table


def short_name(path: str) -> str:
    """A parameter's dotted path without the ``policy.`` prefix and ``.value`` suffix."""
    return path.removeprefix("policy.").removesuffix(".value")


def _label_crossed_points(
    runs: pd.DataFrame, outcomes: pd.DataFrame, params: list[str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Give each design point its own scenario label when a scenario spans several points.

    A scenario list crossed with ``values`` parameters repeats each scenario name once per
    parameter combination; ``name (lever=value, …)`` keeps the points apart.
    """
    points = runs.drop_duplicates("point_id")
    if not params or points["scenario"].is_unique:
        return runs, outcomes
    labels = {
        int(row["point_id"]): f"{row['scenario']} ("
        + ", ".join(f"{short_name(p)}={row[p]}" for p in params)
        + ")"
        for _, row in points.iterrows()
    }
    relabel = {"scenario": lambda t: t["point_id"].map(labels)}
    return runs.assign(**relabel), outcomes.assign(**relabel)


def _param_columns(manifest: dict, runs: pd.DataFrame, runs_path: Path) -> list[str]:
    """Lever/uncertainty columns: the manifest's list, else the SALib problem's, else guessed."""
    problem = manifest["design"].get("problem")
    listed = manifest.get("param_columns")
    if isinstance(listed, list) and all(isinstance(n, str) for n in listed):
        problem = {"names": listed} if listed else None
    if isinstance(problem, dict) and problem.get("names"):
        names = [str(n) for n in problem["names"]]
        missing = [n for n in names if n not in runs.columns]
        if missing:
            raise DatasetError(f"{runs_path}: missing parameter column(s) {', '.join(missing)}")
        return names
    return [c for c in runs.columns if c not in NOT_OUTCOMES]
