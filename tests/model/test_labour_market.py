"""The labour market and the firm population: each mechanism moves the way its driver says.

Matching on synthetic markets (large n, pure functions) and small city runs (scale 0.02, short
burn-in) for the flows: separations before the market, unemployment spells, job-to-job moves,
the demand shock.
"""

from __future__ import annotations

from dataclasses import replace
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from talentsim.config import resolve_config
from talentsim.config.schema import LabourMarket
from talentsim.model import TalentModel, simulate
from talentsim.model.matching import Seekers, Vacancies, match
from talentsim.model.people import Separation
from talentsim.model.processes import firm_dynamics, labour_market, migration
from talentsim.model.states import MARKET_LEVEL, Stage
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


def test_gaozhi_seekers_with_fewer_own_field_contacts_are_hired_less_in_field():
    seekers, vacancies = market(6_000, 2_000)
    seekers.level[::2] = 1  # half the seekers are 高职 graduates, with a market of their own
    vacancies.level[::2] = 1

    def in_field_by_level(params: LabourMarket) -> tuple[float, float]:
        cell, _ = match(Stream(1, "labour_market", 2030), seekers, vacancies, params, 6)
        hired = cell >= 0
        own = vacancies.field[cell[hired]] == seekers.field[hired]
        gaozhi = seekers.level[hired] == 1
        return own[gaozhi].mean(), own[~gaozhi].mean()

    gaozhi_wide, other_wide = in_field_by_level(LabourMarket(own_field_contacts_gaozhi=0.3))
    gaozhi_own, other_own = in_field_by_level(LabourMarket(own_field_contacts_gaozhi=0.9))
    assert gaozhi_wide < gaozhi_own - 0.2
    assert other_wide == pytest.approx(other_own, abs=0.02)


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


def test_more_openings_than_usual_draw_more_of_the_employed_into_searching():
    params = LabourMarket(on_the_job_search=0.1, on_the_job_cyclicality=1.0)
    signals = replace(baseline().model.state.signals, openings_rate=float("nan"))
    assert labour_market.on_the_job_share(params, signals, 0.1) == pytest.approx(0.1)
    assert signals.openings_rate == pytest.approx(0.1)  # expected from the first market
    assert labour_market.on_the_job_share(params, signals, 0.12) == pytest.approx(0.12)
    assert signals.openings_rate == pytest.approx(0.1 + params.on_the_job_adaptation * 0.02)
    assert labour_market.on_the_job_share(params, signals, 0.05) < 0.1
    fixed = LabourMarket(on_the_job_search=0.1, on_the_job_cyclicality=0.0)
    assert labour_market.on_the_job_share(fixed, signals, 0.3) == pytest.approx(0.1)


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


# ------------------------------------------------------------------ reservation wages
def test_unemployment_and_vacancy_rates_move_apart_across_demand_shocks():
    # a Beveridge relation: years of high demand have more vacancies and fewer unemployed
    shocked = config({"firms.demand_shock_sd": 0.05}).model_copy(update={"years": 10})
    runs = [simulate(shocked, seed=seed).outcomes for seed in (3, 4, 5)]
    correlations = [np.corrcoef(o["unemployment_rate"], o["vacancy_rate"])[0, 1] for o in runs]
    assert max(correlations) < 0
    pooled = pd.concat(runs)
    assert np.polyfit(pooled["vacancy_rate"], pooled["unemployment_rate"], 1)[0] < 0


def test_reservation_wages_answer_the_outside_option():
    params = LabourMarket()
    reference = np.full(3, 75_000.0)
    spell = np.array([0, 2, 8])
    modest = labour_market.reservation_wages(params, reference, spell, np.full(3, 90_000.0))
    better = labour_market.reservation_wages(params, reference, spell, np.full(3, 130_000.0))
    assert (better >= modest).all() and better[-1] > modest[-1]  # a better outside option
    assert (np.diff(modest) <= 0).all()  # the spell lowers it, down to the outside floor
    floor = params.outside_option_weight * (130_000.0 - params.moving_cost)
    assert better[-1] == pytest.approx(floor)
    dearer_move = LabourMarket(moving_cost=40_000)
    assert (
        labour_market.reservation_wages(dearer_move, reference, spell, np.full(3, 130_000.0))[-1]
        < better[-1]
    )


def test_better_paid_destinations_raise_the_local_reservation_wage():
    model = TalentModel(config(), 3)
    state = model.state
    levels, fields = np.array([2, 2]), np.array([0, 1])
    base = labour_market.best_outside_income(state, levels, fields)
    for destination in state.config.city.destinations:
        destination.wage_ratio *= 1.2
    assert (labour_market.best_outside_income(state, levels, fields) > base).all()


# ------------------------------------------------------------------ firms and the park
def test_baseline_employment_and_firms_follow_the_city_demand():
    outcomes = simulate(config().model_copy(update={"years": 8}), seed=3).outcomes
    employment, firm_count = outcomes["employment"], outcomes["firms"]
    assert abs(employment.iloc[-2:].mean() / employment.iloc[:2].mean() - 1) < 0.1
    assert abs(firm_count.iloc[-2:].mean() / firm_count.iloc[:2].mean() - 1) < 0.1


def test_more_firms_sharing_the_city_demand_lower_expected_profit():
    state = TalentModel(config(), 3).state
    ratio = firm_dynamics.profit_ratio_by_field(state)
    state.city_demand *= 0.8  # the same firms share less demand
    assert (firm_dynamics.profit_ratio_by_field(state) < ratio).all()


