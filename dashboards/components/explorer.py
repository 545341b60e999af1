"""Sweep explorer: fan chart, two-lever heatmap, sensitivity bars and the table of runs.

Only folders under the results roots given on the command line can be opened.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import solara

from dashboards.charts import (
    fan_figure,
    heatmap_figure,
    label_of,
    sensitivity_figure,
)
from dashboards.components.common import Chart, PageTitle
from dashboards.datasets import DatasetError, SweepData, describe, load_sweep
from dashboards.roots import (
    OutsideRootsError,
    display_name,
    find_datasets,
    resolve_under_roots,
    results_roots,
)
from dashboards.stats import NotAvailableError, fan_table, heatmap_table, sensitivity_table

ALL_RUNS = "all runs"
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
    roots = solara.use_memo(results_roots, [])
    found = solara.use_memo(lambda: find_datasets(roots), [])
    labels = {display_name(path, roots): str(path) for path in found}
    typed, set_typed = solara.use_state("")
    latest = solara.use_ref("")  # the text as typed, even before the next render

    def on_typed(text: str) -> None:
        latest.current = text
        set_typed(text)

    opened, set_opened = solara.use_state("")
    PageTitle(
        "Sweep explorer",
        "Open a sweep folder written by <code>talentsim sweep</code> (only folders under the "
        "results roots given on the command line can be opened).",
    )
    with solara.Card("Dataset"):
        if roots:
            solara.Text("Results roots: " + ", ".join(str(root) for root in roots))
        if labels:
            solara.Select(
                "Sweep folder",
                values=list(labels),
                value=next((k for k, v in labels.items() if v == opened), None),
                on_value=lambda label: set_opened(labels[label]),
            )
        with solara.Row():
            solara.InputText(
                "Or type a folder path", value=typed, on_value=on_typed, continuous_update=True
            )
            solara.Button("Open", on_click=lambda: set_opened(latest.current or typed))
    data = solara.use_memo(lambda: _try_open(opened, roots) if opened else None, [opened])
    if not roots:
        solara.Warning(
            "No results roots were given: start the dashboard with `talentsim dashboard DIR`."
        )
    if data is None:
        return
    if isinstance(data, str):
        solara.Error(data)
        return
    SweepView(data)


def _try_open(path: str, roots: list[Path]) -> SweepData | str:
    try:
        return open_dataset(path, roots)
    except (OutsideRootsError, DatasetError) as exc:
        return str(exc)


@solara.component
def SweepView(data: SweepData) -> None:
    """The charts and the run table of one dataset."""
    outcome, set_outcome = solara.use_state("retention_rate")
    scenario, set_scenario = solara.use_state(ALL_RUNS)
    levers = data.levers
    x, set_x = solara.use_state(levers[0] if levers else "")
    y, set_y = solara.use_state(levers[1] if len(levers) > 1 else "")
    chosen = outcome if outcome in data.outcome_columns else data.outcome_columns[0]
    solara.Success(f"{data.path}: {describe(data)}")
    for note in data.notes:
        solara.Info(note)
    scenarios = sorted(data.outcomes["scenario"].unique()) if "scenario" in data.outcomes else []
    with solara.Row():
        solara.Select("Outcome", values=data.outcome_columns, value=chosen, on_value=set_outcome)
        if len(scenarios) > 1:
            solara.Select(
                "Runs", values=[ALL_RUNS, *scenarios], value=scenario, on_value=set_scenario
            )
    subset = data.outcomes
    if scenario != ALL_RUNS and "scenario" in subset:
        subset = subset[subset["scenario"] == scenario]
    Chart(fan_figure(fan_table(subset, chosen), chosen, scenario))
    HeatmapPanel(data, chosen, x, y, set_x, set_y)
    SensitivityPanel(data, chosen)
    RunTable(data)


@solara.component
def HeatmapPanel(data: SweepData, outcome: str, x: str, y: str, set_x, set_y) -> None:
    """Heatmap of the final-year mean over two levers."""
    if len(data.levers) < 2:
        solara.Info("The heatmap needs at least two levers in the dataset.")
        return
    with solara.Row():
        solara.Select("Lever on x", values=data.levers, value=x, on_value=set_x)
        solara.Select("Lever on y", values=data.levers, value=y, on_value=set_y)
    try:
        Chart(heatmap_figure(heatmap_table(data.outcomes, outcome, x, y), outcome, x, y))
    except NotAvailableError as exc:
        solara.Info(str(exc))


@solara.component
def SensitivityPanel(data: SweepData, outcome: str) -> None:
    """Sobol or Morris indices of the final-year outcome, when the design allows."""
    table = solara.use_memo(lambda: _try_sensitivity(data, outcome), [data.path, outcome])
    if isinstance(table, str):
        solara.Info(f"Sensitivity of {label_of(outcome)}: {table}")
        return
    Chart(sensitivity_figure(table, outcome))


def _try_sensitivity(data: SweepData, outcome: str) -> pd.DataFrame | str:
    try:
        return sensitivity_table(data, outcome)
    except NotAvailableError as exc:
        return str(exc)
    except Exception as exc:  # SALib's own checks: show them, do not crash the page
        return f"the analysis failed ({type(exc).__name__}: {exc})"


@solara.component
def RunTable(data: SweepData) -> None:
    """Runs, failures first, with their error text."""
    runs = data.runs
    columns = [c for c in RUN_COLUMNS if c in runs] + [c for c in data.levers if c in runs]
    shown = runs.assign(_failed=runs["status"] != "ok").sort_values(
        ["_failed", "run_id"], ascending=[False, True]
    )[columns]
    failed = len(data.failed)
    solara.HTML(tag="h3", unsafe_innerHTML=f"Runs: {len(runs) - failed} ok, {failed} failed")
    if failed:
        solara.Error(
            f"{failed} of {len(runs)} runs failed; they are listed first with their error."
        )
    solara.DataFrame(shown, items_per_page=10)
