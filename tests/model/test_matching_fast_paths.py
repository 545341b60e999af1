"""The performance shortcuts give exactly what the plain numpy calls they replace give."""

from __future__ import annotations

import numpy as np
import pytest

from talentsim.config.schema import FieldChoice, LabourMarket
from talentsim.model import education
from talentsim.model.matching import (
    Seekers,
    Vacancies,
    _Applications,
    _apply,
    _best_applications,
    _best_columns,
    _CellTable,
    _first_best,
    _look_up,
    _offer_down_the_list,
    _order_within,
    _run_starts,
    _sort_rows,
    _stable_argsort,
    _step_table,
)
from talentsim.model.streams import Stream


@pytest.mark.parametrize("seed", range(5))
def test_tabulated_search_equals_searchsorted_for_integer_steps(seed: int) -> None:
    rng = np.random.default_rng(seed)
    steps = rng.integers(0, 4, 300).astype(float)  # zero steps: cells with no open slot
    cumulative = np.cumsum(steps)
    targets = rng.random((500, 3)) * cumulative[-1]
    targets[0, 0], targets[1, 0] = cumulative[-1], 0.0  # both ends
    targets[2, :] = cumulative[rng.integers(0, 300, 3)]  # exactly on a boundary
    expected = np.searchsorted(cumulative, targets, side="right")
    table = _step_table(cumulative, 1e6)
    assert table is not None
    assert np.array_equal(_look_up(table, targets), expected)


def test_no_step_table_for_fractional_steps_or_a_large_total() -> None:
    assert _step_table(np.cumsum([0.5, 1.25, 2.0]), 1e6) is None
    assert _step_table(np.cumsum([3.0, 4.0]), 5) is None


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
    if seed >= 4:  # equal utilities: the sort's order of ties decides
        utilities, noise = np.round(utilities), np.zeros((n, p))
    for ranks in (6, p):
        expected = _assign_all_rounds(noise, utilities, seats, priority, ranks)
        got = education.assign_programmes(noise, utilities, seats, priority, ranks)
        assert np.array_equal(got, expected)


def _sample_by_search(
    u: np.ndarray, keys: np.ndarray, weights: np.ndarray, of: np.ndarray
) -> np.ndarray:
    """A weighted draw of a cell of key ``of`` per uniform, by plain searches per draw."""
    cells = np.full(len(u), -1)
    for i, (draw, key) in enumerate(zip(u, of, strict=True)):
        mine = np.flatnonzero(keys == key)
        if len(mine):
            cumulative = np.cumsum(weights[mine].astype(float))
            at = np.searchsorted(cumulative, np.floor(draw * cumulative[-1]), side="right")
            cells[i] = mine[min(at, len(mine) - 1)]
    return cells


def test_cell_table_draws_each_key_in_proportion_to_its_weights() -> None:
    rng = np.random.default_rng(4)
    keys, weights = rng.integers(0, 6, 80), rng.integers(0, 4, 80)
    weights[keys == 2] = 0  # a key whose cells have no open slot
    of, u = rng.integers(0, 9, 2_000), rng.random(2_000)  # keys 6-8: no cell at all
    got = _CellTable(keys, weights).sample(u, of)
    assert np.array_equal(got, _sample_by_search(u, keys, weights, of))


def test_first_best_is_the_first_of_each_group_in_lexsort_order() -> None:
    rng = np.random.default_rng(5)
    group = rng.integers(0, 300, 3_000)
    for rank in (rng.standard_normal(3_000), rng.integers(0, 3, 3_000).astype(float)):
        order = np.lexsort((-rank, group))
        first = order[np.concatenate([[True], group[order][1:] != group[order][:-1]])]
        assert np.array_equal(_first_best(group, rank, 300), first)


def test_two_column_row_sorts_equal_numpy_sorts() -> None:
    rng = np.random.default_rng(6)
    cells = rng.integers(-1, 5, (500, 2))
    assert np.array_equal(_sort_rows(cells), np.sort(cells, axis=1))
    appeal = rng.integers(0, 3, (500, 2)).astype(float)  # ties: a stable sort keeps the order
    appeal[rng.random((500, 2)) < 0.2] = -np.inf
    appeal[rng.random((500, 2)) < 0.1] = np.nan
    for keep in (1, 2, 3):
        expected = np.argsort(-appeal, axis=1, kind="stable")[:, :keep]
        assert np.array_equal(_best_columns(appeal, keep), expected)


