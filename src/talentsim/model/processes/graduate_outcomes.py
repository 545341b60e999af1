"""Graduate outcomes: where this year's graduates ended up, and the placement signal students see.

In-field placement by field (对口):
    placement_f ← ½·placement_f + ½·(k_f + 1)/(n_f + 2)
n_f are this year's graduates of field f who entered the labour market, k_f those of them in
an in-field job; students see it when they next choose a programme (½ is
``field_choice.signal_weight``).

Result-tied payments (:func:`pay_for_results`): the retention bonus per graduating apprentice
the sponsor kept, and the placement reward (奖补) per graduate of a vocational school employed
in the city in field, earned by the school (it invests it in equipment, §programme review).
"""

from __future__ import annotations

import numpy as np

from talentsim.model.state import CityState
from talentsim.model.states import STAGE_NAME, Level, Stage
from talentsim.model.streams import Stream

GRADUATE_TARGETS = ["job_in_field", "job_out_of_field", "unemployed", "left_city"]


def observe(state: CityState, stream: Stream) -> None:
    """Tally graduates' destinations and update the placement signal (draws nothing).

    The tally is kept in reported years only: only recording reads it, into the flows table.
    """
    del stream
    if state.reporting:
        _tally_graduate_flows(state)
    _update_placement(state)
    pay_for_results(state)


def pay_for_results(state: CityState) -> None:
    """Retention bonuses to sponsors and placement rewards to schools (city-scale ledger)."""
    p, gov = state.people, state.government
    graduates = state.now.graduates
    kept = (p.sponsor[graduates] >= 0) & (p.employer[graduates] == p.sponsor[graduates])
    gov.spend("retention_bonus", kept.sum() * gov.lever("retention_bonus") / state.scale)
    level = p.level[graduates]
    vocational = (level == Level.ZHONGZHI) | (level == Level.GAOZHI)
    placed = vocational & (_destination_codes(state, graduates) == 0)
    school = state.now.graduate_school[placed]
    school = school[school >= 0]
    reward = gov.lever("placement_reward")
    earned = np.bincount(school, minlength=len(state.schools)) * reward
    state.now.rewards = earned.astype(float)
    gov.spend("placement_reward", earned.sum() / state.scale)


def _destination_codes(state: CityState, rows: np.ndarray) -> np.ndarray:
    p = state.people
    employed = p.stage[rows] == Stage.EMPLOYED
    in_field = employed & (p.field[rows] == state.firms.field[np.maximum(p.employer[rows], 0)])
    return np.select([in_field, employed, p.stage[rows] == Stage.UNEMPLOYED], [0, 1, 2], 3)


def _tally_graduate_flows(state: CityState) -> None:
    p, tally = state.people, state.now.tally
    tally.add_codes("inflow", _destination_codes(state, state.now.inflow), GRADUATE_TARGETS)
    graduates = state.now.graduates
    target = _destination_codes(state, graduates)
    level = p.level[graduates]
    for code in np.unique(level):
        tally.add_codes(Level(code).name.lower(), target[level == code], GRADUATE_TARGETS)
    for stage, rows in state.now.unplaced.items():
        tally.add("applicant", f"{STAGE_NAME[stage]}_elsewhere", len(rows))


def _update_placement(state: CityState) -> None:
    p, n_fields = state.people, state.structure.n_fields
    graduates = state.now.graduates
    rows = graduates[p.field[graduates] >= 0]
    in_field = _destination_codes(state, rows) == 0
    n = np.bincount(p.field[rows], minlength=n_fields)
    k = np.bincount(p.field[rows][in_field], minlength=n_fields)
    observed = (k + 1.0) / (n + 2.0)
    signals, weight = state.signals, state.config.field_choice.signal_weight
    signals.placement = np.where(
        n > 0, (1 - weight) * signals.placement + weight * observed, signals.placement
    )
