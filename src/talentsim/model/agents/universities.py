"""Universities: local campuses that admit students, and partner universities (校城融合)."""

from __future__ import annotations

import mesa
import numpy as np

from talentsim.config.schema import ProgrammeReview, Universities
from talentsim.model.agents.schools import split_seats


class University(mesa.Agent):
    """A university: local (admits 本科 and 研究生 by field) or a partner from outside the city.

    Both kinds run cooperation projects with the city's firms; a partner's partnership forms
    and lapses over time.
    """

    def __init__(
        self,
        model: mesa.Model,
        n_fields: int,
        name: str,
        local: bool,
        capacity: float,
        benke_seats: np.ndarray | None = None,
        graduate_seats: np.ndarray | None = None,
    ) -> None:
        """Create a university with its project capacity (projects/yr at the run's scale)."""
        super().__init__(model)
        self.name = name
        self.local = local
        self.partner = local
        self.partner_years = 0
        self.capacity = capacity
        self.projects = 0
        self.expected_projects = 0.0  # this year's expected projects at city scale
        self.benke_seats = (
            benke_seats if benke_seats is not None else np.zeros(n_fields, dtype=np.int64)
        )
        self.graduate_seats = (
            graduate_seats if graduate_seats is not None else np.zeros(n_fields, dtype=np.int64)
        )
        self.establishment = {
            "benke_seats": int(self.benke_seats.sum()),
            "graduate_seats": int(self.graduate_seats.sum()),
        }
        self.reference_tightness: dict[str, float] = {}

    def review_seats(
        self, attr: str, signal: np.ndarray, tightness: float | None, params: ProgrammeReview
    ) -> None:
        """Move the seats ``attr`` (本科 or 研究生) towards demand, a bounded step a year.

        seats_f ∝ seats_f·exp(c·tanh(signal_f)), with ``signal`` the lagged log share of
        vacancies over the share of graduates by field; the total ×exp(c·tanh(Δtightness)),
        Δtightness the level's lagged log vacancies per graduate minus its value at the first
        reported year (``None`` before it: the total stays), within ±``university_seat_band``
        of the establishment; c = ``university_seat_change``. Plans are reviewed like
        vocational programmes, with a longer lag and a smaller step (enrolment quotas are set
        with the province).
        """
        seats = getattr(self, attr)
        if seats.sum() == 0:
            return
        step = params.university_seat_change
        weights = seats * np.exp(step * np.tanh(signal))
        establishment = self.establishment[attr]
        total = float(seats.sum())
        if tightness is not None:
            reference = self.reference_tightness.setdefault(attr, tightness)
            total *= np.exp(step * np.tanh(tightness - reference))
        band = params.university_seat_band
        total = np.clip(total, (1 - band) * establishment, (1 + band) * establishment)
        setattr(self, attr, split_seats(round(float(total)), weights))

    def update_partnership(
        self,
        u: float,
        params: Universities,
        coordination: float,
        demand_pressure: float,
    ) -> None:
        """A non-local university joins or leaves the city's partner circle.

        P(form) = formation_rate·(1 + a·C)·demand_pressure for a non-partner;
        P(lapse) = lapse_rate·(1 − b·C)·(f + (1 − f)·exp(−λ)) for a partner, with λ its expected
        projects this year at city scale: f + (1 − f)·P(no project), so that the odds do not
        depend on ``scale`` (at a small scale a partner's realised projects are mostly 0);
        a = ``coordination_formation``, b = ``coordination_lapse``, f = ``idle_lapse_floor``;
        ``u`` is the university's uniform draw of the year.
        """
        if self.local:
            return
        if self.partner:
            floor = params.idle_lapse_floor
            idle = floor + (1.0 - floor) * float(np.exp(-self.expected_projects))
            if u < params.lapse_rate * (1.0 - params.coordination_lapse * coordination) * idle:
                self.partner = False
                self.partner_years = 0
            else:
                self.partner_years += 1
        elif (
            u
            < params.formation_rate
            * (1.0 + params.coordination_formation * coordination)
            * demand_pressure
        ):
            self.partner = True
