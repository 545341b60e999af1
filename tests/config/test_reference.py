"""The parameter reference is complete and docs/ODD.md's generated tables match the code."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from talentsim.config.reference import (
    ParameterRow,
    declared_uncertainties,
    fmt,
    parameter_table,
    render_parameters,
)
from talentsim.config.schema import CityConfig, Policy, param

ROOT = Path(__file__).resolve().parents[2]


def _generator():
    path = ROOT / "docs" / "make_odd_tables.py"
    spec = importlib.util.spec_from_file_location("make_odd_tables", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_numeric_schema_field_has_a_unit_and_a_source():
    rows = [row for row in parameter_table(CityConfig) if row.numeric]
    assert len(rows) > 100
    missing = [row.path for row in rows if not row.unit.strip() or not row.source.strip()]
    assert missing == []


def test_every_lever_is_listed_with_its_bounds():
    rows = {row.path: row for row in parameter_table(CityConfig)}
    levers = [
        name for name, info in Policy.model_fields.items() if info.annotation.__name__ == "Lever"
    ]
    assert len(levers) >= 10
    for name in levers:
        row = rows[f"policy.{name}.value"]
        assert row.low is not None and row.high is not None, name
        assert f"policy.{name}.start_year" in rows


def test_range_notation_distinguishes_open_and_closed_bounds():
    scale = next(row for row in parameter_table(CityConfig) if row.path == "scale")
    assert scale.range == "(0, 1]"
    unbounded = ParameterRow("", "x", "1", 1.0, None, False, None, False, "s", True)
    assert unbounded.range == "—"


def test_numbers_are_formatted_without_float_noise():
    assert fmt(2.0e7) == "20,000,000"
    assert fmt(0.012) == "0.012"
    assert fmt(3143) == "3143"
    assert fmt(450_000) == "450,000"
    assert fmt(True) == "true"


def test_parameter_tables_name_every_section():
    text = render_parameters(CityConfig)
    for section in ("`firms`", "`policy`", "`policy.park`", "`fields[]`", "`labour_market`"):
        assert f"#### {section}" in text


def test_committed_odd_tables_equal_what_the_code_generates():
    generator = _generator()
    text = (ROOT / "docs" / "ODD.md").read_text(encoding="utf-8")
    assert generator.rewrite(text, generator.sections()) == text, (
        "docs/ODD.md is out of date: run `uv run python docs/make_odd_tables.py`"
    )


def test_generator_refuses_a_document_without_markers():
    generator = _generator()
    with pytest.raises(KeyError, match="parameters"):
        generator.rewrite("# no markers\n", {"parameters": "x"})


def test_declared_uncertainties_list_parameters_with_a_plausible_range():
    declared = declared_uncertainties()
    assert declared["firms.demand_shock_sd"] == (0.0, 0.04)
    for path, (low, high) in declared.items():
        assert low < high, path


def test_a_plausible_range_must_hold_the_default():
    with pytest.raises(ValueError, match="plausible range"):
        param(0.5, "share", "assumption: test", plausible=(0.6, 0.9))
