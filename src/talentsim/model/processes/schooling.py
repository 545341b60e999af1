"""Schooling and progression: students advance; completers graduate, continue or seek work.

Graduation: level ← max(level, level of the stage completed); field skill
    s_field ← s_field + school_field_skill·q_school + apprenticeship_boost·[apprentice]
              + shared_base_boost·[trained in a shared base]
(0 for the general track), s_general += graduate_general_skill.

Progression (:func:`talentsim.model.education.continue_probability`), for 中职, 高职 and 本科:
    P(continue) = σ(α_stage + β_a·ability + β_f·family + β_w·Δlog w_next)
continuing 中职 graduates sit the 职教高考: score = ability + exam_noise·N(0, 1), and the best
zhongzhi_benke_seats (× scale) scores apply to 本科, the rest to 高职 (competition for a fixed
number of seats, so the share reaching 本科 falls as more continue); 专升本 applicants compete
with 普高 applicants for 本科 seats by ability (admissions). 普高 graduates go to university
with probability general_to_university, a general_local_share of them in the city (本科 for
the top general_benke_share by ability).
"""

from __future__ import annotations

import numpy as np

from talentsim.model import education
from talentsim.model.people import Event
from talentsim.model.processes.cooperation import SHARED_BASE
from talentsim.model.state import CityState
from talentsim.model.states import LEVEL_AFTER, STAGE_NAME, STUDY_YEARS, Stage
from talentsim.model.streams import Stream

STUDIES = range(Stage.GRADUATE_STUDY + 1)
"""The study stages (普高 … 研究生), in code order."""


def progress(state: CityState, stream: Stream) -> None:
    """Advance every student; graduates who seek work become unemployed seekers.

    Leaves this year's job-seeking graduates in ``state.now.graduates`` and the applicants to
    higher study by the stage they apply to in ``state.now.applicants``.
    """
    p = state.people
    studying = p.stage <= Stage.GRADUATE_STUDY
    p.years_in_stage[studying] += 1
    last = int(Stage.GRADUATE_STUDY)
    length = np.array([STUDY_YEARS[Stage(s)] for s in range(last + 1)])
    done = np.flatnonzero(studying & (p.years_in_stage >= length[np.minimum(p.stage, last)]))
    stage_done = p.stage[done].copy()
    graduate(state, done, stage_done)
    applicants: dict[Stage, list[np.ndarray]] = {
        Stage.GAOZHI: [],
        Stage.BENKE: [],
        Stage.GRADUATE_STUDY: [],
    }
    workers = [done[stage_done == Stage.GRADUATE_STUDY]]
    drivers, reference = state.choice_drivers(), state.signals.reference
    prog = state.config.progression
    for stage, intercept, gap, next_stage in (
        (Stage.GAOZHI, prog.gaozhi_upgrade, "benke_gap", Stage.BENKE),
        (Stage.BENKE, prog.benke_to_graduate, "graduate_gap", Stage.GRADUATE_STUDY),
    ):
        rows = done[stage_done == stage]
        go_on = _continues(state, stream, rows, intercept, drivers[gap] - reference[gap])
        applicants[next_stage].append(rows[go_on])
        workers.append(rows[~go_on])
    _zhongzhi_graduates(
        state,
        stream,
        done[stage_done == Stage.ZHONGZHI],
        applicants,
        workers,
        drivers["gaozhi_gap"] - reference["gaozhi_gap"],
    )
    _general_graduates(state, stream, done[stage_done == Stage.GENERAL_HS], applicants, workers)
    seekers = np.sort(np.concatenate(workers))
    state.now.graduate_school = p.school[seekers].copy()
    p.stage[seekers] = Stage.UNEMPLOYED
    p.school[seekers] = -1
    state.now.graduates = seekers
    state.now.applicants = {s: np.sort(np.concatenate(v)) for s, v in applicants.items()}


