"""docs/calibration.md: the calibration table and the stylized facts, regenerated from code.

``validate`` runs the baseline over the targets file's seeds (and the comparison scenarios the
facts need), ``render`` turns the results into Markdown. ``talentsim calibrate --report-only``
calls both and writes the file atomically.
"""

from __future__ import annotations

import math
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from talentsim.calibration.evaluate import (
    measure_runs,
    replicate,
    replication_seeds,
    summarise,
)
from talentsim.calibration.facts import Fact, check_facts
from talentsim.calibration.fit import current
from talentsim.calibration.tables import (
    IDENTIFIED,
    STRONG_CORRELATION,
    WEAK,
    correlations,
    identification,
    predictive,
)
from talentsim.calibration.targets import Target, TargetsFile, check_columns
from talentsim.config import resolve_config
from talentsim.config.schema import CityConfig

NOTES = """## Notes and interpretation

- **Which graduates "stay".** The ~80 % figure is Shandong's share of graduates staying in the
  province. The city-level target is `retention_1y_local`: local-born graduates of the
  city's own schools and universities (all levels) still in the city one year after they
  graduated and entered the labour market. A city keeps fewer than its province (stayers
  move to Jinan and Qingdao), hence 70 % (60–80 %). Retention of every graduate
  (`retention_1y`, including students who came from outside to study here), by level and at
  3 and 5 years is reported in the outcomes but not targeted.
- **Money figures of the Zibo policy paper (2023).** 10 亿多元 is 1+ bn RMB, not 10+ bn;
  200 多亿元 is 20+ bn. Both, and the 500 余个 projects, are cumulative since 校城融合 began;
  the model compares its first five years (2024–2028) with them, so project R&D is ~2 M RMB a
  project and output ~20 RMB per RMB of project R&D.
- **Specialty points.** Schools review programmes on relative demand (a field's share of
  vacancies over its share of graduates) and open about as many points as they close, so the
  city stays at ~412 points while the mix moves (duplication is what changes).
- **Leading 高职.** 12 majors opened and 11 closed in 5 years is ~4.6 changes a year; the model
  allows at most 2 openings and 2 closings a school a year.
- **Firm participation** has no published Zibo figure; the 8–25 % band is an assumption
  anchored on Zibo Vocational's 966 partner firms and the ~20 % of German firms that train.
- **Scale.** Counts are scaled back to the city, but matching is not scale-free: at small
  scales (0.02–0.05) there are fewer vacancy cells per field to search, so in-field matching
  and graduates' employment come out lower, and the yearly project counts are a handful, so
  their sums are noisy. The fit and this report run at the converged scale 0.25
  (docs/scale.md), one run per particle on the runner's process pool. The regression test
  (tests/calibration, scale 0.03) leaves the noisy sums and graduates' employment out.
- **Targets, checks, validation.** Fitted targets carry information about the free
  parameters; checks do not: specialty points are held at the establishment by the
  open-as-many-as-you-close rule, 中职 → 本科 is the top-10 % rule, the districts are the
  config, the graduate inflow and its 本科 share are inputs, project R&D and transfer output
  are the fitted project count times constants, and the leading 高职's changes are met by the
  cap of 2 + 2 a year. Held-out patterns are never in the distance. Two moments the issue
  asked for are not outcomes of the model yet: destination shares of leavers (the flows know
  only `left_city`) and 中职 continuation by ability.
- **What the fit can and cannot say.** ABC-SMC with one run per particle and a tolerance that
  shrinks to the median distance needs several generations before the posterior is much
  narrower than the prior; a short fit leaves most parameters close to their priors (see the
  identification table), and its predictive intervals are wide. A validation pattern inside
  its band under a wide posterior is weak evidence: the patterns' bands are wide too.
- **In-field rates by level.** With one own-field contact share for every level the model's
  高职 in-field rate came out the highest (0.81) while the surveys put it lowest of the three
  (0.62 against 0.71 for 本科): the 高职 market is the most crowded (about 2.8 seekers a
  slot against 2.2–2.5), so firms' preference for a field match decides more of its hires.
  高职 graduates now have their own share of contacts in their field
  (`own_field_contacts_gaozhi`, fitted): their search runs less through their major. It
  spends one of the targets' degrees of freedom: the three in-field rates are fitted by three
  parameters (the two shares and `in_field_priority`), so they test the mechanism little, and
  the held-out patterns carry the validation.
- **Parameter uncertainty in policy results.** An experiment with
  `posterior: {file: ../configs/calibration/posterior.csv, draws: D}` (experiments/
  recommendations.yaml) gives replication r the posterior draw r mod D in every scenario, so
  effects stay paired; `talentsim analyze` then reports each effect's 95 % interval at fixed
  parameters (seeds only) and with parameter uncertainty, and the share of the variance that
  is parameter uncertainty (within-draw seed variance vs between-draw variance of the paired
  effect, analysis/uncertainty.py).
- **Stylized fact 3, honestly.** Without coordination schools review programmes on a 2-year
  lagged, noisy signal and students take 3 years to graduate, so supply follows demand late;
  the mismatch of new graduates against new openings (`mismatch_flow`) does not die out over
  the run. A coordination body with
  specialty alignment halves the duplication index within the run, but mismatch falls only
  slightly within 10 years: the pipeline takes years to turn over.

## Changes made to bring the baseline into the bands

Before calibration the baseline (scale 0.1) kept ~20 % of local graduates, had an R&D intensity
of ~7 % with 98 % by firms, 3 % firm participation, specialty points drifting from 412 to ~800
in 10 years, ~4,200 "above-scale industrial" firms shrinking by ~4 % a year, 200–260 projects
a year and unfilled agriculture vacancies growing every year. Mechanism fixes (minimal):

- service employers were flagged industrial at set-up (fixed: the flag follows the field);
- programme reviews compared absolute vacancies with graduates, so with vacancies above
  graduates every field looked short and every school opened points each year; reviews now use
  a field's share of vacancies over its share of graduates, and a school opens about as many
  points as it closes (teachers and rooms are reused), staying near its establishment;
- the reservation wage (0.85 of the base wage) was above what low-wage fields pay (agriculture
  at 0.80, ceramics at 0.85), so they could never hire; 0.65 now.

Parameters set by hand from sources or to plainly plausible values (schema defaults, see
docs/ODD.md): project R&D 2 M RMB and technology transfer 20 RMB per RMB (the paper's
10 亿多元 and 200 多亿元 over 500 余个 projects), entrant size 40 employees (most entrants
above-scale), apprentice cost 12,000 RMB net of output, trainee gain 0.35 of a wage and
idiosyncratic benefit noise 50,000 RMB (training pays a little at the ~30 % retention of
trainees, so large firms gain most and cooperation concentrates in them; with noise 80,000
participation was nearly flat across size quartiles), at most 2 openings and 2 closings a
school a year, unemployed-stay penalty 0.9, out-of-field wage 0.97.
"""


