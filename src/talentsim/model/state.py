"""The city's state: the columns (people, firms), the institutions, and what agents observe.

Every process (:mod:`talentsim.model.processes`) reads and writes a :class:`CityState`; none
reaches into another process. What one process hands to a later one in the same year (this
year's graduates, the vacancies posted, ...) lives in :class:`ThisYear`, which is new each year.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import mesa
import numpy as np

from talentsim.config.schema import LEVELS, CityConfig, TalentSubsidy
from talentsim.model import skills
from talentsim.model.agents.firms import Firm, FirmTable, desired_employment, level_shares
from talentsim.model.agents.government import Government
from talentsim.model.agents.schools import VocationalSchool
from talentsim.model.agents.universities import University
from talentsim.model.outcomes import FlowTally, GraduateCohorts
from talentsim.model.people import Event, People, Separation
from talentsim.model.states import MARKET_LEVEL, N_MARKET_LEVELS, Level, Stage

MONTHS = 12
"""Months in a year (talent allowances are monthly)."""


@dataclass
class Structure:
    """What the config fixes about the city: fields, districts and their geometry."""

    premium: np.ndarray  # wage premium by field
    growth: np.ndarray  # demand trend by field, 1/yr
    tech: np.ndarray  # tech intensity by field
    employment_share: np.ndarray  # by field, sums to 1
    industrial: np.ndarray  # bool by field
    distance: np.ndarray  # km between districts
    cohort_share: np.ndarray  # by district, sums to 1

    @classmethod
    def of(cls, config: CityConfig) -> Structure:
        """The structure of ``config``'s city."""
        fields = config.fields
        share = np.array([f.employment_share for f in fields])
        km = np.array([d.distance_km for d in config.districts])
        # district to district: the difference of their distances to the centre, plus the
        # shorter of the two where they are different districts (via the centre)
        distance = np.abs(km[:, None] - km[None, :]) + np.where(
            np.eye(len(km), dtype=bool), 0.0, np.minimum(km[:, None], km[None, :])
        )
        cohort = np.array([d.cohort_share for d in config.districts])
        return cls(
            premium=np.array([f.wage_premium for f in fields]),
            growth=np.array([f.demand_growth for f in fields]),
            tech=np.array([f.tech_intensity for f in fields]),
            employment_share=share / share.sum(),
            industrial=np.array([f.industrial for f in fields]),
            distance=distance,
            cohort_share=cohort / cohort.sum(),
        )

    @property
    def n_fields(self) -> int:
        """Number of fields."""
        return len(self.premium)

    @property
    def n_districts(self) -> int:
        """Number of districts."""
        return len(self.cohort_share)


@dataclass
class Signals:
    """What students, firms and graduates observe, smoothed from year to year."""

    placement: np.ndarray  # in-field placement of recent graduates by field
    retention_by_field: np.ndarray  # sponsors' apprentice retention by field
    district_vocational_share: np.ndarray  # last cohort's 中职 share by district
    peer_field: np.ndarray  # (districts, fields) last 中职 entrants' fields
    leaver_share: float  # share of last year's local graduates who left
    zhongzhi_continue_share: float  # share of 中职 graduates who continued
    job_finding: float  # share of last market's unemployed seekers who found a job
    openings_rate: float = float("nan")  # openings per worker the employed are used to
    reference: dict[str, Any] = field(default_factory=dict)  # choice drivers at set-up


@dataclass
class ThisYear:
    """What the processes of one year hand to each other."""

    counters: dict[str, float] = field(default_factory=dict)
    tally: FlowTally = field(default_factory=FlowTally)
    graduates: np.ndarray = field(default_factory=lambda: np.array([], dtype=np.int64))
    graduate_school: np.ndarray = field(default_factory=lambda: np.array([], dtype=np.int64))
    rewards: np.ndarray | None = None  # result-tied rewards earned by each school, RMB (scaled)
    applicants: dict[Stage, np.ndarray] = field(default_factory=dict)
    unplaced: dict[Stage, np.ndarray] = field(default_factory=dict)
    inflow: np.ndarray = field(default_factory=lambda: np.array([], dtype=np.int64))
    seekers: np.ndarray = field(default_factory=lambda: np.array([], dtype=np.int64))
    posted: np.ndarray | None = None  # vacancies posted by (field, market level)
    unfilled: np.ndarray | None = None  # vacancies left open by (field, market level)
    innovated: np.ndarray = field(default_factory=lambda: np.array([], dtype=np.int64))


