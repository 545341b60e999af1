"""Each grounded channel moves its outcome the right way (paired with the baseline, same seeds).

The park trains students in its shared bases and its firms gain more from apprentices; the
talent subsidy, paid only to eligible graduates employed in the city, raises their 3-year
retention without raising their unemployment; a subsidy per apprentice raises the share of
training firms more than an equal-cost cut in the apprentice's cost (Yang 2021); shared
capacity stays bounded.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from talentsim.config import resolve_config
from talentsim.config.schema import Firms
from talentsim.model import simulate
from talentsim.model.agents import firms
from talentsim.model.states import Level, Stage

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "configs" / "zibo_baseline.yaml"
SCALE = 0.03
YEARS = 6
SEEDS = (21, 22, 23)


@cache
def run(overrides: tuple[tuple[str, Any], ...], seed: int) -> Any:
    config = resolve_config(BASELINE, dict(overrides)).model_copy(update={"scale": SCALE})
    return simulate(config, seed=seed, years=YEARS)


def paired(overrides: dict[str, Any], outcome: str, last: int = YEARS) -> np.ndarray:
    """Per seed: mean over the last ``last`` years of (lever − baseline)."""
    key = tuple(sorted(overrides.items()))
    return np.array(
        [
            float((run(key, s).outcomes[outcome] - run((), s).outcomes[outcome]).tail(last).mean())
            for s in SEEDS
        ]
    )


def test_the_park_trains_students_in_shared_bases() -> None:
    park = {"policy.park.enabled": True}
    assert (paired(park, "shared_base_trainees") > 0).all()
    base = run((), SEEDS[0]).outcomes
    assert (base["shared_base_trainees"] == 0).all()


def test_a_park_firm_gains_more_from_taking_apprentices() -> None:
    """The park's channel to apprenticeships: its platform cuts a firm's transaction cost.

    (Its effect on the city's total apprentices is within seed noise at the scales tested here:
    the park holds few firms, docs/policies.md.)
    """
    params = Firms()
    no = np.array([False])
    factor = {
        where: firms.transaction_factor(params, no, no, np.array([where]), 0.5)
        for where in (True, False)
    }
    benefit = {
        where: firms.net_benefit_of_cooperation(
            params,
            np.array([200.0]),
            np.array([60_000.0]),
            np.array([0.6]),
            np.zeros(1, dtype=np.int16),
            factor[where],
            np.array([1e6]),
            firms.CooperationTerms(),
        )[0]
        for where in (True, False)
    }
    assert benefit[True] > benefit[False]


def _eligible_unemployment(result: Any) -> float:
    """Unemployment at the end among 本科+ graduates of the last three years in the city."""
    p = result.model.people
    eligible = (p.level >= Level.BENKE) & (p.graduation_year > result.model.year - 3)
    active = (p.stage == Stage.EMPLOYED) | (p.stage == Stage.UNEMPLOYED)
    return float((p.stage[eligible & active] == Stage.UNEMPLOYED).mean())


# the in-migration channel is switched off in both arms: it adds competitors for the same jobs
# (a channel of its own, measured in docs/policies.md), and the test is about the stay channel
NO_INFLOW_RESPONSE = {"city.inflow_elasticity": 0.0}


def test_the_conditional_talent_subsidy_keeps_eligible_graduates_without_idling_them() -> None:
    doubled = NO_INFLOW_RESPONSE | {
        "policy.talent_subsidy.monthly_allowance": 3_000,
        "policy.talent_subsidy.housing_grant": 240_000,
    }
    key, base = tuple(sorted(doubled.items())), tuple(NO_INFLOW_RESPONSE.items())
    retention = [
        float(
            (
                run(key, s).outcomes["retention_3y_benke"]
                - run(base, s).outcomes["retention_3y_benke"]
            )
            .tail(3)
            .mean()
        )
        for s in SEEDS
    ]
    assert np.mean(retention) > 0
    change = [
        _eligible_unemployment(run(key, s)) - _eligible_unemployment(run(base, s)) for s in SEEDS
    ]
    # paying the stay of the unemployed raised their unemployment by 8 pp (the issue's
    # measure); paid to the employed only, what remains (~0.8 pp at this scale) is the
    # competition of the extra stayers for the same jobs
    assert np.mean(change) <= 0.02


def test_a_subsidy_moves_more_firms_than_an_equal_cost_cut_in_apprentice_cost() -> None:
    subsidy = paired({"policy.apprenticeship_subsidy.value": 10_000}, "firm_participation_rate")
    cut = paired({"policy.apprentice_cost_cut.value": 10_000}, "firm_participation_rate")
    assert (subsidy > cut).all()
    assert cut.mean() > 0


def test_equal_cost_terms_differ_in_incidence_in_the_net_benefit() -> None:
    params, size = Firms(), np.array([200.0])
    args = (
        params,
        size,
        np.array([50_000.0]),
        np.array([0.3]),
        np.zeros(1),
        np.ones(1),
        np.array([1e6]),
    )
    cash = firms.net_benefit_of_cooperation(*args, firms.CooperationTerms(subsidy=5_000))
    cut = firms.net_benefit_of_cooperation(*args, firms.CooperationTerms(cost_cut=5_000))
    none = firms.net_benefit_of_cooperation(*args, firms.CooperationTerms())
    assert cash > cut > none


def test_land_grant_capacity_is_bounded_by_depreciation() -> None:
    grant = {"policy.land_grant.value": 50}
    outcomes = run(tuple(grant.items()), SEEDS[0]).outcomes
    config = resolve_config(BASELINE)
    ceiling = 50 * config.policy.places_per_ha / config.policy.place_depreciation
    assert (outcomes["shared_base_places"] <= ceiling).all()
    assert outcomes["shared_base_places"].diff().dropna().is_monotonic_decreasing
