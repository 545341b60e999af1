"""Plotly figures of a sweep, shared by the report and the dashboard: one visual language.

One colour per scenario everywhere (:func:`scenario_colours`), fixed colours for S1/ST, small
multiples (one panel per outcome) for levels and differences, axis titles with units, and every
label from :mod:`talentsim.analysis.catalogue` in the language asked for. Figures that would
repeat per scenario carry a menu; :func:`split_views` turns each menu entry into a figure of its
own for static export (:func:`write_images`, kaleido with the system's Chromium).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.colors import qualitative
from plotly.subplots import make_subplots

from talentsim.analysis import formats
from talentsim.analysis.catalogue import (
    DEFAULT_LANG,
    INDICES,
    STATISTICS,
    Lang,
    M,
    lever_label,
    node_label,
    outcome_label,
)
from talentsim.analysis.discovery import PrimResult
from talentsim.analysis.measures import lower_is_better

MAX_LINES = 12
"""Most scenarios drawn as separate lines or Sankey views; larger designs are pooled."""

SCENARIO_COLOURS = {
    "baseline": "#7f7f7f",
    "coordination_body": "#1f77b4",
    "specialty_alignment": "#ff7f0e",
    "incentives": "#2ca02c",
    "demo_park": "#9467bd",
    "combined": "#d62728",
}
"""The shipped scenarios' colours; other scenarios take the next free colour of PALETTE."""
PALETTE = [c for c in qualitative.D3 + qualitative.Plotly if c not in SCENARIO_COLOURS.values()]
INDEX_COLOURS = {"S1": "#1f77b4", "ST": "#ff7f0e", "mu_star": "#1f77b4", "sigma": "#ff7f0e"}
"""Sensitivity indices keep their colour in every chart."""
NODE_ORDER = (
    "cohort", "zhongzhi", "general_hs", "gaozhi", "benke", "graduate", "inflow", "job_in_field",
    "job_out_of_field", "unemployed", "left_city", "study_elsewhere", "applicant",
)  # fmt: skip
COLUMNS = 3
"""Panels per row of the small multiples."""
IMAGE_WIDTH = 1100
IMAGE_HEIGHT = 500
"""Size in pixels of exported images whose figure sets none."""
FONT = "Noto Sans CJK SC, WenQuanYi Micro Hei, Microsoft YaHei, PingFang SC, sans-serif"


def scenario_colours(names: Sequence[str]) -> dict[str, str]:
    """A colour per scenario: fixed for the shipped ones, the rest in sorted order of name.

    The same name gets the same colour in the report and the dashboard, whatever else is drawn.
    """
    colours = {n: SCENARIO_COLOURS[n] for n in names if n in SCENARIO_COLOURS}
    others = sorted({str(n) for n in names} - set(colours))
    colours |= {n: PALETTE[k % len(PALETTE)] for k, n in enumerate(others)}
    return colours


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


def _dropdown(
    fig: go.Figure,
    groups: list[tuple[str, list[int]]],
    title: str,
    layouts: list[dict] | None = None,
) -> go.Figure:
    """Show one group of traces at a time, chosen from a menu (first group visible).

    ``layouts`` (one per group) are layout updates applied with the group, e.g. its axis title.
    """
    n = len(fig.data)
    buttons = []
    for k, (label, indices) in enumerate(groups):
        visible = [i in indices for i in range(n)]
        args: list[dict] = [{"visible": visible}]
        if layouts:
            args.append(layouts[k])
        buttons.append({"label": label, "method": "update", "args": args})
    for i, trace in enumerate(fig.data):
        trace.visible = i in groups[0][1] if groups else True
    if layouts:
        fig.update_layout(layouts[0])
    if len(groups) > 1:
        fig.update_layout(
            updatemenus=[{"buttons": buttons, "x": 1, "xanchor": "right", "y": 1.02,
                          "yanchor": "bottom", "pad": {"b": 4}}],
            annotations=[
                {"text": f"{title}:", "x": 1, "y": 1.02, "xref": "paper", "yref": "paper",
                 "showarrow": False, "xanchor": "right", "yanchor": "bottom", "xshift": -190,
                 "yshift": 8, "name": "menu-label"}
            ],
            margin={"t": 100},
        )  # fmt: skip
    return fig


