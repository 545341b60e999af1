"""The on-disk dataset of a sweep, written run by run so that a killed sweep can resume.

Layout of ``DIR``:

- ``manifest.json`` — the experiment, its hash, the design, provenance and the sessions.
- ``parts/<run_id>.outcomes.parquet`` and ``parts/<run_id>.flows.parquet`` — a finished run's
  rows, then ``parts/<run_id>.run.json`` — its record, written last: a run counts as finished
  only when its record exists, so a run interrupted half-way is simply run again.
- ``outcomes.parquet``, ``flows.parquet``, ``runs.parquet`` — the consolidated tables, rebuilt
  from the parts at the end of every session (and removed while a session is running, so an
  unfinished dataset never looks like a result).
- ``.talentsim.lock`` — held (an OS file lock) by the one session writing the folder.

Every file is written through :func:`talentsim.runinfo.write_atomic`.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import time
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from talentsim.runinfo import write_atomic, write_json

PARTS = "parts"
TABLES = ("outcomes.parquet", "flows.parquet", "runs.parquet")
MANIFEST = "manifest.json"
LOCK = ".talentsim.lock"
FORMAT = "talentsim-sweep/1"
RUN_ID_COLUMNS = ("run_id", "point_id", "scenario", "replication", "seed_entropy", "seed_spawn_key")
RUNS_SCHEMA = {
    "run_id": pa.string(),
    "point_id": pa.int64(),
    "scenario": pa.string(),
    "replication": pa.int64(),
    "seed_entropy": pa.int64(),
    "seed_spawn_key": pa.string(),
    "status": pa.string(),
    "error": pa.string(),
    "seconds": pa.float64(),
}
"""Types of ``runs.parquet``'s fixed columns, the same whether or not any run failed."""
PROVENANCE = ("git", "packages")
"""What a session records of the code it ran, compared on resume."""


class StoreError(ValueError):
    """The output folder cannot hold this sweep (another experiment's dataset, not a folder)."""


def read_manifest(root: Path) -> dict[str, Any] | None:
    """The manifest in ``root`` (of a sweep or of a single run), or None if there is none."""
    path = root / MANIFEST
    if not path.exists():
        return None
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise StoreError(f"{path}: unreadable manifest ({exc})") from None
    if not isinstance(manifest, dict):
        raise StoreError(f"{path}: unreadable manifest (not a JSON object)")
    return manifest


def is_empty(root: Path) -> bool:
    """``root`` holds nothing but what a session that wrote no run leaves (lock, empty parts)."""
    for entry in root.iterdir():
        if entry.name == LOCK or entry.name.endswith(".tmp"):
            continue
        if entry.name == PARTS and entry.is_dir() and not any(entry.iterdir()):
            continue
        return False
    return True


def describe_folder(root: Path, manifest: dict[str, Any] | None) -> str:
    """What a dataset folder holds, for messages: a sweep, a single run, or other files."""
    if manifest is None:
        return "files that are not a talentsim dataset"
    if "experiment_hash" in manifest or manifest.get("format") == FORMAT:
        return f"the sweep dataset of {manifest.get('experiment_file', 'an experiment')}"
    return f"the output of `talentsim run` on {manifest.get('config_file', 'a scenario')}"


def differences(earlier: dict[str, Any], current: dict[str, Any]) -> list[str]:
    """How the code of an earlier session differs from this one's (commit, package versions)."""
    found = []
    then, now = earlier.get("git") or {}, current.get("git") or {}
    if then.get("commit") != now.get("commit"):
        found.append(f"git commit {then.get('commit')} → {now.get('commit')}")
    old, new = earlier.get("packages") or {}, current.get("packages") or {}
    for name in sorted(set(old) | set(new)):
        if old.get(name) != new.get(name):
            found.append(f"{name} {old.get(name)} → {new.get(name)}")
    return found


