"""TalentModel: the city, stepped one year at a time on Mesa as an ordered list of processes.

The year (ODD "process overview and scheduling") is :data:`SCHEDULE`; each process is one
module of :mod:`talentsim.model.processes` with its equations in its docstring. Each process
draws only from its own random stream for the year (:mod:`talentsim.model.streams`), so a lever
changes what it causes and nothing else. Before the first reported year the city runs
``burn_in`` years under the status quo; those years are not recorded, and every scenario of a
replication starts its reported years from the same burned-in city.
"""

from __future__ import annotations

import ctypes
import functools
import time
from collections.abc import Callable
from typing import Any

import mesa
import numpy as np
import pandas as pd

from talentsim.config.schema import CityConfig
from talentsim.model.agents.firms import FirmTable
from talentsim.model.agents.government import Government
from talentsim.model.agents.schools import VocationalSchool
from talentsim.model.agents.universities import University
from talentsim.model.people import People
from talentsim.model.processes import (
    admissions,
    ageing,
    cooperation,
    firm_dynamics,
    graduate_inflow,
    graduate_outcomes,
    labour_market,
    learning,
    migration,
    programme_review,
    recording,
    research,
    schooling,
    wage_level,
)
from talentsim.model.setup import build_city
from talentsim.model.state import CityState, ThisYear
from talentsim.model.streams import Stream, Streams

Process = Callable[[CityState, Stream], None]

SCHEDULE: tuple[tuple[str, Process], ...] = (
    ("wage_level", wage_level.update_wage_index),
    ("aggregate_demand", firm_dynamics.update_demand),
    ("ageing_and_separations", ageing.age_and_separate),
    ("firm_exits", firm_dynamics.close_firms),
    ("schooling", schooling.progress),
    ("admissions", admissions.admit),
    ("cooperation", cooperation.cooperate),
    ("graduate_inflow", graduate_inflow.arrive),
    ("labour_market", labour_market.clear),
    ("migration", migration.stay_or_leave),
    ("graduate_outcomes", graduate_outcomes.observe),
    ("learning", learning.learn),
    ("research", research.research_and_innovate),
    ("firm_dynamics", firm_dynamics.grow_and_enter),
    ("programme_review", programme_review.review),
    ("recording", recording.record),
)
"""The order of the year: (process name, process). The name also names the process's stream."""


MALLOC_MMAP_THRESHOLD, MALLOC_TRIM_THRESHOLD = 32 << 20, 512 << 20
"""Bytes: arrays up to the first come from the heap; freed memory up to the second stays in it."""


@functools.cache
def keep_freed_memory() -> bool:
    """Let glibc's malloc keep freed memory for the next arrays (True if it could be set).

    A year allocates and frees many arrays of 10⁵–10⁶ elements. By default glibc serves the
    larger ones by ``mmap``, or trims them off the heap when they are freed, so the next
    array's pages are faulted in and zeroed by the kernel again: ≈ 265 k page faults in a
    full-scale run and ≈ 10 % of its CPU time. With :data:`MALLOC_MMAP_THRESHOLD` and
    :data:`MALLOC_TRIM_THRESHOLD` set (``mallopt``) they are reused (≈ 105 k faults, the heap's
    growth); the peak memory grows by ≈ 1 %. Once per process; a no-op where the C library has
    no ``mallopt`` (not glibc).
    """
    try:
        libc = ctypes.CDLL(None)
        mallopt = libc.mallopt
    except (AttributeError, OSError, TypeError):
        return False
    m_trim_threshold, m_mmap_threshold = -1, -3  # glibc's malloc.h
    return bool(mallopt(m_mmap_threshold, MALLOC_MMAP_THRESHOLD)) and bool(
        mallopt(m_trim_threshold, MALLOC_TRIM_THRESHOLD)
    )


def _root_seed(rng: Any) -> int | np.random.SeedSequence:
    """The run's seed as the streams take it (an int, a SeedSequence, or from a Generator)."""
    if isinstance(rng, np.random.Generator):
        return int(rng.integers(2**63))
    return rng


class TalentModel(mesa.Model):
    """An agent-based model of a city's talent supply and demand.

    After construction the city has been through its burn-in and stands at the end of the year
    before ``city.start_year``; each :meth:`step` simulates and records one reported year.

    Args:
        config: The validated scenario.
        rng: Seed (int or ``numpy.random.SeedSequence``, or a Generator to draw one from);
            defaults to ``config.seed``.
        burn_in: Run the burn-in now (False leaves the city at its set-up, for inspection).

    """

    schedule: tuple[tuple[str, Process], ...] = SCHEDULE
    process_cpu: dict[str, float]
    """CPU seconds spent in each process of the schedule (and "compact") since the set-up."""

    def __init__(self, config: CityConfig, rng: Any = None, *, burn_in: bool = True) -> None:
        """Build the city and (by default) run it through the burn-in."""
        keep_freed_memory()
        seed = _root_seed(config.seed if rng is None else rng)
        super().__init__(rng=seed)
        self.process_cpu = {}
        self.streams = Streams(seed)
        first = config.city.start_year - config.burn_in - 1
        self.state = build_city(config, self, self.streams.for_process("set-up", first))
        if burn_in:
            self.run_burn_in()

    def run_burn_in(self) -> None:
        """Step the city, unrecorded, up to the end of the year before the first reported year."""
        while self.state.year < self.state.config.city.start_year - 1:
            self.step()

    def step(self) -> None:
        """Advance the city by one year: run every process of the schedule in order."""
        state = self.state
        state.year += 1
        state.now = ThisYear()
        state.government.begin_year(state.year)
        for name, process in self.schedule:
            started = time.process_time()
            process(state, self.streams.for_process(name, state.year))
            self._charge(name, started)
        started = time.process_time()
        state.people.compact()
        self._charge("compact", started)

    def _charge(self, name: str, started: float) -> None:
        """Add the CPU time since ``started`` to ``name``'s in :attr:`process_cpu`."""
        self.process_cpu[name] = self.process_cpu.get(name, 0.0) + time.process_time() - started

    def with_policy(self, config: CityConfig) -> None:
        """Adopt ``config``'s policy (and run settings) for the years still to come.

        Used on a burned-in city taken from a snapshot: every other part of ``config`` must be
        the one the city was built from.
        """
        self.state.config = config
        self.state.government.policy = config.policy

    # ------------------------------------------------------------------ the state
    @property
    def config(self) -> CityConfig:
        """The scenario the city runs."""
        return self.state.config

    @property
    def year(self) -> int:
        """The last simulated year."""
        return self.state.year

    @property
    def people(self) -> People:
        """Every person in the city, as columns."""
        return self.state.people

    @property
    def firm_table(self) -> FirmTable:
        """Every firm, as columns."""
        return self.state.firms

    @property
    def schools(self) -> list[VocationalSchool]:
        """The vocational schools (中职 and 高职)."""
        return self.state.schools

    @property
    def universities(self) -> list[University]:
        """Local and partner universities."""
        return self.state.universities

    @property
    def government(self) -> Government:
        """The government: levers by year and the fiscal ledger."""
        return self.state.government

    # ------------------------------------------------------------------ results
    def outcomes(self) -> pd.DataFrame:
        """One row per reported year, every outcome at city scale."""
        return pd.DataFrame(self.state.records)

    def flows(self) -> pd.DataFrame:
        """One row per (year, source, target): people moving between states, at city scale."""
        return pd.DataFrame(self.state.flow_rows, columns=["year", "source", "target", "count"])
