"""Vocational schools: seats follow points, reviews follow signals, equipment ages."""

from __future__ import annotations

import mesa
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from talentsim.config.schema import ProgrammeReview, SchoolSpec
from talentsim.model.agents.schools import (
    VocationalSchool,
    specialisation,
    split_seats,
)


def school(points, specialties=None, equipment=16_000.0) -> VocationalSchool:
    points = np.array(points)
    spec = SchoolSpec(
        name="s",
        kind="zhongzhi",
        intake=1000,
        specialties=int(points.sum()) if specialties is None else specialties,
        equipment_per_student=equipment,
    )
    return VocationalSchool(mesa.Model(rng=0), spec, points, scale=1.0)


@settings(max_examples=80, deadline=None)
@given(
    intake=st.integers(0, 5000),
    weights=st.lists(st.integers(0, 30), min_size=1, max_size=15),
)
def test_split_seats_hands_out_exactly_the_intake(intake, weights):
    weights = np.array(weights, dtype=float)
    seats = split_seats(intake, weights)
    assert (seats >= 0).all()
    assert seats.sum() == (intake if weights.sum() > 0 else 0)
    assert (seats[weights == 0] == 0).all()
    # largest remainder: never more than one seat away from the exact share
    if weights.sum() > 0:
        assert (np.abs(seats - intake * weights / weights.sum()) < 1).all()


def test_seats_follow_specialty_points():
    s = school([6, 3, 1, 0])
    np.testing.assert_array_equal(s.seats, [600, 300, 100, 0])


def review(points, signal, alignment=0.0, specialties=None, **params):
    s = school(points, specialties)
    s.review_programmes(
        np.zeros(len(signal)),
        np.array(signal, dtype=float),
        ProgrammeReview(signal_noise=0.0, **params),
        alignment,
    )
    return s


def test_review_opens_where_demand_is_strong_and_closes_where_it_is_weak():
    s = review([3, 3, 3, 3], [1.0, 0.0, 0.0, -1.0])
    np.testing.assert_array_equal(s.points, [4, 3, 3, 2])
    assert (s.opened, s.closed) == (1, 1)


def test_review_ignores_signals_within_the_threshold():
    s = review(
        [3, 3, 3],
        [ProgrammeReview().open_threshold * 0.9, 0.0, -ProgrammeReview().open_threshold * 0.9],
    )
    np.testing.assert_array_equal(s.points, [3, 3, 3])


def test_review_stays_near_the_establishment():
    # strong demand everywhere, nothing to close: a school at its establishment cannot grow
    at_capacity = review([3, 3, 3], [1.0, 1.0, 1.0])
    assert at_capacity.points.sum() == 9
    below = review([3, 3, 3], [1.0, 1.0, 1.0], specialties=12)
    assert below.points.sum() == 10


def test_review_changes_at_most_max_changes_points_and_never_goes_negative():
    s = review([1] * 9 + [0], [-2.0] * 9 + [2.0], max_changes=2)
    assert s.closed <= 2 and s.opened <= 2
    assert (s.points >= 0).all()


def test_specialisation_is_positive_where_the_school_leads():
    points = np.array([6, 1, 0])
    offered = np.array([8, 10, 5])
    s = specialisation(points, offered)
    assert s[0] > 0 > s[1]


def test_equipment_ages_and_investment_renews_it():
    params = ProgrammeReview()
    old = school([2, 2])
    old.age_equipment(params, 0.0)
    assert old.equipment == 16_000 * (1 - params.equipment_depreciation) + params.equipment_budget
    funded = school([2, 2])
    funded.age_equipment(params, 5_000.0)
    assert funded.equipment > old.equipment
    assert funded.quality(params) > old.quality(params)
    assert school([1], equipment=1e9).quality(params) == params.max_quality
