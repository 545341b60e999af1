"""benchmarks/run_benchmarks.py: ``--only`` works without an earlier results file."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SPEC = importlib.util.spec_from_file_location(
    "run_benchmarks", ROOT / "benchmarks" / "run_benchmarks.py"
)
bench = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(bench)

RUN_INFO = {"load_before": [0.1, 0.1, 0.1], "load_after": [0.2, 0.2, 0.2], "machine": {"cpus": 2}}
PROFILE = {
    "run": {"cpu_s": 3.0},
    "by_own_time": [{"function": "city.py:10(step)", "calls": 20, "own_s": 1.0, "cum_s": 2.0}],
    "by_cumulative_time": [{"function": "city.py:10(step)", "calls": 20, "cum_s": 2.0}],
}


def test_one_section_without_earlier_results_names_the_missing_ones():
    text = bench.table({**RUN_INFO, "profile": PROFILE})
    assert "city.py:10(step)" in text
    assert "Not measured: full, scaling, people, sweep" in text


def test_every_section_measured_leaves_no_missing_note():
    results = {bench.RESULT_KEYS[section]: None for section in bench.SECTIONS}
    assert bench.missing(results) == []


def test_scaling_alone_also_runs_the_full_scale_it_reuses():
    assert bench.plan(["scaling"], {}) == ["full", "scaling"]
    assert bench.plan(["scaling"], {"full_scale": {}}) == ["scaling"]
    assert bench.plan(["profile"], {}) == ["profile"]


def test_earlier_results_are_kept_only_from_the_same_quick_setting(tmp_path):
    latest = tmp_path / "latest.json"
    assert bench.previous_results(latest, ["profile"], quick=False) == {}
    latest.write_text(json.dumps({"quick": True, "full_scale": {"wall_s": 1.0}}))
    assert bench.previous_results(latest, ["profile"], quick=False) == {}
    assert "full_scale" in bench.previous_results(latest, ["profile"], quick=True)
    assert bench.previous_results(latest, list(bench.SECTIONS), quick=True) == {}
