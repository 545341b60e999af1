"""A git revision checked out beside the working tree, to be timed on the same interpreter.

:func:`checkout` makes a detached ``git worktree`` of the revision in a temporary folder and
chooses the Python that runs it:

- **this interpreter**, with ``PYTHONPATH=<worktree>/src`` ahead of the editable install, when
  every package pinned in the revision's ``uv.lock`` that is installed here has the locked
  version (packages the revision does not lock are simply not imported by it). Same
  interpreter, same numpy: a ratio then measures the code alone;
- otherwise the revision's own environment, made by ``uv sync --frozen`` in the worktree
  (``<worktree>/.venv/bin/python``), and the difference is reported with the results.

The worktree is removed on exit (``git worktree remove --force``).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

LOCKED = re.compile(r'^\[\[package\]\]\nname = "([^"]+)"\nversion = "([^"]+)"', re.MULTILINE)


@dataclass(frozen=True)
class Tree:
    """A source tree to time: its root, the Python that runs it, and how that was chosen."""

    name: str
    root: Path
    python: str = sys.executable
    environment: str = "this interpreter"
    mismatched: dict[str, tuple[str, str]] = field(default_factory=dict)

    def env(self) -> dict[str, str]:
        """Environment of a run of this tree: its ``src`` first on the path, one BLAS thread."""
        return {
            **os.environ,
            "PYTHONPATH": str(self.root / "src"),
            "OPENBLAS_NUM_THREADS": "1",
            "OMP_NUM_THREADS": "1",
        }


def locked_versions(lock_text: str) -> dict[str, str]:
    """Package name → version of every ``[[package]]`` of a ``uv.lock``."""
    return {_normal(name): version for name, version in LOCKED.findall(lock_text)}


def mismatches(locked: dict[str, str], project: str = "talentsim") -> dict[str, tuple[str, str]]:
    """Locked packages installed here at another version: name → (locked, installed)."""
    found = {}
    for name, version in locked.items():
        if name == project:
            continue
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
        if installed != version:
            found[name] = (version, installed)
    return found


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True)
    return done.stdout.strip()


@contextlib.contextmanager
def checkout(root: Path, revision: str) -> Iterator[Tree]:
    """The revision as a :class:`Tree` in a temporary worktree (removed on exit).

    Raises:
        subprocess.CalledProcessError: git cannot make the worktree, or ``uv sync`` fails.

    """
    commit = _git(root, "rev-parse", "--verify", f"{revision}^{{commit}}")
    folder = Path(tempfile.mkdtemp(prefix="talentsim-reference-"))
    where = folder / commit[:12]
    _git(root, "worktree", "add", "--detach", str(where), commit)
    try:
        lock = where / "uv.lock"
        different = mismatches(locked_versions(lock.read_text())) if lock.exists() else {}
        name = commit[:7] if commit.startswith(revision) else f"{revision} ({commit[:7]})"
        tree = Tree(name=name, root=where)
        if different:
            subprocess.run(["uv", "sync", "--frozen"], cwd=where, check=True, capture_output=True)
            tree = Tree(
                name=tree.name,
                root=where,
                python=str(where / ".venv" / "bin" / "python"),
                environment="its own environment (uv sync --frozen)",
                mismatched=different,
            )
        yield tree
    finally:
        subprocess.run(
            ["git", "worktree", "remove", "--force", str(where)], cwd=root, capture_output=True
        )
        shutil.rmtree(folder, ignore_errors=True)
