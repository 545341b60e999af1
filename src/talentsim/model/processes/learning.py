"""Learning on the job: skills grow; wages follow the wage index and the worker's skill gain.

Skills (:func:`talentsim.model.skills.grow_skills`, Eurace@Unibi): general skill grows every
year, field-specific skill grows in field (对口) and decays outside it. Wages:
    w ← w · (wage_index_t / wage_index_{t−1}) · (1 + ω·Δ(s_general + s_field)), ω =
    ``skills.wage_per_skill``
"""

from __future__ import annotations

import numpy as np

from talentsim.model import skills
from talentsim.model.state import CityState
from talentsim.model.states import Stage
from talentsim.model.streams import Stream


def learn(state: CityState, stream: Stream) -> None:
    """Skill growth of the employed and their wage update (draws nothing)."""
    del stream
    p = state.people
    employed = np.flatnonzero(p.stage == Stage.EMPLOYED)
    in_field = p.field[employed] == state.firms.field[p.employer[employed]]
    general, field = p.skill_general[employed], p.skill_field[employed]  # gathered once
    before = general + field
    general, field = skills.grow_skills(state.config.skills, general, field, in_field)
    p.skill_general[employed], p.skill_field[employed] = general, field
    gain = general + field - before
    p.wage[employed] *= (state.wage_index / state.previous_wage_index) * (
        1.0 + state.config.skills.wage_per_skill * gain
    )
    state.previous_wage_index = state.wage_index
