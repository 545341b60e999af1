"""Scenario page: outcomes over time with bands across replications, difference from baseline.

Scenarios × replications run off the UI thread (progress bar, Cancel), or a dataset is loaded.
"""

from __future__ import annotations

import threading
from typing import Any

import pandas as pd
import solara

from dashboards.charts import KEY_OUTCOMES, band_figure, color_map, label_of, message_figure
from dashboards.components.common import Chart, PageTitle
from dashboards.datasets import DatasetError, load_sweep
from dashboards.roots import (
    OutsideRootsError,
    configs_dir,
    display_name,
    find_datasets,
    resolve_under_roots,
    results_roots,
)
from dashboards.scenario_runs import list_scenarios, run_scenarios
from dashboards.stats import NotAvailableError, band_table, difference_table
from talentsim.config import ConfigError

RUN_HERE = "Run scenarios here"
LOAD_DATASET = "Load a dataset"
DEFAULT_REPLICATIONS = 3
DEFAULT_YEARS = 15
SCENARIO_SCALE = 0.02


@solara.component
def ScenarioPage() -> None:
    """Compare scenarios: run them here or load a sweep dataset from a results root."""
    source, set_source = solara.use_state(RUN_HERE)
    frame, set_frame = solara.use_state(pd.DataFrame())
    PageTitle(
        "Scenarios",
        "Outcomes over time: lines are means across replications, bands the 10–90 % range; "
        "the second chart is each scenario minus the baseline, paired by replication "
        "(same seeds in every scenario).",
    )
    solara.ToggleButtonsSingle(value=source, values=[RUN_HERE, LOAD_DATASET], on_value=set_source)
    if source == RUN_HERE:
        ScenarioRunner(on_result=set_frame)
    else:
        DatasetLoader(on_result=set_frame)
    ScenarioCharts(frame)


@solara.component
def ScenarioRunner(on_result: Any) -> None:
    """Controls to run scenarios off the UI thread, with progress and Cancel."""
    scenarios = solara.use_memo(lambda: list_scenarios(configs_dir()), [])
    chosen, set_chosen = solara.use_state(list(scenarios))
    replications, set_replications = solara.use_state(DEFAULT_REPLICATIONS)
    years, set_years = solara.use_state(DEFAULT_YEARS)
    scale, set_scale = solara.use_state(SCENARIO_SCALE)
    request, set_request = solara.use_state(0)
    progress, set_progress = solara.use_state((0, 0))

    def job(cancel: threading.Event) -> pd.DataFrame | None:
        if request == 0:
            return None
        set_progress((0, len(chosen) * replications))
        frame = run_scenarios(
            {name: scenarios[name] for name in chosen},
            replications,
            scale=scale,
            years=years,
            on_progress=lambda done, total: set_progress((done, total)),
            cancelled=cancel.is_set,
        )
        on_result(frame)
        return frame

    result = solara.use_thread(job, dependencies=[request], intrusive_cancel=False)
    running = result.state in (
        solara.ResultState.STARTING,
        solara.ResultState.WAITING,
        solara.ResultState.RUNNING,
    )
    with solara.Card("Run scenarios"):
        solara.SelectMultiple("Scenarios", chosen, list(scenarios), on_value=set_chosen)
        with solara.Row():
            solara.SliderInt(
                f"Replications: {replications}",
                value=replications,
                min=1,
                max=10,
                on_value=set_replications,
            )
            solara.SliderInt(
                f"Years: {years}",
                value=years,
                min=5,
                max=30,
                on_value=set_years,
            )
            solara.Select(
                "Scale",
                values=[0.01, 0.02, 0.05],
                value=scale,
                on_value=set_scale,
            )
        with solara.Row():
            solara.Button(
                "Run",
                on_click=lambda: set_request(request + 1),
                color="primary",
                disabled=running or not chosen,
            )
            solara.Button("Cancel", on_click=result.cancel, disabled=not running)
        done, total = progress
        if running:
            solara.ProgressLinear(100 * done / total if total else True)
            solara.Text(f"Running: {done} of {total} runs done")
        elif result.state == solara.ResultState.CANCELLED:
            solara.Warning(f"Cancelled after {done} of {total} runs; showing those.")
        elif result.state == solara.ResultState.ERROR:
            error = result.error
            message = str(error) if isinstance(error, ConfigError) else repr(error)
            solara.Error(f"The runs failed: {message}")
        elif result.state == solara.ResultState.FINISHED and total:
            solara.Success(f"{done} runs done.")


@solara.component
def DatasetLoader(on_result: Any) -> None:
    """Pick a dataset under the results roots and pass its ok runs' outcomes on."""
    roots = solara.use_memo(results_roots, [])
    found = solara.use_memo(lambda: find_datasets(roots), [])
    labels = {display_name(path, roots): path for path in found}
    chosen, set_chosen = solara.use_state("")
    error, set_error = solara.use_state("")

    def load(label: str) -> None:
        set_chosen(label)
        try:
            data = load_sweep(resolve_under_roots(labels[label], roots))
        except (DatasetError, OutsideRootsError) as exc:
            set_error(str(exc))
            on_result(pd.DataFrame())
            return
        set_error("")
        ok = data.runs.loc[data.runs["status"] == "ok", "run_id"]
        frame = data.outcomes[data.outcomes["run_id"].isin(ok)]
        if "scenario" not in frame or frame["scenario"].nunique() < 2:
            frame = frame.assign(scenario="point " + frame["point_id"].astype(str))
        if "replication" not in frame:
            frame = frame.assign(replication=0)
        on_result(frame)

    with solara.Card("Load a dataset"):
        if not roots:
            solara.Info("No results roots: start with `talentsim dashboard DIR` to load datasets.")
        elif not labels:
            solara.Info(f"No datasets under {', '.join(map(str, roots))}.")
        else:
            solara.Select("Dataset", values=list(labels), value=chosen or None, on_value=load)
        if error:
            solara.Error(error)


@solara.component
def ScenarioCharts(frame: pd.DataFrame) -> None:
    """Band chart and difference-from-baseline chart for the chosen outcome."""
    outcome, set_outcome = solara.use_state("retention_rate")
    baseline, set_baseline = solara.use_state("baseline")
    if frame.empty:
        Chart(message_figure("No runs yet: press Run, or load a dataset."))
        return
    groups = sorted(frame["scenario"].unique())
    options = [c for c in KEY_OUTCOMES if c in frame] or [
        c for c in frame.select_dtypes("number").columns if c not in ("year", "replication")
    ]
    chosen = outcome if outcome in options else options[0]
    base = baseline if baseline in groups else groups[0]
    with solara.Row():
        solara.Select("Outcome", values=options, value=chosen, on_value=set_outcome)
        solara.Select("Baseline", values=groups, value=base, on_value=set_baseline)
    colors = color_map([str(g) for g in groups])
    title = f"{label_of(chosen)} by scenario"
    Chart(band_figure(band_table(frame, chosen), chosen, title, colors=colors))
    try:
        diff = difference_table(frame, chosen, base)
        title = f"{label_of(chosen)}: difference from {base}"
        Chart(band_figure(diff, chosen, title, colors=colors))
    except NotAvailableError as exc:
        solara.Info(str(exc))
