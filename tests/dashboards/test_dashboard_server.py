"""The dashboard server: stopped by its launcher's signals, loopback unless allowed, no leaks.

These drive the real `talentsim dashboard` process and check the port and the process table.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from conftest import REPO, free_port, wait_for
from typer.testing import CliRunner

from talentsim.cli import app


def group_alive(pgid: int) -> list[int]:
    alive = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == pgid and fields[0] != "Z":
                alive.append(int(entry.name))
    return alive


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def wait_until(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def status(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def test_sigterm_to_the_launcher_stops_the_server_and_frees_the_port(tmp_path: Path) -> None:
    from solara.server.settings import assets

    port = free_port()
    launcher = subprocess.Popen(
        [sys.executable, "-m", "talentsim.cli", "dashboard", str(tmp_path), "--port", str(port)],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/readyz", launcher, timeout=90)
        # meanwhile: what the server must not answer
        code, body = status(f"http://127.0.0.1:{port}/resourcez?verbose")
        assert code == 404 and b"cpu" not in body.lower()
        cached = sorted(assets.proxy_cache_dir.rglob("*"))
        code, _ = status(f"http://127.0.0.1:{port}/_solara/cdn/left-pad@1.3.0/index.js")
        assert code == 404  # not fetched from the network ...
        assert sorted(assets.proxy_cache_dir.rglob("*")) == cached  # ... nor cached
        code, _ = status(f"http://127.0.0.1:{port}/_solara/cdn/requirejs@2.3.6/require.js")
        assert code == 200  # installed assets are still served
        os.kill(launcher.pid, signal.SIGTERM)  # the launcher only, as a service manager does
        assert wait_until(lambda: not port_open(port), 20), "the port is still served"
        assert wait_until(lambda: not group_alive(launcher.pid), 20), group_alive(launcher.pid)
    finally:
        if group_alive(launcher.pid):
            os.killpg(launcher.pid, signal.SIGKILL)
        launcher.wait()


@pytest.mark.parametrize("how", [signal.SIGHUP, signal.SIGINT, signal.SIGTERM, signal.SIGKILL])
def test_the_launcher_stops_its_server_on_each_signal(how) -> None:
    """SIGKILL cannot be handled: the server then goes through PR_SET_PDEATHSIG."""
    code = (
        "import sys, time; from talentsim.cli import serve; "
        "sys.exit(serve([sys.executable, '-c', 'import time; time.sleep(120)'], {}))"
    )
    launcher = subprocess.Popen([sys.executable, "-c", code], start_new_session=True)
    try:
        assert wait_until(lambda: len(group_alive(launcher.pid)) == 2, 30)
        os.kill(launcher.pid, how)
        assert launcher.wait(timeout=20) == (-how if how == signal.SIGKILL else 0)
        assert wait_until(lambda: not group_alive(launcher.pid), 10)
    finally:
        if group_alive(launcher.pid):
            os.killpg(launcher.pid, signal.SIGKILL)


def test_a_port_in_use_fails_at_once(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = CliRunner().invoke(app, ["dashboard", str(tmp_path), "--port", str(port)])
    assert result.exit_code == 2
    assert f"--port {port}: cannot serve on 127.0.0.1:{port}" in result.output


def test_every_interface_needs_allow_remote(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["dashboard", str(tmp_path), "--host", "0.0.0.0"])
    assert result.exit_code == 2
    assert "--allow-remote" in result.output and "no login" in result.output
