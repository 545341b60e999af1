"""Sweeps: executors agree, failures are recorded, a killed sweep resumes to the same dataset."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from sweep_helpers import assert_same_dataset, read_dataset, tiny_experiment
from typer.testing import CliRunner

from talentsim.cli import app
from talentsim.experiment.runner import FAULTS_ENV, run_sweep

BIN = Path(sys.executable).parent


def test_dataset_has_the_documented_tables_and_columns(serial_dataset: Path) -> None:
    data = read_dataset(serial_dataset)
    params = ["policy.apprenticeship_subsidy.value", "firms.trainee_gain"]
    ids = ["run_id", "point_id", "scenario", "replication", "seed_entropy", "seed_spawn_key"]
    assert list(data["outcomes"].columns[:9]) == [*ids, *params, "year"]
    assert "retention_3y" in data["outcomes"].columns
    assert len(data["outcomes"]) == 8 * 2  # runs × years
    assert list(data["flows"].columns[:2]) == ["run_id", "year"]
    assert list(data["runs"].columns) == [*ids, *params, "status", "error"]
    assert data["runs"]["run_id"].tolist() == [f"p{p}-r{r}" for p in range(4) for r in range(2)]
    assert set(data["runs"]["status"]) == {"ok"}
    manifest = json.loads((serial_dataset / "manifest.json").read_text())
    assert manifest["status"] == "complete"
    assert manifest["design"]["runs"] == 8
    assert manifest["run_counts"] == {"total": 8, "finished": 8, "ok": 8, "failed": 0}
    assert {"commit", "dirty"} <= set(manifest["git"])
    assert manifest["base_config"]["config"]["scale"] == 0.01
    assert not list((serial_dataset / "parts").glob(".*.tmp"))


def test_processes_give_the_serial_dataset(
    tiny: Path, serial_dataset: Path, tmp_path: Path
) -> None:
    summary = run_sweep(tiny, tmp_path / "data", executor="processes", workers=2)
    assert summary.failed == 0
    assert_same_dataset(serial_dataset, tmp_path / "data")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def dask_cluster(tmp_path: Path) -> Iterator[str]:
    """A real `dask scheduler` and one `dask worker` process on 127.0.0.1."""
    from distributed import Client

    address = f"tcp://127.0.0.1:{free_port()}"
    port = address.rsplit(":", 1)[1]
    log = (tmp_path / "dask.log").open("w")
    scheduler = subprocess.Popen(
        [BIN / "dask", "scheduler", "--host", "127.0.0.1", "--port", port, "--no-dashboard"],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    worker = subprocess.Popen(
        [BIN / "dask", "worker", address, "--nworkers", "1", "--nthreads", "1", "--no-dashboard",
         "--host", "127.0.0.1", "--preload", "talentsim.experiment.runner"],
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=tmp_path,
        start_new_session=True,
    )  # fmt: skip
    try:
        with Client(address, timeout=60) as client:
            client.wait_for_workers(1, timeout=90)
        yield address
    finally:
        for process in (worker, scheduler):  # each in its own session: its whole group goes
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


def test_dask_cluster_gives_the_serial_dataset(
    tiny: Path, serial_dataset: Path, tmp_path: Path, dask_cluster: str
) -> None:
    result = CliRunner().invoke(
        app,
        ["sweep", str(tiny), "--out", str(tmp_path / "data"), "--executor", "dask",
         "--scheduler", dask_cluster],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert_same_dataset(serial_dataset, tmp_path / "data")


def test_a_failing_run_is_recorded_and_the_sweep_goes_on(
    tiny: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(FAULTS_ENV, "p1-r0=raise")
    out = tmp_path / "data"
    result = CliRunner().invoke(
        app, ["sweep", str(tiny), "--out", str(out), "--executor", "serial"]
    )
    assert result.exit_code == 1
    assert "1 of 8 runs failed" in result.output
    runs = pd.read_parquet(out / "runs.parquet").set_index("run_id")
    assert runs.loc["p1-r0", "status"] == "failed"
    assert "Traceback" in runs.loc["p1-r0", "error"]
    assert "forced failure of run p1-r0" in runs.loc["p1-r0", "error"]
    assert (runs.drop(index="p1-r0")["status"] == "ok").all()
    outcomes = pd.read_parquet(out / "outcomes.parquet")
    assert "p1-r0" not in set(outcomes["run_id"])
    assert outcomes["run_id"].nunique() == 7


def test_a_dying_worker_fails_only_its_own_run(
    tiny: Path, serial_dataset: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(FAULTS_ENV, "p2-r1=exit")
    summary = run_sweep(tiny, tmp_path / "data", executor="processes", workers=2)
    assert (summary.failed, summary.failures) == (1, ["p2-r1"])
    runs = pd.read_parquet(tmp_path / "data" / "runs.parquet").set_index("run_id")
    assert "worker process died" in runs.loc["p2-r1", "error"]
    ok = runs.index[runs["status"] == "ok"]
    assert len(ok) == 7
    expected = read_dataset(serial_dataset)["outcomes"]
    got = read_dataset(tmp_path / "data")["outcomes"]
    pd.testing.assert_frame_equal(
        got, expected[expected["run_id"] != "p2-r1"].reset_index(drop=True)
    )


def test_killed_sweep_resumes_to_the_uninterrupted_dataset(
    tiny: Path, serial_dataset: Path, tmp_path: Path
) -> None:
    out = tmp_path / "data"
    env = {**os.environ, FAULTS_ENV: "*=sleep:0.3"}
    sweep = subprocess.Popen(
        [BIN / "talentsim", "sweep", tiny, "--out", out, "--executor", "serial"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 90
        while len(list((out / "parts").glob("*.run.json"))) < 3:
            assert sweep.poll() is None, "the sweep ended before it could be killed"
            assert time.monotonic() < deadline, "the sweep did not get going"
            time.sleep(0.02)
    finally:
        os.killpg(sweep.pid, signal.SIGKILL)
        sweep.wait()
    finished = len(list((out / "parts").glob("*.run.json")))
    assert 3 <= finished < 8
    assert not (out / "outcomes.parquet").exists()
    assert json.loads((out / "manifest.json").read_text())["status"] == "running"

    result = CliRunner().invoke(
        app, ["sweep", str(tiny), "--out", str(out), "--executor", "serial"]
    )
    assert result.exit_code == 0, result.output
    assert f"{finished} already done" in result.output
    assert_same_dataset(serial_dataset, out)


def test_resuming_a_finished_sweep_runs_nothing(tiny: Path, serial_dataset: Path) -> None:
    summary = run_sweep(tiny, serial_dataset, executor="serial")
    assert (summary.total, summary.skipped, summary.ok) == (8, 8, 0)


def test_a_different_experiment_in_the_same_folder_is_refused(
    serial_dataset: Path, tmp_path: Path
) -> None:
    other = tiny_experiment(tmp_path, name="other", root_seed=8)
    before = (serial_dataset / "manifest.json").read_text()
    result = CliRunner().invoke(app, ["sweep", str(other), "--out", str(serial_dataset)])
    assert result.exit_code == 2
    assert "different experiment" in result.output
    assert (serial_dataset / "manifest.json").read_text() == before


@pytest.mark.parametrize(
    ("options", "words"),
    [
        (["--executor", "threads"], "--executor threads"),
        (["--workers", "0"], "--workers 0"),
        (["--scheduler", "tcp://127.0.0.1:1"], "--scheduler"),
    ],
)
def test_bad_sweep_options_exit_2(tiny: Path, tmp_path: Path, options: list, words: str) -> None:
    out = tmp_path / "data"
    result = CliRunner().invoke(app, ["sweep", str(tiny), "--out", str(out), *options])
    assert result.exit_code == 2
    assert words in result.output
    assert not out.exists()


def test_out_must_not_be_a_file_or_a_foreign_folder(tiny: Path, tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    (tmp_path / "folder").mkdir()
    (tmp_path / "folder" / "notes.txt").write_text("mine")
    for out, words in ((tmp_path / "file", "not a folder"), (tmp_path / "folder", "no sweep")):
        result = CliRunner().invoke(app, ["sweep", str(tiny), "--out", str(out)])
        assert result.exit_code == 2
        assert words in result.output
    assert (tmp_path / "folder" / "notes.txt").read_text() == "mine"