class SweepStore:
    """A sweep's folder: run parts as they finish, consolidated tables and the manifest.

    :meth:`open` checks the folder and takes its lock without writing anything else;
    :meth:`begin` records the session and starts writing; :meth:`close` releases the lock (and
    removes the folder again if it was created by a session that never began).
    """

    def __init__(self, root: Path, manifest: dict[str, Any], lock: int, created: bool) -> None:
        """Use ``root`` with ``manifest`` and its held ``lock`` (see :meth:`open`)."""
        self.root = root
        self.parts = root / PARTS
        self.manifest = manifest
        self.session: dict[str, Any] | None = None
        self._lock = lock
        self._created = created

    @classmethod
    def open(cls, root: Path, manifest: dict[str, Any], *, allow_mixed: bool = False) -> SweepStore:
        """Open ``root`` for the experiment described by ``manifest``, creating it if needed.

        An existing sweep folder is reused only if it holds the same experiment (same
        ``experiment_hash``), no other session is writing it, and its earlier sessions ran the
        same code (git commit and package versions) unless ``allow_mixed``. Its sessions are
        kept; one that never recorded its end is marked ``killed``.

        Raises:
            StoreError: ``root`` is a file, a folder holding something else, the dataset of a
                different experiment, locked by another session, or written by other code.

        """
        if root.exists() and not root.is_dir():
            raise StoreError(f"--out {root}: exists and is not a folder")
        check(root, manifest, allow_mixed)  # before creating or locking anything
        created = not root.exists()
        try:
            root.mkdir(parents=True, exist_ok=True)
            lock = take_lock(root)
        except OSError as exc:
            if created:
                shutil.rmtree(root, ignore_errors=True)
            raise StoreError(f"--out {root}: cannot create the dataset folder ({exc})") from None
        try:
            existing = check(root, manifest, allow_mixed)  # again: it may have changed meanwhile
        except BaseException:
            release_lock(lock)
            raise
        if existing is not None:
            sessions = [
                {**s, "ended": "killed"} if s.get("ended") == "running" else s
                for s in existing.get("sessions", [])
            ]
            manifest = {
                **manifest,
                "started": existing.get("started", manifest["started"]),
                "sessions": sessions,
                "mixed_code": bool(existing.get("mixed_code")),
            }
        return cls(root, manifest, lock, created)

    def begin(self, session: dict[str, Any]) -> None:
        """Record ``session`` as running and mark the dataset as being written.

        The consolidated tables go until the end of the session.
        """
        previous = self.manifest.get("sessions", [])
        mixed = any(differences(s, session) for s in previous if set(PROVENANCE) <= set(s))
        running = {**session, "finished": None, "ended": "running"}
        manifest = {
            **self.manifest,
            "sessions": [*previous, running],
            "mixed_code": bool(self.manifest.get("mixed_code")) or mixed,
            "status": "running",
            "finished": None,
        }
        self.parts.mkdir(exist_ok=True)
        self.remove_leftovers()
        write_json(self.root / MANIFEST, manifest)  # a full disk fails here, before any table
        self.manifest, self.session, self._created = manifest, running, False
        for name in TABLES:
            (self.root / name).unlink(missing_ok=True)

    def close(self) -> None:
        """Release the lock; remove the folder if this store created it and never began."""
        if self._lock < 0:
            return
        if self._created and is_empty(self.root):
            shutil.rmtree(self.root, ignore_errors=True)
        release_lock(self._lock)
        self._lock = -1

    def __enter__(self) -> SweepStore:
        """The store itself; :meth:`close` on exit."""
        return self

    def __exit__(self, *exc_info: object) -> None:
        """Release the lock."""
        self.close()

    def remove_leftovers(self) -> None:
        """Delete temporary files left by a killed session (the lock makes this one alone)."""
        for folder in (self.root, self.parts):
            for stale in folder.glob(".*.tmp"):
                stale.unlink(missing_ok=True)

    def finished(self, *, include_failed: bool = True) -> set[str]:
        """Run ids whose record is on disk: ok, and failed too if ``include_failed``."""
        if not self.parts.is_dir():
            return set()
        if include_failed:
            return {p.name.removesuffix(".run.json") for p in self.parts.glob("*.run.json")}
        return {r["run_id"] for r in self.records() if r["status"] == "ok"}

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
        for name, table in (("outcomes", outcomes), ("flows", flows)):
            write_atomic(
                self.root / f"{name}.parquet", lambda tmp, t=table: t.to_parquet(tmp, index=False)
            )
        write_atomic(self.root / "runs.parquet", lambda tmp: write_runs_table(runs, tmp))
        return runs

    def concat(self, run_ids: list[str], kind: str, empty_columns: list[str]) -> pd.DataFrame:
        """The ``kind`` parts of ``run_ids``, stacked in that order."""
        frames = [pd.read_parquet(self.parts / f"{run_id}.{kind}.parquet") for run_id in run_ids]
        if not frames:
            return pd.DataFrame(columns=empty_columns)
        return pd.concat(frames, ignore_index=True)

    def finish(self, ended: str, runs_done: int, runs: pd.DataFrame, complete: bool) -> None:
        """Record how the session ended and the run counts in the manifest."""
        assert self.session is not None, "finish() without begin()"
        self.session.update(finished=now_text(), ended=ended, runs_done=runs_done)
        self.manifest["finished"] = self.session["finished"]
        self.manifest["status"] = "complete" if complete else "incomplete"
        self.manifest["run_counts"] = {
            "total": self.manifest["design"]["runs"],
            "finished": len(runs),
            "ok": int((runs["status"] == "ok").sum()) if len(runs) else 0,
            "failed": int((runs["status"] == "failed").sum()) if len(runs) else 0,
        }
        write_json(self.root / MANIFEST, self.manifest)


