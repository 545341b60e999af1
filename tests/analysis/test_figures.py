"""Shared figure pieces (bands) used by the report and the dashboard."""

from __future__ import annotations

import plotly.graph_objects as go

from talentsim.analysis.figures import band_trace, band_traces


def test_band_traces_add_a_band_then_its_line_in_one_legend_group():
    fig = go.Figure()
    band_traces(fig, [2024, 2025], [1.0, 2.0], [0.5, 1.5], [1.5, 2.5], "park", "#636EFA", 0.2)
    band, line = fig.data
    assert list(band.x) == [2024, 2025, 2025, 2024]
    assert list(band.y) == [1.5, 2.5, 1.5, 0.5]  # upper edge forth, lower edge back
    assert band.fillcolor == "rgba(99,110,250,0.2)" and band.showlegend is False
    assert band.legendgroup == line.legendgroup == line.name == "park"
    assert list(line.y) == [1.0, 2.0] and line.line.color == "#636EFA"


def test_a_short_band_has_no_markers():
    # Plotly draws markers by default below 20 points; a band outline must not get them.
    assert band_trace([1, 2, 3], [0, 0, 0], [1, 1, 1], "#000000", 0.3).mode == "lines"
