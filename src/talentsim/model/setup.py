"""Initialisation: the city in the year before the burn-in starts (ODD "initialisation").

Firms (the above-scale industrial firms and other employers, lognormal sizes), their workforce
(levels from the firms' demand shares, ages uniform over working life), the staff of the city's
other employers who came through the modelled labour market, schools with specialty
points around demand, local and partner universities, and one cohort per year of study in every
programme. This city is not in its steady state: the burn-in (:attr:`CityConfig.burn_in` years
under the status quo) carries it there before the first reported year.
"""

from __future__ import annotations

import mesa
import numpy as np

from talentsim.config.schema import CityConfig
from talentsim.model.agents import firms
from talentsim.model.agents.firms import FirmBatch
from talentsim.model.agents.government import Government
from talentsim.model.agents.schools import VocationalSchool, initial_points, split_seats
from talentsim.model.agents.universities import University
from talentsim.model.people import Entry, Event, People
from talentsim.model.processes.admissions import (
    add_outside_students,
    enter_cohort,
    programmes_of,
)
from talentsim.model.processes.firm_dynamics import add_firms
from talentsim.model.state import CityState, Signals, Structure
from talentsim.model.states import MARKET_LEVEL, N_MARKET_LEVELS, STUDY_YEARS, Level, Stage
from talentsim.model.streams import Stream

PEOPLE_PER_SCALE = 1.4e6
"""Rows reserved for persons per unit of scale (memory, not a coefficient: the store grows)."""
RESERVE = 1024
"""Extra rows reserved beyond PEOPLE_PER_SCALE · scale (memory)."""


def build_city(config: CityConfig, model: mesa.Model, stream: Stream) -> CityState:
    """The initial city, in the year before the first simulated (burn-in) year."""
    year = config.city.start_year - config.burn_in - 1
    structure = Structure.of(config)
    n_districts = structure.n_districts
    start = config.setup
    state = CityState(
        config=config,
        model=model,
        year=year,
        structure=structure,
        signals=Signals(
            placement=np.full(structure.n_fields, start.placement),
            retention_by_field=np.full(structure.n_fields, start.retention),
            district_vocational_share=np.full(n_districts, start.vocational_share),
            peer_field=np.tile(structure.employment_share, (n_districts, 1)),
            leaver_share=start.leaver_share,
            zhongzhi_continue_share=start.zhongzhi_continue_share,
            job_finding=start.job_finding,
        ),
        people=People(capacity=int(PEOPLE_PER_SCALE * config.scale) + RESERVE),
        government=Government(config.policy, first_year=config.city.start_year),
    )
    rng = stream.generator("set-up")
    _add_firms(state, rng)
    _add_workforce(state, rng)
    _add_other_employer_workers(state, stream.generator("set-up other employers"))
    state.mean_log_productivity0 = state.mean_log_productivity()
    state.city_demand = float(state.firms.size_target[state.firms.active].sum())
    state.demand_per_firm0 = state.city_demand / int(state.firms.active.sum())
    _add_schools(state, rng)
    _add_universities(state)
    _add_students(state, stream)
    state.signals.reference = state.choice_drivers()
    return state


def _add_firms(state: CityState, rng: np.random.Generator) -> None:
    cfg, s, start = state.config.firms, state.structure, state.config.setup
    groups = [
        (FirmBatch.INDUSTRIAL, cfg.above_scale_industrial, s.industrial),
        (FirmBatch.OTHER, cfg.other_employers, ~s.industrial),
    ]
    workforce = state.config.city.initial_workforce * state.scale
    for batch, count, in_group in groups:
        n = state.count(count)
        weights = np.where(in_group, s.employment_share, 0.0)
        if weights.sum() == 0:
            continue
        field = rng.choice(s.n_fields, size=n, p=weights / weights.sum())
        size = rng.lognormal(0.0, cfg.size_sigma, n)
        size *= workforce * weights.sum() / size.sum()
        add_firms(
            state,
            state.firms.new_keys(state.year, batch, n),
            field=field,
            size_target=size,
            listed=size >= np.quantile(size, 1.0 - cfg.listed_share),
            industrial=s.industrial[field],
            soe=rng.random(n) < cfg.soe_share * np.sqrt(size / size.mean()),
            log_productivity=rng.normal(0.0, start.productivity_sd, n),
            district=rng.choice(s.n_districts, size=n, p=s.cohort_share),
            born=state.year - rng.integers(0, start.firm_age, n),
        )


