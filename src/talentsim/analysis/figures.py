"""Plotly figures of a sweep: time series with bands, differences, sensitivity, flows, PRIM.

Figures that would repeat per outcome or per scenario carry a drop-down menu instead, so the
report stays short; every figure is a plain ``plotly.graph_objects.Figure``.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go
from plotly.colors import qualitative

from talentsim.analysis.discovery import PrimResult

PALETTE = qualitative.Plotly + qualitative.D3
MAX_LINES = 12
"""Most scenarios drawn as separate lines or Sankey views; larger designs are pooled."""

NODE_LABELS = {
    "cohort": "Age-15 cohort",
    "zhongzhi": "中职 secondary vocational",
    "general_hs": "General high school",
    "gaozhi": "高职 higher vocational",
    "benke": "本科 bachelor",
    "graduate": "研究生 postgraduate",
    "inflow": "Graduates from elsewhere",
    "job_in_field": "Job in field (对口)",
    "job_out_of_field": "Job out of field",
    "unemployed": "Unemployed",
    "left_city": "Left the city",
    "study_elsewhere": "Study elsewhere",
    "applicant": "Unplaced applicants",
}


def _rgba(hex_colour: str, alpha: float) -> str:
    value = hex_colour.lstrip("#")
    r, g, b = (int(value[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def band_traces(
    fig: go.Figure,
    years: Sequence[float],
    mean: Sequence[float],
    low: Sequence[float],
    high: Sequence[float],
    name: str,
    colour: str,
    alpha: float = 0.18,
) -> None:
    """Add a mean line named ``name`` and its shaded ``low``–``high`` band to ``fig``.

    The band comes first (no legend entry, no hover) and shares the line's legend group, so
    clicking the legend hides both.

    Args:
        fig: The figure to add two traces to.
        years: The x values.
        mean: The line.
        low: The band's lower edge.
        high: The band's upper edge.
        name: Legend name and legend group.
        colour: A ``#rrggbb`` colour for the line; the band is the same colour at ``alpha``.
        alpha: Opacity of the band.

    """
    band = band_trace(years, low, high, colour, alpha)
    band.update(hoverinfo="skip", showlegend=False, legendgroup=name)
    fig.add_trace(band)
    fig.add_trace(
        go.Scatter(
            x=years, y=mean, name=name, line={"color": colour}, legendgroup=name,
            mode="lines",
        )
    )  # fmt: skip


def band_trace(
    years: Sequence[float],
    low: Sequence[float],
    high: Sequence[float],
    colour: str,
    alpha: float,
    name: str | None = None,
) -> go.Scatter:
    """A shaded area between ``low`` and ``high`` over ``years`` (no edge line, no markers).

    Args:
        years: The x values.
        low: The lower edge.
        high: The upper edge.
        colour: A ``#rrggbb`` colour.
        alpha: Opacity of the fill.
        name: Legend name, if the band has a legend entry.

    """
    x = list(years)
    return go.Scatter(
        x=x + x[::-1],
        y=list(high) + list(low)[::-1],
        fill="toself",
        fillcolor=_rgba(colour, alpha),
        mode="lines",
        line={"width": 0},
        name=name,
    )


def _dropdown(fig: go.Figure, groups: list[tuple[str, list[int]]], title: str) -> go.Figure:
    """Show one group of traces at a time, chosen from a menu (first group visible)."""
    n = len(fig.data)
    buttons = []
    for label, indices in groups:
        visible = [i in indices for i in range(n)]
        buttons.append({"label": label, "method": "update", "args": [{"visible": visible}]})
    for i, trace in enumerate(fig.data):
        trace.visible = i in groups[0][1]
    if len(groups) > 1:
        fig.update_layout(
            updatemenus=[{"buttons": buttons, "x": 1, "xanchor": "right", "y": 1.02,
                          "yanchor": "bottom", "pad": {"b": 4}}],
            annotations=[
                {"text": f"{title}:", "x": 1, "y": 1.02, "xref": "paper", "yref": "paper",
                 "showarrow": False, "xanchor": "right", "yanchor": "bottom", "xshift": -190,
                 "yshift": 8}
            ],
            margin={"t": 100},
        )  # fmt: skip
    return fig


def time_series(
    by_year: pd.DataFrame,
    outcomes: list[str],
    scenarios: list[str],
    columns: tuple[str, str, str] = ("mean", "ci_low", "ci_high"),
    title: str = "Outcomes over time (mean and 95 % interval across replications)",
) -> go.Figure:
    """An outcome by year per scenario with its 95 % band (levels, or paired differences)."""
    centre, band_low, band_high = columns
    fig = go.Figure()
    groups = []
    for outcome in outcomes:
        indices = []
        for k, scenario in enumerate(scenarios[:MAX_LINES]):
            rows = by_year[(by_year["outcome"] == outcome) & (by_year["scenario"] == scenario)]
            colour = PALETTE[k % len(PALETTE)]
            band_traces(
                fig, rows["year"], rows[centre], rows[band_low], rows[band_high], scenario, colour
            )
            indices += [len(fig.data) - 2, len(fig.data) - 1]
        groups.append((outcome, indices))
    fig.update_layout(title=title, xaxis_title="year", height=480)
    return _dropdown(fig, groups, "outcome")


def fan_chart(outcomes_frame: pd.DataFrame, outcomes: list[str]) -> go.Figure:
    """Median and 5–95 % / 25–75 % bands across all runs by year (for sampled designs)."""
    fig = go.Figure()
    groups = []
    quantiles = outcomes_frame.groupby("year")[outcomes].quantile([0.05, 0.25, 0.5, 0.75, 0.95])
    colour = PALETTE[0]
    for outcome in outcomes:
        table = quantiles[outcome].unstack()
        years = table.index.tolist()
        start = len(fig.data)
        for lo, hi, alpha, label in ((0.05, 0.95, 0.15, "5–95 %"), (0.25, 0.75, 0.3, "25–75 %")):
            fig.add_trace(band_trace(years, table[lo], table[hi], colour, alpha, label))
        fig.add_trace(go.Scatter(x=years, y=table[0.5], name="median", line={"color": colour}))
        groups.append((outcome, list(range(start, len(fig.data)))))
    fig.update_layout(title="Outcomes over time across all runs", xaxis_title="year", height=480)
    return _dropdown(fig, groups, "outcome")


def difference_bars(summary: pd.DataFrame, baseline: str) -> go.Figure:
    """Paired difference from the baseline, in % of the baseline mean, with 95 % error bars."""
    fig = go.Figure()
    rows = summary[summary["scenario"] != baseline]
    scale = 100 / rows["baseline_mean"].abs()
    for k, (scenario, part) in enumerate(rows.groupby("scenario", sort=False)):
        s = scale.loc[part.index]
        fig.add_trace(
            go.Bar(
                y=part["outcome"],
                x=part["diff_pct"],
                orientation="h",
                name=str(scenario),
                marker_color=PALETTE[k % len(PALETTE)],
                error_x={
                    "type": "data",
                    "symmetric": False,
                    "array": (part["diff_high"] - part["diff"]) * s,
                    "arrayminus": (part["diff"] - part["diff_low"]) * s,
                },
                customdata=part[["diff", "diff_low", "diff_high"]],
                hovertemplate="%{y}: %{x:.2f} %<br>Δ = %{customdata[0]:.4g} "
                "[%{customdata[1]:.4g}, %{customdata[2]:.4g}]<extra>%{fullData.name}</extra>",
            )
        )
    statistic = summary["statistic"].iloc[0] if "statistic" in summary else ""
    fig.update_layout(
        title=f"Difference from '{baseline}' ({statistic}), % of baseline, 95 % paired interval",
        barmode="group",
        xaxis_title="% of baseline",
        yaxis={"autorange": "reversed"},
        legend={"traceorder": "normal"},
        height=min(1600, max(400, 22 * rows["outcome"].nunique() * rows["scenario"].nunique())),
    )
    fig.add_vline(x=0, line_color="black", line_width=1)
    return fig


def sensitivity_bars(indices: pd.DataFrame) -> go.Figure:
    """Sobol S1/ST or Morris mu*/sigma per parameter, one outcome at a time."""
    sobol = "S1" in indices.columns
    pairs = (("S1", "S1_conf"), ("ST", "ST_conf")) if sobol else (("mu_star", "mu_star_conf"),
                                                                    ("sigma", None))  # fmt: skip
    fig = go.Figure()
    groups = []
    for outcome, part in indices.groupby("outcome", sort=False):
        start = len(fig.data)
        for k, (column, conf) in enumerate(pairs):
            error = {"type": "data", "array": part[conf]} if conf else None
            fig.add_trace(
                go.Bar(
                    x=part["parameter"],
                    y=part[column],
                    error_y=error,
                    name=column,
                    marker_color=PALETTE[k],
                )
            )
        groups.append((str(outcome), list(range(start, len(fig.data)))))
    title = (
        "Sobol indices (first order S1, total ST; 95 % bootstrap intervals)"
        if sobol
        else "Morris screening (mu* with 95 % bootstrap interval, sigma)"
    )
    fig.update_layout(title=title, barmode="group", height=480)
    return _dropdown(fig, groups, "outcome")


def sankey(flows: pd.DataFrame, runs: pd.DataFrame, scenarios: list[str]) -> go.Figure:
    """Talent flows per year (mean over years and runs): track → level → job / leaving.

    One view per scenario for small designs (menu), pooled over all runs otherwise.
    """
    with_scenario = flows.merge(runs[["run_id", "scenario"]], on="run_id")
    if len(scenarios) > MAX_LINES:
        with_scenario["scenario"] = "all runs"
        scenarios = ["all runs"]
    names = sorted(set(flows["source"]) | set(flows["target"]), key=_node_rank)
    index = {name: i for i, name in enumerate(names)}
    labels = [_node_label(n) for n in names]
    fig = go.Figure()
    groups = []
    for scenario in scenarios:
        part = with_scenario[with_scenario["scenario"] == scenario]
        n_runs = max(part["run_id"].nunique(), 1)
        n_years = max(part["year"].nunique(), 1)
        links = part.groupby(["source", "target"])["count"].sum() / (n_runs * n_years)
        links = links[links > 0]
        fig.add_trace(
            go.Sankey(
                node={"label": labels, "pad": 12, "thickness": 14},
                link={
                    "source": [index[s] for s, _ in links.index],
                    "target": [index[t] for _, t in links.index],
                    "value": links.round(0).tolist(),
                },
                valueformat=",.0f",
                name=scenario,
            )
        )
        groups.append((scenario, [len(fig.data) - 1]))
    fig.update_layout(
        title="Talent flows, people per year (mean over the horizon and replications)", height=560
    )
    return _dropdown(fig, groups, "scenario")


def _node_rank(name: str) -> tuple[int, str]:
    order = list(NODE_LABELS)
    return (order.index(name) if name in order else len(order), name)


def _node_label(name: str) -> str:
    if name in NODE_LABELS:
        return NODE_LABELS[name]
    if name.endswith("_elsewhere"):
        return f"{_node_label(name.removesuffix('_elsewhere'))} elsewhere"
    return name


def prim_figures(result: PrimResult) -> go.Figure:
    """PRIM peeling trajectory (coverage vs density) with the chosen box marked."""
    t = result.trajectory
    fig = go.Figure(
        go.Scatter(
            x=t["coverage"],
            y=t["density"],
            mode="lines+markers",
            marker={"color": t["restricted"], "colorscale": "Viridis", "showscale": True,
                    "colorbar": {"title": "restricted<br>levers"}},
            text=[f"step {s}, mass {m:.2f}" for s, m in zip(t["step"], t["mass"], strict=True)],
            name="peeling trajectory",
        )
    )  # fmt: skip
    chosen = t[t["step"] == result.chosen]
    fig.add_trace(
        go.Scatter(
            x=chosen["coverage"],
            y=chosen["density"],
            mode="markers",
            marker={"size": 16, "symbol": "star", "color": "red"},
            name="chosen box",
        )
    )
    fig.update_layout(
        title=f"PRIM scenario discovery: {result.rule}",
        xaxis_title="coverage (share of cases inside the box)",
        yaxis_title="density (share of the box that are cases)",
        height=460,
    )
    return fig
