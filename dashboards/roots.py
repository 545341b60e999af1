"""Where the dashboard may read results: the roots given on the command line, and nothing else.

``talentsim dashboard DIR ...`` passes the roots in :data:`ROOTS_ENV` (``os.pathsep``-separated).
Every path the pages open goes through :func:`resolve_under_roots`, which resolves symlinks and
``..`` first and refuses anything that does not end up inside one of the roots.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOTS_ENV = "TALENTSIM_RESULTS_ROOTS"
CONFIGS_ENV = "TALENTSIM_CONFIGS"
REPO_ROOT = Path(__file__).resolve().parents[1]
MAX_DEPTH = 3
MAX_PATH_CHARS = 1024
"""A typed path longer than this is refused before the file system sees it."""
DATASET_FILES = ("manifest.json", "outcomes.parquet", "runs.parquet", "flows.parquet")
"""The files of a dataset folder, each checked against the roots (not only the folder)."""


class OutsideRootsError(PermissionError):
    """A path that is not inside any results root."""


def results_roots(environ: dict[str, str] | None = None) -> list[Path]:
    """The resolved results roots from the environment (empty if none were given)."""
    raw = (os.environ if environ is None else environ).get(ROOTS_ENV, "")
    return [Path(part).expanduser().resolve() for part in raw.split(os.pathsep) if part.strip()]


def configs_dir(environ: dict[str, str] | None = None) -> Path:
    """The folder with ``zibo_baseline.yaml`` and ``scenarios/`` (the repository's by default)."""
    raw = (os.environ if environ is None else environ).get(CONFIGS_ENV, "")
    return Path(raw).resolve() if raw else REPO_ROOT / "configs"


def resolve_under_roots(path: str | Path, roots: list[Path]) -> Path:
    """Resolve ``path`` and check it lies inside one of ``roots``.

    A relative path is taken relative to each root in turn (the first that exists wins).

    Raises:
        OutsideRootsError: no roots were given, or the resolved path is outside all of them.

    """
    if not roots:
        raise OutsideRootsError(
            "no results roots were given: start the dashboard with `talentsim dashboard DIR`"
        )
    text = str(path)
    if "\x00" in text:
        raise OutsideRootsError("the path contains a NUL character; refused")
    if len(text) > MAX_PATH_CHARS:
        raise OutsideRootsError(
            f"the path is {len(text):,} characters long (at most {MAX_PATH_CHARS:,}); refused"
        )
    given = Path(text).expanduser()
    candidates = [given] if given.is_absolute() else [root / given for root in roots]
    try:
        resolved = [candidate.resolve() for candidate in candidates]
    except (OSError, RuntimeError) as exc:  # a name too long, a symlink loop
        raise OutsideRootsError(f"{text[:200]}: cannot be resolved ({exc}); refused") from None
    inside = [p for p in resolved if any(p.is_relative_to(root) for root in roots)]
    if not inside:
        shown = ", ".join(str(root) for root in roots)
        raise OutsideRootsError(f"{path}: outside the results roots ({shown}); refused")
    return next((p for p in inside if p.exists()), inside[0])


def find_datasets(roots: list[Path], max_depth: int = MAX_DEPTH) -> list[Path]:
    """Folders under ``roots`` (up to ``max_depth`` levels) that hold a sweep ``manifest.json``.

    Symlinked folders that lead outside the roots are skipped.
    """
    found: list[Path] = []
    roots = [root.resolve() for root in roots]
    for root in roots:
        if not root.is_dir():
            continue
        frontier = [root]
        for _ in range(max_depth + 1):
            next_frontier = []
            for folder in frontier:
                if (folder / "manifest.json").is_file() or (folder / "outcomes.parquet").exists():
                    if files_inside(folder, roots):
                        found.append(folder)
                    continue
                next_frontier.extend(_subfolders(folder, roots))
            frontier = next_frontier
    return sorted(set(found))


def _subfolders(folder: Path, roots: list[Path]) -> list[Path]:
    try:
        children = sorted(folder.iterdir())
    except OSError:
        return []
    return [
        child
        for child in children
        if child.is_dir()
        and not child.name.startswith(".")
        and any(child.resolve().is_relative_to(root) for root in roots)
    ]


def display_name(path: Path, roots: list[Path]) -> str:
    """``path`` relative to its root, prefixed by the root's name."""
    for root in roots:
        if path.is_relative_to(root):
            rel = path.relative_to(root)
            return f"{root.name}/{rel}" if str(rel) != "." else root.name
    return str(path)


def files_inside(folder: Path, roots: list[Path]) -> bool:
    """Whether every dataset file in ``folder`` (symlinks resolved) lies inside ``roots``."""
    for name in DATASET_FILES:
        file = folder / name
        if file.exists() or file.is_symlink():
            target = file.resolve()
            if not any(target.is_relative_to(root) for root in roots):
                return False
    return True
