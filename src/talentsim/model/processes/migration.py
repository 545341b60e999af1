"""Migration: new graduates, in-migrants, the unemployed and the employed stay or leave.

P(stay) = σ(β·log y_local − logsum_d V_d + bias − penalty·unemployed − network·leavers)
(:func:`stay_probability`), with V_d = β·log(w_ref·wage_ratio_d + amenity_d) + log weight_d
(:func:`outside_utilities`); a leaver goes to argmax_d V_d + ε_d, ε Gumbel (keyed by person).
The unemployed value staying at their expected income while searching
(:func:`searching_income`). Every employed worker reconsiders each year too, with y_local =
their wage plus the talent allowance while they receive it, and bias + ``employed_attachment``;
an employed leaver takes a job outside (a job-to-job move out of the city). The workers of the
city's other employers (stage ``OTHER_EMPLOYER``) reconsider in the same way, at their wage.

Talent subsidies (Zibo talent policy, :func:`talent_subsidy`): new graduates with 本科 or above
who stay (local graduates and in-migrants alike) are entitled to the allowance for ``years``
years; it is paid, 12 months a year, only in the years they are employed in the city (with
social insurance) and stops when they leave; 研究生 employed in the city in their graduation
year also get the housing grant, once. The subsidy enters the stay decision of the employed
(new graduates: its yearly value incl. the amortised housing grant; others: the allowance
while entitled); the unemployed get none.
"""

from __future__ import annotations

import numpy as np

from talentsim.config.schema import CityConfig, Destination, Migration
from talentsim.model.education import logistic
from talentsim.model.state import MONTHS, CityState
from talentsim.model.states import MARKET_LEVEL, N_MARKET_LEVELS, Level, Stage, employed_in_city
from talentsim.model.streams import Stream


def outside_utilities(
    params: Migration, destinations: list[Destination], reference_wage: np.ndarray
) -> np.ndarray:
    """(n, D) utility of each destination: β·log(w_ref·wage_ratio_d + amenity_d) + log weight_d."""
    ratio = np.array([d.wage_ratio for d in destinations])
    amenity = np.array([d.amenity for d in destinations])
    weight = np.array([d.weight for d in destinations])
    income = np.maximum(reference_wage[:, None] * ratio[None, :] + amenity[None, :], 1.0)
    return params.beta_income * np.log(income) + np.log(weight)[None, :]


def option_value(outside: np.ndarray) -> np.ndarray:
    """logsum_d V_d of each row of (n, D) outside utilities: the value of the outside options."""
    top = outside.max(axis=1)
    return np.log(np.exp(outside - top[:, None]).sum(axis=1)) + top


def stay_probability(
    params: Migration,
    local_income: np.ndarray,
    outside_value: np.ndarray,
    migrant: np.ndarray,
    unemployed: np.ndarray,
    leaver_share: float,
    settled: np.ndarray | None = None,
) -> np.ndarray:
    """P(stay) = σ(β·log y_local − logsum_d V_d + bias − penalty·unemployed − network·leavers).

    y_local is the local wage (or the reservation income when unemployed) plus talent subsidies;
    ``outside_value`` is logsum_d V_d (:func:`option_value`); bias is home_bias for people born
    here and migrant_home_bias for in-migrants, plus employed_attachment for workers already
    settled in a local job (``settled``); leavers is the share of last year's graduates who left
    (network effect, Gürsoy & Badur).
    """
    utility = np.maximum(local_income, 1.0)  # one array, the rest in place, in this order
    np.log(utility, out=utility)
    utility *= params.beta_income
    utility -= outside_value
    bias = np.where(migrant, params.migrant_home_bias, params.home_bias)
    if settled is not None:
        np.add(bias, params.employed_attachment, out=bias, where=settled)
    utility += bias
    np.subtract(utility, params.unemployed_penalty, out=utility, where=unemployed)
    utility -= params.network * leaver_share
    return logistic(utility)


def choose_destination(outside: np.ndarray, noise: np.ndarray) -> np.ndarray:
    """Destination of each leaver: argmax of utility plus Gumbel ``noise`` (multinomial logit)."""
    return np.argmax(outside + noise, axis=1).astype(np.int8)


