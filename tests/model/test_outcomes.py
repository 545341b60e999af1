"""Dissimilarity and duplication indices give known answers; cohorts; the flow tally is tidy."""

from __future__ import annotations

import numpy as np
import pytest

from talentsim.model.outcomes import (
    FlowTally,
    GraduateCohorts,
    dissimilarity,
    duplication_index,
    share,
)


def test_dissimilarity_is_zero_for_the_same_mix_and_one_for_disjoint_mixes():
    assert dissimilarity(np.array([2.0, 4.0]), np.array([1.0, 2.0])) == pytest.approx(0.0)
    assert dissimilarity(np.array([5.0, 0.0]), np.array([0.0, 3.0])) == pytest.approx(1.0)


def test_dissimilarity_known_answer_over_field_by_level_cells():
    # supply shares (0.75, 0.25, 0, 0), demand shares (0.25, 0.25, 0.25, 0.25): ½(0.5 + 0.5)
    supply = np.array([[3.0, 1.0], [0.0, 0.0]])
    assert dissimilarity(supply, np.ones((2, 2))) == pytest.approx(0.5)


def test_dissimilarity_is_zero_without_supply_or_demand():
    assert dissimilarity(np.zeros(3), np.ones(3)) == 0.0
    assert dissimilarity(np.ones(3), np.zeros(3)) == 0.0


def test_share_is_zero_over_an_empty_group():
    assert share(1, 4) == pytest.approx(0.25)
    assert share(0, 0) == 0.0
    np.testing.assert_allclose(share(np.array([1, 0]), np.array([2, 0])), [0.5, 0.0])


def test_cohorts_keep_who_is_still_in_the_city_and_drop_old_cohorts():
    cohorts = GraduateCohorts()

    def cohort(pid, present):
        n = len(pid)
        return {"pid": np.array(pid), "level": np.full(n, 4), "origin": np.zeros(n),
                "present": np.array(present)}  # fmt: skip

    cohorts.update(2020, np.array([], dtype=np.int64), cohort([1, 2, 3, 4], [True] * 3 + [False]))
    cohorts.update(2021, np.array([2]), cohort([5, 6], [True, True]))
    np.testing.assert_array_equal(
        cohorts.present[cohorts.members(2020)], [True, False, True, False]
    )
    np.testing.assert_array_equal(cohorts.present[cohorts.members(2021)], [True, True])
    for year in range(2022, 2027):
        cohorts.update(year, np.array([1]), cohort([], []))
    assert not cohorts.members(2020).any()  # older than the longest horizon
    assert cohorts.members(2021).sum() == 2


def test_duplication_known_answers():
    assert duplication_index(np.array([[2, 1, 0], [4, 2, 0]])) == pytest.approx(1.0)
    assert duplication_index(np.array([[1, 0], [0, 3]])) == pytest.approx(0.0)
    assert duplication_index(np.array([[1, 0], [1, 1]])) == pytest.approx(1 / np.sqrt(2))
    # three schools: mean of the three pairwise cosines (1, 0, 0)
    assert duplication_index(np.array([[1, 0], [1, 0], [0, 1]])) == pytest.approx(1 / 3)


def test_duplication_ignores_empty_portfolios_and_single_schools():
    assert duplication_index(np.array([[1, 2], [0, 0]])) == 0.0
    assert duplication_index(np.array([[1, 2]])) == 0.0


def test_flow_tally_rows_are_scaled_to_the_city():
    tally = FlowTally()
    tally.add("cohort", "zhongzhi", 3)
    tally.add("cohort", "zhongzhi", 2)
    tally.add("cohort", "general_hs", 0)
    tally.add_codes("zhongzhi", np.array([0, 1, 1]), ["job_in_field", "left_city"])
    rows = tally.rows(2030, scale=0.5)
    assert rows == [
        {"year": 2030, "source": "cohort", "target": "zhongzhi", "count": 10.0},
        {"year": 2030, "source": "zhongzhi", "target": "job_in_field", "count": 2.0},
        {"year": 2030, "source": "zhongzhi", "target": "left_city", "count": 4.0},
    ]


def test_cohort_membership_by_binary_search_is_isin():
    from talentsim.model.outcomes import _members_of

    rng = np.random.default_rng(4)
    values = rng.integers(0, 10**12, 5000)
    among = np.concatenate([rng.choice(values, 700), rng.integers(0, 10**12, 300)])
    np.testing.assert_array_equal(_members_of(values, among), np.isin(values, among))
    assert not _members_of(values, among[:0]).any()
    assert len(_members_of(values[:0], among)) == 0
