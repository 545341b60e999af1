"""Admissions: the new cohort's track and programme; continuers into 高职 / 本科 / 研究生.

The cohort of 15-year-olds chooses 普高 or 中职 and a 中职 programme; continuers are admitted to
高职 / 本科 / 研究生, and seats still free go to students from outside.

Track choice (:func:`talentsim.model.education.choose_vocational_track`):
    P(中职) = σ(α + β_a·ability + β_f·family + β_w·Δlog w + β_adm·Δadmission + β_peer·Δpeer)

Programme choice (:func:`talentsim.model.education.programme_utilities`, seats by
:func:`talentsim.model.education.assign_programmes`):
    V_ip = β_wage·log w_f + β_placement·placement_f + β_quality·q_p − β_distance·km_ip
           + β_peer·peer_{d(i),f} + ability_match·ability_i·tech_f + log(points_p) + ε_ip
with ε_ip standard Gumbel, keyed by (person, programme).

Peers (De Giorgi et al. 2009): peer_{d,f} ← ½·peer_{d,f} + ½·(share of d's 中职 entrants in f).
"""

from __future__ import annotations

import numpy as np

from talentsim.model import education
from talentsim.model.agents.schools import TINY
from talentsim.model.people import Entry, Event
from talentsim.model.state import CityState
from talentsim.model.states import STAGE_NAME, Level, Stage
from talentsim.model.streams import Stream

MARKET_LEVEL_OF_STAGE = {
    Stage.ZHONGZHI: 0,
    Stage.GAOZHI: 1,
    Stage.BENKE: 2,
    Stage.GRADUATE_STUDY: 3,
}

Programmes = tuple[np.ndarray, np.ndarray, np.ndarray]
"""(school or university index, field, seats) of every programme of one kind."""


def admit(state: CityState, stream: Stream) -> None:
    """This year's admissions: the new cohort, then continuers to higher education."""
    enter_cohort(state, stream)
    state.now.unplaced = admit_higher(state, stream, state.now.applicants)


# ------------------------------------------------------------------ programmes
def vocational_programmes(state: CityState, kind: str) -> Programmes:
    """(school index, field, seats) of every programme of schools of ``kind``."""
    n_fields = state.structure.n_fields
    index = [i for i, s in enumerate(state.schools) if s.kind == kind]
    school_of = np.repeat(index, n_fields)
    field_of = np.tile(np.arange(n_fields), len(index))
    seats = np.concatenate([state.schools[i].seats for i in index])
    return school_of, field_of, seats


def university_programmes(state: CityState, attr: str) -> Programmes:
    """(university index, field, seats) of local universities' programmes (``attr``: seats)."""
    n_fields = state.structure.n_fields
    index = [i for i, u in enumerate(state.universities) if u.local]
    school_of = np.repeat(index, n_fields)
    field_of = np.tile(np.arange(n_fields), len(index))
    seats = np.concatenate([getattr(state.universities[i], attr) for i in index])
    return school_of, field_of, seats


def programmes_of(state: CityState, stage: Stage) -> Programmes:
    """The programmes that admit students to ``stage``."""
    if stage == Stage.ZHONGZHI:
        return vocational_programmes(state, "zhongzhi")
    if stage == Stage.GAOZHI:
        return vocational_programmes(state, "gaozhi")
    if stage == Stage.BENKE:
        return university_programmes(state, "benke_seats")
    return university_programmes(state, "graduate_seats")


def programme_quality(
    state: CityState, school_of: np.ndarray, field_of: np.ndarray, vocational: bool
) -> np.ndarray:
    """Equipment quality of the school plus a bonus where partner firms run order classes."""
    table, n_fields = state.firms, state.structure.n_fields
    coop_share = np.bincount(
        table.field[table.active & table.coop], minlength=n_fields
    ) / np.maximum(np.bincount(table.field[table.active], minlength=n_fields), 1)
    if vocational:
        by_school = np.array(
            [school.quality(state.config.programme_review) for school in state.schools]
        )
        quality = by_school[school_of]
    else:
        quality = np.ones(len(school_of))
    return quality + coop_share[field_of]


