"""The on-disk dataset of a sweep, written run by run so that a killed sweep can resume.

Layout of ``DIR``:

- ``manifest.json`` — the experiment, its hash, the design, provenance and the sessions.
- ``parts/<run_id>.outcomes.parquet`` and ``parts/<run_id>.flows.parquet`` — a finished run's
  rows, then ``parts/<run_id>.run.json`` — its record, written last: a run counts as finished
  only when its record exists, so a run interrupted half-way is simply run again.
- ``outcomes.parquet``, ``flows.parquet``, ``runs.parquet`` — the consolidated tables, rebuilt
  from the parts at the end of every session (and removed while a session is running, so an
  unfinished dataset never looks like a result).

Every file is written through :func:`talentsim.runinfo.write_atomic`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from talentsim.runinfo import write_atomic, write_json

PARTS = "parts"
TABLES = ("outcomes.parquet", "flows.parquet", "runs.parquet")
MANIFEST = "manifest.json"
RUN_ID_COLUMNS = ("run_id", "point_id", "scenario", "replication", "seed_entropy", "seed_spawn_key")


class StoreError(ValueError):
    """The output folder cannot hold this sweep (another experiment's dataset, not a folder)."""


def read_manifest(root: Path) -> dict[str, Any] | None:
    """The sweep manifest in ``root``, or None if there is none."""
    path = root / MANIFEST
    if not path.exists():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise StoreError(f"{path}: unreadable manifest ({exc})") from None


class SweepStore:
    """A sweep's folder: run parts as they finish, consolidated tables and the manifest."""

    def __init__(self, root: Path, manifest: dict[str, Any]) -> None:
        """Use ``root`` with ``manifest`` (see :meth:`open`)."""
        self.root = root
        self.parts = root / PARTS
        self.manifest = manifest

    @classmethod
    def open(cls, root: Path, manifest: dict[str, Any]) -> SweepStore:
        """Open ``root`` for the experiment described by ``manifest``, creating it if needed.

        An existing sweep folder is reused only if it holds the same experiment (same
        ``experiment_hash``); its earlier sessions are kept in the manifest.

        Raises:
            StoreError: ``root`` is a file, a non-empty folder that is not a sweep, or the
                dataset of a different experiment.

        """
        if root.exists() and not root.is_dir():
            raise StoreError(f"--out {root}: exists and is not a folder")
        existing = read_manifest(root) if root.exists() else None
        if existing is None and root.exists() and any(root.iterdir()):
            raise StoreError(f"--out {root}: folder is not empty and holds no sweep manifest")
        if existing is not None:
            if existing.get("experiment_hash") != manifest["experiment_hash"]:
                raise StoreError(
                    f"--out {root}: holds the dataset of a different experiment "
                    f"({existing.get('experiment_file')}, hash {existing.get('experiment_hash')}; "
                    f"this one has hash {manifest['experiment_hash']}). "
                    "Use another --out folder, or delete this one to start over."
                )
            manifest = {
                **manifest,
                "started": existing.get("started", manifest["started"]),
                "sessions": existing.get("sessions", []),
            }
        store = cls(root, manifest)
        store.parts.mkdir(parents=True, exist_ok=True)
        store.remove_leftovers()
        write_json(root / MANIFEST, manifest)
        return store

    def remove_leftovers(self) -> None:
        """Delete temporary files left by a killed session."""
        for folder in (self.root, self.parts):
            for stale in folder.glob(".*.tmp"):
                stale.unlink(missing_ok=True)

    def begin(self) -> None:
        """Mark the dataset as being written: the consolidated tables go until the end."""
        self.manifest["status"] = "running"
        write_json(self.root / MANIFEST, self.manifest)
        for name in TABLES:
            (self.root / name).unlink(missing_ok=True)

    def finished(self) -> set[str]:
        """Run ids whose record is on disk (finished, ok or failed)."""
        return {p.name.removesuffix(".run.json") for p in self.parts.glob("*.run.json")}

    def write_run(
        self, record: dict[str, Any], outcomes: pd.DataFrame | None, flows: pd.DataFrame | None
    ) -> None:
        """Store one finished run: its rows first, its record last (which commits it)."""
        run_id = record["run_id"]
        if outcomes is not None:
            write_atomic(
                self.parts / f"{run_id}.outcomes.parquet",
                lambda tmp: outcomes.to_parquet(tmp, index=False),
            )
        if flows is not None:
            write_atomic(
                self.parts / f"{run_id}.flows.parquet",
                lambda tmp: flows.to_parquet(tmp, index=False),
            )
        write_json(self.parts / f"{run_id}.run.json", record)

    def records(self) -> list[dict[str, Any]]:
        """Every finished run's record, in design order (point, then replication)."""
        records = [
            json.loads(path.read_text(encoding="utf-8")) for path in self.parts.glob("*.run.json")
        ]
        return sorted(records, key=lambda r: (r["point_id"], r["replication"]))

    def consolidate(self, param_columns: list[str]) -> pd.DataFrame:
        """Rebuild ``outcomes``, ``flows`` and ``runs.parquet`` from the parts; return runs."""
        records = self.records()
        runs = runs_table(records, param_columns)
        ok = [r["run_id"] for r in records if r["status"] == "ok"]
        outcomes = self.concat(ok, "outcomes", [*RUN_ID_COLUMNS, *param_columns, "year"])
        flows = self.concat(ok, "flows", ["run_id", "year", "source", "target", "count"])
        for name, table in (("outcomes", outcomes), ("flows", flows), ("runs", runs)):
            write_atomic(
                self.root / f"{name}.parquet", lambda tmp, t=table: t.to_parquet(tmp, index=False)
            )
        return runs

    def concat(self, run_ids: list[str], kind: str, empty_columns: list[str]) -> pd.DataFrame:
        """The ``kind`` parts of ``run_ids``, stacked in that order."""
        frames = [pd.read_parquet(self.parts / f"{run_id}.{kind}.parquet") for run_id in run_ids]
        if not frames:
            return pd.DataFrame(columns=empty_columns)
        return pd.concat(frames, ignore_index=True)

    def finish(self, session: dict[str, Any], runs: pd.DataFrame, complete: bool) -> None:
        """Record the session's end and the run counts in the manifest."""
        self.manifest["sessions"] = [*self.manifest.get("sessions", []), session]
        self.manifest["finished"] = session["finished"]
        self.manifest["status"] = "complete" if complete else "incomplete"
        self.manifest["run_counts"] = {
            "total": self.manifest["design"]["runs"],
            "finished": len(runs),
            "ok": int((runs["status"] == "ok").sum()) if len(runs) else 0,
            "failed": int((runs["status"] == "failed").sum()) if len(runs) else 0,
        }
        write_json(self.root / MANIFEST, self.manifest)


def runs_table(records: list[dict[str, Any]], param_columns: list[str]) -> pd.DataFrame:
    """One row per run: ids, seed, parameter values, status, error and seconds."""
    columns = [*RUN_ID_COLUMNS, *param_columns, "status", "error", "seconds"]
    rows = [
        {**{k: r[k] for k in RUN_ID_COLUMNS}, **r["params"], **{k: r[k] for k in columns[-3:]}}
        for r in records
    ]
    return pd.DataFrame(rows, columns=columns)
