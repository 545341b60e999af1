"""Plotly figures of the dashboard (pure functions of data frames; no UI state)."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from plotly.colors import qualitative
from plotly.subplots import make_subplots

from talentsim.analysis import formats
from talentsim.analysis.catalogue import (
    DEFAULT_LANG,
    PERSONS,
    STATISTICS,
    Lang,
    M,
    lever_label,
    node_label,
)
from talentsim.analysis.figures import (
    FONT,
    INDEX_COLOURS,
    band_trace,
    band_traces,
    scenario_colours,
)

KEY_OUTCOMES = (
    "retention_3y",
    "employment_rate",
    "in_field_rate",
    "mismatch_flow",
    "firm_participation_rate",
    "rd_intensity",
    "fiscal_cost",
)
"""The outcomes the pages show first (labels and units from talentsim.analysis.catalogue)."""
TYPICAL = {"fiscal_cost": 1e9, "value_added": 1e11}
"""Magnitudes that fix the money unit of the live page's axes (drawn before any data)."""
COLORS = qualitative.Plotly
CHART_HEIGHT = 420
BAND_ALPHA = 0.2
"""Opacity of the 10–90 % band around a scenario's mean line."""
_AXIS = {"gridcolor": "white", "zerolinecolor": "white", "linecolor": "white", "automargin": True}
LIGHT_TEMPLATE = go.layout.Template(
    layout={
        "colorway": COLORS,
        "font": {"color": "#2a3f5f", "family": FONT},
        "paper_bgcolor": "white",
        "plot_bgcolor": "#E5ECF6",
        "hovermode": "closest",
        "xaxis": _AXIS,
        "yaxis": _AXIS,
    }
)
# Plotly's default template is validated again for every new figure (~30 ms each, more than a
# simulated year at the live page's scale); this small look-alike costs almost nothing.
pio.templates["talentsim"] = LIGHT_TEMPLATE
pio.templates.default = "talentsim"


def label_of(outcome: str, lang: Lang = DEFAULT_LANG, values: Sequence[float] = ()) -> str:
    """An outcome's name with its display unit, e.g. "Graduates staying in the city (%)"."""
    _, unit = scale_of(outcome, lang, values)
    return formats.axis_title(outcome, unit, lang)


def scale_of(
    outcome: str, lang: Lang = DEFAULT_LANG, values: Sequence[float] = (), diff: bool = False
) -> tuple[float, str]:
    """Display factor and unit of an outcome (rates in %, RMB in m/bn or 万元/亿元)."""
    given = list(values) or [TYPICAL.get(outcome, 0.0)]
    return formats.axis_scale(outcome, given, lang, diff=diff)


def factor_of(outcome: str, values: Sequence[float] = ()) -> float:
    """Display factor of an outcome (e.g. share → %, RMB → million RMB)."""
    return scale_of(outcome, DEFAULT_LANG, values)[0]


