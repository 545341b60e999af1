"""Live city page: levers with start years, scale, seed; Play / Step / Reset; charts; sharing.

The lever state can be taken away as a shareable link (query parameters) and as a scenario
file that ``talentsim validate`` accepts.
"""

from __future__ import annotations

import html
import threading
import time
from typing import Any

import solara

from dashboards.charts import outcomes_figure, sankey_figure
from dashboards.components.common import Chart, PageTitle, query, use_lang, with_query
from dashboards.levers import LEVERS, LeverSpec, format_value, parse_lever, scenario_yaml
from dashboards.live_session import DEFAULT_SCALE, SCALES, LiveSession
from dashboards.roots import OutsideRootsError, configs_dir, resolve_under_roots, results_roots
from dashboards.scenario_runs import list_scenarios, scenario_files
from talentsim.analysis.catalogue import DEFAULT_LANG, Lang, M, lever_label
from talentsim.config import ConfigError, resolve_config

PLAY_PAUSE_SECONDS = 0.05
RENDER_WAIT_SECONDS = 5.0


@solara.component
def LeverControl(
    spec: LeverSpec,
    value: Any,
    on_value: Any,
    disabled: bool = False,
    lang: Lang = DEFAULT_LANG,
    start: tuple[int, int, int] | None = None,
    on_start: Any = None,
) -> None:
    """A slider or switch for one lever, labelled with its value and unit, and its start year.

    ``start`` is (start year, first simulated year, last simulated year); a start year before
    the first simulated year (0 in the schema) is shown as the first year.
    """
    label = f"{lever_label(spec.path, lang)}: {format_value(spec, value, lang)}"
    if spec.kind == "bool":
        solara.Switch(label=label, value=bool(value), on_value=on_value, disabled=disabled)
    elif spec.kind == "int":
        solara.SliderInt(
            label=label,
            value=int(value),
            min=int(spec.low),
            max=int(spec.high),
            step=int(spec.step),
            on_value=on_value,
            disabled=disabled,
        )
    else:
        solara.SliderFloat(
            label=label,
            value=float(value),
            min=spec.low,
            max=spec.high,
            step=spec.step,
            on_value=on_value,
            disabled=disabled,
        )
    if start is not None:
        year, first, last = start
        shown = max(int(year), first)
        text = M.from_start(lang) if shown == first else str(shown)
        solara.SliderInt(
            label=f"{M.start_year(lang)}: {text}",
            value=shown,
            min=first,
            max=max(last, shown),
            on_value=on_start,
            disabled=disabled,
        )


def _play(session: LiveSession, set_tick: Any, set_playing: Any, rendered: threading.Event):
    """The Play loop for use_thread: step until paused (cancel) or the horizon.

    After each year it waits until the page has rendered that year before stepping on, so a
    render never has a queue of years to catch up with and Pause is handled at once.
    """

    def loop(cancel: threading.Event) -> None:
        started, steps = time.perf_counter(), 0
        while not cancel.is_set() and not session.finished:
            session.step()
            steps += 1
            rendered.clear()
            set_tick((session.version, steps / (time.perf_counter() - started)))
            rendered.wait(RENDER_WAIT_SECONDS)
            time.sleep(PLAY_PAUSE_SECONDS)
        if session.finished:
            set_playing(False)

    return loop


def levers_from_query(params: dict[str, str]) -> dict[str, Any]:
    """The lever values and start years a shared link sets (unknown or bad entries ignored)."""
    values: dict[str, Any] = {}
    for spec in LEVERS:
        try:
            if spec.path in params:
                values[spec.path] = parse_lever(spec, params[spec.path])
            if spec.start_path in params:
                values[spec.start_path] = int(params[spec.start_path])
        except ValueError:
            continue
    return values


def share_query(session: LiveSession, scenario: str, lang: Lang) -> str:
    """The query string that restores this page: language, scenario, changed levers, run."""
    base = LiveSession(session.base).levers
    changed = {p: v for p, v in session.levers.items() if base.get(p) != v}
    params: dict[str, str | None] = {"lang": lang, "scenario": scenario}
    params |= {p: str(v).lower() if isinstance(v, bool) else str(v) for p, v in changed.items()}
    params |= {"scale": f"{session.scale:g}", "seed": str(session.seed)}
    return with_query("", **params)


