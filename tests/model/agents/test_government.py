"""Levers apply from their start year; every yuan is booked under a known instrument."""

from __future__ import annotations

import pytest

from talentsim.config.schema import Lever, Policy, TalentSubsidy
from talentsim.model.agents.government import INSTRUMENTS, Government


def test_lever_applies_from_its_start_year_and_status_quo_before():
    policy = Policy(coordination=Lever(value=0.8, start_year=2027))
    gov = Government(policy)
    gov.begin_year(2026)
    assert gov.lever("coordination") == 0.0
    gov.begin_year(2027)
    assert gov.lever("coordination") == 0.8


def test_status_quo_lever_keeps_its_default_before_a_changed_start():
    gov = Government(Policy(surcharge_credit=Lever(value=0.6, start_year=2030)))
    gov.begin_year(2025)
    assert gov.lever("surcharge_credit") == pytest.approx(0.30)


def test_talent_policy_switches_at_its_start_year():
    richer = TalentSubsidy(monthly_allowance=3_000, start_year=2028)
    gov = Government(Policy(talent_subsidy=richer))
    gov.begin_year(2027)
    assert gov.talent_policy().monthly_allowance == TalentSubsidy().monthly_allowance
    gov.begin_year(2028)
    assert gov.talent_policy().monthly_allowance == 3_000


def test_park_opens_only_when_enabled_and_started():
    gov = Government(Policy(park={"enabled": True, "start_year": 2026}))
    gov.begin_year(2025)
    assert not gov.park_open()
    gov.begin_year(2026)
    assert gov.park_open()
    closed = Government(Policy())
    closed.begin_year(2030)
    assert not closed.park_open()


def test_ledger_books_by_instrument_and_resets_each_year():
    gov = Government(Policy())
    gov.begin_year(2025)
    gov.spend("park", 10.0)
    gov.spend("park", 5.0)
    costs = gov.costs()
    assert set(costs) == set(INSTRUMENTS)
    assert costs["park"] == 15.0
    gov.begin_year(2026)
    assert sum(gov.costs().values()) == 0.0


def test_unknown_instrument_is_refused():
    gov = Government(Policy())
    with pytest.raises(KeyError, match="bribes"):
        gov.spend("bribes", 1.0)
