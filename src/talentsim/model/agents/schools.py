"""Vocational schools (中职 and 高职): programmes by field, seats, equipment, yearly review."""

from __future__ import annotations

import mesa
import numpy as np

from talentsim.config.schema import ProgrammeReview, SchoolSpec

HALF = 0.5
"""Smoothing of point counts in the specialisation signal (add-½, as a Jeffreys prior)."""
TINY = 1e-9
"""Numerical floor of a Dirichlet weight (a guard, not a coefficient)."""


class VocationalSchool(mesa.Agent):
    """A 中职 or 高职 with specialty points and seats by field and equipment that ages."""

    def __init__(
        self, model: mesa.Model, spec: SchoolSpec, points: np.ndarray, scale: float
    ) -> None:
        """Create the school from its spec with an initial allocation of specialty points."""
        super().__init__(model)
        self.name = spec.name
        self.kind = spec.kind
        self.district = spec.district
        self.intake = max(1, round(spec.intake * scale))
        self.points = points.astype(np.int64)
        self.establishment = int(spec.specialties)
        self.equipment = float(spec.equipment_per_student)
        self.opened = 0
        self.closed = 0

    @property
    def seats(self) -> np.ndarray:
        """Intake seats by field: the intake split in proportion to specialty points."""
        return split_seats(self.intake, self.points)

    def quality(self, params: ProgrammeReview) -> float:
        """Equipment quality: equipment per student over the reference, at most ``max_quality``."""
        return min(self.equipment / params.equipment_reference, params.max_quality)

    def age_equipment(self, params: ProgrammeReview, investment_per_student: float) -> None:
        """E ← E·(1 − δ) + budget + other investment per student (co-funding, bases, land)."""
        self.equipment = (
            self.equipment * (1.0 - params.equipment_depreciation)
            + params.equipment_budget
            + investment_per_student
        )

    def review_programmes(
        self,
        noise: np.ndarray,
        signal: np.ndarray,
        params: ProgrammeReview,
        alignment: float,
    ) -> None:
        """Open points in fields with strong demand signals, close them where signals are weak.

        The school sees ``signal`` (log vacancies per graduate by field, as the model provides
        it: lagged, or a shared forecast under coordination) with its own noise of SD
        signal_noise·(1 − alignment); ``noise`` is one standard normal per field. It opens one
        point in each field whose noisy signal is above +θ (``open_threshold``) and closes one
        in each offered field below −θ, strongest first, at most max_changes each; alignment
        also raises θ-crossing speed by reviewing more fields. It keeps offering at least
        ``min_offered_share`` of the fields.
        """
        noisy = signal + params.signal_noise * (1.0 - alignment) * noise
        limit = params.max_changes + round(alignment * params.max_changes)
        threshold = params.open_threshold
        openings = np.flatnonzero(noisy > threshold)
        openings = openings[np.argsort(-noisy[openings])][:limit]
        closable = np.flatnonzero((noisy < -threshold) & (self.points > 0))
        closable = closable[np.argsort(noisy[closable])][:limit]
        keep = max(round(len(self.points) * params.min_offered_share), 1)
        closable = closable[: max(0, min(len(closable), (self.points > 0).sum() - keep))]
        # teachers and rooms are reused: a school opens about as many points as it closes and
        # stays near its establishment (Zibo Vocational opened 12 / closed 11 in 5 years)
        total = int(self.points.sum())
        openings = openings[: len(closable) + int(total < self.establishment)]
        closable = closable[: len(openings) + int(total > self.establishment)]
        self.points[openings] += 1
        self.points[closable] -= 1
        self.opened, self.closed = len(openings), len(closable)


def initial_points(
    rng: np.random.Generator, total: int, weights: np.ndarray, concentration: float
) -> np.ndarray:
    """Split ``total`` specialty points over fields around ``weights`` (Dirichlet-multinomial).

    ``concentration`` is ``setup.portfolio_concentration``.
    """
    share = rng.dirichlet(np.maximum(weights / weights.sum() * concentration, TINY))
    return rng.multinomial(total, share)


def split_seats(intake: int, weights: np.ndarray) -> np.ndarray:
    """Split an intake over fields in proportion to ``weights`` (largest-remainder rounding)."""
    if weights.sum() == 0 or intake == 0:
        return np.zeros(len(weights), dtype=np.int64)
    raw = intake * weights / weights.sum()
    seats = np.floor(raw).astype(np.int64)
    seats[np.argsort(raw - seats)[::-1][: intake - seats.sum()]] += 1
    return seats


def specialisation(points: np.ndarray, offered: np.ndarray) -> np.ndarray:
    """A school's relative position in each field (错位发展, the specialty-alignment signal).

    s_f = log((p_f + ½) / (P_f + ½)) − log(Σ p / Σ P)

    with p the school's points and P the points offered by all schools of its kind: positive
    where the school is a leading provider of field f, negative where it is a marginal one.
    Under specialty alignment A a school reviews on signal − A·(crowding − s), so it grows its
    strong fields and gives up marginal duplicates, and portfolios become less alike.
    """
    share = np.log((points + HALF) / (offered + HALF))
    return share - np.log(max(points.sum(), 1) / max(offered.sum(), 1))
