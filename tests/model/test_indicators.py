"""The headline indicators see the mechanisms they report, and mean the same at every scale.

An oracle that resets every school's programmes to this year's openings must lower
``mismatch_flow``, scrambling the programmes into three random fields must raise it; a
cohort's retention can only fall with time; the headline rates of two small scales agree.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from talentsim.config import load_config
from talentsim.model import TalentModel
from talentsim.model.agents import firms
from talentsim.model.agents.schools import split_seats
from talentsim.model.processes import programme_review
from talentsim.model.state import CityState
from talentsim.model.streams import Stream

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "configs" / "zibo_baseline.yaml"
SCALE, YEARS, SEEDS = 0.03, 4, tuple(range(21, 27))
KIND_LEVEL = {"zhongzhi": 0, "gaozhi": 1}  # labour-market level of each school kind


def oracle_review(state: CityState, stream: Stream) -> None:
    """Status-quo review, then every school's points follow the jobs firms want at its level."""
    programme_review.review(state, stream)
    table = state.firms
    wanted = firms.level_shares(
        state.config.firms, state.structure.tech[table.field], table.log_productivity
    )
    wanted *= (table.size_target * table.active)[:, None]
    demand = np.zeros((state.structure.n_fields, wanted.shape[1]))
    np.add.at(demand, table.field, wanted)
    for school in state.schools:
        school.points = split_seats(int(school.points.sum()), demand[:, KIND_LEVEL[school.kind]])


def scrambled_review(state: CityState, stream: Stream) -> None:
    """Status-quo review, then every school offers its points in three fields fixed at random."""
    programme_review.review(state, stream)
    for i, school in enumerate(state.schools):
        fields = np.random.default_rng(i).choice(len(school.points), 3, replace=False)
        weights = np.zeros(len(school.points))
        weights[fields] = 1.0
        school.points = split_seats(int(school.points.sum()), weights)


REVIEWS = {"status quo": programme_review.review, "oracle": oracle_review}
REVIEWS["scrambled"] = scrambled_review


@cache
def run(review: str, seed: int, scale: float = SCALE, years: int = YEARS) -> pd.DataFrame:
    """Outcomes of the baseline with ``review`` in place of the programme review (burn-in too)."""
    config = load_config(BASELINE).model_copy(update={"scale": scale})
    model = TalentModel(config, rng=seed, burn_in=False)
    model.schedule = tuple(
        (name, REVIEWS[review] if name == "programme_review" else process)
        for name, process in model.schedule
    )
    model.run_burn_in()
    for _ in range(years):
        model.step()
    return model.outcomes()


def significant(change: np.ndarray, margin: float) -> bool:
    """Whether the mean change exceeds ``margin`` and twice its standard error (both > 0)."""
    error = change.std(ddof=1) / np.sqrt(len(change))
    return bool(change.mean() > max(margin, 2 * error))


def paired(review: str, outcome: str) -> np.ndarray:
    """Per seed: mean of ``outcome`` under ``review`` minus under the status quo."""
    return np.array(
        [run(review, seed)[outcome].mean() - run("status quo", seed)[outcome].mean()
         for seed in SEEDS]
    )  # fmt: skip


@pytest.mark.parametrize(
    ("outcome", "margin"),
    [("mismatch_flow", 0.005), ("mismatch_flow_secondary", 0.05), ("mismatch_flow_gaozhi", 0.015)],
)
def test_oracle_alignment_lowers_mismatch_flow(outcome, margin):
    # the levels mix of graduates and openings is the same under the oracle: the overall
    # index moves less than the vocational levels' ones
    change = paired("oracle", outcome)
    assert significant(-change, margin), change


@pytest.mark.parametrize(
    ("outcome", "margin"),
    # secondary-level mismatch is left out: since the labour market answers supply (wages,
    # frictions), scrambling 中职 programmes moves it within noise at this size
    [("mismatch_flow", 0.05), ("mismatch_flow_gaozhi", 0.2)],
)
def test_scrambled_programmes_raise_mismatch_flow(outcome, margin):
    change = paired("scrambled", outcome)
    assert significant(change, margin), change


def test_programmes_do_not_move_the_mismatch_of_university_graduates():
    # 本科 and 研究生 fields come from the universities, which the reviews do not touch
    assert np.abs(paired("oracle", "mismatch_flow_graduate")).mean() < 0.05


def test_cohort_retention_falls_with_time_since_graduation():
    outcomes = run("status quo", SEEDS[0], years=6)
    # the cohort graduating in the first reported year, seen after 1, 3 and 5 years
    for group in ("", "_local", "_incoming", "_gaozhi", "_benke"):
        one, three, five = (outcomes[f"retention_{k}y{group}"].iloc[k] for k in (1, 3, 5))
        assert one >= three >= five, (group, one, three, five)
    assert (outcomes["retention_1y"] > 0.2).all()


@pytest.mark.parametrize(
    ("outcome", "tolerance"),
    [
        ("retention_3y", 0.08),
        ("employment_rate", 0.06),  # 0.05 apart at 0.03 vs 0.06 since the frictional market
        ("mismatch_flow", 0.04),
        ("partner_universities", 3.0),
    ],
)
def test_headline_rates_agree_between_small_scales(outcome, tolerance):
    # tolerances: about three standard errors of the difference of two 6-seed means at these
    # scales (seed noise of a 4-year mean); in-field rates are biased below scale 0.25 and
    # left out (docs/scale.md)
    small = np.mean([run("status quo", seed)[outcome].mean() for seed in SEEDS])
    larger = np.mean([run("status quo", seed, scale=2 * SCALE)[outcome].mean() for seed in SEEDS])
    assert abs(small - larger) < tolerance, (small, larger)