@solara.component
def LivePage() -> None:
    """The live city: move levers, step the city year by year, watch outcomes and flows."""
    lang = use_lang()
    router = solara.use_router()
    shared = solara.use_memo(lambda: query(router.search), [])
    roots = solara.use_memo(results_roots, [])
    found = solara.use_memo(lambda: list_scenarios(configs_dir(), roots), [])
    added, set_added = solara.use_state({})  # from a folder chosen on the page
    scenarios = {**found, **added}
    names = list(scenarios)
    first = shared.get("scenario", "baseline")
    scenario, set_scenario = solara.use_state(first if first in names else names[0])
    session: LiveSession = solara.use_memo(lambda: _session(scenarios[scenario], shared), [])
    playing, set_playing = solara.use_state(False)
    configured, set_configured = solara.use_state(0)  # bumped when the run's definition changes
    error, set_error = solara.use_state("")

    def configure(**changes: Any) -> None:
        try:
            session.configure(**changes)
            set_error("")
        except (ValueError, ConfigError) as exc:
            set_error(str(exc))
        set_configured(session.version)

    def on_scenario(name: str) -> None:
        set_playing(False)
        set_scenario(name)
        try:
            configure(base=resolve_config(scenarios[name]))
        except ConfigError as exc:
            set_error(str(exc))

    first_year = session.start_year
    last_year = first_year + session.horizon - 1
    PageTitle(M.page_live(lang), M.live_intro(lang))
    with solara.Columns([1, 3]):
        with solara.Column():
            with solara.Card(M.levers(lang), classes=["talentsim-levers"]):
                solara.Select(
                    label=M.base_scenario(lang), values=names, value=scenario, on_value=on_scenario
                )
                for spec in LEVERS:
                    LeverControl(
                        spec,
                        session.levers[spec.path],
                        lambda value, path=spec.path: configure(levers={path: value}),
                        disabled=playing,
                        lang=lang,
                        start=(session.levers[spec.start_path], first_year, last_year),
                        on_start=lambda year, path=spec.start_path: configure(
                            levers={path: int(year)}
                        ),
                    )
                solara.Select(
                    label=M.scale(lang),
                    values=list(SCALES),
                    value=session.scale,
                    on_value=lambda value: configure(scale=float(value)),
                    disabled=playing,
                )
                solara.InputInt(
                    label=M.seed(lang),
                    value=session.seed,
                    on_value=lambda value: configure(seed=int(value)),
                    disabled=playing,
                )
                solara.SliderInt(
                    label=M.horizon(lang, years=session.horizon),
                    value=session.horizon,
                    min=5,
                    max=40,
                    on_value=lambda value: configure(horizon=int(value)),
                    disabled=playing,
                )
            ScenarioFolder(roots, lambda files: set_added({**added, **files}), lang)
            ScenarioBuilder(session, scenarios[scenario], scenario, lang, configured)
        with solara.Column():
            if error:
                solara.Error(error)
            RunView(session, playing, set_playing, configured, lang)


def _session(path: Any, shared: dict[str, str]) -> LiveSession:
    """The live run of scenario file ``path``, with what a shared link sets."""
    session = LiveSession(resolve_config(path))
    try:
        session.configure(
            levers=levers_from_query(shared),
            scale=float(shared["scale"]) if "scale" in shared else None,
            seed=int(shared["seed"]) if "seed" in shared else None,
        )
    except ValueError:
        session.configure(levers={})  # a bad link: keep the scenario's own values
    return session


@solara.component
def ScenarioFolder(roots: list, on_found: Any, lang: Lang) -> None:
    """Add the scenario files of a folder (inside the results roots) to the scenario list."""
    text, set_text = solara.use_state("")
    message, set_message = solara.use_state("")
    if not roots:
        return

    def add() -> None:
        try:
            folder = resolve_under_roots(text, roots)
        except OutsideRootsError as exc:
            set_message(str(exc))
            return
        files = {f"{folder.name}/{p.relative_to(folder).with_suffix('')}": p
                 for p in scenario_files(folder, roots)}  # fmt: skip
        set_message(M.scenarios_found(lang, n=len(files), folder=str(folder)))
        on_found(files)

    with solara.Row():
        solara.InputText(M.scenario_folder(lang), value=text, on_value=set_text)
        solara.Button(M.add(lang), on_click=add)
    if message:
        solara.Text(message)


