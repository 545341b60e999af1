"""Performance benchmarks of talentsim: prints a table, writes benchmarks/results/latest.json.

    OPENBLAS_NUM_THREADS=1 uv run python benchmarks/run_benchmarks.py [--reps 3] [--quick]
        [--reference REV] [--market REV] [--only SECTION ...] [--docs]

Sections (each figure is the median of ``--reps`` repetitions):

1. full: the baseline at scale 1.0, burn-in plus 20 reported years, one fresh process per
   repetition (benchmarks/one_run.py): CPU and wall time of the set-up, the burn-in and the
   reported years apart, CPU per reported person-year (and per person-year counting the
   burn-in's), peak RSS, and the CPU time of every process of the schedule (the model's own
   timing hook) and of matching, programme assignment and keyed draws inside them;
2. scaling: the same at scale 1/8, 1/4, 1/2 (1 reused from 1.), CPU per person-year;
3. people: plain Mesa (one ``mesa.Agent`` per person, ``shuffle_do("step")``) against the
   vectorised rules, same snapshot and parameters (benchmarks/plain_mesa.py), with the ratio
   and a statistical check of the aggregates;
4. profile: cProfile of one full-scale run, top functions by own and by cumulative time;
5. study: experiments/recommendations.yaml (6 scenarios at scale 0.25) with
   ``--study-replications`` replications: its cost over the sum of its runs' model time
   (serial, CPU), and runs per minute on 1 and 2 worker processes and a local Dask cluster
   (benchmarks/study.py);
6. reference (with ``--reference REV``): the full-scale run of the working tree and of REV
   side by side, repetitions interleaved, and the ratios per person-year
   (benchmarks/reference.py: a git worktree of REV on this interpreter);
7. market (with ``--market REV``): ``matching.match`` of the working tree and of REV on the
   same input, one year's full-scale market captured from the working tree, calls
   interleaved, with whether both give the same hires (benchmarks/same_market.py).

``--docs`` also writes the results into docs/performance.md (between its ``results`` markers).
Not part of the test run. Machine load from other processes inflates wall times: the load
average is recorded with the results, and ratios are measured side by side.
"""

from __future__ import annotations

import argparse
import json
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

sys.path.insert(0, str(Path(__file__).resolve().parent))

import reference
import same_market
import study
from reference import Tree

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
DOCS = ROOT / "docs" / "performance.md"
BASELINE_PATH = Path("configs") / "zibo_baseline.yaml"
BASELINE = ROOT / BASELINE_PATH
ONE_RUN = ROOT / "benchmarks" / "one_run.py"
WORK = Tree(name="working tree", root=ROOT)
YEARS = 20
MODEL_FILES = {path.name for path in (ROOT / "src" / "talentsim" / "model").rglob("*.py")} - {
    "__init__.py"
}
"""Files whose functions the cumulative profile lists (the model's own code)."""
SECTIONS = ("full", "scaling", "people", "profile", "study", "reference", "market")
RESULT_KEYS = {
    "full": "full_scale",
    "scaling": "scaling",
    "people": "people_rules",
    "profile": "profile",
    "study": "study",
    "reference": "reference",
    "market": "same_market",
}
"""Where each section's figures go in latest.json."""
NEEDS = {"scaling": ("full",)}
"""Sections that use another's figures: scaling reuses the full-scale run as its largest scale."""
TARGET_PEAK_MB = 1024
TARGET_STUDY_COST = 1.2
TARGET_PEOPLE_RATIO = 20
TARGET_MATCHING_SPEED_UP = 2
MARKET_YEAR = 5
"""The reported year whose labour market the market section captures."""
MARK_BEGIN = "<!-- results: begin (written by benchmarks/run_benchmarks.py --docs) -->"
MARK_END = "<!-- results: end -->"