@dataclass
class Validation:
    """Everything docs/calibration.md reports."""

    targets: TargetsFile
    config: CityConfig
    summary: pd.DataFrame
    values: pd.DataFrame
    facts: list[Fact]
    seeds: int
    scale: float
    years: int
    posterior: pd.DataFrame | None = None
    posterior_predictive: pd.DataFrame | None = None
    predictive: pd.DataFrame | None = None
    """Per fact: posterior predictive mean, 5–95 % and inside (filled in by :func:`render`)."""
    provenance: str = ""
    policy: str = ""
    """Markdown of the policy headline with parameter uncertainty (empty: not given)."""


def validate(
    targets: TargetsFile,
    executor: Executor,
    seeds: int | None = None,
    scale: float | None = None,
    years: int | None = None,
    facts: bool = True,
    config_path: str | Path | None = None,
) -> Validation:
    """Run the baseline replications, measure every fact and (optionally) the stylized facts."""
    settings = targets.settings
    seeds = seeds or settings.seeds
    scale = scale or settings.scale
    years = max(years or settings.years, targets.required_years())
    config = resolve_config(config_path or settings.config).model_copy(update={"scale": scale})
    seed_list = replication_seeds(settings.root_seed, seeds)
    [runs] = replicate(executor, [config], seed_list, years, firms=True)
    check_columns(targets, runs[0].outcomes, "targets file")
    values = measure_runs(targets, runs, config)
    summary = summarise(targets, values)
    found = check_facts(executor, config, seed_list, years, runs) if facts else []
    return Validation(targets, config, summary, values, found, seeds, scale, years)


