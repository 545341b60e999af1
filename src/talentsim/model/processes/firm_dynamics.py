"""Firm dynamics: desired employment grows, weak firms exit, new firms enter (and the park's).

Growth: size ← max(size · exp(g_field + growth_elasticity·innovation_step·[innovated] + ε), 1),
ε ~ N(0, 0.05²). Exit with :func:`~talentsim.model.agents.firms.exit_probability`; the staff of
exiting firms become unemployed. Entrants ~ Poisson(entry_rate · active firms), each of size
lognormal(log entry_size, 0.5), field by employment share; with the demonstration park open,
Poisson(firms_attracted · scale) more enter the park in tech-intensive fields. An entrant
outside the park is an SOE with probability soe_share, so the SOE share holds in the steady
state (park entrants are private). Every draw of a
firm is keyed by the firm; the counts are inverse-CDF draws of one uniform each.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from talentsim.config.schema import SchoolSpec
from talentsim.model.agents.firms import Firm, FirmBatch, exit_probability
from talentsim.model.agents.schools import VocationalSchool, initial_points
from talentsim.model.state import CityState
from talentsim.model.states import Stage
from talentsim.model.streams import Stream

GROWTH_NOISE = 0.05
"""SD of a firm's yearly log growth shock (assumption)."""
ENTRANT_SIZE_SIGMA = 0.5
"""SD of an entrant's log size (assumption)."""
ENTRANT_PRODUCTIVITY_SD = 0.2
"""SD of an entrant's log productivity around the mean (assumption)."""
PARK_PRODUCTIVITY_EDGE = 0.1
"""Mean log-productivity advantage of a park entrant (assumption)."""
ABOVE_SCALE_SIZE = 20
"""Employment from which an entrant counts as above-scale (assumption)."""
BRANCH_COLLEGE_INTAKE = 1_000
"""Students per year of a park branch college (assumption)."""
BRANCH_COLLEGE_SPECIALTIES = 10
"""Specialty points of a park branch college (assumption)."""


def grow_exit_enter(state: CityState, stream: Stream) -> None:
    """Growth of desired employment, exit of weak firms, entry (and the park's entrants)."""
    cfg, table, gov = state.config.firms, state.firms, state.government
    active = np.flatnonzero(table.active)
    keys = table.key[active]
    innovated = np.isin(active, state.now.innovated)
    growth = (
        state.structure.growth[table.field[active]]
        + cfg.growth_elasticity * cfg.innovation_step * innovated
        + GROWTH_NOISE * stream.normal(keys, "growth")
    )
    table.size_target[active] = np.maximum(table.size_target[active] * np.exp(growth), 1.0)
    mean_a = state.mean_log_productivity()
    exit_chance = exit_probability(cfg, table.log_productivity[active], mean_a)
    exiting = active[stream.uniform(keys, "exit") < exit_chance]
    table.active[exiting] = False
    for firm_id in exiting:
        state.firm_agents[firm_id].remove()
    closing = np.zeros(len(table), dtype=bool)
    closing[exiting] = True
    employer = state.people.employer
    staff = np.flatnonzero((employer >= 0) & closing[np.maximum(employer, 0)])
    state.release(staff, Stage.UNEMPLOYED)
    n_entry = stream.count("entrants", cfg.entry_rate * len(active))
    park = state.config.policy.park
    n_park = 0
    if gov.park_open():
        n_park = stream.count("park entrants", park.firms_attracted * state.scale)
        if state.year == max(park.start_year, state.config.city.start_year):
            gov.spend("park", park.land_ha * state.config.policy.land_value)
            open_branch_colleges(state, stream)
        gov.spend("park", park.shared_base_capacity * park.base_cost)
    for batch, count, in_park in (
        (FirmBatch.ENTRANT, n_entry, False),
        (FirmBatch.PARK, n_park, True),
    ):
        if count:
            _enter(state, stream, batch, count, in_park, mean_a)
    state.now.counters.update(firm_entries=n_entry + n_park, firm_exits=len(exiting))


def _enter(
    state: CityState, stream: Stream, batch: int, count: int, in_park: bool, mean_a: float
) -> None:
    s, cfg = state.structure, state.config.firms
    keys = state.firms.new_keys(state.year, batch, count)
    weights = s.employment_share * (s.tech if in_park else 1.0)
    field = stream.choice(keys, "field", weights)
    size = np.exp(np.log(cfg.entry_size) + ENTRANT_SIZE_SIGMA * stream.normal(keys, "size"))
    productivity = (
        mean_a
        + PARK_PRODUCTIVITY_EDGE * in_park
        + ENTRANT_PRODUCTIVITY_SD * stream.normal(keys, "productivity")
    )
    add_firms(
        state,
        keys,
        field=field,
        size_target=size,
        district=stream.choice(keys, "district", s.cohort_share),
        industrial=s.industrial[field],
        in_park=in_park,
        soe=(not in_park) & (stream.uniform(keys, "soe") < cfg.soe_share),
        above_scale=size >= ABOVE_SCALE_SIZE,
        log_productivity=productivity,
    )


def add_firms(state: CityState, keys: np.ndarray, **columns: Any) -> np.ndarray:
    """Add firms with ``keys`` and column values to the table and as Mesa agents."""
    columns.setdefault("above_scale", True)
    ids = state.firms.add(len(keys), key=keys, active=True, born=state.year, **columns)
    state.firm_agents.extend(Firm(state.model, state.firms, int(i)) for i in ids)
    return ids


def open_branch_colleges(state: CityState, stream: Stream) -> None:
    """The park's branch colleges: 高职 in the tech-intensive fields."""
    s = state.structure
    rng = stream.generator("branch colleges")
    for i in range(state.config.policy.park.branch_colleges):
        spec = SchoolSpec(
            name=f"park branch college {i + 1}",
            kind="gaozhi",
            district=0,
            intake=BRANCH_COLLEGE_INTAKE,
            specialties=BRANCH_COLLEGE_SPECIALTIES,
            equipment_per_student=2 * state.config.programme_review.equipment_reference,
        )
        points = initial_points(rng, spec.specialties, s.employment_share * s.tech**2)
        state.schools.append(VocationalSchool(state.model, spec, points, state.scale))
