"""Provenance of a run: package versions, git commit, host, and atomic file writing."""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import tempfile
from collections.abc import Callable
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
