"""Scenario page and sweep explorer without a browser; the `talentsim dashboard` command."""

from __future__ import annotations

import re
import time
from pathlib import Path

import ipyvuetify as v
import pytest
import solara
from plotly.graph_objs import FigureWidget
from typer.testing import CliRunner

from dashboards.components.explorer import ExplorerPage
from dashboards.components.scenarios import ScenarioPage
from talentsim.cli import app


def wait_until(condition, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met")
        time.sleep(0.05)


def texts(rc) -> str:
    """Every string shown in the page's widgets (alerts, text, markdown sources)."""
    found = []

    def walk(widget):
        for child in getattr(widget, "children", None) or []:
            if isinstance(child, str):
                found.append(child)
            else:
                walk(child)

    walk(rc._container if hasattr(rc, "_container") else rc.find().widget)
    return "\n".join(found)


def figures(rc) -> list[FigureWidget]:
    return rc.find(FigureWidget).widgets


def slider(rc, prefix: str):
    return next(w for w in rc.find(v.Slider).widgets if w.label.startswith(prefix))


@pytest.fixture
def scenario_page():
    _box, rc = solara.render(ScenarioPage(), handle_error=False)
    yield rc
    rc.close()


@pytest.fixture
def explorer(roots_env):
    _box, rc = solara.render(ExplorerPage(), handle_error=False)
    yield rc
    rc.close()


def choose_scenarios(rc, names: list[str]) -> None:
    rc.find(v.Select, label="Scenarios").widget.v_model = names


def test_scenarios_run_off_the_ui_thread_with_bands_and_differences(scenario_page):
    rc = scenario_page
    choose_scenarios(rc, ["baseline", "demo_park"])
    slider(rc, "Replications").v_model = 2
    slider(rc, "Years").v_model = 5
    rc.find(v.Select, label="Scale").widget.v_model = 0.01
    rc.find(v.Btn, children=["Run"]).widget.click()
    wait_until(lambda: "4 runs done." in texts(rc))
    band, diff, panels = figures(rc)
    names = {trace.name for trace in band.data if trace.name}
    assert names == {"Baseline (status quo)", "Demonstration park (先行区)"}
    assert len(band.data[1].x) == 5  # five years
    assert {t.name for t in diff.data if t.name} == {"Demonstration park (先行区)"}
    assert "difference from Baseline (status quo)" in diff.layout.title.text
    # the report's small multiples: one panel per outcome, horizon means, in their units
    assert len(panels.data) == 7
    titles = [a.text for a in panels.layout.annotations]
    assert "Graduates still in the city after 3 years (pp)" in titles
    assert "Demonstration park (先行区): " in texts(rc)  # the plain sentence about noise


def test_cancel_stops_a_scenario_run_and_keeps_what_finished(scenario_page):
    rc = scenario_page
    choose_scenarios(rc, ["baseline", "combined"])
    slider(rc, "Replications").v_model = 10
    slider(rc, "Years").v_model = 5
    rc.find(v.Btn, children=["Run"]).widget.click()
    wait_until(lambda: re.search(r"Running: [1-9]\d* of 20", texts(rc)))
    assert rc.find(v.ProgressLinear).widgets
    rc.find(v.Btn, children=["Cancel"]).widget.click()
    wait_until(lambda: "Cancelled after" in texts(rc))
    done = int(re.search(r"Cancelled after (\d+) of 20", texts(rc)).group(1))
    assert 1 <= done < 20
    assert not rc.find(v.Btn, children=["Run"]).widget.disabled
    assert figures(rc)[0].data  # the finished runs are shown


def test_scenario_page_loads_a_dataset_from_a_root(roots_env):
    _box, rc = solara.render(ScenarioPage(), handle_error=False)
    rc.find(v.BtnToggle).widget.v_model = 1  # "Load a dataset"
    select = rc.find(v.Select, label="Dataset").widget
    assert set(select.items) == {"results/grid", "results/sobol", "results/broken"}
    select.v_model = "results/broken"
    assert "cannot read JSON" in texts(rc)
    select.v_model = "results/grid"
    wait_until(lambda: len(figures(rc)[0].data) > 0)
    assert figures(rc)[0].layout.title.text.startswith("Graduates still")
    rc.close()


def open_path(rc, path: str) -> None:
    rc.find(v.TextField, label="Or type a folder path").widget.v_model = path
    rc.find(v.Btn, children=["Open"]).widget.click()


def test_explorer_shows_fan_heatmap_and_failed_runs(explorer):
    explorer.find(v.Select, label="Sweep folder").widget.v_model = "results/grid"
    fan, heatmap = figures(explorer)
    assert [t.name for t in fan.data] == ["5–95 %", "25–75 %", "median"]
    assert heatmap.data[0].type == "heatmap" and len(heatmap.data[0].z) == 3
    shown = texts(explorer)
    assert "1 of 18 runs failed" in shown
    assert "sobol or morris design" in shown  # no sensitivity bars for a grid


def test_explorer_shows_sensitivity_bars_for_a_sobol_sweep(explorer):
    open_path(explorer, "sobol")
    bars = [f for f in figures(explorer) if f.data and f.data[0].type == "bar"]
    assert len(bars) == 1
    assert {t.name for t in bars[0].data} == {"ST", "S1"}


@pytest.mark.parametrize("path", ["/etc", "../..", "grid/../../../"])
def test_explorer_refuses_paths_outside_the_roots(explorer, path):
    open_path(explorer, path)
    assert "outside the results roots" in texts(explorer)
    assert not figures(explorer)


def test_explorer_shows_a_clear_message_for_a_broken_or_missing_dataset(explorer):
    open_path(explorer, "broken")
    assert "manifest.json: cannot read JSON" in texts(explorer)
    open_path(explorer, "missing")
    assert "no such folder" in texts(explorer)
    assert not figures(explorer)


def test_explorer_without_roots_says_how_to_give_them(monkeypatch):
    monkeypatch.delenv("TALENTSIM_RESULTS_ROOTS", raising=False)
    _box, rc = solara.render(ExplorerPage(), handle_error=False)
    assert "talentsim dashboard DIR" in texts(rc)
    rc.close()


def test_dashboard_command_binds_loopback_and_passes_the_roots(tmp_path: Path, monkeypatch):
    calls = []
    monkeypatch.setattr("talentsim.cli.serve", lambda cmd, env: calls.append((cmd, env)) or 0)
    result = CliRunner().invoke(app, ["dashboard", str(tmp_path), "--port", "9999"])
    assert result.exit_code == 0, result.output
    command, env = calls[0]
    assert command[command.index("--host") + 1] == "127.0.0.1"
    assert command[command.index("--port") + 1] == "9999"
    assert "--production" in command and "--no-check-version" in command  # nothing online
    assert env["TALENTSIM_RESULTS_ROOTS"] == str(tmp_path.resolve())
    assert env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "False"


def test_dashboard_command_refuses_a_missing_root(tmp_path: Path):
    result = CliRunner().invoke(app, ["dashboard", str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert "nope: not a folder" in result.output
