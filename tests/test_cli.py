from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from talentsim.cli import app

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
