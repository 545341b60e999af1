"""Cooperation and apprenticeships: firms cooperate with schools and take apprentices.

Cooperating firms take final-year 中职/高职 students of their field as apprentices.

A firm cooperates when its expected net benefit
(:func:`talentsim.model.agents.firms.net_benefit_of_cooperation`) plus noise ε ~ N(0,
benefit_noise) (keyed by firm) is positive. Its places are Poisson(apprentices_per_100 · size /
100); within each field, students and places are paired in the order of keyed uniforms.
Levers: integration units (:func:`talentsim.model.agents.firms.integration_unit_uptake`),
apprenticeship subsidy, surcharge credit and coordination in the net benefit (a firm in the
demonstration park counts as having an integration unit); training-base
co-funding m adds m·I per apprentice to the firms' base investment I, which goes into the
schools' equipment. The surcharge credit (财税〔2019〕46号) is used up to what each firm owes
and carried forward otherwise.
"""

from __future__ import annotations

import numpy as np

from talentsim.model.agents import firms
from talentsim.model.people import Event
from talentsim.model.state import CityState
from talentsim.model.states import Stage
from talentsim.model.streams import Stream


def cooperate(state: CityState, stream: Stream) -> None:
    """Firms' cooperation decisions, apprentice placement and the fiscal cost of both."""
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
    benefit = firms.net_benefit_of_cooperation(
        cfg,
        table.size_target[active],
        wage,
        state.signals.retention_by_field[table.field[active]],
        table.coop_years[active],
        table.listed[active],
        table.unit[active] | table.in_park[active],
        owed,
        gov.lever("apprenticeship_subsidy"),
        gov.lever("surcharge_credit"),
        gov.lever("coordination"),
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
        ((p.stage == Stage.ZHONGZHI) | (p.stage == Stage.GAOZHI)) & (p.years_in_stage == 2)
    )
    p.sponsor[final_year] = -1
    apprentices = _place_apprentices(state, stream, final_year, firms_in, places)
    taken = np.bincount(p.sponsor[final_year][p.sponsor[final_year] >= 0], minlength=len(table))
    investment = apprentices * cfg.base_investment
    table.credit += (
        gov.lever("surcharge_credit") * taken * (cfg.apprentice_cost + cfg.base_investment)
    )
    used = np.minimum(table.credit[active], owed)
    table.credit[active] -= used
    gov.spend("surcharge_credit", used.sum() / state.scale)
    gov.spend(
        "apprenticeship_subsidy", apprentices * gov.lever("apprenticeship_subsidy") / state.scale
    )
    cofunding = gov.lever("training_base_cofunding") * investment
    gov.spend("training_base_cofunding", cofunding / state.scale)
    state.now.counters["apprentices"] = apprentices
    state.now.counters["base_investment"] = investment + cofunding


def _place_apprentices(
    state: CityState,
    stream: Stream,
    students: np.ndarray,
    firms_in: np.ndarray,
    places: np.ndarray,
) -> int:
    """Pair final-year students with cooperating firms' places of their field; returns count."""
    p, table = state.people, state.firms
    slot_firm = np.repeat(firms_in, places)
    slot_rank = np.arange(len(slot_firm)) - np.repeat(np.cumsum(places) - places, places)
    slot_order = stream.uniform(table.key[slot_firm], "place order", pair=slot_rank)
    student_order = stream.uniform(p.pid[students], "apprentice order")
    slot_field = table.field[slot_firm]
    placed = 0
    for field in range(state.structure.n_fields):
        candidates = students[p.field[students] == field]
        in_field = np.flatnonzero(slot_field == field)
        k = min(len(candidates), len(in_field))
        if k == 0:
            continue
        chosen = candidates[np.argsort(student_order[p.field[students] == field])[:k]]
        sponsor = slot_firm[in_field[np.argsort(slot_order[in_field])[:k]]]
        p.sponsor[chosen] = sponsor
        p.log(state.year, chosen, Event.APPRENTICE, sponsor)
        placed += k
    return placed
