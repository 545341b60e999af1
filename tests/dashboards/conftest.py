"""Fixtures of the dashboard tests: synthetic sweep datasets, Debian's Chromium, a live server."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))  # the dashboards/ folder is an app, not an installed package
os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO / "test-artifacts" / "dashboard"
LEVER_A = "policy.apprenticeship_subsidy.value"
LEVER_B = "policy.coordination.value"
YEARS = (2024, 2025, 2026, 2027)


def write_sweep(
    folder: Path,
    points: np.ndarray,
    kind: str,
    replications: int = 2,
    failed: frozenset[int] = frozenset(),
    problem: dict | None = None,
    scenarios: list[str] | None = None,
) -> Path:
    """A dataset in the runner's format; retention_rate depends mostly on LEVER_A."""
    folder.mkdir(parents=True, exist_ok=True)
    rows, runs = [], []
    run_id = 0
    for point_id, (a, b) in enumerate(points):
        for replication in range(replications):
            scenario = scenarios[point_id] if scenarios else kind
            ok = run_id not in failed
            runs.append(
                {
                    "run_id": run_id,
                    "point_id": point_id,
                    "scenario": scenario,
                    "replication": replication,
                    LEVER_A: a,
                    LEVER_B: b,
                    "status": "ok" if ok else "failed",
                    "error": "" if ok else "Traceback ...\nRuntimeError: synthetic failure",
                    "seconds": 0.5,
                }
            )
            for t, year in enumerate(YEARS):
                if not ok:
                    continue
                noise = 0.001 * replication
                rows.append(
                    {
                        "run_id": run_id,
                        "point_id": point_id,
                        "scenario": scenario,
                        "replication": replication,
                        "seed_entropy": 42,
                        "seed_spawn_key": str(replication),
                        LEVER_A: a,
                        LEVER_B: b,
                        "year": year,
                        "retention_rate": 0.5 + 0.3 * a / 20_000 + 0.01 * b + 0.01 * t + noise,
                        "employment_rate": 0.9 - 0.02 * b + noise,
                        "fiscal_cost": 1e8 * (1 + a / 10_000),
                    }
                )
            run_id += 1
    pd.DataFrame(rows).to_parquet(folder / "outcomes.parquet", index=False)
    pd.DataFrame(runs).to_parquet(folder / "runs.parquet", index=False)
    design = {"kind": kind, "problem": problem or {}}
    (folder / "manifest.json").write_text(json.dumps({"design": design}), encoding="utf-8")
    return folder


def sobol_points(n: int = 8) -> tuple[np.ndarray, dict]:
    from SALib.sample import sobol

    problem = {"num_vars": 2, "names": [LEVER_A, LEVER_B], "bounds": [[0, 20_000], [0, 1]]}
    return sobol.sample(problem, n, calc_second_order=True, seed=1), problem


def grid_points() -> np.ndarray:
    return np.array([(a, b) for a in (0, 5_000, 10_000) for b in (0.0, 0.5, 1.0)])


@pytest.fixture
def results_root(tmp_path: Path) -> Path:
    """A results root with a grid sweep (one failed run), a sobol sweep and a broken folder."""
    root = tmp_path / "results"
    write_sweep(root / "grid", grid_points(), "grid", failed=frozenset({3}))
    points, problem = sobol_points()
    write_sweep(root / "sobol", points, "sobol", replications=1, problem=problem)
    broken = root / "broken"
    broken.mkdir()
    (broken / "manifest.json").write_text("{not json", encoding="utf-8")
    return root


@pytest.fixture
def roots_env(results_root: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TALENTSIM_RESULTS_ROOTS", str(results_root))
    return results_root


# ---------------------------------------------------------------- browser
@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "headless": True,
        "args": ["--no-sandbox", "--disable-gpu"],
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"dashboard exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer in {timeout} s")


@pytest.fixture(scope="session")
def dashboard_url(tmp_path_factory: pytest.TempPathFactory):
    """`talentsim dashboard ROOT` on a free loopback port, with synthetic sweeps under ROOT."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    root = tmp_path_factory.mktemp("served") / "results"
    write_sweep(root / "grid", grid_points(), "grid", failed=frozenset({3}))
    points, problem = sobol_points()
    write_sweep(root / "sobol", points, "sobol", replications=1, problem=problem)
    port = free_port()
    log = (tmp_path_factory.mktemp("log") / "dashboard.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "talentsim.cli", "dashboard", str(root), "--port", str(port)],
        cwd=REPO,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(url + "/", process)
        yield url
    finally:
        os.killpg(process.pid, 15)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)
        log.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1400, "height": 1000}}
