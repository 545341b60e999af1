"""Firm dynamics: aggregate demand, exits before the market, Gibrat growth and entry on profit.

Demand (:func:`update_demand`): the city's log aggregate demand z_t = ρ·z_{t−1} + σ_z·ε_t (an
AR(1) uncertainty, off when σ_z = ``demand_shock_sd`` = 0) scales every firm's desired
employment by exp(z_t).

Exits (:func:`close_firms`, before the labour market so the displaced search this year): with
:func:`~talentsim.model.agents.firms.exit_probability`, falling with productivity, size
(employment) and age; the staff of exiting firms become unemployed (displaced).

Growth (:func:`grow_and_enter`): S ← max(S · exp(g), 1) with g from
:func:`~talentsim.model.agents.firms.growth_rate` (field trend, innovation, labour cost above
the schedule, a size-independent shock). Entry: n ~ Poisson(entry_rate · N_0 · (π_e/π_e,0)^ε)
(:func:`~talentsim.model.agents.firms.entry_mean`), where an entrant's expected profit per
worker relative to the set-up year is π_e/π_e,0 = (1 − ŝ·exp(m̄)) / (1 − ŝ) · (T/N)/(T_0/N_0),
ŝ the schedule wage bill over value added (:func:`schedule_labour_share`), m̄ the
employment-weighted log wage markup of the field and T/N the city's demand per firm
(:func:`profit_ratio_by_field`); an entrant picks its field in proportion to employment share ×
(the field's profit ratio)^ε. Each entrant's size is lognormal(log entry_size,
entry_size_sigma²). Then the scales of all active firms are rescaled to the city's demand
T_t = T_{t−1} · exp(city_demand_growth), T at set-up their sum
(:func:`~talentsim.model.agents.firms.share_city_demand`): growth rates, entry and exit share
out a demand whose total follows the city (Zibo's population and employment are roughly
stable), so the fields' trends are shifts between fields, not a growth of the total.

The demonstration park's land lowers an entrant's entry cost (:func:`park_cost_saving`): in
the park the profit ratio is r_f + c, c = land_per_firm · land_value · land_discount /
(entry_payback_years · P_0), P_0 an entrant's yearly profit at set-up. The park adds the
entrants the lower cost brings in: n_park ~ Poisson(entry_rate · N_0 · Σ_f share_f · τ_f ·
((r_f + c)^ε − r_f^ε)), tech-intensive fields (τ_f) weighted, at most the firms the land left
holds (:func:`park_room`). An entrant outside the park is an SOE with probability soe_share, so
the SOE share holds in the steady state (park entrants are private). Every draw of a firm is
keyed by the firm; the counts are inverse-CDF draws of one uniform each.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from talentsim.config.schema import LEVELS
from talentsim.model.agents import firms
from talentsim.model.agents.firms import Firm, FirmBatch
from talentsim.model.people import Separation
from talentsim.model.skills import LEVEL_PRODUCTIVITY
from talentsim.model.state import CityState
from talentsim.model.streams import Stream

MAX_LABOUR_SHARE = 0.9
"""Numerical guard: ŝ is kept below this so that profit stays positive at the schedule."""
MIN_PROFIT_RATIO = 1e-3
"""Numerical guard: the lowest profit ratio an entrant can expect (entry nearly stops)."""


def update_demand(state: CityState, stream: Stream) -> None:
    """This year's aggregate demand shock: z ← ρ·z + σ_z·ε (nothing drawn when σ_z = 0)."""
    cfg = state.config.firms
    if cfg.demand_shock_sd == 0:
        state.demand_shock = 0.0
        return
    shock = float(stream.normal(np.zeros(1, dtype=np.int64), "aggregate demand")[0])
    state.demand_shock = cfg.demand_shock_persistence * state.demand_shock + (
        cfg.demand_shock_sd * shock
    )


