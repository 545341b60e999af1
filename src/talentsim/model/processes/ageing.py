"""Ageing and separations: everyone ages a year; workers retire, leave the city or quit.

At retirement_age a worker (employed or not) retires. Each employed worker then draws one
uniform u: u < worker_exit_rate leaves the city, worker_exit_rate ≤ u < worker_exit_rate +
quit_rate quits into unemployment (and searches in this year's labour market).
"""

from __future__ import annotations

import numpy as np

from talentsim.model.people import Event
from talentsim.model.state import CityState
from talentsim.model.states import Stage
from talentsim.model.streams import Stream


def age_and_separate(state: CityState, stream: Stream) -> None:
    """Ageing, retirement, quits and emigration of workers."""
    p, cfg = state.people, state.config
    p.age[:] += 1
    working = (p.stage == Stage.EMPLOYED) | (p.stage == Stage.UNEMPLOYED)
    retiring = np.flatnonzero(working & (p.age >= cfg.city.retirement_age))
    state.release(retiring, Stage.RETIRED)
    p.log(state.year, retiring, Event.RETIRE)
    employed = np.flatnonzero(p.stage == Stage.EMPLOYED)
    u = stream.uniform(p.pid[employed], "separation")
    exit_rate = cfg.migration.worker_exit_rate
    leaving = employed[u < exit_rate]
    quitting = employed[(u >= exit_rate) & (u < exit_rate + cfg.labour_market.quit_rate)]
    state.leave(leaving)
    state.release(quitting, Stage.UNEMPLOYED)
    state.now.counters["retired"] = len(retiring)
