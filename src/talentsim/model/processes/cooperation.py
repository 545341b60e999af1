"""Cooperation and training: firms cooperate; students train as apprentices or in shared bases.

A firm cooperates when its expected net benefit
(:func:`talentsim.model.agents.firms.net_benefit_of_cooperation`) plus noise ε ~ N(0,
benefit_noise) (keyed by firm) is positive. Its places are Poisson(apprentices_per_100 · size /
100). Final-year 中职/高职 students and the places of their field are matched by preference
(:func:`place_apprentices`): each student ranks the field's cooperating firms by
U = β_q·(log A − mean log A) − β_d·km(school, firm) + bonus·[branch-college student, park
firm] + Gumbel, and firms take applicants by ability (deferred acceptance). Students of the
field left without a place train in shared training bases (park bases, bases on granted land)
up to their capacity (:func:`train_in_shared_bases`); the capacity is a stock of places that
depreciates and costs money to run (:func:`update_shared_capacity`).

Levers: integration units (:func:`talentsim.model.agents.firms.integration_unit_uptake`); the
apprenticeship subsidy, a government cost cut, a retention bonus, the surcharge credit, the
staff-education deduction and coordination in the net benefit (a park firm deals with schools
at ``park.transaction_factor`` of the cost); training-base co-funding m adds m·I per apprentice
to the firms' base investment I, which goes into the schools' equipment. The surcharge credit
(财税〔2019〕46号) is used up to what each firm owes and carried forward otherwise.
"""

from __future__ import annotations

import numpy as np

from talentsim.config.schema import SchoolSpec
from talentsim.model import education
from talentsim.model.agents import firms
from talentsim.model.agents.government import STATUS_QUO
from talentsim.model.agents.schools import VocationalSchool, initial_points
from talentsim.model.people import Event
from talentsim.model.state import CityState
from talentsim.model.states import STUDY_YEARS, Stage
from talentsim.model.streams import Stream

SHARED_BASE = -2
"""``sponsor`` of a student who trained in a shared base this year (apprentices: the firm)."""


def cooperate(state: CityState, stream: Stream) -> None:
    """Shared capacity, firms' cooperation decisions, apprentice and shared-base placement."""
    update_shared_capacity(state, stream)
    gov, cfg, table, p = state.government, state.config.firms, state.firms, state.people
    active = np.flatnonzero(table.active)
    keys = table.key[active]
    coverage = gov.lever("integration_units") * state.config.policy.integration_compliance
    if coverage > 0:
        table.unit[active] = firms.integration_unit_uptake(
            stream.uniform(keys, "integration unit"),
            table.above_scale[active],
            table.unit[active],
            coverage,
        )
    wage = state.base_wage(np.array([0]))[0] * state.structure.premium[table.field[active]]
    owed = (
        firms.SURCHARGE_RATE
        * firms.VAT_ON_VALUE_ADDED
        * cfg.value_added_share
        * table.revenue[active]
    )
    terms = cooperation_terms(state)
    factor = firms.transaction_factor(
        cfg,
        table.listed[active],
        table.unit[active],
        table.in_park[active],
        state.config.policy.park.transaction_factor,
    )
    benefit = firms.net_benefit_of_cooperation(
        cfg,
        table.size_target[active],
        wage,
        state.signals.retention_by_field[table.field[active]],
        table.coop_years[active],
        factor,
        owed,
        terms,
    )
    benefit += cfg.benefit_noise * stream.normal(keys, "benefit")
    cooperating = benefit > 0
    table.coop[:] = False
    table.coop[active[cooperating]] = True
    table.coop_years[active] = np.where(cooperating, table.coop_years[active] + 1, 0)
    firms_in = active[cooperating]
    places = stream.poisson(
        table.key[firms_in], "places", cfg.apprentices_per_100 * table.size_target[firms_in] / 100
    )
    final_year = np.flatnonzero(
        ((p.stage == Stage.ZHONGZHI) | (p.stage == Stage.GAOZHI))
        & (p.years_in_stage == STUDY_YEARS[Stage.ZHONGZHI] - 1)
    )
    p.sponsor[final_year] = -1
    apprentices = place_apprentices(state, stream, final_year, firms_in, places)
    trainees = train_in_shared_bases(state, stream, final_year)
    taken = np.bincount(p.sponsor[final_year][p.sponsor[final_year] >= 0], minlength=len(table))
    investment = apprentices * cfg.base_investment
    table.credit += terms.credit_rate * taken * (cfg.apprentice_cost + cfg.base_investment)
    used = np.minimum(table.credit[active], owed)
    table.credit[active] -= used
    _book(state, used.sum(), apprentices, investment, taken[active], wage, terms)
    state.now.counters["apprentices"] = apprentices
    state.now.counters["shared_base_trainees"] = trainees
    state.now.counters["base_investment"] = investment * (1 + gov.lever("training_base_cofunding"))


