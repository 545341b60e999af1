"""Firms: Mesa agents whose state lives in a column table, with vectorised yearly rules.

Each firm is a :class:`Firm` (a ``mesa.Agent`` in the model's AgentSet) that reads and writes
its row of :class:`FirmTable`; the rules (labour demand, cooperation, R&D, innovation, growth,
entry and exit) run on the whole table at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import mesa
import numpy as np

from talentsim.config.schema import Firms, LabourMarket
from talentsim.model.streams import KeyIssuer

if TYPE_CHECKING:
    from talentsim.model.streams import Stream

CORPORATE_TAX = 0.25
"""Corporate income tax rate: a deduction of 1 RMB saves 0.25 RMB of tax."""

SURCHARGE_RATE = 0.05
"""教育费附加 3 % + 地方教育附加 2 % of VAT paid."""

VAT_ON_VALUE_ADDED = 0.13
"""VAT rate applied to value added (approximation of VAT paid)."""

COLUMNS: dict[str, Any] = {
    "key": np.int64,  # stable id for keyed draws: (born·100 + batch)·10⁷ + k
    "active": np.bool_,
    "field": np.int8,
    "industrial": np.bool_,
    "soe": np.bool_,
    "listed": np.bool_,
    "above_scale": np.bool_,
    "district": np.int8,
    "log_productivity": np.float64,
    "size_target": np.float64,  # desired employment (persons at city scale x scale)
    "revenue": np.float64,  # RMB/yr
    "rd": np.float64,  # R&D spending last year, RMB
    "coop": np.bool_,  # cooperates with schools this year
    "coop_years": np.int16,  # consecutive years of cooperation
    "credit": np.float64,  # surcharge credit carried forward, RMB
    "projects": np.int32,  # university cooperation projects this year
    "links": np.int32,  # cumulative university projects
    "in_park": np.bool_,
    "unit": np.bool_,  # has a 产才融合 integration unit
    "born": np.int16,
    "log_markup": (np.float64, 4),  # log posted wage over the wage schedule, by market level
    "open_years": (np.int8, 4),  # consecutive years with vacancies left unfilled, by level
}
"""Columns and their dtypes; a (dtype, k) pair is a column of k values per firm."""


def _empty(spec: Any, count: int) -> np.ndarray:
    """``count`` zero rows of a column of spec ``spec`` (a dtype or a (dtype, k) pair)."""
    if isinstance(spec, tuple):
        return np.zeros((count, spec[1]), dtype=spec[0])
    return np.zeros(count, dtype=spec)


class FirmBatch:
    """Entry batches of firms in a firm key (:class:`~talentsim.model.streams.KeyIssuer`)."""

    INDUSTRIAL = 0  # above-scale industrial firms at set-up
    OTHER = 1  # other employers at set-up
    ENTRANT = 2
    PARK = 3  # entrants into the demonstration park


class FirmTable:
    """Firm state as numpy columns; row index = firm id (rows are never reused)."""

    def __init__(self) -> None:
        """Create an empty table."""
        self.data = {name: _empty(spec, 0) for name, spec in COLUMNS.items()}
        self.keys = KeyIssuer()

    def new_keys(self, year: int, batch: int, count: int) -> np.ndarray:
        """Keys of ``count`` new firms of ``batch`` (:class:`FirmBatch`) entering in ``year``."""
        return self.keys.issue(year, batch, count)

    def __getattr__(self, name: str) -> np.ndarray:
        """Column ``name``."""
        data = self.__dict__.get("data")
        if data is not None and name in data:
            return data[name]
        raise AttributeError(name)

    def __setattr__(self, name: str, value: Any) -> None:
        """Assigning to a column writes into it (so ``table.credit += x`` stays a column)."""
        data = self.__dict__.get("data")
        if data is not None and name in data:
            data[name][...] = value
        else:
            super().__setattr__(name, value)

    def __len__(self) -> int:
        """Number of rows, active or not."""
        return len(self.data["active"])

    def add(self, count: int, **values: Any) -> np.ndarray:
        """Append ``count`` firms; returns their ids."""
        start = len(self)
        for name, column in self.data.items():
            fresh = _empty(COLUMNS[name], count)
            fresh[:] = values.get(name, 0)
            self.data[name] = np.concatenate([column, fresh])
        return np.arange(start, start + count)


class Firm(mesa.Agent):
    """One firm: an agent whose state is its row in the city's :class:`FirmTable`."""

    def __init__(self, model: mesa.Model, table: FirmTable, row: int) -> None:
        """Register the firm with ``model`` for row ``row`` of ``table``."""
        super().__init__(model)
        self.table = table
        self.row = row

    def state(self) -> dict[str, Any]:
        """The firm's current state as a mapping column → value."""
        return {name: column[self.row].tolist() for name, column in self.table.data.items()}

    @property
    def field(self) -> int:
        """Index of the firm's field."""
        return int(self.table.field[self.row])

    @property
    def cooperates(self) -> bool:
        """Whether the firm cooperates with schools this year."""
        return bool(self.table.coop[self.row])