def one_run(tree: Tree, scale: float, seed: int, years: int = YEARS, profile: str = "") -> dict:
    """One simulation of ``tree`` in a fresh interpreter (so peak RSS is that run's own)."""
    command = [tree.python, str(ONE_RUN), str(tree.root / BASELINE_PATH), str(scale)]
    done = subprocess.run(
        [*command, str(years), str(seed), profile],
        capture_output=True,
        text=True,
        env=tree.env(),
        cwd=tree.root,
        check=False,
    )
    if done.returncode:
        raise RuntimeError(f"run of {tree.name} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


FIGURES = (
    "wall_s",
    "cpu_s",
    "reported_cpu_s",
    "setup_cpu_s",
    "burn_in_cpu_s",
    "peak_rss_mb",
    "person_years",
    "burn_in_person_years",
    "burn_in_years",
    "persons_ever",
)
"""Figures of a run summarised by their median over repetitions."""


def summarise(runs: list[dict[str, Any]], scale: float) -> dict[str, Any]:
    """Medians of each figure over ``runs``, times per person-year, and the process profile."""
    summary: dict[str, Any] = {
        key: statistics.median(run[key] for run in runs) for key in FIGURES if key in runs[0]
    }
    per_reported = [run["cpu_s"] / run["person_years"] for run in runs]
    per_all = [run["cpu_s"] / (run["person_years"] + run["burn_in_person_years"]) for run in runs]
    summary["us_per_person_year"] = 1e6 * summary["wall_s"] / summary["person_years"]
    summary["cpu_us_per_person_year"] = 1e6 * statistics.median(per_reported)
    summary["cpu_us_per_person_year_with_burn_in"] = 1e6 * statistics.median(per_all)
    summary["reported_cpu_us_per_person_year"] = 1e6 * statistics.median(
        run["reported_cpu_s"] / run["person_years"] for run in runs
    )
    for phase in ("process_cpu_reported", "process_cpu_burn_in", "inner_cpu_reported"):
        if phase in runs[0]:
            names = runs[0][phase]
            summary[phase] = {n: statistics.median(run[phase][n] for run in runs) for n in names}
    return {"scale": scale, "reps": len(runs), "api": runs[0]["api"], **summary, "runs": runs}


def median_runs(scale: float, reps: int, tree: Tree | None = None) -> dict[str, Any]:
    """``reps`` runs of ``tree`` (default: the working tree) at ``scale``, seeds 1..reps."""
    tree = tree or WORK
    return summarise([one_run(tree, scale, seed) for seed in range(1, reps + 1)], scale)


def compare_with_reference(
    revision: str, scale: float, reps: int, years: int = YEARS
) -> dict[str, Any]:
    """The working tree and ``revision`` side by side, repetitions interleaved (ABBA order).

    Repetition k runs both trees with seed k, the working tree first in even repetitions and
    second in odd ones, so a drift in the machine's load falls on both alike. The ratios are
    working tree over reference: below 1 the working tree needs less CPU per person-year.
    """
    with reference.checkout(ROOT, revision) as ref:
        runs: dict[str, list[dict[str, Any]]] = {"work": [], "reference": []}
        for rep in range(reps):
            order = [("work", WORK), ("reference", ref)]
            for name, tree in order if rep % 2 == 0 else order[::-1]:
                print(f"  {name} {rep + 1}/{reps} ...", flush=True)
                runs[name].append(one_run(tree, scale, rep + 1, years))
        work, base = summarise(runs["work"], scale), summarise(runs["reference"], scale)
        pairs = list(zip(runs["work"], runs["reference"], strict=True))
        paired = {
            "per_person_year": [_per_py(w) / _per_py(r) for w, r in pairs],
            "per_person_year_all": [_per_py(w, True) / _per_py(r, True) for w, r in pairs],
            "peak_rss": [w["peak_rss_mb"] / r["peak_rss_mb"] for w, r in pairs],
        }
        return {
            "revision": revision,
            "reference_name": ref.name,
            "environment": ref.environment,
            "mismatched_packages": ref.mismatched,
            "scale": scale,
            "reps": reps,
            "work": work,
            "reference": base,
            "paired_ratios": paired,
            "ratio_per_person_year": statistics.median(paired["per_person_year"]),
            "ratio_per_person_year_all": statistics.median(paired["per_person_year_all"]),
            "load": load(),
        }


def _per_py(run: dict[str, Any], with_burn_in: bool = False) -> float:
    """CPU seconds of a run per reported person-year (or per person-year incl. burn-in)."""
    person_years = run["person_years"] + (run["burn_in_person_years"] if with_burn_in else 0)
    return run["cpu_s"] / person_years


def profile_full(scale: float, top: int = 15) -> dict[str, Any]:
    """cProfile of one run: the top functions by own time and by cumulative time."""
    import pstats

    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "profile.pstats")
        run = one_run(WORK, scale, 1, profile=path)
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


