"""Provenance of a run: package versions, git commit, host; atomic file writing; signals."""

from __future__ import annotations

import json
import os
import platform
import shutil
import signal
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path
from typing import Any

PACKAGES = ("talentsim", "mesa", "numpy", "pandas", "pyarrow", "pydantic", "SALib", "dask")


def package_versions() -> dict[str, str]:
    """Installed versions of the packages that decide a run's numbers."""
    versions = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def git_state(where: Path | None = None) -> dict[str, Any]:
    """The git commit of the working tree and whether it has uncommitted changes."""
    cwd = where or Path(__file__).resolve().parent
    git = shutil.which("git")
    if git is None:
        return {"commit": None, "dirty": None}

    def ask(*args: str) -> str:
        done = subprocess.run(  # noqa: S603 - git resolved by shutil.which, fixed arguments
            [git, *args], cwd=cwd, capture_output=True, text=True, check=True, timeout=10
        )
        return done.stdout.strip()

    try:
        return {"commit": ask("rev-parse", "HEAD"), "dirty": bool(ask("status", "--porcelain"))}
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "dirty": None}


def host() -> str:
    """The machine's name."""
    return platform.node()


def write_atomic(path: Path, write: Callable[[Path], None]) -> None:
    """Write ``path`` through a temporary file in the same folder, then rename it into place.

    A reader never sees a partial file: either the old one, or the whole new one.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(handle)
    try:
        write(Path(temporary))
        os.chmod(temporary, 0o666 & ~current_umask())  # mkstemp makes files owner-only
        os.replace(temporary, path)
    except OSError as exc:  # a full disk, a quota: say which file (pyarrow's errors do not)
        Path(temporary).unlink(missing_ok=True)
        raise OSError(exc.errno, exc.strerror or str(exc), str(path)) from exc
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def current_umask() -> int:
    """The process's file-creation mask (read by setting and restoring it)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_json(path: Path, data: Any) -> None:
    """Write ``data`` as indented JSON, atomically."""
    write_atomic(
        path,
        lambda tmp: tmp.write_text(
            json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8"
        ),
    )


def write_together(folder: Path, writers: dict[str, Callable[[Path], None]]) -> None:
    """Write several files of ``folder`` all or none: each to a temporary file, then renamed.

    If any write fails (a full disk, no permission), no file is replaced, the temporary files
    go, and a ``folder`` created here is removed again; the ``OSError`` propagates.
    """
    created = not folder.exists()
    written: dict[Path, Path] = {}
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for name, write in writers.items():
            handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".tmp")
            os.close(handle)
            written[folder / name] = Path(temporary)
            write(Path(temporary))
            os.chmod(temporary, 0o666 & ~current_umask())
        for path, temporary in written.items():
            os.replace(temporary, path)
    except BaseException:
        for temporary in written.values():
            temporary.unlink(missing_ok=True)
        if created:
            shutil.rmtree(folder, ignore_errors=True)
        raise


@contextmanager
def interrupt_on_termination() -> Iterator[None]:
    """Within the block, SIGTERM (and SIGHUP unless ignored, as under nohup) act as Ctrl-C.

    Both raise ``KeyboardInterrupt`` in the main thread, so a batch system's or a user's
    ``kill`` stops a command the way Ctrl-C does (cleanup and consolidation included).
    Outside the main thread this does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt(signal.Signals(signum).name)

    previous = {}
    for number in (signal.SIGTERM, signal.SIGHUP):
        if signal.getsignal(number) is not signal.SIG_IGN:
            previous[number] = signal.signal(number, interrupt)
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