def level_split(params: Firms) -> np.ndarray:
    """(3,) the split of above-secondary demand across 高职, 本科 and 研究生 (sums to 1)."""
    split = np.array([params.split_gaozhi, params.split_benke, params.split_graduate])
    return split / split.sum()


def level_shares(
    params: Firms, tech_intensity: np.ndarray, log_productivity: np.ndarray
) -> np.ndarray:
    """(firms, 4) demand shares by labour-market level.

    A firm's tech share τ = clip(tech_intensity_field + θ_A·log A, τ_min, τ_max) goes to the
    levels above secondary in the ratio :func:`level_split`; innovation (higher log A) shifts
    demand up the levels. θ_A = ``tech_share_productivity``, [τ_min, τ_max] =
    [``tech_share_min``, ``tech_share_max``].
    """
    tau = np.clip(
        tech_intensity + params.tech_share_productivity * log_productivity,
        params.tech_share_min,
        params.tech_share_max,
    )
    return np.column_stack([1.0 - tau, tau[:, None] * level_split(params)[None, :]])


def desired_employment(
    params: Firms,
    size_target: np.ndarray,
    shares: np.ndarray,
    log_markup: np.ndarray,
    demand: float = 1.0,
) -> np.ndarray:
    """(firms, 4) desired employment by level from the firm's production plan and its wages.

    L*_fl = D · S_f · share_fl · exp(−η · m_fl)

    S_f is the firm's demand-driven scale (its employment at the schedule wage), share_fl its
    technology's demand shares (:func:`level_shares`), m_fl the log of its posted wage over the
    wage schedule and η ``labour_demand_elasticity``: with output Y = A·Σ_ℓ π_ℓ L_ℓ sold at a
    demand-determined scale, a level that costs more is used less (skill-technology
    complementarity: Dawid, Gemkow, Harting & Neugart). D is the city's aggregate demand
    (exp of the AR(1) shock; 1 without it).
    """
    return (
        demand
        * size_target[:, None]
        * shares
        * np.exp(-params.labour_demand_elasticity * log_markup)
    )


def vacancies(
    stream: Stream, keys: np.ndarray, desired: np.ndarray, employed: np.ndarray
) -> np.ndarray:
    """(firms, 4) openings: desired employment by level minus current, stochastically rounded.

    v_fl = max(0, L*_fl − employed_fl), rounded up with probability equal to its fractional
    part (a draw keyed by the firm and level).
    """
    gap = np.maximum(desired - employed, 0.0)
    whole = np.floor(gap)
    u = stream.uniform(keys, "vacancy rounding", gap.shape[1])
    return (whole + (u < gap - whole)).astype(np.int64)


