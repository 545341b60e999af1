"""A self-contained study report in 中文 or English: HTML (works offline), PDF, images, CSV.

plotly.js is written into the HTML page once, inline, before the first figure; every later
figure reuses it. Nothing is loaded from the network. The CSV tables are written next to the
report as ``<report stem>_<table>.csv``; every file is written atomically.

The PDF is the same report with every figure (and every menu view) as an inline SVG made by
kaleido, printed by the system's Chromium (``chromium --headless --print-to-pdf``).
"""

from __future__ import annotations

import html
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from talentsim.analysis import figures, formats, optimisation, uncertainty
from talentsim.analysis.catalogue import (
    COST_NOTES,
    DEFAULT_LANG,
    GAIN_UNITS,
    STATISTICS,
    Lang,
    M,
    Note,
    header,
    lever_label,
    outcome_label,
    scenario_label,
)
from talentsim.analysis.cost import COST
from talentsim.analysis.measures import lower_is_better
from talentsim.analysis.study import Study, headline
from talentsim.runinfo import write_atomic

COST_HEADLINE = (
    "retained_skilled_3y",
    "retention_3y",
    "in_field_rate",
    "firm_participation_rate",
)
"""Outcomes whose cost per unit of gain is shown in the report's cost table."""
CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome")
"""Browsers that print the PDF (``BROWSER_PATH`` first, as kaleido reads it)."""
PDF_TIMEOUT = 120

