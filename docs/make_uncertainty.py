"""Screen which declared uncertainties move the headline policy effects most (Morris, XLRM).

Reads experiments/uncertainty_morris.yaml (a Morris design over ``uncertainties: declared``),
and runs every design point under the baseline and under each headline lever scenario of
:data:`HEADLINE`, all from the point's one burned-in city and seed (common random numbers; the
burn-in runs under the status quo, so the arms share it). A point's policy effect is the
paired difference (lever − baseline) of the outcome's mean over the last ``WINDOW`` years;
SALib's Morris analysis of these effects gives, per uncertain parameter, μ* (mean absolute
elementary effect, in the outcome's unit per full plausible range) and σ (interaction /
nonlinearity). A seed factor is screened with them: it moves no parameter, only the seed of
the run (root seed + its level), so its μ* is the noise floor (what a different random path
alone does to the paired effect), and a parameter counts as moving an effect only where μ*
minus its confidence half-width exceeds the seed factor's μ*. Writes docs/uncertainty.md.

Usage: ``uv run python docs/make_uncertainty.py [--trajectories 10] [--scale 0.25]
[--years 10] [--workers 2]`` (defaults: the experiment file's settings).
"""

from __future__ import annotations

import argparse
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from SALib.analyze import morris
from SALib.sample import morris as morris_sample

from talentsim.config import resolve_config
from talentsim.experiment.design import salib_problem
from talentsim.experiment.spec import cast, load_experiment
from talentsim.model import burned_in_snapshot, from_snapshot, simulate

ROOT = Path(__file__).resolve().parents[1]
EXPERIMENT = ROOT / "experiments" / "uncertainty_morris.yaml"
OUT = ROOT / "docs" / "uncertainty.md"
WINDOW = 5
"""Outcomes are averaged over the last WINDOW years of each run."""
TOP = 10
"""Parameters listed per policy effect."""
DUMMY = "seed (moves no parameter: the noise floor)"
"""An extra Morris factor that changes only the run's seed: its μ* is what seed noise gives."""
HEADLINE: dict[str, tuple[dict[str, Any], tuple[str, ...]]] = {
    "talent_subsidy doubled": (
        {
            "policy.talent_subsidy.monthly_allowance": 2_000,
            "policy.talent_subsidy.housing_grant": 160_000,
        },
        ("retained_skilled_3y", "retention_3y_benke"),
    ),
    "demonstration park": (
        {"policy.park.enabled": True},
        ("retained_skilled_3y", "apprentices"),
    ),
    "apprenticeship_subsidy 5,000": (
        {"policy.apprenticeship_subsidy.value": 5_000},
        ("firm_participation_rate",),
    ),
}
"""Lever scenario → (overrides on the point's config, outcomes whose effect is screened)."""


def run_point(job: tuple[int, str, dict[str, Any], float, int, int]) -> dict[str, Any]:
    """One design point under the baseline and every headline lever: window means by arm."""
    point_id, scenario, params, scale, years, seed = job
    config = resolve_config(scenario, params).model_copy(update={"scale": scale})
    sequence = np.random.SeedSequence(seed)
    snapshot = burned_in_snapshot(config, sequence, keep_history=False)
    row: dict[str, Any] = {"point_id": point_id}
    arms = {"baseline": ({}, sorted({o for _, outs in HEADLINE.values() for o in outs}))}
    arms |= HEADLINE
    for arm, (overrides, outcomes) in arms.items():
        arm_config = resolve_config(scenario, params | overrides).model_copy(
            update={"scale": scale}
        )
        result = simulate(arm_config, seed=sequence, years=years, city=from_snapshot(snapshot))
        means = result.outcomes.tail(WINDOW)[list(outcomes)].mean()
        row |= {f"{arm}|{name}": float(value) for name, value in means.items()}
    return row


