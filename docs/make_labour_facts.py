"""Measure the labour market's and firms' stylized facts and write them into docs/labour_market.md.

    uv run python docs/make_labour_facts.py            # the full table (a few minutes)
    uv run python docs/make_labour_facts.py --quick    # small scales and few years, to try it

Every figure is measured on the Zibo baseline (configs/zibo_baseline.yaml) after its burn-in:

* the emergent matching function: OLS of log hires from unemployment on log job seekers and log
  vacancies posted, across the years of runs with the aggregate demand shock on, at each scale,
  and pooled over scales in model counts (so that the market size varies with the scale);
* the Beveridge relation: unemployment rate against vacancy rate across demand shocks;
* unemployment by duration and by how the spell began, without shocks;
* the firm-size distribution (employment per active firm) at the end of a baseline run;
* 30-year stationarity of the baseline: the first three reported years against the last three.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from talentsim.config import load_config
from talentsim.config.schema import CityConfig
from talentsim.model import simulate
from talentsim.model.states import Stage

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "labour_market.md"
SHOCK_SD = 0.03
"""SD of the demand shock in the matching-function and Beveridge runs."""


def config(scale: float, shock_sd: float = 0.0) -> CityConfig:
    """The baseline at ``scale`` with the aggregate demand shock of SD ``shock_sd``."""
    base = load_config(ROOT / "configs" / "zibo_baseline.yaml")
    data = base.model_dump()
    data["firms"]["demand_shock_sd"] = shock_sd
    return CityConfig.model_validate({**data, "scale": scale})


def fit_matching(frame: pd.DataFrame, vacancies: str = "vacancies_model") -> dict[str, float]:
    """OLS log H = c + α·log U + β·log V; α, β, α + β and its standard error, R².

    ``vacancies`` names the column of V: the vacancies posted, or those left to the unemployed.
    """
    y = np.log(frame["hires_model"].to_numpy())
    columns = [np.log(frame["seekers_model"]), np.log(frame[vacancies])]
    scales = sorted(frame["scale"].unique())
    design = np.column_stack([*columns, np.ones(len(frame))])
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    fitted = design @ coef
    r2 = 1 - ((y - fitted) ** 2).sum() / ((y - y.mean()) ** 2).sum()
    variance = ((y - fitted) ** 2).sum() / (len(y) - design.shape[1])
    cov = variance * np.linalg.inv(design.T @ design)
    return {
        "alpha_u": coef[0],
        "alpha_v": coef[1],
        "returns": coef[0] + coef[1],
        "se_returns": float(np.sqrt(cov[0, 0] + cov[1, 1] + 2 * cov[0, 1])),
        "r2": r2,
        "n": len(frame),
        "scales": len(scales),
    }


def matching_runs(scales: list[float], seeds: dict[float, int], years: int) -> pd.DataFrame:
    """Yearly hires, seekers and vacancies (in model counts) of shock runs at each scale."""
    rows = []
    for scale in scales:
        for seed in range(seeds[scale]):
            outcomes = simulate(config(scale, SHOCK_SD), seed=100 + seed, years=years).outcomes
            frame = outcomes[
                [
                    "year",
                    "hires_from_unemployment",
                    "hires",
                    "job_seekers",
                    "vacancies_posted",
                    "unemployment_rate",
                    "vacancy_rate",
                    "demand_shock",
                ]
            ].copy()
            frame["scale"], frame["seed"] = scale, seed
            frame["hires_model"] = frame["hires_from_unemployment"] * scale
            frame["seekers_model"] = frame["job_seekers"] * scale
            frame["vacancies_model"] = frame["vacancies_posted"] * scale
            # the vacancies the unemployed compete for: all posted but those that kept
            # apprentices or on-the-job seekers took (Broersma & van Ours 1999)
            others = frame["hires"] - frame["hires_from_unemployment"]
            frame["vacancies_left_model"] = (frame["vacancies_posted"] - others) * scale
            rows.append(frame)
            print(f"  matching run: scale {scale}, seed {seed}", flush=True)
    return pd.concat(rows, ignore_index=True)


def matching_table(runs: pd.DataFrame) -> str:
    """Markdown: the fitted matching function at each scale and pooled over scales."""
    lines = [
        "| sample | runs × years | α (seekers) | β (vacancies) | returns α + β (± 1.96 SE) | R² | "
        "hires / min(U, V) | α, V left to the unemployed | returns, V left (± 1.96 SE) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    groups = [(f"scale {s:g}", runs[runs["scale"] == s]) for s in sorted(runs["scale"].unique())]
    groups.append(("pooled over scales (model counts)", runs))
    for name, frame in groups:
        fit = fit_matching(frame)
        left = fit_matching(frame, "vacancies_left_model")
        short = (
            frame["hires_model"] / np.minimum(frame["seekers_model"], frame["vacancies_model"])
        ).mean()
        lines.append(
            f"| {name} | {fit['n']} | {fit['alpha_u']:.2f} | {fit['alpha_v']:.2f} | "
            f"{fit['returns']:.2f} ± {1.96 * fit['se_returns']:.2f} | {fit['r2']:.2f} | "
            f"{short:.2f} | {left['alpha_u']:.2f} | "
            f"{left['returns']:.2f} ± {1.96 * left['se_returns']:.2f} |"
        )
    return "\n".join(lines) + "\n"


def beveridge_table(runs: pd.DataFrame) -> str:
    """Markdown: slope and correlation of unemployment on vacancy rates across demand shocks."""
    lines = [
        "| sample | years | slope d u / d v | corr(u, v) | corr(u, demand shock) | "
        "corr(v, demand shock) |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for scale in sorted(runs["scale"].unique()):
        frame = runs[runs["scale"] == scale]
        u, v, z = frame["unemployment_rate"], frame["vacancy_rate"], frame["demand_shock"]
        slope = np.polyfit(v, u, 1)[0]
        lines.append(
            f"| scale {scale:g}, pooled years | {len(frame)} | {slope:.2f} | "
            f"{np.corrcoef(u, v)[0, 1]:.2f} | {np.corrcoef(u, z)[0, 1]:.2f} | "
            f"{np.corrcoef(v, z)[0, 1]:.2f} |"
        )
    within = [
        np.corrcoef(g["unemployment_rate"], g["vacancy_rate"])[0, 1]
        for _, g in runs.groupby(["scale", "seed"])
        if g["vacancy_rate"].std() > 0
    ]
    lines.append(f"| within runs (mean over {len(within)} runs) | | | {np.mean(within):.2f} | | |")
    return "\n".join(lines) + "\n"


def baseline_runs(scale: float, seeds: int, years: int) -> list:
    """Baseline runs without shocks (results, for outcomes and the final firm table)."""
    results = []
    for seed in range(seeds):
        results.append(simulate(config(scale), seed=200 + seed, years=years))
        print(f"  baseline run: scale {scale}, seed {seed}", flush=True)
    return results


def unemployment_table(results: list) -> str:
    """Markdown: unemployment, its duration and its origin (means over years and runs)."""
    outcomes = pd.concat([r.outcomes for r in results])
    rows = [
        ("unemployment rate (year end)", "unemployment_rate", "{:.3f}"),
        ("vacancy rate (year end)", "vacancy_rate", "{:.3f}"),
        (
            "share of the unemployed unemployed since an earlier year",
            "unemployed_long_term_share",
            "{:.2f}",
        ),
        ("mean years since the spell began", "unemployed_mean_spell", "{:.2f}"),
        ("unemployed who are labour-market entrants", "unemployed_entrant_share", "{:.2f}"),
        ("unemployed who were displaced (exit, layoff)", "unemployed_displaced_share", "{:.2f}"),
        ("unemployed who quit", "unemployed_quit_share", "{:.2f}"),
        ("job seekers / year (city scale)", "job_seekers", "{:,.0f}"),
        ("hires from unemployment / year", "hires_from_unemployment", "{:,.0f}"),
        ("job-to-job moves / year", "job_to_job_moves", "{:,.0f}"),
        ("hired by the city's other employers / year", "other_employers_hires", "{:,.0f}"),
        (
            "back from other employers to modelled firms / year",
            "other_employers_returns",
            "{:,.0f}",
        ),
        ("staff of other employers (stock)", "other_employers_employment", "{:,.0f}"),
        ("quits / layoffs / displaced by exits, per year", None, None),
        ("employed who left the city / year", "employed_leavers", "{:,.0f}"),
        ("vacancy fill rate", "vacancy_fill_rate", "{:.2f}"),
    ]
    lines = ["| measure | value |", "| --- | --- |"]
    for label, column, fmt in rows:
        if column is None:
            values = [outcomes[c].mean() for c in ("quits", "layoffs", "displaced_by_exits")]
            lines.append(f"| {label} | {' / '.join(f'{x:,.0f}' for x in values)} |")
        else:
            lines.append(f"| {label} | {fmt.format(outcomes[column].mean())} |")
    return "\n".join(lines) + "\n"


def firm_size_table(results: list) -> str:
    """Markdown: employment per active firm at the end of the runs."""
    sizes = []
    for result in results:
        model = result.model
        employer = model.people.employer[model.people.stage == Stage.EMPLOYED]
        counts = np.bincount(employer, minlength=len(model.firm_table))
        sizes.append(counts[model.firm_table.active])
    size = np.concatenate(sizes).astype(float)
    q = np.quantile(size, [0.1, 0.25, 0.5, 0.75, 0.9, 0.99])
    top = np.sort(size)[::-1][: max(len(size) // 10, 10)]
    top = top[top > 0]
    tail = -np.polyfit(np.log(top), np.log(np.arange(1, len(top) + 1)), 1)[0]
    third = ((size - size.mean()) ** 3).mean() / size.std() ** 3
    lines = ["| measure | value |", "| --- | --- |"]
    lines += [
        f"| firms measured (end of runs) | {len(size):,} |",
        "| employment quantiles p10 / p25 / p50 / p75 / p90 / p99 | "
        + " / ".join(f"{x:.0f}" for x in q)
        + " |",
        f"| mean / median | {size.mean() / max(q[2], 1):.2f} |",
        f"| skewness | {third:.1f} |",
        f"| share of firms below 20 employees | {(size < 20).mean():.2f} |",
        f"| Pareto exponent of the top decile (rank-size) | {tail:.2f} |",
    ]
    return "\n".join(lines) + "\n"


def stationarity_table(results: list) -> str:
    """Markdown: first three reported years against the last three, with the runs' spread.

    The drift of each run is its last-three-year mean over its first-three-year mean − 1; the
    table gives the mean over runs and its 95 % interval (t over runs), so a drift inside the
    seeds' long waves reads as such.
    """
    outcomes = pd.concat([r.outcomes.assign(run=i) for i, r in enumerate(results)])
    first, last = outcomes["year"].min(), outcomes["year"].max()
    early = outcomes[outcomes["year"] < first + 3].groupby("run").mean(numeric_only=True)
    late = outcomes[outcomes["year"] > last - 3].groupby("run").mean(numeric_only=True)
    lines = [
        f"| outcome | {first}–{first + 2} | {last - 2}–{last} | drift | drift 95 % interval "
        "over runs |",
        "| --- | --- | --- | --- | --- |",
    ]
    for column in (
        "firms",
        "above_scale_industrial_firms",
        "employment",
        "other_employers_employment",
        "population",
        "unemployment_rate",
        "vacancy_rate",
        "graduate_inflow",
        "wage_benke",
        "posted_wage_benke",
    ):
        a, b = early[column].mean(), late[column].mean()
        drift = late[column] / early[column] - 1
        half = stats.t.ppf(0.975, len(drift) - 1) * drift.std(ddof=1) / np.sqrt(len(drift))
        spread = (
            f"{drift.mean() - half:+.1%} – {drift.mean() + half:+.1%}" if len(drift) > 1 else ""
        )
        lines.append(f"| `{column}` | {a:,.4g} | {b:,.4g} | {b / a - 1:+.1%} | {spread} |")
    return "\n".join(lines) + "\n"


def write(sections: dict[str, str]) -> None:
    """Replace each ``<!-- name:start -->…<!-- name:end -->`` block of the document."""
    text = DOC.read_text(encoding="utf-8")
    for name, body in sections.items():
        pattern = re.compile(rf"(<!-- {name}:start -->\n).*?(<!-- {name}:end -->)", re.S)
        text, n = pattern.subn(lambda m, body=body: m.group(1) + body + m.group(2), text)
        if n != 1:
            raise SystemExit(f"marker {name} not found in {DOC}")
    DOC.write_text(text, encoding="utf-8")


def main() -> None:
    """Run the measurements and write the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small scales, few years")
    args = parser.parse_args()
    if args.quick:
        scales, seeds, years = [0.02, 0.05], {0.02: 2, 0.05: 1}, 8
        base_scale, base_seeds, base_years = 0.03, 1, 10
    else:
        scales = [0.05, 0.1, 0.2, 0.5, 1.0]
        seeds, years = dict.fromkeys(scales, 6), 20
        base_scale, base_seeds, base_years = 0.1, 6, 30
    runs = matching_runs(scales, seeds, years)
    baseline = baseline_runs(base_scale, base_seeds, base_years)
    settings = (
        f"Measured by `uv run python docs/make_labour_facts.py{' --quick' if args.quick else ''}`: "
        f"matching and Beveridge runs at scales {', '.join(f'{s:g}' for s in scales)} "
        f"({'/'.join(str(seeds[s]) for s in scales)} seeds, {years} reported years, "
        f"demand shock SD {SHOCK_SD}, ρ = "
        f"{config(1.0).firms.demand_shock_persistence}); baseline runs at scale {base_scale:g}, "
        f"{base_seeds} seeds, {base_years} reported years, no shock.\n"
    )
    write(
        {
            "settings": settings,
            "matching": matching_table(runs),
            "beveridge": beveridge_table(runs),
            "unemployment": unemployment_table(baseline),
            "firm-sizes": firm_size_table(baseline),
            "stationarity": stationarity_table(baseline),
        }
    )
    print(f"wrote {DOC}")


if __name__ == "__main__":
    main()
