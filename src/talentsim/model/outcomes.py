"""Outcome measures computed from a year's tallies: mismatch indices and the flow table."""

from __future__ import annotations

from collections import Counter

import numpy as np


def mismatch_jrl(unemployed: np.ndarray, vacancies: np.ndarray) -> float:
    """Jackman–Roper–Layard mismatch: ½·Σ_f |u_f/U − v_f/V| (0 = same mix, 1 = disjoint)."""
    total_u, total_v = unemployed.sum(), vacancies.sum()
    if total_u == 0 or total_v == 0:
        return 0.0
    return 0.5 * float(np.abs(unemployed / total_u - vacancies / total_v).sum())


def mismatch_sahin(unemployed: np.ndarray, vacancies: np.ndarray, alpha: float = 0.5) -> float:
    """Şahin, Song, Topa & Violante (2014) index: 1 − Σ_f (v_f/V)^α (u_f/U)^(1−α).

    With equal matching efficiency across fields; the share of hires lost to misallocation.
    """
    total_u, total_v = unemployed.sum(), vacancies.sum()
    if total_u == 0 or total_v == 0:
        return 0.0
    return 1.0 - float(
        ((vacancies / total_v) ** alpha * (unemployed / total_u) ** (1 - alpha)).sum()
    )


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
