"""Invariants of a small city run, checked year by year, and determinism."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from talentsim.config import load_config
from talentsim.model import TalentModel, simulate
from talentsim.model.agents import firms
from talentsim.model.states import IN_CITY_STAGES, MARKET_LEVEL, Stage

ROOT = Path(__file__).resolve().parents[2]
CONFIGS = {
    "baseline": ROOT / "configs" / "zibo_baseline.yaml",
    "combined": ROOT / "configs" / "scenarios" / "combined.yaml",
}
SCALE, YEARS = 0.02, 5


def small(name: str):
    return load_config(CONFIGS[name]).model_copy(update={"scale": SCALE})


@dataclass
class Year:
    """What one year looked like: stock before/after, events, seats offered."""

    stock_before: int
    stock_after: int
    events: pd.DataFrame
    seats: dict[tuple[int, int, int], int] = field(default_factory=dict)
    field_of: dict[int, int] = field(default_factory=dict)
    openings: np.ndarray | None = None
    market_level_of: dict[int, int] = field(default_factory=dict)


def seats_offered(model: TalentModel) -> dict[tuple[int, int, int], int]:
    """(stage, school/university index, field) → seats this year."""
    seats = {}
    for i, school in enumerate(model.schools):
        stage = Stage.ZHONGZHI if school.kind == "zhongzhi" else Stage.GAOZHI
        for f, n in enumerate(school.seats):
            seats[(int(stage), i, f)] = int(n)
    for i, university in enumerate(model.universities):
        for stage, attr in ((Stage.BENKE, "benke_seats"), (Stage.GRADUATE_STUDY, "graduate_seats")):
            for f, n in enumerate(getattr(university, attr)):
                seats[(int(stage), i, f)] = int(n)
    return seats


@dataclass
class Run:
    model: TalentModel
    years: list[Year]
    checks: list[str]


def check_year(model: TalentModel) -> list[str]:
    """Problems with the model's state at the end of a year (empty if none)."""
    problems = []
    p, table = model.people, model.firm_table
    if not np.isin(p.stage, IN_CITY_STAGES).all():
        problems.append("a live row is not in the city")
    employed = p.stage == Stage.EMPLOYED
    employer = p.employer[employed]
    if (employer < 0).any() or not table.active[employer].all():
        problems.append("an employed person's employer is missing or inactive")
    if (p.employer[~employed] != -1).any():
        problems.append("a person without a job has an employer")
    if (p.wage[employed] <= 0).any():
        problems.append("an employed person earns nothing")
    studying = (p.stage >= Stage.ZHONGZHI) & (p.stage <= Stage.GRADUATE_STUDY)
    if (p.school[studying] < 0).any():
        problems.append("a vocational/university student without a school")
    costs = model.government.costs()
    if any(value < 0 for value in costs.values()):
        problems.append(f"negative fiscal cost {costs}")
    for column in ("revenue", "rd", "credit", "size_target"):
        if (getattr(table, column) < 0).any():
            problems.append(f"negative firm {column}")
    if any(school.equipment < 0 for school in model.schools):
        problems.append("negative school equipment")
    if any((school.points < 0).any() for school in model.schools):
        problems.append("negative specialty points")
    return problems


@pytest.fixture(scope="module", params=list(CONFIGS))
def run(request) -> Run:
    model = TalentModel(small(request.param), rng=7)
    years, checks = [], []
    posted: list[np.ndarray] = []

    def recording_vacancies(*args, **kwargs):
        openings = vacancies(*args, **kwargs)
        posted.append(openings.copy())
        return openings

    vacancies = firms.vacancies
    for _ in range(YEARS):
        before = len(model.people)
        seats = seats_offered(model)
        posted.clear()
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(firms, "vacancies", recording_vacancies)
            model.step()
        log = model.people.events()
        events = log[log["year"] == model.year].reset_index(drop=True)
        pids = model.people.pid.tolist()
        field_of = dict(zip(pids, model.people.field.tolist(), strict=True))
        level_of = dict(zip(pids, MARKET_LEVEL[model.people.level].tolist(), strict=True))
        assert len(posted) == 1
        years.append(Year(before, len(model.people), events, seats, field_of, posted[0], level_of))
        checks.extend(f"{model.year}: {problem}" for problem in check_year(model))
    return Run(model, years, checks)


