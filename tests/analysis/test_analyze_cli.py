from __future__ import annotations

import json
from html.parser import HTMLParser

import numpy as np
import pandas as pd
from SALib.sample import latin
from SALib.sample import sobol as sobol_sample
from typer.testing import CliRunner

from talentsim.cli import app


class Scripts(HTMLParser):
    """Collects figure divs, script sources and inline script sizes."""

    def __init__(self) -> None:
        super().__init__()
        self.figure_divs: list[str] = []
        self.external: list[str] = []
        self.inline_sizes: list[int] = []
        self.tables = 0
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "div" and str(attributes.get("id", "")).startswith("figure-"):
            self.figure_divs.append(attributes["id"])
        if tag == "script":
            if attributes.get("src"):
                self.external.append(attributes["src"])
            self._in_script = True
            self.inline_sizes.append(0)
        if tag == "table":
            self.tables += 1

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.inline_sizes[-1] += len(data)


def analyze(*args: str):
    return CliRunner().invoke(app, ["analyze", *map(str, args)])


def test_report_is_self_contained_with_every_figure_and_csv_tables(scenario_dataset, tmp_path):
    folder = scenario_dataset()
    report = tmp_path / "out" / "study.html"
    result = analyze(folder, "--report", report)
    assert result.exit_code == 0, result.output
    page = report.read_text(encoding="utf-8")
    parsed = Scripts()
    parsed.feed(page)
    assert parsed.external == []
    # plotly.js inline exactly once (several MB), not once per figure
    assert sum(size > 1_000_000 for size in parsed.inline_sizes) == 1
    assert "Plotly.newPlot" in page
    # difference bars (final, horizon), levels and differences over time, Sankey
    assert parsed.figure_divs == [f"figure-{k}" for k in range(1, 6)]
    assert '"type":"sankey"' in page.replace(" ", "")
    assert parsed.tables >= 4
    headline = pd.read_csv(tmp_path / "out" / "study_headline.csv")
    assert list(headline["scenario"]) == ["baseline", "policy", "weak"]
    for name in ("summary_final", "summary_horizon", "by_year", "cost_effectiveness"):
        assert (tmp_path / "out" / f"study_{name}.csv").exists()
    assert "policy" in result.output


def test_outcome_option_limits_the_analysis(scenario_dataset, tmp_path):
    report = tmp_path / "r.html"
    result = analyze(scenario_dataset(), "--outcome", "retention_3y", "--report", report)
    assert result.exit_code == 0, result.output
    final = pd.read_csv(tmp_path / "r_summary_final.csv")
    assert set(final["outcome"]) == {"retention_3y"}


def test_sobol_report_has_sensitivity_bars(sampled_dataset, tmp_path):
    problem = {"num_vars": 2, "names": ["a", "b"], "bounds": [[0, 1], [0, 1]]}
    x = sobol_sample.sample(problem, 32, calc_second_order=False, seed=1)
    design = {"kind": "sobol", "n": 32, "second_order": False, "problem": problem}
    folder = sampled_dataset(x, problem["names"], 3 * x[:, 0] + x[:, 1], design)
    report = tmp_path / "s.html"
    result = analyze(folder, "--report", report)
    assert result.exit_code == 0, result.output
    indices = pd.read_csv(tmp_path / "s_sensitivity.csv").set_index("parameter")
    assert indices.loc["a", "ST"] > indices.loc["b", "ST"]
    assert "Sobol indices" in report.read_text(encoding="utf-8")


def test_lhs_report_has_a_prim_box(sampled_dataset, tmp_path):
    problem = {"num_vars": 2, "names": ["a", "b"], "bounds": [[0, 1], [0, 1]]}
    x = latin.sample(problem, 200, seed=4)
    folder = sampled_dataset(x, problem["names"], x[:, 1], {"kind": "lhs", "problem": problem})
    report = tmp_path / "l.html"
    result = analyze(folder, "--threshold", "0.8", "--report", report)
    assert result.exit_code == 0, result.output
    box = pd.read_csv(tmp_path / "l_prim_box.csv").set_index("parameter")
    assert box.loc["b", "restricted"]
    assert "Scenario discovery" in report.read_text(encoding="utf-8")


def test_missing_folder_exits_2(tmp_path):
    result = analyze(tmp_path / "nowhere", "--report", tmp_path / "r.html")
    assert result.exit_code == 2
    assert "not a folder" in result.output
    assert not (tmp_path / "r.html").exists()


def test_missing_file_exits_2_naming_it(scenario_dataset, tmp_path):
    folder = scenario_dataset()
    (folder / "runs.parquet").unlink()
    result = analyze(folder, "--report", tmp_path / "r.html")
    assert result.exit_code == 2
    assert "runs.parquet" in result.output
    assert "missing" in result.output
    assert list(tmp_path.glob("r*")) == []


def test_missing_column_exits_2_naming_it(scenario_dataset, tmp_path):
    folder = scenario_dataset()
    outcomes = pd.read_parquet(folder / "outcomes.parquet").drop(columns="replication")
    outcomes.to_parquet(folder / "outcomes.parquet")
    result = analyze(folder)
    assert result.exit_code == 2
    assert "outcomes.parquet" in result.output
    assert "replication" in result.output