def choose_programmes(
    state: CityState, stream: Stream, rows: np.ndarray, stage: Stage, programmes: Programmes
) -> np.ndarray:
    """Logit choice of programme with seats for the persons at ``rows``; -1 if unplaced."""
    p, s = state.people, state.structure
    # a programme without seats is never chosen: utilities and noise only of those with seats
    offered = np.flatnonzero(programmes[2] > 0)
    school_of, field_of, seats = (column[offered] for column in programmes)
    vocational = stage in (Stage.ZHONGZHI, Stage.GAOZHI)
    if vocational:
        district_of_school = np.array([school.district for school in state.schools])
        points_of_school = np.array([school.points for school in state.schools])
        school_district = district_of_school[school_of]
        points = points_of_school[school_of, field_of].astype(float)
    else:
        school_district = np.zeros(len(school_of), dtype=np.int64)
        points = np.ones(len(school_of))
    utilities = education.programme_utilities(
        state.config.field_choice,
        log_wage=state.field_log_wage(MARKET_LEVEL_OF_STAGE[stage])[field_of],
        placement=state.signals.placement[field_of],
        quality=programme_quality(state, school_of, field_of, vocational),
        distance=s.distance[:, school_district],
        peer_share=state.signals.peer_field[:, field_of],
        ability=p.ability[rows],
        tech_intensity=s.tech[field_of],
        log_points=np.log(np.maximum(points, TINY)),
        group=p.district[rows],
    )
    programme_id = school_of * s.n_fields + field_of
    noise = stream.gumbel(p.pid[rows], f"programme {stage.name}", programme_id)
    chosen = education.assign_programmes(
        noise, utilities, seats, p.ability[rows], state.config.field_choice.ranks
    )
    placed = chosen >= 0
    admitted = rows[placed]
    p.stage[admitted] = stage
    p.school[admitted] = school_of[chosen[placed]]
    p.field[admitted] = field_of[chosen[placed]]
    p.years_in_stage[admitted] = 0
    p.sponsor[admitted] = -1
    p.log(state.year, admitted, Event.ADMIT, int(stage), p.school[admitted])
    p.log(state.year, admitted, Event.FIELD, p.field[admitted])
    if stage == Stage.ZHONGZHI:
        update_peer_fields(state, admitted)
    choice = np.full(len(rows), -1, dtype=np.int64)
    choice[placed] = offered[chosen[placed]]
    return choice


def update_peer_fields(state: CityState, admitted: np.ndarray) -> None:
    """Peers' field choices: peer_{d,f} ← ½·peer_{d,f} + ½·(share of d's 中职 entrants in f).

    The share that the next cohort of the district sees (De Giorgi et al. 2009).
    """
    p, s, signals = state.people, state.structure, state.signals
    counts = np.zeros((s.n_districts, s.n_fields))
    np.add.at(counts, (p.district[admitted], p.field[admitted]), 1.0)
    entrants = counts.sum(axis=1)
    seen = entrants > 0
    shares = counts[seen] / entrants[seen, None]
    weight = state.config.field_choice.signal_weight
    signals.peer_field[seen] = (1 - weight) * signals.peer_field[seen] + weight * shares