def test_state_is_consistent_every_year(run):
    assert run.checks == []


def test_every_person_is_accounted_for_every_year(run):
    for year in run.years:
        codes = year.events["event"]
        entrants = int((codes == "ENTER").sum())
        leavers = int((codes.isin(["LEAVE", "RETIRE"])).sum())
        assert year.stock_after - year.stock_before == entrants - leavers


def test_nobody_leaves_or_enters_twice(run):
    log = run.model.people.events()
    for event in ("ENTER", "LEAVE", "RETIRE"):
        assert not log.loc[log["event"] == event, "pid"].duplicated().any(), event
    gone = log.loc[log["event"].isin(["LEAVE", "RETIRE"]), "pid"]
    assert gone.isin(log.loc[log["event"] == "ENTER", "pid"]).all()


def test_archived_rows_are_exactly_those_who_left_or_retired(run):
    people = run.model.people.individuals()
    assert len(people) == len(run.model.people.events().query("event == 'ENTER'"))
    assert people["pid"].is_unique
    log = run.model.people.events()
    gone = set(log.loc[log["event"].isin(["LEAVE", "RETIRE"]), "pid"])
    out = set(people.loc[people["stage"].isin(["LEFT", "RETIRED"]), "pid"])
    assert gone == out
    assert len(people) - len(out) == len(run.model.people)


def test_seats_are_never_exceeded(run):
    for year in run.years:
        admitted = year.events[year.events["event"] == "ADMIT"]
        admitted = admitted[admitted["a"] != Stage.GENERAL_HS]
        # the field of a student admitted this year is their field at the end of the year
        keys = zip(
            admitted["a"].astype(int),
            admitted["b"].astype(int),
            (year.field_of[pid] for pid in admitted["pid"].astype(int)),
            strict=True,
        )
        taken = pd.Series(list(keys)).value_counts()
        assert len(taken) > 0
        over = {key: n for key, n in taken.items() if n > year.seats.get(key, 0)}
        assert over == {}


def test_no_firm_hires_more_than_its_vacancies_at_a_level(run):
    for year in run.years:
        hires = year.events[year.events["event"] == "HIRE"]
        # hired people are in the city at year end unless they left or retired the same year
        hires = hires[hires["pid"].isin(year.market_level_of)]
        levels = [year.market_level_of[pid] for pid in hires["pid"].astype(int)]
        taken = pd.Series(list(zip(hires["a"].astype(int), levels, strict=True))).value_counts()
        assert len(taken) > 0
        over = {key: n for key, n in taken.items() if n > year.openings[key]}
        assert over == {}


def test_outcomes_have_one_row_per_year_and_sane_ranges(run):
    outcomes = run.model.outcomes()
    assert list(outcomes["year"]) == list(range(2024, 2024 + YEARS))
    rates = [c for c in outcomes if c.endswith(("_rate", "_share")) or "_rate_" in c]
    rates += [c for c in outcomes if c.startswith(("retention_", "mismatch_flow"))]
    assert {"retention_5y", "in_field_rate_benke", "mismatch_flow_gaozhi"} <= set(rates)
    for rate in (*rates, "duplication_index", "apprentice_retention"):
        assert outcomes[rate].between(0, 1).all(), rate
    fiscal = [c for c in outcomes if c.startswith("fiscal_cost")]
    assert (outcomes[fiscal] >= 0).all().all()
    parts = outcomes[[c for c in fiscal if c != "fiscal_cost"]].sum(axis=1)
    np.testing.assert_allclose(parts, outcomes["fiscal_cost"])
    assert not outcomes.isna().any().any()


