"""A study: every analysis the dataset's design allows, gathered for a report.

Scenario comparison and cost-effectiveness need a baseline scenario; Sobol/Morris indices need
a ``sobol``/``morris`` design; scenario discovery needs an ``lhs`` design. What does not apply
is left out with a note saying why, so one command serves every kind of sweep.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from talentsim.analysis.comparison import compare_by_year, order_scenarios, summarise
from talentsim.analysis.cost import cost_effectiveness
from talentsim.analysis.dataset import DatasetError, SweepDataset
from talentsim.analysis.discovery import PrimResult, discover
from talentsim.analysis.measures import KEY_OUTCOMES
from talentsim.analysis.sensitivity import sensitivity

if TYPE_CHECKING:
    from talentsim.analysis.optimisation import OptimisationResult

SENSITIVITY_STATISTIC = "mean"
"""Sensitivity and discovery analyse each run's horizon mean (less seed noise than one year)."""


NOISE_WARN = 0.2
"""Seed-noise share of the between-point variance above which indices are flagged."""
PAIRING_WEAK = 0.3
"""Median pair correlation below which the report warns that pairing gains little."""


@dataclass
class Study:
    """The results of analysing one dataset.

    Attributes:
        dataset: The analysed dataset.
        baseline: The baseline scenario (None when the dataset has none).
        outcomes: The outcomes analysed.
        by_year: Per scenario, outcome and year: mean, CI, paired difference.
        final: Summary at the final year.
        horizon: Summary of each run's mean over the horizon.
        cost: Cost-effectiveness by scenario and outcome.
        indices: Sobol or Morris indices.
        prim: Scenario-discovery box.
        optimisation: The trials and front of a policy search (``optimize`` design).
        notes: Why a part is missing, or what to keep in mind.

    """

    dataset: SweepDataset
    baseline: str | None
    outcomes: list[str]
    by_year: pd.DataFrame | None = None
    final: pd.DataFrame | None = None
    horizon: pd.DataFrame | None = None
    cost: pd.DataFrame | None = None
    indices: pd.DataFrame | None = None
    prim: PrimResult | None = None
    optimisation: OptimisationResult | None = None
    notes: list[str] = field(default_factory=list)


def choose_outcomes(ds: SweepDataset, requested: list[str] | None) -> list[str]:
    """The requested outcomes (checked against the dataset) or the key ones it has."""
    if requested:
        unknown = [o for o in requested if o not in ds.outcome_names]
        if unknown:
            raise DatasetError(
                f"{ds.path / 'outcomes.parquet'}: no outcome column {', '.join(map(repr, unknown))}"
                f" (--outcome); available: {', '.join(ds.outcome_names)}"
            )
        return list(dict.fromkeys(requested))
    chosen = [o for o in KEY_OUTCOMES if o in ds.outcome_names]
    return chosen or ds.outcome_names[:8]


def run_study(
    ds: SweepDataset,
    baseline: str = "baseline",
    outcomes: list[str] | None = None,
    threshold: float | None = None,
    baseline_required: bool = False,
) -> Study:
    """Run every analysis the design allows.

    Args:
        ds: The dataset.
        baseline: Baseline scenario name.
        outcomes: Outcomes to analyse (default: the key outcomes present).
        threshold: Case threshold of scenario discovery on the first outcome.
        baseline_required: Refuse (instead of skipping the comparison) when the baseline is
            absent; set when the user named it, or when the design is a scenario list. A grid
            without a 'baseline' scenario is compared with its first point.

    """
    names = choose_outcomes(ds, outcomes)
    present = set(ds.outcomes["scenario"].astype(str))
    notes = []
    if ds.kind == "grid" and baseline not in present and not baseline_required:
        baseline, first = _first_point(ds)
        notes.append(f"Grid design: differences are taken from its first point {first}.")
    elif baseline not in present:
        crossed = sorted(s for s in present if s.startswith(f"{baseline} ("))
        if crossed:
            baseline = _first_point(ds, crossed)[0]
            notes.append(f"Scenarios crossed with levers: the baseline is {baseline!r}.")
    has_baseline = baseline in present
    study = Study(
        dataset=ds, baseline=baseline if has_baseline else None, outcomes=names, notes=notes
    )
    _note_failures(ds, study)
    if has_baseline or baseline_required:
        scenarios = ds.scenarios
        study.by_year = compare_by_year(ds, baseline, names)
        study.final = _with_params(
            ds, order_scenarios(summarise(ds, baseline, names, "final"), scenarios, baseline)
        )
        study.horizon = _with_params(
            ds, order_scenarios(summarise(ds, baseline, names, "mean"), scenarios, baseline)
        )
        _note_pairing(study)
        if "fiscal_cost" in ds.outcome_names:
            study.cost = cost_effectiveness(ds, baseline, names)
        else:
            study.notes.append("No 'fiscal_cost' column: cost-effectiveness left out.")
    elif ds.kind not in ("lhs", "sobol", "morris", "optimize"):
        study.notes.append(
            f"No baseline scenario {baseline!r} in this {ds.kind} design: the scenario "
            "comparison and cost-effectiveness are left out (use --baseline NAME)."
        )
    if ds.kind in ("sobol", "morris"):
        study.indices = sensitivity(ds, names, SENSITIVITY_STATISTIC)
        _note_noise(study)
    elif ds.kind not in ("scenarios", "optimize"):
        study.notes.append(
            f"Sensitivity indices need a sobol or morris design; this one is {ds.kind!r}."
        )
    if ds.kind == "lhs":
        study.prim = discover(ds, names[0], threshold, SENSITIVITY_STATISTIC)
    if ds.kind == "optimize":
        from talentsim.analysis.optimisation import optimisation

        study.optimisation = optimisation(ds)
    return study


