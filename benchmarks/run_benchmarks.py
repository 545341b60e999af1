"""Performance benchmarks of talentsim: prints a table, writes benchmarks/results/latest.json.

    OPENBLAS_NUM_THREADS=1 uv run python benchmarks/run_benchmarks.py [--reps 3] [--quick]

Sections (each figure is the median of ``--reps`` repetitions):

1. full scale: the baseline at scale 1.0 for 20 years, one fresh process per repetition
   (wall and CPU time, peak RSS of that process, time per person-year);
2. scaling: the same at scale 1/8, 1/4, 1/2 (1 reused from 1.), time per person-year;
3. people's rules: plain Mesa (one ``mesa.Agent`` per person, ``shuffle_do("step")``) against
   the vectorised functions, same snapshot and parameters (benchmarks/plain_mesa.py), with the
   ratio and a statistical check of the aggregates;
4. profile: cProfile of one full-scale run, top functions by own and by cumulative time;
5. sweep: 16 runs at scale 0.1 through the experiment runner with 1 and 2 worker processes.

Not part of the test run. Machine load from other processes inflates times: the load average
is recorded with the results.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
BASELINE = ROOT / "configs" / "zibo_baseline.yaml"
YEARS = 20
MODEL_FILES = {path.name for path in (ROOT / "src" / "talentsim" / "model").rglob("*.py")} - {
    "__init__.py"
}
"""Files whose functions the cumulative profile lists (the model's own code)."""
SECTIONS = ("full", "scaling", "people", "profile", "sweep")
RESULT_KEYS = {
    "full": "full_scale",
    "scaling": "scaling",
    "people": "people_rules",
    "profile": "profile",
    "sweep": "sweep",
}
"""Where each section's figures go in latest.json."""
NEEDS = {"scaling": ("full",)}
"""Sections that use another's figures: scaling reuses the full-scale run as its largest scale."""

ONE_RUN = """
import json, resource, sys, time
from talentsim.config import resolve_config
from talentsim.model import TalentModel, simulate
scale, years, seed, profile = float(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
cfg = resolve_config(sys.argv[5], {}).model_copy(update={"scale": scale})
if profile:
    import cProfile, pstats
    profiler = cProfile.Profile(time.process_time)  # CPU time: robust to other processes
    profiler.enable()
wall, cpu = time.perf_counter(), time.process_time()
city = TalentModel(cfg, rng=seed)  # set-up and burn-in
burn_in_cpu = time.process_time() - cpu
result = simulate(cfg, seed=seed, years=years, city=city)
wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
if profile:
    profiler.disable()
    stats = pstats.Stats(profiler)
    stats.dump_stats(profile)
model = result.model
person_years = float((result.outcomes["population"] * scale).sum())
print(json.dumps({
    "scale": scale, "years": years, "seed": seed, "wall_s": wall, "cpu_s": cpu,
    "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "person_years": person_years, "persons_ever": len(model.people.individuals()),
    "burn_in_years": cfg.burn_in, "burn_in_cpu_s": burn_in_cpu,
}))
"""


def one_run(scale: float, seed: int, profile: str = "") -> dict[str, Any]:
    """One simulation in a fresh interpreter (so peak RSS is that run's own)."""
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    command = [sys.executable, "-c", ONE_RUN, str(scale), str(YEARS), str(seed), profile]
    done = subprocess.run(
        [*command, str(BASELINE)], capture_output=True, text=True, env=env, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def median_runs(scale: float, reps: int) -> dict[str, Any]:
    """``reps`` runs at ``scale`` (seeds 1..reps), medians of each figure."""
    runs = [one_run(scale, seed) for seed in range(1, reps + 1)]
    summary = {
        key: statistics.median(run[key] for run in runs)
        for key in (
            "wall_s",
            "cpu_s",
            "peak_rss_mb",
            "person_years",
            "persons_ever",
            "burn_in_cpu_s",
        )
    }
    summary["us_per_person_year"] = 1e6 * summary["wall_s"] / summary["person_years"]
    summary["cpu_us_per_person_year"] = 1e6 * summary["cpu_s"] / summary["person_years"]
    return {"scale": scale, "reps": reps, **summary, "runs": runs}


def profile_full(scale: float, top: int = 15) -> dict[str, Any]:
    """cProfile of one run: the top functions by own time and by cumulative time."""
    import pstats

    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "profile.pstats")
        run = one_run(scale, 1, profile=path)
        stats = pstats.Stats(path)
        rows = []
        for (file, line, name), (_, calls, own, cumulative, _) in stats.stats.items():
            where = f"{Path(file).name}:{line}({name})" if line else name
            rows.append({"function": where, "calls": calls, "own_s": own, "cum_s": cumulative})
    by_own = sorted(rows, key=lambda r: -r["own_s"])[:top]
    own_code = [r for r in rows if r["function"].split(":")[0] in MODEL_FILES]
    by_cumulative = sorted(own_code, key=lambda r: -r["cum_s"])[:top]
    return {"run": run, "by_own_time": by_own, "by_cumulative_time": by_cumulative}


def people_rules(scale: float, reps: int) -> dict[str, Any]:
    """Plain-Mesa against vectorised people's rules on one snapshot (CPU seconds)."""
    import numpy as np

    sys.path.insert(0, str(ROOT / "benchmarks"))
    import plain_mesa

    from talentsim.config import resolve_config

    snapshot = plain_mesa.build_snapshot(resolve_config(BASELINE, {}), scale)
    vectorised, plain, create = [], [], []
    checks = []
    for rep in range(reps):
        started = time.process_time()
        year = plain_mesa.vectorised_year(snapshot, np.random.default_rng(100 + rep))
        vectorised.append(time.process_time() - started)
        started = time.process_time()
        model = plain_mesa.PlainPeopleModel(snapshot, seed=100 + rep)
        create.append(time.process_time() - started)
        started = time.process_time()
        model.step()
        plain.append(time.process_time() - started)
        checks.append(plain_mesa.compare(year, model.results()))
        del model
    v, p = statistics.median(vectorised), statistics.median(plain)
    return {
        "scale": scale,
        "reps": reps,
        "population": plain_mesa.population_summary(snapshot),
        "vectorised_s": v,
        "plain_step_s": p,
        "plain_create_s": statistics.median(create),
        "ratio": p / v,
        "ratio_with_creation": (p + statistics.median(create)) / v,
        "same_statistically": all(row["ok"] for rows in checks for row in rows),
        "checks": checks[0],
        "checks_passed": [sum(row["ok"] for row in rows) for rows in checks],
    }


SWEEP = """\
name: bench_sweep
description: 16 replications of the baseline (throughput benchmark).
design: {{kind: scenarios, files: [{scenario}]}}
replications: 16
root_seed: 7
years: 20
scale: 0.1
"""


def sweep(workers: int, reps: int) -> dict[str, Any]:
    """16 runs at scale 0.1 through the experiment runner with ``workers`` processes."""
    from talentsim.experiment.runner import run_sweep

    times, run_seconds, startup = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        spec = Path(tmp) / "bench_sweep.yaml"
        spec.write_text(SWEEP.format(scenario=BASELINE))
        for rep in range(reps):
            done: list[tuple[float, float]] = []  # (run's own seconds, finished at)
            started = time.perf_counter()

            def finished(
                record: dict[str, Any], done: list = done, started: float = started
            ) -> None:
                done.append((record["seconds"], time.perf_counter() - started))

            summary = run_sweep(
                spec, Path(tmp) / f"out-{workers}-{rep}", "processes", workers, on_run=finished
            )
            times.append(time.perf_counter() - started)
            run_seconds.append(statistics.median(seconds for seconds, _ in done))
            # the pool is up when the first run started: its finish minus its own time
            startup.append(min(at - seconds for seconds, at in done))
            if summary.ok != 16:
                raise RuntimeError(f"sweep: {summary.failed} runs failed")
    return {
        "workers": workers,
        "reps": reps,
        "runs": 16,
        "wall_s": statistics.median(times),
        "all_s": times,
        "run_s": statistics.median(run_seconds),
        "startup_s": statistics.median(startup),
        "after_startup_s": statistics.median(t - s for t, s in zip(times, startup, strict=True)),
        "load": load(),
    }


def load() -> list[float]:
    """1, 5 and 15 minute load averages."""
    return [round(x, 2) for x in os.getloadavg()]


def plan(only: list[str], previous: dict[str, Any]) -> list[str]:
    """The sections to run: those asked for, plus any they need that ``previous`` lacks.

    Args:
        only: The sections asked for (``--only``).
        previous: The figures kept from the last latest.json (empty if none or not reusable).

    """
    wanted = set(only)
    for section in only:
        wanted |= {need for need in NEEDS.get(section, ()) if RESULT_KEYS[need] not in previous}
    return [section for section in SECTIONS if section in wanted]


def missing(results: dict[str, Any]) -> list[str]:
    """Sections with no figures in ``results``."""
    return [section for section in SECTIONS if RESULT_KEYS[section] not in results]


def previous_results(path: Path, only: list[str], quick: bool) -> dict[str, Any]:
    """The figures of the sections not run now, from ``path`` if made with the same ``quick``.

    Empty when every section runs, when there is no earlier file, or when it was made with the
    other ``--quick`` setting (its figures would not compare with the new ones).
    """
    if set(only) >= set(SECTIONS) or not path.exists():
        return {}
    previous = json.loads(path.read_text())
    if previous.get("quick", False) != quick:
        print(f"{path}: made with quick={previous.get('quick')}, not reused", flush=True)
        return {}
    return previous


Row = Callable[[str, str, str, bool | None], None]
"""``row(figure, value, target, met)`` appends one line to the table."""


def table(results: dict[str, Any]) -> str:
    """The results as a Markdown table; the sections not measured are named at the end."""
    lines = ["| figure | measured (median) | target | met |", "| --- | --- | --- | --- |"]

    def row(figure: str, value: str, target: str, met: bool | None) -> None:
        mark = "" if met is None else ("yes" if met else "**no**")
        lines.append(f"| {figure} | {value} | {target} | {mark} |")

    if "full_scale" in results:
        full_rows(results["full_scale"], row)
    if "scaling" in results:
        scaling_rows(results["scaling"], row)
    if "people_rules" in results:
        people_rows(results["people_rules"], row)
    if "sweep" in results:
        sweep_rows(results["sweep"], row)
    if "profile" in results:
        lines += profile_lines(results["profile"])
    lines.append("")
    lines.append(
        f"Load average before / after: {results['load_before']} / {results['load_after']} "
        f"on {results['machine']['cpus']} CPUs."
    )
    absent = missing(results)
    if absent:
        lines.append("")
        lines.append(
            f"Not measured: {', '.join(absent)} (run `benchmarks/run_benchmarks.py --only "
            f"{' '.join(absent)}`)."
        )
    return "\n".join(lines)


def full_rows(full: dict[str, Any], row: Row) -> None:
    """Full scale: wall and CPU time, peak memory, time per person-year."""
    row(
        f"full scale, {YEARS} years: wall time",
        f"{full['wall_s']:.2f} s",
        "<= 10 s",
        full["wall_s"] <= 10,
    )
    row(
        f"full scale, {YEARS} years: CPU time (one core's work)",
        f"{full['cpu_s']:.2f} s",
        "<= 10 s",
        full["cpu_s"] <= 10,
    )
    row(
        "full scale: peak RSS",
        f"{full['peak_rss_mb']:.0f} MB",
        "<= 2 GB",
        full["peak_rss_mb"] <= 2048,
    )
    row(
        "full scale: person-years simulated / persons ever",
        f"{full['person_years'] / 1e6:.2f} M / {full['persons_ever'] / 1e6:.2f} M",
        "",
        None,
    )
    row("full scale: time per person-year", f"{full['us_per_person_year']:.3f} µs", "", None)


def scaling_rows(scaling: list[dict[str, Any]], row: Row) -> None:
    """Time per person-year by scale, and its spread."""
    per = {s["scale"]: s for s in scaling}
    for scale in sorted(per):
        s = per[scale]
        row(
            f"scale {scale:g}: time per person-year",
            f"{s['us_per_person_year']:.3f} µs ({s['wall_s']:.2f} s, CPU "
            f"{s['cpu_us_per_person_year']:.3f} µs)",
            "",
            None,
        )
    smallest, largest = per[min(per)], per[max(per)]
    spread = smallest["us_per_person_year"] / largest["us_per_person_year"]
    cpu_spread = smallest["cpu_us_per_person_year"] / largest["cpu_us_per_person_year"]
    row(
        f"time per person-year, scale {min(per):g} / scale {max(per):g}, wall",
        f"{spread:.2f}x",
        "within 1.3x",
        1 / 1.3 <= spread <= 1.3,
    )
    row(
        f"time per person-year, scale {min(per):g} / scale {max(per):g}, CPU",
        f"{cpu_spread:.2f}x",
        "within 1.3x",
        1 / 1.3 <= cpu_spread <= 1.3,
    )


def people_rows(people: dict[str, Any], row: Row) -> None:
    """Plain Mesa against the vectorised people's rules."""
    population = people["population"]
    row(
        f"people's rules, plain Mesa step ({population['persons']:,} agents)",
        f"{people['plain_step_s'] * 1000:.0f} ms (+ {people['plain_create_s'] * 1000:.0f} ms "
        "to create the agents)",
        "",
        None,
    )
    row("people's rules, vectorised", f"{people['vectorised_s'] * 1000:.1f} ms", "", None)
    row(
        "people's rules, vectorised vs plain Mesa",
        f"{people['ratio']:.0f}x ({people['ratio_with_creation']:.0f}x counting agent creation)",
        ">= 20x",
        people["ratio"] >= 20,
    )
    row(
        "people's rules, aggregates statistically the same",
        f"{people['checks_passed']} of {len(people['checks'])} checks per repetition",
        "all",
        people["same_statistically"],
    )


def sweep_rows(sweeps: list[dict[str, Any]], row: Row) -> None:
    """A sweep with 1 and 2 workers, and the speed-up."""
    one, two = sweeps
    speedup = one["wall_s"] / two["wall_s"]
    for sw in (one, two):
        row(
            f"sweep, 16 runs at scale 0.1, {sw['workers']} worker(s)",
            f"{sw['wall_s']:.2f} s (one run {sw.get('run_s', math.nan):.2f} s in its worker; "
            f"load {sw.get('load', ['?'])[0]})",
            "",
            None,
        )
    row("sweep speed-up, 2 workers", f"{speedup:.2f}x", ">= 1.8x", speedup >= 1.8)
    if "after_startup_s" in one and "after_startup_s" in two:
        steady = one["after_startup_s"] / two["after_startup_s"]
        row(
            "sweep speed-up once the workers are up (pool start-up: "
            f"{one['startup_s']:.1f} s / {two['startup_s']:.1f} s)",
            f"{steady:.2f}x",
            "",
            None,
        )


def profile_lines(profile: dict[str, Any]) -> list[str]:
    """Top functions by own time, and the model's own by cumulative time."""
    lines: list[str] = []
    lines.append("")
    lines.append(
        "Profile of one full-scale run under cProfile, timed in CPU seconds "
        f"({profile['run']['cpu_s']:.1f} s with profiling overhead), top functions by own time:"
    )
    lines.append("")
    lines.append("| function | calls | own s | cumulative s |")
    lines.append("| --- | --- | --- | --- |")
    for r in profile["by_own_time"][:12]:
        lines.append(f"| `{r['function']}` | {r['calls']} | {r['own_s']:.2f} | {r['cum_s']:.2f} |")
    lines.append("")
    lines.append("Top functions of the model's own code by cumulative time:")
    lines.append("")
    lines.append("| function | calls | cumulative s |")
    lines.append("| --- | --- | --- |")
    for r in profile["by_cumulative_time"][:15]:
        lines.append(f"| `{r['function']}` | {r['calls']} | {r['cum_s']:.2f} |")
    return lines


def main() -> None:
    """Run every section, print the table, write the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=3, help="repetitions per figure")
    parser.add_argument("--people-scale", type=float, default=0.2)
    parser.add_argument("--quick", action="store_true", help="small scales, to check the script")
    parser.add_argument(
        "--only",
        nargs="+",
        choices=SECTIONS,
        default=list(SECTIONS),
        help="run these sections (and any they need); the others are kept from the previous "
        "latest.json if it has them, else the table names them as not measured",
    )
    args = parser.parse_args()
    full_scale, scales = (1.0, [1 / 8, 1 / 4, 1 / 2])
    if args.quick:
        full_scale, scales = 0.1, [0.0125, 0.025, 0.05]
    results = previous_results(RESULTS / "latest.json", args.only, args.quick)
    sections = plan(args.only, results)
    extra = [section for section in sections if section not in args.only]
    if extra:
        print(f"also running {', '.join(extra)}: the other sections need it", flush=True)
    results.update(
        started=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        machine={
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
        },
        load_before=load(),
        quick=args.quick,
        sections_run=sections,
    )
    if "full" in sections:
        print("full scale ...", flush=True)
        results["full_scale"] = median_runs(full_scale, args.reps)
    if "scaling" in sections:
        print("scaling ...", flush=True)
        results["scaling"] = [median_runs(s, args.reps) for s in scales] + [results["full_scale"]]
    if "people" in sections:
        print("people's rules: plain Mesa vs vectorised ...", flush=True)
        results["people_rules"] = people_rules(
            args.people_scale if not args.quick else 0.02, args.reps
        )
    if "profile" in sections:
        print("profile ...", flush=True)
        results["profile"] = profile_full(full_scale)
    if "sweep" in sections:
        print("sweep ...", flush=True)
        results["sweep"] = [sweep(1, args.reps), sweep(2, args.reps)]
    results["load_after"] = load()
    try:
        from talentsim.runinfo import git_state, package_versions

        results["git"] = git_state()
        results["packages"] = package_versions()
    except Exception as error:  # provenance is best effort
        results["git"] = str(error)
    RESULTS.mkdir(parents=True, exist_ok=True)
    text = table(results)
    (RESULTS / "latest.json").write_text(json.dumps(results, indent=2, default=str))
    (RESULTS / "latest.md").write_text(text + "\n")
    print(text)
    print(f"\nwritten: {RESULTS / 'latest.json'}")


if __name__ == "__main__":
    main()
