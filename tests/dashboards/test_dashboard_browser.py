"""The dashboard in headless Chromium: every page loads offline, a lever moves, Step changes the
chart, scenarios run, the explorer opens a sweep and refuses a path outside the roots.

Screenshots go to test-artifacts/dashboard/ (outside dashboards/, which the reloader watches).
"""

from __future__ import annotations

import re
import time

import pytest
from browser_helpers import TIMEOUT, screenshot
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser
POINTS_JS = """() => Array.from(document.querySelectorAll('.js-plotly-plot')).map(
    plot => (plot.data || []).map(t => (t.y || t.z || t.node?.label || []).length))"""
expect.set_options(timeout=TIMEOUT)


def chart_points(page: Page) -> list[list[int]]:
    return page.evaluate(POINTS_JS)


def test_live_page_lever_step_play(page: Page, dashboard_url, artifacts, offline):
    page.set_default_timeout(TIMEOUT)
    page.goto(dashboard_url + "/")
    step = page.get_by_role("button", name="Step", exact=True)
    expect(step).to_be_enabled()
    expect(page.get_by_role("tab", name="Live city")).to_be_visible()

    lever = page.get_by_role("slider", name=re.compile(r"^Coordination body"))
    lever.focus()
    for _ in range(6):
        lever.press("ArrowRight")
    expect(lever).to_have_attribute("aria-valuenow", "0.3")
    expect(page.get_by_text(re.compile(r"Coordination body.*0\.30 strength 0-1"))).to_be_visible()

    before = chart_points(page)
    step.click()
    expect(page.get_by_text("Year 2024 (1 of 20)", exact=False)).to_be_visible()
    step.click()
    expect(page.get_by_text("Year 2025 (2 of 20)", exact=False)).to_be_visible()
    page.wait_for_function(
        "() => Math.max(0, ...(document.querySelector('.js-plotly-plot')?.data ?? [])"
        ".map(t => (t.y || []).length)) === 2"
    )
    after = chart_points(page)
    assert after != before
    assert max(after[0]) == 2  # two years on the outcome charts
    assert after[1], "the Sankey has nodes"
    screenshot(page, artifacts / "live_step.png")

    page.get_by_role("button", name="Reset", exact=True).click()
    expect(page.get_by_text("Not started", exact=False)).to_be_visible()
    started = time.perf_counter()
    page.get_by_role("button", name="Play", exact=True).click()
    expect(page.get_by_text("(20 of 20)", exact=False)).to_be_visible()
    seconds = time.perf_counter() - started
    # stopped at the horizon:
    expect(page.get_by_role("button", name="Play", exact=True)).to_be_visible()
    status = page.get_by_text(re.compile(r"playing at [\d.]+ years/s")).inner_text()
    report = f"browser: 20 years in {seconds:.2f} s = {20 / seconds:.1f} years/s; page: {status}"
    (artifacts / "live_speed.txt").write_text(report + "\n", encoding="utf-8")
    print(report)
    screenshot(page, artifacts / "live_played.png")

    horizon = page.get_by_role("slider", name=re.compile(r"^Horizon"))
    horizon.focus()
    horizon.press("End")
    expect(page.get_by_text("(20 of 40)", exact=False)).to_be_visible()
    page.get_by_role("button", name="Reset", exact=True).click()
    expect(page.get_by_text("Not started: 40 years", exact=False)).to_be_visible()
    page.get_by_role("button", name="Play", exact=True).click()
    expect(page.get_by_text(re.compile(r"\(([1-9]|1\d) of 40\)"))).to_be_visible()
    # by keyboard: a mouse click can land on a chart being redrawn below the moving layout
    page.get_by_role("button", name="Pause", exact=True).press("Enter")
    expect(page.get_by_role("button", name="Play", exact=True)).to_be_visible()
    page.wait_for_timeout(1500)  # a year already being computed when Pause was pressed may land
    paused = page.get_by_text(re.compile(r"\(\d+ of 40\)")).inner_text()
    page.wait_for_timeout(1000)
    assert page.get_by_text(re.compile(r"\(\d+ of 40\)")).inner_text() == paused
    assert "(40 of 40)" not in paused


def test_scenario_page_runs_and_shows_bands(page: Page, dashboard_url, artifacts, offline):
    page.set_default_timeout(TIMEOUT)
    page.goto(dashboard_url + "/scenarios")
    run = page.get_by_role("button", name="Run", exact=True)
    expect(run).to_be_enabled()
    for name in ("Replications", "Years"):
        slider = page.get_by_role("slider", name=re.compile(f"^{name}"))
        slider.focus()
        slider.press("Home")
    page.get_by_role("slider", name=re.compile("^Replications")).press("ArrowRight")
    expect(page.get_by_text("Replications: 2")).to_be_visible()
    expect(page.get_by_text("Years: 5")).to_be_visible()
    run.click()
    expect(page.get_by_text("12 runs done.")).to_be_visible()
    page.wait_for_function(
        "() => document.querySelectorAll('.js-plotly-plot').length === 3"
        " && document.querySelectorAll('.js-plotly-plot')[2].data?.length > 0"
    )
    points = chart_points(page)
    assert len(points[0]) == 12  # six scenarios × (band + mean line)
    assert len(points[2]) == 7  # one panel per key outcome (horizon-mean differences)
    screenshot(page, artifacts / "scenarios.png")


def test_sweep_explorer_opens_a_sweep_and_refuses_outside(
    page: Page, dashboard_url, artifacts, offline
):
    page.set_default_timeout(TIMEOUT)
    page.goto(dashboard_url + "/sweeps")
    path = page.get_by_label("Or type a folder path")
    open_button = page.get_by_role("button", name="Open", exact=True)

    path.fill("/etc")
    open_button.click()
    expect(page.get_by_text("outside the results roots", exact=False)).to_be_visible()
    screenshot(page, artifacts / "explorer_refused.png")

    path.fill("grid")
    open_button.click()
    expect(page.get_by_text("design grid", exact=False)).to_be_visible()
    expect(page.get_by_text("1 of 18 runs failed", exact=False)).to_be_visible()
    page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot').length >= 2")
    screenshot(page, artifacts / "explorer_grid.png")

    path.fill("sobol")
    open_button.click()
    expect(page.get_by_text("design sobol", exact=False)).to_be_visible()
    page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot').length >= 3")
    # the heatmap was redrawn for the new dataset: LHS/Sobol values fall into 8 bins, not 3 levels
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('.js-plotly-plot'))"
        ".some(p => p.data?.[0]?.type === 'heatmap' && p.data[0].z.length > 3)"
    )
    expect(page.get_by_text("Sensitivity of Graduates", exact=False)).to_be_visible()
    screenshot(page, artifacts / "explorer_sobol.png")