def stay_or_leave(state: CityState, stream: Stream) -> None:
    """Deciders stay or leave; the talent subsidies of stayers are granted and paid.

    Everyone's keyed draw comes first: a settled worker (not a new graduate) whose draw is
    below :func:`stay_floor` of their level, a lower bound of every such worker's P(stay),
    stays whatever their wage; only the others' P(stay) is valued (the same decisions).
    """
    p = state.people
    graduates, inflow = state.now.graduates, state.now.inflow
    newcomer = np.zeros(len(p), dtype=bool)
    newcomer[graduates] = True
    newcomer[inflow] = True
    working = employed_in_city(p.stage)
    deciding = (p.stage == Stage.UNEMPLOYED) | working | newcomer
    deciders = np.flatnonzero(deciding & (p.stage != Stage.LEFT))
    draw = stream.uniform(p.pid[deciders], "stay")
    settled = working[deciders] & ~newcomer[deciders]
    market_level = MARKET_LEVEL[p.level[deciders]]
    outside = _outside(state)
    floor = stay_floor(state, outside, p.wage[deciders], market_level, settled)
    new = p.graduation_year[deciders] == state.year
    valued = np.flatnonzero(~settled | new | (draw >= floor[market_level]))
    rows = deciders[valued]
    stay = draw[valued] < _stay_chance(state, outside, rows, settled[valued])
    state.now.counters["employed_leavers"] = int((~stay & settled[valued]).sum())
    leavers = rows[~stay]
    noise = stream.gumbel(p.pid[leavers], "destination", outside.shape[1])
    state.leave(leavers, choose_destination(outside[_cell(state, leavers)], noise))
    _pay_talent_subsidies(state, rows[stay & new[valued]])
    local_graduates = graduates[p.origin[graduates] == 0]
    if len(local_graduates):
        state.signals.leaver_share = float((p.stage[local_graduates] == Stage.LEFT).mean())


def _cell(state: CityState, rows: np.ndarray) -> np.ndarray:
    """The (market level, field) cell of the persons at ``rows`` (no field: field 0)."""
    p = state.people
    n_fields = state.structure.n_fields
    return MARKET_LEVEL[p.level[rows]].astype(np.int64) * n_fields + np.maximum(p.field[rows], 0)


def _outside(state: CityState) -> np.ndarray:
    """(cells, D) the outside utilities of each (market level, field) cell."""
    cfg = state.config
    reference = state.reference_wages().ravel()
    return outside_utilities(cfg.migration, cfg.city.destinations, reference)


def _stay_chance(
    state: CityState, outside: np.ndarray, rows: np.ndarray, settled: np.ndarray
) -> np.ndarray:
    """P(stay) of the deciders at ``rows`` (:func:`stay_probability`), ``settled`` theirs.

    ``outside`` is :func:`_outside` of the year: the outside options depend on the (market
    level, field) cell only, valued once per cell.
    """
    p, cfg = state.people, state.config
    cell = _cell(state, rows)
    reference = state.reference_wages().ravel()[cell]
    unemployed = p.stage[rows] == Stage.UNEMPLOYED
    new = p.graduation_year[rows] == state.year
    subsidy = talent_subsidy(state, rows, new, ~unemployed)
    local = (
        np.where(
            unemployed,
            searching_income(cfg, reference, state.signals.job_finding),
            p.wage[rows],
        )
        + subsidy
    )
    return stay_probability(
        cfg.migration,
        local,
        option_value(outside)[cell],
        p.origin[rows] == 1,
        unemployed,
        state.signals.leaver_share,
        settled,
    )


STAY_FLOOR_MARGIN = 1e-9
"""Taken off :func:`stay_floor`: far above the rounding of the floating-point P(stay)."""


