"""Partnerships with universities form more often under coordination and lapse when idle."""

from __future__ import annotations

from pathlib import Path

import mesa
import numpy as np

from talentsim.config import load_config
from talentsim.config.schema import Universities
from talentsim.model.agents.universities import University

BASELINE = Path(__file__).resolve().parents[3] / "configs" / "zibo_baseline.yaml"


class City(mesa.Model):
    def __init__(self) -> None:
        super().__init__(rng=0)
        self.config = load_config(BASELINE)


def formed_share(coordination: float, pressure: float = 1.0, n: int = 4000) -> float:
    model, rng, params = City(), np.random.default_rng(1), Universities()
    formed = 0
    for _ in range(n):
        university = University(model, 12, "u", local=False, capacity=1.0)
        university.update_partnership(rng.random(), params, coordination, pressure)
        formed += university.partner
    return formed / n


def lapsed_share(projects: float, coordination: float = 0.0, n: int = 4000) -> float:
    model, rng, params = City(), np.random.default_rng(2), Universities()
    lapsed = 0
    for _ in range(n):
        university = University(model, 12, "u", local=False, capacity=1.0)
        university.partner, university.expected_projects = True, projects
        university.update_partnership(rng.random(), params, coordination, 1.0)
        lapsed += not university.partner
    return lapsed / n


def test_coordination_and_demand_pressure_raise_partnership_formation():
    base = formed_share(0.0)
    assert formed_share(1.0) > base + 0.03
    assert formed_share(0.0, pressure=3.0) > base + 0.03


def test_idle_partners_lapse_more_and_coordination_keeps_them():
    assert lapsed_share(projects=0) > lapsed_share(projects=3) + 0.02
    assert lapsed_share(projects=0, coordination=1.0) < lapsed_share(projects=0)


def test_lapse_odds_follow_expected_projects_at_city_scale():
    # 0.2 + 0.8·exp(−λ): the realised count at a small scale (mostly 0) does not enter
    params = Universities()
    for expected in (0.0, 1.0, 5.0):
        odds = params.lapse_rate * (0.2 + 0.8 * np.exp(-expected))
        assert abs(lapsed_share(projects=expected) - odds) < 0.02


def test_local_universities_never_lapse():
    model = City()
    local = University(model, 12, "local", local=True, capacity=1.0)
    local.update_partnership(0.0, Universities(lapse_rate=1.0), 0.0, 1.0)
    assert local.partner
