"""The report for officials: both languages, signal first, one visual language, take-away."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from talentsim.analysis import load_dataset, run_study
from talentsim.analysis.figures import (
    SCENARIO_COLOURS,
    difference_panels,
    scenario_colours,
    split_views,
    time_series,
)
from talentsim.analysis.report import display_names, figure_set, find_chromium, render, write_pdf


def _text(page: str) -> str:
    """The page without its scripts (plotly.js and figure JSON)."""
    return re.sub(r"<script.*?</script>", "", page, flags=re.S)


@pytest.fixture
def study(scenario_dataset):
    return run_study(load_dataset(scenario_dataset()))


def test_chinese_report_speaks_chinese_and_says_so(study):
    page = render(study, "zh")
    text = _text(page)
    assert '<html lang="zh-CN">' in page
    for label in ("毕业3年留淄率", "主要结果", "模拟期平均", "人才流动", "配对相关系数"):
        assert label in text
    for english in ("Graduates still in the city after 3 years", "Headline", "retention_rate"):
        assert english not in text


def test_pair_correlation_is_printed_next_to_each_difference(study):
    text = _text(render(study, "en"))
    # two scenarios × each outcome × (horizon, final) headline cells
    assert text.count("ρ = ") == 2 * len(study.outcomes) * 2
    corr = study.horizon.set_index(["scenario", "outcome"])["pair_corr"]
    assert corr.loc[("policy", "retention_3y")] > 0.9  # common random numbers pay off


def test_a_difference_within_noise_is_said_in_a_plain_sentence(study):
    text = _text(render(study, "en"))
    assert "no detectable difference" in text
    weak = re.search(r"<li><b>weak</b>: (.*?)</li>", text).group(1)
    assert "Within noise" in weak and "Graduates still in the city after 3 years" in weak
    policy = re.search(r"<li><b>policy</b>: (.*?)</li>", text).group(1)
    assert "outside the noise" in policy


def test_rates_print_as_percent_and_money_in_rmb(study):
    text = _text(render(study, "zh")).split("<details>")[0]  # the headline, not raw tables
    assert re.search(r"\d+\.\d %", text) and "个百分点" in text and "万元" in text
    cells = re.findall(r"<td[^>]*>(.*?)</td>", text)
    rates = [c for c in cells if "%" in c]
    assert rates and all(re.match(r"\d+\.?\d* %<br>", c) for c in rates)  # not 0.7301


def test_differences_are_small_multiples_one_panel_per_outcome_with_units(study):
    fig = difference_panels(study.horizon, "baseline", "en", outcomes=study.outcomes)
    assert len(fig.data) == len(study.outcomes)
    titles = [a.text for a in fig.layout.annotations]
    assert "Graduates still in the city after 3 years (pp)" in titles
    assert any("persons/yr" in t for t in titles)


def test_rate_bands_are_clipped_to_zero_and_one():
    by_year = pd.DataFrame(
        {"scenario": "a", "outcome": "retention_rate", "year": [2025, 2026],
         "mean": [0.98, 0.99], "ci_low": [0.9, 0.95], "ci_high": [1.05, 1.2]}
    )  # fmt: skip
    band = time_series(by_year, ["retention_rate"], ["a"]).data[0]
    assert max(band.y) == pytest.approx(100.0)  # drawn in %, at most 100 %


def test_a_scenario_has_one_colour_whatever_else_is_drawn():
    assert scenario_colours(["combined", "x"])["combined"] == SCENARIO_COLOURS["combined"]
    assert scenario_colours(["baseline", "x", "y"])["y"] == scenario_colours(["y", "x"])["y"]


def test_grid_points_are_named_by_their_lever_values_and_get_an_effect_heatmap(grid_dataset):
    study = run_study(load_dataset(grid_dataset()))
    names = display_names(study, "en")
    assert names["point-4"] == "Apprenticeship subsidy 5,000 · Coordination body (统筹) 0.5"
    heatmap = figure_set(study, "en")["effect_heatmap"]
    views = split_views(heatmap)
    assert len(views) == len(study.outcomes)
    cell = views[0][1].data[0].text
    assert any("±" in t for row in cell for t in row) and any("○" in t for row in cell for t in row)


def test_menus_split_into_one_figure_per_view(study):
    flows = figure_set(study, "en")["talent_flows"]
    views = split_views(flows)
    assert [label for label, _ in views] == ["Baseline (status quo)", "policy", "weak"]
    assert all(sum(bool(t.visible) for t in view.data) == 1 for _, view in views)


@pytest.mark.slow
def test_report_prints_to_pdf_offline(study, tmp_path: Path):
    try:
        find_chromium()
    except OSError as exc:
        pytest.skip(str(exc))
    path = write_pdf(study, tmp_path / "report.pdf", "zh")
    assert path.read_bytes().startswith(b"%PDF") and path.stat().st_size > 20_000
