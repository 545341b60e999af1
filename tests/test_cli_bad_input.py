"""Bad input to the CLI: exit code 2, one message naming file and field, nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from talentsim.cli import app

BASELINE = Path(__file__).resolve().parents[1] / "configs" / "zibo_baseline.yaml"


def scenario(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "scenario.yaml"
    path.write_text(f"base: {BASELINE}\n{body}", encoding="utf-8")
    return path


CASES = {
    "unknown key": ("firms:\n  poching: 0.3\n", "firms.poching"),
    "wrong type": ("labour_market:\n  rounds: many\n", "labour_market.rounds"),
    "out of range": ("firms:\n  poaching: 2.0\n", "firms.poaching"),
    "lever out of range": ("policy:\n  coordination: {value: 3}\n", "policy.coordination.value"),
    "python tag": ("name: !!python/object/apply:os.system ['true']\n", "python/object"),
    "malformed": ("firms: [1, 2\n", "malformed YAML"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_config_exits_2_names_the_field_and_writes_nothing(tmp_path, case):
    body, named = CASES[case]
    path = scenario(tmp_path, body)
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", str(path), "--out", str(out), "--years", "1"])
    assert result.exit_code == 2, result.output
    assert named in result.output
    assert "scenario.yaml" in result.output
    assert not out.exists()


@pytest.mark.parametrize("case", ["unknown key", "python tag"])
def test_validate_exits_2_on_bad_config(tmp_path, case):
    body, named = CASES[case]
    result = CliRunner().invoke(app, ["validate", str(scenario(tmp_path, body))])
    assert result.exit_code == 2
    assert named in result.output


def test_missing_config_file_exits_2(tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", str(tmp_path / "nope.yaml"), "--out", str(out)])
    assert result.exit_code == 2
    assert "nope.yaml" in result.output
    assert not out.exists()


def test_unreadable_config_exits_2(tmp_path):
    path = tmp_path / "binary.yaml"
    path.write_bytes(b"\xff\xfe\x00\x81")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", str(path), "--out", str(out)])
    assert result.exit_code == 2
    assert "binary.yaml" in result.output
    assert not out.exists()


@pytest.mark.parametrize(
    ("option", "value", "named"), [("--scale", "0", "scale"), ("--years", "0", "years")]
)
def test_out_of_range_option_exits_2_and_writes_nothing(tmp_path, option, value, named):
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", str(BASELINE), "--out", str(out), option, value])
    assert result.exit_code == 2
    assert named in result.output
    assert not out.exists()


def test_non_numeric_option_exits_2(tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", str(BASELINE), "--out", str(out), "--seed", "x"])
    assert result.exit_code == 2
    assert not out.exists()


def test_out_that_is_a_file_exits_2_and_is_left_alone(tmp_path):
    out = tmp_path / "out"
    out.write_text("keep me", encoding="utf-8")
    result = CliRunner().invoke(app, ["run", str(BASELINE), "--out", str(out), "--years", "1"])
    assert result.exit_code == 2
    assert out.read_text(encoding="utf-8") == "keep me"


def test_existing_out_folder_keeps_its_files_on_bad_input(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "outcomes.parquet").write_text("old", encoding="utf-8")
    path = scenario(tmp_path, "firms:\n  poching: 0.3\n")
    result = CliRunner().invoke(app, ["run", str(path), "--out", str(out)])
    assert result.exit_code == 2
    assert sorted(p.name for p in out.iterdir()) == ["outcomes.parquet"]
    assert (out / "outcomes.parquet").read_text(encoding="utf-8") == "old"


def test_validate_on_calibration_targets_says_what_kind_of_file_it_expected():
    targets = BASELINE.parent / "calibration" / "targets.yaml"
    result = CliRunner().invoke(app, ["validate", str(targets)])
    assert result.exit_code == 2
    assert "neither a scenario nor an experiment" in result.output
    assert "calibration targets" in result.output


def test_validate_on_a_scenario_fragment_says_to_name_a_base(tmp_path):
    fragment = tmp_path / "fragment.yaml"
    fragment.write_text("firms:\n  poaching: 0.2\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", str(fragment)])
    assert result.exit_code == 2
    assert "base:" in result.output


def test_validate_suggests_the_field_meant_by_a_typo(tmp_path):
    result = CliRunner().invoke(
        app, ["validate", str(scenario(tmp_path, "firms:\n  poching: 1\n"))]
    )
    assert result.exit_code == 2
    assert "did you mean 'poaching'?" in result.output


def test_validate_warns_about_a_lever_starting_after_the_last_year(tmp_path):
    path = scenario(tmp_path, "years: 3\npolicy:\n  coordination: {value: 0.5, start_year: 2040}\n")
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    assert "warning:" in result.output
    assert "policy.coordination.start_year = 2040" in result.output
    assert "valid scenario" in result.output


def test_validate_experiment_warns_about_a_scenario_lever_after_the_last_year(tmp_path):
    late = scenario(
        tmp_path, "name: late\npolicy:\n  coordination: {value: 0.5, start_year: 2030}\n"
    )
    experiment = tmp_path / "study.yaml"
    experiment.write_text(
        f"design: {{kind: scenarios, files: [{BASELINE}, {late}]}}\nreplications: 2\nyears: 3\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["validate", str(experiment)])
    assert result.exit_code == 0, result.output
    assert "policy.coordination.start_year = 2030" in result.output
    assert "2 points × 2 replications = 4 runs" in result.output
