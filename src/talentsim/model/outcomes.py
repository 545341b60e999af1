"""Outcome measures: the dissimilarity index, graduate cohorts, duplication and the flow tally."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np

RETENTION_HORIZONS = (1, 3, 5)
"""Years after graduation at which a cohort's retention is measured."""


def dissimilarity(supply: np.ndarray, demand: np.ndarray) -> float:
    """Dissimilarity of two mixes: ½·Σ_c |s_c/S − d_c/D| over cells c (0 same mix, 1 disjoint).

    With the year's new graduates as ``supply`` and its new openings as ``demand``, by field ×
    level, this is ``mismatch_flow``: the share of graduates who would have to be in another
    cell for the two mixes to agree (Duncan & Duncan; the Jackman–Roper–Layard index applied
    to flows). 0 when either side is empty.
    """
    total_s, total_d = supply.sum(), demand.sum()
    if total_s == 0 or total_d == 0:
        return 0.0
    return 0.5 * float(np.abs(supply / total_s - demand / total_d).sum())


def share(part: np.ndarray | float, whole: np.ndarray | float) -> np.ndarray | float:
    """``part / whole``, 0 where ``whole`` is 0 (a rate over an empty group)."""
    whole_ = np.asarray(whole, dtype=float)
    ratio = np.asarray(part, dtype=float) / np.where(whole_ > 0, whole_, 1.0)
    ratio = np.where(whole_ > 0, ratio, 0.0)
    return float(ratio) if ratio.ndim == 0 else ratio


@dataclass
class GraduateCohorts:
    """The graduates of local institutions who entered the labour market, by graduation year.

    One entry per graduate (columns, no per-person objects): pid, graduation year, level,
    origin (0 born in the city, 1 came to study) and whether they are still in the city.
    Cohorts are kept for the longest retention horizon and then dropped.
    """

    pid: np.ndarray = field(default_factory=lambda: np.array([], dtype=np.int64))
    year: np.ndarray = field(default_factory=lambda: np.array([], dtype=np.int16))
    level: np.ndarray = field(default_factory=lambda: np.array([], dtype=np.int8))
    origin: np.ndarray = field(default_factory=lambda: np.array([], dtype=np.int8))
    present: np.ndarray = field(default_factory=lambda: np.array([], dtype=bool))

    def update(self, year: int, gone: np.ndarray, cohort: dict[str, np.ndarray]) -> None:
        """Mark the persons with ids ``gone`` as having left, add ``year``'s cohort, drop old ones.

        Args:
            year: The year now ending.
            gone: Ids of the persons who left the city (or retired) this year.
            cohort: This year's graduates: ``pid``, ``level``, ``origin`` and ``present``
                (still in the city at the end of the year).

        """
        present = np.flatnonzero(self.present)  # only who is still here can leave
        self.present[present] = ~_members_of(self.pid[present], gone)
        keep = self.year >= year - max(RETENTION_HORIZONS)
        n = len(cohort["pid"])
        self.pid = np.concatenate([self.pid[keep], cohort["pid"]])
        self.year = np.concatenate([self.year[keep], np.full(n, year, dtype=np.int16)])
        self.level = np.concatenate([self.level[keep], cohort["level"].astype(np.int8)])
        self.origin = np.concatenate([self.origin[keep], cohort["origin"].astype(np.int8)])
        self.present = np.concatenate([self.present[keep], cohort["present"].astype(bool)])

    def members(self, graduated: int) -> np.ndarray:
        """Boolean mask of the cohort that graduated in year ``graduated``."""
        return self.year == graduated


def _members_of(values: np.ndarray, among: np.ndarray) -> np.ndarray:
    """``np.isin(values, among)`` by a binary search in sorted ``among`` (no hash table)."""
    if len(among) == 0 or len(values) == 0:
        return np.zeros(len(values), dtype=bool)
    sorted_among = np.sort(among)
    at = np.minimum(np.searchsorted(sorted_among, values), len(sorted_among) - 1)
    return sorted_among[at] == values


def duplication_index(points: np.ndarray) -> float:
    """Mean pairwise cosine similarity of schools' specialty portfolios (rows: schools).

    1 = every school offers the same mix of fields (重复设置); 0 = fully specialised.
    """
    norms = np.linalg.norm(points, axis=1)
    rows = points[norms > 0] / norms[norms > 0, None]
    if len(rows) < 2:
        return 0.0
    similarity = rows @ rows.T
    n = len(rows)
    return float((similarity.sum() - n) / (n * (n - 1)))


class FlowTally:
    """Counts of people moving between states in one year (source → target)."""

    def __init__(self) -> None:
        """Start an empty tally."""
        self.counts: Counter[tuple[str, str]] = Counter()

    def add(self, source: str, target: str, count: int) -> None:
        """Add ``count`` moves from ``source`` to ``target``."""
        if count:
            self.counts[(source, target)] += int(count)

    def add_codes(self, source: str, targets: np.ndarray, names: list[str]) -> None:
        """Add moves from ``source`` to the targets given as codes into ``names``."""
        for code, count in enumerate(np.bincount(targets, minlength=len(names))):
            self.add(source, names[code], int(count))

    def rows(self, year: int, scale: float) -> list[dict[str, object]]:
        """Tidy rows: year, source, target, count (at city scale)."""
        return [
            {"year": year, "source": s, "target": t, "count": c / scale}
            for (s, t), c in sorted(self.counts.items())
        ]