@pytest.mark.parametrize("taste_noise", [0.1, 0.0])  # 0: ties of appeal between a row's cells
def test_every_acceptable_contact_applies_when_applications_cover_contacts(
    taste_noise: float,
) -> None:
    rng = np.random.default_rng(7)
    n, n_cells = 400, 30
    seekers = _seekers(rng, n, intensity=rng.integers(1, 3, n))
    vacancies = _vacancies(rng, n_cells)
    params = LabourMarket(contacts=2, applications=2, taste_noise=taste_noise)
    active = np.arange(n)
    contacted = rng.integers(-1, n_cells, (n, 4))
    contacted[:, 2:][seekers.intensity == 1] = -1
    stream = Stream(1, "labour_market", 2030)
    fast = _apply(stream, seekers, vacancies, params, active, contacted, vacancies.slots)
    # the general path: rank each row's contacts by appeal, keep the best
    cell = _sort_rows(contacted)
    flat = np.flatnonzero(np.isin(np.arange(cell.size), _grid_positions(fast, cell)))
    general = _best_applications(params, seekers, active, cell.shape, flat, fast[1:])
    by_cell = np.lexsort((fast[1], fast[0]))
    by_cell_general = np.lexsort((general[1], general[0]))
    for ours, theirs in zip(fast, general, strict=True):
        assert np.array_equal(ours[by_cell], theirs[by_cell_general])


def _grid_positions(applications: tuple, cell: np.ndarray) -> np.ndarray:
    """Where each application's (seeker, cell) is in the sorted contact grid."""
    seeker, chosen = applications[0], applications[1]
    return np.array(
        [
            row * cell.shape[1] + np.flatnonzero(cell[row] == c)[0]
            for row, c in zip(seeker, chosen, strict=True)
        ],
        dtype=np.int64,
    )


def _seekers(rng: np.random.Generator, n: int, intensity: np.ndarray | None = None) -> Seekers:
    return Seekers(
        key=np.arange(n),
        level=np.zeros(n, dtype=int),
        field=rng.integers(0, 3, n),
        score=rng.standard_normal(n),
        reservation=rng.random(n) * 80,
        intensity=intensity,
    )


def _vacancies(rng: np.random.Generator, n_cells: int) -> Vacancies:
    return Vacancies(
        firm=np.arange(n_cells),
        key=np.arange(n_cells) + 10_000,
        field=rng.integers(0, 3, n_cells),
        level=np.zeros(n_cells, dtype=int),
        slots=rng.integers(0, 3, n_cells),
        wage=rng.random(n_cells) * 100 + 1,
    )


def test_first_in_rows_is_the_first_of_a_row_sort() -> None:
    rng = np.random.default_rng(8)
    key = rng.integers(0, 4, (2_000, 9)).astype(float)  # many ties
    key[rng.random(key.shape) < 0.1] = np.inf
    key[rng.random(key.shape) < 0.02] = np.nan
    key[:3] = np.inf  # rows with no finite value
    expected = np.argsort(key, axis=1)[:, 0]
    assert np.array_equal(education.first_in_rows(key), expected)
    key = rng.standard_normal((2_000, 9))
    assert np.array_equal(education.first_in_rows(key), np.argsort(key, axis=1)[:, 0])


def test_radix_argsort_equals_a_stable_argsort() -> None:
    rng = np.random.default_rng(9)
    for keys in (rng.integers(0, 70, 5_000), rng.integers(0, 2**20, 5_000), np.array([-1, 3, -1])):
        assert np.array_equal(_stable_argsort(keys), np.argsort(keys, kind="stable"))


def test_one_contact_each_applies_without_an_appeal_and_as_the_general_path() -> None:
    rng = np.random.default_rng(10)
    n, n_cells = 400, 30
    seekers = _seekers(rng, n)
    vacancies = _vacancies(rng, n_cells)
    contacted = rng.integers(-1, n_cells, (n, 1))
    stream = Stream(1, "labour_market", 2030)
    args = (seekers, vacancies, LabourMarket(), np.arange(n))
    one = _apply(stream, *args, contacted, vacancies.slots)
    # the same contacts in a second column of none: the path that draws the appeal
    two = _apply(stream, *args, np.hstack([contacted, np.full((n, 1), -1)]), vacancies.slots)
    assert one[4] is None and two[4] is not None
    for ours, theirs in zip(one[:4], two[:4], strict=True):
        assert np.array_equal(ours, theirs)


@pytest.mark.parametrize("seed", range(4))
def test_one_pass_of_offers_fills_as_the_list_when_nobody_applied_twice(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n_openings, n = 60, 200
    seeker = rng.permutation(n)[: rng.integers(100, n)]  # each applies once at most
    opening = rng.integers(0, n_openings, len(seeker))
    rank = rng.integers(0, 4, len(seeker)).astype(float)  # ties: the first applicant
    common = (seeker, opening % 20, rng.random(len(seeker)))
    hires = []
    for appeal in (None, rng.random(len(seeker))):
        hired_cell, wage = np.full(n, -1), np.zeros(n)
        applied = _Applications(*common, appeal, opening, rank)
        filled = _offer_down_the_list(applied, hired_cell, wage, n_openings)
        hires.append((hired_cell, wage, np.sort(filled)))
    for ours, theirs in zip(*hires, strict=True):
        assert np.array_equal(ours, theirs)
