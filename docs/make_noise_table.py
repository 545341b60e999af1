"""Measure how much of a policy comparison is seed noise, and write docs/noise.md.

For the recommendations study (experiments/recommendations.yaml: the six scenario configs,
the same replication seeds in each) this prints and writes:

* the **pair correlation** of horizon means, baseline vs each scenario, per outcome, and its
  median over the headline outcomes (common random numbers pay off when it is high: the
  variance of a paired difference is σ²_a + σ²_b − 2ρσ_aσ_b);
* the half-width of the 95 % interval of each paired difference, and with ``--reference`` the
  ratio to the same study run with another version of the model;
* the **placebo**: the baseline with an extra process that draws random numbers every year
  and changes nothing; its outcomes must equal the baseline's exactly;
* the **steady start**: the baseline's retention and employment rates in the first three
  reported years against reported years 4–10 (mean over replications);
* the demonstration park's effect on apprentices (the old model's "fall" was noise).

Usage: ``uv run python docs/make_noise_table.py [--experiment E.yaml] [--dataset DIR]
[--reference OLD_DATASET] [--workers 2]``. Runs the sweep into ``--dataset`` first if it is
not complete there (about 4 minutes on two cores at the study's scale).
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from talentsim.analysis.comparison import paired_comparison, per_run
from talentsim.analysis.dataset import load_dataset
from talentsim.analysis.measures import KEY_OUTCOMES
from talentsim.config import resolve_config
from talentsim.experiment.runner import run_sweep
from talentsim.experiment.seeds import replication_seeds
from talentsim.experiment.spec import load_experiment
from talentsim.model import SCHEDULE, TalentModel, simulate
from talentsim.model.state import CityState
from talentsim.model.streams import Stream

ROOT = Path(__file__).resolve().parents[1]
EXPERIMENT = ROOT / "experiments" / "recommendations.yaml"
NOISE = ROOT / "docs" / "noise.md"
STEADY = ("retention_3y", "employment_rate")
PLACEBO_SEEDS = 3


def draw_and_discard(state: CityState, stream: Stream) -> None:
    """The placebo process: draws a number for every person and a city-wide count."""
    stream.uniform(state.people.pid, "placebo")
    stream.count("placebo", 100.0)


class PlaceboModel(TalentModel):
    """The model with the placebo process after admissions."""

    schedule = (*SCHEDULE[:4], ("placebo", draw_and_discard), *SCHEDULE[4:])


def ensure_dataset(experiment: Path, out: Path, workers: int) -> None:
    """Run (or resume) the study ``experiment`` into ``out``."""
    manifest = out / "manifest.json"
    if manifest.exists() and json.loads(manifest.read_text()).get("status") == "complete":
        return
    summary = run_sweep(experiment, out, executor="processes", workers=workers)
    print(f"sweep: {summary.ok} runs in {summary.seconds:.0f} s")


def comparison(dataset: Path) -> pd.DataFrame:
    """Paired comparison of horizon means, every scenario against the baseline."""
    ds = load_dataset(dataset)
    outcomes = [o for o in KEY_OUTCOMES if o in ds.outcome_names] + ["apprentices"]
    table = paired_comparison(per_run(ds, outcomes, "mean"), "baseline", outcomes)
    table = table[table["scenario"] != "baseline"].copy()
    table["half_width"] = (table["diff_high"] - table["diff_low"]) / 2
    return table


def correlation_table(table: pd.DataFrame) -> str:
    """Markdown: pair correlation per scenario × outcome, with the median per scenario."""
    wide = table[table.outcome.isin(KEY_OUTCOMES)].pivot(
        index="scenario", columns="outcome", values="pair_corr"
    )
    wide = wide[[o for o in KEY_OUTCOMES if o in wide.columns]]
    wide["median"] = wide.median(axis=1)
    lines = [
        "| scenario | " + " | ".join(wide.columns) + " |",
        "|---" * (len(wide.columns) + 1) + "|",
    ]
    for scenario, row in wide.iterrows():
        lines.append(f"| {scenario} | " + " | ".join(f"{v:.2f}" for v in row) + " |")
    median = float(np.nanmedian(wide.drop(columns="median").to_numpy()))
    lines.append(f"\nMedian over all scenarios and headline outcomes: **{median:.2f}**.")
    return "\n".join(lines)


def width_table(table: pd.DataFrame, reference: pd.DataFrame | None) -> str:
    """Markdown: half-width of each difference's 95 % interval (and ratio to the reference)."""
    keep = table[table.outcome.isin(KEY_OUTCOMES)].set_index(["scenario", "outcome"])
    header = "| scenario | outcome | Δ | ± (95 %) |"
    rule = "|---|---|---|---|"
    if reference is not None:
        ref = reference.set_index(["scenario", "outcome"])
        ref = ref[["half_width", "diff"]].add_suffix("_ref")
        keep = keep.join(ref)
        header, rule = header + " previous ± | ratio |", rule + "---|---|"
    lines = [header, rule]
    for (scenario, outcome), row in keep.iterrows():
        cells = [scenario, outcome, f"{row['diff']:+.4g}", f"{row['half_width']:.3g}"]
        if reference is not None:
            cells += [
                f"{row['half_width_ref']:.3g}",
                f"{row['half_width'] / row['half_width_ref']:.2f}",
            ]
        lines.append("| " + " | ".join(cells) + " |")
    if reference is not None:
        ratio = float(np.nanmedian(keep["half_width"] / keep["half_width_ref"]))
        lines.append(f"\nMedian ratio of interval widths, this model / previous: **{ratio:.2f}**.")
    return "\n".join(lines)