def study_section(replications: int, scale: float, years: int | None) -> dict[str, Any]:
    """The study's cost (serial, CPU) and its runs per minute on 1, 2 workers and Dask."""
    print("  serial (cost over model time) ...", flush=True)
    cost = study.study_cost(replications, scale, years)
    throughput = []
    for executor, workers in (("processes", 1), ("processes", 2), ("dask", 2)):
        print(f"  {executor}, {workers} worker(s) ...", flush=True)
        throughput.append(study.study_throughput(executor, workers, replications, scale, years))
    return {"cost": cost, "throughput": throughput}


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
    """The results as Markdown: the table, the per-process profile, the cProfile tables."""
    lines = ["| figure | measured (median) | target | met |", "| --- | --- | --- | --- |"]

    def row(figure: str, value: str, target: str, met: bool | None) -> None:
        mark = "" if met is None else ("yes" if met else "**no**")
        lines.append(f"| {figure} | {value} | {target} | {mark} |")

    if "full_scale" in results:
        full_rows(results["full_scale"], row)
    if "reference" in results:
        reference_rows(results["reference"], row)
    if "same_market" in results:
        market_rows(results["same_market"], row)
    if "scaling" in results:
        scaling_rows(results["scaling"], row)
    if "people_rules" in results:
        people_rows(results["people_rules"], row)
    if "study" in results:
        study_rows(results["study"], row)
    if "full_scale" in results:
        lines += process_lines(results["full_scale"])
    if "profile" in results:
        lines += profile_lines(results["profile"])
    lines.append("")
    lines.append(
        f"Load average before / after: {results['load_before']} / {results['load_after']} "
        f"on {results['machine']['cpus']} CPUs (`uptime` at the start: {results.get('uptime')})."
    )
    optional = {"reference": "wants_reference", "market": "wants_market"}
    absent = [s for s in missing(results) if s not in optional or results.get(optional[s])]
    if absent:
        lines.append("")
        lines.append(
            f"Not measured: {', '.join(absent)} (run `benchmarks/run_benchmarks.py --only "
            f"{' '.join(absent)}`)."
        )
    return "\n".join(lines)


def full_rows(full: dict[str, Any], row: Row) -> None:
    """Full scale: CPU and wall time by phase, peak memory, CPU per person-year."""
    burn = full.get("burn_in_cpu_s", 0.0)
    row(
        f"full scale, burn-in + {YEARS} years: CPU time (one core's work)",
        f"{full['cpu_s']:.2f} s (set-up {full.get('setup_cpu_s', 0.0):.2f} s, burn-in "
        f"{burn:.2f} s, reported years {full['reported_cpu_s']:.2f} s)",
        "",
        None,
    )
    row("full scale: wall time", f"{full['wall_s']:.2f} s", "", None)
    row(
        "full scale: peak RSS",
        f"{full['peak_rss_mb']:.0f} MB",
        f"<= {TARGET_PEAK_MB} MB",
        full["peak_rss_mb"] <= TARGET_PEAK_MB,
    )
    row(
        "full scale: reported person-years / burn-in person-years / persons ever",
        f"{full['person_years'] / 1e6:.2f} M / {full['burn_in_person_years'] / 1e6:.2f} M / "
        f"{full['persons_ever'] / 1e6:.2f} M",
        "",
        None,
    )
    row(
        "full scale: CPU per reported person-year (all of the run)",
        f"{full['cpu_us_per_person_year']:.3f} µs",
        "",
        None,
    )
    row(
        "full scale: CPU per person-year counting the burn-in's",
        f"{full['cpu_us_per_person_year_with_burn_in']:.3f} µs",
        "",
        None,
    )
    row(
        "full scale: CPU per reported person-year, reported years only",
        f"{full['reported_cpu_us_per_person_year']:.3f} µs",
        "",
        None,
    )


