"""Dashboard charts built on talentsim.analysis.figures' bands."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboards.charts import band_figure, fan_figure


def test_band_figure_scales_line_and_band_to_display_units():
    table = pd.DataFrame(
        {"scenario": ["a", "a"], "year": [2024, 2025], "mean": [2e6, 4e6],
         "low": [1e6, 3e6], "high": [3e6, 5e6]}
    )  # fmt: skip
    band, line = band_figure(table, "fiscal_cost", "cost").data
    assert list(line.y) == pytest.approx([2.0, 4.0])  # RMB shown as million RMB
    assert list(band.y) == pytest.approx([3.0, 5.0, 3.0, 1.0])
    assert line.name == "a" and band.showlegend is False


def test_fan_figure_names_its_bands_and_the_runs_shown():
    table = pd.DataFrame(
        {"year": [2024, 2025], "q05": [0, 0], "q25": [1, 1], "q50": [2, 2], "q75": [3, 3],
         "q95": [4, 4]}
    )  # fmt: skip
    fig = fan_figure(table, "retention_3y", name="park")
    assert [t.name for t in fig.data] == ["5–95 %", "25–75 %", "median"]
    assert fig.layout.title.text.endswith("— park")
    assert list(fig.data[0].y) == [400, 400, 0, 0]  # a rate is drawn in %
    assert fig.layout.yaxis.title.text == "Graduates still in the city after 3 years (%)"