def split_views(fig: go.Figure) -> list[tuple[str, go.Figure]]:
    """One figure per entry of ``fig``'s menu (the figure itself if it has none).

    For static export: an image cannot open a menu, so each view becomes its own image.
    """
    menus = fig.layout.updatemenus
    if not menus:
        return [("", fig)]
    views = []
    for button in menus[0].buttons:
        view = go.Figure(fig)
        args = list(button.args)
        for trace, shown in zip(view.data, args[0]["visible"], strict=True):
            trace.visible = shown
        if len(args) > 1:
            view.update_layout(args[1])
        view.layout.updatemenus = []
        view.layout.annotations = [a for a in view.layout.annotations if a.name != "menu-label"]
        view.update_layout(title_text=f"{fig.layout.title.text} — {button.label}")
        views.append((str(button.label), view))
    return views


def _grid(n: int, titles: list[str], shared_y: bool = False, height: int = 240) -> go.Figure:
    """Small multiples: ``n`` panels in rows of :data:`COLUMNS`, each with its title."""
    cols = min(COLUMNS, max(n, 1))
    rows = max(math.ceil(n / cols), 1)
    fig = make_subplots(
        rows=rows,
        cols=cols,
        subplot_titles=titles,
        shared_yaxes=shared_y,
        vertical_spacing=min(0.12, 0.5 / rows),
        horizontal_spacing=0.06 if shared_y else 0.08,
    )
    fig.update_annotations(font_size=12)
    fig.update_layout(height=80 + height * rows, font_family=FONT)
    return fig


