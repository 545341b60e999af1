"""Scenario page: outcomes over time with 95 % bands, paired differences from the baseline.

Scenarios × replications run off the UI thread (progress bar, Cancel), or a dataset is loaded.
"""

from __future__ import annotations

import threading
from typing import Any

import pandas as pd
import solara

from dashboards.charts import KEY_OUTCOMES, band_figure, color_map, message_figure
from dashboards.components.common import Chart, CsvDownload, PageTitle, use_lang
from dashboards.datasets import DatasetError, load_sweep
from dashboards.roots import (
    OutsideRootsError,
    configs_dir,
    display_name,
    find_datasets,
    resolve_under_roots,
    results_roots,
)
from dashboards.scenario_runs import list_scenarios, run_scenarios, select_scenarios
from dashboards.stats import NotAvailableError, band_table, difference_table, horizon_differences
from talentsim.analysis import formats
from talentsim.analysis.catalogue import DEFAULT_LANG, Lang, M, outcome_label, scenario_label
from talentsim.analysis.figures import difference_panels
from talentsim.config import ConfigError

DEFAULT_REPLICATIONS = 20
DEFAULT_YEARS = 20
SCENARIO_SCALE = 0.05
"""Defaults of the shipped recommendations study (20 paired replications, scale 0.05, 20 years).

With 3 replications at 0.02 seed noise looked like a 10–15 point effect; with 10 at 0.05, 5 of
the study's 45 detected differences read "no detectable difference". The six scenarios × 20
runs take about a minute on two cores.
"""
SCALES = (0.01, 0.02, 0.05, 0.1)


@solara.component
def ScenarioPage() -> None:
    """Compare scenarios: run them here or load a sweep dataset from a results root."""
    lang = use_lang()
    source, set_source = solara.use_state(0)  # 0: run here, 1: load a dataset
    frame, set_frame = solara.use_state(pd.DataFrame())
    PageTitle(M.page_scenarios(lang), M.scenarios_intro(lang))
    choices = [M.run_here(lang), M.load_dataset(lang)]
    solara.ToggleButtonsSingle(
        value=choices[source], values=choices, on_value=lambda c: set_source(choices.index(c))
    )
    if source == 0:
        ScenarioRunner(on_result=set_frame, lang=lang)
    else:
        DatasetLoader(on_result=set_frame, lang=lang)
    ScenarioCharts(frame, lang)


@solara.component
def ScenarioRunner(on_result: Any, lang: Lang = DEFAULT_LANG) -> None:
    """Controls to run scenarios off the UI thread, with progress and Cancel."""
    scenarios = solara.use_memo(lambda: list_scenarios(configs_dir(), results_roots()), [])
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
            select_scenarios(scenarios, list(chosen)),  # names come from the browser
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
    with solara.Card(M.run_scenarios(lang)):
        solara.SelectMultiple(M.scenarios(lang), chosen, list(scenarios), on_value=set_chosen)
        with solara.Row():
            solara.SliderInt(
                M.replications(lang, n=replications),
                value=replications,
                min=1,
                max=30,
                on_value=set_replications,
            )
            solara.SliderInt(
                M.years(lang, n=years),
                value=years,
                min=5,
                max=30,
                on_value=set_years,
            )
            solara.Select(M.scale_short(lang), values=list(SCALES), value=scale, on_value=set_scale)
        with solara.Row():
            solara.Button(
                M.run(lang),
                on_click=lambda: set_request(request + 1),
                color="primary",
                disabled=running or not chosen,
            )
            solara.Button(M.cancel(lang), on_click=result.cancel, disabled=not running)
        done, total = progress
        if running:
            solara.ProgressLinear(100 * done / total if total else True)
            solara.Text(M.running(lang, done=done, total=total))
        elif result.state == solara.ResultState.CANCELLED:
            solara.Warning(M.cancelled(lang, done=done, total=total))
        elif result.state == solara.ResultState.ERROR:
            error = result.error
            message = str(error) if isinstance(error, ConfigError) else repr(error)
            solara.Error(M.failed_runs(lang, message=message))
        elif result.state == solara.ResultState.FINISHED and total:
            solara.Success(M.done_runs(lang, done=done))


