"""Live city page: policy levers, scale and seed; Play / Step / Reset; outcomes and a Sankey."""

from __future__ import annotations

import threading
import time
from typing import Any

import solara

from dashboards.charts import outcomes_figure, sankey_figure
from dashboards.components.common import Chart, PageTitle
from dashboards.levers import LEVERS, LeverSpec, format_value
from dashboards.live_session import DEFAULT_SCALE, SCALES, LiveSession
from dashboards.roots import configs_dir
from dashboards.scenario_runs import list_scenarios
from talentsim.config import ConfigError, resolve_config

PLAY_PAUSE_SECONDS = 0.05
RENDER_WAIT_SECONDS = 5.0


@solara.component
def LeverControl(spec: LeverSpec, value: Any, on_value: Any, disabled: bool = False) -> None:
    """A slider or switch for one lever, labelled with its current value and unit."""
    label = f"{spec.label}: {format_value(spec, value)}"
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


@solara.component
def LivePage() -> None:
    """The live city: move levers, step the city year by year, watch outcomes and flows."""
    scenarios = solara.use_memo(lambda: list_scenarios(configs_dir()), [])
    names = list(scenarios)
    scenario, set_scenario = solara.use_state("baseline" if "baseline" in names else names[0])
    session: LiveSession = solara.use_memo(
        lambda: LiveSession(resolve_config(scenarios[scenario])), []
    )
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

    PageTitle(
        "Live city",
        "Set the policy levers, then <b>Step</b> or <b>Play</b> the city year by year. Changing a "
        "lever, the scale or the seed restarts the run; the previous run stays dashed.",
    )
    with solara.Columns([1, 3]):
        with solara.Card("Levers", classes=["talentsim-levers"]):
            solara.Select(label="Scenario", values=names, value=scenario, on_value=on_scenario)
            for spec in LEVERS:
                LeverControl(
                    spec,
                    session.levers[spec.path],
                    lambda value, path=spec.path: configure(levers={path: value}),
                    disabled=playing,
                )
            solara.Select(
                label="Scale (share of persons and firms simulated)",
                values=list(SCALES),
                value=session.scale,
                on_value=lambda value: configure(scale=float(value)),
                disabled=playing,
            )
            solara.InputInt(
                label="Seed",
                value=session.seed,
                on_value=lambda value: configure(seed=int(value)),
                disabled=playing,
            )
            solara.SliderInt(
                label=f"Horizon: {session.horizon} years",
                value=session.horizon,
                min=5,
                max=40,
                on_value=lambda value: configure(horizon=int(value)),
                disabled=playing,
            )
        with solara.Column():
            if error:
                solara.Error(error)
            RunView(session, playing, set_playing, configured)


@solara.component
def RunView(session: LiveSession, playing: bool, set_playing: Any, configured: int) -> None:
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
            "Pause" if playing else "Play",
            on_click=lambda: set_playing(not playing),
            color="primary",
            disabled=session.finished and not playing,
        )
        solara.Button("Step", on_click=on_step, disabled=playing or session.finished)
        solara.Button("Reset", on_click=on_reset)
    solara.Text(_status(session, speed))
    last = session.start_year + session.horizon - 1
    Chart(outcomes_figure(session.outcomes, session.previous, (session.start_year, last)))
    Chart(sankey_figure(session.flows))

    def mark_rendered() -> None:
        if version == session.version:
            rendered.set()

    solara.use_effect(mark_rendered)  # after every render: the Play thread may step on
    _ = configured


def _status(session: LiveSession, speed: float) -> str:
    year = session.start_year + session.years_done - 1
    shown = (
        f"Year {year} ({session.years_done} of {session.horizon})"
        if session.years_done
        else (f"Not started: {session.horizon} years from {session.start_year}")
    )
    scale = session.scale if session.scale else DEFAULT_SCALE
    parts = [shown, f"scale {scale:g}", f"seed {session.seed}"]
    if session.step_seconds:
        parts.append(f"model {session.model_years_per_second():.1f} years/s")
    if speed:
        parts.append(f"playing at {speed:.1f} years/s")
    return " · ".join(parts)
