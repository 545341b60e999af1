"""Universities: local campuses that admit students, and partner universities (校城融合)."""

from __future__ import annotations

import mesa
import numpy as np

from talentsim.config.schema import Universities


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

    def update_partnership(
        self,
        u: float,
        params: Universities,
        coordination: float,
        demand_pressure: float,
    ) -> None:
        """A non-local university joins or leaves the city's partner circle.

        P(form) = formation_rate·(1 + 2·C)·demand_pressure for a non-partner;
        P(lapse) = lapse_rate·(1 − C/2)·(0.2 + 0.8·exp(−λ)) for a partner, with λ its expected
        projects this year at city scale: 0.2 + 0.8·P(no project), so that the odds do not
        depend on ``scale`` (at a small scale a partner's realised projects are mostly 0);
        ``u`` is the university's uniform draw of the year.
        """
        if self.local:
            return
        if self.partner:
            idle = 0.2 + 0.8 * float(np.exp(-self.expected_projects))
            if u < params.lapse_rate * (1.0 - coordination / 2) * idle:
                self.partner = False
                self.partner_years = 0
            else:
                self.partner_years += 1
        elif u < params.formation_rate * (1.0 + 2.0 * coordination) * demand_pressure:
            self.partner = True
