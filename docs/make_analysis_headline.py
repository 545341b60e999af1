"""Write the headline of docs/analysis.md from a sweep of the recommendations study.

The table is the mean over the horizon: for the baseline its mean and 95 % t-interval across
replications, for each scenario the paired difference from the baseline with its 95 %
interval and the pair correlation ρ of the two scenarios' runs; **bold** where the interval
excludes 0. Below it, the cost per extra skilled graduate still in the city after 3 years
(horizon totals, bootstrap interval) where the gain is significant.

Usage: ``uv run python docs/make_analysis_headline.py [--dataset results/recommendations]``
(run ``docs/make_noise_table.py`` or ``talentsim sweep experiments/recommendations.yaml`` first).
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

import pandas as pd

from talentsim.analysis.comparison import paired_comparison, per_run
from talentsim.analysis.cost import cost_effectiveness
from talentsim.analysis.dataset import load_dataset

ROOT = Path(__file__).resolve().parents[1]
ANALYSIS = ROOT / "docs" / "analysis.md"
OUTCOMES = [
    "retention_3y",
    "retained_skilled_3y",
    "in_field_rate",
    "mismatch_flow",
    "firm_participation_rate",
    "rd_intensity",
    "fiscal_cost",
]
ORDER = ["coordination_body", "specialty_alignment", "demo_park", "incentives", "combined"]


def number(value: float, signed: bool = False) -> str:
    """A value with a precision that suits its size (M for millions)."""
    sign = "+" if signed else ""
    if abs(value) >= 1e6:
        return f"{value / 1e6:{sign},.0f} M".replace("-", "−")
    if abs(value) >= 10:
        return f"{value:{sign},.0f}".replace("-", "−")
    if abs(value) >= 0.05:
        return f"{value:{sign}.3f}".replace("-", "−")
    if abs(value) >= 0.001 or value == 0:
        return f"{value:{sign}.4f}".replace("-", "−")
    return f"{value:{sign}.1e}".replace("-", "−")


def headline(dataset: Path) -> str:
    """Markdown: the horizon-mean table and the cost per extra retained skilled graduate."""
    ds = load_dataset(dataset)
    table = paired_comparison(per_run(ds, OUTCOMES, "mean"), "baseline", OUTCOMES)
    table = table.set_index(["scenario", "outcome"])
    lines = ["| scenario | " + " | ".join(OUTCOMES) + " |", "|---" * (len(OUTCOMES) + 1) + "|"]
    base = [
        f"{number(r['mean'])} [{number(r.ci_low)}, {number(r.ci_high)}]"
        for r in (table.loc[("baseline", o)] for o in OUTCOMES)
    ]
    lines.append("| baseline | " + " | ".join(base) + " |")
    for scenario in ORDER:
        cells = []
        for outcome in OUTCOMES:
            r = table.loc[(scenario, outcome)]
            low, high = number(r.diff_low, True), number(r.diff_high, True)
            text = f"{number(r['diff'], True)} [{low}, {high}]"
            bold = r.diff_low > 0 or r.diff_high < 0
            cells.append((f"**{text}**" if bold else text) + f" ρ {r.pair_corr:.2f}")
        lines.append(f"| {scenario} | " + " | ".join(cells) + " |")
    cost = cost_effectiveness(ds, "baseline", ["retained_skilled_3y", "fiscal_cost"])
    notes = []
    for _, r in cost[cost.outcome == "retained_skilled_3y"].iterrows():
        if r.note:
            notes.append(f"{r.scenario}: {r.note}")
        else:
            notes.append(
                f"{r.scenario} {r.cost_per_unit / 1e6:.2f} M RMB "
                f"[{r.cost_per_unit_low / 1e6:.2f} M, {r.cost_per_unit_high / 1e6:.2f} M]"
            )
    manifest = json.loads((dataset / "manifest.json").read_text())
    commit = manifest.get("git", {}).get("commit", "")[:7] or "unknown"
    years = ds.years
    runs = pd.read_parquet(dataset / "runs.parquet")
    intro = (
        f"`talentsim sweep experiments/recommendations.yaml` (6 scenarios × "
        f"{runs.replication.nunique()} paired replications, scale "
        f"{manifest['experiment'].get('scale')}, {years[0]}–{years[-1]} after a shared "
        f"burn-in; {len(runs)} runs), measured by `docs/make_analysis_headline.py` on commit "
        f"{commit}. Retention and retained skilled graduates are those of the year's local "
        f"graduates; fiscal cost is RMB per year, all instruments (spent or forgone).\n\n"
        f"**Mean over the horizon** — baseline: mean [95 % CI]; scenarios: Δ vs baseline [95 % "
        f"paired CI] and ρ, the pair correlation; **bold**: the interval excludes 0.\n\n"
    )
    cost_line = (
        "\n\n**Cost per extra retained skilled graduate** (horizon totals, 95 % bootstrap CI): "
        + "; ".join(notes)
        + "."
    )
    return intro + "\n".join(lines) + cost_line


def main() -> None:
    """Rewrite the headline section of docs/analysis.md."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", type=Path, default=ROOT / "results" / "recommendations")
    args = parser.parse_args()
    body = headline(args.dataset)
    print(body)
    text = ANALYSIS.read_text(encoding="utf-8")
    pattern = re.compile(r"(<!-- headline:start -->\n).*?(<!-- headline:end -->)", re.S)
    if not pattern.search(text):
        raise SystemExit("docs/analysis.md has no <!-- headline:start --> ... :end --> markers")
    ANALYSIS.write_text(pattern.sub(lambda m: m[1] + body + "\n" + m[2], text), encoding="utf-8")


if __name__ == "__main__":
    main()
