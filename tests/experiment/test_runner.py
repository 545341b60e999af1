"""Sweeps: executors agree, failures are recorded, a killed sweep resumes to the same dataset."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import weakref
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import pytest
from sweep_helpers import assert_same_dataset, read_dataset, tiny_experiment
from typer.testing import CliRunner

from talentsim.cli import app
from talentsim.experiment.runner import FAULTS_ENV, free_finished_model, run_sweep

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


def start_dask(folder: Path, address: str) -> list[subprocess.Popen]:
    """A real `dask scheduler` and one `dask worker` process on 127.0.0.1, ready to work."""
    from distributed import Client

    port = address.rsplit(":", 1)[1]
    log = (folder / f"dask-{port}.log").open("w")
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
        cwd=folder,
        start_new_session=True,
    )  # fmt: skip
    log.close()
    processes = [worker, scheduler]
    try:
        with Client(address, timeout=60) as client:
            client.wait_for_workers(1, timeout=90)
    except BaseException:
        stop(processes)
        raise
    return processes


def stop(processes: list[subprocess.Popen]) -> None:
    """Kill each process's whole group (each was started in its own session)."""
    for process in processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@pytest.fixture
def dask_cluster(tmp_path: Path) -> Iterator[str]:
    """A real `dask scheduler` and one `dask worker` process on 127.0.0.1."""
    address = f"tcp://127.0.0.1:{free_port()}"
    processes = start_dask(tmp_path, address)
    try:
        yield address
    finally:
        stop(processes)


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
        (["--executor", "dask", "--scheduler", "garbage"], "expected tcp://HOST:PORT"),
        (["--executor", "dask", "--scheduler", "tcp://h:99999"], "--scheduler tcp://h:99999"),
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


def records(out: Path) -> int:
    return len(list((out / "parts").glob("*.run.json")))


