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
investment is the firms' base investment and co-funding, and shared base places (park, land
grants) at 0.1 of the reference equipment per place, split by students.
"""

from __future__ import annotations

import numpy as np

from talentsim.model.agents.schools import specialisation
from talentsim.model.state import CityState
from talentsim.model.states import MARKET_LEVEL, STUDY_YEARS, Stage
from talentsim.model.streams import Stream

SHARED_PLACE_EQUIPMENT = 0.1
"""Equipment value of one shared training place, as a share of the reference (assumption)."""
SHARE_FLOOR = 1e-3
"""Smoothing of shares in the crowding signal (assumption)."""


def relative_log_ratio(demand: np.ndarray, supply: np.ndarray) -> np.ndarray:
    """Log of each field's share of ``demand`` over its share of ``supply`` (+1 smoothing)."""
    demand, supply = demand + 1.0, supply + 1.0
    return np.log((demand / demand.sum()) / (supply / supply.sum()))


def review(state: CityState, stream: Stream) -> None:
    """Schools' programme review, equipment ageing, and the land-grant and coordination costs."""
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
    land = gov.lever("land_grant")
    gov.spend("land_grant", land * policy.land_value)
    state.land_places += land * policy.places_per_ha
    students = np.bincount(
        p.school[(p.stage == Stage.ZHONGZHI) | (p.stage == Stage.GAOZHI)],
        minlength=len(state.schools),
    ).astype(float)
    base_investment = state.now.counters.get("base_investment", 0.0)
    park_places = policy.park.shared_base_capacity if gov.park_open() else 0
    shared = (park_places + state.land_places) * state.scale
    reference = review_cfg.equipment_reference
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
        crowding = np.log((offered / offered.sum() + SHARE_FLOOR) / (demand_share + SHARE_FLOOR))
        for i in index:
            school = state.schools[i]
            aligned = signal - alignment * (crowding - specialisation(school.points, offered))
            school.review_programmes(noise[i], aligned, review_cfg, alignment)
            share = students[i] / max(students.sum(), 1)
            invest = (base_investment + shared * reference * SHARED_PLACE_EQUIPMENT) * share
            school.age_equipment(review_cfg, invest / max(students[i], 1))
    state.shared_capacity = (
        shared / state.scale + state.now.counters.get("apprentices", 0) / state.scale
    )