# ------------------------------------------------------------------ entrants
def enter_cohort(state: CityState, stream: Stream, years_in: int = 0) -> None:
    """A cohort of 15-year-olds: track choice, then 中职 programme choice (others → 普高).

    ``years_in`` > 0 fills the pipeline at set-up: a cohort already that many years in school.
    """
    city, s, p = state.config.city, state.structure, state.people
    n = state.count(
        city.cohort_size * (1 + city.cohort_growth) ** max(state.year - city.start_year, 0)
    )
    pid = p.new_ids(state.year, Entry.COHORT * 20 + years_in, n)
    district = stream.choice(pid, "district", s.cohort_share)
    rows = p.add(
        pid,
        age=15 + years_in,
        district=district,
        ability=stream.normal(pid, "ability"),
        family=stream.normal(pid, "family"),
        stage=Stage.GENERAL_HS,
        level=Level.JUNIOR,
    )
    p.log(state.year, rows, Event.ENTER, int(Entry.COHORT))
    drivers = state.choice_drivers()
    reference = state.signals.reference or drivers
    vocational = education.choose_vocational_track(
        stream.uniform(pid, "track"),
        p.ability[rows],
        p.family[rows],
        state.config.track_choice,
        wage_gap=drivers["wage_gap"] - reference["wage_gap"],
        admission_odds=drivers["admission"] - reference["admission"],
        peer_share=(state.signals.district_vocational_share - reference["peer"])[district],
    )
    applicants = rows[vocational]
    choose_programmes(
        state, stream, applicants, Stage.ZHONGZHI, programmes_of(state, Stage.ZHONGZHI)
    )
    p.years_in_stage[rows] = years_in
    general = rows[p.stage[rows] == Stage.GENERAL_HS]
    p.log(state.year, general, Event.ADMIT, int(Stage.GENERAL_HS), -1)
    in_zhongzhi = np.bincount(district[p.stage[rows] == Stage.ZHONGZHI], minlength=s.n_districts)
    state.signals.district_vocational_share = in_zhongzhi / np.maximum(
        np.bincount(district, minlength=s.n_districts), 1
    )
    if years_in == 0:
        state.now.tally.add("cohort", "zhongzhi", int(in_zhongzhi.sum()))
        state.now.tally.add("cohort", "general_hs", len(general))


START_AGE = {Stage.GAOZHI: 18, Stage.BENKE: 18, Stage.GRADUATE_STUDY: 22}
LEVEL_ON_ENTRY = {
    Stage.GAOZHI: Level.GENERAL_HS,
    Stage.BENKE: Level.GENERAL_HS,
    Stage.GRADUATE_STUDY: Level.BENKE,
}


def add_outside_students(
    state: CityState,
    stream: Stream,
    stage: Stage,
    programmes: Programmes,
    years_in: int,
    migrant_share: float,
) -> None:
    """Fill the programmes' ``seats`` with students; a share come from outside the city."""
    school_of, field_of, seats = programmes
    n = int(seats.sum())
    if n == 0:
        return
    p = state.people
    programme = np.repeat(np.arange(len(seats)), seats)
    pid = p.new_ids(state.year, Entry.STUDENT_INFLOW * 20 + int(stage) * 4 + years_in, n)
    rows = p.add(
        pid,
        age=START_AGE[stage] + years_in,
        district=stream.choice(pid, "district", state.structure.cohort_share),
        origin=stream.uniform(pid, "origin") < migrant_share,
        ability=stream.normal(pid, "ability"),
        family=stream.normal(pid, "family"),
        stage=stage,
        level=LEVEL_ON_ENTRY[stage],
        field=field_of[programme],
        school=school_of[programme],
        years_in_stage=years_in,
    )
    p.log(state.year, rows, Event.ENTER, int(Entry.STUDENT_INFLOW))
    p.log(state.year, rows, Event.ADMIT, int(stage), school_of[programme])


def admit_higher(
    state: CityState, stream: Stream, applicants: dict[Stage, np.ndarray]
) -> dict[Stage, np.ndarray]:
    """Admit continuers to 高职 / 本科 / 研究生; unplaced leave to study elsewhere.

    Seats still free are filled by students from outside the city (these colleges recruit
    province-wide). Returns the unplaced applicants by stage.
    """
    unplaced = {}
    p = state.people
    for stage, rows in applicants.items():
        programmes = programmes_of(state, stage)
        seats = programmes[2]
        origin_level = p.level[rows].copy()
        choice = choose_programmes(state, stream, rows, stage, programmes)
        if stage == Stage.BENKE:  # 专升本 entrants from 高职 start in year 3
            upgraded = rows[(choice >= 0) & (origin_level == Level.GAOZHI)]
            p.years_in_stage[upgraded] = 2
        left = rows[choice < 0]
        state.leave(left)
        unplaced[stage] = left
        taken = np.bincount(choice[choice >= 0], minlength=len(seats))
        free = (programmes[0], programmes[1], np.maximum(seats - taken, 0))
        add_outside_students(
            state, stream, stage, free, 0, state.config.progression.leftover_migrant_share
        )
        for level in np.unique(origin_level):
            source = Level(level).name.lower()
            admitted = int(((origin_level == level) & (choice >= 0)).sum())
            state.now.tally.add(source, STAGE_NAME[stage], admitted)
    return unplaced
