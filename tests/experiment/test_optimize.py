"""Policy search: the front of a known problem, resuming after SIGKILL, bad specifications."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from sweep_helpers import SCENARIOS
from typer.testing import CliRunner

from talentsim.cli import app
from talentsim.experiment.optimize import Estimate, dominates, noise_front, run_search
from talentsim.experiment.runner import FAULTS_ENV
from talentsim.experiment.spec import Objective

BIN = Path(sys.executable).parent
COORDINATION = "policy.coordination.value"
ALIGNMENT = "policy.specialty_alignment.value"


def known_problem(folder: Path, name: str = "known", **changes: object) -> Path:
    """Two levers whose cost is known: coordination costs 20 M RMB/yr per unit of strength and
    raises its own budget line (the 'effect' to maximise); specialty alignment only costs
    (5 M RMB/yr per unit, with no effect on spending elsewhere within three years). The true
    front: alignment 0 at every coordination strength."""
    spec: dict[str, object] = {
        "scenario": str(SCENARIOS / "baseline.yaml"),
        "levers": {COORDINATION: {"values": [0.0, 0.5, 1.0]}, ALIGNMENT: {"values": [0.0, 1.0]}},
        "optimize": {
            "objectives": [
                {"outcome": "fiscal_cost", "sense": "minimize", "statistic": "sum"},
                {"outcome": "fiscal_cost_coordination", "sense": "maximize", "statistic": "sum"},
            ],
            "population": 6,
            "trials": 24,
            "final_replications": 3,
        },
        "replications": 2,
        "root_seed": 3,
        "years": 3,
        "scale": 0.01,
        "burn_in": 2,
    }
    spec.update(changes)
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def known(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The known problem's experiment file and its serially searched dataset."""
    folder = tmp_path_factory.mktemp("known")
    path = known_problem(folder)
    out = folder / "search"
    summary = run_search(path, out, executor="serial")
    assert summary.complete and summary.failed_runs == 0
    return path, out


def test_known_problem_front_is_the_true_front(known: tuple[Path, Path]) -> None:
    _, out = known
    trials = pd.read_parquet(out / "trials.parquet")
    evaluated = trials[trials["state"] == "complete"]
    tried = set(zip(evaluated[COORDINATION], evaluated[ALIGNMENT], strict=True))
    for _, row in evaluated.iterrows():
        c, a = row[COORDINATION], row[ALIGNMENT]
        dominated = a == 1.0 and (c, 0.0) in tried
        assert row["on_front"] == (not dominated), (c, a)
    front = trials[trials["on_front"]]
    assert set(front[ALIGNMENT]) == {0.0}
    assert set(front[COORDINATION]) == {0.0, 0.5, 1.0}
    assert (front["replications"] == 3).all()
    assert (front["sum_fiscal_cost_low"] < front["sum_fiscal_cost"]).all()
    csv = pd.read_csv(out / "front.csv")
    assert list(csv["trial"]) == list(front.sort_values("sum_fiscal_cost")["trial"])


def test_every_run_lands_in_the_sweep_dataset_once(known: tuple[Path, Path]) -> None:
    _, out = known
    trials = pd.read_parquet(out / "trials.parquet")
    runs = pd.read_parquet(out / "runs.parquet")
    outcomes = pd.read_parquet(out / "outcomes.parquet")
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "complete" and manifest["design"]["kind"] == "optimize"
    assert runs["run_id"].is_unique and (runs["status"] == "ok").all()
    fresh = trials[trials["state"] == "complete"]
    expected = 2 * len(fresh) + (3 - 2) * int(fresh["on_search_front"].sum())
    assert len(runs) == expected
    assert (trials.loc[trials["state"] == "duplicate", "duplicate_of"].notna()).all()
    assert set(outcomes["run_id"]) == set(runs["run_id"])
    assert {COORDINATION, ALIGNMENT} <= set(outcomes.columns)
    # common random numbers: replication r of every candidate has the same seed
    seeds = runs.groupby("replication")["seed_spawn_key"].nunique()
    assert (seeds == 1).all()