def test_foreign_folder_a_single_run_output_exits_2(tmp_path):
    folder = tmp_path / "run"
    folder.mkdir()
    pd.DataFrame({"year": [2025], "retention_3y": [0.7]}).to_parquet(folder / "outcomes.parquet")
    (folder / "manifest.json").write_text(json.dumps({"config_file": "x.yaml", "seed": 1}))
    result = analyze(folder)
    assert result.exit_code == 2
    assert "design" in result.output


def test_unknown_design_kind_exits_2(scenario_dataset):
    folder = scenario_dataset()
    (folder / "manifest.json").write_text(json.dumps({"design": {"kind": "factorial"}}))
    result = analyze(folder)
    assert result.exit_code == 2
    assert "design.kind" in result.output


def test_sobol_with_a_failed_point_exits_2(sampled_dataset, tmp_path):
    problem = {"num_vars": 2, "names": ["a", "b"], "bounds": [[0, 1], [0, 1]]}
    x = sobol_sample.sample(problem, 16, calc_second_order=False, seed=1)
    design = {"kind": "sobol", "n": 16, "second_order": False, "problem": problem}
    folder = sampled_dataset(x, problem["names"], x[:, 0], design, fail_points=(5,))
    result = analyze(folder, "--report", tmp_path / "r.html")
    assert result.exit_code == 2
    assert "point_id 5" in result.output
    assert not (tmp_path / "r.html").exists()


def test_unknown_outcome_and_missing_baseline_exit_2(scenario_dataset):
    folder = scenario_dataset()
    result = analyze(folder, "--outcome", "happiness")
    assert result.exit_code == 2
    assert "happiness" in result.output
    result = analyze(folder, "--baseline", "status_quo")
    assert result.exit_code == 2
    assert "status_quo" in result.output


def test_comparison_pairs_by_replication_not_row_order(scenario_dataset, tmp_path):
    folder = scenario_dataset(noise=0.0)
    outcomes = pd.read_parquet(folder / "outcomes.parquet")
    shuffled = outcomes.iloc[np.random.default_rng(0).permutation(len(outcomes))]
    shuffled.to_parquet(folder / "outcomes.parquet")
    report = tmp_path / "r.html"
    assert analyze(folder, "--report", report).exit_code == 0
    final = pd.read_csv(tmp_path / "r_summary_final.csv").set_index(["scenario", "outcome"])
    assert np.isclose(final.loc[("policy", "retention_3y"), "diff"], 0.05)
    assert np.isclose(final.loc[("policy", "retention_3y"), "diff_low"], 0.05)


def test_grid_is_compared_with_its_first_point_and_tables_carry_the_levers(
    sampled_dataset, tmp_path
):
    x = np.array([[0.0, 1.0], [5000.0, 1.0], [10000.0, 1.0]])
    names = ["policy.apprenticeship_subsidy.value", "firms.trainee_gain"]
    folder = sampled_dataset(x, names, x[:, 0] / 1000, {"kind": "grid", "levels": 3}, 2)
    report = tmp_path / "g.html"
    result = analyze(folder, "--report", report)
    assert result.exit_code == 0, result.output
    assert "first point 'point-0'" in result.output
    final = pd.read_csv(tmp_path / "g_summary_final.csv").set_index("scenario")
    assert final.loc["point-2", "diff"] == 10
    assert final.loc["point-2", "policy.apprenticeship_subsidy.value"] == 10000


def test_cost_alone_gives_a_report_without_a_cost_effectiveness_section(scenario_dataset, tmp_path):
    report = tmp_path / "c.html"
    result = analyze(scenario_dataset(), "--outcome", "fiscal_cost", "--report", report)
    assert result.exit_code == 0, result.output
    assert "Cost-effectiveness" not in report.read_text(encoding="utf-8")


def test_lang_and_figures_write_a_chinese_report_and_every_figure_as_png_and_svg(
    scenario_dataset, tmp_path
):
    report, folder = tmp_path / "zh.html", tmp_path / "figures"
    result = analyze(
        scenario_dataset(), "--outcome", "retention_3y", "--lang", "zh", "--report", report,
        "--figures", folder,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "毕业3年留淄率" in report.read_text(encoding="utf-8")
    pngs, svgs = sorted(folder.glob("*.png")), sorted(folder.glob("*.svg"))
    assert [p.stem for p in pngs] == [p.stem for p in svgs]
    assert {"differences_horizon", "levels_over_time", "talent_flows-01"} <= {p.stem for p in pngs}
    assert pngs[0].read_bytes().startswith(b"\x89PNG")
    assert "<svg" in svgs[0].read_text(encoding="utf-8")[:500]


def test_unknown_language_exits_2(scenario_dataset):
    result = analyze(scenario_dataset(), "--lang", "fr")
    assert result.exit_code == 2
    assert "--lang fr" in result.output
