"""Recording: the year's outcomes, one row per reported year at city scale (docs/ODD.md §outcomes).

Counts are divided by ``scale``; rates are shares of the persons they are about (0 for an
empty group). Burn-in years (before ``city.start_year``) are not recorded, but the graduates of
their last :data:`TRACKED_BEFORE_START` years join the cohorts whose retention the first
reported years measure.
"""

from __future__ import annotations

import numpy as np

from talentsim.config.schema import LEVELS
from talentsim.model.outcomes import RETENTION_HORIZONS, dissimilarity, duplication_index, share
from talentsim.model.people import Separation
from talentsim.model.state import CityState
from talentsim.model.states import MARKET_LEVEL, N_MARKET_LEVELS, Level, Stage, employed_in_city
from talentsim.model.streams import Stream

COHORT_LEVELS = (Level.ZHONGZHI, Level.GENERAL_HS, Level.GAOZHI, Level.BENKE, Level.GRADUATE)
"""Levels of the graduates of local institutions, by which retention is reported."""
FIELD_LEVELS = (Level.ZHONGZHI, Level.GAOZHI, Level.BENKE, Level.GRADUATE)
"""Levels whose graduates have a field, by which in-field employment is reported."""
ORIGINS = ("local", "incoming")
"""Origin codes 0 and 1 of a graduate of a local institution: born here, came to study."""
TRACKED_BEFORE_START = max(RETENTION_HORIZONS)
"""Burn-in years before the first reported year whose graduate cohorts are tracked."""


def record(state: CityState, stream: Stream) -> None:
    """Track graduate cohorts; append this year's outcome and flow rows (draws nothing).

    Cohorts are tracked from :data:`TRACKED_BEFORE_START` years before the first reported
    year: an earlier one is dropped before any reported year measures it (and nothing else
    reads them).
    """
    del stream
    if state.year >= state.config.city.start_year - TRACKED_BEFORE_START:
        _track_cohorts(state)
    if not state.reporting:
        return
    employed = np.flatnonzero(state.people.stage == Stage.EMPLOYED)  # once for the wage tables
    row = {"year": state.year, **_people(state), **_firms_and_research(state), **_schools(state)}
    row.update(_labour_market(state))
    row.update(_retention(state))
    row.update(_in_field(state))
    row.update(_mismatch(state))
    row.update(_wages(state, employed))
    row.update(_money(state))
    row.update(_labour_market_flows(state, employed))
    state.records.append(row)
    state.flow_rows.extend(state.now.tally.rows(state.year, state.scale))


def _track_cohorts(state: CityState) -> None:
    """Who of the tracked cohorts left this year; this year's graduates join as a cohort."""
    p = state.people
    gone = (p.stage == Stage.LEFT) | (p.stage == Stage.RETIRED)  # not yet archived this year
    graduates = state.now.graduates
    state.cohorts.update(
        state.year,
        p.pid[gone],
        {
            "pid": p.pid[graduates],
            "level": p.level[graduates],
            "origin": p.origin[graduates],
            "present": ~gone[graduates],
        },
    )


def _people(state: CityState) -> dict[str, float]:
    p, s, c = state.people, state.scale, state.now.counters
    stage = p.stage
    graduates = state.now.graduates
    in_city = stage[graduates] != Stage.LEFT
    employed = employed_in_city(stage[graduates])
    n_unemployed = np.count_nonzero(stage == Stage.UNEMPLOYED)
    labour_force = np.count_nonzero(stage == Stage.EMPLOYED) + n_unemployed
    return {
        "population": len(p) / s,
        "students_enrolled": np.count_nonzero(stage <= Stage.GRADUATE_STUDY) / s,
        "graduates": len(graduates) / s,
        "graduates_zhongzhi": c.get("graduates_zhongzhi", 0) / s,
        "graduates_gaozhi": c.get("graduates_gaozhi", 0) / s,
        "graduates_benke": c.get("graduates_benke", 0) / s,
        "graduates_graduate": c.get("graduates_graduate", 0) / s,
        "employment_rate": share(employed.sum(), in_city.sum()),
        "zhongzhi_continue_rate": share(c["zhongzhi_continue"], c["zhongzhi_graduates"]),
        "zhongzhi_benke_share": share(c["zhongzhi_to_benke"], c["zhongzhi_continue"]),
        "graduate_inflow": c["graduate_inflow"] / s,
        "inflow_higher_share": share(c["graduate_inflow_higher"], c["graduate_inflow"]),
        "unemployment_rate": share(n_unemployed, labour_force),
        "vacancy_rate": share(state.now.unfilled.sum(), labour_force),
    }


def _labour_market(state: CityState) -> dict[str, float]:
    c = state.now.counters
    return {
        "vacancies": c["vacancies_posted"] / state.scale,
        "vacancy_fill_rate": share(c["hires"], c["vacancies_posted"]),
    }


def _retention(state: CityState) -> dict[str, float]:
    """Share of each cohort still in the city k years after graduating, by level and origin.

    retention_ky = Σ_i present_i / n over the n graduates of local institutions who entered
    the labour market in year t − k; retained_skilled_3y counts the 高职-and-above stayers of
    the cohort of t − 3 (city scale).
    """
    cohorts, row = state.cohorts, {}
    for k in RETENTION_HORIZONS:
        members = cohorts.members(state.year - k)
        present = cohorts.present[members]
        level, origin = cohorts.level[members], cohorts.origin[members]
        row[f"retention_{k}y"] = share(present.sum(), len(present))
        for code in COHORT_LEVELS:
            group = level == code
            row[f"retention_{k}y_{code.name.lower()}"] = share(present[group].sum(), group.sum())
        for code, name in enumerate(ORIGINS):
            group = origin == code
            row[f"retention_{k}y_{name}"] = share(present[group].sum(), group.sum())
        if k == 3:
            row["retained_skilled_3y"] = (present & (level >= Level.GAOZHI)).sum() / state.scale
    return row


