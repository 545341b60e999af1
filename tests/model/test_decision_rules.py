"""Each decision rule moves the right way when its driver moves (pure functions, large n)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from talentsim.config import load_config
from talentsim.config.schema import (
    Destination,
    FieldChoice,
    Firms,
    LabourMarket,
    Migration,
    Progression,
    Skills,
    TrackChoice,
)
from talentsim.model import education, skills
from talentsim.model.agents import firms
from talentsim.model.matching import Seekers, Vacancies, match
from talentsim.model.processes import migration
from talentsim.model.streams import Stream

N = 20_000
ROOT = Path(__file__).resolve().parents[2]


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


def stream(seed: int = 0) -> Stream:
    return Stream(seed, "test", 2030)


# ------------------------------------------------------------------ students
def field_shares(log_wage: np.ndarray, seed: int = 1) -> np.ndarray:
    """Share of N students choosing each of three programmes (seats never binding)."""
    generator = rng(seed)
    n_programmes = len(log_wage)
    ability = generator.standard_normal(N)
    utilities = education.programme_utilities(
        FieldChoice(),
        log_wage=log_wage,
        placement=np.full(n_programmes, 0.7),
        quality=np.ones(n_programmes),
        distance=np.zeros((N, n_programmes)),
        peer_share=np.full((N, n_programmes), 1 / n_programmes),
        ability=ability,
        tech_intensity=np.full(n_programmes, 0.5),
        log_points=np.zeros(n_programmes),
    )
    seats = np.full(n_programmes, N)
    choice = education.assign_programmes(
        generator.gumbel(size=utilities.shape), utilities, seats, ability, ranks=6
    )
    assert (choice >= 0).all()
    return np.bincount(choice, minlength=n_programmes) / N


def test_higher_expected_wage_draws_more_students_to_the_field():
    base = np.log(np.full(3, 50_000.0))
    richer = base.copy()
    richer[0] += 0.1
    before, after = field_shares(base), field_shares(richer)
    assert after[0] > before[0] + 0.05
    assert (after[1:] < before[1:]).all()


@pytest.mark.parametrize(
    ("driver", "value"),
    [("placement", 0.9), ("quality", 1.5), ("peer_share", 0.6), ("distance", -10.0)],
)
def test_programme_utility_rises_with_each_attraction(driver, value):
    n_programmes, n = 3, 2
    kwargs = {
        "log_wage": np.zeros(n_programmes),
        "placement": np.full(n_programmes, 0.5),
        "quality": np.ones(n_programmes),
        "distance": np.zeros((n, n_programmes)),
        "peer_share": np.full((n, n_programmes), 0.3),
        "ability": np.zeros(n),
        "tech_intensity": np.full(n_programmes, 0.5),
        "log_points": np.zeros(n_programmes),
    }
    before = education.programme_utilities(FieldChoice(), **kwargs)
    changed = kwargs[driver].copy()
    changed[..., 0] = value
    after = education.programme_utilities(FieldChoice(), **{**kwargs, driver: changed})
    assert (after[:, 0] > before[:, 0]).all()
    np.testing.assert_array_equal(after[:, 1:], before[:, 1:])


def test_able_students_lean_towards_tech_intensive_fields():
    ability = np.array([-2.0, 2.0])
    utilities = education.programme_utilities(
        FieldChoice(),
        log_wage=np.zeros(2),
        placement=np.zeros(2),
        quality=np.zeros(2),
        distance=np.zeros((2, 2)),
        peer_share=np.zeros((2, 2)),
        ability=ability,
        tech_intensity=np.array([0.1, 0.9]),
        log_points=np.zeros(2),
    )
    advantage = utilities[:, 1] - utilities[:, 0]
    assert advantage[1] > 0 > advantage[0]


def vocational_share(**drivers: float) -> float:
    generator = rng(2)
    values = {"wage_gap": 0.0, "admission_odds": 0.0, "peer": 0.0} | drivers
    chosen = education.choose_vocational_track(
        generator.random(N),
        generator.standard_normal(N),
        generator.standard_normal(N),
        TrackChoice(),
        wage_gap=values["wage_gap"],
        admission_odds=values["admission_odds"],
        peer_share=np.full(N, values["peer"]),
    )
    return float(chosen.mean())


def test_higher_vocational_wage_gap_sends_more_students_to_zhongzhi():
    assert vocational_share(wage_gap=0.1) > vocational_share() + 0.02
    assert vocational_share(wage_gap=-0.1) < vocational_share() - 0.02


def test_better_admission_odds_and_more_vocational_peers_raise_zhongzhi_share():
    assert vocational_share(admission_odds=0.2) > vocational_share() + 0.02
    assert vocational_share(peer=0.2) > vocational_share() + 0.02


def test_ability_sorts_able_students_into_general_high_school():
    generator = rng(3)
    ability = generator.standard_normal(N)
    chosen = education.choose_vocational_track(
        generator.random(N), ability, np.zeros(N), TrackChoice(), 0.0, 0.0, np.zeros(N)
    )
    assert ability[chosen].mean() < ability[~chosen].mean() - 0.5


def test_higher_return_to_next_level_raises_continuation():
    params = Progression()
    ability, family = rng(4).standard_normal(N), rng(5).standard_normal(N)
    low = education.continue_probability(0.0, ability, family, 0.0, params)
    high = education.continue_probability(0.0, ability, family, 0.2, params)
    assert (high > low).all()
    assert (
        education.continue_probability(0.0, np.ones(1), np.zeros(1), 0.0, params)[0]
        > education.continue_probability(0.0, -np.ones(1), np.zeros(1), 0.0, params)[0]
    )


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(0, 60),
    seats=st.lists(st.integers(0, 12), min_size=1, max_size=6),
    seed=st.integers(0, 2**32 - 1),
)
def test_assign_programmes_never_exceeds_seats(n, seats, seed):
    generator = rng(seed)
    seats = np.array(seats)
    utilities = generator.normal(size=(n, len(seats)))
    choice = education.assign_programmes(
        generator.gumbel(size=utilities.shape), utilities, seats, generator.random(n), ranks=6
    )
    assert choice.shape == (n,)
    assert ((choice >= -1) & (choice < len(seats))).all()
    taken = np.bincount(choice[choice >= 0], minlength=len(seats))
    assert (taken <= seats).all()
    # nobody is left out while a programme they could have ranked still has a seat,
    # as long as every programme fits in the ranking depth
    if len(seats) <= 6 and (taken < seats).any():
        assert (choice >= 0).all()


def test_oversubscribed_programme_admits_by_priority():
    generator = rng(6)
    n = 100
    utilities = np.zeros((n, 1))
    priority = generator.random(n)
    choice = education.assign_programmes(
        generator.gumbel(size=utilities.shape), utilities, np.array([10]), priority, ranks=6
    )
    admitted = np.flatnonzero(choice == 0)
    assert len(admitted) == 10
    np.testing.assert_array_equal(np.sort(admitted), np.sort(np.argsort(-priority)[:10]))


# ------------------------------------------------------------------ firms
def net_benefit(**changes):
    params = Firms(**changes.pop("params", {}))
    values = {
        "size": np.array([200.0]),
        "wage": np.array([50_000.0]),
        "retention": np.array([0.7]),
        "coop_years": np.array([0]),
        "listed": np.array([False]),
        "unit": np.array([False]),
        "surcharge_owed": np.array([1.0e9]),
        "park": np.array([False]),
    } | changes
    terms = {
        key: values.pop(key)
        for key in ("subsidy", "cost_cut", "retention_bonus", "credit_rate", "coordination")
        if key in values
    }
    factor = firms.transaction_factor(
        params, values.pop("listed"), values.pop("unit"), values.pop("park"), 0.5
    )
    terms = {"credit_rate": 0.3} | terms
    return float(
        firms.net_benefit_of_cooperation(
            params, factor=factor, terms=firms.CooperationTerms(**terms), **values
        )[0]
    )


@pytest.mark.parametrize(
    "change",
    [
        {"subsidy": 5_000.0},
        {"params": {"transaction_cost": 50_000}},
        {"coordination": 0.8},
        {"coop_years": np.array([4])},
        {"size": np.array([2_000.0])},
        {"listed": np.array([True])},
        {"unit": np.array([True])},
        {"retention": np.array([0.95])},
        {"credit_rate": 0.6},
        {"cost_cut": 5_000.0},
        {"retention_bonus": 5_000.0},
        {"park": np.array([True])},
    ],
    ids=lambda c: next(iter(c.get("params", c))),
)
def test_net_benefit_of_cooperation_rises_with_its_drivers(change):
    assert net_benefit(**change) > net_benefit()


def test_net_benefit_falls_with_apprentice_cost_and_poaching_driven_retention():
    assert net_benefit(params={"apprentice_cost": 40_000}) < net_benefit()
    assert net_benefit(retention=np.array([0.2])) < net_benefit()


def test_surcharge_credit_is_capped_by_surcharges_owed():
    capped = net_benefit(surcharge_owed=np.array([0.0]))
    assert capped < net_benefit()
    assert net_benefit(surcharge_owed=np.array([0.0]), credit_rate=1.0) == capped


def test_higher_net_benefit_means_more_firms_cooperate():
    # the model cooperates where NB + noise > 0: more firms cross with a subsidy
    params = Firms()
    generator = rng(7)
    size = generator.lognormal(np.log(60), 1.0, N)
    noise = generator.normal(0.0, params.benefit_noise, N)

    def share(subsidy: float) -> float:
        benefit = firms.net_benefit_of_cooperation(
            params,
            size,
            np.full(N, 50_000.0),
            np.full(N, 0.7),
            np.zeros(N, int),
            np.ones(N),
            np.full(N, 1e9),
            firms.CooperationTerms(subsidy=subsidy, credit_rate=0.3),
        )
        return float(((benefit + noise) > 0).mean())

    assert share(5_000.0) > share(0.0) + 0.005
    assert share(0.0) < 0.5  # training firms are a minority at the status quo


def test_higher_rd_share_and_university_projects_raise_innovation_odds():
    params = Firms()
    rd_share = np.array([0.0, 0.01, 0.02, 0.05])
    p = firms.innovation_probability(params, rd_share, np.zeros(4))
    assert (np.diff(p) > 0).all()
    assert p[0] == 0.0
    with_project = firms.innovation_probability(params, rd_share, np.ones(4))
    assert (with_project > p).all()
    assert ((with_project >= 0) & (with_project <= 1)).all()


def test_super_deduction_raises_rd_and_soes_spend_more():
    params = Firms()
    soe = np.array([False, True])
    today = firms.rd_rate(params, soe, 1.0)
    np.testing.assert_allclose(today, [params.rd_intensity_private, params.rd_intensity_soe])
    assert (firms.rd_rate(params, soe, 2.0) > today).all()
    assert (firms.rd_rate(params, soe, 0.0) < today).all()


def test_less_productive_firms_exit_more_often():
    p = firms.exit_probability(Firms(), np.array([-1.0, 0.0, 1.0]), 0.0, np.full(3, 40.0), 0)
    assert (np.diff(p) < 0).all()
    assert p.max() <= 0.5


def test_larger_and_older_firms_exit_less():
    params = Firms()
    by_size = firms.exit_probability(params, np.zeros(3), 0.0, np.array([5.0, 40.0, 400.0]), 3)
    by_age = firms.exit_probability(
        params, np.zeros(3), 0.0, np.full(3, 40.0), np.array([0, 5, 30])
    )
    assert (np.diff(by_size) < 0).all()
    assert (np.diff(by_age) < 0).all()
    flat = Firms(exit_size_elasticity=0.0, exit_age_elasticity=0.0)
    same = firms.exit_probability(flat, np.zeros(3), 0.0, np.array([5.0, 40.0, 400.0]), 7)
    np.testing.assert_allclose(same, flat.exit_rate)


def test_a_higher_posted_wage_lowers_desired_employment_and_a_demand_shock_raises_it():
    params = Firms()
    shares = np.array([[0.6, 0.2, 0.15, 0.05]])
    at_schedule = firms.desired_employment(params, np.array([100.0]), shares, np.zeros((1, 4)))
    np.testing.assert_allclose(at_schedule, 100.0 * shares)
    dearer = firms.desired_employment(params, np.array([100.0]), shares, np.full((1, 4), 0.2))
    assert (dearer < at_schedule).all()
    boom = firms.desired_employment(params, np.array([100.0]), shares, np.zeros((1, 4)), 1.05)
    assert (boom > at_schedule).all()


def test_a_shortage_raises_the_posted_wage_and_a_lasting_one_raises_it_more():
    params = LabourMarket()
    openings = np.array([[10, 10, 10, 0]])
    unfilled = np.array([[0, 1, 6, 0]])
    markup, years = firms.adjust_posted_wages(
        params, np.zeros((1, 4)), np.zeros((1, 4), dtype=np.int8), openings, unfilled
    )
    assert markup[0, 0] < 0 < markup[0, 2]  # filled everything: lower; a shortage: higher
    assert markup[0, 1] == pytest.approx(0.0)  # the normal share unfilled: unchanged
    assert markup[0, 3] == 0.0 and years.tolist() == [[0, 1, 1, 0]]
    again, _ = firms.adjust_posted_wages(params, np.zeros((1, 4)), years, openings, unfilled)
    assert again[0, 2] > markup[0, 2]
    decayed, _ = firms.adjust_posted_wages(
        params, np.full((1, 4), 0.3), years, np.zeros((1, 4), dtype=np.int64), np.zeros((1, 4))
    )
    assert (decayed < 0.3).all() and (decayed > 0).all()


def test_growth_falls_with_labour_cost_and_keeps_the_trend_in_expectation():
    params = Firms()
    shock = Stream(3, "growth", 2030).normal(np.arange(200_000), "growth")
    none = np.zeros(len(shock))
    cheap = firms.growth_rate(params, np.full(len(shock), 0.02), none, 0.0, shock)
    dear = firms.growth_rate(params, np.full(len(shock), 0.02), none, 0.2, shock)
    assert (dear < cheap).all()
    assert np.exp(cheap).mean() == pytest.approx(np.exp(0.02), abs=2e-3)  # Gibrat, mean trend


def test_firms_share_the_city_demand_whatever_their_growth():
    size = np.array([10.0, 30.0, 60.0])
    grown = size * np.exp(np.array([0.06, 0.0, -0.02]))
    shared = firms.share_city_demand(grown, 100.0)
    assert shared.sum() == pytest.approx(100.0)  # the total follows the city
    assert shared[0] / shared[1] == pytest.approx(grown[0] / grown[1])  # the shares follow growth
    assert shared[0] > size[0] and shared[2] < size[2]  # growing fields take demand


def test_entry_rises_with_expected_profit_and_does_not_grow_with_incumbents():
    params = Firms()
    assert firms.entry_mean(params, 4000, 1.1) > firms.entry_mean(params, 4000, 1.0)
    assert firms.entry_mean(params, 4000, 0.9) < firms.entry_mean(params, 4000, 1.0)
    assert firms.entry_mean(params, 4000, 1.0) == pytest.approx(params.entry_rate * 4000)


def test_labour_demand_shares_sum_to_one_and_shift_up_with_productivity():
    tech = np.full(3, 0.4)
    shares = firms.level_shares(Firms(), tech, np.array([-0.5, 0.0, 0.5]))
    np.testing.assert_allclose(shares.sum(axis=1), 1.0)
    assert (np.diff(shares[:, 0]) < 0).all()


def test_vacancies_are_the_non_negative_gap_to_desired_employment():
    desired = np.array([[50.0, 50.0, 0.0, 0.0], [10.0, 0.0, 0.0, 0.0]])
    employed = np.array([[40.0, 60.0, 0.0, 0.0], [3.5, 0.0, 0.0, 0.0]])
    keys = np.arange(2)
    draws = np.array([firms.vacancies(stream(i), keys, desired, employed) for i in range(2000)])
    assert (draws >= 0).all()
    np.testing.assert_array_equal(draws[:, 0], np.tile([10, 0, 0, 0], (2000, 1)))
    assert abs(draws[:, 1, 0].mean() - 6.5) < 0.05  # stochastic rounding keeps the mean


# ------------------------------------------------------------------ labour market
def market(seed: int = 9, n_seekers: int = 3_000, n_firms: int = 400):
    generator = rng(seed)
    n_fields = 5
    firm_field = generator.integers(0, n_fields, n_firms)
    vacancies = Vacancies(
        firm=np.arange(n_firms),
        key=np.arange(n_firms) * 4,
        field=firm_field,
        level=generator.integers(0, 2, n_firms),
        slots=generator.integers(1, 8, n_firms),
        wage=generator.uniform(45_000, 70_000, n_firms),
    )
    seekers = Seekers(
        key=np.arange(n_seekers),
        level=generator.integers(0, 2, n_seekers),
        field=generator.integers(0, n_fields, n_seekers),
        score=generator.standard_normal(n_seekers),
        reservation=np.full(n_seekers, 40_000.0),
    )
    return seekers, vacancies, n_fields


def hires(**params) -> int:
    seekers, vacancies, n_fields = market()
    cell, _ = match(stream(10), seekers, vacancies, LabourMarket(**params), n_fields)
    return int((cell >= 0).sum())


def test_more_rounds_give_more_matches():
    for applications in (1, 3):
        counts = [hires(rounds=r, applications=applications) for r in (1, 2, 4)]
        assert counts[0] < counts[1] <= counts[2], (applications, counts)


def test_more_applications_give_more_matches_within_a_round():
    # a declined offer goes to the opening's next applicant, so a wider search fills more
    assert hires(rounds=1, contacts=3, applications=3) > hires(rounds=1, contacts=3, applications=1)


def test_more_applications_help_seekers_when_rounds_suffice():
    # with enough rounds declined slots are offered again, and a wider search never hurts
    assert hires(rounds=10, applications=3) >= hires(rounds=1, applications=1)


def test_matching_respects_slots_levels_and_reservation_wages():
    seekers, vacancies, n_fields = market()
    seekers.reservation[:1000] = 60_000.0
    params = LabourMarket()
    cell, wage = match(stream(11), seekers, vacancies, params, n_fields)
    hired = cell >= 0
    assert hired.sum() > 0
    assert (np.bincount(cell[hired], minlength=len(vacancies.slots)) <= vacancies.slots).all()
    np.testing.assert_array_equal(vacancies.level[cell[hired]], seekers.level[hired])
    assert (wage[hired] >= seekers.reservation[hired]).all()
    in_field = vacancies.field[cell[hired]] == seekers.field[hired]
    np.testing.assert_allclose(
        wage[hired],
        vacancies.wage[cell[hired]] * np.where(in_field, 1.0, params.out_of_field_discount),
        rtol=1e-6,
    )
    assert (wage[~hired] == 0).all()


def test_more_vacancies_match_more_seekers_with_decreasing_returns():
    seekers, vacancies, n_fields = market()
    counts = []
    for factor in (1, 2, 4):
        bigger = Vacancies(
            vacancies.firm,
            vacancies.key,
            vacancies.field,
            vacancies.level,
            vacancies.slots * factor,
            vacancies.wage,
        )
        cell, _ = match(stream(12), seekers, bigger, LabourMarket(), n_fields)
        counts.append(int((cell >= 0).sum()))
    assert counts[0] < counts[1] < counts[2]
    assert counts[2] - counts[1] < counts[1] - counts[0] + 1e-9 or counts[2] < 2 * counts[1]


def test_empty_market_matches_nobody():
    seekers, _, n_fields = market(n_seekers=10)
    empty = Vacancies(*(np.zeros(0, dtype=np.int64) for _ in range(5)), np.zeros(0))
    cell, wage = match(stream(13), seekers, empty, LabourMarket(), n_fields)
    assert (cell == -1).all() and (wage == 0).all()


# ------------------------------------------------------------------ migration
DESTINATIONS = [
    Destination(name="Jinan", wage_ratio=1.15, amenity=6_000),
    Destination(name="Qingdao", wage_ratio=1.25, amenity=10_000, weight=0.8),
]


def stay(income=60_000.0, migrant=False, unemployed=False, leavers=0.2, **params) -> float:
    parameters = Migration(**params)
    reference = np.array([60_000.0])
    outside = migration.outside_utilities(parameters, DESTINATIONS, reference)
    return float(
        migration.stay_probability(
            parameters,
            np.array([income]),
            migration.option_value(outside),
            np.array([migrant]),
            np.array([unemployed]),
            leavers,
        )[0]
    )


def test_higher_local_wage_or_subsidy_raises_stay_probability():
    assert stay(income=70_000.0) > stay()
    assert stay(income=60_000.0 + 12_000.0) > stay()  # a 1,000 RMB/month allowance


def test_unemployment_network_and_migrant_status_push_people_out():
    assert stay(unemployed=True, unemployed_penalty=0.5) < stay(unemployed_penalty=0.5)
    assert stay(leavers=0.8) < stay()
    assert stay(migrant=True) < stay()
    assert stay(home_bias=Migration().home_bias + 1.0) > stay()


def test_a_slack_market_lowers_the_unemployeds_expected_income_and_pushes_them_out():
    config = load_config(ROOT / "configs" / "zibo_baseline.yaml")
    reference = np.array([60_000.0])
    tight = migration.searching_income(config, reference, 0.9)[0]
    slack = migration.searching_income(config, reference, 0.3)[0]
    assert slack < tight < reference[0]
    assert stay(income=slack) < stay(income=tight)


def test_settled_workers_are_more_attached_than_newcomers():
    parameters = Migration()
    outside = migration.outside_utilities(parameters, DESTINATIONS, np.array([60_000.0] * 2))
    p = migration.stay_probability(
        parameters,
        np.full(2, 60_000.0),
        migration.option_value(outside),
        np.zeros(2, bool),
        np.zeros(2, bool),
        0.2,
        np.array([False, True]),
    )
    assert p[1] > p[0]
    assert 1 - p[1] < 0.03  # settled workers leave at a few % a year at most


def test_better_outside_options_raise_leaving_and_pick_the_best_destination():
    params = Migration()
    reference = np.full(N, 60_000.0)
    outside = migration.outside_utilities(params, DESTINATIONS, reference)
    richer = migration.outside_utilities(
        params, [DESTINATIONS[0], DESTINATIONS[1].model_copy(update={"wage_ratio": 2.0})], reference
    )
    assert (richer[:, 1] > outside[:, 1]).all()
    noise = rng(14).gumbel(size=richer.shape)
    picked = migration.choose_destination(richer, noise)
    assert (picked == 1).mean() > (migration.choose_destination(outside, noise) == 1).mean()


# ------------------------------------------------------------------ skills
def test_in_field_work_grows_field_skill_and_out_of_field_work_erodes_it():
    params = Skills()
    general = np.array([0.5, 0.5])
    field = np.array([1.0, 1.0])
    new_general, new_field = skills.grow_skills(params, general, field, np.array([True, False]))
    assert new_field[0] > 1.0 > new_field[1]
    np.testing.assert_allclose(new_general, general + params.general_growth, rtol=1e-6)


def test_field_skill_saturates():
    params = Skills()
    field = np.array([0.0])
    for _ in range(200):
        _, field = skills.grow_skills(params, np.zeros(1), field, np.array([True]))
    assert 2.9 < field[0] <= 3.0


def test_in_field_workers_are_more_productive():
    level = np.array([0, 0, 3])
    p = skills.productivity(level, np.zeros(3), np.ones(3), np.array([True, False, True]))
    assert p[0] > p[1]
    assert p[2] > p[0]