def _continues(
    state: CityState, stream: Stream, rows: np.ndarray, intercept: float, wage_gap: float
) -> np.ndarray:
    p = state.people
    chance = education.continue_probability(
        intercept, p.ability[rows], p.family[rows], wage_gap, state.config.progression
    )
    return stream.uniform(p.pid[rows], "continue") < chance


def _zhongzhi_graduates(
    state: CityState,
    stream: Stream,
    rows: np.ndarray,
    applicants: dict[Stage, list[np.ndarray]],
    workers: list[np.ndarray],
    wage_gap: float,
) -> None:
    """中职 graduates: work, or continue (the best 职教高考 scores to 本科, the rest to 高职)."""
    prog, p = state.config.progression, state.people
    go_on = _continues(state, stream, rows, prog.zhongzhi_continue, wage_gap)
    score = p.ability[rows] + prog.exam_noise * stream.normal(p.pid[rows], "vocational exam")
    continuing = np.flatnonzero(go_on)
    top = continuing[np.argsort(-score[continuing], kind="stable")]
    to_benke = np.zeros(len(rows), dtype=bool)
    to_benke[top[: round(prog.zhongzhi_benke_seats * state.scale)]] = True
    applicants[Stage.BENKE].append(rows[go_on & to_benke])
    applicants[Stage.GAOZHI].append(rows[go_on & ~to_benke])
    workers.append(rows[~go_on])
    if len(rows):
        state.signals.zhongzhi_continue_share = float(go_on.mean())
    state.now.counters.update(
        zhongzhi_graduates=len(rows),
        zhongzhi_continue=int(go_on.sum()),
        zhongzhi_to_benke=int((go_on & to_benke).sum()),
    )


def _general_graduates(
    state: CityState,
    stream: Stream,
    rows: np.ndarray,
    applicants: dict[Stage, list[np.ndarray]],
    workers: list[np.ndarray],
) -> None:
    """普高 graduates: university elsewhere, university in the city (本科 or 高职), or work."""
    p, prog = state.people, state.config.progression
    pid = p.pid[rows]
    university = stream.uniform(pid, "university") < prog.general_to_university
    local = stream.uniform(pid, "local") < prog.general_local_share
    rank = np.argsort(np.argsort(-p.ability[rows], kind="stable")) / max(len(rows), 1)
    benke = rank < prog.general_benke_share
    state.leave(rows[university & ~local])
    state.now.tally.add("general_hs", "study_elsewhere", int((university & ~local).sum()))
    applicants[Stage.BENKE].append(rows[university & local & benke])
    applicants[Stage.GAOZHI].append(rows[university & local & ~benke])
    workers.append(rows[~university])


def graduate(state: CityState, rows: np.ndarray, stage_done: np.ndarray) -> None:
    """Completers get their level, field skill from school quality, apprentices a boost."""
    p, cfg = state.people, state.config
    level = np.array([LEVEL_AFTER[Stage(s)] for s in STUDIES])[stage_done]
    p.level[rows] = np.maximum(p.level[rows], level)
    p.graduation_year[rows] = state.year
    quality = np.ones(len(rows))
    vocational = (stage_done == Stage.ZHONGZHI) | (stage_done == Stage.GAOZHI)
    by_school = np.array([school.quality(cfg.programme_review) for school in state.schools])
    quality[vocational] = by_school[p.school[rows[vocational]]]
    has_field = p.field[rows] >= 0
    apprentice = p.sponsor[rows] >= 0
    shared_base = p.sponsor[rows] == SHARED_BASE
    p.skill_field[rows] = np.where(
        has_field,
        p.skill_field[rows]
        + cfg.skills.school_field_skill * quality
        + cfg.skills.apprenticeship_boost * apprentice
        + cfg.skills.shared_base_boost * shared_base,
        0.0,
    )
    p.skill_general[rows] += cfg.skills.graduate_general_skill
    for stage in STUDIES:
        chosen = rows[stage_done == stage]
        state.now.counters[f"graduates_{STAGE_NAME[Stage(stage)]}"] = len(chosen)
        p.log(state.year, chosen, Event.GRADUATE, int(LEVEL_AFTER[Stage(stage)]))
