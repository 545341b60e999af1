"""The performance shortcuts give exactly what the plain numpy calls they replace give."""

from __future__ import annotations

import numpy as np
import pytest

from talentsim.config.schema import FieldChoice
from talentsim.model import education
from talentsim.model.matching import _order_within, _run_starts, _search_integer_steps


@pytest.mark.parametrize("seed", range(5))
def test_tabulated_search_equals_searchsorted_for_integer_steps(seed: int) -> None:
    rng = np.random.default_rng(seed)
    steps = rng.integers(0, 4, 300).astype(float)  # zero steps: cells with no open slot
    cumulative = np.cumsum(steps)
    targets = rng.random((500, 3)) * cumulative[-1]
    targets[0, 0], targets[1, 0] = cumulative[-1], 0.0  # both ends
    targets[2, :] = cumulative[rng.integers(0, 300, 3)]  # exactly on a boundary
    expected = np.searchsorted(cumulative, targets, side="right")
    assert np.array_equal(_search_integer_steps(cumulative, targets), expected)


def test_tabulated_search_falls_back_for_fractional_steps() -> None:
    cumulative = np.cumsum([0.5, 1.25, 2.0])
    targets = np.array([[0.4, 0.6, 1.75, 3.7]])
    expected = np.searchsorted(cumulative, targets, side="right")
    assert np.array_equal(_search_integer_steps(cumulative, targets), expected)


@pytest.mark.parametrize("groups", [5, 70_000])  # radix path and composite-key path
def test_order_within_equals_lexsort_with_ties(groups: int) -> None:
    rng = np.random.default_rng(1)
    group = rng.integers(0, groups, 3_000)
    key = rng.integers(0, 50, 3_000).astype(float)  # many ties: input order must be kept
    assert np.array_equal(_order_within(group, key), np.lexsort((-key, group)))
    key = rng.standard_normal(3_000)  # no ties
    assert np.array_equal(_order_within(group, key), np.lexsort((-key, group)))


def test_run_starts_equals_searchsorted_left() -> None:
    ordered = np.sort(np.random.default_rng(2).integers(0, 40, 1_000))
    expected = np.searchsorted(ordered, ordered, side="left")
    assert np.array_equal(_run_starts(ordered), expected)


def test_grouped_programme_utilities_equal_per_student_ones() -> None:
    rng = np.random.default_rng(3)
    n, p, d = 400, 30, 8
    district = rng.integers(0, d, n)
    distance, peer = rng.random((d, p)) * 90, rng.random((d, p))
    common = {
        "log_wage": rng.random(p) + 11,
        "placement": rng.random(p),
        "quality": rng.random(p),
        "ability": rng.standard_normal(n).astype(np.float32),
        "tech_intensity": rng.random(p),
        "log_points": np.log(rng.integers(1, 5, p).astype(float)),
    }
    params = FieldChoice()
    grouped = education.programme_utilities(
        params, distance=distance, peer_share=peer, group=district, **common
    )
    per_student = education.programme_utilities(
        params, distance=distance[district], peer_share=peer[district], **common
    )
    assert np.array_equal(grouped, per_student)


def test_programmes_without_seats_are_never_assigned() -> None:
    rng = np.random.default_rng(4)
    seats = np.array([0, 50, 0, 30, 20])
    utilities = rng.standard_normal((200, 5))
    utilities[:, 0] += 5  # the most wanted programme has no seats
    choice = education.assign_programmes(
        rng.gumbel(size=utilities.shape), utilities, seats, rng.standard_normal(200), ranks=6
    )
    assert not np.isin(choice, [0, 2]).any()
    assert np.array_equal(np.bincount(choice[choice >= 0], minlength=5), seats)


def _assign_all_rounds(
    noise: np.ndarray, utilities: np.ndarray, seats: np.ndarray, priority: np.ndarray, ranks: int
) -> np.ndarray:
    """assign_programmes as it was: every unplaced student sorted in every round (lexsort)."""
    n, n_programmes = utilities.shape
    assigned = np.full(n, -1, dtype=np.int64)
    offered = np.flatnonzero(seats > 0)
    depth = min(ranks, len(offered))
    choices = offered[np.argsort(-(utilities + noise)[:, offered], axis=1)[:, :depth]]
    remaining = seats.astype(np.int64).copy()
    for r in range(depth):
        applicants = np.flatnonzero(assigned < 0)
        target = choices[applicants, r]
        viable = np.isfinite(utilities[applicants, target])
        applicants, target = applicants[viable], target[viable]
        order = np.lexsort((-priority[applicants], target))
        applicants, target = applicants[order], target[order]
        rank_in_programme = np.arange(len(target)) - np.searchsorted(target, target, side="left")
        admitted = rank_in_programme < remaining[target]
        assigned[applicants[admitted]] = target[admitted]
        remaining -= np.bincount(target[admitted], minlength=n_programmes)
    return assigned


@pytest.mark.parametrize("seed", range(6))
def test_assignment_skipping_full_programmes_equals_every_round(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n, p = 600, 40
    utilities = rng.standard_normal((n, p))
    utilities[rng.random((n, p)) < 0.2] = -np.inf  # programmes a student may not enter
    seats = rng.integers(0, 12 if seed % 2 else 40, p)  # scarce and plentiful seats
    priority = rng.integers(0, 20, n).astype(float)  # ties: the student's index decides
    noise = rng.gumbel(size=(n, p))
    for ranks in (6, p):
        expected = _assign_all_rounds(noise, utilities, seats, priority, ranks)
        got = education.assign_programmes(noise, utilities, seats, priority, ranks)
        assert np.array_equal(got, expected)
