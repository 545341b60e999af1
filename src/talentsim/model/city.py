"""TalentModel: the city, its people and institutions, stepped one year at a time on Mesa.

The yearly order (ODD "process overview and scheduling"):
  1. ageing, retirement, job separations and workers' emigration;
  2. students progress; completers graduate and decide to continue or work;
  3. a new cohort of 15-year-olds chooses 普高 or 中职 and a programme; continuers are admitted
     to 高职 / 本科 / 研究生, unfilled seats go to students from outside;
  4. firms decide whether to cooperate with schools and take final-year apprentices;
  5. graduates from outside arrive; sponsors keep their apprentices; the labour market matches;
  6. graduates and the unemployed stay or leave; talent subsidies are paid;
  7. on-the-job learning; R&D, university projects, innovation; firm growth, exit and entry;
  8. schools review their programmes; equipment ages; outcomes are recorded.
"""

from __future__ import annotations

from typing import Any

import mesa
import numpy as np
import pandas as pd

from talentsim.config.schema import LEVELS, CityConfig, TalentSubsidy
from talentsim.model import education, firms, migration, skills
from talentsim.model.firms import Firm, FirmTable
from talentsim.model.government import STATUS_QUO, Government
from talentsim.model.labour_market import Seekers, Vacancies, match
from talentsim.model.outcomes import (
    FlowTally,
    duplication_index,
    mismatch_jrl,
    mismatch_sahin,
)
from talentsim.model.people import Event, People
from talentsim.model.schools import (
    VocationalSchool,
    initial_points,
    specialisation,
    split_seats,
)
from talentsim.model.states import (
    LEVEL_AFTER,
    MARKET_LEVEL,
    N_MARKET_LEVELS,
    STUDY_YEARS,
    Level,
    Stage,
)
from talentsim.model.universities import University

GRADUATE_TARGETS = ["job_in_field", "job_out_of_field", "unemployed", "left_city"]
STAGE_NAME = {
    Stage.GENERAL_HS: "general_hs",
    Stage.ZHONGZHI: "zhongzhi",
    Stage.GAOZHI: "gaozhi",
    Stage.BENKE: "benke",
    Stage.GRADUATE_STUDY: "graduate",
}
SIGNAL_WEIGHT = 0.5
"""Weight of this year's observation in the smoothed placement and peer signals (assumption)."""
BRANCH_COLLEGE_INTAKE = 1_000
"""Students per year of a park branch college (assumption, documented in docs/ODD.md)."""


def _relative_log_ratio(demand: np.ndarray, supply: np.ndarray) -> np.ndarray:
    """Log of each field's share of ``demand`` over its share of ``supply`` (+1 smoothing)."""
    demand, supply = demand + 1.0, supply + 1.0
    return np.log((demand / demand.sum()) / (supply / supply.sum()))