def close_firms(state: CityState, stream: Stream) -> None:
    """Exit of firms by productivity, size and age; their staff are displaced (draws keyed)."""
    cfg, table = state.config.firms, state.firms
    active = np.flatnonzero(table.active)
    size = state.employment_by_firm_level().sum(axis=1)[active]
    exit_chance = firms.exit_probability(
        cfg,
        table.log_productivity[active],
        state.mean_log_productivity(),
        size,
        state.year - table.born[active],
    )
    exiting = active[stream.uniform(table.key[active], "exit") < exit_chance]
    table.active[exiting] = False
    for firm_id in exiting:
        state.firm_agents[firm_id].remove()
    closing = np.zeros(len(table), dtype=bool)
    closing[exiting] = True
    employer = state.people.employer
    staff = np.flatnonzero((employer >= 0) & closing[np.maximum(employer, 0)])
    state.separate(staff, Separation.DISPLACED)
    state.now.counters.update(firm_exits=len(exiting), displaced=len(staff))


def schedule_labour_share(state: CityState) -> float:
    """ŝ: the wage bill at the wage schedule over value added, for a firm of mean technology.

    ŝ = Σ_l share_l·w̄_l·π̄ / (value_added_share · revenue_per_worker · Σ_l share_l·m_l / π_0),
    with the employment-weighted mean demand shares and premium π̄ and the level
    productivities m_l (at wage index 1, as firms' revenue grows with the same productivity);
    π_0 = ``reference_worker_productivity``.
    """
    s, cfg = state.structure, state.config
    shares = firms.level_shares(cfg.firms, s.tech, np.zeros(s.n_fields))
    mean_share = np.average(shares, axis=0, weights=s.employment_share)
    base = np.array([cfg.city.base_wage[name] for name in LEVELS])
    premium = float(np.average(s.premium, weights=s.employment_share))
    wage = float(mean_share @ base) * premium
    output = (
        cfg.firms.value_added_share
        * cfg.firms.revenue_per_worker
        / cfg.firms.reference_worker_productivity
    )
    return wage / (output * float(mean_share @ LEVEL_PRODUCTIVITY))


def profit_ratio_by_field(state: CityState) -> np.ndarray:
    """(fields,) an entrant's expected profit relative to the set-up year.

    π_e/π_e,0 = (1 − ŝ·e^m̄)/(1 − ŝ) · (T/N)/(T_0/N_0)

    m̄ is the field's employment-weighted log wage markup (firms' posted wages over the
    schedule): where labour is scarce wages are high and entry pays less. T/N is the city's
    demand per active firm (``city_demand`` over the firms active now) against set-up: the
    more firms share the city's demand, the less an entrant expects to sell.
    """
    table, n_fields = state.firms, state.structure.n_fields
    employed = state.employment_by_firm_level()
    weight = np.bincount(table.field, weights=employed.sum(axis=1), minlength=n_fields)
    markup = np.bincount(
        table.field, weights=(employed * table.log_markup).sum(axis=1), minlength=n_fields
    ) / np.maximum(weight, 1.0)
    share = min(schedule_labour_share(state), MAX_LABOUR_SHARE)
    margin = np.maximum(1.0 - share * np.exp(markup), MIN_PROFIT_RATIO) / (1.0 - share)
    demand = state.city_demand / max(int(table.active.sum()), 1) / state.demand_per_firm0
    return margin * demand