def placebo_result(path: Path) -> str:
    """Markdown: the largest difference between placebo and baseline over seeds, outcomes, years."""
    experiment = load_experiment(path)
    base = resolve_config(ROOT / "configs" / "scenarios" / "baseline.yaml")
    config = base.model_copy(update={"scale": experiment.spec.scale or base.scale})
    seeds = replication_seeds(experiment.spec.root_seed, PLACEBO_SEEDS)
    largest = 0.0
    for seed in seeds:
        plain = simulate(config, seed=seed).outcomes
        placebo = simulate(config, seed=seed, city=PlaceboModel(config, rng=seed)).outcomes
        numeric = plain.select_dtypes("number").columns
        largest = max(largest, float((plain[numeric] - placebo[numeric]).abs().to_numpy().max()))
    return (
        f"Baseline vs placebo over {PLACEBO_SEEDS} replications, every outcome and year: the "
        f"largest absolute difference is **{largest:g}** (identical outcomes)."
    )


def steady_start(dataset: Path, label: str) -> tuple[str, str]:
    """Markdown rows: the baseline's first 3 reported years against reported years 4-10.

    The difference is taken within each replication; its 95 % t-interval is over replications.
    """
    ds = load_dataset(dataset)
    frame = ds.outcomes[ds.outcomes.scenario == "baseline"]
    if "retention_3y" not in frame:  # a dataset of the model before cohort retention
        frame = frame.rename(columns={"retention_rate": "retention_3y"})
    start = frame.year.min()
    first = frame[frame.year < start + 3].groupby("run_id")[list(STEADY)].mean()
    later = frame[frame.year.between(start + 3, start + 9)].groupby("run_id")[list(STEADY)].mean()
    diff = first - later
    half = stats.t.ppf(0.975, len(diff) - 1) * diff.std() / np.sqrt(len(diff))
    rows = [
        f"| {label} | {name} | {first[name].mean():.3f} | {later[name].mean():.3f} | "
        f"{diff[name].mean():+.3f} ± {half[name]:.3f} |"
        for name in STEADY
    ]
    yearly = frame.groupby("year")[list(STEADY)].mean()
    years = ", ".join(f"{y}: " + " / ".join(f"{v:.3f}" for v in r) for y, r in yearly.iterrows())
    return "\n".join(rows), f"{label}, mean over {len(diff)} replications by year: {years}."


def steady_table(dataset: Path, reference: Path | None) -> str:
    """Markdown: the steady-start table for this model (and the reference)."""
    header = [
        "| model | outcome | years 1–3 | years 4–10 | difference (95 % CI over replications) |",
        "|---|---|---|---|---|",
    ]
    rows, years = steady_start(dataset, "this model")
    parts, notes = [rows], [years]
    if reference is not None:
        ref_rows, ref_years = steady_start(reference, "previous")
        parts.append(ref_rows)
        notes.append(ref_years)
    return "\n".join(header + parts) + "\n\n" + "\n\n".join(notes)


def park_apprentices(table: pd.DataFrame) -> str:
    """Markdown: the demonstration park's paired effect on apprentices (horizon means)."""
    row = table[(table.scenario == "demo_park") & (table.outcome == "apprentices")].iloc[0]
    verdict = "within noise" if row.diff_low <= 0 <= row.diff_high else "beyond noise"
    return (
        f"demo_park − baseline, apprentices (horizon mean): {row['diff']:+.0f} "
        f"[{row.diff_low:+.0f}, {row.diff_high:+.0f}] over {int(row.n_pairs)} pairs, {verdict}; "
        f"pair correlation {row.pair_corr:.2f}."
    )


def replace_section(text: str, name: str, body: str) -> str:
    """Replace the text between ``<!-- name:start -->`` and ``<!-- name:end -->``."""
    pattern = re.compile(rf"(<!-- {name}:start -->\n).*?(<!-- {name}:end -->)", re.S)
    return pattern.sub(lambda m: m.group(1) + body.strip() + "\n" + m.group(2), text)


def main() -> None:
    """Measure and write docs/noise.md."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--experiment", type=Path, default=EXPERIMENT)
    parser.add_argument("--dataset", type=Path, default=ROOT / "results" / "recommendations")
    parser.add_argument("--reference", type=Path, default=None)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    ensure_dataset(args.experiment, args.dataset, args.workers)
    table = comparison(args.dataset)
    reference = comparison(args.reference) if args.reference else None
    sections = {
        "pair-correlation": correlation_table(table)
        + (
            f"\n\nPrevious model:\n\n{correlation_table(reference)}"
            if reference is not None
            else ""
        ),
        "interval-widths": width_table(table, reference),
        "placebo": placebo_result(args.experiment),
        "steady-start": steady_table(args.dataset, args.reference),
        "park-apprentices": park_apprentices(table)
        + (f"\n\nPrevious model: {park_apprentices(reference)}" if reference is not None else ""),
    }
    text = NOISE.read_text()
    for name, body in sections.items():
        print(f"## {name}\n{body}\n")
        text = replace_section(text, name, body)
    NOISE.write_text(text)


if __name__ == "__main__":
    main()
