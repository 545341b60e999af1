"""The dashboard in headless Chromium, for officials: 中文 and English, downloads, sharing.

The language switch is remembered in the URL (``?lang=zh``) across pages; every chart's PNG and
SVG buttons download images; the scenario builder writes a file ``talentsim validate`` accepts
and the shareable link restores the levers. Screenshots of every page in both languages go to
test-artifacts/dashboard/ (see docs/dashboard.md).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from browser_helpers import TIMEOUT, screenshot
from playwright.sync_api import Page, expect
from typer.testing import CliRunner

from talentsim.cli import app
from talentsim.config import resolve_config

pytestmark = pytest.mark.browser
PAGES = {"live": "/", "scenarios": "/scenarios", "sweeps": "/sweeps"}


def wait_for_plots(page: Page, count: int) -> None:
    page.wait_for_function(f"() => document.querySelectorAll('.js-plotly-plot').length >= {count}")


def test_language_switch_speaks_chinese_and_is_kept_in_the_url(page: Page, dashboard_url, offline):
    page.set_default_timeout(TIMEOUT)
    page.goto(dashboard_url + "/")
    expect(page.get_by_role("button", name="Step", exact=True)).to_be_enabled()
    page.get_by_role("button", name="中文", exact=True).click()
    expect(page).to_have_url(re.compile(r"\?lang=zh$"))
    expect(page.get_by_role("button", name="单步", exact=True)).to_be_enabled()
    expect(page.get_by_text("学徒制补贴", exact=False).first).to_be_visible()
    page.get_by_role("tab", name="情景比较").click()
    expect(page).to_have_url(re.compile(r"/scenarios\?lang=zh$"))
    expect(page.get_by_role("button", name="运行", exact=True)).to_be_visible()
    page.get_by_role("button", name="English", exact=True).click()
    expect(page.get_by_role("button", name="Run", exact=True)).to_be_visible()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_page_in_both_languages_screenshot(
    page: Page, dashboard_url, artifacts, offline, lang
):
    page.set_default_timeout(TIMEOUT)
    step = {"en": "Step", "zh": "单步"}[lang]
    page.goto(f"{dashboard_url}/?lang={lang}")
    page.get_by_role("button", name=step, exact=True).click()
    wait_for_plots(page, 2)
    screenshot(page, artifacts / f"live_{lang}.png")
    page.goto(f"{dashboard_url}/scenarios?lang={lang}")
    wait_for_plots(page, 1)
    screenshot(page, artifacts / f"scenarios_{lang}.png")
    page.goto(f"{dashboard_url}/sweeps?lang={lang}")
    page.get_by_label({"en": "Or type a folder path", "zh": "或输入目录路径"}[lang]).fill("grid")
    page.get_by_role("button", name={"en": "Open", "zh": "打开"}[lang], exact=True).click()
    wait_for_plots(page, 2)
    screenshot(page, artifacts / f"sweeps_{lang}.png")


def test_charts_download_as_png_and_svg(page: Page, dashboard_url, tmp_path: Path, offline):
    page.set_default_timeout(TIMEOUT)
    page.goto(dashboard_url + "/")
    page.get_by_role("button", name="Step", exact=True).click()
    wait_for_plots(page, 2)
    for label, magic in (("PNG", b"\x89PNG"), ("SVG", b"<svg")):
        with page.expect_download(timeout=TIMEOUT) as info:
            page.get_by_role("button", name=label, exact=True).first.click()
        target = tmp_path / info.value.suggested_filename
        info.value.save_as(target)
        assert target.name.startswith("live_outcomes.")
        assert magic in target.read_bytes()[:400]


def test_scenario_builder_round_trip_and_shareable_link(
    page: Page, dashboard_url, tmp_path: Path, offline
):
    page.set_default_timeout(TIMEOUT)
    page.goto(dashboard_url + "/")
    lever = page.get_by_role("slider", name=re.compile(r"^Coordination body"))
    lever.focus()
    lever.press("End")
    expect(page.get_by_text(re.compile(r"Coordination body.*1\.00 strength 0-1"))).to_be_visible()
    start = page.get_by_role("slider", name=re.compile(r"^start year")).first
    start.focus()
    start.press("ArrowRight")
    start.press("ArrowRight")
    expect(page.get_by_text("start year: 2026").first).to_be_visible()
    with page.expect_download(timeout=TIMEOUT) as info:
        page.get_by_role("button", name="Download scenario YAML").click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    config = resolve_config(path)
    assert config.policy.coordination.value == 1.0
    assert config.policy.coordination.start_year == 2026

    link = page.locator("a.talentsim-share").get_attribute("href")
    assert "policy.coordination.value=1.0" in link
    page.goto(dashboard_url + "/" + link)
    expect(page.get_by_text(re.compile(r"Coordination body.*1\.00 strength 0-1"))).to_be_visible()
