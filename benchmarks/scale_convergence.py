"""Scale convergence: the headline outcomes of the baseline at scales 0.05 … 1.0 against full scale.

    OPENBLAS_NUM_THREADS=1 uv run python benchmarks/scale_convergence.py [--workers 2]
        [--years 10] [--out docs/scale.md]

Each run is the Zibo baseline with its burn-in, summarised by the mean of each outcome over the
reported years. A scale's row gives the mean over its seeds, the standard error, and the
relative difference from the full-scale mean; an outcome meets the criterion at a scale when
that difference is within ``TOLERANCE`` (3 %) or within two standard errors of the difference
(seed noise cannot tell them apart). Seeds per scale are in ``SEEDS``: fewer at large scales,
where a run takes longer and varies less. Writes the markdown table into ``--out`` between
its ``<!-- scale-table:start -->`` and ``<!-- scale-table:end -->`` markers (the whole file
when it has none).
"""

from __future__ import annotations

import argparse
import os
import re
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd

from talentsim.config import load_config
from talentsim.model import simulate

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "configs" / "zibo_baseline.yaml"
SEEDS = {0.05: 10, 0.1: 10, 0.25: 8, 0.5: 6, 1.0: 6}
"""Replications per scale (seeds 1 … n, the same at every scale)."""
TOLERANCE = 0.03
"""Relative difference from full scale that counts as the same (issue 14: 3 %)."""
HEADLINE = (
    "retention_1y",
    "retention_3y",
    "retention_5y",
    "retention_3y_local",
    "retention_3y_incoming",
    "retention_3y_zhongzhi",
    "retention_3y_gaozhi",
    "retention_3y_benke",
    "retention_3y_graduate",
    "retained_skilled_3y",
    "employment_rate",
    "unemployment_rate",
    "in_field_rate",
    "in_field_rate_zhongzhi",
    "in_field_rate_gaozhi",
    "in_field_rate_benke",
    "mismatch_flow",
    "mismatch_flow_secondary",
    "mismatch_flow_gaozhi",
    "mismatch_flow_benke",
    "vacancy_fill_rate",
    "firm_participation_rate",
    "apprentices",
    "apprentice_retention",
    "partner_universities",
    "duplication_index",
    "rd_intensity",
    "graduate_inflow",
    "value_added",
)


def one_run(job: tuple[float, int, int]) -> dict[str, float]:
    """Horizon means of the headline outcomes of one baseline run, with its CPU time."""
    scale, seed, years = job
    start = time.process_time()
    config = load_config(BASELINE).model_copy(update={"scale": scale})
    outcomes = simulate(config, seed=seed, years=years).outcomes
    row = {"scale": scale, "seed": seed, "cpu_s": time.process_time() - start}
    row.update(outcomes[list(HEADLINE)].mean().to_dict())
    return row


def convergence(runs: pd.DataFrame) -> pd.DataFrame:
    """Per outcome and scale: mean, standard error, relative difference from full scale, ok."""
    rows = []
    full = runs[runs["scale"] == 1.0]
    for outcome in HEADLINE:
        ref, ref_se = full[outcome].mean(), full[outcome].sem()
        for scale, group in runs.groupby("scale"):
            mean, se = group[outcome].mean(), group[outcome].sem()
            diff = (mean - ref) / abs(ref) if ref else 0.0
            noise = 2 * np.hypot(se, ref_se) / abs(ref) if ref else 0.0
            rows.append(
                {"outcome": outcome, "scale": scale, "mean": mean, "se": se, "rel_diff": diff,
                 "ok": abs(diff) <= max(TOLERANCE, noise) if scale < 1.0 else True}
            )  # fmt: skip
    return pd.DataFrame(rows)


def minimum_scale(table: pd.DataFrame) -> pd.Series:
    """Smallest scale from which an outcome meets the criterion at every larger scale."""
    result = {}
    for outcome, group in table.groupby("outcome", sort=False):
        group = group.sort_values("scale", ascending=False)
        smallest = 1.0
        for scale, ok in zip(group["scale"], group["ok"], strict=True):
            if not ok:
                break
            smallest = scale
        result[outcome] = smallest
    return pd.Series(result)


def markdown(table: pd.DataFrame, runs: pd.DataFrame, years: int, wall: float) -> str:
    """The table as markdown: mean (relative difference) by scale, and the minimum scale."""
    scales = sorted(table["scale"].unique())
    smallest = minimum_scale(table)
    header = "| outcome | " + " | ".join(f"{s:g}" for s in scales) + " | reads from |"
    lines = [header, "| --- " * (len(scales) + 2) + "|"]
    for outcome, group in table.groupby("outcome", sort=False):
        cells = []
        for scale in scales:
            r = group[group["scale"] == scale].iloc[0]
            value = f"{r['mean']:.4g}"
            if scale < 1.0:
                mark = "" if r["ok"] else " ✗"
                value += f" ({r['rel_diff']:+.1%}{mark})"
            cells.append(value)
        lines.append(f"| `{outcome}` | " + " | ".join(cells) + f" | {smallest[outcome]:g} |")
    seeds = runs.groupby("scale")["seed"].count()
    cpu = runs.groupby("scale")["cpu_s"].mean()
    notes = [
        "",
        f"Baseline, {years} reported years after the burn-in; each cell is the mean over seeds "
        "of the horizon mean, with its relative difference from full scale (✗: more than "
        f"{TOLERANCE:.0%} and more than two standard errors of the difference). "
        "'reads from' is the smallest scale from which every larger scale passes.",
        "",
        "| scale | seeds | CPU s per run (burn-in + horizon) |",
        "| --- | --- | --- |",
        *(f"| {s:g} | {seeds[s]} | {cpu[s]:.1f} |" for s in scales),
        "",
        f"Total wall time {wall / 60:.1f} min "
        f"(`benchmarks/scale_convergence.py`, {os.cpu_count()} CPUs seen).",
    ]
    return "\n".join(lines + notes)


def with_table(path: Path, table: str) -> str:
    """The text of ``path`` with ``table`` between its markers (only ``table`` without them)."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    pattern = re.compile(r"(<!-- scale-table:start -->\n).*?(<!-- scale-table:end -->)", re.DOTALL)
    if not pattern.search(text):
        return table + "\n"
    note = "<!-- generated by benchmarks/scale_convergence.py; do not edit by hand -->"
    return pattern.sub(lambda m: f"{m.group(1)}{note}\n{table}\n{m.group(2)}", text)


def main() -> None:
    """Run every (scale, seed), print and write the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "scale.md")
    parser.add_argument("--csv", type=Path, default=None, help="also write the runs as CSV")
    args = parser.parse_args()
    jobs = [(s, seed, args.years) for s, n in SEEDS.items() for seed in range(1, n + 1)]
    jobs.sort(key=lambda job: -job[0])  # longest first
    start = time.time()
    with ProcessPoolExecutor(args.workers) as pool:
        runs = pd.DataFrame(list(pool.map(one_run, jobs)))
    text = markdown(convergence(runs), runs, args.years, time.time() - start)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(with_table(args.out, text), encoding="utf-8")
    if args.csv:
        runs.to_csv(args.csv, index=False)
    print(text)


if __name__ == "__main__":
    main()
