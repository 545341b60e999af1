import re
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from talentsim.cli import app, plural

BASELINE = Path(__file__).resolve().parents[1] / "configs" / "zibo_baseline.yaml"


def test_run_writes_outcomes_flows_and_manifest(tmp_path):
    out = tmp_path / "run"
    result = CliRunner().invoke(
        app, ["run", str(BASELINE), "--out", str(out), "--scale", "0.02", "--years", "3"]
    )
    assert result.exit_code == 0, result.output
    outcomes = pd.read_parquet(out / "outcomes.parquet")
    assert list(outcomes["year"]) == [2024, 2025, 2026]
    assert (out / "flows.parquet").exists()
    assert (out / "manifest.json").exists()


def test_bad_config_exits_2_and_writes_nothing(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"base: {BASELINE}\nbogus_key: 1\n")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", str(bad), "--out", str(out)])
    assert result.exit_code == 2
    assert "bogus_key" in result.output
    assert not out.exists()


def test_run_summary_has_units_separators_and_says_one_run_is_one_draw(tmp_path):
    result = CliRunner().invoke(
        app, ["run", str(BASELINE), "--out", str(tmp_path), "--scale", "0.02", "--years", "1"]
    )
    assert result.exit_code == 0, result.output
    graduates = next(line for line in result.output.splitlines() if "graduates " in line)
    assert "persons/yr" in graduates
    assert re.search(r"\d{1,3}(,\d{3})+", graduates)  # thousands separators
    assert re.search(r"\d+\.\d%", result.output)  # rates as percentages
    assert "M RMB/yr" in result.output
    assert "1 year at scale 0.02" in result.output
    assert "One run is one draw" in result.output


def test_counts_agree_with_their_nouns():
    assert plural(1, "run") == "1 run"
    assert plural(2, "CSV table") == "2 CSV tables"
    assert plural(12_000, "replication") == "12,000 replications"


TYPE_LABELS = re.compile(r"<\w+[\w\[\] ]*>|\{\w+\}|list\[")


@pytest.mark.parametrize(
    "command", [[], ["run"], ["validate"], ["sweep"], ["analyze"], ["dashboard"], ["calibrate"]]
)
def test_help_shows_an_example_and_no_type_labels(command):
    result = CliRunner().invoke(app, [*command, "--help"], prog_name="talentsim")
    assert result.exit_code == 0, result.output
    assert "Example: talentsim " + (command[0] if command else "run") in result.output
    assert not TYPE_LABELS.findall(result.output), result.output


def test_help_names_arguments_by_metavar():
    result = CliRunner().invoke(app, ["run", "--help"], prog_name="talentsim")
    assert "Usage: talentsim run [OPTIONS] CONFIG" in result.output
    assert re.search(r"--out\s+DIR", result.output)