def _in_field(state: CityState) -> dict[str, float]:
    """对口: share of this year's employed graduates with a field who work in a firm of it."""
    p, graduates = state.people, state.now.graduates
    graduates = graduates[(p.field[graduates] >= 0) & (p.stage[graduates] == Stage.EMPLOYED)]
    in_field = p.field[graduates] == state.firms.field[p.employer[graduates]]
    level = p.level[graduates]
    row = {"in_field_rate": share(in_field.sum(), len(in_field))}
    for code in FIELD_LEVELS:
        group = level == code
        row[f"in_field_rate_{code.name.lower()}"] = share(in_field[group].sum(), group.sum())
    return row


def _mismatch(state: CityState) -> dict[str, float]:
    """New graduates against new openings by field × level; shortage and surplus by field.

    mismatch_flow = ½·Σ_fl |g_fl/G − v_fl/V| with g this year's graduates of local institutions
    entering the labour market with a field and v the openings posted this year (per level l:
    the same over fields within l). shortage_rate_f = openings of f unfilled after the market /
    openings of f; surplus_rate_f = this year's graduates (local and in-migrating) of f who are
    unemployed at the end of the year / those of them still in the city.
    """
    p, n_fields = state.people, state.structure.n_fields
    posted = state.now.posted
    graduates = state.now.graduates
    graduates = graduates[p.field[graduates] >= 0]
    supply = np.zeros((n_fields, N_MARKET_LEVELS))
    np.add.at(supply, (p.field[graduates], MARKET_LEVEL[p.level[graduates]]), 1.0)
    row = {"mismatch_flow": dissimilarity(supply, posted)}
    for level, name in enumerate(LEVELS):
        row[f"mismatch_flow_{name}"] = dissimilarity(supply[:, level], posted[:, level])
    shortage = share(state.now.unfilled.sum(axis=1), posted.sum(axis=1))
    entrants = np.concatenate([state.now.graduates, state.now.inflow])
    entrants = entrants[(p.field[entrants] >= 0) & (p.stage[entrants] != Stage.LEFT)]
    unemployed = p.stage[entrants] == Stage.UNEMPLOYED
    in_city = np.bincount(p.field[entrants], minlength=n_fields)
    surplus = share(np.bincount(p.field[entrants[unemployed]], minlength=n_fields), in_city)
    for f, spec in enumerate(state.config.fields):
        row[f"shortage_rate_{spec.name}"] = float(shortage[f])
        row[f"surplus_rate_{spec.name}"] = float(surplus[f])
    return row


def _wages(state: CityState, employed: np.ndarray) -> dict[str, float]:
    """Mean wage by labour-market level of the employed (rows ``employed``)."""
    p = state.people
    level = MARKET_LEVEL[p.level[employed]]
    wages = share(
        np.bincount(level, weights=p.wage[employed], minlength=N_MARKET_LEVELS),
        np.bincount(level, minlength=N_MARKET_LEVELS),
    )
    return {f"wage_{name}": float(wage) for name, wage in zip(LEVELS, wages, strict=True)}


def _firms_and_research(state: CityState) -> dict[str, float]:
    table, s, c = state.firms, state.scale, state.now.counters
    active = table.active
    employed = np.count_nonzero(state.people.stage == Stage.EMPLOYED)
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
    quality = np.array([school.quality(state.config.programme_review) for school in schools])
    c = state.now.counters
    return {
        "specialty_points": int(points.sum()),
        "duplication_index": duplication_index(points),
        "programmes_opened": sum(school.opened for school in schools),
        "programmes_closed": sum(school.closed for school in schools),
        "leading_gaozhi_changes": leading.opened + leading.closed,
        "equipment_quality": float(np.average(quality, weights=intake)),
        "shared_training_capacity": state.shared_capacity + c.get("apprentices", 0) / state.scale,
        "shared_base_places": state.shared_capacity,
        "shared_base_trainees": c.get("shared_base_trainees", 0) / state.scale,
        "talent_subsidy_recipients": c.get("talent_subsidy_recipients", 0) / state.scale,
    }


def _money(state: CityState) -> dict[str, float]:
    costs = state.government.costs()
    row = {"fiscal_cost": sum(costs.values())}
    for name, cost in costs.items():
        row[f"fiscal_cost_{name}"] = cost
    return row


def _labour_market_flows(state: CityState, employed_rows: np.ndarray) -> dict[str, float]:
    """The year's labour-market flows, posted wages and the unemployed by duration and origin.

    ``employed_rows``: the rows of the employed.
    """
    p, s, c = state.people, state.scale, state.now.counters
    stage = p.stage
    employed = len(employed_rows)
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
        "other_employers_hires": c["other_employers_hires"] / s,
        "other_employers_returns": c["other_employers_returns"] / s,
        "other_employers_employment": np.count_nonzero(stage == Stage.OTHER_EMPLOYER) / s,
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
    field = state.firms.field[p.employer[employed_rows]]
    n_fields = state.structure.n_fields
    total = np.bincount(field, weights=p.wage[employed_rows], minlength=n_fields)
    count = np.maximum(np.bincount(field, minlength=n_fields), 1)
    for spec, wage in zip(state.config.fields, total / count, strict=True):
        row[f"wage_field_{spec.name}"] = float(wage)
    return row