def test_resume_after_sigkill_evaluates_nothing_twice_and_gives_the_same_search(
    known: tuple[Path, Path], tmp_path: Path
) -> None:
    path, reference = known
    out = tmp_path / "search"
    env = {**os.environ, FAULTS_ENV: "*=sleep:0.2"}
    search = subprocess.Popen(
        [BIN / "talentsim", "optimize", path, "--out", out, "--executor", "serial"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 90
        while len(list((out / "parts").glob("*.run.json"))) < 3:
            assert search.poll() is None, "the search ended before it could be killed"
            assert time.monotonic() < deadline, "the search did not get going"
            time.sleep(0.02)
    finally:
        os.killpg(search.pid, signal.SIGKILL)
        search.wait()
    before = {p.name: p.stat().st_mtime_ns for p in (out / "parts").glob("*.run.json")}
    assert json.loads((out / "manifest.json").read_text())["status"] == "running"

    result = CliRunner().invoke(
        app, ["optimize", str(path), "--out", str(out), "--executor", "serial"]
    )
    assert result.exit_code == 0, result.output
    after = {p.name: p.stat().st_mtime_ns for p in (out / "parts").glob("*.run.json")}
    assert all(after[name] == stamp for name, stamp in before.items())  # none run again
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["sessions"][-1]["runs_done"] == len(after) - len(before)
    # same experiment and seed: the same candidates and numbers as the uninterrupted search
    pd.testing.assert_frame_equal(
        pd.read_parquet(reference / "trials.parquet"), pd.read_parquet(out / "trials.parquet")
    )
    runs = pd.read_parquet(out / "runs.parquet")
    assert runs["run_id"].is_unique and len(runs) == len(after)

    again = CliRunner().invoke(
        app, ["optimize", str(path), "--out", str(out), "--executor", "serial"]
    )
    assert again.exit_code == 0, again.output
    assert "0 runs run now" in again.output


def test_tpe_search_over_uncertainty_scenarios_keeps_the_constraint(tmp_path: Path) -> None:
    path = known_problem(
        tmp_path,
        levers={COORDINATION: {"range": [0.0, 1.0]}},
        uncertainties={"firms.trainee_gain": {"values": [0.1, 0.3]}},
        optimize={
            "objectives": [
                {"outcome": "fiscal_cost_coordination", "sense": "maximize", "statistic": "sum"}
            ],
            # coordination costs 20 M RMB/yr at strength 1: at most 15 M means strength ≤ 0.75
            "constraints": [{"outcome": "fiscal_cost_coordination", "max": 1.5e7}],
            "sampler": "tpe",
            "population": 2,
            "trials": 4,
            "final_replications": 2,
            "include_status_quo": True,
            "robustness": {"metric": "percentile", "percentile": 100},
        },
        years=2,
    )
    summary = run_search(path, tmp_path / "out", executor="serial")
    trials = pd.read_parquet(tmp_path / "out" / "trials.parquet")
    assert trials.loc[0, COORDINATION] == 0.0  # the status quo comes first
    assert (trials["feasible"] == (trials[COORDINATION] <= 0.75)).all()
    front = summary.front
    assert front is not None and len(front) == 1 and front["feasible"].all()
    best = trials.loc[trials["feasible"], COORDINATION].max()
    assert front.loc[0, COORDINATION] == best  # the most coordination the budget allows
    # the status quo (no coordination, no cost) is re-evaluated: the paired difference is the cost
    gain = front.loc[0, "sum_fiscal_cost_coordination_vs_status_quo"]
    assert gain == pytest.approx(front.loc[0, "sum_fiscal_cost_coordination"])
    assert trials.loc[0, "replications"] == 2 and trials.loc[0, "status_quo"]
    runs = pd.read_parquet(tmp_path / "out" / "runs.parquet")
    assert {"u0", "u1"} == {run.split("-")[1] for run in runs["run_id"]}
    assert len(runs) == 2 * 2 * int((trials["state"] == "complete").sum())


def test_a_constraint_relative_to_the_status_quo_uses_the_paired_gain(tmp_path: Path) -> None:
    path = known_problem(
        tmp_path,
        levers={COORDINATION: {"values": [0.0, 0.25, 0.5, 0.75, 1.0]}},
        optimize={
            "objectives": [
                {"outcome": "fiscal_cost_coordination", "sense": "minimize", "statistic": "sum"}
            ],
            # at least 20 M RMB more coordination spending than the status quo over 2 years
            "constraints": [
                {
                    "outcome": "fiscal_cost_coordination",
                    "statistic": "sum",
                    "min": 2e7,
                    "relative_to": "status_quo",
                }
            ],
            "population": 3,
            "trials": 6,
            "final_replications": 2,
            "include_status_quo": True,
        },
        years=2,
    )
    summary = run_search(path, tmp_path / "out", executor="serial")
    trials = pd.read_parquet(tmp_path / "out" / "trials.parquet")
    gain = trials["sum_fiscal_cost_coordination_vs_status_quo_min"]
    assert trials.loc[0, COORDINATION] == 0.0 and gain[0] == 0.0 and not trials.loc[0, "feasible"]
    assert (trials["feasible"] == (trials[COORDINATION] >= 0.5)).all()
    assert summary.front is not None
    cheapest = trials.loc[trials["feasible"], COORDINATION].min()
    assert list(summary.front[COORDINATION]) == [cheapest]


def test_a_relative_constraint_needs_the_status_quo(tmp_path: Path) -> None:
    path = known_problem(
        tmp_path,
        "bad",
        optimize={
            "objectives": [{"outcome": "fiscal_cost", "sense": "minimize"}],
            "constraints": [
                {"outcome": "retention_rate", "min": 0.005, "relative_to": "status_quo"}
            ],
            "trials": 2,
        },
    )
    result = CliRunner().invoke(app, ["optimize", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "constraints.0.relative_to" in result.output and "bad.yaml" in result.output


def test_a_status_quo_outside_the_bounds_exits_2(tmp_path: Path) -> None:
    path = known_problem(
        tmp_path,
        "bad",
        levers={COORDINATION: {"range": [0.2, 1.0]}},
        optimize={
            "objectives": [{"outcome": "fiscal_cost", "sense": "minimize"}],
            "trials": 2,
            "include_status_quo": True,
        },
    )
    result = CliRunner().invoke(app, ["optimize", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "optimize.include_status_quo" in result.output and "bad.yaml" in result.output


def estimate(*values: float) -> Estimate:
    array = np.array(values, dtype=float)
    return Estimate(float(array.mean()), float(array.std(ddof=1) / np.sqrt(len(array))), array)


MIN_COST = Objective(outcome="fiscal_cost", sense="minimize", statistic="sum")
MAX_RETENTION = Objective(outcome="retention_rate", sense="maximize")


def test_a_candidate_better_only_within_noise_does_not_dominate() -> None:
    cheap = {MIN_COST.name: estimate(10, 10, 10), MAX_RETENTION.name: estimate(0.50, 0.70, 0.60)}
    # slightly better retention on average, but the paired differences straddle zero
    noisy = {MIN_COST.name: estimate(10, 10, 10), MAX_RETENTION.name: estimate(0.62, 0.66, 0.63)}
    assert not dominates(noisy, cheap, [MIN_COST, MAX_RETENTION])
    # the same cost, retention better in every replication by a steady margin: dominated
    steady = {MIN_COST.name: estimate(10, 10, 10), MAX_RETENTION.name: estimate(0.55, 0.75, 0.65)}
    assert dominates(steady, cheap, [MIN_COST, MAX_RETENTION])
    front = noise_front({0: cheap, 1: noisy, 2: steady}, [MIN_COST, MAX_RETENTION])
    assert front == [1, 2]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"levers": {"policy.no_such_lever.value": {"range": [0, 1]}}}, "policy.no_such_lever"),
        ({"levers": {COORDINATION: {"range": [1, 0]}}}, "reversed bounds"),
        (
            {
                "optimize": {
                    "objectives": [{"outcome": "happiness", "sense": "maximize"}],
                    "trials": 2,
                }
            },
            "optimize.objectives.0.outcome",
        ),
        (
            {"optimize": {"objectives": [{"outcome": "fiscal_cost", "sense": "up"}], "trials": 2}},
            "optimize.objectives.0.sense",
        ),
        (
            {
                "optimize": {
                    "objectives": [{"outcome": "fiscal_cost", "sense": "minimize"}],
                    "constraints": [{"outcome": "retention_rat", "min": 0.6}],
                    "trials": 2,
                }
            },
            "optimize.constraints.0.outcome",
        ),
        ({"uncertainties": {"firms.trainee_gain": {"range": [0.1, 0.2]}}}, "uncertainties"),
    ],
)
def test_bad_specification_exits_2_naming_the_field_and_writes_nothing(
    tmp_path: Path, change: dict, field: str
) -> None:
    path = known_problem(tmp_path, "bad", **change)
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["optimize", str(path), "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert field in result.output and "bad.yaml" in result.output
    assert not out.exists()
    check = CliRunner().invoke(app, ["validate", str(path)])
    assert check.exit_code == 2 and field in check.output