def _first_point(ds: SweepDataset, among: list[str] | None = None) -> tuple[str, str]:
    """The scenario of the lowest design point (among some) and its parameter values."""
    runs = ds.runs if among is None else ds.runs[ds.runs["scenario"].isin(among)]
    row = runs.sort_values("point_id").iloc[0]
    values = ", ".join(f"{p} = {row[p]}" for p in ds.params)
    return str(row["scenario"]), f"'{row['scenario']}' ({values})"


def _with_params(ds: SweepDataset, table: pd.DataFrame) -> pd.DataFrame:
    """Add each scenario's parameter values (grid and parameterised scenario designs)."""
    if not ds.params:
        return table
    values = ds.runs.drop_duplicates("scenario").set_index("scenario")[ds.params]
    return table.join(values, on="scenario")


def _note_pairing(study: Study) -> None:
    """Say so when common random numbers barely correlate paired runs (little gain from pairs)."""
    assert study.horizon is not None
    rows = study.horizon[study.horizon["scenario"] != study.baseline]
    corr = rows["pair_corr"].median()
    if len(rows) and pd.notna(corr) and corr < PAIRING_WEAK:
        study.notes.append(
            f"Paired runs are weakly correlated (median correlation {corr:.2f} of horizon "
            "means with the baseline's run of the same replication): common random numbers "
            "narrow the intervals little here, so differences need more replications."
        )


def _note_noise(study: Study) -> None:
    """Name the outcomes whose sensitivity indices mostly measure seed noise."""
    assert study.indices is not None
    share = study.indices.groupby("outcome", sort=False)["seed_noise_share"].first()
    noisy = share[share > NOISE_WARN]
    if len(noisy):
        listed = ", ".join(f"{o} ({v:.0%})" for o, v in noisy.items())
        study.notes.append(
            f"Seed noise is a large share of the variance between design points for {listed}: "
            "their indices are unreliable; add replications, raise the scale or n."
        )


def _note_failures(ds: SweepDataset, study: Study) -> None:
    status = ds.manifest.get("status")
    if status not in (None, "complete"):
        study.notes.append(
            f"The sweep's manifest says status {status!r}: runs may be missing; rerun the "
            "sweep command to complete it before drawing conclusions."
        )
    failed = ds.failed_runs
    if len(failed):
        study.notes.append(
            f"{len(failed)} of {len(ds.runs)} runs failed and are left out; pairs lose the "
            "replication of a failed run."
        )


def headline(study: Study) -> pd.DataFrame | None:
    """Scenario × outcome at the final year: 'mean [95 % CI]' and 'Δ [95 % CI]' columns."""
    if study.final is None:
        return None
    table = study.final
    cells: dict[str, dict[str, str]] = {}
    for row in table.itertuples(index=False):
        out = cells.setdefault(str(row.scenario), {})
        out[str(row.outcome)] = f"{fmt(row.mean)} [{fmt(row.ci_low)}, {fmt(row.ci_high)}]"
        if row.scenario != study.baseline:
            out[f"Δ {row.outcome}"] = (
                f"{fmt(row.diff, signed=True)} [{fmt(row.diff_low, signed=True)}, "
                f"{fmt(row.diff_high, signed=True)}]"
            )
    frame = pd.DataFrame.from_dict(cells, orient="index")
    columns = [c for o in study.outcomes for c in (o, f"Δ {o}") if c in frame.columns]
    frame = frame[columns].fillna("")
    frame.index.name = "scenario"
    return frame


def fmt(value: float, signed: bool = False) -> str:
    """A number for a table: millions as 'M', thousands separated, else 4 significant digits."""
    if pd.isna(value):
        return "–"
    sign = "+" if signed else ""
    if abs(value) == float("inf"):
        return "∞" if value > 0 else "-∞"
    if abs(value) >= 1e6:
        digits = 2 if abs(value) < 1e7 else 1 if abs(value) < 1e8 else 0
        return f"{value / 1e6:{sign},.{digits}f} M"
    if abs(value) >= 1000:
        return f"{value:{sign},.0f}"
    return f"{value:{sign}.4g}"


def key_findings(study: Study) -> list[str]:
    """One line per sensitivity outcome or discovery box, for the terminal."""
    lines = []
    if study.optimisation is not None:
        from talentsim.analysis.optimisation import findings

        lines += findings(study.optimisation)
    if study.indices is not None:
        column = "ST" if "ST" in study.indices.columns else "mu_star"
        for outcome, part in study.indices.groupby("outcome", sort=False):
            top = part.sort_values(column, ascending=False).iloc[0]
            noise = top["seed_noise_share"]
            caveat = f" (seed noise {noise:.0%})" if pd.notna(noise) and noise > NOISE_WARN else ""
            lines.append(
                f"{outcome}: largest {column} {fmt(top[column])} for {top['parameter']}{caveat}"
            )
    if study.prim is not None:
        prim = study.prim
        box = prim.box[prim.box["restricted"]]
        limits = "; ".join(
            f"{r.parameter} in [{fmt(r.low)}, {fmt(r.high)}]" for r in box.itertuples()
        )
        lines.append(
            f"PRIM box for {prim.rule}: {limits or 'no restriction'} "
            f"(coverage {prim.coverage:.0%}, density {prim.density:.0%})"
        )
    return lines