class TalentModel(mesa.Model):
    """An agent-based model of a city's talent supply and demand.

    Args:
        config: The validated scenario.
        rng: Seed or generator; defaults to ``config.seed``.

    """

    def __init__(self, config: CityConfig, rng: Any = None) -> None:
        """Build the city at the start year: firms and their workforce, schools, students."""
        super().__init__(rng=config.seed if rng is None else rng)
        self.config = config
        self.scale = config.scale
        self.year = config.city.start_year - 1
        self.government = Government(config.policy)
        fields = config.fields
        self.n_fields = len(fields)
        self.premium = np.array([f.wage_premium for f in fields])
        self.growth = np.array([f.demand_growth for f in fields])
        self.tech = np.array([f.tech_intensity for f in fields])
        self.employment_share = np.array([f.employment_share for f in fields])
        self.employment_share /= self.employment_share.sum()
        self.industrial = np.array([f.industrial for f in fields])
        km = np.array([d.distance_km for d in config.districts])
        self.distance = np.abs(km[:, None] - km[None, :]) + np.where(
            np.eye(len(km), dtype=bool), 0.0, np.minimum(km[:, None], km[None, :])
        )
        self.cohort_share = np.array([d.cohort_share for d in config.districts])
        self.cohort_share /= self.cohort_share.sum()
        self.people = People(capacity=int(1.4e6 * self.scale) + 1024)
        self.firm_table = FirmTable()
        self.firm_agents: list[Firm] = []
        self.schools: list[VocationalSchool] = []
        self.universities: list[University] = []
        self.records: list[dict[str, float]] = []
        self.flow_rows: list[dict[str, object]] = []
        self.history: list[dict[str, np.ndarray]] = []
        self.placement = np.full(self.n_fields, 0.75)
        self.retention_by_field = np.full(self.n_fields, 0.6)
        self.district_vocational_share = np.full(len(config.districts), 0.4)
        self.peer_field = np.tile(self.employment_share, (len(config.districts), 1))
        self.leaver_share = 0.2
        self.zhongzhi_continue_share = 0.65
        self.cumulative = {"coop_projects": 0.0, "coop_rd": 0.0, "tech_transfer": 0.0}
        self.tally = FlowTally()
        self.counters: dict[str, float] = {}
        self.land_places = 0.0
        self.shared_capacity = 0.0
        self.unfilled = np.zeros((self.n_fields, N_MARKET_LEVELS))
        self.innovated = np.array([], dtype=np.int64)
        self.wage_index = 1.0
        self.previous_wage_index = 1.0
        self.inflow_reference: float | None = None
        self.reference: dict[str, Any] | None = None
        self._setup_firms()
        self._setup_workforce()
        self.mean_log_productivity0 = self._mean_log_productivity()
        self._setup_schools()
        self._setup_universities()
        self._setup_students()
        self.reference = self._choice_drivers()

    # ------------------------------------------------------------------ set-up
    def _count(self, n: float) -> int:
        """A city-scale count at the run's scale (at least one)."""
        return max(1, round(n * self.scale))

    def _setup_firms(self) -> None:
        cfg = self.config.firms
        groups = [
            (cfg.above_scale_industrial, self.industrial),
            (cfg.other_employers, ~self.industrial),
        ]
        workforce = self.config.city.initial_workforce * self.scale
        for count, in_group in groups:
            n = self._count(count)
            weights = np.where(in_group, self.employment_share, 0.0)
            if weights.sum() == 0:
                continue
            field = self.rng.choice(self.n_fields, size=n, p=weights / weights.sum())
            size = self.rng.lognormal(0.0, cfg.size_sigma, n)
            size *= workforce * weights.sum() / size.sum()
            listed = size >= np.quantile(size, 1.0 - cfg.listed_share)
            self._add_firms(
                field=field,
                size=size,
                listed=listed,
                industrial=self.industrial[field],
                soe=self.rng.random(n) < cfg.soe_share * np.sqrt(size / size.mean()),
                log_productivity=self.rng.normal(0.0, 0.3, n),
            )

    def _add_firms(self, field: np.ndarray, size: np.ndarray, **columns: Any) -> np.ndarray:
        columns.setdefault("above_scale", True)
        ids = self.firm_table.add(
            len(field),
            active=True,
            field=field,
            size_target=size,
            born=self.year,
            district=self.rng.choice(len(self.cohort_share), size=len(field), p=self.cohort_share),
            **columns,
        )
        self.firm_agents.extend(Firm(self, int(i)) for i in ids)
        return ids

    def _setup_workforce(self) -> None:
        table = self.firm_table
        counts = self.rng.poisson(table.size_target)
        employer = np.repeat(np.arange(len(table)), counts)
        n = len(employer)
        shares = firms.level_shares(self.tech[table.field], table.log_productivity)[employer]
        market = (self.rng.random(n)[:, None] > np.cumsum(shares, axis=1)).sum(axis=1)
        market = np.minimum(market, N_MARKET_LEVELS - 1)
        secondary = self.rng.choice(
            [Level.ZHONGZHI, Level.GENERAL_HS, Level.JUNIOR], size=n, p=[0.6, 0.25, 0.15]
        )
        level = np.choose(market, [secondary, Level.GAOZHI, Level.BENKE, Level.GRADUATE])
        firm_field = table.field[employer]
        in_field = self.rng.random(n) < 0.7
        field = np.where(in_field, firm_field, self.rng.integers(0, self.n_fields, n))
        field = np.where((level == Level.GENERAL_HS) | (level == Level.JUNIOR), -1, field)
        age = self.rng.integers(20, self.config.city.retirement_age, n)
        experience = np.minimum(age - 20, 20)
        rows = self.people.add(
            n,
            age=age,
            district=table.district[employer],
            origin=self.rng.random(n) < 0.15,
            ability=self.rng.standard_normal(n),
            family=self.rng.standard_normal(n),
            stage=Stage.EMPLOYED,
            level=level,
            field=field,
            employer=employer,
            skill_general=0.03 * experience,
            skill_field=np.where(field == firm_field, 0.3 + 0.04 * experience, 0.1),
            wage=self._base_wage(MARKET_LEVEL[level])
            * self.premium[firm_field]
            * (1.0 + 0.02 * experience),
        )
        self.people.log(self.year, rows, Event.ENTER, 3)
        self._update_revenue()

    def _setup_schools(self) -> None:
        secondary_demand = self.employment_share * (1.0 - self.tech) + 0.02
        tertiary_demand = self.employment_share * self.tech + 0.02
        for spec in self.config.schools:
            weights = secondary_demand if spec.kind == "zhongzhi" else tertiary_demand
            points = initial_points(self.rng, spec.specialties, weights)
            self.schools.append(VocationalSchool(self, spec, points, self.scale))

    def _setup_universities(self) -> None:
        cfg = self.config.universities
        for spec in cfg.local:
            self.universities.append(
                University(
                    self,
                    spec.name,
                    local=True,
                    capacity=spec.research_capacity * self.scale,
                    benke_seats=split_seats(
                        self._count(spec.benke_intake) if spec.benke_intake else 0,
                        self.employment_share * (0.5 + self.tech),
                    ),
                    graduate_seats=split_seats(
                        self._count(spec.graduate_intake) if spec.graduate_intake else 0,
                        self.employment_share * self.tech**2,
                    ),
                )
            )
        for i in range(cfg.partner_pool):
            partner = University(
                self, f"partner-{i + 1}", local=False, capacity=cfg.partner_capacity * self.scale
            )
            partner.partner = i < cfg.initial_partners
            self.universities.append(partner)

    def _setup_students(self) -> None:
        """Fill the pipeline: one cohort per year of study already in each programme."""
        for years_in in range(STUDY_YEARS[Stage.ZHONGZHI] - 1, -1, -1):
            self._enter_cohort(years_in)
        higher = [
            (Stage.GAOZHI, self._gaozhi_programmes()),
            (Stage.BENKE, self._university_programmes("benke_seats")),
            (Stage.GRADUATE_STUDY, self._university_programmes("graduate_seats")),
        ]
        for stage, (school_of, field_of, seats) in higher:
            for years_in in range(STUDY_YEARS[stage]):
                self._add_outside_students(
                    stage, school_of, field_of, seats, years_in, migrant_share=0.5
                )

    # ------------------------------------------------------------------ helpers
    def _base_wage(self, market_level: np.ndarray) -> np.ndarray:
        base = np.array([self.config.city.base_wage[name] for name in LEVELS])
        return base[market_level] * self.wage_index

    def _mean_log_productivity(self) -> float:
        table = self.firm_table
        active = table.active
        return float(np.average(table.log_productivity[active], weights=table.size_target[active]))

    def _employed_by_firm_level(self) -> np.ndarray:
        p = self.people
        employed = p.stage == Stage.EMPLOYED
        key = (
            p.employer[employed].astype(np.int64) * N_MARKET_LEVELS
            + MARKET_LEVEL[p.level[employed]]
        )
        return (
            np.bincount(key, minlength=len(self.firm_table) * N_MARKET_LEVELS)
            .reshape(-1, N_MARKET_LEVELS)
            .astype(np.float64)
        )

    def _update_revenue(self) -> None:
        """Revenue = revenue_per_worker · A_f · Σ worker productivity (at t0, π ≈ 1.3)."""
        p, table = self.people, self.firm_table
        employed = p.stage == Stage.EMPLOYED
        employer = p.employer[employed]
        in_field = p.field[employed] == table.field[employer]
        output = skills.productivity(
            MARKET_LEVEL[p.level[employed]],
            p.skill_general[employed],
            p.skill_field[employed],
            in_field,
        )
        total = np.bincount(employer, weights=output, minlength=len(table))
        table.revenue[:] = (
            self.config.firms.revenue_per_worker
            / 1.3
            * np.exp(table.log_productivity)
            * total
            * table.active
        )

    def _choice_drivers(self) -> dict[str, Any]:
        """The drivers of track choice this year (compared with the first year's values)."""
        base = self._base_wage(np.arange(N_MARKET_LEVELS))
        vocational = np.log(
            base[0]
            * np.average(self.premium, weights=self.employment_share)
            * (0.5 + 0.5 * float(np.mean(self.placement)))
        )
        general = np.log(base[2])
        return {
            "wage_gap": vocational - general,
            "admission": self.zhongzhi_continue_share,
            "peer": self.district_vocational_share.copy(),
            "gaozhi_gap": np.log(base[1] / base[0]),
            "benke_gap": np.log(base[2] / base[1]),
            "graduate_gap": np.log(base[3] / base[2]),
        }

    def _field_log_wage(self, market_level: int) -> np.ndarray:
        return np.log(self._base_wage(np.array([market_level]))[0] * self.premium)

    # ------------------------------------------------------------------ programmes
    def _zhongzhi_programmes(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return self._vocational_programmes("zhongzhi")

    def _gaozhi_programmes(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return self._vocational_programmes("gaozhi")

    def _vocational_programmes(self, kind: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(school index, field, seats) of every programme of schools of ``kind``."""
        index = [i for i, s in enumerate(self.schools) if s.kind == kind]
        school_of = np.repeat(index, self.n_fields)
        field_of = np.tile(np.arange(self.n_fields), len(index))
        seats = np.concatenate([self.schools[i].seats for i in index])
        return school_of, field_of, seats

    def _university_programmes(self, attr: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        index = [i for i, u in enumerate(self.universities) if u.local]
        school_of = np.repeat(index, self.n_fields)
        field_of = np.tile(np.arange(self.n_fields), len(index))
        seats = np.concatenate([getattr(self.universities[i], attr) for i in index])
        return school_of, field_of, seats

    def _programme_quality(
        self, school_of: np.ndarray, field_of: np.ndarray, vocational: bool
    ) -> np.ndarray:
        """Equipment quality of the school plus a bonus where partner firms run order classes."""
        table = self.firm_table
        coop_share = np.bincount(
            table.field[table.active & table.coop], minlength=self.n_fields
        ) / np.maximum(np.bincount(table.field[table.active], minlength=self.n_fields), 1)
        reference = self.config.programme_review.equipment_reference
        if vocational:
            quality = np.array([self.schools[s].quality(reference) for s in school_of])
        else:
            quality = np.ones(len(school_of))
        return quality + coop_share[field_of]

    def _choose_programmes(
        self,
        rows: np.ndarray,
        stage: Stage,
        school_of: np.ndarray,
        field_of: np.ndarray,
        seats: np.ndarray,
    ) -> np.ndarray:
        """Logit choice of programme with seats for the persons at ``rows``; -1 if unplaced."""
        p = self.people
        market_level = {
            Stage.ZHONGZHI: 0,
            Stage.GAOZHI: 1,
            Stage.BENKE: 2,
            Stage.GRADUATE_STUDY: 3,
        }[stage]
        vocational = stage in (Stage.ZHONGZHI, Stage.GAOZHI)
        school_district = np.array(
            [(self.schools[s].district if vocational else 0) for s in school_of]
        )
        district = p.district[rows]
        points = np.array(
            [
                self.schools[s].points[f] if vocational else 1
                for s, f in zip(school_of, field_of, strict=True)
            ],
            dtype=float,
        )
        utilities = education.programme_utilities(
            self.config.field_choice,
            log_wage=self._field_log_wage(market_level)[field_of],
            placement=self.placement[field_of],
            quality=self._programme_quality(school_of, field_of, vocational),
            distance=self.distance[:, school_district],
            peer_share=self.peer_field[:, field_of],
            ability=p.ability[rows],
            tech_intensity=self.tech[field_of],
            log_points=np.log(np.maximum(points, 1e-9)),
            group=district,
        )
        choice = education.assign_programmes(self.rng, utilities, seats, p.ability[rows])
        placed = choice >= 0
        admitted = rows[placed]
        p.stage[admitted] = stage
        p.school[admitted] = school_of[choice[placed]]
        p.field[admitted] = field_of[choice[placed]]
        p.years_in_stage[admitted] = 0
        p.sponsor[admitted] = -1
        self.people.log(self.year, admitted, Event.ADMIT, int(stage), p.school[admitted])
        self.people.log(self.year, admitted, Event.FIELD, p.field[admitted])
        if stage == Stage.ZHONGZHI:
            self._update_peer_fields(admitted)
        return choice

    def _update_peer_fields(self, admitted: np.ndarray) -> None:
        """Peers' field choices: peer_{d,f} ← ½·peer_{d,f} + ½·(share of d's 中职 entrants in f).

        The share that the next cohort of the district sees (De Giorgi et al. 2009).
        """
        p, n_districts = self.people, len(self.cohort_share)
        counts = np.zeros((n_districts, self.n_fields))
        np.add.at(counts, (p.district[admitted], p.field[admitted]), 1.0)
        entrants = counts.sum(axis=1)
        seen = entrants > 0
        shares = counts[seen] / entrants[seen, None]
        self.peer_field[seen] = (1 - SIGNAL_WEIGHT) * self.peer_field[seen] + SIGNAL_WEIGHT * shares

    # ------------------------------------------------------------------ entrants
    def _enter_cohort(self, years_in: int = 0) -> None:
        """A cohort of 15-year-olds: track choice, then 中职 programme choice (others → 普高)."""
        n = self._count(
            self.config.city.cohort_size
            * (1 + self.config.city.cohort_growth)
            ** max(self.year - self.config.city.start_year, 0)
        )
        district = self.rng.choice(len(self.cohort_share), size=n, p=self.cohort_share)
        rows = self.people.add(
            n,
            age=15 + years_in,
            district=district,
            ability=self.rng.standard_normal(n),
            family=self.rng.standard_normal(n),
            stage=Stage.GENERAL_HS,
            level=Level.JUNIOR,
        )
        self.people.log(self.year, rows, Event.ENTER, 0)
        drivers = self._choice_drivers()
        reference = drivers if self.reference is None else self.reference
        p = self.people
        vocational = education.choose_vocational_track(
            self.rng,
            p.ability[rows],
            p.family[rows],
            self.config.track_choice,
            wage_gap=drivers["wage_gap"] - reference["wage_gap"],
            admission_odds=drivers["admission"] - reference["admission"],
            peer_share=(self.district_vocational_share - reference["peer"])[district],
        )
        applicants = rows[vocational]
        school_of, field_of, seats = self._zhongzhi_programmes()
        self._choose_programmes(applicants, Stage.ZHONGZHI, school_of, field_of, seats)
        p.years_in_stage[rows] = years_in
        general = rows[p.stage[rows] == Stage.GENERAL_HS]
        p.log(self.year, general, Event.ADMIT, int(Stage.GENERAL_HS), -1)
        in_zhongzhi = np.bincount(
            district[p.stage[rows] == Stage.ZHONGZHI], minlength=len(self.cohort_share)
        )
        self.district_vocational_share = in_zhongzhi / np.maximum(
            np.bincount(district, minlength=len(self.cohort_share)), 1
        )
        if years_in == 0:
            self.tally.add("cohort", "zhongzhi", int(in_zhongzhi.sum()))
            self.tally.add("cohort", "general_hs", len(general))

    def _add_outside_students(
        self,
        stage: Stage,
        school_of: np.ndarray,
        field_of: np.ndarray,
        seats: np.ndarray,
        years_in: int,
        migrant_share: float,
    ) -> None:
        """Fill ``seats`` (by programme) with students; a share come from outside the city."""
        n = int(seats.sum())
        if n == 0:
            return
        programme = np.repeat(np.arange(len(seats)), seats)
        start_age = {Stage.GAOZHI: 18, Stage.BENKE: 18, Stage.GRADUATE_STUDY: 22}[stage]
        level = {
            Stage.GAOZHI: Level.GENERAL_HS,
            Stage.BENKE: Level.GENERAL_HS,
            Stage.GRADUATE_STUDY: Level.BENKE,
        }[stage]
        rows = self.people.add(
            n,
            age=start_age + years_in,
            district=self.rng.choice(len(self.cohort_share), size=n, p=self.cohort_share),
            origin=self.rng.random(n) < migrant_share,
            ability=self.rng.standard_normal(n),
            family=self.rng.standard_normal(n),
            stage=stage,
            level=level,
            field=field_of[programme],
            school=school_of[programme],
            years_in_stage=years_in,
        )
        self.people.log(self.year, rows, Event.ENTER, 2)
        self.people.log(self.year, rows, Event.ADMIT, int(stage), school_of[programme])

    # ------------------------------------------------------------------ the year
    def step(self) -> None:
        """Advance the city by one year."""
        self.year += 1
        self.tally = FlowTally()
        self.counters = {}
        self.government.begin_year(self.year)
        self.wage_index = float(np.exp(self._mean_log_productivity() - self.mean_log_productivity0))
        self._age_and_separate()
        graduates, applicants = self._progress_students()
        self._enter_cohort()
        applicants_left = self._admit_higher(applicants)
        self._cooperate()
        inflow = self._graduate_inflow()
        seekers = np.concatenate([graduates, inflow])
        vacancy_counts = self._labour_market(graduates, inflow)
        self._migrate(graduates, inflow)
        self._record_graduate_flows(graduates, inflow, applicants_left)
        self._update_placement(graduates)
        self._learn()
        self._research()
        self._firm_dynamics()
        self._review_programmes(vacancy_counts, graduates)
        self._record(graduates, seekers, vacancy_counts)
        self.people.compact()

    def _age_and_separate(self) -> None:
        """Ageing, retirement, quits (job-to-job search) and emigration of workers."""
        p, cfg = self.people, self.config
        p.age[:] += 1
        working = (p.stage == Stage.EMPLOYED) | (p.stage == Stage.UNEMPLOYED)
        retiring = np.flatnonzero(working & (p.age >= cfg.city.retirement_age))
        self._release(retiring, Stage.RETIRED)
        p.log(self.year, retiring, Event.RETIRE)
        employed = np.flatnonzero(p.stage == Stage.EMPLOYED)
        draw = self.rng.random(len(employed))
        leaving = employed[draw < cfg.migration.worker_exit_rate]
        quitting = employed[
            (draw >= cfg.migration.worker_exit_rate)
            & (draw < cfg.migration.worker_exit_rate + cfg.labour_market.quit_rate)
        ]
        self._leave(leaving)
        self._release(quitting, Stage.UNEMPLOYED)
        self.counters["retired"] = len(retiring)

    def _release(self, rows: np.ndarray, stage: Stage) -> None:
        p = self.people
        had_job = rows[p.employer[rows] >= 0]
        p.log(self.year, had_job, Event.SEPARATE, p.employer[had_job])
        p.employer[rows] = -1
        p.stage[rows] = stage

    def _leave(self, rows: np.ndarray, destination: np.ndarray | int = -1) -> None:
        """People at ``rows`` leave the city (destination -1: to study elsewhere)."""
        self._release(rows, Stage.LEFT)
        self.people.destination[rows] = destination
        self.people.log(self.year, rows, Event.LEAVE, destination)

    def _progress_students(self) -> tuple[np.ndarray, dict[Stage, np.ndarray]]:
        """Students advance a year; completers graduate and continue or enter the job market.

        Returns:
            (rows of new graduates who seek work, applicants by the stage they apply to).

        """
        p, prog = self.people, self.config.progression
        studying = p.stage <= Stage.GRADUATE_STUDY
        p.years_in_stage[studying] += 1
        length = np.array([STUDY_YEARS[Stage(s)] for s in range(5)])
        done = np.flatnonzero(studying & (p.years_in_stage >= length[np.minimum(p.stage, 4)]))
        stage_done = p.stage[done].copy()
        self._graduate(done, stage_done)
        drivers, ref = self._choice_drivers(), self.reference
        applicants: dict[Stage, list[np.ndarray]] = {
            Stage.GAOZHI: [],
            Stage.BENKE: [],
            Stage.GRADUATE_STUDY: [],
        }
        workers = []
        for stage in (
            Stage.ZHONGZHI,
            Stage.GENERAL_HS,
            Stage.GAOZHI,
            Stage.BENKE,
            Stage.GRADUATE_STUDY,
        ):
            rows = done[stage_done == stage]
            ability, family = p.ability[rows], p.family[rows]
            if stage == Stage.ZHONGZHI:
                go_on = self.rng.random(len(rows)) < education.continue_probability(
                    prog.zhongzhi_continue,
                    ability,
                    family,
                    drivers["gaozhi_gap"] - ref["gaozhi_gap"],
                    prog,
                )
                to_benke = np.zeros(len(rows), dtype=bool)
                continuing = np.flatnonzero(go_on)
                top = continuing[np.argsort(-ability[continuing])]
                to_benke[top[: round(prog.zhongzhi_to_benke * len(continuing))]] = True
                applicants[Stage.BENKE].append(rows[go_on & to_benke])
                applicants[Stage.GAOZHI].append(rows[go_on & ~to_benke])
                workers.append(rows[~go_on])
                self.zhongzhi_continue_share = float(go_on.mean()) if len(rows) else 0.65
                self.counters["zhongzhi_graduates"] = len(rows)
                self.counters["zhongzhi_continue"] = int(go_on.sum())
                self.counters["zhongzhi_to_benke"] = int((go_on & to_benke).sum())
            elif stage == Stage.GENERAL_HS:
                university = self.rng.random(len(rows)) < prog.general_to_university
                local = self.rng.random(len(rows)) < prog.general_local_share
                rank = np.argsort(np.argsort(-ability)) / max(len(rows), 1)
                benke = rank < prog.general_benke_share
                self._leave(rows[university & ~local])
                self.tally.add("general_hs", "study_elsewhere", int((university & ~local).sum()))
                applicants[Stage.BENKE].append(rows[university & local & benke])
                applicants[Stage.GAOZHI].append(rows[university & local & ~benke])
                workers.append(rows[~university])
            elif stage == Stage.GAOZHI:
                go_on = self.rng.random(len(rows)) < education.continue_probability(
                    prog.gaozhi_upgrade,
                    ability,
                    family,
                    drivers["benke_gap"] - ref["benke_gap"],
                    prog,
                )
                applicants[Stage.BENKE].append(rows[go_on])
                workers.append(rows[~go_on])
            elif stage == Stage.BENKE:
                go_on = self.rng.random(len(rows)) < education.continue_probability(
                    prog.benke_to_graduate,
                    ability,
                    family,
                    drivers["graduate_gap"] - ref["graduate_gap"],
                    prog,
                )
                applicants[Stage.GRADUATE_STUDY].append(rows[go_on])
                workers.append(rows[~go_on])
            else:
                workers.append(rows)
        seekers = np.concatenate(workers) if workers else np.array([], dtype=np.int64)
        p.stage[seekers] = Stage.UNEMPLOYED
        p.school[seekers] = -1
        return seekers, {s: np.concatenate(v) for s, v in applicants.items()}

    def _graduate(self, rows: np.ndarray, stage_done: np.ndarray) -> None:
        """Completers get their level, field skill from school quality, apprentices a boost."""
        p, cfg = self.people, self.config
        level = np.array([LEVEL_AFTER[Stage(s)] for s in range(5)])[stage_done]
        p.level[rows] = np.maximum(p.level[rows], level)
        p.graduation_year[rows] = self.year
        reference = cfg.programme_review.equipment_reference
        quality = np.ones(len(rows))
        vocational = (stage_done == Stage.ZHONGZHI) | (stage_done == Stage.GAOZHI)
        by_school = np.array([school.quality(reference) for school in self.schools])
        quality[vocational] = by_school[p.school[rows[vocational]]]
        has_field = p.field[rows] >= 0
        apprentice = p.sponsor[rows] >= 0
        p.skill_field[rows] = np.where(
            has_field,
            p.skill_field[rows]
            + cfg.skills.school_field_skill * quality
            + cfg.skills.apprenticeship_boost * apprentice,
            0.0,
        )
        p.skill_general[rows] += 0.05
        for stage in range(5):
            chosen = rows[stage_done == stage]
            self.counters[f"graduates_{STAGE_NAME[Stage(stage)]}"] = len(chosen)
            p.log(self.year, chosen, Event.GRADUATE, int(LEVEL_AFTER[Stage(stage)]))

    def _admit_higher(self, applicants: dict[Stage, np.ndarray]) -> dict[Stage, np.ndarray]:
        """Admit continuers to 高职 / 本科 / 研究生; unplaced leave to study elsewhere.

        Seats still free are filled by students from outside the city (these colleges recruit
        province-wide). Returns the unplaced applicants by stage.
        """
        programmes = {
            Stage.GAOZHI: self._gaozhi_programmes(),
            Stage.BENKE: self._university_programmes("benke_seats"),
            Stage.GRADUATE_STUDY: self._university_programmes("graduate_seats"),
        }
        unplaced = {}
        p = self.people
        for stage, rows in applicants.items():
            school_of, field_of, seats = programmes[stage]
            origin_stage = p.level[rows].copy()
            choice = self._choose_programmes(rows, stage, school_of, field_of, seats)
            if stage == Stage.BENKE:  # 专升本 and 职教高考 entrants skip no years; 专升本: 2 years
                upgraded = rows[(choice >= 0) & (origin_stage == Level.GAOZHI)]
                p.years_in_stage[upgraded] = 2
            left = rows[choice < 0]
            self._leave(left)
            unplaced[stage] = left
            taken = np.bincount(choice[choice >= 0], minlength=len(seats))
            self._add_outside_students(
                stage, school_of, field_of, np.maximum(seats - taken, 0), 0, migrant_share=0.9
            )
            for level in np.unique(origin_stage):
                source = Level(level).name.lower()
                self.tally.add(
                    source, STAGE_NAME[stage], int(((origin_stage == level) & (choice >= 0)).sum())
                )
        return unplaced

    def _cooperate(self) -> None:
        """Firms decide to cooperate with schools; cooperating firms take apprentices.

        Cooperation follows the expected net benefit (:func:`firms.net_benefit_of_cooperation`)
        plus idiosyncratic noise; apprentices are final-year 中职/高职 students of the firm's
        field, assigned at random up to each firm's places. Levers: integration units
        (:func:`firms.integration_unit_uptake`), apprenticeship subsidy, surcharge credit and
        coordination in the net benefit; training-base co-funding m adds m·I per apprentice to
        the firms' base investment I, which goes into the schools' equipment.
        """
        gov, cfg, table, p = self.government, self.config.firms, self.firm_table, self.people
        active = np.flatnonzero(table.active)
        coverage = gov.lever("integration_units") * self.config.policy.integration_compliance
        if coverage > 0:
            table.unit[active] = firms.integration_unit_uptake(
                self.rng, table.above_scale[active], table.unit[active], coverage
            )
        wage = self._base_wage(np.array([0]))[0] * self.premium[table.field[active]]
        owed = (
            firms.SURCHARGE_RATE
            * firms.VAT_ON_VALUE_ADDED
            * self.config.firms.value_added_share
            * table.revenue[active]
        )
        park_cut = np.where(table.in_park[active], 0.5, 1.0)
        benefit = firms.net_benefit_of_cooperation(
            cfg,
            table.size_target[active],
            wage,
            self.retention_by_field[table.field[active]],
            table.coop_years[active],
            table.listed[active],
            table.unit[active] | (park_cut < 1),
            owed,
            gov.lever("apprenticeship_subsidy"),
            gov.lever("surcharge_credit"),
            gov.lever("coordination"),
        )
        benefit += self.rng.normal(0.0, cfg.benefit_noise, len(active))
        cooperating = benefit > 0
        table.coop[:] = False
        table.coop[active[cooperating]] = True
        table.coop_years[active] = np.where(cooperating, table.coop_years[active] + 1, 0)
        firms_in = active[cooperating]
        places = self.rng.poisson(cfg.apprentices_per_100 * table.size_target[firms_in] / 100)
        final_year = np.flatnonzero(
            ((p.stage == Stage.ZHONGZHI) | (p.stage == Stage.GAOZHI)) & (p.years_in_stage == 2)
        )
        p.sponsor[final_year] = -1
        apprentices = 0
        for field in range(self.n_fields):
            students = final_year[p.field[final_year] == field]
            slots = np.repeat(
                firms_in[table.field[firms_in] == field], places[table.field[firms_in] == field]
            )
            k = min(len(students), len(slots))
            if k == 0:
                continue
            chosen = self.rng.choice(students, size=k, replace=False)
            sponsor = self.rng.permutation(slots)[:k]
            p.sponsor[chosen] = sponsor
            p.log(self.year, chosen, Event.APPRENTICE, sponsor)
            apprentices += k
        # qualifying investment earns a surcharge credit, used up to what each firm owes and
        # carried forward otherwise (财税〔2019〕46号)
        taken = np.bincount(p.sponsor[final_year][p.sponsor[final_year] >= 0], minlength=len(table))
        investment = apprentices * cfg.base_investment
        table.credit += (
            gov.lever("surcharge_credit") * taken * (cfg.apprentice_cost + cfg.base_investment)
        )
        used = np.minimum(table.credit[active], owed)
        table.credit[active] -= used
        gov.spend("surcharge_credit", used.sum() / self.scale)
        gov.spend(
            "apprenticeship_subsidy", apprentices * gov.lever("apprenticeship_subsidy") / self.scale
        )
        cofunding = gov.lever("training_base_cofunding") * investment
        gov.spend("training_base_cofunding", cofunding / self.scale)
        self.counters["apprentices"] = apprentices
        self.counters["base_investment"] = investment + cofunding

    def _graduate_inflow(self) -> np.ndarray:
        """Graduates from outside arrive to seek work; more come when the city pays more.

        n = graduate_inflow · (attractiveness / first-year attractiveness)^elasticity
        """
        city = self.config.city
        benke, wage = np.array([Level.BENKE]), self._base_wage(np.array([2]))[0]
        attract = self.wage_index * (1.0 + self._talent_income(benke)[0] / wage)
        # the reference is the first year under the status-quo talent policy, so a richer
        # subsidy draws more graduates even when it applies from the first year
        status_quo = self._talent_income(benke, STATUS_QUO.talent_subsidy)[0] / wage
        if self.inflow_reference is None:
            self.inflow_reference = self.wage_index * (1.0 + status_quo)
        reference = self.inflow_reference
        n = self.rng.poisson(
            city.graduate_inflow * self.scale * (attract / reference) ** city.inflow_elasticity
        )
        higher = self.rng.random(n) < city.inflow_higher_share
        level = np.where(
            higher,
            np.where(self.rng.random(n) < 0.85, Level.BENKE, Level.GRADUATE),
            np.where(self.rng.random(n) < 0.6, Level.GAOZHI, Level.ZHONGZHI),
        )
        rows = self.people.add(
            n,
            age=self.rng.integers(19, 27, n),
            district=self.rng.choice(len(self.cohort_share), size=n, p=self.cohort_share),
            origin=1,
            ability=self.rng.standard_normal(n),
            family=self.rng.standard_normal(n),
            stage=Stage.UNEMPLOYED,
            level=level,
            field=self.rng.choice(self.n_fields, size=n, p=self.employment_share),
            skill_field=self.config.skills.school_field_skill,
            graduation_year=self.year,
        )
        self.people.log(self.year, rows, Event.ENTER, 1)
        self.counters["graduate_inflow"] = n
        self.counters["graduate_inflow_higher"] = int(higher.sum())
        return rows

    def _labour_market(self, graduates: np.ndarray, inflow: np.ndarray) -> np.ndarray:
        """Post vacancies, let sponsors keep apprentices, then match everyone who seeks work.

        Returns:
            Vacancies posted by field and market level, (fields, 4).

        """
        p, table, cfg = self.people, self.firm_table, self.config.labour_market
        active = table.active
        shares = firms.level_shares(self.tech[table.field], table.log_productivity)
        openings = (
            firms.vacancies(self.rng, table.size_target, shares, self._employed_by_firm_level())
            * active[:, None]
        )
        posted = np.zeros((self.n_fields, N_MARKET_LEVELS))
        np.add.at(posted, table.field, openings)
        wage = (
            self._base_wage(np.arange(N_MARKET_LEVELS))[None, :]
            * self.premium[table.field][:, None]
            * np.exp(0.3 * (table.log_productivity - self.mean_log_productivity0))[:, None]
        )
        # sponsors keep their apprentices unless a rival poaches them
        apprentices = graduates[p.sponsor[graduates] >= 0]
        sponsor = p.sponsor[apprentices]
        level = MARKET_LEVEL[p.level[apprentices]]
        tightness = openings.sum() / max(len(graduates) + len(inflow), 1)
        poached = self.rng.random(len(apprentices)) < self.config.firms.poaching * min(
            2.0, tightness * 2
        )
        # a sponsor keeps its apprentices only up to its vacancies at their level
        candidate = ~poached & table.active[sponsor]
        slot = np.where(candidate, sponsor.astype(np.int64) * N_MARKET_LEVELS + level, -1)
        order = np.argsort(slot, kind="stable")
        rank = np.empty(len(slot), dtype=np.int64)
        rank[order] = np.arange(len(slot)) - np.searchsorted(slot[order], slot[order])
        keep = candidate & (rank < openings[sponsor, level])
        kept = apprentices[keep]
        np.subtract.at(openings, (sponsor[keep], level[keep]), 1)
        self._hire(kept, sponsor[keep], wage[sponsor[keep], level[keep]])
        retained = np.bincount(p.field[apprentices][keep], minlength=self.n_fields)
        trained = np.bincount(p.field[apprentices], minlength=self.n_fields)
        self.retention_by_field = np.where(
            trained > 0, (retained + 1) / (trained + 2), self.retention_by_field
        )
        # everyone else searching: new graduates, the unemployed, quitters, in-migrants
        seeking = np.flatnonzero(p.stage == Stage.UNEMPLOYED)
        cells_firm, cells_level = np.nonzero(openings > 0)
        vacancies = Vacancies(
            firm=cells_firm,
            field=table.field[cells_firm],
            level=cells_level,
            slots=openings[cells_firm, cells_level],
            wage=wage[cells_firm, cells_level],
        )
        market_level = MARKET_LEVEL[p.level[seeking]]
        seekers = Seekers(
            level=market_level,
            field=p.field[seeking],
            score=skills.productivity(
                market_level,
                p.skill_general[seeking],
                p.skill_field[seeking],
                np.ones(len(seeking), bool),
            ),
            reservation=cfg.reservation_ratio * self._base_wage(market_level),
        )
        cell, pay = match(self.rng, seekers, vacancies, cfg, self.n_fields)
        hired = cell >= 0
        self._hire(seeking[hired], cells_firm[cell[hired]], pay[hired])
        filled = len(kept) + int(hired.sum())
        self.counters.update(
            vacancies_posted=float(posted.sum()),
            hires=filled,
            apprentices_retained=len(kept),
            apprentices_graduating=len(apprentices),
        )
        unfilled = np.zeros((self.n_fields, N_MARKET_LEVELS))
        remaining = vacancies.slots - np.bincount(cell[hired], minlength=len(vacancies.slots))
        np.add.at(unfilled, (vacancies.field, vacancies.level), remaining)
        self.unfilled = unfilled
        return posted

    def _hire(self, rows: np.ndarray, firm: np.ndarray, wage: np.ndarray) -> None:
        p = self.people
        p.stage[rows] = Stage.EMPLOYED
        p.employer[rows] = firm
        p.wage[rows] = wage
        in_field = p.field[rows] == self.firm_table.field[firm]
        p.log(self.year, rows, Event.HIRE, firm, in_field.astype(np.int32))

    def _talent_income(self, level: np.ndarray, policy: TalentSubsidy | None = None) -> np.ndarray:
        """Yearly value of the talent subsidies for a new graduate of ``level`` (RMB/yr).

        本科: 12·allowance; 研究生: 12·2·allowance + housing grant / years (amortised).
        ``policy`` defaults to this year's (:meth:`Government.talent_policy`).
        """
        policy = policy or self.government.talent_policy()
        monthly = np.where(
            level >= Level.GRADUATE,
            2 * policy.monthly_allowance,
            np.where(level >= Level.BENKE, policy.monthly_allowance, 0.0),
        )
        housing = np.where(
            level >= Level.GRADUATE, policy.housing_grant / max(policy.years, 1), 0.0
        )
        return 12 * monthly + housing

    def _migrate(self, graduates: np.ndarray, inflow: np.ndarray) -> None:
        """New graduates, in-migrants and the unemployed decide to stay or leave; pay subsidies."""
        p, cfg = self.people, self.config
        deciding = p.stage == Stage.UNEMPLOYED  # a mask: sorted and unique, as np.unique
        deciding[graduates] = True
        deciding[inflow] = True
        deciders = np.flatnonzero(deciding)
        deciders = deciders[p.stage[deciders] != Stage.LEFT]
        level = p.level[deciders]
        market_level = MARKET_LEVEL[level]
        field = np.maximum(p.field[deciders], 0)
        reference = self._base_wage(market_level) * self.premium[field]
        unemployed = p.stage[deciders] == Stage.UNEMPLOYED
        new = p.graduation_year[deciders] == self.year
        subsidy = np.where(new, self._talent_income(level), 0.0)
        local = (
            np.where(
                unemployed, cfg.labour_market.reservation_ratio * 0.5 * reference, p.wage[deciders]
            )
            + subsidy
        )
        outside = migration.outside_utilities(cfg.migration, cfg.city.destinations, reference)
        stay = self.rng.random(len(deciders)) < migration.stay_probability(
            cfg.migration, local, outside, p.origin[deciders] == 1, unemployed, self.leaver_share
        )
        leavers = deciders[~stay]
        self._leave(leavers, migration.choose_destination(self.rng, outside[~stay]))
        stayers = deciders[stay & new]
        eligible = stayers[p.level[stayers] >= Level.BENKE]
        policy = self.government.talent_policy()
        p.allowance_years[eligible] = policy.years
        graduate = eligible[p.level[eligible] >= Level.GRADUATE]
        self.government.spend("talent_subsidy", len(graduate) * policy.housing_grant / self.scale)
        paid = np.flatnonzero(p.allowance_years > 0)
        paid = paid[p.stage[paid] != Stage.LEFT]
        monthly = np.where(p.level[paid] >= Level.GRADUATE, 2, 1) * policy.monthly_allowance
        self.government.spend("talent_subsidy", 12 * monthly.sum() / self.scale)
        p.allowance_years[paid] -= 1
        new_graduates = graduates[p.origin[graduates] == 0] if len(graduates) else graduates
        if len(new_graduates):
            self.leaver_share = float((p.stage[new_graduates] == Stage.LEFT).mean())

    def _update_placement(self, graduates: np.ndarray) -> None:
        """In-field placement by field: placement_f ← ½·placement_f + ½·(k_f + 1)/(n_f + 2).

        n_f are this year's graduates of field f who entered the labour market, k_f those of
        them in an in-field (对口) job; students see it when they choose a programme.
        """
        p, table = self.people, self.firm_table
        rows = graduates[p.field[graduates] >= 0]
        employed = p.stage[rows] == Stage.EMPLOYED
        in_field = employed & (p.field[rows] == table.field[np.maximum(p.employer[rows], 0)])
        n = np.bincount(p.field[rows], minlength=self.n_fields)
        k = np.bincount(p.field[rows][in_field], minlength=self.n_fields)
        observed = (k + 1.0) / (n + 2.0)
        self.placement = np.where(
            n > 0, (1 - SIGNAL_WEIGHT) * self.placement + SIGNAL_WEIGHT * observed, self.placement
        )

    def _record_graduate_flows(
        self, graduates: np.ndarray, inflow: np.ndarray, unplaced: dict[Stage, np.ndarray]
    ) -> None:
        p, table = self.people, self.firm_table
        for rows, source in ((graduates, None), (inflow, "inflow")):
            employed = p.stage[rows] == Stage.EMPLOYED
            in_field = employed & (p.field[rows] == table.field[np.maximum(p.employer[rows], 0)])
            target = np.select(
                [in_field, employed, p.stage[rows] == Stage.UNEMPLOYED], [0, 1, 2], 3
            )
            if source == "inflow":
                self.tally.add_codes("inflow", target, GRADUATE_TARGETS)
                continue
            level = p.level[rows]
            for code in np.unique(level):
                self.tally.add_codes(
                    Level(code).name.lower(), target[level == code], GRADUATE_TARGETS
                )
        for stage, rows in unplaced.items():
            self.tally.add("applicant", f"{STAGE_NAME[stage]}_elsewhere", len(rows))

    def _learn(self) -> None:
        """Skill growth on the job; wages follow the wage index and the worker's productivity."""
        p = self.people
        employed = np.flatnonzero(p.stage == Stage.EMPLOYED)
        in_field = p.field[employed] == self.firm_table.field[p.employer[employed]]
        before = p.skill_general[employed] + p.skill_field[employed]
        p.skill_general[employed], p.skill_field[employed] = skills.grow_skills(
            self.config.skills, p.skill_general[employed], p.skill_field[employed], in_field
        )
        gain = p.skill_general[employed] + p.skill_field[employed] - before
        p.wage[employed] *= (self.wage_index / self.previous_wage_index) * (1.0 + 0.2 * gain)
        self.previous_wage_index = self.wage_index

    def _research(self) -> None:
        """Firm R&D, university cooperation projects, technology transfer and innovation.

        Levers: R&D = :func:`firms.rd_rate` (super-deduction d) · revenue, for SOEs at least
        last year's R&D·(1 + g) (mandatory SOE R&D growth g). An R&D firm seeks a university
        project with probability seek_rate·(1 + C)·(1 + σ)·(1 + 0.5·min(links, 4)); projects
        ~ min(seekers, Poisson(K)) with partner capacity K = Σ capacity·(1 + 0.5·C)·(1 + σ)
        (coordination C, project co-funding σ, which pays σ of project R&D).
        """
        gov, cfg, table = self.government, self.config, self.firm_table
        self._update_revenue()
        active = np.flatnonzero(table.active)
        revenue = table.revenue[active]
        rd = firms.rd_rate(cfg.firms, table.soe[active], gov.lever("rd_super_deduction")) * revenue
        mandate = gov.lever("soe_rd_growth")
        if mandate > 0:
            rd = np.where(table.soe[active], np.maximum(rd, table.rd[active] * (1 + mandate)), rd)
        coordination = gov.lever("coordination")
        subsidy_share = gov.lever("coop_project_subsidy")
        seek = self.rng.random(len(active)) < cfg.firms.university_seek_rate * (
            1 + coordination
        ) * (1 + subsidy_share) * (1 + 0.5 * np.minimum(table.links[active], 4))
        partners = [u for u in self.universities if u.partner]
        # co-funding lets partner universities take on more projects: K·(1 + 0.5·C)·(1 + σ)
        capacity = (
            sum(u.capacity for u in partners) * (1 + 0.5 * coordination) * (1 + subsidy_share)
        )
        seekers = active[seek]
        order = np.lexsort((self.rng.random(len(seekers)), table.links[seekers] == 0))
        n_projects = min(len(seekers), int(self.rng.poisson(capacity)) if capacity else 0)
        with_project = seekers[order][:n_projects]
        table.projects[:] = 0
        table.projects[with_project] = 1
        table.links[with_project] += 1
        shares = np.array([u.capacity for u in partners])
        per_university = (
            self.rng.multinomial(n_projects, shares / shares.sum())
            if len(partners) and shares.sum() > 0
            else []
        )
        for university in self.universities:
            university.projects = 0
        for university, count in zip(partners, per_university, strict=False):
            university.projects = int(count)
        # pressure on the unsubsidised capacity: co-funded demand still draws new partners
        demand_pressure = len(seekers) / max(capacity / (1 + subsidy_share), 1.0)
        for university in self.universities:
            university.update_partnership(
                self.rng, cfg.universities, coordination, min(demand_pressure, 3.0)
            )
        project_rd = cfg.universities.project_rd * table.projects[active]
        rd = rd + project_rd
        table.rd[active] = rd
        gov.spend(
            "rd_super_deduction",
            firms.CORPORATE_TAX * gov.lever("rd_super_deduction") * rd.sum() / self.scale,
        )
        gov.spend("coop_project_subsidy", subsidy_share * project_rd.sum() / self.scale)
        innovate = self.rng.random(len(active)) < firms.innovation_probability(
            cfg.firms, rd / np.maximum(revenue, 1.0), table.projects[active]
        )
        table.log_productivity[active[innovate]] += cfg.firms.innovation_step
        self.innovated = active[innovate]
        university_rd = (
            sum(u.capacity for u in self.universities if u.local) * cfg.universities.research_budget
        )
        transfer = cfg.universities.transfer_multiplier * project_rd.sum()
        self.counters.update(
            coop_projects=n_projects,
            firm_rd=float(rd.sum()),
            soe_rd=float(rd[table.soe[active]].sum()),
            university_rd=university_rd,
            tech_transfer=transfer,
            coop_rd=float(project_rd.sum()),
            innovations=int(innovate.sum()),
        )

    def _firm_dynamics(self) -> None:
        """Growth of desired employment, exit of weak firms, entry (and the park's entrants)."""
        cfg, table, gov = self.config.firms, self.firm_table, self.government
        active = np.flatnonzero(table.active)
        innovated = np.isin(active, self.innovated)
        growth = (
            self.growth[table.field[active]]
            + cfg.growth_elasticity * cfg.innovation_step * innovated
            + self.rng.normal(0.0, 0.05, len(active))
        )
        table.size_target[active] = np.maximum(table.size_target[active] * np.exp(growth), 1.0)
        mean_a = self._mean_log_productivity()
        exiting = active[
            self.rng.random(len(active))
            < firms.exit_probability(cfg, table.log_productivity[active], mean_a)
        ]
        table.active[exiting] = False
        for firm_id in exiting:
            self.firm_agents[firm_id].remove()
        closing = np.zeros(len(table), dtype=bool)
        closing[exiting] = True
        employer = self.people.employer
        staff = np.flatnonzero((employer >= 0) & closing[np.maximum(employer, 0)])
        self._release(staff, Stage.UNEMPLOYED)
        n_entry = self.rng.poisson(cfg.entry_rate * len(active))
        park = self.config.policy.park
        if gov.park_open():
            n_park = self.rng.poisson(park.firms_attracted * self.scale)
            if self.year == max(park.start_year, self.config.city.start_year):
                gov.spend("park", park.land_ha * self.config.policy.land_value)
                self._open_branch_colleges()
            gov.spend("park", park.shared_base_capacity * park.base_cost)
        else:
            n_park = 0
        for count, in_park in ((n_entry, False), (n_park, True)):
            if count == 0:
                continue
            weights = self.employment_share * (self.tech if in_park else 1.0)
            field = self.rng.choice(self.n_fields, size=count, p=weights / weights.sum())
            size = self.rng.lognormal(np.log(cfg.entry_size), 0.5, count)
            self._add_firms(
                field=field,
                size=size,
                industrial=self.industrial[field],
                in_park=in_park,
                soe=False,
                above_scale=size >= 20,
                log_productivity=mean_a + self.rng.normal(0.1 * in_park, 0.2, count),
            )
        self.counters.update(firm_entries=n_entry + n_park, firm_exits=len(exiting))

    def _open_branch_colleges(self) -> None:
        """The park's branch colleges: 高职 in the tech-intensive fields."""
        from talentsim.config.schema import SchoolSpec

        for i in range(self.config.policy.park.branch_colleges):
            spec = SchoolSpec(
                name=f"park branch college {i + 1}",
                kind="gaozhi",
                district=0,
                intake=BRANCH_COLLEGE_INTAKE,
                specialties=10,
                equipment_per_student=2 * self.config.programme_review.equipment_reference,
            )
            points = initial_points(
                self.rng, spec.specialties, self.employment_share * self.tech**2
            )
            self.schools.append(VocationalSchool(self, spec, points, self.scale))

    def _review_programmes(self, posted: np.ndarray, graduates: np.ndarray) -> None:
        """Schools review programmes on lagged (or, with coordination, forecast) demand signals."""
        p, gov, review = self.people, self.government, self.config.programme_review
        graduated = np.zeros((self.n_fields, N_MARKET_LEVELS))
        has_field = graduates[p.field[graduates] >= 0]
        np.add.at(graduated, (p.field[has_field], MARKET_LEVEL[p.level[has_field]]), 1)
        self.history.append({"posted": posted, "graduates": graduated})
        lagged = self.history[max(0, len(self.history) - 1 - review.review_lag)]
        coordination = gov.lever("coordination")
        alignment = gov.lever("specialty_alignment")
        gov.spend("coordination", coordination * self.config.policy.coordination_cost)
        gov.spend("specialty_alignment", alignment * self.config.policy.alignment_cost)
        land = gov.lever("land_grant")
        gov.spend("land_grant", land * self.config.policy.land_value)
        places = land * self.config.policy.places_per_ha
        self.land_places += places
        students = np.bincount(
            p.school[(p.stage == Stage.ZHONGZHI) | (p.stage == Stage.GAOZHI)],
            minlength=len(self.schools),
        ).astype(float)
        extra = self.counters.get("base_investment", 0.0)
        shared = (
            self.config.policy.park.shared_base_capacity if gov.park_open() else 0
        ) * self.scale + self.land_places * self.scale
        reference = review.equipment_reference
        for level, kind in ((0, "zhongzhi"), (1, "gaozhi")):
            # relative signals: a field's share of vacancies over its share of graduates, so
            # that a city-wide excess of vacancies does not open points in every field
            lag_signal = _relative_log_ratio(
                lagged["posted"][:, level], lagged["graduates"][:, level]
            )
            pipeline = np.zeros(self.n_fields)
            stage = Stage.ZHONGZHI if kind == "zhongzhi" else Stage.GAOZHI
            studying = p.stage == stage
            np.add.at(pipeline, p.field[studying], 1.0 / STUDY_YEARS[stage])
            forecast = _relative_log_ratio(posted[:, level] * (1 + self.growth), pipeline)
            signal = (1 - coordination) * lag_signal + coordination * forecast
            schools = [s for s in self.schools if s.kind == kind]
            offered = np.array([s.points for s in schools]).sum(axis=0)
            demand_share = posted[:, level] / max(posted[:, level].sum(), 1)
            crowding = np.log((offered / offered.sum() + 1e-3) / (demand_share + 1e-3))
            for school in schools:
                aligned = signal - alignment * (crowding - specialisation(school.points, offered))
                school.review_programmes(self.rng, aligned, review, alignment)
                # shared bases and co-built bases raise equipment per student
                share = students[self.schools.index(school)] / max(students.sum(), 1)
                invest = (extra * share + shared * share * reference * 0.1) / max(
                    students[self.schools.index(school)], 1
                )
                school.age_equipment(review, invest)
        self.shared_capacity = (
            shared / self.scale + self.counters.get("apprentices", 0) / self.scale
        )

    # ------------------------------------------------------------------ outcomes
    def _record(self, graduates: np.ndarray, seekers: np.ndarray, posted: np.ndarray) -> None:
        p, table, s, c = self.people, self.firm_table, self.scale, self.counters
        stage = p.stage
        local_graduates = graduates
        in_city = stage[local_graduates] != Stage.LEFT
        employed = stage[local_graduates] == Stage.EMPLOYED
        field_ok = (
            p.field[local_graduates] == table.field[np.maximum(p.employer[local_graduates], 0)]
        )
        zhongzhi = p.level[local_graduates] == Level.ZHONGZHI
        born_here = p.origin[local_graduates] == 0  # local-born graduates of local institutions
        unemployed_field = np.bincount(
            p.field[(stage == Stage.UNEMPLOYED) & (p.field >= 0)], minlength=self.n_fields
        ).astype(float)
        unfilled_field = self.unfilled.sum(axis=1)
        active = table.active
        labour_force = int(((stage == Stage.EMPLOYED) | (stage == Stage.UNEMPLOYED)).sum())
        value_added = float(table.revenue[active].sum()) * self.config.firms.value_added_share
        rd_total = c["firm_rd"] + c["university_rd"]
        for key in ("coop_projects", "coop_rd", "tech_transfer"):
            self.cumulative[key] += c[key] / s
        vocational = self.schools
        points = np.array([sc.points for sc in vocational])
        gaozhi = [sc for sc in self.schools if sc.kind == "gaozhi"]
        leading = max(gaozhi, key=lambda sc: sc.intake)
        intake = np.array([sc.intake for sc in vocational], dtype=float)
        quality = np.array(
            [sc.quality(self.config.programme_review.equipment_reference) for sc in vocational]
        )
        employed_all = stage == Stage.EMPLOYED
        mlevel = MARKET_LEVEL[p.level[employed_all]]
        wages = np.bincount(mlevel, weights=p.wage[employed_all], minlength=4) / np.maximum(
            np.bincount(mlevel, minlength=4), 1
        )
        costs = self.government.costs()
        skilled_stay = int((in_city & (p.level[local_graduates] >= Level.GAOZHI)).sum())
        row: dict[str, float] = {
            "year": self.year,
            "population": len(p) / s,
            "students_enrolled": int((stage <= Stage.GRADUATE_STUDY).sum()) / s,
            "graduates": len(local_graduates) / s,
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
            "vacancy_rate": float(self.unfilled.sum() / max(labour_force, 1)),
            "mismatch_jrl": mismatch_jrl(unemployed_field, unfilled_field),
            "mismatch_sahin": mismatch_sahin(unemployed_field, unfilled_field),
            "vacancies": c["vacancies_posted"] / s,
            "vacancy_fill_rate": c["hires"] / max(c["vacancies_posted"], 1),
            "firm_participation_rate": float(table.coop[active].mean()),
            "firms": int(active.sum()) / s,
            "above_scale_industrial_firms": int(
                (active & table.above_scale & table.industrial).sum()
            )
            / s,
            "coop_projects": c["coop_projects"] / s,
            "apprentices": c["apprentices"] / s,
            "apprentice_retention": c["apprentices_retained"] / max(c["apprentices_graduating"], 1),
            "partner_universities": sum(u.partner and not u.local for u in self.universities),
            "rd_spending": rd_total / s,
            "rd_intensity": rd_total / max(value_added, 1.0),
            "rd_firm_share": c["firm_rd"] / max(rd_total, 1.0),
            "rd_spending_soe": c["soe_rd"] / s,
            "tech_transfer_output": c["tech_transfer"] / s,
            "cumulative_coop_projects": self.cumulative["coop_projects"],
            "cumulative_coop_rd": self.cumulative["coop_rd"],
            "cumulative_tech_transfer": self.cumulative["tech_transfer"],
            "specialty_points": int(points.sum()),
            "duplication_index": duplication_index(points),
            "programmes_opened": sum(sc.opened for sc in vocational),
            "programmes_closed": sum(sc.closed for sc in vocational),
            "leading_gaozhi_changes": leading.opened + leading.closed,
            "equipment_quality": float(np.average(quality, weights=intake)),
            "shared_training_capacity": self.shared_capacity,
            "value_added": value_added / s,
            "productivity": value_added / max(int(employed_all.sum()), 1),
            "innovations": c["innovations"] / s,
            "firm_entries": c["firm_entries"] / s,
            "firm_exits": c["firm_exits"] / s,
        }
        for name, wage in zip(LEVELS, wages, strict=True):
            row[f"wage_{name}"] = float(wage)
        for field, shortage in zip(self.config.fields, unfilled_field, strict=True):
            row[f"shortage_{field.name}"] = float(shortage) / s
        row["fiscal_cost"] = sum(costs.values())
        for name, cost in costs.items():
            row[f"fiscal_cost_{name}"] = cost
        self.records.append(row)
        self.flow_rows.extend(self.tally.rows(self.year, s))
        self.counters["seekers"] = len(seekers)

    # ------------------------------------------------------------------ results
    def outcomes(self) -> pd.DataFrame:
        """One row per simulated year, every outcome at city scale."""
        return pd.DataFrame(self.records)

    def flows(self) -> pd.DataFrame:
        """One row per (year, source, target): people moving between states, at city scale."""
        return pd.DataFrame(self.flow_rows, columns=["year", "source", "target", "count"])