def reference_rows(ref: dict[str, Any], row: Row) -> None:
    """The working tree against the reference revision, measured side by side."""
    work, base = ref["work"], ref["reference"]
    name = ref["reference_name"]
    row(
        f"reference {name}: CPU per reported person-year (full scale, {ref['reps']} interleaved "
        f"pairs, {ref['environment']})",
        f"{base['cpu_us_per_person_year']:.3f} µs ({base['cpu_s']:.2f} s, "
        f"{base['person_years'] / 1e6:.2f} M person-years, burn-in {base['burn_in_cpu_s']:.2f} s)",
        "",
        None,
    )
    row(
        "working tree in the same pairs: CPU per reported person-year",
        f"{work['cpu_us_per_person_year']:.3f} µs ({work['cpu_s']:.2f} s)",
        "",
        None,
    )
    pairs = ref["paired_ratios"]
    row(
        f"CPU per reported person-year, working tree / {name}",
        f"{ref['ratio_per_person_year']:.2f}x (pairs {_span(pairs['per_person_year'])})",
        "<= 1x",
        ref["ratio_per_person_year"] <= 1.0,
    )
    row(
        f"CPU per person-year incl. burn-in, working tree / {name}",
        f"{ref['ratio_per_person_year_all']:.2f}x (pairs {_span(pairs['per_person_year_all'])})",
        "",
        None,
    )
    row(
        f"peak RSS, working tree / {name}",
        f"{statistics.median(pairs['peak_rss']):.2f}x ({work['peak_rss_mb']:.0f} MB / "
        f"{base['peak_rss_mb']:.0f} MB)",
        "",
        None,
    )
    inner_w, inner_r = work.get("inner_cpu_reported", {}), base.get("inner_cpu_reported", {})
    if "matching" in inner_w and inner_r.get("matching"):
        per_w = inner_w["matching"] / YEARS
        row(
            f"matching per reported year: working tree / {name}",
            f"{per_w * 1000:.0f} ms / {inner_r['matching'] / YEARS * 1000:.0f} ms "
            f"({inner_w['matching'] / inner_r['matching']:.2f}x; the markets may differ)",
            "",
            None,
        )


def market_rows(market: dict[str, Any], row: Row) -> None:
    """``matching.match`` of the working tree and of a revision on the same market."""
    name, m = market["revision"], market["market"]
    row(
        f"matching on the same market (scale {market['scale']:g}, year {m['year']}: "
        f"{m['seekers']:,} seekers, {m['slots']:,} slots), working tree / {name}, "
        f"{market['calls']} calls each, interleaved, both under the model's malloc thresholds",
        f"{market['working_tree_s'] * 1000:.1f} ms / {market['reference_s'] * 1000:.1f} ms: "
        f"{market['speed_up']:.2f}x faster; hires and wages "
        f"{'identical' if market['identical'] else '**different**'}",
        f">= {TARGET_MATCHING_SPEED_UP}x, identical",
        market["speed_up"] >= TARGET_MATCHING_SPEED_UP and market["identical"],
    )
    default = market.get("default_allocator")
    if default:
        row(
            "the same, both under glibc's default malloc thresholds",
            f"{default['working_tree_s'] * 1000:.1f} ms / {default['reference_s'] * 1000:.1f} ms:"
            f" {default['speed_up']:.2f}x faster",
            "",
            None,
        )
        row(
            "the same, each under the thresholds its own model runs matching with",
            f"{market['as_each_model_runs_it']:.2f}x faster",
            "",
            None,
        )


def _span(values: list[float]) -> str:
    return f"{min(values):.2f}–{max(values):.2f}"


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


