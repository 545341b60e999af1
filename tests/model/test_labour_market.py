"""The labour market and the firm population: each mechanism moves the way its driver says.

Matching on synthetic markets (large n, pure functions) and small city runs (scale 0.02, short
burn-in) for the flows: separations before the market, unemployment spells, job-to-job moves,
the demand shock.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pytest

from talentsim.config import resolve_config
from talentsim.config.schema import LabourMarket
from talentsim.model import TalentModel, simulate
from talentsim.model.matching import Seekers, Vacancies, match
from talentsim.model.people import Separation
from talentsim.model.states import Stage
from talentsim.model.streams import Stream

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "configs" / "zibo_baseline.yaml"
SCALE, YEARS, BURN_IN = 0.02, 4, 4


def config(overrides: dict | None = None):
    update = {"scale": SCALE, "burn_in": BURN_IN, "years": YEARS}
    return resolve_config(BASELINE, overrides or {}).model_copy(update=update)


@cache
def baseline():
    return simulate(config(), seed=3)


# ------------------------------------------------------------------ matching function
def market(n_seekers: int, n_cells: int, seed: int = 0) -> tuple[Seekers, Vacancies]:
    """A market of one level with 6 fields, cells of 1-5 slots; the same shape at any size."""
    generator = np.random.default_rng(seed)
    vacancies = Vacancies(
        firm=np.arange(n_cells),
        key=np.arange(n_cells) * 4,
        field=generator.integers(0, 6, n_cells),
        level=np.zeros(n_cells, dtype=np.int64),
        slots=generator.integers(1, 6, n_cells),
        wage=generator.uniform(50_000, 70_000, n_cells),
    )
    seekers = Seekers(
        key=np.arange(n_seekers) + 10_000_000,
        level=np.zeros(n_seekers, dtype=np.int64),
        field=generator.integers(0, 6, n_seekers),
        score=generator.standard_normal(n_seekers),
        reservation=np.full(n_seekers, 40_000.0),
    )
    return seekers, vacancies


def hires(n_seekers: int, n_cells: int, params: LabourMarket | None = None) -> int:
    seekers, vacancies = market(n_seekers, n_cells)
    cell, _ = match(
        Stream(1, "labour_market", 2030), seekers, vacancies, params or LabourMarket(), 6
    )
    return int((cell >= 0).sum())


def test_the_matching_function_has_constant_returns_to_market_size():
    # doubling both sides doubles hires: no thin-market increasing returns
    small, large = hires(4_000, 1_300), hires(16_000, 5_200)
    assert large / small == pytest.approx(4.0, rel=0.05)


def test_more_vacancies_give_more_hires_with_diminishing_returns():
    cells = np.array([500, 1_000, 2_000, 4_000])
    marginal = np.diff([hires(6_000, n) for n in cells]) / np.diff(cells)
    assert (marginal > 0).all()
    assert (np.diff(marginal) < 0).all()


def test_more_seekers_give_more_hires_with_diminishing_returns():
    seekers = np.array([1_500, 3_000, 6_000, 12_000])
    marginal = np.diff([hires(n, 2_000) for n in seekers]) / np.diff(seekers)
    assert (marginal > 0).all()
    assert (np.diff(marginal) < 0).all()


def test_search_frictions_leave_hires_below_the_short_side():
    seekers, cells = 6_000, 2_000  # about as many slots as seekers
    slots = int(market(seekers, cells)[1].slots.sum())
    assert hires(seekers, cells) < 0.9 * min(seekers, slots)
    wider = LabourMarket(contacts=6, applications=3, rounds=4)
    assert hires(seekers, cells, wider) > hires(seekers, cells)


def test_seekers_without_an_open_cell_in_their_field_search_in_any_field():
    seekers, vacancies = market(2_000, 600)
    vacancies.field[:] = 0
    seekers.field[:] = 5
    cell, _ = match(Stream(1, "labour_market", 2030), seekers, vacancies, LabourMarket(), 6)
    assert (cell >= 0).mean() > 0.3


# ------------------------------------------------------------------ flows in a city run
def test_outcomes_report_the_labour_market_flows():
    outcomes = baseline().outcomes
    for column in (
        "unemployment_rate",
        "vacancy_rate",
        "hires",
        "job_seekers",
        "vacancies_posted",
        "wage_secondary",
        "wage_gaozhi",
        "wage_benke",
        "wage_graduate",
        "job_to_job_moves",
        "quits",
        "displaced_by_exits",
    ):
        assert (outcomes[column] >= 0).all(), column
    assert (outcomes["hires"] <= outcomes["vacancies_posted"]).all()
    assert (outcomes["job_to_job_moves"] > 0).all()
    assert (outcomes["hires_from_unemployment"] < outcomes["job_seekers"]).all()
    shares = outcomes[
        ["unemployed_entrant_share", "unemployed_displaced_share", "unemployed_quit_share"]
    ].sum(axis=1)
    np.testing.assert_allclose(shares, 1.0)


def test_unemployment_spells_have_a_start_and_an_origin():
    people = baseline().model.people
    unemployed = people.stage == Stage.UNEMPLOYED
    assert unemployed.any()
    since = people.unemployed_since[unemployed]
    assert (since > 0).all() and (since <= baseline().model.year).all()
    assert (people.unemployed_since[people.stage == Stage.EMPLOYED] == 0).all()
    origins = set(people.unemployment_origin[unemployed].tolist())
    assert origins <= {int(s) for s in Separation}
    assert len(origins) >= 2


def test_the_displaced_search_in_the_same_year():
    # firm exits happen before the market: some of the year's displaced are rehired that year
    model = TalentModel(config(), rng=4)
    model.step()
    log = model.people.events()
    year = log[log["year"] == model.year]
    separated = set(year.loc[year["event"] == "SEPARATE", "pid"])
    hired = set(year.loc[year["event"] == "HIRE", "pid"])
    assert len(separated & hired) > 0


def test_no_on_the_job_search_means_no_job_to_job_moves():
    outcomes = simulate(config({"labour_market.on_the_job_search": 0.0}), seed=3).outcomes
    assert (outcomes["job_to_job_moves"] == 0).all()


def test_a_quit_rate_of_zero_stops_quits_and_more_quits_raise_unemployment():
    none = simulate(config({"labour_market.quit_rate": 0.0}), seed=3).outcomes
    many = simulate(config({"labour_market.quit_rate": 0.15}), seed=3).outcomes
    assert (none["quits"] == 0).all()
    assert many["job_seekers"].mean() > none["job_seekers"].mean()


# ------------------------------------------------------------------ demand shock
def test_the_demand_shock_is_off_by_default_and_moves_demand_when_on():
    assert (baseline().outcomes["demand_shock"] == 0).all()
    shocked = simulate(config({"firms.demand_shock_sd": 0.05}), seed=3).outcomes
    assert shocked["demand_shock"].std() > 0
    high = shocked["demand_shock"] > shocked["demand_shock"].median()
    # more demand, more vacancies posted per seeker
    tightness = shocked["vacancies_posted"] / shocked["job_seekers"]
    assert tightness[high].mean() > tightness[~high].mean()
