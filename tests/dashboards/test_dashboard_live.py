"""Live city live without a browser: Step, levers, Play/Pause, Reset."""

from __future__ import annotations

import re
import time

import ipyvuetify as v
import pytest
import solara
from plotly.graph_objs import FigureWidget

from dashboards.components.live import LivePage
from dashboards.levers import LEVERS, apply_levers, format_value, lever_values, unit_of
from dashboards.live_session import LiveSession
from talentsim.config import resolve_config

BASELINE = "configs/scenarios/baseline.yaml"


def wait_until(condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met")
        time.sleep(0.05)


def status_text(rc) -> str:
    texts = [w.children[0] for w in rc.find(v.Html, tag="span").widgets if w.children]
    return next(t for t in texts if isinstance(t, str) and " · scale " in t)


def click(rc, label: str) -> None:
    """Click a button once it is rendered (renders from the Play thread may lag a little)."""
    wait_until(lambda: rc.find(v.Btn, children=[label]).widgets)
    rc.find(v.Btn, children=[label]).widget.click()


def years_done(rc) -> int:
    match = re.search(r"\((\d+) of \d+\)", status_text(rc))
    return int(match.group(1)) if match else 0


def slider(rc, prefix: str):
    return next(w for w in rc.find(v.Slider).widgets if w.label.startswith(prefix))


def outcome_series(rc) -> list[tuple]:
    figure = rc.find(FigureWidget).widgets[0]
    return [tuple(trace.y) for trace in figure.data]


@pytest.fixture
def live():
    _box, rc = solara.render(LivePage(), handle_error=False)
    yield rc
    rc.close()


def test_units_come_from_the_schema():
    assert unit_of("policy.apprenticeship_subsidy.value") == "RMB/apprentice-year"
    assert unit_of("policy.talent_subsidy.monthly_allowance") == "RMB/month"
    assert unit_of("policy.coordination.value") == "strength 0-1"
    spec = next(s for s in LEVERS if s.path.endswith("apprenticeship_subsidy.value"))
    assert format_value(spec, 5000) == "5,000 RMB/apprentice-year"


def test_apply_levers_validates_against_the_schema():
    base = resolve_config(BASELINE)
    changed = apply_levers(base, {"policy.coordination.value": 0.5, "policy.park.enabled": True})
    assert changed.policy.coordination.value == 0.5
    assert changed.policy.park.enabled is True
    assert lever_values(changed)["policy.coordination.value"] == 0.5
    with pytest.raises(ValueError, match="coordination"):
        apply_levers(base, {"policy.coordination.value": 2.0})


def test_session_lever_change_restarts_and_keeps_previous_run():
    session = LiveSession(resolve_config(BASELINE), scale=0.01, horizon=5)
    session.step()
    session.step()
    assert session.years_done == 2
    session.configure(levers={"policy.apprenticeship_subsidy.value": 5000})
    assert session.years_done == 0
    assert len(session.previous) == 2
    assert session.config.policy.apprenticeship_subsidy.value == 5000
    with pytest.raises(ValueError, match="invalid lever"):
        session.configure(levers={"policy.coordination.value": -1})
    assert session.config.policy.apprenticeship_subsidy.value == 5000


def test_step_adds_a_year_to_the_charts(live):
    assert outcome_series(live) == []
    live.find(v.Btn, children=["Step"]).widget.click()
    first = outcome_series(live)
    assert first and all(len(y) == 1 for y in first)
    live.find(v.Btn, children=["Step"]).widget.click()
    second = outcome_series(live)
    assert all(len(y) == 2 for y in second)
    assert "Year 2025 (2 of 20)" in status_text(live)
    sankey = live.find(FigureWidget).widgets[1]
    assert sankey.data[0].type == "sankey"
    assert "Left the city" in sankey.data[0].node.label


def test_moving_a_lever_restarts_the_run_with_the_new_value(live):
    live.find(v.Btn, children=["Step"]).widget.click()
    slider(live, "Coordination body").v_model = 0.6
    assert "0.60 strength 0-1" in slider(live, "Coordination body").label
    assert "Not started" in status_text(live)
    traces = live.find(FigureWidget).widgets[0].data
    assert {t.name for t in traces} == {"previous run"}  # the old run, dashed
    live.find(v.Btn, children=["Step"]).widget.click()
    assert {t.name for t in live.find(FigureWidget).widgets[0].data} == {
        "previous run",
        "this run",
    }


def test_play_steps_off_the_ui_thread_and_pause_stops(live):
    slider(live, "Horizon").v_model = 6
    live.find(v.Btn, children=["Play"]).widget.click()
    wait_until(lambda: "(6 of 6)" in status_text(live))
    wait_until(lambda: live.find(v.Btn, children=["Play"]).widgets)  # stops at the horizon
    assert live.find(v.Btn, children=["Step"]).widget.disabled
    click(live, "Reset")
    wait_until(lambda: "Not started" in status_text(live))  # after the Play thread's last render
    slider(live, "Horizon").v_model = 40
    live.find(v.Btn, children=["Play"]).widget.click()
    wait_until(lambda: years_done(live) >= 1)
    click(live, "Pause")
    wait_until(lambda: live.find(v.Btn, children=["Play"]).widgets)
    time.sleep(1.0)  # let a step in flight finish (a year can take most of a second)
    done = years_done(live)
    time.sleep(0.3)
    assert years_done(live) == done < 40


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"scale": -1.0}, "scale = -1"),
        ({"scale": 1.0}, "scale = 1: must be in (0, 0.1]"),
        ({"scale": 1e-9}, "use scale >="),  # the schema's floor, as in the CLI
        ({"scale": "0.02"}, "scale: expected a number"),
        ({"horizon": 10**7}, "horizon = 10000000: out of range"),
        ({"seed": -3}, "seed = -3: out of range"),
        ({"levers": {"policy.coordination.value": float("nan")}}, "invalid lever values"),
    ],
)
def test_values_sent_by_the_browser_are_validated_on_the_server(change, words):
    session = LiveSession(resolve_config(BASELINE))
    before = (session.config, session.horizon)
    with pytest.raises(ValueError, match=re.escape(words)):
        session.configure(**change)
    assert (session.config, session.horizon) == before  # the run is left unchanged


def test_scenario_runs_refuse_more_work_than_the_page_offers(tmp_path):
    from dashboards.scenario_runs import run_scenarios
    from talentsim.config import ConfigError

    scenarios = {"baseline": BASELINE}
    with pytest.raises(ValueError, match="replications = 1000000: must be 1 to 30"):
        run_scenarios(scenarios, 10**6, scale=0.02, years=2)
    with pytest.raises(ValueError, match=r"scale = 1: at most 0\.1"):
        run_scenarios(scenarios, 1, scale=1.0, years=2)
    with pytest.raises(ConfigError, match="years"):
        run_scenarios(scenarios, 1, scale=0.02, years=10**7)
    with pytest.raises(ConfigError, match="scale"):
        run_scenarios(scenarios, 1, scale=1e-9, years=2)


def test_an_unknown_scenario_name_is_a_clear_error():
    from pathlib import Path

    from dashboards.scenario_runs import select_scenarios

    available = {"baseline": Path(BASELINE), "combined": Path("configs/scenarios/combined.yaml")}
    assert list(select_scenarios(available, ["combined"])) == ["combined"]
    with pytest.raises(
        ValueError, match=re.escape("unknown scenario '../../etc/passwd'; choose from")
    ):
        select_scenarios(available, ["baseline", "../../etc/passwd"])