def test_flows_are_non_negative_city_scale_counts(run):
    flows = run.model.flows()
    assert list(flows.columns) == ["year", "source", "target", "count"]
    assert (flows["count"] > 0).all()
    cohort = flows[flows["source"] == "cohort"].groupby("year")["count"].sum()
    # the whole cohort of 15-year-olds goes to 普高 or 中职 (at city scale)
    expected = small("baseline").city.cohort_size
    assert cohort.between(0.8 * expected, 1.2 * expected).all()


def test_life_course_of_one_person_is_coherent(run):
    people = run.model.people.individuals()
    log = run.model.people.events()
    cohort = log[(log["event"] == "ENTER") & (log["a"] == 0) & (log["year"] == 2024)]
    hired = set(log.loc[log["event"] == "HIRE", "pid"])
    pid = next(pid for pid in cohort["pid"] if pid in hired)
    trace = run.model.people.trace(pid)
    assert trace["event"].iloc[0] == "ENTER"
    assert trace["year"].is_monotonic_increasing
    assert (trace["pid"] == pid).all()
    events = list(trace["event"])
    assert events.index("ADMIT") < events.index("GRADUATE") < events.index("HIRE")
    person = people.set_index("pid").loc[pid]
    last_hire = trace[trace["event"] == "HIRE"].iloc[-1]
    if person["stage"] == "EMPLOYED":
        assert person["employer"] == last_hire["firm"]


def test_same_seed_gives_equal_outcomes_and_different_seed_differs():
    config = small("baseline")
    first, again = simulate(config, seed=11, years=3), simulate(config, seed=11, years=3)
    pd.testing.assert_frame_equal(first.outcomes, again.outcomes)
    pd.testing.assert_frame_equal(first.flows, again.flows)
    other = simulate(config, seed=12, years=3)
    assert not first.outcomes.equals(other.outcomes)


def test_seed_sequence_and_generator_seeds_are_accepted_and_reproducible():
    config = small("baseline")
    a = simulate(config, seed=np.random.SeedSequence(5), years=2).outcomes
    b = simulate(config, seed=np.random.SeedSequence(5), years=2).outcomes
    pd.testing.assert_frame_equal(a, b)
    c = simulate(config, seed=np.random.default_rng(5), years=2).outcomes
    d = simulate(config, seed=np.random.default_rng(5), years=2).outcomes
    pd.testing.assert_frame_equal(c, d)


def test_every_outcome_column_is_defined_in_the_odd_document(run):
    text = (ROOT / "docs" / "ODD.md").read_text(encoding="utf-8")
    outcomes_section = text[text.index("## 8. Outcomes") : text.index("## 9.")]
    # a documented name pattern such as `retention_<k>y_<level>` covers its instances
    patterns = [
        re.compile(re.sub(r"<[a-z]+>", "[a-z0-9_]+", name) + "$")
        for name in re.findall(r"`([a-z0-9_]*<[^`]+)`", outcomes_section)
    ]
    undocumented = [
        column
        for column in run.model.outcomes().columns
        if f"`{column}`" not in outcomes_section
        and not any(pattern.match(column) for pattern in patterns)
    ]
    assert undocumented == []


def test_arrays_freed_after_the_model_is_built_are_reused_without_page_faults():
    import resource

    from talentsim.model.city import keep_freed_memory

    if not keep_freed_memory():
        pytest.skip("the C library has no mallopt (not glibc)")

    def faults() -> int:
        return resource.getrusage(resource.RUSAGE_SELF).ru_minflt

    np.ones(1 << 20) + np.ones(1 << 20)  # the heap grows once
    before = faults()
    for _ in range(20):
        np.ones(1 << 20) + np.ones(1 << 20)  # three 8 MB arrays a time: 6 k pages if not reused
    assert faults() - before < 1_000