def study_rows(result: dict[str, Any], row: Row) -> None:
    """The study's cost over its runs' model time, and its runs per minute."""
    cost = result["cost"]
    what = (
        f"study: {cost['scenarios']} scenarios × {cost['replications']} replications at scale "
        f"{cost['scale']:g}"
    )
    row(
        f"{what}, serial: CPU / sum of the runs' model CPU",
        f"{cost['cost_ratio']:.2f}x ({cost['cpu_s']:.1f} s / {cost['model_cpu_s']:.1f} s; "
        f"{cost['runs_per_minute_cpu']:.1f} runs per CPU-minute)",
        f"<= {TARGET_STUDY_COST}x",
        cost["cost_ratio"] <= TARGET_STUDY_COST,
    )
    for sw in result["throughput"]:
        row(
            f"{what}, {sw['executor']}, {sw['workers']} worker(s)",
            f"{sw['runs_per_minute']:.1f} runs/min ({sw['wall_s']:.1f} s wall; load "
            f"{sw['load_before'][0]} → {sw['load_after'][0]})",
            "",
            None,
        )


def process_lines(full: dict[str, Any]) -> list[str]:
    """CPU time per process of the schedule (the model's timing hook), reported and burn-in."""
    reported = full.get("process_cpu_reported")
    if not reported:
        return []
    burn_in = full.get("process_cpu_burn_in", {})
    total = sum(reported.values())
    lines = [
        "",
        f"CPU time per process of the schedule at full scale (median of {full['reps']} runs, "
        "`TalentModel.process_cpu`), in the order of the year:",
        "",
        f"| process | {YEARS} reported years, s | share | per year, ms | burn-in "
        f"({full.get('burn_in_years', 0):.0f} years), s |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name, seconds in reported.items():
        lines.append(
            f"| {name} | {seconds:.2f} | {100 * seconds / total:.0f} % | "
            f"{1000 * seconds / YEARS:.0f} | {burn_in.get(name, 0.0):.2f} |"
        )
    lines.append(
        f"| all processes | {total:.2f} | 100 % | {1000 * total / YEARS:.0f} | "
        f"{sum(burn_in.values()):.2f} |"
    )
    inner = full.get("inner_cpu_reported", {})
    if inner:
        lines.append("")
        lines.append(
            "Inside those processes (reported years; the keyed draws run inside every process): "
            + "; ".join(
                f"{name} {seconds:.2f} s ({100 * seconds / total:.0f} %)"
                for name, seconds in inner.items()
            )
            + "."
        )
    return lines


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


def write_docs(text: str, results: dict[str, Any], path: Path = DOCS) -> None:
    """Put ``text`` (with when and how it was measured) between the markers of ``path``."""
    doc = path.read_text()
    if MARK_BEGIN not in doc or MARK_END not in doc:
        raise SystemExit(f"{path}: no results markers ({MARK_BEGIN!r} ... {MARK_END!r})")
    git = results.get("git") or {}
    commit = git.get("commit", "?") if isinstance(git, dict) else "?"
    dirty = " plus uncommitted changes" if isinstance(git, dict) and git.get("dirty") else ""
    header = (
        f"Measured {results['started']} to {results['finished']} (commit `{str(commit)[:7]}`"
        f"{dirty}) with `{results['command']}`.\n\n"
    )
    before, rest = doc.split(MARK_BEGIN, 1)
    after = rest.split(MARK_END, 1)[1]
    path.write_text(f"{before}{MARK_BEGIN}\n{header}{text}\n{MARK_END}{after}")


def uptime() -> str:
    """What ``uptime`` prints (the machine's load, for the record)."""
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=3, help="repetitions per figure")
    parser.add_argument("--people-scale", type=float, default=0.2)
    parser.add_argument("--quick", action="store_true", help="small scales, to check the script")
    parser.add_argument(
        "--reference", metavar="REV", help="also time git revision REV side by side (e.g. ad16925)"
    )
    parser.add_argument(
        "--market",
        metavar="REV",
        help="also time matching on one year's market against revision REV's (e.g. df5b36c)",
    )
    parser.add_argument("--study-replications", type=int, default=3, metavar="R")
    parser.add_argument(
        "--only",
        nargs="+",
        choices=SECTIONS,
        help="run these sections (and any they need); the others are kept from the previous "
        "latest.json if it has them, else the table names them as not measured",
    )
    parser.add_argument("--docs", action="store_true", help="write the results into " + str(DOCS))
    parser.add_argument("--results", type=Path, default=RESULTS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    given = {"reference": args.reference, "market": args.market}
    if args.only is None:
        args.only = [s for s in SECTIONS if s not in given or given[s]]
    for section, revision in given.items():
        if section in args.only and not revision:
            parser.error(f"--only {section} needs --{section} REV")
    return args


def scales(quick: bool) -> tuple[float, list[float], float, float, int | None]:
    """Full scale, the scaling scales, the people's scale, the study's scale and years."""
    if quick:
        return 0.02, [0.005, 0.01], 0.02, 0.01, 3
    return 1.0, [1 / 8, 1 / 4, 1 / 2], 0.2, 0.25, None


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run the sections asked for, print the table, write the JSON (and the docs)."""
    args = arguments(argv)
    full_scale, scaling_scales, people_scale, study_scale, study_years = scales(args.quick)
    people_scale = people_scale if args.quick else args.people_scale
    results = previous_results(args.results / "latest.json", args.only, args.quick)
    sections = plan(args.only, results)
    extra = [section for section in sections if section not in args.only]
    if extra:
        print(f"also running {', '.join(extra)}: the other sections need it", flush=True)
    results.update(
        started=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        command="uv run python benchmarks/run_benchmarks.py " + " ".join(argv or sys.argv[1:]),
        machine={
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
        },
        load_before=load(),
        uptime=uptime(),
        quick=args.quick,
        sections_run=sections,
        wants_reference=bool(args.reference),
        wants_market=bool(args.market),
    )
    if "reference" in sections:
        print(f"reference {args.reference}, side by side ...", flush=True)
        results["reference"] = compare_with_reference(args.reference, full_scale, args.reps)
        if "full" in sections:  # the working tree's runs of the pairs are the full-scale runs
            results["full_scale"] = results["reference"]["work"]
    elif "full" in sections:
        print("full scale ...", flush=True)
        results["full_scale"] = median_runs(full_scale, args.reps)
    if "market" in sections:
        print(f"matching on the same market, against {args.market} ...", flush=True)
        year, calls = (1, 1) if args.quick else (MARKET_YEAR, 10)
        results["same_market"] = same_market.compare(
            args.market, full_scale, seed=1, year=year, reps=calls, rounds=max(2, args.reps + 1)
        )
    if "scaling" in sections:
        print("scaling ...", flush=True)
        results["scaling"] = [median_runs(s, args.reps) for s in scaling_scales] + [
            results["full_scale"]
        ]
    if "people" in sections:
        print("people's rules: plain Mesa vs vectorised ...", flush=True)
        results["people_rules"] = people_rules(people_scale, args.reps)
    if "profile" in sections:
        print("profile ...", flush=True)
        results["profile"] = profile_full(full_scale)
    if "study" in sections:
        print("study ...", flush=True)
        results["study"] = study_section(args.study_replications, study_scale, study_years)
    results["load_after"] = load()
    results["finished"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    try:
        from talentsim.runinfo import git_state, package_versions

        results["git"] = git_state(ROOT)
        results["packages"] = package_versions()
    except Exception as error:  # provenance is best effort
        results["git"] = str(error)
    args.results.mkdir(parents=True, exist_ok=True)
    text = table(results)
    (args.results / "latest.json").write_text(json.dumps(results, indent=2, default=str))
    (args.results / "latest.md").write_text(text + "\n")
    if args.docs:
        write_docs(text, results)
    print(text)
    print(f"\nwritten: {args.results / 'latest.json'}" + (f", {DOCS}" if args.docs else ""))
    return results


if __name__ == "__main__":
    main()
