"""Persons stored column-wise: one row per person, numpy columns, an event log for life courses.

Rows of people who have left the city or retired are moved to an archive at the end of each
year, so the yearly rules work on the people still in the city while every life course stays
available (:meth:`People.individuals`, :meth:`People.trace`).
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any

import numpy as np
import pandas as pd

from talentsim.model.states import Level, Stage
from talentsim.model.streams import KeyIssuer

COLUMNS: dict[str, Any] = {
    "pid": np.int64,
    "age": np.int16,
    "district": np.int8,
    "origin": np.int8,  # 0 born in the city, 1 came from outside
    "ability": np.float32,
    "family": np.float32,
    "stage": np.int8,
    "level": np.int8,
    "field": np.int8,  # -1: no field (general track)
    "school": np.int16,  # index of school or university while studying, -1 otherwise
    "years_in_stage": np.int8,
    "skill_general": np.float32,
    "skill_field": np.float32,
    "employer": np.int32,  # firm id, -1 none
    "wage": np.float32,  # RMB/yr
    "sponsor": np.int32,  # firm id of an apprenticeship, -1 none
    "graduation_year": np.int16,  # year of the last completed level, 0 none
    "allowance_years": np.int8,  # talent-allowance years still to be paid
    "destination": np.int8,  # index of the outside destination after leaving, -1
    "unemployed_since": np.int16,  # year the current spell of unemployment began, 0 none
    "unemployment_origin": np.int8,  # why it began: Separation (entrant, displaced, quit)
}


class Separation(IntEnum):
    """How a spell of unemployment began (``unemployment_origin``)."""

    ENTRANT = 0  # new graduate, in-migrant graduate, or anyone entering the labour market
    DISPLACED = 1  # the employer closed or laid the worker off
    QUIT = 2  # the worker quit


class Entry(IntEnum):
    """How a person entered the city (the ENTER event's ``a``; batches Entry·20 + k of the id)."""

    COHORT = 0  # 15-year-olds of the city
    GRADUATE_INFLOW = 1  # graduates from outside who come to seek work
    STUDENT_INFLOW = 2  # students from outside admitted to the city's colleges
    INITIAL = 3  # the workforce and the students of the set-up year


class Event(IntEnum):
    """Life-course events written to the log; ``a`` and ``b`` are event-specific values."""

    ENTER = 0  # a: Entry
    ADMIT = 1  # a: stage, b: school index
    FIELD = 2  # a: field
    GRADUATE = 3  # a: level completed
    APPRENTICE = 4  # a: sponsor firm
    HIRE = 5  # a: firm, b: 1 in field / 0 out of field
    SEPARATE = 6  # a: firm
    LEAVE = 7  # a: destination
    RETIRE = 8


class People:
    """The city's persons as numpy columns (``people.age``, ``people.stage``, ...)."""

    def __init__(self, capacity: int = 1024) -> None:
        """Create an empty store with room for ``capacity`` rows."""
        self._data = {name: np.zeros(capacity, dtype=dt) for name, dt in COLUMNS.items()}
        self.n = 0
        self._ids = KeyIssuer()
        self._archive: list[dict[str, np.ndarray]] = []
        self._events: list[tuple[np.ndarray, ...]] = []

    def __getattr__(self, name: str) -> np.ndarray:
        """Column ``name`` as a view of the live rows."""
        data = self.__dict__.get("_data")
        if data is not None and name in data:
            return data[name][: self.n]
        raise AttributeError(name)

    def __setattr__(self, name: str, value: Any) -> None:
        """Assigning to a column writes into its live rows (``people.age += 1`` stays a column)."""
        data = self.__dict__.get("_data")
        if data is not None and name in data:
            data[name][: self.n] = value
        else:
            super().__setattr__(name, value)

    def __len__(self) -> int:
        """Number of live rows."""
        return self.n

    def new_ids(self, year: int, batch: int, count: int) -> np.ndarray:
        """Ids of ``count`` new persons of entry ``batch`` in ``year`` (:class:`KeyIssuer`).

        The k-th person of a batch and year has the same id in every scenario of a run, so the
        draws keyed by pid give the same person the same numbers there.
        """
        return self._ids.issue(year, batch, count)

    def add(self, pid: np.ndarray, **values: Any) -> np.ndarray:
        """Append the persons with ids ``pid``; ``values`` give columns (scalars or arrays).

        Returns:
            The row indices of the new persons.

        """
        count = len(pid)
        self._reserve(self.n + count)
        rows = slice(self.n, self.n + count)  # a slice: cheaper to write than an index array
        defaults = {"field": -1, "school": -1, "employer": -1, "sponsor": -1, "destination": -1}
        for name, column in self._data.items():
            column[rows] = values.get(name, defaults.get(name, 0))
        self._data["pid"][rows] = pid
        self.n += count
        return np.arange(rows.start, rows.stop)

    def _reserve(self, size: int) -> None:
        capacity = len(self._data["pid"])
        if size <= capacity:
            return
        new_capacity = max(size, int(capacity * 1.5))
        for name, column in self._data.items():
            grown = np.zeros(new_capacity, dtype=column.dtype)
            grown[: self.n] = column[: self.n]
            self._data[name] = grown

    def log(self, year: int, rows: np.ndarray, event: Event, a: Any = -1, b: Any = -1) -> None:
        """Record ``event`` for the persons at ``rows`` (vectorised)."""
        if len(rows) == 0:
            return
        count = len(rows)
        self._events.append(
            (
                np.full(count, year, dtype=np.int16),
                self.pid[rows].copy(),
                np.full(count, int(event), dtype=np.int8),
                np.broadcast_to(np.asarray(a, dtype=np.int32), (count,)).copy(),
                np.broadcast_to(np.asarray(b, dtype=np.int32), (count,)).copy(),
            )
        )

    def compact(self) -> None:
        """Archive the rows of people who left or retired; keep the rest contiguous."""
        gone = (self.stage == Stage.LEFT) | (self.stage == Stage.RETIRED)
        if not gone.any():
            return
        # index arrays once: gathering with them beats a boolean mask per column
        leaving, keep = np.flatnonzero(gone), np.flatnonzero(~gone)
        self._archive.append({name: column[leaving] for name, column in self._data.items()})
        for column in self._data.values():
            column[: len(keep)] = column[keep]
        self.n = len(keep)

    def forget_history(self) -> None:
        """Drop the event log and the archive of people who left (a lean burned-in snapshot).

        The yearly rules never read them; only :meth:`individuals`, :meth:`events` and
        :meth:`trace` do, which then start from this moment.
        """
        self._archive.clear()
        self._events.clear()

    def individuals(self) -> pd.DataFrame:
        """A table of every person ever simulated, in their latest state, one row each."""
        parts = [*self._archive, {name: col[: self.n] for name, col in self._data.items()}]
        frame = pd.DataFrame({name: np.concatenate([p[name] for p in parts]) for name in COLUMNS})
        frame["stage"] = pd.Categorical.from_codes(frame["stage"], [s.name for s in Stage])
        frame["level"] = pd.Categorical.from_codes(frame["level"], [lv.name for lv in Level])
        return frame.sort_values("pid").reset_index(drop=True)

    def events(self) -> pd.DataFrame:
        """The whole event log: year, pid, event, a, b."""
        if not self._events:
            columns = ["year", "pid", "event", "a", "b"]
            return pd.DataFrame({c: np.array([], dtype=np.int64) for c in columns})
        year, pid, event, a, b = (
            np.concatenate(parts) for parts in zip(*self._events, strict=True)
        )
        frame = pd.DataFrame({"year": year, "pid": pid, "event": event, "a": a, "b": b})
        frame["event"] = pd.Categorical.from_codes(frame["event"], [e.name for e in Event])
        return frame

    def trace(self, pid: int) -> pd.DataFrame:
        """The life course of one person: their events in order, in readable columns.

        Columns: year, pid, event, and what the event is about where it applies (else missing):
        entry (how they came), stage and school (admission), field (programme chosen),
        level (completed), firm (apprenticeship, hire, separation), in_field (hire, 对口),
        destination (index of the outside destination; -1 study elsewhere).
        """
        log = self.events()
        log = log[log["pid"] == pid].reset_index(drop=True)
        event, a, b = log["event"].astype(str), log["a"], log["b"]

        def where(events: tuple[str, ...], values: pd.Series) -> pd.Series:
            return values.where(event.isin(events)).astype("Int64")

        def named(events: tuple[str, ...], codes: type[IntEnum]) -> pd.Series:
            names = {int(member): member.name for member in codes}
            return a.map(names).where(event.isin(events))

        return pd.DataFrame(
            {
                "year": log["year"].astype(int),
                "pid": log["pid"],
                "event": event,
                "entry": named(("ENTER",), Entry),
                "stage": named(("ADMIT",), Stage),
                "school": where(("ADMIT",), b),
                "field": where(("FIELD",), a),
                "level": named(("GRADUATE",), Level),
                "firm": where(("APPRENTICE", "HIRE", "SEPARATE"), a),
                "in_field": (b == 1).where(event == "HIRE").astype("boolean"),
                "destination": where(("LEAVE",), a),
            }
        )