def stay_floor(
    state: CityState,
    outside: np.ndarray,
    wage: np.ndarray,
    market_level: np.ndarray,
    settled: np.ndarray,
) -> np.ndarray:
    """(market levels,) a lower bound of P(stay) of every settled worker of each level.

    P(stay) rises with the local income and falls with the outside value: the bound values
    the lowest wage of the level's settled workers (``wage``, ``market_level`` and
    ``settled`` of every decider) with the lowest talent income, the highest outside value
    of the level's cells (``outside``: :func:`_outside`) and the lower home bias; less
    :data:`STAY_FLOOR_MARGIN`. 0 for a level without settled workers.
    """
    cfg = state.config.migration
    every_level = np.arange(len(Level))
    least_subsidy = min(
        0.0,
        float(running_allowance(state, every_level).min()),
        float(state.talent_income(every_level).min()),
    )
    outside_value = option_value(outside).reshape(N_MARKET_LEVELS, -1).max(axis=1)
    lowest = np.full(N_MARKET_LEVELS + 1, np.inf)  # the last: the deciders not settled
    # float64: numpy's float32 minimum.at is 20x slower on these wages
    np.minimum.at(lowest, np.where(settled, market_level, N_MARKET_LEVELS), wage.astype(float))
    floor = np.zeros(N_MARKET_LEVELS)
    for level in np.flatnonzero(np.isfinite(lowest[:N_MARKET_LEVELS])):
        income = max(float(lowest[level]) + least_subsidy, 1.0)
        utility = (
            cfg.beta_income * np.log(income)
            - outside_value[level]
            + min(cfg.home_bias, cfg.migrant_home_bias)
            + cfg.employed_attachment
            - cfg.network * state.signals.leaver_share
        )
        floor[level] = max(float(logistic(utility)) - STAY_FLOOR_MARGIN, 0.0)
    return floor


def searching_income(cfg: CityConfig, reference: np.ndarray, job_finding: float) -> np.ndarray:
    """Expected local income of an unemployed person: y = f·w_ref + (1 − f)·b.

    f is the share of last market's unemployed seekers who found a job (the city's
    job-finding rate), w_ref the starting wage of their level and field and b =
    unemployed_income_share · reservation_ratio · w_ref what they live on while searching. A
    slack market (low f) pushes the unemployed out; a tight one keeps them searching.
    """
    fallback = cfg.migration.unemployed_income_share * cfg.labour_market.reservation_ratio
    return reference * (job_finding + (1.0 - job_finding) * fallback)


def running_allowance(state: CityState, level: np.ndarray) -> np.ndarray:
    """Yearly talent allowance of a recipient of ``level``: 12·allowance (研究生 × multiplier)."""
    policy = state.government.talent_policy()
    multiplier = np.where(level >= Level.GRADUATE, policy.graduate_multiplier, 1.0)
    return MONTHS * multiplier * policy.monthly_allowance


def talent_subsidy(
    state: CityState, rows: np.ndarray, new: np.ndarray, employed: np.ndarray
) -> np.ndarray:
    """The talent income a decider counts on if they stay (RMB/yr); 0 for the unemployed.

    A new graduate employed in the city: the yearly value of the subsidies of their level
    (:meth:`CityState.talent_income`); an employed worker still entitled: the allowance; others 0.
    """
    p = state.people
    level = p.level[rows]
    every_level = np.arange(len(Level))  # valued once per level, then gathered
    allowance = running_allowance(state, every_level)[level]
    entitled = np.where(p.allowance_years[rows] > 0, allowance, 0.0)
    return np.where(employed, np.where(new, state.talent_income(every_level)[level], entitled), 0.0)


def _pay_talent_subsidies(state: CityState, new_stayers: np.ndarray) -> None:
    """Entitle new stayers with 本科+; pay the employed entitled; count every entitlement down.

    The entitlement runs for ``years`` after graduation (or arrival); a year's allowance is paid
    only to those employed in the city that year, by a modelled firm or one of the city's other
    employers. The housing grant goes once to 研究生 employed in the city in their graduation
    year.
    """
    p, gov = state.people, state.government
    policy = gov.talent_policy()
    eligible = new_stayers[p.level[new_stayers] >= Level.BENKE]
    p.allowance_years[eligible] = policy.years
    housed = eligible[(p.level[eligible] >= Level.GRADUATE) & employed_in_city(p.stage[eligible])]
    gov.spend("talent_subsidy", len(housed) * policy.housing_grant / state.scale)
    entitled = np.flatnonzero(p.allowance_years > 0)
    entitled = entitled[p.stage[entitled] != Stage.LEFT]
    paid = entitled[employed_in_city(p.stage[entitled])]
    gov.spend("talent_subsidy", running_allowance(state, p.level[paid]).sum() / state.scale)
    state.now.counters["talent_subsidy_recipients"] = len(paid)
    p.allowance_years[entitled] -= 1
