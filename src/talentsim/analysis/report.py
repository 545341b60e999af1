"""A self-contained HTML study report (Plotly embedded inline, works offline) and CSV tables.

plotly.js is written into the page once, inline, before the first figure; every later figure
reuses it. Nothing is loaded from the network. The CSV tables are written next to the report
as ``<report stem>_<table>.csv``; every file is written atomically.
"""

from __future__ import annotations

import html
import time
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from talentsim.analysis import figures, optimisation
from talentsim.analysis.comparison import STATISTICS
from talentsim.analysis.cost import COST, gain_unit
from talentsim.analysis.measures import lower_is_better
from talentsim.analysis.study import Study, fmt, headline
from talentsim.runinfo import write_atomic

COST_HEADLINE = ("retained_skilled", "retention_rate", "in_field_rate", "firm_participation_rate")
"""Outcomes whose cost per unit of gain is shown in the report's cost table."""

CSS = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1200px; color: #222; }
h1 { font-size: 1.6em; } h2 { border-bottom: 1px solid #ccc; padding-bottom: .2em; }
table { border-collapse: collapse; font-size: .85em; margin: .5em 0 1.5em; }
th, td { border: 1px solid #ddd; padding: .25em .6em; text-align: right; }
th { background: #f4f4f4; } td:first-child, th:first-child { text-align: left; }
.better { background: #e3f4e1; } .worse { background: #fbe3e1; }
td small { color: #444; }
details { margin: .5em 0 1em; } summary { cursor: pointer; color: #1f5fa8; }
.note { background: #fff8e1; border-left: 4px solid #f0b400; padding: .4em .8em; }
.meta { color: #555; font-size: .9em; }
"""


def csv_tables(study: Study) -> dict[str, pd.DataFrame]:
    """The tables written as CSV, by name (only those the design produced)."""
    tables: dict[str, pd.DataFrame | None] = {
        "headline": _reset(headline(study)),
        "summary_final": study.final,
        "summary_horizon": study.horizon,
        "by_year": study.by_year,
        "cost_effectiveness": study.cost,
        "sensitivity": study.indices,
        "prim_box": study.prim.box if study.prim else None,
        "prim_trajectory": study.prim.trajectory if study.prim else None,
        **(optimisation.tables(study.optimisation) if study.optimisation else {}),
    }
    return {name: table for name, table in tables.items() if table is not None}


def _reset(table: pd.DataFrame | None) -> pd.DataFrame | None:
    return None if table is None else table.reset_index()


def write_report(study: Study, path: Path) -> list[Path]:
    """Write the HTML report at ``path`` and the CSV tables next to it; return every file."""
    page = render(study)  # everything is computed before the first file is written
    written = []
    for name, table in csv_tables(study).items():
        target = path.with_name(f"{path.stem}_{name}.csv")
        write_atomic(target, lambda tmp, t=table: _readable(tmp, t.to_csv(tmp, index=False)))
        written.append(target)
    write_atomic(path, lambda tmp: _readable(tmp, tmp.write_text(page, encoding="utf-8")))
    return [path, *written]


def _readable(path: Path, _: object) -> None:
    """Give a written file the usual rw-r--r-- mode (temporary files start private)."""
    path.chmod(0o644)


def render(study: Study) -> str:
    """The report as one HTML page."""
    parts = [_header(study)]
    parts += [f'<p class="note">{html.escape(n)}</p>' for n in study.notes]
    embed = _Embedder()
    if study.optimisation is not None:
        parts.append(optimisation.section(study.optimisation, embed))
    if study.final is not None and study.baseline is not None:
        parts.append(_comparison_section(study, embed))
    else:
        parts.append("<h2>Outcomes over time</h2>")
        parts.append(embed(figures.fan_chart(study.dataset.outcomes, study.outcomes)))
    if study.cost is not None and not study.cost.empty:
        parts.append(_cost_section(study))
    if study.indices is not None:
        parts.append("<h2>Sensitivity</h2>")
        parts.append(
            "<p>Indices of each run's horizon mean, averaged over a design point's "
            "replications (one response per design point, keyed by point_id).</p>"
        )
        parts.append(embed(figures.sensitivity_bars(study.indices)))
        parts.append(f"<details><summary>Indices table</summary>{_table(study.indices)}</details>")
    if study.prim is not None:
        parts.append(_prim_section(study, embed))
    if not study.dataset.flows.empty:
        parts.append("<h2>Talent flows</h2>")
        ds = study.dataset
        parts.append(embed(figures.sankey(ds.flows, ds.runs, ds.scenarios)))
    body = "\n".join(parts)
    title = html.escape(f"talentsim study: {study.dataset.path.name}")
    return (
        f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{title}</title>\n<style>{CSS}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )


class _Embedder:
    """Turn figures into HTML fragments, writing plotly.js inline with the first one only."""

    def __init__(self) -> None:
        self.used = 0

    def __call__(self, fig: go.Figure) -> str:
        self.used += 1
        return fig.to_html(
            full_html=False,
            include_plotlyjs=self.used == 1,
            div_id=f"figure-{self.used}",
            config={"displaylogo": False, "responsive": True},
        )


def _header(study: Study) -> str:
    ds = study.dataset
    manifest = ds.manifest
    ok = int((ds.runs["status"] == "ok").sum())
    replications = ds.runs["replication"].nunique()
    years = ds.years
    git = manifest.get("git") or {}
    commit = git.get("commit") if isinstance(git, dict) else None
    facts = [
        f"dataset <code>{html.escape(str(ds.path))}</code>",
        f"design <b>{html.escape(ds.kind)}</b>, {ds.runs['point_id'].nunique()} design points "
        f"× {replications} replications",
        f"{ok} of {len(ds.runs)} runs succeeded",
        f"years {years[0]}–{years[-1]}",
    ]
    if commit:
        facts.append(f"model commit <code>{html.escape(str(commit)[:12])}</code>")
    facts.append(f"report written {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    baseline = (
        f"<p>Differences are paired by replication (common random numbers) against the "
        f"baseline scenario <b>{html.escape(study.baseline)}</b>; intervals are 95 % "
        "Student-t intervals across replications.</p>"
        if study.baseline
        else ""
    )
    return f"<h1>talentsim study report</h1>\n<p class='meta'>{' · '.join(facts)}</p>\n{baseline}"


def _comparison_section(study: Study, embed: _Embedder) -> str:
    assert study.final is not None and study.horizon is not None and study.by_year is not None
    scenarios = [s for s in study.dataset.scenarios if s in set(study.final["scenario"])]
    parts = [
        "<h2>Headline</h2>",
        "<p>Each cell: the scenario's mean [95 % CI across replications]; below it the paired "
        "difference from the baseline [95 % CI]. Green: significantly better than the "
        "baseline, red: significantly worse (for mismatch and cost, lower is better).</p>",
        "<h3>Final year</h3>",
        _headline_table(study, study.final),
        "<h3>Mean over the horizon</h3>",
        _headline_table(study, study.horizon),
        embed(figures.difference_bars(study.final, study.baseline or "")),
        embed(figures.difference_bars(study.horizon, study.baseline or "")),
        "<h2>Outcomes over time</h2>",
        embed(figures.time_series(study.by_year, study.outcomes, scenarios)),
        embed(
            figures.time_series(
                study.by_year,
                study.outcomes,
                scenarios,  # the baseline stays as the zero line, colours match the levels
                columns=("diff", "diff_low", "diff_high"),
                title=f"Difference from '{study.baseline}' over time (paired, 95 % interval)",
            )
        ),
    ]
    for name, table in (("final", study.final), ("mean", study.horizon)):
        parts.append(
            f"<details><summary>Summary table: {html.escape(STATISTICS[name])}</summary>"
            f"{_table(table.drop(columns='statistic'))}</details>"
        )
    return "\n".join(parts)


def _headline_table(study: Study, final: pd.DataFrame) -> str:
    """Outcomes × scenarios; mean [CI] over the paired difference [CI], shaded by sign."""
    scenarios = list(dict.fromkeys(final["scenario"]))
    head = "".join(f"<th>{html.escape(str(s))}</th>" for s in scenarios)
    rows = [f"<table><thead><tr><th>outcome</th>{head}</tr></thead><tbody>"]
    cells = final.set_index(["outcome", "scenario"])
    for outcome in study.outcomes:
        tds = []
        for scenario in scenarios:
            r = cells.loc[(outcome, scenario)]
            text = f"{fmt(r['mean'])} [{fmt(r['ci_low'])}, {fmt(r['ci_high'])}]"
            shade = ""
            if scenario != study.baseline:
                text += (
                    f"<br><small>Δ {fmt(r['diff'], True)} [{fmt(r['diff_low'], True)}, "
                    f"{fmt(r['diff_high'], True)}]</small>"
                )
                up, down = r["diff_low"] > 0, r["diff_high"] < 0
                good = down if lower_is_better(outcome) else up
                bad = up if lower_is_better(outcome) else down
                shade = ' class="better"' if good else ' class="worse"' if bad else ""
            tds.append(f"<td{shade}>{text}</td>")
        rows.append(f"<tr><td>{html.escape(outcome)}</td>{''.join(tds)}</tr>")
    rows.append("</tbody></table>")
    return "\n".join(rows)


def _cost_section(study: Study) -> str:
    assert study.cost is not None
    cost = study.cost
    parts = [
        "<h2>Cost-effectiveness</h2>",
        f"<p>Extra fiscal cost (<code>{COST}</code>, RMB summed over the horizon) per unit of "
        "gain over the baseline, paired by replication, with a 95 % bootstrap interval. A "
        "ratio is given only where the gain is significantly positive; '∞' means the gain "
        "is too uncertain to bound the cost from above.</p>",
    ]
    key = [o for o in COST_HEADLINE if o in set(cost["outcome"])]
    if key:
        parts.append(_cost_headline(cost, key))
    parts.append(f"<details><summary>Every outcome</summary>{_table(cost)}</details>")
    return "\n".join(parts)


def _cost_headline(cost: pd.DataFrame, outcomes: list[str]) -> str:
    """Scenarios × key outcomes: RMB per unit of gain [95 % CI], or why there is none."""
    head = "".join(
        f"<th>RMB {html.escape(gain_unit(o))} of {html.escape(o)}</th>" for o in outcomes
    )
    rows = [f"<table><thead><tr><th>scenario</th><th>extra cost</th>{head}</tr></thead><tbody>"]
    for scenario, part in cost.groupby("scenario", sort=False):
        by = part.set_index("outcome")
        cells = []
        for outcome in outcomes:
            r = by.loc[outcome]
            if pd.isna(r["cost_per_unit"]):
                cells.append(f"<td>{html.escape(str(r['note']))}</td>")
            else:
                cells.append(
                    f"<td>{fmt(r['cost_per_unit'])} [{fmt(r['cost_per_unit_low'])}, "
                    f"{fmt(r['cost_per_unit_high'])}]</td>"
                )
        extra = fmt(part["extra_cost"].iloc[0], signed=True)
        rows.append(
            f"<tr><td>{html.escape(str(scenario))}</td><td>{extra}</td>{''.join(cells)}</tr>"
        )
    rows.append("</tbody></table>")
    return "\n".join(rows)


def _prim_section(study: Study, embed: _Embedder) -> str:
    assert study.prim is not None
    prim = study.prim
    box = prim.box[prim.box["restricted"]]
    return "\n".join(
        [
            "<h2>Scenario discovery (PRIM)</h2>",
            f"<p>Cases of interest: design points with {html.escape(prim.rule)}. The chosen box "
            f"(peeling step {prim.chosen}, limits that do not matter lifted) holds "
            f"{prim.coverage:.0%} of the cases; {prim.density:.0%} of the points inside it are "
            f"cases ({prim.mass:.0%} of all points). It restricts:</p>",
            _table(box if not box.empty else prim.box),
            embed(figures.prim_figures(prim)),
        ]
    )


def _table(table: pd.DataFrame, index: bool = False) -> str:
    shown = table.copy()
    for column in shown.columns:
        if pd.api.types.is_float_dtype(shown[column]):
            shown[column] = shown[column].map(fmt)
    return shown.to_html(index=index, border=0, escape=True, na_rep="–")
