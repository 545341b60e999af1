"""Shared pieces of the browser tests: the timeout and a whole-page screenshot."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

TIMEOUT = 60_000
expect.set_options(timeout=TIMEOUT)


def screenshot(page: Page, path: Path) -> None:
    """The whole page: the app scrolls inside its main area, so grow the window first."""
    height = page.evaluate(
        "() => Math.max(...Array.from(document.querySelectorAll('main *'), e => e.scrollHeight))"
    )
    page.set_viewport_size({"width": 1400, "height": max(1000, min(int(height) + 150, 4000))})
    page.wait_for_timeout(500)
    page.screenshot(path=path)
    page.set_viewport_size({"width": 1400, "height": 1000})
