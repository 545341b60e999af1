"""Recording: the year's outcomes, one row per reported year at city scale (docs/ODD.md §outcomes).

Counts are divided by ``scale``; rates are shares of the persons they are about. Burn-in years
(before ``city.start_year``) are not recorded.
"""

from __future__ import annotations

import numpy as np

from talentsim.config.schema import LEVELS
from talentsim.model.outcomes import duplication_index, mismatch_jrl, mismatch_sahin
from talentsim.model.people import Separation
from talentsim.model.state import CityState
from talentsim.model.states import MARKET_LEVEL, Level, Stage
from talentsim.model.streams import Stream


def record(state: CityState, stream: Stream) -> None:
    """Append this year's outcome row and flow rows (reported years only; draws nothing)."""
    del stream
    if not state.reporting:
        return
    row = {"year": state.year, **_people(state), **_firms_and_research(state), **_schools(state)}
    row.update(_wages_and_shortages(state))
    row.update(_money(state))
    row.update(_labour_market_flows(state))
    state.records.append(row)
    state.flow_rows.extend(state.now.tally.rows(state.year, state.scale))


def _people(state: CityState) -> dict[str, float]:
    p, table, s, c = state.people, state.firms, state.scale, state.now.counters
    stage = p.stage
    graduates = state.now.graduates
    in_city = stage[graduates] != Stage.LEFT
    employed = stage[graduates] == Stage.EMPLOYED
    field_ok = p.field[graduates] == table.field[np.maximum(p.employer[graduates], 0)]
    zhongzhi = p.level[graduates] == Level.ZHONGZHI
    born_here = p.origin[graduates] == 0  # local-born graduates of local institutions
    unemployed_field = np.bincount(
        p.field[(stage == Stage.UNEMPLOYED) & (p.field >= 0)], minlength=state.structure.n_fields
    ).astype(float)
    unfilled_field = state.now.unfilled.sum(axis=1)
    labour_force = int(((stage == Stage.EMPLOYED) | (stage == Stage.UNEMPLOYED)).sum())
    skilled_stay = int((in_city & (p.level[graduates] >= Level.GAOZHI)).sum())
    row: dict[str, float] = {
        "population": len(p) / s,
        "students_enrolled": int((stage <= Stage.GRADUATE_STUDY).sum()) / s,
        "graduates": len(graduates) / s,
        "graduates_zhongzhi": c.get("graduates_zhongzhi", 0) / s,
        "graduates_gaozhi": c.get("graduates_gaozhi", 0) / s,
        "graduates_benke": c.get("graduates_benke", 0) / s,
        "graduates_graduate": c.get("graduates_graduate", 0) / s,
        "retention_rate": float(in_city.mean()) if len(in_city) else 0.0,
        "local_retention_rate": float(in_city[born_here].mean()) if born_here.any() else 0.0,
        "retained_skilled": skilled_stay / s,
        "employment_rate": float(employed.sum() / max(in_city.sum(), 1)),
        "in_field_rate": float((employed & field_ok).sum() / max(employed.sum(), 1)),
        "zhongzhi_in_field_rate": float(
            (employed & field_ok & zhongzhi).sum() / max((employed & zhongzhi).sum(), 1)
        ),
        "zhongzhi_continue_rate": c["zhongzhi_continue"] / max(c["zhongzhi_graduates"], 1),
        "zhongzhi_benke_share": c["zhongzhi_to_benke"] / max(c["zhongzhi_continue"], 1),
        "graduate_inflow": c["graduate_inflow"] / s,
        "inflow_higher_share": c["graduate_inflow_higher"] / max(c["graduate_inflow"], 1),
        "unemployment_rate": float((stage == Stage.UNEMPLOYED).sum() / max(labour_force, 1)),
        "vacancy_rate": float(state.now.unfilled.sum() / max(labour_force, 1)),
        "mismatch_jrl": mismatch_jrl(unemployed_field, unfilled_field),
        "mismatch_sahin": mismatch_sahin(unemployed_field, unfilled_field),
        "vacancies": c["vacancies_posted"] / s,
        "vacancy_fill_rate": c["hires"] / max(c["vacancies_posted"], 1),
    }
    return row


def _wages_and_shortages(state: CityState) -> dict[str, float]:
    p, stage, row = state.people, state.people.stage, {}
    employed_all = stage == Stage.EMPLOYED
    level = MARKET_LEVEL[p.level[employed_all]]
    wages = np.bincount(level, weights=p.wage[employed_all], minlength=4) / np.maximum(
        np.bincount(level, minlength=4), 1
    )
    for name, wage in zip(LEVELS, wages, strict=True):
        row[f"wage_{name}"] = float(wage)
    unfilled_field = state.now.unfilled.sum(axis=1)
    for field, shortage in zip(state.config.fields, unfilled_field, strict=True):
        row[f"shortage_{field.name}"] = float(shortage) / state.scale
    return row


