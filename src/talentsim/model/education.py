"""Students' decisions, vectorised: track at 15, programme choice with seats, progression.

Each rule is a function of arrays (one entry per student) and parameters named as in
docs/ODD.md; its random numbers are passed in (drawn per student from the process's stream,
:mod:`talentsim.model.streams`).
"""

from __future__ import annotations

import numpy as np

from talentsim.config.schema import FieldChoice, Progression, TrackChoice


def logistic(x: np.ndarray) -> np.ndarray:
    """The logistic function 1 / (1 + e^-x)."""
    if np.ndim(x) == 0:
        return 1.0 / (1.0 + np.exp(-x))
    e = np.negative(x, dtype=np.result_type(x, 1.0))  # one array, the rest in place
    np.exp(e, out=e)
    np.add(e, 1.0, out=e)
    return np.divide(1.0, e, out=e)


def choose_vocational_track(
    u: np.ndarray,
    ability: np.ndarray,
    family: np.ndarray,
    params: TrackChoice,
    wage_gap: float,
    admission_odds: float,
    peer_share: np.ndarray,
) -> np.ndarray:
    """Track choice at 15: True where the student opts for 中职 over 普高.

    P(中职) = σ(intercept + β_ability·ability + β_family·family + β_wage·Δlog w
                + β_admission·Δadmission + β_peer·Δpeer)

    where Δlog w is the change, since the first year, of the expected log-wage gap between the
    vocational and the general path, Δadmission the change in the share of 中职 graduates who
    continue to higher study (职教高考), and Δpeer the district's 中职 share last year minus the
    first-year share (De Giorgi et al. 2009). Drivers enter as changes so the intercept keeps
    its calibrated meaning. ``u`` is one uniform per student.
    """
    utility = (
        params.intercept
        + params.beta_ability * ability
        + params.beta_family * family
        + params.beta_wage * wage_gap
        + params.beta_admission * admission_odds
        + params.beta_peer * peer_share
    )
    return u < logistic(utility)


def programme_utilities(
    params: FieldChoice,
    log_wage: np.ndarray,
    placement: np.ndarray,
    quality: np.ndarray,
    distance: np.ndarray,
    peer_share: np.ndarray,
    ability: np.ndarray,
    tech_intensity: np.ndarray,
    log_points: np.ndarray,
    group: np.ndarray | None = None,
) -> np.ndarray:
    """Systematic utility of each programme (school × field) for each student.

    V_ip = β_wage·log w_f + β_placement·placement_f + β_quality·q_s − β_distance·km_is
           + β_peer·peer_{d(i),f} + ability_match·ability_i·tech_f + log(points_p)

    Args:
        params: Field-choice coefficients.
        log_wage: (P,) expected log starting wage of the programme's field.
        placement: (P,) in-field placement rate of the field's recent graduates.
        quality: (P,) programme quality (equipment, partner firms).
        distance: (n, P) km between the student's district and the school.
        peer_share: (n, P) share of the student's district peers in the field last year.
        ability: (n,) standardised ability.
        tech_intensity: (P,) the field's tech intensity (comparative advantage).
        log_points: (P,) log of the programme's specialty points (size of the offer).
        group: (n,) optional row of ``distance`` and ``peer_share`` for each student; then those
            are given once per group (e.g. district), (G, P), and the per-group part of the
            utility is computed once per group instead of once per student (same values).

    Returns:
        (n, P) utilities.

    """
    per_programme = (
        params.beta_wage * log_wage
        + params.beta_placement * placement
        + params.beta_quality * quality
        + log_points
    )
    common = (
        per_programme[None, :] - params.beta_distance * distance + params.beta_peer * peer_share
    )
    if group is not None:
        common = common[group]
    return common + params.ability_match * ability[:, None] * tech_intensity[None, :]


def assign_programmes(
    noise: np.ndarray,
    utilities: np.ndarray,
    seats: np.ndarray,
    priority: np.ndarray,
    ranks: int,
) -> np.ndarray:
    """Seat-constrained logit assignment (a vectorised deferred-acceptance in ``ranks`` rounds).

    Each student ranks programmes by utility plus the standard Gumbel ``noise`` (n, P) (so
    first choices follow the multinomial logit). In round r every unplaced student applies to
    their r-th choice; each programme admits its applicants in order of ``priority`` (e.g. exam
    score) up to its remaining seats.

    Returns:
        (n,) programme index per student, -1 where none of their choices had a seat.

    """
    n, n_programmes = utilities.shape
    assigned = np.full(n, -1, dtype=np.int64)
    offered = np.flatnonzero(seats > 0)
    if n == 0 or len(offered) == 0:
        return assigned
    # a programme without seats is never chosen: ranking only among those with seats
    if len(offered) == n_programmes:
        key = utilities + noise
    else:
        key = utilities[:, offered] + noise[:, offered]
    np.negative(key, out=key)  # best first
    depth = min(ranks, len(offered))
    choices = np.empty((n, depth), dtype=np.int64)
    # with seats for many, most take their first choice: rank the rest only for the others
    places = int(seats[offered].sum())
    later_only = depth > 1 and places >= n - places  # seats for at least half of them
    if later_only:
        choices[:, 0] = offered[first_in_rows(key)]
    else:
        choices[:] = offered[np.argsort(key, axis=1)[:, :depth]]
    remaining = seats.astype(np.int64).copy()
    # each programme admits by priority, ties by student index: one sort key per applicant
    standing = np.empty(n, dtype=np.int64)
    standing[np.argsort(-priority, kind="stable")] = np.arange(n)
    unplaced = np.arange(n)
    for r in range(depth):
        if later_only and r == 1:
            choices[unplaced, 1:] = offered[np.argsort(key[unplaced], axis=1)[:, 1:depth]]
        target = choices[unplaced, r]
        # a full programme admits no one: only applications to programmes with seats left count
        live = (remaining[target] > 0) & np.isfinite(utilities[unplaced, target])
        applicants, target = unplaced[live], target[live]
        if len(applicants) == 0:
            continue
        order = np.argsort(target * n + standing[applicants])
        applicants, target = applicants[order], target[order]
        start = np.searchsorted(target, target, side="left")
        rank_in_programme = np.arange(len(target)) - start
        admitted = rank_in_programme < remaining[target]
        assigned[applicants[admitted]] = target[admitted]
        remaining -= np.bincount(target[admitted], minlength=n_programmes)
        unplaced = unplaced[assigned[unplaced] < 0]
        if len(unplaced) == 0 or not remaining[offered].any():
            break
    return assigned


def first_in_rows(key: np.ndarray) -> np.ndarray:
    """``np.argsort(key, axis=1)[:, 0]``: each row's smallest, sorted only where it is tied."""
    first = np.argmin(key, axis=1)
    smallest = np.take_along_axis(key, first[:, None], axis=1)
    tied = np.flatnonzero(np.count_nonzero(key == smallest, axis=1) != 1)  # or NaN
    if len(tied):  # the sort decides the order of equal values
        first[tied] = np.argsort(key[tied], axis=1)[:, 0]
    return first


def continue_probability(
    intercept: float,
    ability: np.ndarray,
    family: np.ndarray,
    wage_gap: float,
    params: Progression,
) -> np.ndarray:
    """Probability of continuing to the next level.

    P = σ(intercept + β_ability·ability + β_family·family + β_wage_gap·Δlog w_next)

    where Δlog w_next is the change, since the first year, of the log-wage gain of the next
    level over the current one.
    """
    return logistic(
        intercept
        + params.beta_ability * ability
        + params.beta_family * family
        + params.beta_wage_gap * wage_gap
    )
