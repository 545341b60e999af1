"""The processes' speed shortcuts decide exactly what the full computation decides.

Each test runs a small city to just before a process, then runs the process once with its
shortcut and once with the shortcut switched off, and compares every person and event.
"""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from talentsim.config import resolve_config
from talentsim.model import TalentModel, simulate
from talentsim.model.city import SCHEDULE
from talentsim.model.people import COLUMNS
from talentsim.model.processes import migration, recording
from talentsim.model.state import ThisYear
from talentsim.model.states import MARKET_LEVEL, Stage

BASELINE = Path(__file__).resolve().parents[2] / "configs" / "zibo_baseline.yaml"


def city_before(process: str, overrides: dict | None = None) -> TalentModel:
    """A small burned-in city one year later, stopped just before ``process``."""
    cfg = resolve_config(BASELINE, overrides or {}).model_copy(update={"scale": 0.03, "burn_in": 3})
    city = TalentModel(cfg, rng=5)
    state = city.state
    state.year += 1
    state.now = ThisYear()
    state.government.begin_year(state.year)
    for name, step in SCHEDULE:
        if name == process:
            return city
        step(state, city.streams.for_process(name, state.year))
    raise ValueError(process)


def run(city: TalentModel, process: str) -> TalentModel:
    """``city`` (a copy) after ``process`` of its year."""
    city = copy.deepcopy(city)
    step = dict(SCHEDULE)[process]
    step(city.state, city.streams.for_process(process, city.state.year))
    return city


def assert_same_people(one: TalentModel, other: TalentModel) -> None:
    p, q = one.people, other.people
    for name in COLUMNS:
        assert np.array_equal(getattr(p, name), getattr(q, name)), name
    assert p.events().equals(q.events())
    assert one.state.now.counters == other.state.now.counters


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {"migration.employed_attachment": 0.5},
        {"policy.talent_subsidy.monthly_allowance": 5_000, "migration.network": 1.0},
    ],
)
def test_settled_workers_below_the_stay_floor_stay_as_if_valued(
    monkeypatch: pytest.MonkeyPatch, overrides: dict
) -> None:
    city = city_before("migration", overrides)
    shortcut = run(city, "migration")
    monkeypatch.setattr(migration, "stay_floor", lambda state, *args: np.zeros(4))
    valued = run(city, "migration")
    assert_same_people(shortcut, valued)
    assert (shortcut.people.stage == Stage.LEFT).sum() > 0


def test_the_stay_floor_is_below_every_settled_workers_stay_probability() -> None:
    state = city_before("migration").state
    p = state.people
    settled = np.flatnonzero((p.stage == Stage.EMPLOYED) | (p.stage == Stage.OTHER_EMPLOYER))
    settled = settled[p.graduation_year[settled] < state.year]
    settled = np.setdiff1d(settled, np.concatenate([state.now.graduates, state.now.inflow]))
    level = MARKET_LEVEL[p.level[settled]]
    outside = migration._outside(state)
    floor = migration.stay_floor(
        state, outside, p.wage[settled], level, np.ones(len(settled), bool)
    )
    chance = migration._stay_chance(state, outside, settled, np.ones(len(settled), bool))
    assert (floor[level] <= chance).all()
    assert (floor > 0.5).all()  # tight enough to spare most of the valuing


def test_cohorts_tracked_only_from_the_longest_horizon_before_the_start_report_the_same(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cfg = resolve_config(BASELINE, {}).model_copy(update={"scale": 0.02, "burn_in": 9})
    shortcut = simulate(cfg, seed=2, years=6).outcomes
    monkeypatch.setattr(recording, "TRACKED_BEFORE_START", cfg.burn_in + 1)  # every year
    tracked = simulate(cfg, seed=2, years=6).outcomes
    pd.testing.assert_frame_equal(shortcut, tracked, check_exact=True)
    assert shortcut["retention_5y"].iloc[0] > 0
