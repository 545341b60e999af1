"""Programme review: schools open and close specialty points on demand signals; equipment ages.

Each school kind (中职 / 高职) sees, by field, a lagged signal and (with coordination C) a
shared forecast:
    lag_f      = log(share of vacancies_f / share of graduates_f), review_lag years ago
    forecast_f = log(share of vacancies_f·(1 + g_f) / share of students in the pipeline_f)
    signal_f   = (1 − C)·lag_f + C·forecast_f
and, with specialty alignment A, signal_f − A·(crowding_f − specialisation_sf), where crowding
compares the kind's points with demand (:func:`~talentsim.model.agents.schools.specialisation`).
Schools then review (:meth:`VocationalSchool.review_programmes`, noise keyed by school and
field). Equipment per student: E ← E·(1 − δ) + budget + investment per student, where the
investment is the school's student share of the firms' base investment and co-funding plus
the result-tied rewards the school earned this year (``placement_reward`` per graduate
employed in the city in field), per student. Shared training places are not equipment money:
students train in them (:mod:`~talentsim.model.processes.cooperation`).

Local universities review their 本科 and 研究生 seats (:meth:`University.review_seats`) on the
same kind of signal at their level, ``university_lag`` years old: each field's seats move by
at most ``university_seat_change`` a year towards fields with more vacancies per graduate,
the total within ±``university_seat_band`` of the establishment.
"""

from __future__ import annotations

import numpy as np

from talentsim.model.agents.schools import specialisation
from talentsim.model.state import CityState
from talentsim.model.states import MARKET_LEVEL, STUDY_YEARS, Stage
from talentsim.model.streams import Stream


def relative_log_ratio(demand: np.ndarray, supply: np.ndarray) -> np.ndarray:
    """Log of each field's share of ``demand`` over its share of ``supply`` (+1 smoothing)."""
    demand, supply = demand + 1.0, supply + 1.0
    return np.log((demand / demand.sum()) / (supply / supply.sum()))


def absolute_log_ratio(demand: np.ndarray, supply: np.ndarray) -> np.ndarray:
    """Log of each field's ``demand`` over its ``supply`` (+1 smoothing): the level's tightness."""
    return np.log((demand + 1.0) / (supply + 1.0))


def review(state: CityState, stream: Stream) -> None:
    """Schools' and universities' reviews, equipment ageing, and the coordination costs."""
    p, gov, review_cfg = state.people, state.government, state.config.programme_review
    policy = state.config.policy
    posted = state.now.posted
    graduated = np.zeros_like(posted)
    graduates = state.now.graduates
    has_field = graduates[p.field[graduates] >= 0]
    np.add.at(graduated, (p.field[has_field], MARKET_LEVEL[p.level[has_field]]), 1)
    state.history.append({"posted": posted, "graduates": graduated})
    lagged = state.history[max(0, len(state.history) - 1 - review_cfg.review_lag)]
    coordination = gov.lever("coordination")
    alignment = gov.lever("specialty_alignment")
    gov.spend("coordination", coordination * policy.coordination_cost)
    gov.spend("specialty_alignment", alignment * policy.alignment_cost)
    students = np.bincount(
        p.school[(p.stage == Stage.ZHONGZHI) | (p.stage == Stage.GAOZHI)],
        minlength=len(state.schools),
    ).astype(float)
    base_investment = state.now.counters.get("base_investment", 0.0)
    rewards = state.now.rewards if state.now.rewards is not None else np.zeros(len(state.schools))
    noise = stream.normal(np.arange(len(state.schools)), "signal noise", state.structure.n_fields)
    for level, kind in ((0, "zhongzhi"), (1, "gaozhi")):
        stage = Stage.ZHONGZHI if kind == "zhongzhi" else Stage.GAOZHI
        # relative signals: a field's share of vacancies over its share of graduates, so
        # that a city-wide excess of vacancies does not open points in every field
        lag_signal = relative_log_ratio(lagged["posted"][:, level], lagged["graduates"][:, level])
        pipeline = np.zeros(state.structure.n_fields)
        studying = p.stage == stage
        np.add.at(pipeline, p.field[studying], 1.0 / STUDY_YEARS[stage])
        forecast = relative_log_ratio(posted[:, level] * (1 + state.structure.growth), pipeline)
        signal = (1 - coordination) * lag_signal + coordination * forecast
        index = [i for i, s in enumerate(state.schools) if s.kind == kind]
        offered = np.array([state.schools[i].points for i in index]).sum(axis=0)
        demand_share = posted[:, level] / max(posted[:, level].sum(), 1)
        floor = review_cfg.share_floor
        crowding = np.log((offered / offered.sum() + floor) / (demand_share + floor))
        for i in index:
            school = state.schools[i]
            aligned = signal - alignment * (crowding - specialisation(school.points, offered))
            school.review_programmes(noise[i], aligned, review_cfg, alignment)
            share = students[i] / max(students.sum(), 1)
            invest = base_investment * share + rewards[i]
            school.age_equipment(review_cfg, invest / max(students[i], 1))
    _review_universities(state, stream)


def _review_universities(state: CityState, stream: Stream) -> None:
    """Local universities move 本科 / 研究生 seats towards fields with lagged demand."""
    del stream
    review_cfg = state.config.programme_review
    lagged = state.history[max(0, len(state.history) - 1 - review_cfg.university_lag)]
    for level, attr in ((2, "benke_seats"), (3, "graduate_seats")):
        posted, graduated = lagged["posted"][:, level], lagged["graduates"][:, level]
        signal = relative_log_ratio(posted, graduated)
        # totals follow tightness from the first reported year on (the burn-in is the status
        # quo's own, start-up transient), fields from the start
        tightness = float(absolute_log_ratio(posted.sum(), graduated.sum()))
        tightness = tightness if state.reporting else None
        for university in state.universities:
            if university.local:
                university.review_seats(attr, signal, tightness, review_cfg)
