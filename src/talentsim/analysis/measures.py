"""What the outcome columns mean for analysis: which way is better, which add up over years."""

from __future__ import annotations

KEY_OUTCOMES = (
    "retention_3y",
    "retention_3y_local",
    "retained_skilled_3y",
    "employment_rate",
    "in_field_rate",
    "mismatch_flow",
    "firm_participation_rate",
    "rd_intensity",
    "value_added",
    "fiscal_cost",
)
"""Default outcomes of ``talentsim analyze`` (those present in the dataset)."""

LOWER_IS_BETTER = frozenset(
    {
        "mismatch_flow",
        "unemployment_rate",
        "duplication_index",
        "fiscal_cost",
        "vacancy_rate",
    }
)

FLOW_OUTCOMES = frozenset(
    {
        "graduates",
        "graduates_zhongzhi",
        "graduates_gaozhi",
        "graduates_benke",
        "graduates_graduate",
        "retained_skilled_3y",
        "graduate_inflow",
        "vacancies",
        "coop_projects",
        "apprentices",
        "rd_spending",
        "tech_transfer_output",
        "value_added",
        "innovations",
        "firm_entries",
        "firm_exits",
        "programmes_opened",
        "programmes_closed",
        "fiscal_cost",
    }
)
"""Yearly flows (people or RMB per year): their sum over the horizon is meaningful."""


def lower_is_better(outcome: str) -> bool:
    """Whether a smaller value of ``outcome`` is an improvement."""
    return outcome in LOWER_IS_BETTER or outcome.startswith(
        ("fiscal_cost_", "shortage_", "surplus_", "mismatch_flow_")
    )


def is_flow(outcome: str) -> bool:
    """Whether ``outcome`` is a yearly flow (summed over the horizon) rather than a level/rate."""
    return outcome in FLOW_OUTCOMES or outcome.startswith(("fiscal_cost_", "graduates_"))
