"""Sweep explorer: fan chart, two-lever heatmap, sensitivity bars and the table of runs.

Only folders under the results roots given on the command line can be opened.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import solara

from dashboards.charts import fan_figure, heatmap_figure, sensitivity_figure
from dashboards.components.common import Chart, CsvDownload, PageTitle, use_lang
from dashboards.components.front import FrontPanel, is_search_dataset
from dashboards.datasets import DatasetError, SweepData, load_sweep
from dashboards.roots import (
    OutsideRootsError,
    display_name,
    find_datasets,
    resolve_under_roots,
    results_roots,
)
from dashboards.stats import (
    NotAvailableError,
    fan_table,
    heatmap_table,
    reason,
    sensitivity_table,
)
from talentsim.analysis.catalogue import DEFAULT_LANG, Lang, M, header, lever_label, outcome_label

ALL_RUNS = ""
"""The "Runs" choice meaning every run (shown as the catalogue's "all runs")."""
RUN_COLUMNS = ("run_id", "point_id", "scenario", "replication", "status", "seconds", "error")


def open_dataset(path: str | Path, roots: list[Path]) -> SweepData:
    """Resolve ``path`` under ``roots`` and load it.

    Raises:
        OutsideRootsError: the path is outside the roots.
        DatasetError: the dataset is missing or broken.

    """
    return load_sweep(resolve_under_roots(path, roots))


@solara.component
def ExplorerPage() -> None:
    """Pick a sweep folder (only under the results roots) and explore it."""
    lang = use_lang()
    roots = solara.use_memo(results_roots, [])
    found = solara.use_memo(lambda: find_datasets(roots), [])
    labels = {display_name(path, roots): str(path) for path in found}
    typed, set_typed = solara.use_state("")
    latest = solara.use_ref("")  # the text as typed, even before the next render

    def on_typed(text: str) -> None:
        latest.current = text
        set_typed(text)

    opened, set_opened = solara.use_state("")
    PageTitle(M.page_sweeps(lang), M.explorer_intro(lang))
    with solara.Card(M.dataset(lang)):
        if roots:
            solara.Text(M.results_roots(lang, roots=", ".join(str(root) for root in roots)))
        if labels:
            solara.Select(
                M.sweep_folder(lang),
                values=list(labels),
                value=next((k for k, v in labels.items() if v == opened), None),
                on_value=lambda label: set_opened(labels[label]),
            )
        with solara.Row():
            solara.InputText(
                M.type_path(lang), value=typed, on_value=on_typed, continuous_update=True
            )
            solara.Button(M.open(lang), on_click=lambda: set_opened(latest.current or typed))
    data = solara.use_memo(lambda: _try_open(opened, roots) if opened else None, [opened])
    if not roots:
        solara.Warning(M.no_roots_warning(lang))
    if data is None:
        return
    if isinstance(data, str):
        solara.Error(data)
        return
    SweepView(data, lang)


def _try_open(path: str, roots: list[Path]) -> SweepData | str:
    try:
        return open_dataset(path, roots)
    except (OutsideRootsError, DatasetError) as exc:
        return str(exc)


@solara.component
def SweepView(data: SweepData, lang: Lang = DEFAULT_LANG) -> None:
    """The charts and the run table of one dataset."""
    outcome, set_outcome = solara.use_state("retention_3y")
    scenario, set_scenario = solara.use_state(ALL_RUNS)
    levers = data.levers
    x, set_x = solara.use_state(levers[0] if levers else "")
    y, set_y = solara.use_state(levers[1] if len(levers) > 1 else "")
    chosen = outcome if outcome in data.outcome_columns else data.outcome_columns[0]
    solara.Success(f"{data.path}: {describe(data, lang)}")
    for note in data.notes:
        solara.Info(note)
    if is_search_dataset(data.path):
        with solara.Card(M.front_heading(lang)):
            FrontPanel(data.path, lang)
    scenarios = sorted(data.outcomes["scenario"].unique()) if "scenario" in data.outcomes else []
    outcomes = {outcome_label(c, lang): c for c in data.outcome_columns}
    with solara.Row():
        solara.Select(
            M.outcome_select(lang),
            values=list(outcomes),
            value=outcome_label(chosen, lang),
            on_value=lambda label: set_outcome(outcomes[label]),
        )
        if len(scenarios) > 1:
            runs = {M.all_runs(lang): ALL_RUNS, **{str(s): str(s) for s in scenarios}}
            solara.Select(
                M.runs_select(lang),
                values=list(runs),
                value=scenario or M.all_runs(lang),
                on_value=lambda label: set_scenario(runs[label]),
            )
    subset = data.outcomes
    if scenario != ALL_RUNS and "scenario" in subset:
        subset = subset[subset["scenario"] == scenario]
    name = scenario or M.all_runs(lang)
    Chart(fan_figure(fan_table(subset, chosen), chosen, name, lang), download="fan", lang=lang)
    HeatmapPanel(data, chosen, x, y, set_x, set_y, lang)
    SensitivityPanel(data, chosen, lang)
    RunTable(data, lang)


@solara.component
def HeatmapPanel(
    data: SweepData, outcome: str, x: str, y: str, set_x, set_y, lang: Lang = DEFAULT_LANG
) -> None:
    """Heatmap of the horizon mean over two levers."""
    if len(data.levers) < 2:
        solara.Info(M.heatmap_needs_two(lang))
        return
    levers = {lever_label(p, lang): p for p in data.levers}
    with solara.Row():
        solara.Select(
            M.lever_x(lang),
            values=list(levers),
            value=lever_label(x, lang),
            on_value=lambda label: set_x(levers[label]),
        )
        solara.Select(
            M.lever_y(lang),
            values=list(levers),
            value=lever_label(y, lang),
            on_value=lambda label: set_y(levers[label]),
        )
    try:
        table = heatmap_table(data.outcomes, outcome, x, y)
    except NotAvailableError as exc:
        solara.Info(reason(exc, lang))
        return
    Chart(heatmap_figure(table, outcome, x, y, lang), download="heatmap", lang=lang)


@solara.component
def SensitivityPanel(data: SweepData, outcome: str, lang: Lang = DEFAULT_LANG) -> None:
    """Sobol or Morris indices of the outcome's horizon mean, when the design allows."""
    table = solara.use_memo(
        lambda: _try_sensitivity(data, outcome, lang), [data.path, outcome, lang]
    )
    if isinstance(table, str):
        label = outcome_label(outcome, lang)
        solara.Info(M.sensitivity_unavailable(lang, outcome=label, reason=table))
        return
    Chart(sensitivity_figure(table, outcome, lang), download="sensitivity", lang=lang)
    CsvDownload(table, "sensitivity", lang)


def describe(data: SweepData, lang: Lang = DEFAULT_LANG) -> str:
    """One line: design, runs, failures, years, levers."""
    years = data.outcomes["year"]
    return M.describe(
        lang,
        kind=data.kind,
        runs=len(data.runs),
        failed=len(data.failed),
        first=int(years.min()),
        last=int(years.max()),
        levers=len(data.levers),
    )


def _try_sensitivity(data: SweepData, outcome: str, lang: Lang) -> pd.DataFrame | str:
    try:
        return sensitivity_table(data, outcome)
    except NotAvailableError as exc:
        return reason(exc, lang)
    except Exception as exc:  # SALib's own checks: show them, do not crash the page
        return f"the analysis failed ({type(exc).__name__}: {exc})"


@solara.component
def RunTable(data: SweepData, lang: Lang = DEFAULT_LANG) -> None:
    """Runs, failures first, with their error text."""
    runs = data.runs
    columns = [c for c in RUN_COLUMNS if c in runs] + [c for c in data.levers if c in runs]
    shown = runs.assign(_failed=runs["status"] != "ok").sort_values(
        ["_failed", "run_id"], ascending=[False, True]
    )[columns]
    failed = len(data.failed)
    solara.HTML(
        tag="h3", unsafe_innerHTML=M.runs_heading(lang, ok=len(runs) - failed, failed=failed)
    )
    if failed:
        solara.Error(M.runs_failed(lang, failed=failed, total=len(runs)))
    solara.DataFrame(shown.rename(columns=lambda c: header(c, lang)), items_per_page=10)
    CsvDownload(shown, "runs", lang)
