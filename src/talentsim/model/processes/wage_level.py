"""The wage level: the city's wage index follows firms' mean productivity.

wage_index = exp(mean log A_t − mean log A_0), A weighted by firms' desired employment; every
starting wage is base_wage_level · wage_index (:meth:`CityState.base_wage`).
"""

from __future__ import annotations

import numpy as np

from talentsim.model.state import CityState
from talentsim.model.streams import Stream


def update_wage_index(state: CityState, stream: Stream) -> None:
    """Set this year's wage index from firms' productivity (draws nothing)."""
    del stream
    state.wage_index = float(np.exp(state.mean_log_productivity() - state.mean_log_productivity0))
