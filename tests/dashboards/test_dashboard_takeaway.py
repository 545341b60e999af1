"""Without a browser: the scenario builder's file, the shared link, 中文 charts, colours."""

from __future__ import annotations

import ipyvuetify as v
import numpy as np
import pandas as pd
import solara
from plotly.graph_objs import FigureWidget
from typer.testing import CliRunner

from dashboards.charts import band_figure, color_map
from dashboards.components.live import levers_from_query, share_query
from dashboards.components.scenarios import ScenarioCharts
from dashboards.levers import scenario_yaml
from dashboards.live_session import LiveSession
from dashboards.roots import configs_dir
from dashboards.scenario_runs import list_scenarios
from talentsim.analysis.figures import scenario_colours
from talentsim.cli import app
from talentsim.config import resolve_config

BASELINE = configs_dir() / "scenarios" / "baseline.yaml"


def test_scenario_builder_writes_a_file_validate_accepts_with_the_levers(tmp_path):
    session = LiveSession(resolve_config(BASELINE))
    session.configure(
        levers={"policy.coordination.value": 0.7, "policy.coordination.start_year": 2027}
    )
    path = tmp_path / "elsewhere" / "mine.yaml"
    path.parent.mkdir()
    path.write_text(scenario_yaml(BASELINE, "mine", session.levers), encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    config = resolve_config(path)
    assert config.name == "mine"
    assert config.policy.coordination.value == 0.7
    assert config.policy.coordination.start_year == 2027


def test_a_shared_link_restores_changed_levers_and_start_years():
    session = LiveSession(resolve_config(BASELINE))
    session.configure(levers={"policy.park.enabled": True, "policy.park.start_year": 2026})
    link = share_query(session, "baseline", "zh")
    assert "lang=zh" in link and "policy.park.enabled=true" in link
    params = dict(part.split("=", 1) for part in link.split("&"))
    restored = levers_from_query(params)
    assert restored["policy.park.enabled"] is True
    assert restored["policy.park.start_year"] == 2026
    assert levers_from_query({"policy.coordination.value": "lots"}) == {}  # a bad link: ignored


def _frame() -> pd.DataFrame:
    rng = np.random.default_rng(1)
    rows = [
        {"scenario": s, "replication": r, "year": y,
         "retention_3y": 0.5 + (0.05 if s == "combined" else 0) + rng.normal(0, 0.01),
         "fiscal_cost": 1e9 + rng.normal(0, 1e7)}
        for s in ("baseline", "combined") for r in range(4) for y in (2024, 2025, 2026)
    ]  # fmt: skip
    return pd.DataFrame(rows)


def test_scenario_charts_speak_chinese_and_say_what_is_within_noise():
    _box, rc = solara.render(ScenarioCharts(_frame(), "zh"), handle_error=False)
    band, _diff, panels = rc.find(FigureWidget).widgets
    assert band.layout.title.text == "各情景的毕业3年留淄率"
    assert band.layout.yaxis.title.text == "毕业3年留淄率（%）"
    assert {t.name for t in band.data if t.name} == {"基准情景（现状）", "四项建议组合"}
    assert "毕业3年留淄率（个百分点）" in [a.text for a in panels.layout.annotations]
    shown = [w.children[0] for w in rc.find(v.Html).widgets if w.children]
    assert any("政策财政支出" in str(t) and "无可检测差异" in str(t) for t in shown)
    rc.close()


def test_a_scenario_has_the_report_colour_on_the_dashboard():
    table = pd.DataFrame(
        {"scenario": ["combined", "x"], "year": [2024, 2024], "mean": [0.5, 0.5],
         "low": [0.4, 0.4], "high": [0.6, 0.6]}
    )  # fmt: skip
    fig = band_figure(table, "retention_3y", "t")
    line = next(t for t in fig.data if t.name == "combined")
    assert line.line.color == scenario_colours(["combined"])["combined"]
    assert color_map(["x", "combined"]) == scenario_colours(["combined", "x"])


def test_scenario_files_under_a_results_root_are_listed_but_not_experiments(tmp_path):
    root = tmp_path / "results"
    (root / "mine").mkdir(parents=True)
    (root / "mine" / "park.yaml").write_text(
        f"base: {BASELINE}\nname: park\npolicy: {{park: {{enabled: true}}}}\n", encoding="utf-8"
    )
    (root / "mine" / "sweep.yaml").write_text("design: {kind: grid}\nbase: x\n", encoding="utf-8")
    (root / "mine" / "notes.yaml").write_text("- a list\n", encoding="utf-8")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.yaml").write_text("policy: {}\n", encoding="utf-8")
    (root / "link").symlink_to(outside)
    found = list_scenarios(configs_dir(), [root])
    assert found["results/mine/park"] == root / "mine" / "park.yaml"
    assert "baseline" in found
    assert not any(name.startswith("results/") and name != "results/mine/park" for name in found)
    assert resolve_config(found["results/mine/park"]).policy.park.enabled is True