def _firms_and_research(state: CityState) -> dict[str, float]:
    table, s, c = state.firms, state.scale, state.now.counters
    active = table.active
    employed = int((state.people.stage == Stage.EMPLOYED).sum())
    value_added = float(table.revenue[active].sum()) * state.config.firms.value_added_share
    rd_total = c["firm_rd"] + c["university_rd"]
    for key in ("coop_projects", "coop_rd", "tech_transfer"):
        state.cumulative[key] += c[key] / s
    return {
        "firm_participation_rate": float(table.coop[active].mean()),
        "firms": int(active.sum()) / s,
        "above_scale_industrial_firms": int((active & table.above_scale & table.industrial).sum())
        / s,
        "coop_projects": c["coop_projects"] / s,
        "apprentices": c["apprentices"] / s,
        "apprentice_retention": c["apprentices_retained"] / max(c["apprentices_graduating"], 1),
        "partner_universities": sum(u.partner and not u.local for u in state.universities),
        "rd_spending": rd_total / s,
        "rd_intensity": rd_total / max(value_added, 1.0),
        "rd_firm_share": c["firm_rd"] / max(rd_total, 1.0),
        "rd_spending_soe": c["soe_rd"] / s,
        "tech_transfer_output": c["tech_transfer"] / s,
        "cumulative_coop_projects": state.cumulative["coop_projects"],
        "cumulative_coop_rd": state.cumulative["coop_rd"],
        "cumulative_tech_transfer": state.cumulative["tech_transfer"],
        "value_added": value_added / s,
        "productivity": value_added / max(employed, 1),
        "innovations": c["innovations"] / s,
        "firm_entries": c["firm_entries"] / s,
        "firm_exits": c["firm_exits"] / s,
    }


def _schools(state: CityState) -> dict[str, float]:
    schools = state.schools
    points = np.array([school.points for school in schools])
    leading = max((school for school in schools if school.kind == "gaozhi"), key=lambda x: x.intake)
    intake = np.array([school.intake for school in schools], dtype=float)
    reference = state.config.programme_review.equipment_reference
    quality = np.array([school.quality(reference) for school in schools])
    return {
        "specialty_points": int(points.sum()),
        "duplication_index": duplication_index(points),
        "programmes_opened": sum(school.opened for school in schools),
        "programmes_closed": sum(school.closed for school in schools),
        "leading_gaozhi_changes": leading.opened + leading.closed,
        "equipment_quality": float(np.average(quality, weights=intake)),
        "shared_training_capacity": state.shared_capacity,
    }


def _money(state: CityState) -> dict[str, float]:
    costs = state.government.costs()
    row = {"fiscal_cost": sum(costs.values())}
    for name, cost in costs.items():
        row[f"fiscal_cost_{name}"] = cost
    return row


def _labour_market_flows(state: CityState) -> dict[str, float]:
    """The year's labour-market flows, posted wages and the unemployed by duration and origin."""
    p, s, c = state.people, state.scale, state.now.counters
    stage = p.stage
    employed = int((stage == Stage.EMPLOYED).sum())
    unemployed = np.flatnonzero(stage == Stage.UNEMPLOYED)
    spell = state.year - p.unemployed_since[unemployed]
    origin = p.unemployment_origin[unemployed]
    n_unemployed = max(len(unemployed), 1)
    row = {
        "job_seekers": c["job_seekers"] / s,
        "on_the_job_seekers": c["on_the_job_seekers"] / s,
        "vacancies_posted": c["vacancies_posted"] / s,
        "hires": c["hires"] / s,
        "hires_from_unemployment": c["hires_from_unemployment"] / s,
        "job_to_job_moves": c["job_to_job_moves"] / s,
        "quits": c["quits"] / s,
        "layoffs": c["layoffs"] / s,
        "displaced_by_exits": c["displaced"] / s,
        "employed_leavers": c["employed_leavers"] / s,
        "employment": employed / s,
        "unemployed_long_term_share": float((spell >= 1).sum() / n_unemployed),
        "unemployed_mean_spell": float(spell.mean()) if len(spell) else 0.0,
        "unemployed_entrant_share": float((origin == Separation.ENTRANT).sum() / n_unemployed),
        "unemployed_displaced_share": float((origin == Separation.DISPLACED).sum() / n_unemployed),
        "unemployed_quit_share": float((origin == Separation.QUIT).sum() / n_unemployed),
        "entrant_profit_ratio": c["entrant_profit_ratio"],
        "demand_shock": state.demand_shock,
    }
    for level, name in enumerate(LEVELS):
        row[f"posted_wage_{name}"] = c[f"posted_wage_{level}"]
    working = np.flatnonzero(stage == Stage.EMPLOYED)
    field = state.firms.field[p.employer[working]]
    n_fields = state.structure.n_fields
    total = np.bincount(field, weights=p.wage[working], minlength=n_fields)
    count = np.maximum(np.bincount(field, minlength=n_fields), 1)
    for spec, wage in zip(state.config.fields, total / count, strict=True):
        row[f"wage_field_{spec.name}"] = float(wage)
    return row