def _fmt(x: float) -> str:
    """A number for the table: thousands separators for big values, 3 significant digits else."""
    if not math.isfinite(x):
        return "n/a"
    if abs(x) >= 1e8:
        return f"{x / 1e9:.2f} bn"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    return f"{x:.3g}"


def _measured_as(t: Target) -> str:
    """How a fact is measured, in a few words."""
    window = f"years {t.window[0]}–{t.window[1] - 1}"
    if t.config is not None:
        return f"config: `{t.config}`"
    if t.flow is not None:
        return f"flows `{t.flow[0]}` → `{t.flow[1]}` share ({window})"
    if t.firms is not None:
        return f"firms: `{t.firms}` (end of run)"
    if t.against is not None:
        return f"slope of `{t.column}` on `{t.against}` ({window})"
    ratio = f" / `{t.relative_to}`" if t.relative_to else ""
    return f"`{t.column}`{ratio} ({t.aggregate}, {window})"


def _predictive_cells(v: Validation, name: str) -> str:
    if v.predictive is None or name not in v.predictive.index:
        return "n/a | n/a"
    row = v.predictive.loc[name]
    return f"{_fmt(row['mean'])} | {_fmt(row['q05'])} – {_fmt(row['q95'])}"


def calibration_table(v: Validation, role: str = "targets") -> str:
    """The Markdown table of one list of facts (fitted targets, checks or validation)."""
    by_name = {t.name: t for t in getattr(v.targets, role)}
    predictive = role != "checks"
    lines = [
        "| fact | value | band | period | baseline mean | 95 % CI of mean | runs 2.5–97.5 % "
        + ("| posterior predictive mean | 90 % predictive interval " if predictive else "")
        + "| inside | measured as | source |",
        "|" + " --- |" * (12 if predictive else 10),
    ]
    for row in v.summary[v.summary.role == role].itertuples():
        t = by_name[row.target]
        inside = row.inside
        if role == "validation" and v.predictive is not None and t.name in v.predictive.index:
            inside = bool(v.predictive.loc[t.name, "inside"])
        lines.append(
            f"| {t.name} | {_fmt(t.value)} | {_fmt(t.band[0])} – {_fmt(t.band[1])} | {t.period} "
            f"| **{_fmt(row.mean)}** | {_fmt(row.ci_low)} – {_fmt(row.ci_high)} "
            f"| {_fmt(row.run_low)} – {_fmt(row.run_high)} "
            + (f"| {_predictive_cells(v, t.name)} " if predictive else "")
            + f"| {'yes' if inside else '**NO**'} | {_measured_as(t)} "
            f"| {' '.join(t.source.split())} |"
        )
    return "\n".join(lines)


def frame_table(frame: pd.DataFrame) -> str:
    """A small DataFrame (index + numeric columns) as a Markdown table."""
    header = [str(frame.index.name or ""), *map(str, frame.columns)]
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    for index, row in frame.iterrows():
        cells = [f"{x:.3f}" if isinstance(x, float) else str(x) for x in row]
        lines.append("| " + " | ".join([str(index), *cells]) + " |")
    return "\n".join(lines)