@dataclass
class CityState:
    """The whole city at one moment; the model holds one and its processes update it."""

    config: CityConfig
    model: mesa.Model  # registers the institutions as Mesa agents
    year: int
    structure: Structure
    signals: Signals
    people: People
    government: Government
    firms: FirmTable = field(default_factory=FirmTable)
    firm_agents: list[Firm] = field(default_factory=list)
    schools: list[VocationalSchool] = field(default_factory=list)
    universities: list[University] = field(default_factory=list)
    now: ThisYear = field(default_factory=ThisYear)
    wage_index: float = 1.0
    demand_shock: float = 0.0  # log of the city's aggregate demand (AR(1); 0 when off)
    city_demand: float = 0.0  # the firms' scales Σ S_f the city's demand supports (persons)
    demand_per_firm0: float = 0.0  # city_demand per active firm at set-up
    previous_wage_index: float = 1.0
    mean_log_productivity0: float = 0.0
    land_places: float = 0.0
    shared_capacity: float = 0.0
    cumulative: dict[str, float] = field(
        default_factory=lambda: {"coop_projects": 0.0, "coop_rd": 0.0, "tech_transfer": 0.0}
    )
    history: list[dict[str, np.ndarray]] = field(default_factory=list)
    cohorts: GraduateCohorts = field(default_factory=GraduateCohorts)  # for retention_<k>y
    records: list[dict[str, float]] = field(default_factory=list)
    flow_rows: list[dict[str, object]] = field(default_factory=list)

    # ------------------------------------------------------------------ the run
    @property
    def scale(self) -> float:
        """Share of the city's persons and firms simulated."""
        return self.config.scale

    @property
    def reporting(self) -> bool:
        """Whether this year is reported (the burn-in years before the start year are not)."""
        return self.year >= self.config.city.start_year

    def count(self, n: float) -> int:
        """A city-scale count at the run's scale (at least one)."""
        return max(1, round(n * self.scale))

    # ------------------------------------------------------------------ wages and firms
    def base_wage(self, market_level: np.ndarray) -> np.ndarray:
        """Starting wage by labour-market level today (RMB/yr): base wage times the wage index."""
        base = np.array([self.config.city.base_wage[name] for name in LEVELS])
        return base[market_level] * self.wage_index

    def reference_wages(self) -> np.ndarray:
        """(market levels, fields) reference wage w_ref = w̄_ℓ·π_f today (RMB/yr)."""
        return self.base_wage(np.arange(N_MARKET_LEVELS))[:, None] * self.structure.premium[None, :]

    def field_log_wage(self, market_level: int) -> np.ndarray:
        """Log starting wage of each field at ``market_level``."""
        return np.log(self.base_wage(np.array([market_level]))[0] * self.structure.premium)

    def mean_log_productivity(self) -> float:
        """Employment-weighted mean log productivity of active firms."""
        table = self.firms
        active = table.active
        return float(np.average(table.log_productivity[active], weights=table.size_target[active]))

    def employment_by_firm_level(self) -> np.ndarray:
        """(firms, 4) current employment by firm and labour-market level."""
        p = self.people
        employed = np.flatnonzero(p.stage == Stage.EMPLOYED)  # once, not once per column
        key = p.employer[employed].astype(np.int64)
        key *= N_MARKET_LEVELS
        key += MARKET_LEVEL[p.level[employed]]
        counts = np.bincount(key, minlength=len(self.firms) * N_MARKET_LEVELS)
        return counts.reshape(-1, N_MARKET_LEVELS).astype(np.float64)

    def desired_employment(self) -> np.ndarray:
        """(firms, 4) desired employment of every firm (:func:`firms.desired_employment`)."""
        table, s = self.firms, self.structure
        desired = desired_employment(
            self.config.firms,
            table.size_target,
            level_shares(self.config.firms, s.tech[table.field], table.log_productivity),
            table.log_markup,
            float(np.exp(self.demand_shock)),
        )
        return desired * table.active[:, None]

    def update_revenue(self) -> None:
        """Revenue = revenue_per_worker · A_f · Σ worker productivity / π_0.

        π_0 = ``firms.reference_worker_productivity``, the mean worker productivity at set-up.
        """
        p, table = self.people, self.firms
        employed = np.flatnonzero(p.stage == Stage.EMPLOYED)  # once, not once per column
        employer = p.employer[employed]
        in_field = p.field[employed] == table.field[employer]
        output = skills.productivity(
            MARKET_LEVEL[p.level[employed]],
            p.skill_general[employed],
            p.skill_field[employed],
            in_field,
            self.config.skills,
        )
        total = np.bincount(employer, weights=output, minlength=len(table))
        table.revenue[:] = (
            self.config.firms.revenue_per_worker
            / self.config.firms.reference_worker_productivity
            * np.exp(table.log_productivity)
            * total
            * table.active
        )

    def talent_income(self, level: np.ndarray, policy: TalentSubsidy | None = None) -> np.ndarray:
        """Yearly value of the talent subsidies for a new graduate of ``level`` (RMB/yr).

        本科: 12·allowance; 研究生: 12·m·allowance + housing grant / years (amortised), m =
        ``graduate_multiplier``. ``policy`` defaults to this year's
        (:meth:`Government.talent_policy`).
        """
        policy = policy or self.government.talent_policy()
        monthly = np.where(
            level >= Level.GRADUATE,
            policy.graduate_multiplier * policy.monthly_allowance,
            np.where(level >= Level.BENKE, policy.monthly_allowance, 0.0),
        )
        housing = np.where(
            level >= Level.GRADUATE, policy.housing_grant / max(policy.years, 1), 0.0
        )
        return MONTHS * monthly + housing

    def choice_drivers(self) -> dict[str, Any]:
        """The drivers of track and progression choices this year (compared with the set-up's)."""
        base = self.base_wage(np.arange(N_MARKET_LEVELS))
        s = self.structure
        floor = self.config.track_choice.placement_floor
        vocational = np.log(
            base[0]
            * np.average(s.premium, weights=s.employment_share)
            * (floor + (1 - floor) * float(np.mean(self.signals.placement)))
        )
        return {
            "wage_gap": vocational - np.log(base[2]),
            "admission": self.signals.zhongzhi_continue_share,
            "peer": self.signals.district_vocational_share.copy(),
            "gaozhi_gap": np.log(base[1] / base[0]),
            "benke_gap": np.log(base[2] / base[1]),
            "graduate_gap": np.log(base[3] / base[2]),
        }

    # ------------------------------------------------------------------ people's transitions
    def release(self, rows: np.ndarray, stage: Stage) -> None:
        """The persons at ``rows`` leave their job (if any) and move to ``stage``."""
        p = self.people
        had_job = rows[p.employer[rows] >= 0]
        p.log(self.year, had_job, Event.SEPARATE, p.employer[had_job])
        p.employer[rows] = -1
        p.stage[rows] = stage

    def separate(self, rows: np.ndarray, origin: Separation) -> None:
        """The workers at ``rows`` lose or leave their job and start a spell of unemployment."""
        self.release(rows, Stage.UNEMPLOYED)
        self.people.unemployed_since[rows] = self.year
        self.people.unemployment_origin[rows] = int(origin)

    def leave(self, rows: np.ndarray, destination: np.ndarray | int = -1) -> None:
        """The persons at ``rows`` leave the city (destination -1: to study elsewhere)."""
        self.release(rows, Stage.LEFT)
        self.people.destination[rows] = destination
        self.people.log(self.year, rows, Event.LEAVE, destination)

    def hire(self, rows: np.ndarray, firm: np.ndarray, wage: np.ndarray) -> None:
        """The persons at ``rows`` start work at ``firm`` for ``wage``."""
        p = self.people
        p.stage[rows] = Stage.EMPLOYED
        p.employer[rows] = firm
        p.unemployed_since[rows] = 0
        p.wage[rows] = wage
        in_field = p.field[rows] == self.firms.field[firm]
        p.log(self.year, rows, Event.HIRE, firm, in_field.astype(np.int32))