def _cell(i: int) -> dict[str, int]:
    return {"row": i // COLUMNS + 1, "col": i % COLUMNS + 1}


def time_series(
    by_year: pd.DataFrame,
    outcomes: list[str],
    scenarios: list[str],
    columns: tuple[str, str, str] = ("mean", "ci_low", "ci_high"),
    title: str | None = None,
    lang: Lang = DEFAULT_LANG,
    names: dict[str, str] | None = None,
) -> go.Figure:
    """One panel per outcome: each scenario's line by year with its 95 % band.

    Levels (``mean``) or paired differences (``diff``); a rate's band is clipped to [0, 1],
    and each panel's axis says its unit.
    """
    centre, band_low, band_high = columns
    diff = centre == "diff"
    names = names or {}
    colours = scenario_colours(scenarios)
    shown = scenarios[:MAX_LINES]
    titles = []
    for outcome in outcomes:
        rows = by_year[by_year["outcome"] == outcome]
        _, unit = formats.axis_scale(outcome, rows[centre], lang, diff=diff)
        titles.append(formats.axis_title(outcome, unit, lang))
    fig = _grid(len(outcomes), titles)
    for i, outcome in enumerate(outcomes):
        rows = by_year[by_year["outcome"] == outcome]
        factor, _ = formats.axis_scale(outcome, rows[centre], lang, diff=diff)
        for scenario in shown:
            part = rows[rows["scenario"] == scenario]
            if part.empty:
                continue
            low, high = part[band_low].to_numpy(float), part[band_high].to_numpy(float)
            if not diff:
                low, high = _clip_arrays(outcome, low, high)
            label = names.get(scenario, scenario)
            band = band_trace(part["year"], low * factor, high * factor, colours[scenario], 0.18)
            band.update(hoverinfo="skip", showlegend=False, legendgroup=scenario)
            fig.add_trace(band, **_cell(i))
            fig.add_trace(
                go.Scatter(x=part["year"], y=part[centre] * factor, name=label, mode="lines",
                           line={"color": colours[scenario]}, legendgroup=scenario,
                           showlegend=i == 0),
                **_cell(i),
            )  # fmt: skip
    default = (M.diffs_title if diff else M.levels_title)(lang, baseline="")
    _legend_below(fig, len(shown))
    fig.update_layout(title=title or default)
    fig.update_xaxes(tickformat="d")
    return fig


def _legend_below(fig: go.Figure, entries: int) -> None:
    """A horizontal legend under the panels, with the room it needs (two entries a row)."""
    rows = math.ceil(entries / 2)
    fig.update_layout(
        legend={"orientation": "h", "yanchor": "top", "y": -0.3 / max(fig.layout.height / 600, 1),
                "entrywidth": 0.5, "entrywidthmode": "fraction"},
        height=fig.layout.height + 24 * rows,
        margin={"b": 40 + 24 * rows},
    )  # fmt: skip


def _clip_arrays(outcome: str, low: np.ndarray, high: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    pairs = [formats.clip(outcome, a, b) for a, b in zip(low, high, strict=True)]
    return np.array([a for a, _ in pairs]), np.array([b for _, b in pairs])


def fan_chart(
    outcomes_frame: pd.DataFrame, outcomes: list[str], lang: Lang = DEFAULT_LANG
) -> go.Figure:
    """One panel per outcome: median and 5–95 % / 25–75 % bands across all runs by year."""
    quantiles = outcomes_frame.groupby("year")[outcomes].quantile([0.05, 0.25, 0.5, 0.75, 0.95])
    colour = PALETTE[0]
    titles = []
    for outcome in outcomes:
        _, unit = formats.axis_scale(outcome, quantiles[outcome], lang)
        titles.append(formats.axis_title(outcome, unit, lang))
    fig = _grid(len(outcomes), titles)
    for i, outcome in enumerate(outcomes):
        table = quantiles[outcome].unstack()
        factor, _ = formats.axis_scale(outcome, quantiles[outcome], lang)
        years = table.index.tolist()
        for lo, hi, alpha in ((0.05, 0.95, 0.15), (0.25, 0.75, 0.3)):
            label = M.band_legend(lang, low=round(lo * 100), high=round(hi * 100))
            band = band_trace(years, table[lo] * factor, table[hi] * factor, colour, alpha, label)
            band.update(legendgroup=label, showlegend=i == 0)
            fig.add_trace(band, **_cell(i))
        fig.add_trace(
            go.Scatter(x=years, y=table[0.5] * factor, name=M.median(lang), legendgroup="median",
                       line={"color": colour}, showlegend=i == 0),
            **_cell(i),
        )  # fmt: skip
    _legend_below(fig, 3)
    fig.update_layout(title=M.fan_title(lang))
    fig.update_xaxes(tickformat="d")
    return fig


def difference_panels(
    summary: pd.DataFrame,
    baseline: str,
    lang: Lang = DEFAULT_LANG,
    names: dict[str, str] | None = None,
    outcomes: list[str] | None = None,
) -> go.Figure:
    """Small multiples of the paired difference from the baseline, one panel per outcome.

    Each panel has its own axis in the outcome's unit (percentage points for rates), so a
    large change of one outcome hides no other. A filled dot is a difference outside noise, an
    open one within it (its 95 % interval includes zero).
    """
    names = names or {}
    rows = summary[summary["scenario"] != baseline]
    order = list(dict.fromkeys(rows["scenario"]))
    outcomes = outcomes or list(dict.fromkeys(rows["outcome"]))
    colours = scenario_colours(list(dict.fromkeys(summary["scenario"])))
    titles = []
    for outcome in outcomes:
        part = rows[rows["outcome"] == outcome]
        _, unit = formats.axis_scale(outcome, part["diff"], lang, diff=True)
        titles.append(formats.axis_title(outcome, unit, lang))
    height = max(160, 26 * len(order))
    fig = _grid(len(outcomes), titles, shared_y=True, height=height)
    for i, outcome in enumerate(outcomes):
        part = rows[rows["outcome"] == outcome].set_index("scenario").reindex(order)
        factor, _ = formats.axis_scale(outcome, part["diff"], lang, diff=True)
        noise = [
            formats.within_noise(lo, hi)
            for lo, hi in zip(part["diff_low"], part["diff_high"], strict=True)
        ]
        labels = [names.get(s, s) for s in order]
        fig.add_trace(
            go.Scatter(
                x=part["diff"] * factor,
                y=labels,
                mode="markers",
                marker={"color": [colours[s] for s in order], "size": 10,
                        "symbol": ["circle-open" if n else "circle" for n in noise],
                        "line": {"width": 2, "color": [colours[s] for s in order]}},
                error_x={"type": "data", "symmetric": False,
                         "array": (part["diff_high"] - part["diff"]) * factor,
                         "arrayminus": (part["diff"] - part["diff_low"]) * factor,
                         "color": "#444"},
                customdata=[
                    [formats.difference(outcome, d, lang),
                     formats.interval(outcome, lo, hi, lang, diff=True),
                     M.no_difference(lang) if n else "",
                     formats.sig(rho, 2)]
                    for d, lo, hi, n, rho in zip(part["diff"], part["diff_low"],
                                                 part["diff_high"], noise, part["pair_corr"],
                                                 strict=True)
                ],
                hovertemplate="%{y}: %{customdata[0]} %{customdata[1]}<br>ρ = %{customdata[3]}"
                "<br>%{customdata[2]}<extra></extra>",
                showlegend=False,
            ),
            **_cell(i),
        )  # fmt: skip
        fig.add_vline(x=0, line_color="black", line_width=1, **_cell(i))
    statistic = summary["statistic"].iloc[0] if "statistic" in summary else "mean"
    fig.update_layout(
        title=M.differences(lang, baseline=names.get(baseline, baseline),
                            statistic=STATISTICS[str(statistic)](lang)),
        margin={"l": 10},
    )  # fmt: skip
    fig.update_yaxes(autorange="reversed", automargin=True, dtick=1)
    return fig


def effect_heatmap(
    summary: pd.DataFrame,
    levers: tuple[str, str],
    outcomes: list[str],
    baseline: str,
    lang: Lang = DEFAULT_LANG,
) -> go.Figure:
    """The paired difference from the baseline over two levers, with its uncertainty.

    One view per outcome (menu). Cells read "Δ ± half-width of the 95 % interval"; a cell
    within noise is marked ○. The colour scale is centred on zero, blue where better.
    """
    x, y = levers
    fig = go.Figure()
    groups, layouts = [], []
    for outcome in outcomes:
        part = summary[summary["outcome"] == outcome]
        factor, unit = formats.axis_scale(outcome, part["diff"], lang, diff=True)
        z = part.pivot_table(index=y, columns=x, values="diff", aggfunc="mean") * factor
        half = part.assign(h=(part["diff_high"] - part["diff_low"]) / 2 * factor).pivot_table(
            index=y, columns=x, values="h", aggfunc="mean"
        )
        low = part.pivot_table(index=y, columns=x, values="diff_low", aggfunc="mean")
        high = part.pivot_table(index=y, columns=x, values="diff_high", aggfunc="mean")
        text = [
            [_cell_text(z.iat[r, c], half.iat[r, c], low.iat[r, c], high.iat[r, c])
             for c in range(z.shape[1])]
            for r in range(z.shape[0])
        ]  # fmt: skip
        good_up = not lower_is_better(outcome)
        fig.add_trace(
            go.Heatmap(
                z=_nan_to_none(z.to_numpy(float)),
                x=[formats.short(v) for v in z.columns],
                y=[formats.short(v) for v in z.index],
                text=text,
                texttemplate="%{text}",
                colorscale="RdBu" if good_up else "RdBu_r",
                zmid=0,
                colorbar={"title": {"text": unit}},
                name=outcome_label(outcome, lang),
                hovertemplate="%{x} · %{y}: %{text}<extra></extra>",
            )
        )
        groups.append((outcome_label(outcome, lang), [len(fig.data) - 1]))
        layouts.append({"coloraxis": {}})
    fig.update_layout(
        title=M.effect_heatmap(lang, statistic=STATISTICS["mean"](lang), baseline=baseline),
        xaxis={"title": {"text": lever_label(x, lang)}, "type": "category"},
        yaxis={"title": {"text": lever_label(y, lang)}, "type": "category"},
        height=520,
        font_family=FONT,
    )
    return _dropdown(fig, groups, M.menu_outcome(lang))


def _cell_text(z: float, half: float, low: float, high: float) -> str:
    if pd.isna(z):
        return ""
    mark = " ○" if formats.within_noise(low, high) else ""
    return f"{formats.sig(z, signed=True)} ± {formats.sig(half)}{mark}"


def _nan_to_none(values: np.ndarray) -> list:
    return np.where(np.isnan(values), None, values).tolist()


def sensitivity_bars(
    indices: pd.DataFrame, lang: Lang = DEFAULT_LANG, statistic: str = "mean"
) -> go.Figure:
    """Sobol S1/ST or Morris mu*/sigma per parameter, one outcome at a time (menu)."""
    sobol = "S1" in indices.columns
    pairs = (("S1", "S1_conf"), ("ST", "ST_conf")) if sobol else (("mu_star", "mu_star_conf"),
                                                                    ("sigma", None))  # fmt: skip
    fig = go.Figure()
    groups = []
    for outcome, part in indices.groupby("outcome", sort=False):
        start = len(fig.data)
        for column, conf in pairs:
            error = {"type": "data", "array": part[conf]} if conf else None
            fig.add_trace(
                go.Bar(
                    x=[lever_label(p, lang) for p in part["parameter"]],
                    y=part[column],
                    error_y=error,
                    name=INDICES[column](lang),
                    marker_color=INDEX_COLOURS[column],
                )
            )
        groups.append((outcome_label(str(outcome), lang), list(range(start, len(fig.data)))))
    title = (M.sobol_title if sobol else M.morris_title)(
        lang, statistic=STATISTICS[statistic](lang)
    )
    fig.update_layout(
        title=title,
        barmode="group",
        height=480,
        font_family=FONT,
        xaxis_title=M.parameter(lang),
        yaxis_title=M.index_axis(lang) if sobol else "mu*, sigma",
    )
    return _dropdown(fig, groups, M.menu_outcome(lang))


def sankey(
    flows: pd.DataFrame,
    runs: pd.DataFrame,
    scenarios: list[str],
    lang: Lang = DEFAULT_LANG,
    names: dict[str, str] | None = None,
) -> go.Figure:
    """Talent flows per year (mean over years and runs): track → level → job / leaving.

    One view per scenario for small designs (menu), pooled over all runs otherwise.
    """
    names = names or {}
    with_scenario = flows.merge(runs[["run_id", "scenario"]], on="run_id")
    if len(scenarios) > MAX_LINES:
        with_scenario["scenario"] = "all runs"
        scenarios = ["all runs"]
        names = {"all runs": M.all_runs(lang)}
    nodes = sorted(set(flows["source"]) | set(flows["target"]), key=_node_rank)
    index = {name: i for i, name in enumerate(nodes)}
    labels = [node_label(n, lang) for n in nodes]
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
                name=names.get(scenario, scenario),
            )
        )
        groups.append((names.get(scenario, scenario), [len(fig.data) - 1]))
    fig.update_layout(title=M.flows_title(lang), height=560, font_family=FONT)
    return _dropdown(fig, groups, M.menu_scenario(lang))