@solara.component
def ScenarioBuilder(
    session: LiveSession, base: Any, scenario: str, lang: Lang, configured: int
) -> None:
    """The lever state as a scenario YAML (``talentsim validate`` accepts it) and as a link."""
    name, set_name = solara.use_state(f"{scenario}_custom")
    _ = configured  # re-rendered when the levers change
    with solara.Card(M.builder(lang)):
        solara.HTML(tag="p", unsafe_innerHTML=M.builder_note(lang))
        solara.InputText(M.builder_name(lang), value=name, on_value=set_name)
        solara.FileDownload(
            lambda: scenario_yaml(base, name or "custom", dict(session.levers)).encode("utf-8"),
            filename=f"{name or 'custom'}.yaml",
            label=M.builder_download(lang),
            mime_type="application/x-yaml",
        )
        link = "?" + share_query(session, scenario, lang)
        solara.HTML(
            tag="p",
            unsafe_innerHTML=f'{M.share_link(lang)}: <a href="{html.escape(link)}" '
            f'class="talentsim-share">{html.escape(link)}</a>',
            style={"word-break": "break-all", "font-size": "12px"},
        )


@solara.component
def RunView(
    session: LiveSession,
    playing: bool,
    set_playing: Any,
    configured: int,
    lang: Lang = DEFAULT_LANG,
) -> None:
    """Play / Step / Reset, the status line and the charts.

    A component of its own so that a new year re-renders only this, not the lever panel.
    ``configured`` changes when the page changed the run (levers, scale, seed, horizon).
    """
    tick, set_tick = solara.use_state((0, 0.0))  # (session version shown, playing speed)
    rendered = solara.use_memo(threading.Event, [])
    version, speed = tick

    def on_step() -> None:
        if not session.finished:
            session.step()
        set_tick((session.version, speed))

    def on_reset() -> None:
        set_playing(False)
        session.reset()
        set_tick((session.version, 0.0))

    solara.use_thread(
        _play(session, set_tick, set_playing, rendered) if playing else lambda: None,
        dependencies=[playing],
        intrusive_cancel=False,
    )
    with solara.Row():
        solara.Button(
            M.pause(lang) if playing else M.play(lang),
            on_click=lambda: set_playing(not playing),
            color="primary",
            disabled=session.finished and not playing,
        )
        solara.Button(M.step(lang), on_click=on_step, disabled=playing or session.finished)
        solara.Button(M.reset(lang), on_click=on_reset)
    solara.Text(_status(session, speed, lang))
    last = session.start_year + session.horizon - 1
    years = (session.start_year, last)
    figure = outcomes_figure(session.outcomes, session.previous, years, lang=lang)
    Chart(figure, download="live_outcomes", lang=lang)
    Chart(sankey_figure(session.flows, lang=lang), download="live_flows", lang=lang)

    def mark_rendered() -> None:
        if version == session.version:
            rendered.set()

    solara.use_effect(mark_rendered)  # after every render: the Play thread may step on
    _ = configured


def _status(session: LiveSession, speed: float, lang: Lang = DEFAULT_LANG) -> str:
    year = session.start_year + session.years_done - 1
    shown = (
        M.status_year(lang, year=year, done=session.years_done, horizon=session.horizon)
        if session.years_done
        else M.status_not_started(lang, horizon=session.horizon, start=session.start_year)
    )
    scale = session.scale if session.scale else DEFAULT_SCALE
    parts = [
        shown,
        M.status_scale(lang, scale=f"{scale:g}"),
        M.status_seed(lang, seed=session.seed),
    ]
    if session.step_seconds:
        parts.append(M.status_model(lang, rate=f"{session.model_years_per_second():.1f}"))
    if speed:
        parts.append(M.status_playing(lang, rate=f"{speed:.1f}"))
    return " · ".join(parts)