def test_cheaper_park_land_lowers_entry_cost_and_the_land_bounds_the_park():
    park = {"policy.park.enabled": True, "policy.park.start_year": 0}
    state = TalentModel(config({**park, "policy.park.land_discount": 0.2}), 3).state
    cheap = TalentModel(config({**park, "policy.park.land_discount": 1.0}), 3).state
    assert firm_dynamics.park_cost_saving(cheap) > firm_dynamics.park_cost_saving(state) > 0
    small = TalentModel(config({**park, "policy.park.land_ha": 100}), 3).state
    assert firm_dynamics.park_room(small) <= 100 / 2.0 * SCALE
    assert firm_dynamics.park_room(state) >= firm_dynamics.park_room(small)


def test_cheaper_park_land_brings_more_park_firms():
    park = {"policy.park.enabled": True, "policy.park.start_year": 0, "policy.park.land_ha": 5_000}
    counts = []
    for discount in (0.1, 1.0):
        model = TalentModel(config({**park, "policy.park.land_discount": discount}), 3)
        for _ in range(YEARS):
            model.step()
        counts.append(int((model.state.firms.active & model.state.firms.in_park).sum()))
    assert counts[1] > counts[0]


def test_the_market_rates_do_not_depend_on_the_scale():
    rates = {}
    for scale in (0.02, 0.08):  # three seeds: one run at scale 0.02 is too noisy for 10 %
        runs = [
            simulate(config().model_copy(update={"scale": scale}), seed=seed).outcomes
            for seed in (3, 4, 5)
        ]
        rates[scale] = np.mean(
            [
                (
                    outcomes["unemployment_rate"].mean(),
                    (outcomes["hires_from_unemployment"] / outcomes["job_seekers"]).mean(),
                    outcomes["vacancy_fill_rate"].mean(),
                )
                for outcomes in runs
            ],
            axis=0,
        )
    np.testing.assert_allclose(rates[0.08], rates[0.02], rtol=0.1)


# ------------------------------------------------------------------ the city's other employers
def test_other_employers_hire_unmatched_entrants_and_raise_their_employment_rate():
    none = simulate(
        config({"labour_market.other_employers_hiring": 0.0, "setup.other_employer_workers": 0}),
        seed=3,
    )
    many = simulate(config({"labour_market.other_employers_hiring": 0.6}), seed=3)
    assert not (none.model.state.people.stage == Stage.OTHER_EMPLOYER).any()
    assert (many.model.state.people.stage == Stage.OTHER_EMPLOYER).any()
    assert many.outcomes["employment_rate"].mean() > none.outcomes["employment_rate"].mean() + 0.1
    assert many.outcomes["unemployment_rate"].mean() < none.outcomes["unemployment_rate"].mean()


def test_workers_of_other_employers_retire_and_earn_the_wage_ratio():
    city = simulate(config({"labour_market.other_employers_wage_ratio": 0.5}), seed=3).model.state
    p = city.people
    other = np.flatnonzero(p.stage == Stage.OTHER_EMPLOYER)
    assert len(other) and (p.age[other] < city.config.city.retirement_age).all()
    assert (p.employer[other] == -1).all()
    this_year = other[p.graduation_year[other] == city.year]  # hired at this year's wages
    assert len(this_year)
    base = city.base_wage(MARKET_LEVEL[p.level[this_year]])
    assert np.allclose(p.wage[this_year], 0.5 * base)


def test_the_set_up_city_has_other_employers_staff_near_their_steady_state():
    def staff(workers: float) -> int:
        cfg = config({"setup.other_employer_workers": workers})
        city = TalentModel(cfg, rng=3, burn_in=False).state
        return int((city.people.stage == Stage.OTHER_EMPLOYER).sum())

    assert staff(0) == 0
    assert staff(50_000) == round(50_000 * SCALE)


def test_other_employers_staff_search_on_the_job_and_come_back_to_modelled_firms():
    def returns(share: float) -> float:
        outcomes = simulate(config({"labour_market.on_the_job_search": share}), seed=3).outcomes
        return outcomes["other_employers_returns"].sum()

    assert returns(0.0) == 0
    assert returns(0.3) > 0


def test_other_employers_staff_reconsider_staying_in_the_city():
    def leavers(ratio: float) -> float:
        cfg = config({"labour_market.other_employers_wage_ratio": ratio})
        return simulate(cfg, seed=3).outcomes["employed_leavers"].sum()

    assert leavers(0.3) > leavers(1.0)  # paid less, more of them leave


def test_the_talent_allowance_is_paid_to_other_employers_staff_too():
    state = simulate(config(), seed=5).model.state
    p = state.people
    entitled = (p.allowance_years > 0) & (p.stage != Stage.LEFT)
    at_firms = int((entitled & (p.stage == Stage.EMPLOYED)).sum())
    elsewhere = int((entitled & (p.stage == Stage.OTHER_EMPLOYER)).sum())
    assert elsewhere > 0
    migration._pay_talent_subsidies(state, np.array([], dtype=np.int64))
    assert state.now.counters["talent_subsidy_recipients"] == at_firms + elsewhere


def test_seekers_who_search_harder_find_jobs_more_often():
    seekers, vacancies = market(4_000, 600)
    harder = np.arange(4_000) % 2 == 0
    seekers.intensity = np.where(harder, 3, 1)
    cell, _ = match(Stream(1, "labour_market", 2030), seekers, vacancies, LabourMarket(), 6)
    assert (cell[harder] >= 0).mean() > (cell[~harder] >= 0).mean() + 0.1


def test_entrants_who_search_harder_raise_their_employment_rate():
    harder = simulate(config({"labour_market.entrant_search_multiple": 2}), seed=3).outcomes
    assert LabourMarket().entrant_search_multiple == 1
    assert harder["employment_rate"].mean() > baseline().outcomes["employment_rate"].mean()