def grow_and_enter(state: CityState, stream: Stream) -> None:
    """Growth of firms' demand-driven scale, entry on expected profit (and the park's entrants)."""
    cfg, table, gov = state.config.firms, state.firms, state.government
    active = np.flatnonzero(table.active)
    keys = table.key[active]
    innovated = np.isin(active, state.now.innovated)
    shares = firms.level_shares(
        cfg, state.structure.tech[table.field[active]], table.log_productivity[active]
    )
    growth = firms.growth_rate(
        cfg,
        state.structure.growth[table.field[active]],
        innovated,
        (shares * table.log_markup[active]).sum(axis=1),
        stream.normal(keys, "growth"),
    )
    table.size_target[active] = np.maximum(table.size_target[active] * np.exp(growth), 1.0)
    mean_a = state.mean_log_productivity()
    ratio = profit_ratio_by_field(state)
    weights = state.structure.employment_share * ratio**cfg.entry_profit_elasticity
    mean_ratio = float(np.average(ratio, weights=state.structure.employment_share))
    initial = state.count(cfg.above_scale_industrial) + state.count(cfg.other_employers)
    n_entry = stream.count("entrants", firms.entry_mean(cfg, initial, mean_ratio))
    n_park = 0
    park_weights = weights
    if gov.park_open():
        saving = park_cost_saving(state)
        park_ratio = ratio + saving
        park_weights = (
            state.structure.employment_share
            * state.structure.tech
            * (park_ratio**cfg.entry_profit_elasticity - ratio**cfg.entry_profit_elasticity)
        )
        extra = cfg.entry_rate * initial * float(park_weights.sum())
        n_park = min(stream.count("park entrants", extra), park_room(state))
    for batch, count, in_park, field_weights in (
        (FirmBatch.ENTRANT, n_entry, False, weights),
        (FirmBatch.PARK, n_park, True, park_weights),
    ):
        if count:
            _enter(state, stream, batch, count, in_park, mean_a, field_weights)
    state.city_demand *= np.exp(cfg.city_demand_growth)
    table.size_target[table.active] = firms.share_city_demand(
        table.size_target[table.active], state.city_demand
    )
    state.now.counters.update(firm_entries=n_entry + n_park, entrant_profit_ratio=mean_ratio)


def entrant_profit(state: CityState) -> float:
    """P_0: an entrant's yearly profit at set-up, RMB/yr (entry size × value added × (1 − ŝ))."""
    cfg = state.config.firms
    share = min(schedule_labour_share(state), MAX_LABOUR_SHARE)
    return cfg.entry_size * cfg.revenue_per_worker * cfg.value_added_share * (1.0 - share)


def park_cost_saving(state: CityState) -> float:
    """c: the park's land saving as a share of an entrant's expected profit at set-up.

    c = land_per_firm · land_value · land_discount / (entry_payback_years · P_0)
    """
    cfg, park = state.config, state.config.policy.park
    saving = park.land_per_firm * cfg.policy.land_value * park.land_discount
    return saving / (cfg.firms.entry_payback_years * entrant_profit(state))


def park_room(state: CityState) -> int:
    """Park entrants the land left can take: land_ha / land_per_firm (at scale) − firms there."""
    table, park = state.firms, state.config.policy.park
    capacity = math.floor(park.land_ha / park.land_per_firm * state.scale)
    return max(capacity - int((table.active & table.in_park).sum()), 0)


def _enter(
    state: CityState,
    stream: Stream,
    batch: int,
    count: int,
    in_park: bool,
    mean_a: float,
    weights: np.ndarray,
) -> None:
    s, cfg = state.structure, state.config.firms
    keys = state.firms.new_keys(state.year, batch, count)
    field = stream.choice(keys, "field", weights)
    size = np.exp(np.log(cfg.entry_size) + cfg.entry_size_sigma * stream.normal(keys, "size"))
    productivity = (
        mean_a
        + state.config.policy.park.productivity_edge * in_park
        + cfg.entry_productivity_sd * stream.normal(keys, "productivity")
    )
    add_firms(
        state,
        keys,
        field=field,
        size_target=size,
        district=stream.choice(keys, "district", s.cohort_share),
        industrial=s.industrial[field],
        in_park=in_park,
        soe=(not in_park) & (stream.uniform(keys, "soe") < cfg.soe_share),
        above_scale=size >= cfg.above_scale_size,
        log_productivity=productivity,
    )


def add_firms(state: CityState, keys: np.ndarray, **columns: Any) -> np.ndarray:
    """Add firms with ``keys`` and column values to the table and as Mesa agents."""
    columns.setdefault("above_scale", True)
    columns.setdefault("born", state.year)
    ids = state.firms.add(len(keys), key=keys, active=True, **columns)
    state.firm_agents.extend(Firm(state.model, state.firms, int(i)) for i in ids)
    return ids
