"""``talentsim calibrate`` refuses bad input before it runs or writes anything (exit 2)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from talentsim.cli import app

ROOT = Path(__file__).resolve().parents[2]
TARGETS = ROOT / "configs" / "calibration" / "targets.yaml"


def _targets(tmp_path: Path, change) -> Path:
    data = yaml.safe_load(TARGETS.read_text(encoding="utf-8"))
    data["settings"]["config"] = str(ROOT / data["settings"]["config"])
    change(data)
    path = tmp_path / "targets.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _calibrate(tmp_path: Path, targets: Path, *extra: str):
    out = tmp_path / "out"
    args = [
        "calibrate", "--targets", str(targets), "--report", str(out / "calibration.md"),
        "--write", str(out / "fitted.yaml"), "--posterior", str(out / "posterior.csv"),
        "--db", str(out / "abc.db"), "--executor", "serial", *extra,
    ]  # fmt: skip
    result = CliRunner().invoke(app, args)
    return result, out


def _unknown_column(data: dict) -> None:
    data["targets"][2]["column"] = "no_such_outcome"


def _reversed_band(data: dict) -> None:
    data["validation"][0]["band"] = [1.45, 1.15]


def _unknown_parameter(data: dict) -> None:
    data["free_parameters"][1]["path"] = "firms.no_such_parameter"


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (_unknown_column, r"targets\.2\.column: the model has no outcome 'no_such_outcome'"),
        (_reversed_band, r"validation\.0\.band.*low > high"),
        (_unknown_parameter, r"free_parameters\.1\.path: 'firms\.no_such_parameter'"),
    ],
)
@pytest.mark.parametrize("mode", [[], ["--report-only"]])
def test_bad_targets_exit_2_naming_file_and_field_and_write_nothing(
    tmp_path: Path, change, named: str, mode: list[str]
) -> None:
    result, out = _calibrate(tmp_path, _targets(tmp_path, change), *mode)
    assert result.exit_code == 2, result.output
    text = " ".join(result.output.split())
    assert "targets.yaml" in text
    assert re.search(named, text), text
    assert not out.exists()


def test_a_missing_targets_file_exits_2_naming_it(tmp_path: Path) -> None:
    result, out = _calibrate(tmp_path, tmp_path / "missing.yaml")
    assert result.exit_code == 2
    assert "missing.yaml" in " ".join(result.output.split())
    assert not out.exists()


def test_a_posterior_table_without_weights_exits_2(tmp_path: Path) -> None:
    table = tmp_path / "out" / "posterior.csv"
    table.parent.mkdir()
    table.write_text("a,b\n1,2\n", encoding="utf-8")
    result, out = _calibrate(tmp_path, TARGETS, "--report-only")
    assert result.exit_code == 2
    assert "posterior.csv" in result.output and "weight" in result.output
    assert sorted(p.name for p in out.iterdir()) == ["posterior.csv"]