def wait_for_records(out: Path, process: subprocess.Popen, count: int, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while records(out) < count:
        assert process.poll() is None, "the sweep ended too early"
        assert time.monotonic() < deadline, "the sweep did not get going"
        time.sleep(0.02)


def test_runs_lost_with_the_scheduler_are_resumed_not_failed(
    tiny: Path, serial_dataset: Path, tmp_path: Path
) -> None:
    address = f"tcp://127.0.0.1:{free_port()}"
    cluster = start_dask(tmp_path, address)
    out = tmp_path / "data"
    try:
        sweep = subprocess.Popen(
            [BIN / "talentsim", "sweep", tiny, "--out", out, "--executor", "dask",
             "--scheduler", address],
            env={**os.environ, FAULTS_ENV: "*=sleep:0.4"},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )  # fmt: skip
        try:
            wait_for_records(out, sweep, 2)
            os.killpg(cluster[1].pid, signal.SIGKILL)  # the scheduler, as when an allocation ends
            _, stderr = sweep.communicate(timeout=120)
        finally:
            stop([sweep])
    finally:
        stop(cluster)
    assert sweep.returncode == 1, stderr
    assert "not done" in stderr and "failed" not in stderr and "Traceback" not in stderr
    runs = pd.read_parquet(out / "runs.parquet")
    assert set(runs["status"]) == {"ok"} and 2 <= len(runs) < 8
    manifest = json.loads((out / "manifest.json").read_text())
    assert (manifest["status"], manifest["sessions"][-1]["ended"]) == ("incomplete", "incomplete")

    # Resume: on a new cluster in practice; serially here (the dataset does not depend on the
    # executor, see test_dask_cluster_gives_the_serial_dataset), which saves a cluster start.
    result = CliRunner().invoke(
        app, ["sweep", str(tiny), "--out", str(out), "--executor", "serial"]
    )
    assert result.exit_code == 0, result.output
    assert f"{len(runs)} already done" in result.output
    assert_same_dataset(serial_dataset, out)


def test_retry_failed_runs_the_failed_runs_again(
    tiny: Path, serial_dataset: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "data"
    monkeypatch.setenv(FAULTS_ENV, "p1-r0=raise")
    assert run_sweep(tiny, out, executor="serial").failed == 1
    monkeypatch.delenv(FAULTS_ENV)
    again = run_sweep(tiny, out, executor="serial")
    assert (again.skipped, again.failed) == (8, 1)  # a failure is a result, kept by default
    retried = run_sweep(tiny, out, executor="serial", retry_failed=True)
    assert (retried.skipped, retried.ok, retried.failed) == (7, 1, 0)
    assert_same_dataset(serial_dataset, out)


def test_runs_parquet_error_column_is_text_even_when_no_run_failed(
    tiny: Path, serial_dataset: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    monkeypatch.setenv(FAULTS_ENV, "p0-r0=raise")
    run_sweep(tiny, tmp_path / "data", executor="serial")
    clean = pq.read_schema(serial_dataset / "runs.parquet")
    failing = pq.read_schema(tmp_path / "data" / "runs.parquet")
    assert clean.field("error").type == pa.string()
    assert clean.remove_metadata() == failing.remove_metadata()
    both = pd.concat(
        [pd.read_parquet(serial_dataset / "runs.parquet"),
         pd.read_parquet(tmp_path / "data" / "runs.parquet")]
    )  # fmt: skip
    assert both["error"].notna().sum() == 1


def test_the_main_process_keeps_no_finished_run_tables(tiny: Path, tmp_path: Path) -> None:
    import gc
    import weakref

    from talentsim.experiment.store import SweepStore

    kept: list[weakref.ref] = []
    alive_at_each_run: list[int] = []
    write_run = SweepStore.write_run

    def spy(store: SweepStore, record: dict, outcomes: pd.DataFrame, flows: pd.DataFrame) -> None:
        kept.extend([weakref.ref(outcomes), weakref.ref(flows)])
        write_run(store, record, outcomes, flows)

    def on_run(record: dict) -> None:
        gc.collect()
        alive_at_each_run.append(sum(ref() is not None for ref in kept))

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(SweepStore, "write_run", spy)
        run_sweep(tiny, tmp_path / "data", executor="serial", on_run=on_run)
    assert len(kept) == 16
    assert max(alive_at_each_run) == 0  # each run's tables are gone once stored


def test_a_second_sweep_into_a_folder_being_written_is_refused(
    tiny: Path, serial_dataset: Path, tmp_path: Path
) -> None:
    import shutil

    from talentsim.experiment.store import take_lock

    out = tmp_path / "data"
    shutil.copytree(serial_dataset, out)
    before = (out / "manifest.json").read_text()
    lock = take_lock(out)  # as a running sweep holds it
    try:
        result = CliRunner().invoke(app, ["sweep", str(tiny), "--out", str(out)])
    finally:
        os.close(lock)
    assert result.exit_code == 2
    assert "another sweep is writing into this folder" in result.output
    assert f"pid {os.getpid()}" in result.output
    assert (out / "manifest.json").read_text() == before
    assert (out / "runs.parquet").exists()


def test_every_session_is_recorded_with_its_code_and_how_it_ended(
    tiny: Path, tmp_path: Path
) -> None:
    out = tmp_path / "data"
    sweep = subprocess.Popen(
        [BIN / "talentsim", "sweep", tiny, "--out", out, "--executor", "serial"],
        env={**os.environ, FAULTS_ENV: "*=sleep:0.3"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    try:
        wait_for_records(out, sweep, 1)
    finally:
        stop([sweep])  # SIGKILL: the session cannot record its end
    summary = run_sweep(tiny, out, executor="serial")
    assert summary.ended == "complete"
    sessions = json.loads((out / "manifest.json").read_text())["sessions"]
    assert [s["ended"] for s in sessions] == ["killed", "complete"]
    for session in sessions:
        assert {"commit", "dirty"} <= set(session["git"])
        assert session["packages"]["numpy"] and session["started"] and session["pid"]
    assert sessions[1]["finished"] and sessions[0]["finished"] is None


def test_resuming_with_other_code_is_refused_unless_allowed(
    tiny: Path, serial_dataset: Path, tmp_path: Path
) -> None:
    import shutil

    out = tmp_path / "data"
    shutil.copytree(serial_dataset, out)
    (out / "parts" / "p3-r1.run.json").unlink()  # one run left to do
    path = out / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest["sessions"][0]["git"]["commit"] = "0" * 40
    manifest["sessions"][0]["packages"]["numpy"] = "1.0.0"
    path.write_text(json.dumps(manifest))
    result = CliRunner().invoke(
        app, ["sweep", str(tiny), "--out", str(out), "--executor", "serial"]
    )
    assert result.exit_code == 2
    assert "git commit 0000000000" in result.output and "numpy 1.0.0" in result.output
    assert "--allow-mixed" in result.output
    assert json.loads(path.read_text()) == manifest  # untouched
    result = CliRunner().invoke(
        app, ["sweep", str(tiny), "--out", str(out), "--executor", "serial", "--allow-mixed"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(path.read_text())["mixed_code"] is True


def group_alive(pgid: int) -> list[int]:
    """Pids of live (not zombie) processes in process group ``pgid``."""
    alive = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            alive.append(int(entry.name))
    return alive


def wait_until_gone(pgid: int, seconds: float) -> list[int]:
    deadline = time.monotonic() + seconds
    while (alive := group_alive(pgid)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return alive


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL])
def test_killing_the_sweep_process_takes_its_workers_with_it(
    tiny: Path, tmp_path: Path, how: signal.Signals
) -> None:
    out = tmp_path / "data"
    sweep = subprocess.Popen(
        [BIN / "talentsim", "sweep", tiny, "--out", out, "--workers", "2"],
        env={**os.environ, FAULTS_ENV: "p0-r0=sleep:0.1,*=sleep:60"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )  # fmt: skip
    try:
        wait_for_records(out, sweep, 1)
        workers = [pid for pid in group_alive(sweep.pid) if pid != sweep.pid]
        assert len(workers) >= 3  # forkserver, resource tracker, workers
        os.kill(sweep.pid, how)  # the main process only, as a batch system or `kill` does
        _, stderr = sweep.communicate(timeout=30)
        left = wait_until_gone(sweep.pid, 10)
    finally:
        if group_alive(sweep.pid):
            os.killpg(sweep.pid, signal.SIGKILL)
    assert left == []
    if how == signal.SIGTERM:  # like Ctrl-C: consolidated, resumable, exit 130
        assert sweep.returncode == 130, stderr
        assert "interrupted" in stderr
        manifest = json.loads((out / "manifest.json").read_text())
        assert (manifest["status"], manifest["sessions"][-1]["ended"]) == (
            "incomplete",
            "interrupted",
        )
        assert len(pd.read_parquet(out / "runs.parquet")) == 1


def limit_file_size(size: int) -> Callable[[], None]:
    import resource

    return lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))


@pytest.mark.parametrize(("limit", "where"), [(2_000, "manifest.json"), (40_000, ".parquet")])
def test_a_full_disk_stops_the_sweep_with_one_message_and_resume_works(
    tiny: Path, serial_dataset: Path, tmp_path: Path, limit: int, where: str
) -> None:
    out = tmp_path / "data"
    sweep = subprocess.run(
        [BIN / "talentsim", "sweep", tiny, "--out", out, "--executor", "serial"],
        capture_output=True,
        text=True,
        preexec_fn=limit_file_size(limit),  # writes beyond `limit` bytes fail, as on a full disk
        timeout=120,
    )  # fmt: skip
    assert sweep.returncode == 1, sweep.stderr
    assert "Traceback" not in sweep.stderr
    assert "sweep stopped" in sweep.stderr and where in sweep.stderr
    if where == "manifest.json":  # nothing was written: nothing is left
        assert not out.exists()
        return
    assert run_sweep(tiny, out, executor="serial").ended == "complete"
    assert_same_dataset(serial_dataset, out)


def test_an_unreachable_scheduler_exits_2_and_leaves_nothing(
    tiny: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from talentsim.experiment import executors

    monkeypatch.setattr(executors, "CONNECT_TIMEOUT", 1)
    out = tmp_path / "data"
    address = f"tcp://127.0.0.1:{free_port()}"
    result = CliRunner().invoke(
        app, ["sweep", str(tiny), "--out", str(out), "--executor", "dask", "--scheduler", address]
    )
    assert result.exit_code == 2, result.output
    assert f"--scheduler {address}: cannot connect" in result.output
    assert not out.exists()


def test_a_local_dask_cluster_gives_the_serial_dataset_and_a_quiet_log(
    tiny: Path, serial_dataset: Path, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    result = CliRunner().invoke(
        app,
        ["sweep", str(tiny), "--out", str(tmp_path / "data"), "--executor", "dask",
         "--workers", "1"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "all runs ok" in result.output
    logged = capfd.readouterr().err  # this process's and its dask workers' stderr
    assert "ERROR" not in logged and "Traceback" not in logged, logged
    assert_same_dataset(serial_dataset, tmp_path / "data")


class _Cyclic:
    """An object in a reference cycle, as a finished model is with its agents."""

    def __init__(self) -> None:
        self.me = self


def test_a_finished_model_in_a_cycle_is_freed_at_every_run() -> None:
    for _ in range(2):  # the first call also freezes what is alive then; the second must free too
        garbage = _Cyclic()
        alive = weakref.ref(garbage)
        del garbage
        free_finished_model()
        assert alive() is None
