"""A study: every analysis the dataset's design allows, gathered for a report.

Scenario comparison and cost-effectiveness need a baseline scenario; Sobol/Morris indices need
a ``sobol``/``morris`` design; scenario discovery needs an ``lhs`` design. What does not apply
is left out with a note saying why, so one command serves every kind of sweep.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from talentsim.analysis import formats, uncertainty
from talentsim.analysis.catalogue import DEFAULT_LANG, Lang, M, N, Note
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
        uncertainty: Effects with seed and parameter uncertainty (sweeps with posterior draws).
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
    uncertainty: pd.DataFrame | None = None
    notes: list[Note] = field(default_factory=list)


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
    notes: list[Note] = []
    if ds.kind == "grid" and baseline not in present and not baseline_required:
        baseline, first = _first_point(ds)
        notes.append(Note(N.grid_first_point, first=first))
    elif baseline not in present:
        crossed = sorted(s for s in present if s.startswith(f"{baseline} ("))
        if crossed:
            baseline = _first_point(ds, crossed)[0]
            notes.append(Note(N.crossed_baseline, baseline=baseline))
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
        study.uncertainty = uncertainty.decompose(ds, baseline, names)
        if "fiscal_cost" in ds.outcome_names:
            study.cost = cost_effectiveness(ds, baseline, names)
        else:
            study.notes.append(Note(N.no_cost))
    elif ds.kind not in ("lhs", "sobol", "morris", "optimize"):
        study.notes.append(Note(N.no_baseline, baseline=baseline, kind=ds.kind))
    if ds.kind in ("sobol", "morris"):
        study.indices = sensitivity(ds, names, SENSITIVITY_STATISTIC)
        _note_noise(study)
    elif ds.kind not in ("scenarios", "optimize"):
        study.notes.append(Note(N.no_sensitivity, kind=ds.kind))
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
        study.notes.append(Note(N.pairing, corr=f"{corr:.2f}"))


def _note_noise(study: Study) -> None:
    """Name the outcomes whose sensitivity indices mostly measure seed noise."""
    assert study.indices is not None
    share = study.indices.groupby("outcome", sort=False)["seed_noise_share"].first()
    noisy = share[share > NOISE_WARN]
    if len(noisy):
        listed = ", ".join(f"{o} ({v:.0%})" for o, v in noisy.items())
        study.notes.append(Note(N.seed_noise, listed=listed))


def _note_failures(ds: SweepDataset, study: Study) -> None:
    status = ds.manifest.get("status")
    if status not in (None, "complete"):
        study.notes.append(Note(N.status, status=status))
    failed = ds.failed_runs
    if len(failed):
        study.notes.append(Note(N.failed, failed=len(failed), total=len(ds.runs)))


def headline(study: Study, lang: Lang = DEFAULT_LANG) -> pd.DataFrame | None:
    """Scenario × outcome, mean over the horizon: 'mean [95 % CI]', 'Δ [95 % CI]' and ρ.

    The same statistic as the report's headline and the dashboard's difference panels; rates
    in %, money in RMB, a difference within noise says so.
    """
    if study.horizon is None:
        return None
    table = study.horizon
    cells: dict[str, dict[str, str]] = {}
    for row in table.itertuples(index=False):
        out = cells.setdefault(str(row.scenario), {})
        name = str(row.outcome)
        level = formats.interval(name, row.ci_low, row.ci_high, lang)
        out[name] = f"{formats.value(name, row.mean, lang)} {level}"
        if row.scenario != study.baseline:
            diff = formats.interval(name, row.diff_low, row.diff_high, lang, diff=True)
            verdict = (
                f" ({M.no_difference(lang)})"
                if formats.within_noise(row.diff_low, row.diff_high)
                else ""
            )
            out[f"Δ {name}"] = f"{formats.difference(name, row.diff, lang)} {diff}{verdict}"
            out[f"ρ {name}"] = formats.sig(row.pair_corr, 2)
    frame = pd.DataFrame.from_dict(cells, orient="index")
    columns = [c for o in study.outcomes for c in (o, f"Δ {o}", f"ρ {o}") if c in frame.columns]
    frame = frame[columns].fillna("")
    frame.index.name = "scenario"
    return frame


def fmt(value: float, signed: bool = False) -> str:
    """A number for the terminal: millions as 'M', thousands separated, else 3 digits."""
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
    return formats.sig(value, signed=signed)


def key_findings(study: Study) -> list[str]:
    """One line per sensitivity outcome or discovery box, for the terminal."""
    lines = uncertainty.findings(study.uncertainty) if study.uncertainty is not None else []
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