@solara.component
def DatasetLoader(on_result: Any, lang: Lang = DEFAULT_LANG) -> None:
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

    with solara.Card(M.load_dataset(lang)):
        if not roots:
            solara.Info(M.no_roots(lang))
        elif not labels:
            solara.Info(M.no_datasets(lang, roots=", ".join(map(str, roots))))
        else:
            solara.Select(M.dataset(lang), values=list(labels), value=chosen or None, on_value=load)
        if error:
            solara.Error(error)


@solara.component
def ScenarioCharts(frame: pd.DataFrame, lang: Lang = DEFAULT_LANG) -> None:
    """Levels and paired differences over time for one outcome; horizon differences for all.

    The bands are 95 % intervals across replications, and the small multiples are the report's
    (each run's mean over the horizon, paired with the baseline's), so the page and the report
    draw the same statistic the same way.
    """
    outcome, set_outcome = solara.use_state("retention_3y")
    baseline, set_baseline = solara.use_state("baseline")
    if frame.empty:
        Chart(message_figure(M.no_runs(lang)))
        return
    groups = sorted(frame["scenario"].unique())
    options = [c for c in KEY_OUTCOMES if c in frame] or [
        c for c in frame.select_dtypes("number").columns if c not in ("year", "replication")
    ]
    labels = {outcome_label(c, lang): c for c in options}
    chosen = outcome if outcome in options else options[0]
    base = baseline if baseline in groups else groups[0]
    names = {str(g): scenario_label(str(g), lang) for g in groups}
    baselines = {names[str(g)]: g for g in groups}
    with solara.Row():
        solara.Select(
            M.outcome_select(lang),
            values=list(labels),
            value=outcome_label(chosen, lang),
            on_value=lambda label: set_outcome(labels[label]),
        )
        solara.Select(
            M.baseline_select(lang),
            values=list(baselines),
            value=names[str(base)],
            on_value=lambda label: set_baseline(baselines[label]),
        )
    colors = color_map([str(g) for g in groups])
    label = outcome_label(chosen, lang)
    title = M.by_scenario(lang, outcome=label)
    levels = band_table(frame, chosen)
    Chart(
        band_figure(levels, chosen, title, colors=colors, lang=lang, names=names),
        download=f"{chosen}_by_scenario",
        lang=lang,
    )
    try:
        diff = difference_table(frame, chosen, base)
        horizon = horizon_differences(frame, options, base)
    except NotAvailableError:
        solara.Info(M.baseline_missing(lang, baseline=base))
        return
    title = M.diff_from(lang, outcome=label, baseline=names[str(base)])
    Chart(
        band_figure(diff, chosen, title, colors=colors, lang=lang, names=names, diff=True),
        download=f"{chosen}_difference",
        lang=lang,
    )
    NoiseSummary(horizon, base, names, lang)
    Chart(
        difference_panels(horizon, base, lang, names, options),
        download="differences_horizon",
        lang=lang,
    )
    CsvDownload(horizon, "differences_horizon", lang)


@solara.component
def NoiseSummary(horizon: pd.DataFrame, baseline: str, names: dict[str, str], lang: Lang) -> None:
    """One plain sentence per scenario naming the outcomes whose difference is within noise."""
    rows = horizon[horizon["scenario"] != baseline]
    if rows.empty:
        return
    if rows["n_pairs"].max() < 2:
        solara.Warning(M.one_replication(lang))
        return
    for scenario, part in rows.groupby("scenario", sort=False):
        noise = [
            outcome_label(str(o), lang)
            for o, lo, hi in zip(part["outcome"], part["diff_low"], part["diff_high"], strict=True)
            if formats.within_noise(lo, hi)
        ]
        sep = "、" if lang == "zh" else ", "
        sentence = (
            M.noise_summary(lang, baseline=names[str(baseline)], which=sep.join(noise))
            if noise
            else M.all_detected(lang)
        )
        solara.Text(f"{names.get(str(scenario), str(scenario))}: {sentence}")