def cooperation_terms(state: CityState) -> firms.CooperationTerms:
    """This year's levers as the firms' net benefit reads them."""
    gov = state.government
    return firms.CooperationTerms(
        subsidy=gov.lever("apprenticeship_subsidy"),
        cost_cut=gov.lever("apprentice_cost_cut"),
        retention_bonus=gov.lever("retention_bonus"),
        credit_rate=gov.lever("surcharge_credit"),
        coordination=gov.lever("coordination"),
        deduction_cap=gov.lever("staff_education_deduction"),
        status_quo_cap=STATUS_QUO.staff_education_deduction.value,
    )


def _book(
    state: CityState,
    credit_used: float,
    apprentices: int,
    investment: float,
    taken: np.ndarray,
    wage: np.ndarray,
    terms: firms.CooperationTerms,
) -> None:
    """The fiscal cost of this year's cooperation (city scale)."""
    gov, cfg, scale = state.government, state.config.firms, state.scale
    gov.spend("surcharge_credit", credit_used / scale)
    gov.spend("apprenticeship_subsidy", apprentices * terms.subsidy / scale)
    gov.spend("apprentice_cost_cut", apprentices * terms.cost_cut / scale)
    gov.spend("training_base_cofunding", gov.lever("training_base_cofunding") * investment / scale)
    active = np.flatnonzero(state.firms.active)
    spending = taken * (cfg.apprentice_cost + cfg.base_investment)
    payroll = state.firms.size_target[active] * wage
    deduction = firms.education_deduction(spending, payroll, terms.deduction_cap)
    gov.spend("staff_education_deduction", deduction.sum() / scale)


def place_apprentices(
    state: CityState,
    stream: Stream,
    students: np.ndarray,
    firms_in: np.ndarray,
    places: np.ndarray,
) -> int:
    """Match final-year students with cooperating firms' places of their field by preference.

    Student i's utility of firm j: β_q·(log A_j − mean log A) − β_d·km(school_i, j) +
    bonus·[i at a park branch college and j in the park] + Gumbel (keyed by student and firm);
    firms take applicants by ability up to their places (deferred acceptance, as programmes).
    Returns the number placed.
    """
    p, table, s, cfg = state.people, state.firms, state.structure, state.config
    school_district = np.array([school.district for school in state.schools])
    branch = np.array([school.name.startswith(BRANCH_COLLEGE) for school in state.schools])
    mean_a = state.mean_log_productivity()
    placed = 0
    for field in range(s.n_fields):
        candidates = students[p.field[students] == field]
        # a firm without places is never chosen: utilities and noise only of those with places
        in_field = (table.field[firms_in] == field) & (places > 0)
        firm_rows, seats = firms_in[in_field], places[in_field]
        if len(candidates) == 0 or len(seats) == 0:
            continue
        # the utility depends on the student only through their school: once per school
        school = p.school[candidates]
        utility = (
            cfg.firms.apprentice_beta_quality
            * (table.log_productivity[firm_rows] - mean_a)[None, :]
            - cfg.firms.apprentice_beta_distance
            * s.distance[school_district][:, table.district[firm_rows]]
            + cfg.policy.park.order_class_bonus
            * (branch[:, None] & table.in_park[firm_rows][None, :])
        )[school]
        noise = stream.gumbel(p.pid[candidates], "apprenticeship", table.key[firm_rows])
        choice = education.assign_programmes(
            noise, utility, seats, p.ability[candidates], ranks=len(firm_rows)
        )
        chosen = candidates[choice >= 0]
        sponsor = firm_rows[choice[choice >= 0]]
        p.sponsor[chosen] = sponsor
        p.log(state.year, chosen, Event.APPRENTICE, sponsor)
        placed += len(chosen)
    return placed


