"""Fixtures of the dashboard tests: synthetic sweep datasets, Debian's Chromium, a live server."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))  # the dashboards/ folder is an app, not an installed package
os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")

from synthetic_sweeps import grid_points, sobol_points, write_sweep  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO / "test-artifacts" / "dashboard"


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
@pytest.fixture
def offline(page):
    """Record every request that leaves the loopback interface."""
    outside: list[str] = []
    page.on(
        "request",
        lambda request: (
            outside.append(request.url)
            if urlparse(request.url).hostname not in ("127.0.0.1", "localhost")
            and not request.url.startswith(("data:", "blob:"))
            else None
        ),
    )
    yield outside
    assert outside == [], f"requests left the machine: {outside[:5]}"


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