def _add_workforce(state: CityState, rng: np.random.Generator) -> None:
    table, s, start = state.firms, state.structure, state.config.setup
    counts = rng.poisson(table.size_target)
    employer = np.repeat(np.arange(len(table)), counts)
    n = len(employer)
    shares = firms.level_shares(state.config.firms, s.tech[table.field], table.log_productivity)[
        employer
    ]
    market = (rng.random(n)[:, None] > np.cumsum(shares, axis=1)).sum(axis=1)
    market = np.minimum(market, N_MARKET_LEVELS - 1)
    mix = [start.zhongzhi_share, start.general_hs_share]
    secondary = rng.choice(
        [Level.ZHONGZHI, Level.GENERAL_HS, Level.JUNIOR], size=n, p=[*mix, 1.0 - sum(mix)]
    )
    level = np.choose(market, [secondary, Level.GAOZHI, Level.BENKE, Level.GRADUATE])
    firm_field = table.field[employer]
    in_field = rng.random(n) < start.in_field
    field = np.where(in_field, firm_field, rng.integers(0, s.n_fields, n))
    field = np.where((level == Level.GENERAL_HS) | (level == Level.JUNIOR), -1, field)
    age = rng.integers(start.entry_age, state.config.city.retirement_age, n)
    experience = np.minimum(age - start.entry_age, start.max_experience)
    rows = state.people.add(
        state.people.new_ids(state.year, Entry.INITIAL * 20, n),
        age=age,
        district=table.district[employer],
        origin=rng.random(n) < start.migrant_share,
        ability=rng.standard_normal(n),
        family=rng.standard_normal(n),
        stage=Stage.EMPLOYED,
        level=level,
        field=field,
        employer=employer,
        skill_general=start.general_skill_per_year * experience,
        skill_field=np.where(
            field == firm_field,
            start.field_skill + start.field_skill_per_year * experience,
            start.out_of_field_skill,
        ),
        wage=state.base_wage(MARKET_LEVEL[level])
        * s.premium[firm_field]
        * (1.0 + start.wage_per_year * experience),
    )
    state.people.log(state.year, rows, Event.ENTER, int(Entry.INITIAL))
    state.update_revenue()


def _add_other_employer_workers(state: CityState, rng: np.random.Generator) -> None:
    """The other employers' staff at set-up: like a random sample of the firms' workforce.

    ``setup.other_employer_workers`` · scale persons (rounded) with the age,
    level, field, skills, district and origin of randomly drawn set-up workers, at the base
    wage of their level times ``labour_market.other_employers_wage_ratio``.
    """
    p, workers = state.people, state.config.setup.other_employer_workers
    if workers == 0 or p.n == 0:
        return
    n = state.count(workers)
    like = rng.integers(0, p.n, n)
    copied = ("age", "district", "origin", "ability", "family", "level", "field")
    skills_of = ("skill_general", "skill_field")
    rows = p.add(
        p.new_ids(state.year, Entry.INITIAL * 20 + 1, n),
        **{name: getattr(p, name)[like] for name in (*copied, *skills_of)},
        stage=Stage.OTHER_EMPLOYER,
        wage=state.base_wage(MARKET_LEVEL[p.level[like]])
        * state.config.labour_market.other_employers_wage_ratio,
    )
    p.log(state.year, rows, Event.ENTER, int(Entry.INITIAL))


def _add_schools(state: CityState, rng: np.random.Generator) -> None:
    s, start = state.structure, state.config.setup
    secondary_demand = s.employment_share * (1.0 - s.tech) + start.demand_floor
    tertiary_demand = s.employment_share * s.tech + start.demand_floor
    for spec in state.config.schools:
        weights = secondary_demand if spec.kind == "zhongzhi" else tertiary_demand
        points = initial_points(rng, spec.specialties, weights, start.portfolio_concentration)
        state.schools.append(VocationalSchool(state.model, spec, points, state.scale))


def _add_universities(state: CityState) -> None:
    cfg, s, start = state.config.universities, state.structure, state.config.setup
    for spec in cfg.local:
        benke = state.count(spec.benke_intake) if spec.benke_intake else 0
        graduate = state.count(spec.graduate_intake) if spec.graduate_intake else 0
        state.universities.append(
            University(
                state.model,
                s.n_fields,
                spec.name,
                local=True,
                capacity=spec.research_capacity * state.scale,
                benke_seats=split_seats(
                    benke, s.employment_share * (start.benke_seat_base + s.tech)
                ),
                graduate_seats=split_seats(graduate, s.employment_share * s.tech * s.tech),
            )
        )
    for i in range(cfg.partner_pool):
        partner = University(
            state.model,
            s.n_fields,
            f"partner-{i + 1}",
            local=False,
            capacity=cfg.partner_capacity * state.scale,
        )
        partner.partner = i < cfg.initial_partners
        state.universities.append(partner)


def _add_students(state: CityState, stream: Stream) -> None:
    """Fill the pipeline: one cohort per year of study already in each programme."""
    for years_in in range(STUDY_YEARS[Stage.ZHONGZHI] - 1, -1, -1):
        enter_cohort(state, stream, years_in)
    for stage in (Stage.GAOZHI, Stage.BENKE, Stage.GRADUATE_STUDY):
        programmes = programmes_of(state, stage)
        for years_in in range(STUDY_YEARS[stage]):
            add_outside_students(
                state, stream, stage, programmes, years_in, state.config.setup.outside_students
            )