def adjust_posted_wages(
    params: LabourMarket,
    log_markup: np.ndarray,
    open_years: np.ndarray,
    openings: np.ndarray,
    unfilled: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Wage posting with adjustment: a firm raises its wage where its vacancies went unfilled.

    Where the firm posted openings at a level:
        m ← (1 − δ)·m + λ·(1 + w_d·d)·(unfilled / openings − s*)
    elsewhere m ← (1 − δ)·m. δ = ``wage_reversion``, λ = ``wage_adjustment``, d the years
    the level's vacancies have already stayed unfilled (w_d = ``vacancy_duration_weight``),
    s* = ``normal_unfilled_share``: a level that fills easily lowers its markup, a shortage
    raises it, and more the longer it lasts. d counts up while vacancies stay unfilled, to at
    most ``max_open_years``; m stays in [``markup_min``, ``markup_max``].
    Returns the new (log_markup, open_years).
    """
    posted = openings > 0
    share = unfilled / np.maximum(openings, 1)
    push = params.wage_adjustment * (1.0 + params.vacancy_duration_weight * open_years)
    markup = (1.0 - params.wage_reversion) * log_markup + np.where(
        posted, push * (share - params.normal_unfilled_share), 0.0
    )
    years = np.where(posted & (unfilled > 0), np.minimum(open_years + 1, params.max_open_years), 0)
    return np.clip(markup, params.markup_min, params.markup_max), years.astype(np.int8)


@dataclass(frozen=True)
class CooperationTerms:
    """What the policy offers a cooperating firm this year (levers; RMB unless stated)."""

    subsidy: float = 0.0  # s, paid per apprentice
    cost_cut: float = 0.0  # δ, government-funded cut in the cost of an apprentice
    retention_bonus: float = 0.0  # b, paid per graduating apprentice the sponsor keeps
    credit_rate: float = 0.0  # κ, surcharge credit on apprentice cost
    coordination: float = 0.0  # C
    deduction_cap: float = 0.0  # d, staff-education deduction as a share of payroll
    status_quo_cap: float = 0.0  # d₀, the status quo's cap (calibrated into the baseline)


def transaction_cost(
    params: Firms,
    coordination: float,
    coop_years: np.ndarray,
    factor: np.ndarray,
) -> np.ndarray:
    """The firm's yearly cost of dealing with schools: T·(1 − χ·C)·(1 − λ)^y·factor.

    χ = ``coordination_cost_cut``, λ = ``partnership_learning`` over y consecutive years,
    ``factor`` the product of the firm's own cuts (listing, integration unit, park).
    """
    return (
        params.transaction_cost
        * (1.0 - params.coordination_cost_cut * coordination)
        * (1.0 - params.partnership_learning) ** coop_years
        * factor
    )


def transaction_factor(
    params: Firms, listed: np.ndarray, unit: np.ndarray, park: np.ndarray, park_factor: float
) -> np.ndarray:
    """ℓ·u·k: listed firms, integration units and park firms deal with schools more cheaply.

    A park firm with an integration unit gets the better of the two cuts (both are the same
    staff function), not their product.
    """
    listing = np.where(listed, params.listed_transaction_factor, 1.0)
    unit_cut = np.where(unit, params.unit_transaction_factor, 1.0)
    park_cut = np.where(park, park_factor, 1.0)
    return listing * np.minimum(unit_cut, park_cut)


def net_benefit_of_cooperation(
    params: Firms,
    size: np.ndarray,
    wage: np.ndarray,
    retention: np.ndarray,
    coop_years: np.ndarray,
    factor: np.ndarray,
    surcharge_owed: np.ndarray,
    terms: CooperationTerms,
) -> np.ndarray:
    """Expected yearly net benefit (RMB) of cooperating with schools (apprentices, order classes).

    NB = n·[p_ret·(g·w·H + b) − (c − ι·δ) + s] + min(κ·n·c, S) + D
         − T·(1 − χ·C)·(1 − λ)^y·f

    n apprentices (apprentices_per_100 · size / 100), retention p_ret, trainee gain g, wage w,
    horizon H, cost c, surcharge-credit rate κ capped by surcharges owed S, subsidy s per
    apprentice (cash to the firm), retention bonus b per completer kept, government cost cut δ
    of which the firm gains the share ι = ``cost_cut_incidence`` (the rest accrues to the
    apprentice), D the tax saved by the staff-education deduction beyond the status quo's
    (:func:`education_deduction`), and the transaction cost of :func:`transaction_cost` with
    the firm's factor f (:func:`transaction_factor`). The fixed T makes cooperation pay first
    for large, listed, long-partnered firms (杨钋 & 岳铮男 2018).
    """
    n = params.apprentices_per_100 * size / 100.0
    cost = params.apprentice_cost - params.cost_cut_incidence * terms.cost_cut
    gain = n * (
        retention * (params.trainee_gain * wage * params.horizon + terms.retention_bonus)
        - cost
        + terms.subsidy
    )
    credit = np.minimum(terms.credit_rate * n * params.apprentice_cost, surcharge_owed)
    spending = n * (params.apprentice_cost + params.base_investment)
    payroll = size * wage
    deduction = education_deduction(spending, payroll, terms.deduction_cap) - education_deduction(
        spending, payroll, terms.status_quo_cap
    )
    return (
        gain + credit + deduction - transaction_cost(params, terms.coordination, coop_years, factor)
    )


def education_deduction(spending: np.ndarray, payroll: np.ndarray, cap: float) -> np.ndarray:
    """Corporate tax saved by deducting staff-education spending: t·min(spending, cap·payroll).

    财税〔2018〕51号: spending on staff education up to 8 % of payroll is deductible (t =
    :data:`CORPORATE_TAX`).
    """
    return CORPORATE_TAX * np.minimum(spending, cap * payroll)


def rd_rate(params: Firms, soe: np.ndarray, super_deduction: float) -> np.ndarray:
    """R&D spending as a share of revenue.

    r = r_0 · (1 + ε·t·d) / (1 + ε·t·1)

    with base intensity r_0 (SOE or private), tax elasticity ε, tax rate t = 25 % and
    super-deduction rate d, normalised so that today's 100 % deduction gives r_0.
    """
    base = np.where(soe, params.rd_intensity_soe, params.rd_intensity_private)
    relief = 1.0 + params.rd_tax_elasticity * CORPORATE_TAX * super_deduction
    return base * relief / (1.0 + params.rd_tax_elasticity * CORPORATE_TAX)


def innovation_probability(params: Firms, rd_share: np.ndarray, projects: np.ndarray) -> np.ndarray:
    """Yearly probability of an innovation: 1 − exp(−(a·R&D/revenue + b·projects)).

    University projects add to the hazard (SKIN: Ahrweiler, Pyka & Gilbert 2011).
    """
    return 1.0 - np.exp(-(params.innovation_rd * rd_share + params.innovation_partner * projects))


def exit_probability(
    params: Firms,
    log_productivity: np.ndarray,
    mean_log_productivity: float,
    size: np.ndarray,
    age: np.ndarray,
) -> np.ndarray:
    """Yearly exit hazard, falling with productivity, size and age (capped at ``exit_hazard_cap``).

    h = exit_rate · exp(−β_A·(log A − mean log A)) · (S / entry_size)^−β_S · (1 + age)^−β_a

    β_A = ``exit_productivity_elasticity``, β_S = ``exit_size_elasticity``, β_a =
    ``exit_age_elasticity``: small young unproductive firms exit most (Evans 1987; Dunne,
    Roberts & Samuelson 1989); exit_rate is the hazard of a new firm of entry size and mean
    productivity.
    """
    hazard = (
        params.exit_rate
        * np.exp(-params.exit_productivity_elasticity * (log_productivity - mean_log_productivity))
        * (np.maximum(size, 1.0) / params.entry_size) ** -params.exit_size_elasticity
        * (1.0 + np.maximum(age, 0)) ** -params.exit_age_elasticity
    )
    return np.minimum(hazard, params.exit_hazard_cap)


def growth_rate(
    params: Firms,
    trend: np.ndarray,
    innovated: np.ndarray,
    labour_cost_gap: np.ndarray,
    shock: np.ndarray,
) -> np.ndarray:
    """Yearly log growth of a firm's demand-driven scale (Gibrat, with labour-cost feedback).

    g = g_field + growth_elasticity·innovation_step·[innovated] − γ·m̄ + σ·ε − σ²/2

    m̄ is the firm's employment-weighted log wage markup (what a shortage costs it), γ =
    ``growth_wage_elasticity``, σ = ``growth_noise``, ε ~ N(0, 1) (``shock``); −σ²/2 keeps
    the expected scale growing at the trend (the shock is size-independent: Gibrat's law).
    The city's total is then set by :func:`share_city_demand`, so these rates shift demand
    between firms.
    """
    sigma = params.growth_noise
    return (
        trend
        + params.growth_elasticity * params.innovation_step * innovated
        - params.growth_wage_elasticity * labour_cost_gap
        + sigma * shock
        - 0.5 * sigma**2
    )


def share_city_demand(size_target: np.ndarray, city_demand: float) -> np.ndarray:
    """Firms' scales rescaled to add up to the city's demand: S_f ← S_f · T / Σ_f S_f.

    The city's demand for its firms' output T (``CityState.city_demand``, in persons at the
    schedule wage) grows at ``city_demand_growth``; firms' growth rates, entry and exit decide
    how it is shared: a growing field, an innovator or an entrant takes demand from the others
    (business stealing), and the demand of an exiting firm goes to the survivors.
    """
    total = size_target.sum()
    return size_target * (city_demand / total) if total > 0 else size_target


def entry_mean(
    params: Firms, initial_firms: float, profit_ratio: float, scale_factor: float = 1.0
) -> float:
    """Expected entrants this year: a pool of potential entrants that enter on expected profit.

    E[n] = entry_rate · N_0 · (π_e / π_e,0)^ε · scale_factor

    N_0 is the number of firms at set-up (the pool does not grow with incumbents, so the
    number of firms settles where exits balance entry), π_e/π_e,0 an entrant's expected
    profit relative to the set-up year and ε = ``entry_profit_elasticity``.
    """
    ratio = max(profit_ratio, 1e-6)
    return params.entry_rate * initial_firms * ratio**params.entry_profit_elasticity * scale_factor


def integration_unit_uptake(
    u: np.ndarray, above_scale: np.ndarray, has_unit: np.ndarray, coverage: float
) -> np.ndarray:
    """Which firms have a 产才融合 integration unit after this year's enforcement.

    The requirement covers above-scale firms; with coverage c (lever) and compliance k, the
    share of above-scale firms with a unit is pulled towards c·k: each above-scale firm
    without one sets one up with probability max(c·k − x, 0) / (1 − x), x the current share.
    Units are kept once set up; entrants are covered in the following years. ``u`` is one
    uniform per firm.
    """
    share = float(has_unit[above_scale].mean()) if above_scale.any() else 0.0
    uptake = max(coverage - share, 0.0) / max(1.0 - share, 1e-9)
    return has_unit | (above_scale & (u < uptake))