def _node_rank(name: str) -> tuple[int, str]:
    return (NODE_ORDER.index(name) if name in NODE_ORDER else len(NODE_ORDER), name)


def prim_figures(result: PrimResult, lang: Lang = DEFAULT_LANG) -> go.Figure:
    """PRIM peeling trajectory (coverage vs density) with the chosen box marked."""
    t = result.trajectory
    fig = go.Figure(
        go.Scatter(
            x=t["coverage"],
            y=t["density"],
            mode="lines+markers",
            marker={"color": t["restricted"], "colorscale": "Viridis", "showscale": True,
                    "colorbar": {"title": M.prim_restricted(lang)}},
            text=[M.prim_step(lang, step=s, mass=f"{m:.2f}")
                  for s, m in zip(t["step"], t["mass"], strict=True)],
            name=M.prim_trajectory(lang),
        )
    )  # fmt: skip
    chosen = t[t["step"] == result.chosen]
    fig.add_trace(
        go.Scatter(
            x=chosen["coverage"],
            y=chosen["density"],
            mode="markers",
            marker={"size": 16, "symbol": "star", "color": "red"},
            name=M.prim_chosen(lang),
        )
    )
    fig.update_layout(
        title=M.prim_chart(lang, rule=result.rule),
        xaxis_title=M.coverage(lang),
        yaxis_title=M.density(lang),
        height=460,
        font_family=FONT,
    )
    return fig


def write_images(
    figures: dict[str, go.Figure], folder: Path, image_formats: Sequence[str] = ("png", "svg")
) -> list[Path]:
    """Write every figure (each menu view separately) as ``folder/<name>[-<view>].<format>``.

    kaleido drives the system's Chromium (Debian's ``/usr/bin/chromium``); nothing is
    downloaded. One browser serves every image.

    Returns:
        The files written, in order.

    """
    import plotly.io as pio

    folder.mkdir(parents=True, exist_ok=True)
    figs, paths, widths, heights = [], [], [], []
    for name, fig in figures.items():
        views = split_views(fig)
        for k, (_, view) in enumerate(views):
            stem = name if len(views) == 1 else f"{name}-{k + 1:02d}"
            for fmt in image_formats:
                figs.append(view)
                paths.append(folder / f"{stem}.{fmt}")
                widths.append(view.layout.width or IMAGE_WIDTH)
                heights.append(view.layout.height or IMAGE_HEIGHT)
    if figs:
        pio.write_images(figs, paths, width=widths, height=heights)
    return paths