def identification_table(v: Validation) -> str:
    """Prior vs posterior of each free parameter, and the value the baseline uses."""
    if v.posterior is None:
        return "No posterior sample yet: run `talentsim calibrate` (without `--report-only`)."
    table = identification(v.posterior, v.targets.free_parameters)
    lines = [
        "| parameter | prior (uniform) | posterior mean | 90 % posterior interval "
        "| width / prior width | verdict | baseline value | informs mainly |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for row in table.itertuples():
        lines.append(
            f"| `{row.parameter}` | [{row.prior_low:.4g}, {row.prior_high:.4g}] | {row.mean:.4g} "
            f"| {row.q05:.4g} – {row.q95:.4g} | {row.ratio:.2f} | {row.verdict} "
            f"| {current(v.config, row.parameter):.4g} | {row.informs} |"
        )
    pairs = correlations(v.posterior, v.targets.free_parameters)
    if pairs.empty:
        lines += ["", f"No posterior correlation reaches |r| = {STRONG_CORRELATION}."]
    else:
        lines += ["", f"Posterior correlations with |r| ≥ {STRONG_CORRELATION}:", ""]
        lines += [f"- `{r.a}` – `{r.b}`: r = {r.r:+.2f}" for r in pairs.itertuples()]
    return "\n".join(lines)


def _verdict(v: Validation) -> list[str]:
    rows = v.summary.set_index("target")
    counts = []
    for role, label in (("targets", "fitted targets"), ("checks", "checks")):
        names = [t.name for t in getattr(v.targets, role)]
        inside = int(rows.loc[names, "inside"].sum())
        outside = [n for n in names if not rows.loc[n, "inside"]]
        counts.append(
            f"- {label}: {inside} of {len(names)} inside their bands at the baseline"
            + (f" (outside: {', '.join(outside)})" if outside else "")
        )
    names = [t.name for t in v.targets.validation]
    if v.predictive is not None:
        shown = [n for n in names if n in v.predictive.index]
        inside = int(v.predictive.loc[shown, "inside"].sum())
        counts.append(
            f"- held-out validation patterns: {inside} of {len(names)} with the posterior "
            "predictive mean inside the band"
        )
    return counts


def render(v: Validation, command: str, notes: str = "", fit_command: str = "") -> str:
    """The whole docs/calibration.md."""
    if v.posterior_predictive is not None:
        v.predictive = predictive(v.posterior_predictive, v.targets.every()).set_index("target")
    facts = []
    for fact in v.facts:
        facts.append(
            f"### {fact.claim}\n\n**{'Holds' if fact.holds else 'Does not hold'}.** "
            f"{fact.evidence}.\n"
        )
        if fact.table is not None:
            facts.append(frame_table(fact.table) + "\n")
    counts = (
        f"{len(v.targets.targets)} fitted targets for {len(v.targets.free_parameters)} free "
        f"parameters, {len(v.targets.checks)} checks, {len(v.targets.validation)} held-out "
        "validation patterns"
    )
    return "\n".join(
        [
            "# Calibration and validation of the Zibo baseline",
            "",
            f"<!-- generated by `{command}`; do not edit by hand -->",
            "",
            f"Regenerate with `{command}`"
            + (f"; the fit itself was made by `{fit_command}`" if fit_command else "")
            + ". Facts, bands, sources and how each is measured live in "
            "`configs/calibration/targets.yaml` (data, not code): "
            f"{counts}. The posterior sample is `configs/calibration/posterior.csv` (its "
            "predictive facts: `posterior_predictive.csv`); the baseline "
            "`configs/zibo_baseline.yaml` uses the point estimate, "
            "`configs/calibration/fitted.yaml`, through `base:`.",
            "",
            f"Fit: {v.provenance or 'none recorded'}.",
            "",
            f"Baseline runs: `{v.targets.settings.config}`, scale {v.scale} (outcomes reported "
            f"at city scale), {v.years} simulated years from {v.config.city.start_year}, "
            f"{v.seeds} seeds (children of SeedSequence({v.targets.settings.root_seed})). A fact "
            "is met when the baseline's mean over seeds is inside its band (validation "
            "patterns: when the posterior predictive mean is). The 95 % CI is the t-interval "
            "of the mean over seeds; the runs' range the 2.5–97.5 % percentile of single runs; "
            "the posterior predictive is the weighted sample of the fit's last generation (one "
            "run per particle: parameter uncertainty and seed noise together).",
            "",
            *_verdict(v),
            "",
            "## Fitted targets",
            "",
            calibration_table(v, "targets"),
            "",
            "## Identification",
            "",
            "Uniform priors on the bounds below; the ratio is the 90 % posterior interval's "
            f"width over the prior's (identified below {IDENTIFIED}, weakly below {WEAK}).",
            "",
            identification_table(v),
            "",
            "## Held-out validation",
            "",
            "Never fitted: the posterior predictive of each pattern against the fact.",
            "",
            calibration_table(v, "validation"),
            "",
            "## Checks (true by construction, set by inputs or met by a cap; not fitted)",
            "",
            calibration_table(v, "checks"),
            "",
            *([v.policy, ""] if v.policy else []),
            "## Stylized facts",
            "",
            *facts,
            notes,
        ]
    )
