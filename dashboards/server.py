"""Hardening of the Solara server the dashboard runs in, applied when ``app.py`` is loaded.

Solara's server loads the app at start-up, before it answers a request, so these changes are
in place for every request:

- ``/resourcez`` is removed: with ``?verbose`` it shows the host's CPU, memory and threads to
  anyone who can reach the port.
- ``/_solara/cdn/...`` serves only the files installed locally (``solara-assets``): Solara's
  proxy would otherwise fetch a missing file from the CDN and write it into its cache.

Outside a Solara server (component tests with ``solara.render``) nothing is changed.
"""

from __future__ import annotations

import sys
from pathlib import Path

REMOVED_ROUTES = frozenset({"/resourcez"})


def local_asset(base: Path, path: str) -> Path:
    """The installed copy of CDN asset ``path`` under ``base``; never fetched, never written.

    Raises:
        FileNotFoundError: there is no such file under ``base`` (answered with 404).

    """
    parts = path.replace("\\", "/").split("/")
    stored = Path(path) if len(parts) != 1 else Path(path) / "__main.js"
    base = base.resolve()
    found = (base / stored).resolve()
    if not found.is_relative_to(base) or not found.is_file():
        raise FileNotFoundError(path)
    return found


def harden_server() -> bool:
    """Apply the changes above to the running Solara server; False if there is none."""
    server = sys.modules.get("solara.server.starlette")
    if server is None:
        return False
    server.get_path = local_asset  # type: ignore[attr-defined]
    routes = server.app.router.routes
    routes[:] = [r for r in routes if getattr(r, "path", None) not in REMOVED_ROUTES]
    return True
