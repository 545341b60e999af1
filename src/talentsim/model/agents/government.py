"""The government: which lever applies in which year, and a ledger of every yuan by instrument."""

from __future__ import annotations

from collections import defaultdict

from talentsim.config.schema import Lever, Policy, TalentSubsidy

INSTRUMENTS = (
    "apprenticeship_subsidy",
    "coop_project_subsidy",
    "training_base_cofunding",
    "surcharge_credit",
    "rd_super_deduction",
    "land_grant",
    "park",
    "talent_subsidy",
    "coordination",
    "specialty_alignment",
    "apprentice_cost_cut",
    "retention_bonus",
    "placement_reward",
    "project_reward",
    "staff_education_deduction",
)
"""Every fiscal instrument; spending and forgone revenue are booked under one of these."""

STATUS_QUO = Policy()
"""The status-quo policy: a lever takes its status-quo value before its start year."""


class Government:
    """Applies the policy mix year by year and accounts for its fiscal cost.

    Before ``first_year`` (the first reported year: the burn-in runs before it) every lever
    takes its status-quo value, whatever its own start year says.
    """

    def __init__(self, policy: Policy, first_year: int = 0) -> None:
        """Hold ``policy`` from ``first_year`` on; the ledger starts empty."""
        self.policy = policy
        self.first_year = first_year
        self.year = 0
        self.ledger: dict[str, float] = defaultdict(float)

    def begin_year(self, year: int) -> None:
        """Start a new fiscal year: the ledger is reset."""
        self.year = year
        self.ledger = defaultdict(float)

    def lever(self, name: str) -> float:
        """A lever's value this year: its configured value from its start year, else status quo."""
        lever: Lever = getattr(self.policy, name)
        if self.year >= max(lever.start_year, self.first_year):
            return lever.value
        return getattr(STATUS_QUO, name).value

    def park_open(self) -> bool:
        """Whether the demonstration park operates this year."""
        park = self.policy.park
        return park.enabled and self.year >= max(park.start_year, self.first_year)

    def talent_subsidy_active(self) -> bool:
        """Whether the configured talent subsidies apply this year (else the status quo does)."""
        return self.year >= max(self.policy.talent_subsidy.start_year, self.first_year)

    def talent_policy(self) -> TalentSubsidy:
        """The talent subsidies paid this year: configured from their start year, else status quo.

        The status quo is Zibo's current talent policy (the schema default).
        """
        if self.talent_subsidy_active():
            return self.policy.talent_subsidy
        return STATUS_QUO.talent_subsidy

    def spend(self, instrument: str, amount: float) -> None:
        """Book ``amount`` RMB (spent or forgone) under ``instrument``."""
        if instrument not in INSTRUMENTS:
            raise KeyError(f"unknown fiscal instrument {instrument!r}")
        self.ledger[instrument] += float(amount)

    def costs(self) -> dict[str, float]:
        """This year's cost by instrument (every instrument present, zero if unused)."""
        return {name: self.ledger.get(name, 0.0) for name in INSTRUMENTS}
