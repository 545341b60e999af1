"""The ``talentsim`` command line: run a scenario, validate a config.

Exit codes: 0 ok, 2 bad input (config, file, arguments), 1 failure while running.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from talentsim.config import ConfigError, resolve_config
from talentsim.config.loading import config_hash
from talentsim.runinfo import git_state, package_versions, write_atomic, write_json

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Agent-based simulation of a city's talent supply and demand.",
)
console = Console()
errors = Console(stderr=True)

BAD_INPUT = 2
RUN_FAILED = 1
SUMMARY_COLUMNS = (
    "graduates",
    "retention_rate",
    "employment_rate",
    "in_field_rate",
    "mismatch_jrl",
    "firm_participation_rate",
    "rd_intensity",
    "fiscal_cost",
)


def fail(message: str, code: int = BAD_INPUT) -> typer.Exit:
    """Print ``message`` on stderr and return the exit to raise."""
    errors.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def run_overrides(seed: int | None, years: int | None, scale: float | None) -> dict[str, object]:
    """Command-line options as dotted config overrides (validated with the config)."""
    given = {"seed": seed, "years": years, "scale": scale}
    return {key: value for key, value in given.items() if value is not None}


@app.command()
def run(
    config: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    out: Annotated[Path, typer.Option("--out", help="Output folder.")],
    seed: Annotated[int | None, typer.Option(help="Seed (default: the config's).")] = None,
    years: Annotated[int | None, typer.Option(help="Years to simulate.")] = None,
    scale: Annotated[float | None, typer.Option(help="Share of persons and firms, (0, 1].")] = None,
) -> None:
    """Run one scenario; write OUT/outcomes.parquet, OUT/flows.parquet and OUT/manifest.json."""
    from talentsim.model import simulate

    try:
        resolved = resolve_config(config, run_overrides(seed, years, scale))
    except ConfigError as exc:
        raise fail(str(exc)) from None
    if out.exists() and not out.is_dir():
        raise fail(f"--out {out}: exists and is not a folder")
    started = time.time()
    try:
        result = simulate(resolved)
    except Exception as exc:
        raise fail(f"run failed: {type(exc).__name__}: {exc}", RUN_FAILED) from exc
    seconds = time.time() - started
    write_atomic(out / "outcomes.parquet", lambda tmp: result.outcomes.to_parquet(tmp, index=False))
    write_atomic(out / "flows.parquet", lambda tmp: result.flows.to_parquet(tmp, index=False))
    write_json(
        out / "manifest.json",
        {
            "config_file": str(config),
            "config": resolved.model_dump(mode="json"),
            "config_hash": config_hash(resolved),
            "seed": resolved.seed,
            "packages": package_versions(),
            "git": git_state(),
            "seconds": round(seconds, 3),
            "started": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(started)),
        },
    )
    console.print(summary_table(result.outcomes, resolved.name))
    console.print(f"{resolved.years} years at scale {resolved.scale} in {seconds:.1f} s → {out}")


def summary_table(outcomes: object, title: str) -> Table:
    """First and last year of the key outcomes."""
    table = Table(title=title)
    table.add_column("outcome")
    first, last = outcomes.iloc[0], outcomes.iloc[-1]  # type: ignore[attr-defined]
    table.add_column(str(int(first["year"])), justify="right")
    table.add_column(str(int(last["year"])), justify="right")
    for name in SUMMARY_COLUMNS:
        table.add_row(name, f"{first[name]:,.3g}", f"{last[name]:,.3g}")
    return table


@app.command()
def validate(
    config: Annotated[Path, typer.Argument(help="Scenario or experiment YAML file.")],
) -> None:
    """Check a scenario config, or an experiment (a file with a top-level `design`), unrun."""
    from talentsim.experiment.spec import is_experiment_file, is_optimization_file

    try:
        if is_optimization_file(config):
            validate_search(config)
            return
        if is_experiment_file(config):
            validate_experiment(config)
            return
        resolved = resolve_config(config)
    except ConfigError as exc:
        raise fail(str(exc)) from None
    console.print(
        f"{config}: valid scenario '{resolved.name}' (hash {config_hash(resolved)})",
        soft_wrap=True,
    )


def validate_experiment(path: Path) -> None:
    """Check an experiment file and its scenarios; print its size and hash."""
    from talentsim.experiment.runner import prepare

    experiment, tasks, manifest = prepare(path)
    design = manifest["design"]
    console.print(
        f"{path}: valid experiment '{experiment.name}': {design['kind']} design, "
        f"{design['points']} points × {design['replications']} replications = {len(tasks)} runs "
        f"(hash {manifest['experiment_hash']})",
        soft_wrap=True,
    )


def validate_search(path: Path) -> None:
    """Check an optimisation experiment and its scenario; print its budget and hash."""
    from talentsim.experiment.optimize import load_search, search_hash

    search = load_search(path)
    spec = search.spec
    console.print(
        f"{path}: valid experiment '{search.name}' (policy search): {len(spec.levers)} levers, "
        f"{len(spec.optimize.objectives)} objectives, {len(spec.optimize.constraints)} "
        f"constraints, {spec.optimize.trials} trials × {len(search.uncertainty_scenarios)} "
        f"scenarios × {spec.replications} replications (hash {search_hash(search)})",
        soft_wrap=True,
    )


@app.command()
def sweep(
    experiment: Annotated[Path, typer.Argument(help="Experiment YAML file (experiments/).")],
    out: Annotated[Path, typer.Option("--out", help="Dataset folder (resumed if it exists).")],
    executor: Annotated[
        str, typer.Option(help="Where runs execute: serial, processes or dask.")
    ] = "processes",
    workers: Annotated[
        int | None, typer.Option(help="Worker processes (default: all cores).")
    ] = None,
    scheduler: Annotated[
        str | None, typer.Option(help="Running dask scheduler, tcp://HOST:PORT (dask only).")
    ] = None,
) -> None:
    """Run an experiment into OUT: outcomes, flows and runs.parquet plus manifest.json."""
    from talentsim.experiment.executors import EXECUTORS, start_workers_early

    if executor not in EXECUTORS:
        raise fail(f"--executor {executor}: choose one of {', '.join(EXECUTORS)}")
    if workers is not None and workers < 1:
        raise fail(f"--workers {workers}: must be at least 1")
    if scheduler and executor != "dask":
        raise fail("--scheduler: only used with --executor dask")
    if executor == "processes":
        start_workers_early()  # the workers' imports overlap with this process's

    from talentsim.experiment.progress import sweep_progress
    from talentsim.experiment.runner import run_sweep
    from talentsim.experiment.store import StoreError

    try:
        with sweep_progress(console) as progress:
            summary = run_sweep(
                experiment, out, executor, workers, scheduler, progress.start, progress.run_done
            )
    except (ConfigError, StoreError) as exc:
        raise fail(str(exc)) from None
    except OSError as exc:
        if scheduler:
            raise fail(f"--scheduler {scheduler}: {exc}") from None
        raise fail(f"sweep stopped: {exc}", RUN_FAILED) from None
    except KeyboardInterrupt:
        raise fail(f"interrupted; run the same command again to resume into {out}", 130) from None
    done = summary.total - summary.skipped
    console.print(
        f"{summary.total} runs ({summary.skipped} already done, {done} run now) in "
        f"{summary.seconds:.1f} s with {executor} → {out}",
        soft_wrap=True,
    )
    if summary.failed:
        raise fail(
            f"{summary.failed} of {summary.total} runs failed (see status and error in "
            f"{out / 'runs.parquet'})",
            RUN_FAILED,
        )
    console.print("all runs ok")


@app.command()
def optimize(
    experiment: Annotated[Path, typer.Argument(help="Optimisation experiment (`optimize:`).")],
    out: Annotated[Path, typer.Option("--out", help="Dataset folder (resumed if it exists).")],
    executor: Annotated[
        str, typer.Option(help="Where runs execute: serial, processes or dask.")
    ] = "processes",
    workers: Annotated[
        int | None, typer.Option(help="Worker processes (default: all cores).")
    ] = None,
    scheduler: Annotated[
        str | None, typer.Option(help="Running dask scheduler, tcp://HOST:PORT (dask only).")
    ] = None,
) -> None:
    """Search lever mixes (Optuna NSGA-II/TPE); write the runs, trials and the front into OUT."""
    from talentsim.experiment.executors import EXECUTORS, start_workers_early

    if executor not in EXECUTORS:
        raise fail(f"--executor {executor}: choose one of {', '.join(EXECUTORS)}")
    if workers is not None and workers < 1:
        raise fail(f"--workers {workers}: must be at least 1")
    if scheduler and executor != "dask":
        raise fail("--scheduler: only used with --executor dask")
    if executor == "processes":
        start_workers_early()

    from talentsim.experiment.optimize import FRONT, run_search
    from talentsim.experiment.store import StoreError

    def say(line: str) -> None:
        console.print(line, markup=False, highlight=False, soft_wrap=True)

    try:
        summary = run_search(experiment, out, executor, workers, scheduler, say)
    except (ConfigError, StoreError) as exc:
        raise fail(str(exc)) from None
    except OSError as exc:
        if scheduler:
            raise fail(f"--scheduler {scheduler}: {exc}") from None
        raise fail(f"optimisation stopped: {exc}", RUN_FAILED) from None
    except KeyboardInterrupt:
        raise fail(f"interrupted; run the same command again to resume into {out}", 130) from None
    assert summary.front is not None
    for line in front_lines(summary.front):
        console.print(line, markup=False, highlight=False, soft_wrap=True)
    console.print(
        f"{summary.trials} trials, {summary.runs_done} runs run now ({summary.runs_reused} "
        f"reused) in {summary.seconds:.1f} s with {executor} → {out} (front: {out / FRONT})",
        soft_wrap=True,
    )
    if summary.failed_runs:
        raise fail(
            f"{summary.failed_runs} runs failed (see status and error in {out / 'runs.parquet'})",
            RUN_FAILED,
        )


def front_lines(front: object) -> list[str]:
    """One line per front candidate: its levers, then each value ± its 95 % half-width."""
    from talentsim.analysis.dataset import short_name
    from talentsim.analysis.study import fmt

    columns = list(front.columns)  # type: ignore[attr-defined]
    skip = {"trial", "generation", "feasible", "violation", "replications"}
    shown = [c for c in columns if c not in skip and not c.endswith(("_se", "_low", "_high"))]
    lines = ["Pareto front (not dominated beyond noise; ± 95 % half-width):"]
    for _, row in front.iterrows():  # type: ignore[attr-defined]
        cells = []
        for column in shown:
            value = row[column]
            text = fmt(value) if isinstance(value, float) else str(value)
            if f"{column}_high" in columns and pd_notna(row[f"{column}_high"]):
                text += f" ± {fmt(row[f'{column}_high'] - value)}"
            cells.append(f"{short_name(column)} {text}")
        lines.append(
            f"  trial {row['trial']} ({row['replications']} replications): " + "; ".join(cells)
        )
    return lines


def pd_notna(value: object) -> bool:
    """Whether a table cell holds a value."""
    import pandas as pd

    return bool(pd.notna(value))


@app.command()
def analyze(
    dataset: Annotated[Path, typer.Argument(help="Sweep folder (talentsim sweep --out).")],
    baseline: Annotated[
        str | None, typer.Option(help="Baseline scenario [default: baseline].")
    ] = None,
    outcome: Annotated[
        list[str] | None, typer.Option("--outcome", help="Outcome to analyse (repeatable).")
    ] = None,
    threshold: Annotated[
        float | None, typer.Option(help="Scenario discovery: case threshold of the 1st outcome.")
    ] = None,
    report: Annotated[
        Path | None, typer.Option("--report", help="HTML report to write (CSV tables beside).")
    ] = None,
) -> None:
    """Compare scenarios, compute sensitivity indices, discover scenarios; write a report."""
    from talentsim.analysis import DatasetError, load_dataset, run_study
    from talentsim.analysis.report import write_report
    from talentsim.analysis.study import key_findings

    if report is not None and report.is_dir():
        raise fail(f"--report {report}: is a folder, expected an .html file path")
    try:
        ds = load_dataset(dataset)
        study = run_study(
            ds,
            baseline=baseline or "baseline",
            outcomes=outcome,
            threshold=threshold,
            baseline_required=baseline is not None or ds.kind == "scenarios",
        )
    except DatasetError as exc:
        raise fail(str(exc)) from None
    for note in study.notes:
        errors.print(f"note: {note}", markup=False, highlight=False, soft_wrap=True)
    if study.final is not None:
        console.print(comparison_table(study.final, study.baseline or ""))
    for line in key_findings(study):
        console.print(line, markup=False, highlight=False, soft_wrap=True)
    if report is not None:
        try:
            written = write_report(study, report)
        except OSError as exc:
            raise fail(f"--report {report}: cannot write ({exc})") from None
        console.print(f"report → {written[0]} (+ {len(written) - 1} CSV tables)")


def comparison_table(final: object, baseline: str) -> Table:
    """Final-year mean and paired difference from the baseline, with 95 % intervals."""
    from talentsim.analysis.study import fmt

    table = Table(title=f"Final year vs '{baseline}' (95 % CI across replications)")
    for column in ("scenario", "outcome", "mean [95 % CI]", "Δ [95 % CI]"):
        table.add_column(column, justify="left" if column in ("scenario", "outcome") else "right")
    for row in final.itertuples(index=False):  # type: ignore[attr-defined]
        diff = (
            f"{fmt(row.diff, True)} [{fmt(row.diff_low, True)}, {fmt(row.diff_high, True)}]"
            if row.scenario != baseline
            else ""
        )
        table.add_row(
            str(row.scenario),
            str(row.outcome),
            f"{fmt(row.mean)} [{fmt(row.ci_low)}, {fmt(row.ci_high)}]",
            diff,
        )
    return table


@app.command()
def dashboard(
    dirs: Annotated[
        list[Path] | None,
        typer.Argument(help="Results roots: the only folders the dashboard may read data from."),
    ] = None,
    host: Annotated[str, typer.Option(help="Interface to bind (loopback by default).")] = (
        "127.0.0.1"
    ),
    port: Annotated[int, typer.Option(help="Port to serve on.", min=0, max=65535)] = 8765,
) -> None:
    """Serve the Solara dashboard (live city, scenarios, sweep explorer) offline; Ctrl-C stops."""
    import os
    import subprocess
    import sys

    app_file = Path(__file__).resolve().parents[2] / "dashboards" / "app.py"
    if not app_file.is_file():
        raise fail(f"{app_file}: dashboard app not found (run from a source checkout)")
    roots = []
    for folder in dirs or []:
        if not folder.is_dir():
            raise fail(f"{folder}: not a folder (results roots must be existing folders)")
        roots.append(str(folder.resolve()))
    python_path = [str(app_file.parents[1]), *filter(None, [os.environ.get("PYTHONPATH")])]
    env = {
        **os.environ,
        "TALENTSIM_RESULTS_ROOTS": os.pathsep.join(roots),
        "PYTHONPATH": os.pathsep.join(python_path),
        "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
    }
    command = [sys.executable, "-m", "solara", "run", str(app_file), "--host", host]
    command += ["--port", str(port), "--production", "--no-open", "--no-check-version"]
    console.print(f"dashboard: http://{host}:{port}/  results roots: {roots or 'none'}")
    try:
        code = subprocess.call(command, env=env)  # noqa: S603 (our own interpreter and app)
    except KeyboardInterrupt:
        code = 0
    if code:
        raise fail(f"the dashboard server stopped with exit code {code}", RUN_FAILED)


DEFAULT_TARGETS = Path("configs/calibration/targets.yaml")


@app.command()
def calibrate(
    targets: Annotated[Path, typer.Option(help="Targets file.")] = DEFAULT_TARGETS,
    report_only: Annotated[
        bool, typer.Option("--report-only", help="Skip the fit; only regenerate the report.")
    ] = False,
    report: Annotated[Path, typer.Option(help="Report to write.")] = Path("docs/calibration.md"),
    write: Annotated[
        Path, typer.Option(help="Where the fitted parameters go (the baseline's base file).")
    ] = Path("configs/calibration/fitted.yaml"),
    lhs: Annotated[int, typer.Option(help="Latin-hypercube points.", min=0)] = 32,
    iterations: Annotated[int, typer.Option(help="Nelder-Mead iterations.", min=0)] = 60,
    seeds: Annotated[int | None, typer.Option(help="Report seeds (default: file).")] = None,
    scale: Annotated[float | None, typer.Option(help="Report scale (default: file).")] = None,
    facts: Annotated[bool, typer.Option(help="Check the stylized facts.")] = True,
    executor: Annotated[str, typer.Option(help="serial, processes or dask.")] = "processes",
    workers: Annotated[int | None, typer.Option(help="Worker processes.", min=1)] = None,
    scheduler: Annotated[str | None, typer.Option(help="dask scheduler tcp://HOST:PORT.")] = None,
) -> None:
    """Fit the baseline's free parameters to the targets; write them and docs/calibration.md."""
    from talentsim.calibration.command import Options, run_calibrate
    from talentsim.experiment.executors import EXECUTORS

    if executor not in EXECUTORS:
        raise fail(f"--executor {executor}: choose one of {', '.join(EXECUTORS)}")
    if scale is not None and not 0 < scale <= 1:
        raise fail(f"--scale {scale}: must be in (0, 1]")
    options = Options(
        targets, report, write, report_only, lhs, iterations, seeds, scale, facts,
        executor, workers, scheduler,
    )  # fmt: skip
    try:
        validation, _ = run_calibrate(options, lambda line: console.print(line, soft_wrap=True))
    except ConfigError as exc:
        raise fail(str(exc)) from None
    except Exception as exc:
        raise fail(f"calibration failed: {type(exc).__name__}: {exc}", RUN_FAILED) from exc
    inside = int(validation.summary.inside.sum())
    console.print(f"{inside} of {len(validation.summary)} targets inside their bands")


if __name__ == "__main__":
    app()