CSS = """
body { font-family: system-ui, "Noto Sans CJK SC", "WenQuanYi Micro Hei", sans-serif;
       margin: 2em auto; max-width: 1200px; color: #222; }
h1 { font-size: 1.6em; } h2 { border-bottom: 1px solid #ccc; padding-bottom: .2em; }
.scroll { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; font-size: .85em; margin: .5em 0 1.5em; }
th, td { border: 1px solid #ddd; padding: .25em .6em; text-align: right; vertical-align: top; }
th { background: #f4f4f4; } td:first-child, th:first-child { text-align: left; }
.better { background: #e3f4e1; } .worse { background: #fbe3e1; }
td small { color: #444; } .noise { color: #777; font-style: italic; }
details { margin: .5em 0 1em; } summary { cursor: pointer; color: #1f5fa8; }
.note { background: #fff8e1; border-left: 4px solid #f0b400; padding: .4em .8em; }
.meta { color: #555; font-size: .9em; }
.figure svg { max-width: 100%; height: auto; }
@media print {
  body { margin: 0; max-width: none; font-size: 10pt; } table { font-size: 7.5pt; }
  .scroll { overflow: visible; } details > summary { display: none; }
  .figure { break-inside: avoid; } h2 { break-after: avoid; }
}
@page { size: A4 landscape; margin: 12mm; }
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


def write_report(study: Study, path: Path, lang: Lang = DEFAULT_LANG) -> list[Path]:
    """Write the HTML report at ``path`` and the CSV tables next to it; return every file."""
    page = render(study, lang)  # everything is computed before the first file is written
    written = []
    for name, table in csv_tables(study).items():
        target = path.with_name(f"{path.stem}_{name}.csv")
        write_atomic(target, lambda tmp, t=table: _readable(tmp, t.to_csv(tmp, index=False)))
        written.append(target)
    write_atomic(path, lambda tmp: _readable(tmp, tmp.write_text(page, encoding="utf-8")))
    return [path, *written]


def write_figures(study: Study, folder: Path, lang: Lang = DEFAULT_LANG) -> list[Path]:
    """Every figure of the report as PNG and SVG in ``folder`` (one file per menu view)."""
    return figures.write_images(figure_set(study, lang), folder)


def write_pdf(study: Study, path: Path, lang: Lang = DEFAULT_LANG) -> Path:
    """The report as a PDF at ``path``: static SVG figures, printed by headless Chromium.

    Raises:
        OSError: no Chromium was found, or it failed to print.

    """
    browser = find_chromium()
    with tempfile.TemporaryDirectory(prefix="talentsim-pdf-") as tmp:
        folder = Path(tmp)
        embed = _StaticEmbedder()
        page = render(study, lang, embed)
        images = figures.write_images(embed.figures, folder / "img", image_formats=("svg",))
        page = embed.fill(page, images)
        source = folder / "report.html"
        source.write_text(page, encoding="utf-8")
        target = folder / "report.pdf"
        command = [
            browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
            f"--user-data-dir={folder / 'profile'}", f"--print-to-pdf={target}",
            source.as_uri(),
        ]  # fmt: skip
        done = subprocess.run(  # noqa: S603 (a fixed browser and our own file)
            command, capture_output=True, text=True, timeout=PDF_TIMEOUT, check=False
        )
        if done.returncode != 0 or not target.exists():
            raise OSError(f"{browser} could not print the PDF: {done.stderr.strip()[-400:]}")
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, lambda tmp_file: _readable(tmp_file, shutil.copyfile(target, tmp_file)))
    return path


def find_chromium() -> str:
    """The Chromium that prints PDFs: ``BROWSER_PATH`` if set, else the first on ``PATH``.

    Raises:
        OSError: none was found.

    """
    given = os.environ.get("BROWSER_PATH")
    if given and Path(given).exists():
        return given
    for name in CHROMIUM_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    raise OSError("no Chromium found for the PDF (apt-get install chromium, or set BROWSER_PATH)")


def _readable(path: Path, _: object) -> None:
    """Give a written file the usual rw-r--r-- mode (temporary files start private)."""
    path.chmod(0o644)


def display_names(study: Study, lang: Lang = DEFAULT_LANG) -> dict[str, str]:
    """A name per scenario: a shipped scenario's label, a design point's lever values.

    Grid and sampled points (``point-3``) are named by what they set, e.g. "Apprenticeship
    subsidy 5,000 · Coordination body (统筹) 0.5", so a reader sees the levers, not an index.
    """
    ds = study.dataset
    runs = ds.runs.drop_duplicates("scenario").set_index("scenario")
    names = {}
    for scenario in ds.scenarios:
        if ds.params and (ds.kind != "scenarios" or str(scenario).startswith("point-")):
            row = runs.loc[scenario]
            names[scenario] = " · ".join(
                f"{lever_label(p, lang)} {formats.short(float(row[p]))}" for p in ds.params
            )
        else:
            names[scenario] = scenario_label(str(scenario), lang)
    return names


def figure_set(study: Study, lang: Lang = DEFAULT_LANG) -> dict[str, go.Figure]:
    """Every figure of the report, by file name, in the order the report shows them."""
    ds = study.dataset
    names = display_names(study, lang)
    out: dict[str, go.Figure] = {}
    if study.horizon is not None and study.final is not None and study.by_year is not None:
        baseline = study.baseline or ""
        scenarios = [s for s in ds.scenarios if s in set(study.horizon["scenario"])]
        out["differences_horizon"] = figures.difference_panels(
            study.horizon, baseline, lang, names, study.outcomes
        )
        out["differences_final"] = figures.difference_panels(
            study.final, baseline, lang, names, study.outcomes
        )
        if _two_lever_grid(study):
            out["effect_heatmap"] = figures.effect_heatmap(
                study.horizon, (ds.params[0], ds.params[1]), study.outcomes,
                names.get(baseline, baseline), lang,
            )  # fmt: skip
        out["levels_over_time"] = figures.time_series(
            study.by_year, study.outcomes, scenarios, lang=lang, names=names
        )
        out["differences_over_time"] = figures.time_series(
            study.by_year,
            study.outcomes,
            scenarios,  # the baseline stays as the zero line, colours match the levels
            columns=("diff", "diff_low", "diff_high"),
            title=M.diffs_title(lang, baseline=names.get(baseline, baseline)),
            lang=lang,
            names=names,
        )
    else:
        out["outcomes_over_time"] = figures.fan_chart(ds.outcomes, study.outcomes, lang)
    if study.indices is not None:
        out["sensitivity"] = figures.sensitivity_bars(study.indices, lang)
    if study.prim is not None:
        out["scenario_discovery"] = figures.prim_figures(study.prim, lang)
    if not ds.flows.empty:
        out["talent_flows"] = figures.sankey(ds.flows, ds.runs, ds.scenarios, lang, names)
    return out


def _two_lever_grid(study: Study) -> bool:
    ds = study.dataset
    return ds.kind == "grid" and len(ds.params) == 2


Embed = Callable[[go.Figure], str]


def render(study: Study, lang: Lang = DEFAULT_LANG, embed: Embed | None = None) -> str:
    """The report as one HTML page in ``lang``."""
    embed = embed or _Embedder()
    shown = figure_set(study, lang)
    parts = [_header(study, lang)]
    parts += [f'<p class="note">{html.escape(_note(n, lang))}</p>' for n in study.notes]
    if study.optimisation is not None:
        parts.append(optimisation.section(study.optimisation, embed))
    if study.final is not None and study.baseline is not None:
        parts.append(_comparison_section(study, shown, embed, lang))
        if study.uncertainty is not None:
            parts.append(uncertainty.section(study.uncertainty, lang))
    else:
        parts.append(f"<h2>{M.over_time(lang)}</h2>")
        parts.append(embed(shown["outcomes_over_time"]))
    if study.cost is not None and not study.cost.empty:
        parts.append(_cost_section(study, lang))
    if study.indices is not None:
        parts.append(f"<h2>{M.sensitivity(lang)}</h2>")
        parts.append(f"<p>{M.sensitivity_intro(lang)}</p>")
        parts.append(embed(shown["sensitivity"]))
        parts.append(
            f"<details><summary>{M.indices_table(lang)}</summary>"
            f"{_table(study.indices, lang)}</details>"
        )
    if study.prim is not None:
        parts.append(_prim_section(study, shown, embed, lang))
    if "talent_flows" in shown:
        parts.append(f"<h2>{M.flows(lang)}</h2>")
        parts.append(embed(shown["talent_flows"]))
    body = "\n".join(parts)
    title = html.escape(M.report_page_title(lang, name=study.dataset.path.name))
    code = "zh-CN" if lang == "zh" else "en"
    return (
        f'<!DOCTYPE html>\n<html lang="{code}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{title}</title>\n<style>{CSS}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )


def _note(note: str, lang: Lang) -> str:
    return note(lang) if isinstance(note, Note) else str(note)


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


class _StaticEmbedder:
    """Collect figures for static SVG export; :meth:`fill` puts the images in their place."""

    def __init__(self) -> None:
        self.figures: dict[str, go.Figure] = {}

    def __call__(self, fig: go.Figure) -> str:
        name = f"figure-{len(self.figures) + 1:02d}"
        self.figures[name] = fig
        return f"<!--{name}-->"

    def fill(self, page: str, images: list[Path]) -> str:
        for name in self.figures:
            svgs = sorted(p for p in images if p.stem == name or p.stem.startswith(f"{name}-"))
            inline = "".join(
                f'<div class="figure">{p.read_text(encoding="utf-8")}</div>' for p in svgs
            )
            page = page.replace(f"<!--{name}-->", inline)
        return page


def _header(study: Study, lang: Lang) -> str:
    ds = study.dataset
    manifest = ds.manifest
    ok = int((ds.runs["status"] == "ok").sum())
    replications = ds.runs["replication"].nunique()
    years = ds.years
    git = manifest.get("git") or {}
    commit = git.get("commit") if isinstance(git, dict) else None
    facts = [
        M.meta_dataset(lang, path=f"<code>{html.escape(str(ds.path))}</code>"),
        M.meta_design(
            lang,
            kind=f"<b>{html.escape(ds.kind)}</b>",
            points=ds.runs["point_id"].nunique(),
            replications=replications,
        ),
        M.meta_runs(lang, ok=ok, total=len(ds.runs)),
        M.meta_years(lang, first=years[0], last=years[-1]),
    ]
    if commit:
        facts.append(M.meta_commit(lang, commit=f"<code>{html.escape(str(commit)[:12])}</code>"))
    facts.append(M.meta_written(lang, when=time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())))
    names = display_names(study, lang)
    base = html.escape(names.get(study.baseline, study.baseline)) if study.baseline else ""
    baseline = f"<p>{M.paired_intro(lang, baseline=base)}</p>" if study.baseline else ""
    return f"<h1>{M.report_title(lang)}</h1>\n<p class='meta'>{' · '.join(facts)}</p>\n{baseline}"


def _comparison_section(study: Study, shown: dict[str, go.Figure], embed: Embed, lang: Lang) -> str:
    assert study.final is not None and study.horizon is not None and study.by_year is not None
    names = display_names(study, lang)
    parts = [
        f"<h2>{M.headline(lang)}</h2>",
        f"<p>{M.headline_intro(lang)}</p>",
        f"<h3>{M.horizon_mean(lang)}</h3>",
        _noise_sentences(study, study.horizon, names, lang),
        _headline_table(study, study.horizon, names, lang),
        embed(shown["differences_horizon"]),
    ]
    if "effect_heatmap" in shown:
        parts += [f"<p>{M.effect_heatmap_note(lang)}</p>", embed(shown["effect_heatmap"])]
    parts += [
        f"<h3>{M.final_year(lang)}</h3>",
        _noise_sentences(study, study.final, names, lang),
        _headline_table(study, study.final, names, lang),
        embed(shown["differences_final"]),
        f"<h2>{M.over_time(lang)}</h2>",
        embed(shown["levels_over_time"]),
        embed(shown["differences_over_time"]),
    ]
    for name, table in (("mean", study.horizon), ("final", study.final)):
        parts.append(
            f"<details><summary>{M.summary_table(lang, statistic=STATISTICS[name](lang))}"
            f"</summary>{_table(table.drop(columns='statistic'), lang, names)}</details>"
        )
    return "\n".join(parts)


def _noise_sentences(study: Study, table: pd.DataFrame, names: dict[str, str], lang: Lang) -> str:
    """Per scenario, one plain sentence naming the outcomes whose difference is within noise."""
    lines = []
    rows = table[table["scenario"] != study.baseline]
    baseline = names.get(study.baseline or "", study.baseline or "")
    for scenario, part in rows.groupby("scenario", sort=False):
        noise = part[[formats.within_noise(lo, hi) for lo, hi in
                      zip(part["diff_low"], part["diff_high"], strict=True)]]  # fmt: skip
        label = html.escape(names.get(str(scenario), str(scenario)))
        if len(noise):
            which = "、" if lang == "zh" else ", "
            listed = which.join(outcome_label(o, lang) for o in noise["outcome"])
            sentence = M.noise_summary(lang, baseline=baseline, which=html.escape(listed))
        else:
            sentence = M.all_detected(lang)
        lines.append(f"<li><b>{label}</b>: {sentence}</li>")
    return f"<ul>{''.join(lines)}</ul>" if lines else ""


def _headline_table(study: Study, summary: pd.DataFrame, names: dict[str, str], lang: Lang) -> str:
    """Outcomes × scenarios; mean [CI] over the paired difference [CI] and ρ, shaded by sign."""
    scenarios = list(dict.fromkeys(summary["scenario"]))
    head = "".join(f"<th>{html.escape(names.get(s, str(s)))}</th>" for s in scenarios)
    rows = [f"<div class='scroll'><table><thead><tr><th>{M.outcome(lang)}</th>{head}</tr>"]
    rows.append("</thead><tbody>")
    cells = summary.set_index(["outcome", "scenario"])
    for outcome in study.outcomes:
        tds = []
        for scenario in scenarios:
            r = cells.loc[(outcome, scenario)]
            text = (
                f"{formats.value(outcome, r['mean'], lang)}<br>"
                f"<small>{formats.interval(outcome, r['ci_low'], r['ci_high'], lang)}</small>"
            )
            shade = ""
            if scenario != study.baseline:
                text += (
                    f"<br>Δ {formats.difference(outcome, r['diff'], lang)} "
                    f"<small>{formats.interval(outcome, r['diff_low'], r['diff_high'], lang, True)}"
                    f"</small><br><small>ρ = {formats.sig(r['pair_corr'], 2)}</small>"
                )
                if formats.within_noise(r["diff_low"], r["diff_high"]):
                    text += f"<br><span class='noise'>{M.no_difference(lang)}</span>"
                up, down = r["diff_low"] > 0, r["diff_high"] < 0
                good = down if lower_is_better(outcome) else up
                bad = up if lower_is_better(outcome) else down
                shade = ' class="better"' if good else ' class="worse"' if bad else ""
            tds.append(f"<td{shade}>{text}</td>")
        label = html.escape(outcome_label(outcome, lang))
        rows.append(f"<tr><td>{label}</td>{''.join(tds)}</tr>")
    rows.append("</tbody></table></div>")
    return "\n".join(rows)


def _cost_section(study: Study, lang: Lang) -> str:
    assert study.cost is not None
    cost = study.cost
    parts = [
        f"<h2>{M.cost_title(lang)}</h2>",
        f"<p>{M.cost_intro(lang)} (<code>{COST}</code>)</p>",
    ]
    key = [o for o in COST_HEADLINE if o in set(cost["outcome"])]
    if key:
        parts.append(_cost_headline(study, cost, key, lang))
    parts.append(
        f"<details><summary>{M.every_outcome(lang)}</summary>"
        f"{_table(cost, lang, display_names(study, lang))}</details>"
    )
    return "\n".join(parts)


def _cost_headline(study: Study, cost: pd.DataFrame, outcomes: list[str], lang: Lang) -> str:
    """Scenarios × key outcomes: RMB per unit of gain [95 % CI], or why there is none."""
    names = display_names(study, lang)
    head = "".join(
        f"<th>{html.escape(M.cost_per(lang, unit=_gain_unit(o, lang), outcome=outcome_label(o, lang)))}</th>"  # noqa: E501
        for o in outcomes
    )
    rows = [
        f"<div class='scroll'><table><thead><tr><th>{M.scenario(lang)}</th>"
        f"<th>{M.extra_cost(lang)}</th>{head}</tr></thead><tbody>"
    ]
    for scenario, part in cost.groupby("scenario", sort=False):
        by = part.set_index("outcome")
        cells = []
        for outcome in outcomes:
            r = by.loc[outcome]
            if pd.isna(r["cost_per_unit"]):
                note = str(r["note"])
                shown = COST_NOTES[note](lang) if note in COST_NOTES else note
                cells.append(f"<td>{html.escape(shown)}</td>")
            else:
                low = formats.value(COST, r["cost_per_unit_low"], lang)
                high = formats.value(COST, r["cost_per_unit_high"], lang)
                cells.append(
                    f"<td>{formats.value(COST, r['cost_per_unit'], lang)} "
                    f"<small>[{low}, {high}]</small></td>"
                )
        extra = formats.value(COST, part["extra_cost"].iloc[0], lang, signed=True)
        label = html.escape(names.get(str(scenario), str(scenario)))
        rows.append(f"<tr><td>{label}</td><td>{extra}</td>{''.join(cells)}</tr>")
    rows.append("</tbody></table></div>")
    return "\n".join(rows)


def _gain_unit(outcome: str, lang: Lang) -> str:
    from talentsim.analysis.cost import is_rate
    from talentsim.analysis.measures import is_flow

    if not is_flow(outcome) and is_rate(outcome):
        return M.per_pp(lang)
    return M.per_unit(lang)


def _prim_section(study: Study, shown: dict[str, go.Figure], embed: Embed, lang: Lang) -> str:
    assert study.prim is not None
    prim = study.prim
    box = prim.box[prim.box["restricted"]]
    intro = M.prim_intro(
        lang,
        rule=html.escape(prim.rule),
        step=prim.chosen,
        coverage=f"{prim.coverage:.0%}",
        density=f"{prim.density:.0%}",
        mass=f"{prim.mass:.0%}",
    )
    return "\n".join(
        [
            f"<h2>{M.prim_title(lang)}</h2>",
            f"<p>{intro}</p>",
            _table(box if not box.empty else prim.box, lang),
            embed(shown["scenario_discovery"]),
        ]
    )


def _table(
    table: pd.DataFrame, lang: Lang = DEFAULT_LANG, names: dict[str, str] | None = None
) -> str:
    """A data table with translated headers, outcome labels and 3 significant digits."""
    shown = table.copy()
    for column in shown.columns:
        if pd.api.types.is_float_dtype(shown[column]):
            shown[column] = shown[column].map(formats.sig)
    if "outcome" in shown:
        shown["outcome"] = shown["outcome"].map(lambda o: outcome_label(str(o), lang))
    if "parameter" in shown:
        shown["parameter"] = shown["parameter"].map(lambda p: lever_label(str(p), lang))
    if "unit" in shown:
        shown["unit"] = shown["unit"].map(lambda u: GAIN_UNITS[u](lang) if u in GAIN_UNITS else u)
    if "note" in shown:
        shown["note"] = shown["note"].map(lambda n: COST_NOTES[n](lang) if n in COST_NOTES else n)
    if "scenario" in shown and names:
        shown["scenario"] = shown["scenario"].map(lambda s: names.get(str(s), s))
    shown.columns = [header(str(c), lang) for c in shown.columns]
    inner = shown.to_html(index=False, border=0, escape=True, na_rep="–")
    return f"<div class='scroll'>{inner}</div>"