def train_in_shared_bases(state: CityState, stream: Stream, students: np.ndarray) -> int:
    """Final-year students without an apprenticeship train in shared bases, up to capacity.

    The capacity (places, city scale × ``scale``) takes students in the order of keyed
    uniforms; they are marked with ``sponsor`` = :data:`SHARED_BASE` and graduate with
    ``skills.shared_base_boost`` more field skill. Returns the number trained.
    """
    p = state.people
    free = students[p.sponsor[students] == -1]
    capacity = int(np.floor(state.shared_capacity * state.scale))
    if capacity == 0 or len(free) == 0:
        return 0
    order = np.argsort(stream.uniform(p.pid[free], "shared base"))
    trained = free[order[:capacity]]
    p.sponsor[trained] = SHARED_BASE
    return len(trained)


def update_shared_capacity(state: CityState, stream: Stream) -> None:
    """The stock of shared training places: built, kept up, depreciating, and its cost.

    K_land ← K_land·(1 − δ) + places_per_ha·ha granted this year (land booked at land_value,
    places run at place_cost each); the park's bases are kept at shared_base_capacity while
    it operates (their yearly base_cost per place pays upkeep and renewal), its land is booked
    in the opening year, when its branch colleges open (:func:`open_branch_colleges`).
    Bounded: K_land settles at places_per_ha·ha / δ.
    """
    gov, policy = state.government, state.config.policy
    land = gov.lever("land_grant")
    state.land_places = state.land_places * (1.0 - policy.place_depreciation)
    state.land_places += land * policy.places_per_ha
    gov.spend("land_grant", land * policy.land_value + state.land_places * policy.place_cost)
    park = policy.park
    park_places = 0.0
    if gov.park_open():
        park_places = float(park.shared_base_capacity)
        if state.year == max(park.start_year, state.config.city.start_year):
            gov.spend("park", park.land_ha * policy.land_value)
            open_branch_colleges(state, stream)
        gov.spend("park", park_places * park.base_cost)
    state.shared_capacity = park_places + state.land_places


BRANCH_COLLEGE = "park branch college"
"""Name prefix of the park's branch colleges."""


def open_branch_colleges(state: CityState, stream: Stream) -> None:
    """The park's branch colleges: 高职 in the tech-intensive fields, tied to park firms."""
    s, park = state.structure, state.config.policy.park
    rng = stream.generator("branch colleges")
    for i in range(park.branch_colleges):
        spec = SchoolSpec(
            name=f"{BRANCH_COLLEGE} {i + 1}",
            kind="gaozhi",
            district=0,
            intake=park.branch_college_intake,
            specialties=park.branch_college_specialties,
            equipment_per_student=park.branch_college_equipment
            * state.config.programme_review.equipment_reference,
        )
        points = initial_points(
            rng,
            spec.specialties,
            s.employment_share * s.tech * s.tech,
            state.config.setup.portfolio_concentration,
        )
        state.schools.append(VocationalSchool(state.model, spec, points, state.scale))