def check(root: Path, manifest: dict[str, Any], allow_mixed: bool) -> dict[str, Any] | None:
    """Refuse ``root`` unless it is absent, empty, or this experiment's dataset; its manifest.

    Raises:
        StoreError: see :meth:`SweepStore.open`.

    """
    if not root.exists():
        return None
    existing = read_manifest(root)
    if existing is None:
        if is_empty(root):
            return None
        raise StoreError(
            f"--out {root}: folder is not empty and holds no sweep manifest; "
            "use an empty or new folder"
        )
    if "experiment_hash" not in existing:
        raise StoreError(
            f"--out {root}: holds {describe_folder(root, existing)}, not a sweep; "
            "use another --out folder"
        )
    if existing.get("experiment_hash") != manifest["experiment_hash"]:
        raise StoreError(
            f"--out {root}: holds the dataset of a different experiment "
            f"({existing.get('experiment_file')}, hash {existing.get('experiment_hash')}; "
            f"this one has hash {manifest['experiment_hash']}). "
            "Use another --out folder, or delete this one to start over."
        )
    if not allow_mixed:
        sessions = existing.get("sessions") or [existing]
        for earlier in sessions:
            source = earlier if set(PROVENANCE) <= set(earlier) else existing
            changed = differences(source, manifest)
            if changed:
                raise StoreError(
                    f"--out {root}: earlier runs of this dataset were made by other code "
                    f"({'; '.join(changed)}); resuming would mix their numbers with this "
                    "code's. Rerun with the earlier code, use another --out folder, or pass "
                    "--allow-mixed to resume anyway (recorded in the manifest)."
                )
    return existing


def take_lock(root: Path) -> int:
    """Take the folder's exclusive lock (``LOCK``) without waiting; its file descriptor.

    Raises:
        StoreError: another session holds it.

    """
    fd = os.open(root / LOCK, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.pread(fd, 200, 0).decode(errors="replace").strip() or "another process"
        os.close(fd)
        raise StoreError(
            f"--out {root}: another sweep is writing into this folder ({holder}); "
            "wait for it to end, or use another --out folder"
        ) from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"pid {os.getpid()} on {os.uname().nodename}\n".encode(), 0)
    return fd


def release_lock(fd: int) -> None:
    """Release and close a lock taken by :func:`take_lock`."""
    try:
        fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def now_text() -> str:
    """The local time as ISO 8601 with offset."""
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")


def runs_table(records: list[dict[str, Any]], param_columns: list[str]) -> pd.DataFrame:
    """One row per run: ids, seed, parameter values, status, error and seconds."""
    columns = [*RUN_ID_COLUMNS, *param_columns, "status", "error", "seconds"]
    rows = [
        {**{k: r[k] for k in RUN_ID_COLUMNS}, **r["params"], **{k: r[k] for k in columns[-3:]}}
        for r in records
    ]
    return pd.DataFrame(rows, columns=columns)


def write_runs_table(runs: pd.DataFrame, path: Path) -> None:
    """Write ``runs`` with :data:`RUNS_SCHEMA`'s types, whatever the rows (none failed, none)."""
    table = pa.Table.from_pandas(runs, preserve_index=False)
    for name, kind in RUNS_SCHEMA.items():
        index = table.schema.get_field_index(name)
        table = table.set_column(index, pa.field(name, kind), table.column(name).cast(kind))
    pq.write_table(table, path)