def message_figure(message: str, height: int = 240) -> go.Figure:
    """An empty figure carrying a centred message."""
    fig = go.Figure()
    fig.add_annotation(text=message, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    fig.update_layout(height=height, margin={"l": 10, "r": 10, "t": 10, "b": 10})
    return fig


@lru_cache(maxsize=8)
def _subplots_layout(outcomes: tuple[str, ...], cols: int, lang: Lang) -> dict[str, Any]:
    """The layout of the small multiples (built once: ``make_subplots`` is slow)."""
    rows = (len(outcomes) + cols - 1) // cols
    fig = make_subplots(
        rows=rows,
        cols=cols,
        subplot_titles=[label_of(o, lang) for o in outcomes],
        vertical_spacing=0.08,
        horizontal_spacing=0.08,
    )
    for i, outcome in enumerate(outcomes):
        if formats.outcome(outcome).kind in ("rate", "index"):
            top = 102 if formats.outcome(outcome).kind == "rate" else 1.02
            fig.update_yaxes(range=[0, top], row=i // cols + 1, col=i % cols + 1)
    fig.update_annotations(font_size=12)
    fig.update_xaxes(tickformat="d")
    fig.update_layout(
        height=230 * rows,
        margin={"l": 40, "r": 10, "t": 70, "b": 30},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.03, "x": 0},
    )
    layout = fig.layout.to_plotly_json()
    layout.pop("template", None)  # re-validating the default template costs most of the time
    return layout


def outcomes_figure(
    current: pd.DataFrame,
    previous: pd.DataFrame | None = None,
    years: tuple[int, int] | None = None,
    outcomes: tuple[str, ...] = KEY_OUTCOMES,
    lang: Lang = DEFAULT_LANG,
) -> go.Figure:
    """Small multiples of the key outcomes, year by year; ``previous`` run dashed for comparison."""
    cols = 2
    layout = copy.deepcopy(_subplots_layout(outcomes, cols, lang))
    traces = []
    for i, outcome in enumerate(outcomes):
        axis = "" if i == 0 else str(i + 1)
        factor, _ = scale_of(outcome, lang)
        if years is not None:
            layout[f"xaxis{axis}"]["range"] = [years[0] - 0.5, years[1] + 0.5]
        for frame, name, dash, color in (
            (previous, M.previous_run(lang), "dash", "#9e9e9e"),
            (current, M.this_run(lang), "solid", COLORS[0]),
        ):
            if frame is None or frame.empty or outcome not in frame:
                continue
            traces.append(
                {
                    "type": "scatter",
                    "x": frame["year"].to_numpy(),
                    "y": frame[outcome].to_numpy() * factor,
                    "xaxis": f"x{axis}",
                    "yaxis": f"y{axis}",
                    "mode": "lines+markers",
                    "name": name,
                    "legendgroup": name,
                    "showlegend": i == 0,
                    "line": {"dash": dash, "color": color},
                    "marker": {"size": 4},
                }
            )
    return go.Figure(data=traces, layout=layout)


def sankey_figure(
    flows: pd.DataFrame, year: int | None = None, lang: Lang = DEFAULT_LANG
) -> go.Figure:
    """Where people go in ``year`` (default: the last year): source → target counts."""
    if flows.empty:
        return message_figure(M.no_flows(lang))
    year = int(flows["year"].max()) if year is None else year
    shown = flows[(flows["year"] == year) & (flows["source"] != "applicant")]
    shown = shown.groupby(["source", "target"], as_index=False)["count"].sum()
    shown = shown[shown["count"] > 0]
    nodes = list(dict.fromkeys([*shown["source"], *shown["target"]]))
    index = {name: i for i, name in enumerate(nodes)}
    fig = go.Figure(
        go.Sankey(
            arrangement="snap",
            node={"label": [node_label(n, lang) for n in nodes], "pad": 14, "thickness": 14},
            link={
                "source": [index[s] for s in shown["source"]],
                "target": [index[t] for t in shown["target"]],
                "value": shown["count"].round().tolist(),
            },
            valueformat=",.0f",
            valuesuffix=" " + PERSONS(lang),
        )
    )
    fig.update_layout(
        title=M.flows_year(lang, year=year),
        height=CHART_HEIGHT,
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
    )
    return fig


def _nan_to_none(values: np.ndarray) -> list:
    """Nested lists with None for empty cells (NaN is not valid JSON for the browser)."""
    return np.where(np.isnan(values), None, values).tolist()


def short_number(value: float) -> str:
    """A lever value for an axis label: 12,500 / 0.25 / 3e-05."""
    return formats.short(value)


def year_axis(years: pd.Series, lang: Lang = DEFAULT_LANG) -> dict[str, Any]:
    """An x axis of whole years (no "2,024.5" ticks)."""
    span = int(years.max() - years.min()) if len(years) else 0
    return {"title": {"text": M.year(lang)}, "tickformat": "d", "dtick": 1 if span <= 12 else 5}


def color_map(names: list[str]) -> dict[str, str]:
    """A stable colour per scenario, the same as in the report (see analysis.figures)."""
    return scenario_colours(names)


def band_figure(
    table: pd.DataFrame,
    outcome: str,
    title: str,
    group: str = "scenario",
    colors: dict[str, str] | None = None,
    lang: Lang = DEFAULT_LANG,
    names: dict[str, str] | None = None,
    diff: bool = False,
) -> go.Figure:
    """Mean lines with their 95 % bands across replications, one colour per group.

    A rate's band is clipped to [0, 1] (levels only; a difference may be negative).
    """
    if table.empty:
        return message_figure(M.nothing(lang))
    fig = go.Figure()
    groups = sorted(table[group].astype(str).unique())
    colors = colors or color_map(groups)
    names = names or {}
    factor, unit = scale_of(outcome, lang, table["mean"].abs().tolist(), diff=diff)
    for name, part in table.groupby(group, sort=True):
        low, high = part["low"].to_numpy(float), part["high"].to_numpy(float)
        if not diff:
            pairs = [formats.clip(outcome, a, b) for a, b in zip(low, high, strict=True)]
            low, high = np.array([a for a, _ in pairs]), np.array([b for _, b in pairs])
        band_traces(
            fig,
            part["year"],
            part["mean"] * factor,
            low * factor,
            high * factor,
            names.get(str(name), str(name)),
            colors.get(str(name), COLORS[0]),
            alpha=BAND_ALPHA,
        )
    fig.update_layout(
        title=title,
        height=CHART_HEIGHT,
        xaxis=year_axis(table["year"], lang),
        yaxis_title=formats.axis_title(outcome, unit, lang),
        margin={"l": 50, "r": 10, "t": 40, "b": 40},
    )
    return fig


def fan_figure(
    table: pd.DataFrame, outcome: str, name: str = "all runs", lang: Lang = DEFAULT_LANG
) -> go.Figure:
    """Fan chart: median with 25–75 % and 5–95 % bands across runs."""
    if table.empty:
        return message_figure(M.nothing(lang))
    factor, unit = scale_of(outcome, lang, table["q50"].abs().tolist())
    fig = go.Figure()
    for low, high, opacity in (("q05", "q95", 0.15), ("q25", "q75", 0.3)):
        label = M.band_legend(lang, low=int(low[1:]), high=int(high[1:]))
        fig.add_trace(
            band_trace(table["year"], table[low] * factor, table[high] * factor, COLORS[0],
                       opacity, label)
        )  # fmt: skip
    fig.add_trace(
        go.Scatter(
            x=table["year"],
            y=table["q50"] * factor,
            mode="lines",
            name=M.median(lang),
            line={"color": COLORS[0]},
        )
    )
    fig.update_layout(
        title=M.fan_runs(lang, outcome=formats.outcome(outcome).label(lang), name=name),
        height=CHART_HEIGHT,
        xaxis=year_axis(table["year"], lang),
        yaxis_title=formats.axis_title(outcome, unit, lang),
        margin={"l": 50, "r": 10, "t": 40, "b": 40},
    )
    return fig


def heatmap_figure(
    table: pd.DataFrame, outcome: str, x: str, y: str, lang: Lang = DEFAULT_LANG
) -> go.Figure:
    """Horizon mean of ``outcome`` over two levers (the report's statistic)."""
    values = table.to_numpy(float)
    factor, unit = scale_of(outcome, lang, np.abs(values[~np.isnan(values)]).tolist())
    fig = go.Figure(
        go.Heatmap(
            z=_nan_to_none(values * factor),
            x=[short_number(v) for v in table.columns],
            y=[short_number(v) for v in table.index],
            colorscale="Viridis",
            colorbar={"title": {"text": unit or M.mean(lang)}},
        )
    )
    fig.update_layout(
        title=M.heatmap_title(
            lang, outcome=formats.outcome(outcome).label(lang), statistic=STATISTICS["mean"](lang)
        ),
        xaxis={"title": {"text": lever_label(x, lang)}, "type": "category"},
        yaxis={"title": {"text": lever_label(y, lang)}, "type": "category"},
        height=CHART_HEIGHT,
        margin={"l": 60, "r": 10, "t": 40, "b": 50},
    )
    return fig


def sensitivity_figure(table: pd.DataFrame, outcome: str, lang: Lang = DEFAULT_LANG) -> go.Figure:
    """Bars of sensitivity indices per variable, with confidence intervals (report colours)."""
    fig = go.Figure()
    for index, part in table.groupby("index", sort=False):
        fig.add_trace(
            go.Bar(
                x=part["value"],
                y=[lever_label(v, lang) for v in part["variable"]],
                orientation="h",
                name=str(index),
                error_x={"type": "data", "array": part["conf"]},
                marker_color=INDEX_COLOURS.get(str(index), COLORS[0]),
            )
        )
    fig.update_layout(
        title=M.sensitivity_of(
            lang, outcome=formats.outcome(outcome).label(lang), statistic=STATISTICS["mean"](lang)
        ),
        barmode="group",
        xaxis_title=M.index_axis(lang),
        height=max(CHART_HEIGHT, 60 * table["variable"].nunique()),
        margin={"l": 220, "r": 10, "t": 40, "b": 40},
    )
    return fig