def analyse(problem: dict, x: np.ndarray, table: pd.DataFrame, levels: int) -> list[str]:
    """Markdown tables: the top parameters by μ* for every headline policy effect.

    A row is bold where μ* − its 95 % half-width exceeds the seed factor's μ* (above noise).
    """
    parts = []
    for arm, (_, outcomes) in HEADLINE.items():
        for outcome in outcomes:
            effect = (table[f"{arm}|{outcome}"] - table[f"baseline|{outcome}"]).to_numpy()
            result = morris.analyze(
                problem, x, effect, num_levels=levels, print_to_console=False, seed=1
            )
            frame = pd.DataFrame(
                {
                    "mu_star": result["mu_star"],
                    "mu_star_conf": result["mu_star_conf"],
                    "sigma": result["sigma"],
                },
                index=problem["names"],
            ).sort_values("mu_star", ascending=False)
            floor = float(frame.loc[DUMMY, "mu_star"])
            above = frame[(frame.mu_star - frame.mu_star_conf > floor) & (frame.index != DUMMY)]
            parts.append(
                f"#### Effect of {arm} on `{outcome}`: mean Δ = {effect.mean():.4g} "
                f"(range over points {effect.min():.4g} to {effect.max():.4g})\n"
            )
            parts.append(
                f"Noise floor (μ* of the seed factor) {floor:.4g}; above it: "
                + (", ".join(f"`{n}`" for n in above.index) if len(above) else "none")
                + ".\n"
            )
            parts.append("| rank | uncertain parameter | μ* | μ* 95 % conf. | σ |")
            parts.append("| --- | --- | --- | --- | --- |")
            shown = frame.head(TOP)
            if DUMMY not in shown.index:
                shown = pd.concat([shown, frame.loc[[DUMMY]]])
            for name, r in shown.iterrows():
                rank = frame.index.get_loc(name) + 1
                mark = "**" if name in above.index else ""
                label = f"{mark}`{name}`{mark}" if name != DUMMY else f"*{name}*"
                parts.append(
                    f"| {rank} | {label} | {r.mu_star:.4g} | {r.mu_star_conf:.3g} | {r.sigma:.4g} |"
                )
            parts.append("")
    return parts


def main() -> None:
    """Run the screening and write docs/uncertainty.md."""
    experiment = load_experiment(EXPERIMENT)
    spec = experiment.spec
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trajectories", type=int, default=spec.design.trajectories)
    parser.add_argument("--scale", type=float, default=spec.scale)
    parser.add_argument("--years", type=int, default=spec.years)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    design = spec.design.model_copy(update={"trajectories": args.trajectories})
    experiment = replace(experiment, spec=spec.model_copy(update={"design": design}))
    real = salib_problem(experiment)
    problem = {
        "num_vars": real["num_vars"] + 1,
        "names": [*real["names"], DUMMY],
        "bounds": [*real["bounds"], [0.0, 1.0]],
    }
    x = morris_sample.sample(
        problem, args.trajectories, num_levels=design.levels, seed=spec.root_seed
    )
    scenario = str(experiment.scenarios[0].file)
    todo = [
        (
            k,
            scenario,
            {
                path: cast(value, experiment.kinds[path])
                for path, value in zip(real["names"], row[:-1], strict=True)
            },
            args.scale,
            args.years,
            spec.root_seed + round(row[-1] * (design.levels - 1)),
        )
        for k, row in enumerate(x)
    ]
    start = time.perf_counter()
    with ProcessPoolExecutor(args.workers) as pool:
        table = pd.DataFrame(pool.map(run_point, todo)).sort_values("point_id")
    elapsed = time.perf_counter() - start
    runs = len(todo) * (1 + len(HEADLINE))
    header = [
        "# Which uncertainties move the policy effects",
        "",
        "<!-- generated by docs/make_uncertainty.py; do not edit by hand -->",
        "",
        f"Morris screening (SALib, {args.trajectories} trajectories × {problem['num_vars'] + 1} "
        f"points, {design.levels} levels) over the {real['num_vars']} parameters the "
        "schema declares uncertain (`uncertainties: declared` in "
        "`experiments/uncertainty_morris.yaml`; each over its plausible range, docs/ODD.md "
        f"§7.13), crossed with the headline levers: every point runs the baseline and "
        f"{len(HEADLINE)} lever scenarios from one burned-in city with one seed "
        f"({spec.root_seed} + the seed factor's level; common random numbers), at scale "
        f"{args.scale}, {args.years} years; each outcome is the mean of the last {WINDOW} "
        f"years and a point's policy effect is lever − baseline. {runs} runs in "
        f"{elapsed:.0f} s on {args.workers} workers.",
        "",
        "μ* is the mean absolute elementary effect of moving the parameter across its "
        "plausible range (in the outcome's unit), σ the spread of the elementary effects "
        "(interactions, nonlinearity); the 95 % confidence of μ* is SALib's bootstrap. With "
        "few trajectories and one seed per point, seed noise enters every elementary effect: "
        "read the ranking as a screening (which parameters to pin down first), not as "
        "estimates, and compare μ* with its confidence. A seed factor that moves no parameter, "
        "only the run's seed, is screened with them: its μ* is the noise floor, and **bold** "
        "parameters are those whose "
        "μ* minus its 95 % half-width exceeds it (the rest cannot be told from noise at these "
        "settings; more trajectories, seeds per point and a larger scale lower the floor).",
        "",
    ]
    OUT.write_text("\n".join(header + analyse(problem, x, table, design.levels)), encoding="utf-8")
    print(f"{OUT}: {runs} runs in {elapsed:.0f} s")


if __name__ == "__main__":
    main()
