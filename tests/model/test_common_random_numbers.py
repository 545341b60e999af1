"""Common random numbers: a lever changes what it causes and nothing else.

Every process draws from its own stream, and a person's or firm's draws are keyed by its id,
so two scenarios of one seed are the same city wherever the policy has not reached.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from talentsim.config import load_config, resolve_config
from talentsim.model import TalentModel, burned_in_snapshot, from_snapshot, simulate
from talentsim.model.city import SCHEDULE
from talentsim.model.state import CityState
from talentsim.model.streams import Stream

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "configs" / "zibo_baseline.yaml"
SCALE, YEARS, BURN_IN, SEED = 0.02, 4, 6, 5


def config(overrides: dict | None = None):
    update = {"scale": SCALE, "burn_in": BURN_IN, "years": YEARS}
    return resolve_config(BASELINE, overrides or {}).model_copy(update=update)


@cache
def snapshot() -> bytes:
    return burned_in_snapshot(config(), seed=SEED)


def run(overrides: dict | None = None):
    return simulate(config(overrides), seed=SEED, city=from_snapshot(snapshot()))


def draw_and_discard(state: CityState, stream: Stream) -> None:
    """A process that draws numbers and changes nothing."""
    stream.uniform(state.people.pid, "placebo")
    stream.count("placebo", 100.0)


class PlaceboModel(TalentModel):
    schedule = (*SCHEDULE[:4], ("placebo", draw_and_discard), *SCHEDULE[4:])


def test_a_placebo_process_that_draws_numbers_changes_no_outcome():
    base = simulate(config(), seed=SEED)
    placebo = simulate(config(), seed=SEED, city=PlaceboModel(config(), rng=SEED))
    pd.testing.assert_frame_equal(base.outcomes, placebo.outcomes)
    pd.testing.assert_frame_equal(base.flows, placebo.flows)


def test_a_continued_snapshot_equals_a_run_burned_in_from_scratch():
    fresh = simulate(config(), seed=SEED)
    pd.testing.assert_frame_equal(fresh.outcomes, run().outcomes)


def first_cohort(result) -> pd.DataFrame:
    """Track and programme of the first reported cohort of 15-year-olds, by pid."""
    start = result.model.config.city.start_year
    people = result.model.people.individuals()
    events = result.model.people.events()
    entered = events[(events.event == "ENTER") & (events.year == start) & (events.a == 0)].pid
    admitted = events[(events.event == "ADMIT") & (events.year == start) & events.pid.isin(entered)]
    return admitted.set_index("pid")[["a", "b"]].join(people.set_index("pid")[["ability"]])


def test_a_lever_does_not_touch_the_first_cohorts_choices_before_its_effect_arrives():
    # the apprenticeship subsidy acts on firms; students see its effect on placement only
    # after a cohort has graduated, so the first cohort chooses as in the baseline
    base = run()
    lever = run({"policy.apprenticeship_subsidy.value": 30_000})
    assert not base.outcomes.equals(lever.outcomes)  # the lever does act
    pd.testing.assert_frame_equal(first_cohort(base), first_cohort(lever))


def test_the_same_person_draws_the_same_number_in_two_scenarios():
    # the talent subsidy draws more graduates from outside: the k-th arrival of a year is the
    # same person in both scenarios, with the same ability and the same stay draw
    base = run()
    richer = run({"policy.talent_subsidy.monthly_allowance": 6_000})
    year = base.model.config.city.start_year + 1
    arrivals = []
    for result in (base, richer):
        events = result.model.people.events()
        pid = events[(events.event == "ENTER") & (events.year == year) & (events.a == 1)].pid
        arrivals.append(result.model.people.individuals().set_index("pid").loc[pid, "ability"])
    more, fewer = sorted(arrivals, key=len)[::-1]
    assert len(more) > len(fewer)
    pd.testing.assert_series_equal(more.loc[fewer.index], fewer)
    stream = Stream(0, "migration", year)
    np.testing.assert_array_equal(
        stream.uniform(fewer.index.to_numpy(), "stay"),
        stream.uniform(more.index.to_numpy(), "stay")[: len(fewer)],
    )


def test_same_seed_and_config_give_identical_runs_and_another_seed_differs():
    one = simulate(config(), seed=SEED)
    again = simulate(config(), seed=SEED)
    other = simulate(config(), seed=SEED + 1)
    pd.testing.assert_frame_equal(one.outcomes, again.outcomes)
    assert not one.outcomes.equals(other.outcomes)


def test_burn_in_years_are_simulated_under_the_status_quo_and_not_reported():
    overrides = {"policy.apprenticeship_subsidy.value": 30_000, "policy.park.enabled": True}
    scenario = simulate(config(overrides), seed=SEED)
    start = scenario.model.config.city.start_year
    assert list(scenario.outcomes.year) == list(range(start, start + YEARS))
    events = scenario.model.people.events()
    assert events.year.min() == start - BURN_IN - 1  # the set-up year
    base = TalentModel(config(), rng=SEED)
    burned = TalentModel(config(overrides), rng=SEED)
    pd.testing.assert_frame_equal(base.people.individuals(), burned.people.individuals())
    assert base.year == burned.year == start - 1


def test_a_model_built_without_burn_in_stands_at_its_set_up_year():
    model = TalentModel(load_config(BASELINE).model_copy(update={"scale": SCALE}), burn_in=False)
    assert model.year == model.config.city.start_year - model.config.burn_in - 1
    assert model.outcomes().empty
