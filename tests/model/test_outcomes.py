"""Mismatch and duplication indices give known answers; the flow tally is tidy."""

from __future__ import annotations

import numpy as np
import pytest

from talentsim.model.outcomes import FlowTally, duplication_index, mismatch_jrl, mismatch_sahin


def test_jrl_is_zero_for_the_same_mix_and_one_for_disjoint_mixes():
    assert mismatch_jrl(np.array([2.0, 4.0]), np.array([1.0, 2.0])) == pytest.approx(0.0)
    assert mismatch_jrl(np.array([5.0, 0.0]), np.array([0.0, 3.0])) == pytest.approx(1.0)


def test_jrl_known_answer():
    # u shares (0.75, 0.25), v shares (0.5, 0.5): ½(0.25 + 0.25)
    assert mismatch_jrl(np.array([3.0, 1.0]), np.array([1.0, 1.0])) == pytest.approx(0.25)


def test_sahin_known_answers():
    u, v = np.array([3.0, 1.0]), np.array([1.0, 1.0])
    expected = 1 - (np.sqrt(0.5 * 0.75) + np.sqrt(0.5 * 0.25))
    assert mismatch_sahin(u, v) == pytest.approx(expected)
    assert mismatch_sahin(u, u * 7) == pytest.approx(0.0)
    assert mismatch_sahin(np.array([1.0, 0.0]), np.array([0.0, 1.0])) == pytest.approx(1.0)


def test_indices_are_zero_without_unemployed_or_vacancies():
    for index in (mismatch_jrl, mismatch_sahin):
        assert index(np.zeros(3), np.ones(3)) == 0.0
        assert index(np.ones(3), np.zeros(3)) == 0.0


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
