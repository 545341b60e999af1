"""benchmarks/: the harness's sections, its reference comparison and its one-run adapter."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bench = _load("run_benchmarks")
one_run = _load("one_run")
reference = _load("reference")
same_numbers = _load("same_numbers")

RUN_INFO = {"load_before": [0.1, 0.1, 0.1], "load_after": [0.2, 0.2, 0.2], "machine": {"cpus": 2}}
PROFILE = {
    "run": {"cpu_s": 3.0},
    "by_own_time": [{"function": "city.py:10(step)", "calls": 20, "own_s": 1.0, "cum_s": 2.0}],
    "by_cumulative_time": [{"function": "city.py:10(step)", "calls": 20, "cum_s": 2.0}],
}
TINY = 0.005


def test_one_section_without_earlier_results_names_the_missing_ones():
    text = bench.table({**RUN_INFO, "profile": PROFILE})
    assert "city.py:10(step)" in text
    assert "Not measured: full, scaling, people, study (run" in text
    asked = bench.table({**RUN_INFO, "profile": PROFILE, "wants_reference": True})
    assert "Not measured: full, scaling, people, study, reference" in asked


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


def test_the_reference_section_is_run_only_with_a_revision():
    assert "reference" not in bench.arguments([]).only
    assert "reference" in bench.arguments(["--reference", "HEAD"]).only
    assert "market" not in bench.arguments([]).only
    assert "market" in bench.arguments(["--market", "HEAD"]).only


def test_same_market_times_both_trees_on_one_captured_market():
    found = bench.same_market.compare(
        "HEAD", TINY, seed=1, year=1, reps=1, rounds=2, allocators=("model",)
    )
    assert found["identical"] and found["calls"] == 2
    assert found["market"]["seekers"] > 0 and found["speed_up"] > 0
    text = bench.table({**RUN_INFO, "same_market": found, "wants_market": True})
    assert "matching on the same market" in text and "identical" in text


def test_the_market_rows_give_both_allocator_settings_and_the_models_own():
    market = {"year": 2028, "seekers": 10, "slots": 5}
    default = {"working_tree_s": 0.04, "reference_s": 0.07, "speed_up": 1.75}
    found = {
        "revision": "REV", "market": market, "scale": 1.0, "calls": 4, "identical": True,
        "working_tree_s": 0.02, "reference_s": 0.05, "speed_up": 2.5,
        "default_allocator": default, "as_each_model_runs_it": 3.5,
    }  # fmt: skip
    text = bench.table({**RUN_INFO, "same_market": found, "wants_market": True})
    assert "2.50x faster" in text and "1.75x faster" in text and "3.50x faster" in text
    assert bench.same_market.sets_malloc_thresholds(bench.ROOT)


def test_one_run_times_set_up_burn_in_and_every_process_apart():
    run = bench.one_run(bench.WORK, TINY, seed=1, years=2)
    from talentsim.model import SCHEDULE

    assert run["api"] == "burn-in"
    assert run["burn_in_years"] > 0 and run["burn_in_person_years"] > 0
    assert run["cpu_s"] >= run["setup_cpu_s"] + run["burn_in_cpu_s"]
    assert list(run["process_cpu_reported"]) == [name for name, _ in SCHEDULE] + ["compact"]
    assert {"matching", "keyed draws"} <= set(run["inner_cpu_reported"])
    assert run["person_years"] > 0 and run["peak_rss_mb"] > 0


def test_the_adapters_burn_in_is_the_models_own():
    from talentsim.config import resolve_config
    from talentsim.model import TalentModel, simulate

    cfg = resolve_config(ROOT / "configs" / "zibo_baseline.yaml", {})
    cfg = cfg.model_copy(update={"scale": TINY, "burn_in": 2})
    counted = TalentModel(cfg, rng=4, burn_in=False)
    sizes = one_run._burn_in(counted)
    assert len(sizes) == 2 and "step" not in counted.__dict__
    ours = simulate(cfg, seed=4, years=2, city=counted).outcomes
    assert ours.equals(simulate(cfg, seed=4, years=2).outcomes)


def test_reference_with_head_runs_both_trees_side_by_side_and_cleans_up():
    before = subprocess.run(["git", "worktree", "list"], cwd=ROOT, capture_output=True, text=True)
    ref = bench.compare_with_reference("HEAD", TINY, reps=2, years=2)
    assert ref["environment"] == "this interpreter"
    assert len(ref["paired_ratios"]["per_person_year"]) == 2
    assert ref["ratio_per_person_year"] > 0 and ref["ratio_per_person_year_all"] > 0
    # the same config and seed in both trees: the same reported person-years
    assert ref["work"]["person_years"] == ref["reference"]["person_years"]
    text = bench.table({**RUN_INFO, "reference": ref})
    assert "working tree / HEAD" in text
    after = subprocess.run(["git", "worktree", "list"], cwd=ROOT, capture_output=True, text=True)
    added = set(after.stdout.splitlines()) - set(before.stdout.splitlines())
    assert not [line for line in added if line.startswith(tempfile.gettempdir())]


def test_the_speed_ups_change_no_number_against_head():
    assert same_numbers.compare("HEAD", TINY, years=2, seed=2) == {}


def test_locked_versions_mismatch_only_for_installed_packages():
    lock = (
        '[[package]]\nname = "numpy"\nversion = "0.0.1"\n\n'
        '[[package]]\nname = "no-such-package-here"\nversion = "1.0"\n'
    )
    locked = reference.locked_versions(lock)
    assert locked == {"numpy": "0.0.1", "no-such-package-here": "1.0"}
    assert set(reference.mismatches(locked)) == {"numpy"}


def test_the_plain_mesa_comparison_covers_the_employeds_rules():
    import plain_mesa

    from talentsim.config import resolve_config

    snapshot = plain_mesa.build_snapshot(
        resolve_config(ROOT / "configs" / "zibo_baseline.yaml", {}), 0.01
    )
    year = plain_mesa.vectorised_year(snapshot, np.random.default_rng(1))
    model = plain_mesa.PlainPeopleModel(snapshot, seed=1)
    model.step()
    rows = {row["metric"].split("[")[0]: row for row in plain_mesa.compare(year, model.results())}
    employed = ("on_the_job_search_share", "employed_stay_share", "on_the_job_reservation_ratio")
    for metric in employed:
        assert rows[metric]["ok"], rows[metric]
    assert rows["employed_destination_shares"]["ok"]


def test_a_study_costs_its_runs_plus_one_burn_in_per_replication():
    import study

    cost = study.study_cost(1, TINY, years=2)
    assert cost["runs"] == 6 and cost["scenarios"] == 6
    assert cost["cost_ratio"] > 1.0
    assert "study" in bench.table({**RUN_INFO, "study": {"cost": cost, "throughput": []}})


def test_docs_get_the_table_between_their_markers(tmp_path):
    doc = tmp_path / "performance.md"
    doc.write_text(f"# Performance\n\n{bench.MARK_BEGIN}\nold\n{bench.MARK_END}\n\nWhy.\n")
    results = {"started": "t0", "finished": "t1", "command": "cmd", "git": {"commit": "abc1234"}}
    bench.write_docs("| new |", results, doc)
    text = doc.read_text()
    assert "| new |" in text and "old" not in text and text.endswith("Why.\n")
    assert "`abc1234`" in text
