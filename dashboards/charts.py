"""Plotly figures of the dashboard (pure functions of data frames; no UI state)."""

from __future__ import annotations

import copy
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from plotly.colors import qualitative
from plotly.subplots import make_subplots

from talentsim.analysis.figures import band_trace, band_traces

SHARES = (
    "retention_rate",
    "employment_rate",
    "in_field_rate",
    "mismatch_jrl",
    "firm_participation_rate",
)
KEY_OUTCOMES: dict[str, tuple[str, float]] = {
    "retention_rate": ("Graduates staying in the city (share)", 1.0),
    "employment_rate": ("Employed, of graduates who stay (share)", 1.0),
    "in_field_rate": ("In-field jobs, of employed graduates (share)", 1.0),
    "mismatch_jrl": ("Field mismatch index (JRL, 0–1)", 1.0),
    "firm_participation_rate": ("Firms co-operating with schools (share)", 1.0),
    "rd_intensity": ("R&D intensity (share of value added)", 1.0),
    "fiscal_cost": ("Fiscal cost of the policy mix (million RMB/yr)", 1e-6),
}
NODE_LABELS = {
    "cohort": "Cohort aged 15",
    "general_hs": "普高 general high school",
    "zhongzhi": "中职 secondary vocational",
    "gaozhi": "高职 higher vocational",
    "benke": "本科 bachelor",
    "graduate": "研究生 postgraduate",
    "inflow": "Graduates from outside",
    "job_in_field": "Job in field",
    "job_out_of_field": "Job out of field",
    "unemployed": "Unemployed",
    "left_city": "Left the city",
    "study_elsewhere": "Study elsewhere",
}
COLORS = qualitative.Plotly
CHART_HEIGHT = 420
BAND_ALPHA = 0.2
"""Opacity of the 10–90 % band around a scenario's mean line."""
_AXIS = {"gridcolor": "white", "zerolinecolor": "white", "linecolor": "white", "automargin": True}
LIGHT_TEMPLATE = go.layout.Template(
    layout={
        "colorway": COLORS,
        "font": {"color": "#2a3f5f"},
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


def label_of(outcome: str) -> str:
    """A readable label of an outcome column (the column name if not a key outcome)."""
    return KEY_OUTCOMES.get(outcome, (outcome.replace("_", " "), 1.0))[0]


def factor_of(outcome: str) -> float:
    """Display factor of an outcome (e.g. RMB → million RMB)."""
    return KEY_OUTCOMES.get(outcome, ("", 1.0))[1]


def message_figure(message: str, height: int = 240) -> go.Figure:
    """An empty figure carrying a centred message."""
    fig = go.Figure()
    fig.add_annotation(text=message, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    fig.update_layout(height=height, margin={"l": 10, "r": 10, "t": 10, "b": 10})
    return fig


@lru_cache(maxsize=8)
def _subplots_layout(outcomes: tuple[str, ...], cols: int) -> dict[str, Any]:
    """The layout of the small multiples (built once: ``make_subplots`` is slow)."""
    rows = (len(outcomes) + cols - 1) // cols
    fig = make_subplots(
        rows=rows,
        cols=cols,
        subplot_titles=[label_of(o) for o in outcomes],
        vertical_spacing=0.08,
        horizontal_spacing=0.08,
    )
    for i, outcome in enumerate(outcomes):
        if outcome in SHARES:
            fig.update_yaxes(range=[0, 1.02], row=i // cols + 1, col=i % cols + 1)
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
    outcomes: tuple[str, ...] = tuple(KEY_OUTCOMES),
) -> go.Figure:
    """Small multiples of the key outcomes, year by year; ``previous`` run dashed for comparison."""
    cols = 2
    layout = copy.deepcopy(_subplots_layout(outcomes, cols))
    traces = []
    for i, outcome in enumerate(outcomes):
        axis = "" if i == 0 else str(i + 1)
        if years is not None:
            layout[f"xaxis{axis}"]["range"] = [years[0] - 0.5, years[1] + 0.5]
        for frame, name, dash, color in (
            (previous, "previous run", "dash", "#9e9e9e"),
            (current, "this run", "solid", COLORS[0]),
        ):
            if frame is None or frame.empty or outcome not in frame:
                continue
            traces.append(
                {
                    "type": "scatter",
                    "x": frame["year"].to_numpy(),
                    "y": frame[outcome].to_numpy() * factor_of(outcome),
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


def sankey_figure(flows: pd.DataFrame, year: int | None = None) -> go.Figure:
    """Where people go in ``year`` (default: the last year): source → target counts."""
    if flows.empty:
        return message_figure("No flows yet: press Step or Play.")
    year = int(flows["year"].max()) if year is None else year
    shown = flows[(flows["year"] == year) & (flows["source"] != "applicant")]
    shown = shown.groupby(["source", "target"], as_index=False)["count"].sum()
    shown = shown[shown["count"] > 0]
    nodes = list(dict.fromkeys([*shown["source"], *shown["target"]]))
    index = {name: i for i, name in enumerate(nodes)}
    fig = go.Figure(
        go.Sankey(
            arrangement="snap",
            node={
                "label": [NODE_LABELS.get(n, n.replace("_", " ")) for n in nodes],
                "pad": 14,
                "thickness": 14,
            },
            link={
                "source": [index[s] for s in shown["source"]],
                "target": [index[t] for t in shown["target"]],
                "value": shown["count"].round().tolist(),
            },
            valueformat=",.0f",
            valuesuffix=" persons",
        )
    )
    fig.update_layout(
        title=f"Where people went in {year} (persons, city scale)",
        height=CHART_HEIGHT,
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
    )
    return fig


def _nan_to_none(values: np.ndarray) -> list:
    """Nested lists with None for empty cells (NaN is not valid JSON for the browser)."""
    return np.where(np.isnan(values), None, values).tolist()


def short_number(value: float) -> str:
    """A lever value for an axis label: 12,500 / 0.25 / 3e-05."""
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3g}"


def year_axis(years: pd.Series) -> dict[str, Any]:
    """An x axis of whole years (no "2,024.5" ticks)."""
    span = int(years.max() - years.min()) if len(years) else 0
    return {"title": {"text": "year"}, "tickformat": "d", "dtick": 1 if span <= 12 else 5}


def color_map(names: list[str]) -> dict[str, str]:
    """A stable colour per name (the same scenario has the same colour in every chart)."""
    return {name: COLORS[i % len(COLORS)] for i, name in enumerate(sorted(names))}


def band_figure(
    table: pd.DataFrame,
    outcome: str,
    title: str,
    group: str = "scenario",
    colors: dict[str, str] | None = None,
) -> go.Figure:
    """Mean lines with 10–90 % bands across replications, one colour per group."""
    if table.empty:
        return message_figure("Nothing to show yet.")
    fig = go.Figure()
    names = sorted(table[group].astype(str).unique())
    colors = colors or color_map(names)
    factor = factor_of(outcome)
    for name, part in table.groupby(group, sort=True):
        band_traces(
            fig,
            part["year"],
            part["mean"] * factor,
            part["low"] * factor,
            part["high"] * factor,
            str(name),
            colors.get(str(name), COLORS[0]),
            alpha=BAND_ALPHA,
        )
    fig.update_layout(
        title=title,
        height=CHART_HEIGHT,
        xaxis=year_axis(table["year"]),
        yaxis_title=label_of(outcome),
        margin={"l": 50, "r": 10, "t": 40, "b": 40},
    )
    return fig


def fan_figure(table: pd.DataFrame, outcome: str, name: str = "all runs") -> go.Figure:
    """Fan chart: median with 25–75 % and 5–95 % bands across runs."""
    if table.empty:
        return message_figure("Nothing to show.")
    factor = factor_of(outcome)
    fig = go.Figure()
    for low, high, opacity in (("q05", "q95", 0.15), ("q25", "q75", 0.3)):
        label = f"{int(low[1:])}–{int(high[1:])} %"
        fig.add_trace(
            band_trace(table["year"], table[low] * factor, table[high] * factor, COLORS[0],
                       opacity, label)
        )  # fmt: skip
    fig.add_trace(
        go.Scatter(
            x=table["year"],
            y=table["q50"] * factor,
            mode="lines",
            name="median",
            line={"color": COLORS[0]},
        )
    )
    fig.update_layout(
        title=f"{label_of(outcome)} — {name}",
        height=CHART_HEIGHT,
        xaxis=year_axis(table["year"]),
        margin={"l": 50, "r": 10, "t": 40, "b": 40},
    )
    return fig


def heatmap_figure(table: pd.DataFrame, outcome: str, x: str, y: str) -> go.Figure:
    """Final-year mean of ``outcome`` over two levers."""
    fig = go.Figure(
        go.Heatmap(
            z=_nan_to_none(table.to_numpy() * factor_of(outcome)),
            x=[short_number(v) for v in table.columns],
            y=[short_number(v) for v in table.index],
            colorscale="Viridis",
            colorbar={"title": {"text": "mean"}},
        )
    )
    fig.update_layout(
        title=f"{label_of(outcome)}, final year, mean over runs",
        xaxis={"title": {"text": x}, "type": "category"},
        yaxis={"title": {"text": y}, "type": "category"},
        height=CHART_HEIGHT,
        margin={"l": 60, "r": 10, "t": 40, "b": 50},
    )
    return fig


def sensitivity_figure(table: pd.DataFrame, outcome: str) -> go.Figure:
    """Bars of sensitivity indices per variable, with confidence intervals."""
    fig = go.Figure()
    for i, (index, part) in enumerate(table.groupby("index", sort=False)):
        fig.add_trace(
            go.Bar(
                x=part["value"],
                y=part["variable"],
                orientation="h",
                name=str(index),
                error_x={"type": "data", "array": part["conf"]},
                marker_color=COLORS[i % len(COLORS)],
            )
        )
    fig.update_layout(
        title=f"Sensitivity of final-year {label_of(outcome)}",
        barmode="group",
        height=max(CHART_HEIGHT, 60 * table["variable"].nunique()),
        margin={"l": 260, "r": 10, "t": 40, "b": 40},
    )
    return fig
