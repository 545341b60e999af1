"""The ``talentsim`` command line: run a scenario, validate a config.

Exit codes: 0 ok, 2 bad input (config, file, arguments), 1 failure while running.
"""

from __future__ import annotations

import time
import warnings
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from talentsim.config import CityConfig, ConfigError, ConfigWarning, load_yaml, resolve_config
from talentsim.config.loading import config_hash, late_starts
from talentsim.runinfo import (
    git_state,
    interrupt_on_termination,
    package_versions,
    write_json,
    write_together,
)


class Command(typer.core.TyperCommand):
    """A command whose help names values by metavar (CONFIG, DIR, N), without type labels.

    Typer 0.29 labels every value with its Python type (``<path>``, ``<bool>``,
    ``<list[Path]>``) and writes required arguments as ``{config}``; the help here shows
    metavars instead. Options that name their own metavar keep it.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Give every value a metavar: CONFIG for an argument, N or PATH for an option."""
        super().__init__(*args, **kwargs)
        for param in self.params:
            if isinstance(param, typer.core.TyperArgument):
                param.metavar = param.metavar or (param.name or "").upper()
                param.display_type_rich = _no_type_label  # the metavar says it
            elif param.metavar is None:
                param.metavar = "" if getattr(param, "is_flag", False) else _metavar(param)

    def get_help_option(self, ctx: typer.Context) -> Any:
        """The ``--help`` flag, without a value label."""
        return _without_label(super().get_help_option(ctx))

    def collect_usage_pieces(self, ctx: typer.Context) -> list[str]:
        """``[OPTIONS] CONFIG`` instead of ``[OPTIONS] {config}``."""
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if isinstance(param, typer.core.TyperArgument):
                name = param.metavar + ("..." if param.nargs != 1 else "")
                pieces.append(name if param.required else f"[{name}]")
        return pieces


class Group(typer.core.TyperGroup):
    """The ``talentsim`` group: its ``--help`` without a value label."""

    def get_help_option(self, ctx: typer.Context) -> Any:
        """The ``--help`` flag, without a value label."""
        return _without_label(super().get_help_option(ctx))


METAVARS = {"int": "N", "float": "NUMBER", "str": "TEXT", "Path": "PATH"}
"""Metavar of an option by its value type, where the option does not name its own."""


def _metavar(param: Any) -> str | None:
    bare_type = getattr(param, "bare_type", None)  # typer >= 0.16 labels values by type
    if bare_type is None:
        return None
    kind = bare_type().removeprefix("list[").removesuffix("]")
    return METAVARS.get(kind, kind.upper())


def _no_type_label(ctx: typer.Context) -> None:
    return None


def _without_label(option: Any) -> Any:
    if option is not None:
        option.metavar = ""
    return option


app = typer.Typer(
    cls=Group,
    add_completion=False,
    no_args_is_help=True,
    help="Agent-based simulation of a city's talent supply and demand.",
    epilog="Example: talentsim run configs/zibo_baseline.yaml --out results/baseline "
    "(a guide to your own scenarios and studies: docs/guide.md)",
)
console = Console()
errors = Console(stderr=True)

BAD_INPUT = 2
RUN_FAILED = 1
SUMMARY_COLUMNS = {
    # outcome: (unit shown, how a value is shown); units as in docs/ODD.md §8
    "graduates": ("persons/yr", lambda v: f"{v:,.0f}"),
    "retention_3y": ("of graduates, 3 years on", lambda v: f"{v:.1%}"),
    "employment_rate": ("of graduates staying", lambda v: f"{v:.1%}"),
    "in_field_rate": ("of employed graduates", lambda v: f"{v:.1%}"),
    "mismatch_flow": ("index 0–1", lambda v: f"{v:.3f}"),
    "firm_participation_rate": ("of active firms", lambda v: f"{v:.1%}"),
    "rd_intensity": ("of value added", lambda v: f"{v:.2%}"),
    "fiscal_cost": ("M RMB/yr", lambda v: f"{v / 1e6:,.0f}"),
}
ONE_DRAW = (
    "One run is one draw of the model's randomness: compare scenarios over many seeds with "
    "`talentsim sweep` (docs/guide.md), not on one run."
)


DatasetFolder = Annotated[
    Path, typer.Option("--out", help="Dataset folder (resumed if it exists).", metavar="DIR")
]
ExecutorName = Annotated[str, typer.Option(help="Where runs execute: serial, processes or dask.")]
Workers = Annotated[int | None, typer.Option(help="Worker processes (default: all cores).")]
Scheduler = Annotated[
    str | None, typer.Option(help="Running dask scheduler, tcp://HOST:PORT (dask only).")
]
"""The options a sweep and a policy search share."""


def fail(message: str, code: int = BAD_INPUT) -> typer.Exit:
    """Print ``message`` on stderr and return the exit to raise."""
    errors.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


RUN_FLAGS = {"seed": "--seed", "years": "--years", "scale": "--scale"}


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """``1 run``, ``2 runs``: a count with its noun in the right number."""
    return f"{count:,} {noun if count == 1 else nouns or noun + 's'}"


def load_scenario(
    path: Path,
    overrides: dict[str, object] | None = None,
    flags: dict[str, str] | None = None,
) -> CityConfig:
    """Resolve a scenario file; print its :class:`ConfigWarning` s on stderr as ``warning:``.

    ``flags`` names the CLI option behind each override, for error messages.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConfigWarning)
        resolved = resolve_config(path, overrides, flags)
    for warning in caught:
        if issubclass(warning.category, ConfigWarning):
            warn(str(warning.message))
        else:
            warnings.warn_explicit(
                warning.message, warning.category, warning.filename, warning.lineno
            )
    return resolved


def warn(message: str) -> None:
    """Print ``message`` on stderr as a warning."""
    errors.print(f"[bold yellow]warning:[/] {escape(message)}", highlight=False, soft_wrap=True)


def run_overrides(seed: int | None, years: int | None, scale: float | None) -> dict[str, object]:
    """Command-line options as dotted config overrides (validated with the config)."""
    given = {"seed": seed, "years": years, "scale": scale}
    return {key: value for key, value in given.items() if value is not None}


@app.command(
    cls=Command,
    epilog="Example: talentsim run configs/zibo_baseline.yaml --out results/baseline --scale 0.1",
)
def run(
    config: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    out: Annotated[Path, typer.Option("--out", help="Output folder.", metavar="DIR")],
    seed: Annotated[int | None, typer.Option(help="Seed (default: the config's).")] = None,
    years: Annotated[int | None, typer.Option(help="Years to simulate.")] = None,
    scale: Annotated[float | None, typer.Option(help="Share of persons and firms, (0, 1].")] = None,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace an earlier `run`'s output in OUT.")
    ] = False,
) -> None:
    """Run one scenario; write OUT/outcomes.parquet, OUT/flows.parquet and OUT/manifest.json."""
    from talentsim.model import simulate

    try:
        resolved = load_scenario(config, run_overrides(seed, years, scale), RUN_FLAGS)
    except ConfigError as exc:
        raise fail(str(exc)) from None
    refuse_run_folder(out, overwrite)
    started = time.time()
    try:
        result = simulate(resolved)
    except Exception as exc:
        raise fail(f"run failed: {type(exc).__name__}: {exc}", RUN_FAILED) from exc
    seconds = time.time() - started
    manifest = {
        "format": RUN_FORMAT,
        "config_file": str(config),
        "config": resolved.model_dump(mode="json"),
        "config_hash": config_hash(resolved),
        "seed": resolved.seed,
        "packages": package_versions(),
        "git": git_state(),
        "seconds": round(seconds, 3),
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(started)),
    }
    try:  # all three files or none: a full disk leaves no half-written run
        write_together(
            out,
            {
                "outcomes.parquet": lambda tmp: result.outcomes.to_parquet(tmp, index=False),
                "flows.parquet": lambda tmp: result.flows.to_parquet(tmp, index=False),
                "manifest.json": lambda tmp: write_json(tmp, manifest),
            },
        )
    except OSError as exc:
        raise fail(f"--out {out}: cannot write the results ({exc.strerror or exc})") from None
    console.print(summary_table(result.outcomes, resolved.name))
    console.print(
        f"{plural(resolved.years, 'year')} at scale {resolved.scale:g} (seed {resolved.seed}) in "
        f"{seconds:.1f} s → {out}",
        soft_wrap=True,
    )
    console.print(ONE_DRAW, soft_wrap=True)


RUN_FORMAT = "talentsim-run/1"


def refuse_run_folder(out: Path, overwrite: bool) -> None:
    """Refuse an ``--out`` that holds a sweep, other files, or (without ``--overwrite``) a run."""
    from talentsim.experiment.store import PARTS, StoreError, describe_folder, is_empty
    from talentsim.experiment.store import read_manifest as read_folder_manifest

    if out.exists() and not out.is_dir():
        raise fail(f"--out {out}: exists and is not a folder")
    if not out.exists() or is_empty(out):
        return
    try:
        manifest = read_folder_manifest(out)
    except StoreError:
        manifest = None
    held = describe_folder(out, manifest)
    single = manifest is not None and "config_file" in manifest and not (out / PARTS).exists()
    if not single:
        raise fail(f"--out {out}: holds {held}; `run` writes only into a new or empty folder")
    if not overwrite:
        raise fail(f"--out {out}: holds {held}; pass --overwrite to replace it")


def summary_table(outcomes: object, title: str) -> Table:
    """First and last year of the key outcomes, each with its unit (city scale)."""
    table = Table(title=f"{title}: first and last reported year (city scale)")
    table.add_column("outcome")
    table.add_column("unit")
    first, last = outcomes.iloc[0], outcomes.iloc[-1]  # type: ignore[attr-defined]
    table.add_column(str(int(first["year"])), justify="right")
    table.add_column(str(int(last["year"])), justify="right")
    for name, (unit, show) in SUMMARY_COLUMNS.items():
        table.add_row(name, unit, show(first[name]), show(last[name]))
    return table


@app.command(cls=Command, epilog="Example: talentsim validate experiments/recommendations.yaml")
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
        if not set(load_yaml(config)) & SCENARIO_KEYS:
            raise ConfigError(not_a_scenario(config, load_yaml(config)))
        resolved = load_scenario(config)
    except ConfigError as exc:
        raise fail(str(exc)) from None
    console.print(
        f"{config}: valid scenario '{resolved.name}' (hash {config_hash(resolved)})",
        soft_wrap=True,
    )


SCENARIO_KEYS = {"base", *CityConfig.model_fields}
"""Top-level keys of a scenario file: a file with none of them is some other kind of file."""


def not_a_scenario(path: Path, data: dict[str, object]) -> str:
    """Why ``path`` is neither a scenario nor an experiment, and what ``validate`` expected."""
    found = ", ".join(sorted(map(str, data))) or "nothing"
    message = (
        f"{path}: neither a scenario nor an experiment (top-level keys: {found}). `validate` "
        "expects a scenario config (top-level keys such as base, name, years, city, policy) or "
        "an experiment (a top-level design)"
    )
    if {"settings", "targets"} <= set(data):
        message += (
            "; this looks like a calibration targets file, read by `talentsim calibrate "
            f"--targets {path}`"
        )
    return message


def validate_experiment(path: Path) -> None:
    """Check an experiment file and its scenarios; print its size, hash and any warnings."""
    from talentsim.experiment.runner import prepare

    experiment, tasks, manifest = prepare(path)
    design = manifest["design"]
    points = {task.point_id: task for task in tasks}
    late = {
        f"{task.source}: {message}"
        for task in points.values()
        for message in late_starts(CityConfig.model_validate(task.config))
    }
    for message in sorted(late):
        warn(message)
    console.print(
        f"{path}: valid experiment '{experiment.name}': {design['kind']} design, "
        f"{plural(design['points'], 'point')} × {plural(design['replications'], 'replication')} "
        f"= {plural(len(tasks), 'run')} (hash {manifest['experiment_hash']})",
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


@app.command(
    cls=Command,
    epilog="Example: talentsim sweep experiments/recommendations.yaml --out results/rec",
)
def sweep(
    experiment: Annotated[Path, typer.Argument(help="Experiment YAML file (experiments/).")],
    out: DatasetFolder,
    executor: ExecutorName = "processes",
    workers: Workers = None,
    scheduler: Scheduler = None,
    retry_failed: Annotated[
        bool, typer.Option("--retry-failed", help="Run again the runs recorded as failed.")
    ] = False,
    allow_mixed: Annotated[
        bool,
        typer.Option(
            "--allow-mixed", help="Resume a dataset begun with another git commit or packages."
        ),
    ] = False,
) -> None:
    """Run an experiment into OUT: outcomes, flows and runs.parquet plus manifest.json."""
    from talentsim.experiment.executors import (
        EXECUTORS,
        ExecutorError,
        check_scheduler,
        start_workers_early,
    )

    if executor not in EXECUTORS:
        raise fail(f"--executor {executor}: choose one of {', '.join(EXECUTORS)}")
    if workers is not None and workers < 1:
        raise fail(f"--workers {workers}: must be at least 1")
    if scheduler and executor != "dask":
        raise fail("--scheduler: only used with --executor dask")
    if scheduler:
        try:
            check_scheduler(scheduler)
        except ExecutorError as exc:
            raise fail(f"--scheduler {scheduler}: {exc}") from None
    if executor == "processes":
        start_workers_early()  # the workers' imports overlap with this process's

    from talentsim.experiment.progress import sweep_progress
    from talentsim.experiment.runner import run_sweep
    from talentsim.experiment.store import StoreError

    try:
        with interrupt_on_termination(), sweep_progress(console) as progress:
            summary = run_sweep(
                experiment, out, executor, workers, scheduler, progress.start, progress.run_done,
                retry_failed=retry_failed, allow_mixed=allow_mixed,
            )  # fmt: skip
    except (ConfigError, StoreError) as exc:
        raise fail(str(exc)) from None
    except ExecutorError as exc:
        raise fail(f"--scheduler {scheduler}: {exc}" if scheduler else str(exc)) from None
    except OSError as exc:
        raise fail(f"sweep stopped: {exc}", RUN_FAILED) from None
    except KeyboardInterrupt:
        raise fail(f"interrupted; run the same command again to resume into {out}", 130) from None
    done = summary.total - summary.skipped
    console.print(
        f"{plural(summary.total, 'run')} ({summary.skipped:,} already done, {done:,} run now) in "
        f"{summary.seconds:.1f} s with {executor} → {out}",
        soft_wrap=True,
    )
    if summary.lost:
        errors.print(
            f"{summary.lost} runs were not done: the executor lost them (scheduler or "
            f"connection gone); they are not failures. Run the same command again to resume.",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
    if summary.failed:
        raise fail(
            f"{summary.failed:,} of {plural(summary.total, 'run')} failed (see status and error in "
            f"{out / 'runs.parquet'}; --retry-failed runs them again)",
            RUN_FAILED,
        )
    if summary.lost:
        raise typer.Exit(RUN_FAILED)
    console.print("all runs ok")


@app.command(
    cls=Command,
    epilog="Example: talentsim optimize experiments/cheapest_retention.yaml "
    "--out results/cheapest_retention",
)
def optimize(
    experiment: Annotated[Path, typer.Argument(help="Optimisation experiment (`optimize:`).")],
    out: DatasetFolder,
    executor: ExecutorName = "processes",
    workers: Workers = None,
    scheduler: Scheduler = None,
) -> None:
    """Search lever mixes (Optuna NSGA-II/TPE); write the runs, trials and the front into DIR."""
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


@app.command(
    cls=Command, epilog="Example: talentsim analyze results/rec --report results/rec/report.html"
)
def analyze(
    dataset: Annotated[Path, typer.Argument(help="Sweep folder (talentsim sweep --out).")],
    baseline: Annotated[
        str | None, typer.Option(help="Baseline scenario (default: baseline).")
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
    lang: Annotated[
        str, typer.Option("--lang", help="Language of the report and figures: zh or en.")
    ] = "en",
    figures: Annotated[
        Path | None, typer.Option("--figures", help="Folder for every figure as PNG and SVG.")
    ] = None,
    pdf: Annotated[
        Path | None, typer.Option("--pdf", help="PDF report to write (needs chromium).")
    ] = None,
) -> None:
    """Compare scenarios, compute sensitivity indices, discover scenarios; write a report."""
    from talentsim.analysis import DatasetError, load_dataset, run_study
    from talentsim.analysis.report import write_report
    from talentsim.analysis.study import key_findings

    if report is not None and report.is_dir():
        raise fail(f"--report {report}: is a folder, expected an .html file path")
    if lang not in ("zh", "en"):
        raise fail(f"--lang {lang}: expected zh or en")
    if pdf is not None and pdf.is_dir():
        raise fail(f"--pdf {pdf}: is a folder, expected a .pdf file path")
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
            written = write_report(study, report, lang)  # type: ignore[arg-type]
        except OSError as exc:
            raise fail(f"--report {report}: cannot write ({exc})") from None
        console.print(f"report → {written[0]} (+ {plural(len(written) - 1, 'CSV table')})")
    _take_away(study, lang, figures, pdf)


def _take_away(study: object, lang: str, figures: Path | None, pdf: Path | None) -> None:
    """Write the figures as images and the report as PDF, when asked."""
    from talentsim.analysis.report import write_figures, write_pdf

    for option, target, write in (("--figures", figures, write_figures), ("--pdf", pdf, write_pdf)):
        if target is None:
            continue
        try:
            written = write(study, target, lang)  # type: ignore[arg-type]
        except (OSError, RuntimeError) as exc:
            raise fail(f"{option} {target}: cannot write ({exc})", RUN_FAILED) from None
        shown = (
            f"{plural(len(written), 'image')} in {target}" if isinstance(written, list) else written
        )
        console.print(f"{option.strip('-')} → {shown}")


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


@app.command(cls=Command, epilog="Example: talentsim dashboard results")
def dashboard(
    dirs: Annotated[
        list[Path] | None,
        typer.Argument(help="Results roots: the only folders the dashboard may read data from."),
    ] = None,
    host: Annotated[str, typer.Option(help="Interface to bind (loopback by default).")] = (
        "127.0.0.1"
    ),
    port: Annotated[int, typer.Option(help="Port to serve on.", min=0, max=65535)] = 8765,
    allow_remote: Annotated[
        bool,
        typer.Option(
            "--allow-remote", help="Allow a --host other than loopback (there is no login)."
        ),
    ] = False,
) -> None:
    """Serve the Solara dashboard (live city, scenarios, sweep explorer) offline; Ctrl-C stops."""
    import os
    import sys

    app_file = Path(__file__).resolve().parents[2] / "dashboards" / "app.py"
    if not app_file.is_file():
        raise fail(f"{app_file}: dashboard app not found (run from a source checkout)")
    roots = []
    for folder in dirs or []:
        if not folder.is_dir():
            raise fail(f"{folder}: not a folder (results roots must be existing folders)")
        roots.append(str(folder.resolve()))
    check_dashboard_address(host, port, allow_remote)
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
    code = serve(command, env)
    if code:
        raise fail(f"the dashboard server stopped with exit code {code}", RUN_FAILED)


def check_dashboard_address(host: str, port: int, allow_remote: bool) -> None:
    """Refuse a non-loopback ``host`` without ``allow_remote``, and a port already in use."""
    import ipaddress
    import socket

    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        if not allow_remote:
            raise fail(
                f"--host {host}: the dashboard has no login, and this serves it beyond this "
                "machine; pass --allow-remote to do so anyway (or put it behind a proxy with "
                "authentication)"
            )
        errors.print(
            f"warning: serving on {host}: anyone who can reach port {port} can use the "
            "dashboard and read the results roots",
            markup=False,
            highlight=False,
        )
    try:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as exc:
        raise fail(
            f"--port {port}: cannot serve on {host}:{port} ({exc.strerror or exc})"
        ) from None


def serve(command: list[str], env: dict[str, str]) -> int:
    """Run the server ``command`` until it exits, or until this process is told to stop.

    SIGTERM, SIGHUP and SIGINT stop the server (SIGTERM, then SIGKILL after 10 s) and free its
    port; the server also gets SIGTERM if this process dies without a word (``kill -9``).
    """
    import os
    import signal
    import subprocess

    parent = os.getpid()

    def die_with_parent() -> None:  # runs in the child, before exec
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
        if os.getppid() != parent:  # the parent died before the line above: no signal comes
            os._exit(1)

    server: subprocess.Popen[bytes] | None = None
    try:
        # the handlers first: a signal that comes while the server starts must stop it too
        with interrupt_on_termination():
            server = subprocess.Popen(command, env=env, preexec_fn=die_with_parent)  # noqa: S603 (our own interpreter and app)
            return server.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        if server is not None and server.poll() is None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


DEFAULT_TARGETS = Path("configs/calibration/targets.yaml")


@app.command(cls=Command, epilog="Example: talentsim calibrate --report-only --seeds 2")
def calibrate(
    targets: Annotated[Path, typer.Option(help="Targets file.")] = DEFAULT_TARGETS,
    report_only: Annotated[
        bool, typer.Option("--report-only", help="Skip the fit; only regenerate the report.")
    ] = False,
    report: Annotated[Path, typer.Option(help="Report to write.")] = Path("docs/calibration.md"),
    write: Annotated[
        Path, typer.Option(help="Where the point estimate goes (the baseline's base file).")
    ] = Path("configs/calibration/fitted.yaml"),
    posterior: Annotated[
        Path, typer.Option(help="Posterior sample CSV (its predictive table goes beside it).")
    ] = Path("configs/calibration/posterior.csv"),
    db: Annotated[
        Path, typer.Option(help="ABC-SMC history (SQLite); an existing one is continued.")
    ] = Path("results/calibration/abc.db"),
    population: Annotated[int, typer.Option(help="Particles per generation.", min=2)] = 100,
    generations: Annotated[int, typer.Option(help="Generations in all.", min=1)] = 4,
    max_minutes: Annotated[
        float | None, typer.Option(help="Stop this session's fit after so many minutes.")
    ] = 30.0,
    seeds: Annotated[int | None, typer.Option(help="Report seeds (default: file).")] = None,
    scale: Annotated[float | None, typer.Option(help="Report scale (default: file).")] = None,
    facts: Annotated[bool, typer.Option(help="Check the stylized facts.")] = True,
    study: Annotated[
        Path | None, typer.Option(help="Sweep dataset with posterior draws to headline.")
    ] = None,
    fresh: Annotated[
        bool, typer.Option("--fresh", help="Start a new fit history (after a model change).")
    ] = False,
    executor: Annotated[str, typer.Option(help="serial, processes or dask.")] = "processes",
    workers: Annotated[int | None, typer.Option(help="Worker processes.", min=1)] = None,
    scheduler: Annotated[str | None, typer.Option(help="dask scheduler tcp://HOST:PORT.")] = None,
) -> None:
    """Fit the free parameters (ABC-SMC) to the targets; write the posterior and the report."""
    from talentsim.calibration.command import Options, run_calibrate
    from talentsim.experiment.executors import EXECUTORS

    if executor not in EXECUTORS:
        raise fail(f"--executor {executor}: choose one of {', '.join(EXECUTORS)}")
    if scale is not None and not 0 < scale <= 1:
        raise fail(f"--scale {scale}: must be in (0, 1]")
    if max_minutes is not None and max_minutes <= 0:
        raise fail(f"--max-minutes {max_minutes}: must be positive")
    options = Options(
        targets, report, write, posterior, db, report_only, population, generations,
        max_minutes, seeds, scale, facts, executor, workers, scheduler, study, fresh,
    )  # fmt: skip
    try:
        validation, _ = run_calibrate(options, lambda line: console.print(line, soft_wrap=True))
    except ConfigError as exc:
        raise fail(str(exc)) from None
    except Exception as exc:
        raise fail(f"calibration failed: {type(exc).__name__}: {exc}", RUN_FAILED) from exc
    summary = validation.summary
    fitted = summary[summary.role == "targets"]
    line = f"{int(fitted.inside.sum())} of {len(fitted)} fitted targets inside their bands"
    if validation.predictive is not None:
        held = validation.predictive.loc[[t.name for t in validation.targets.validation]]
        line += f"; {int(held.inside.sum())} of {len(held)} held-out patterns"
    console.print(line)


if __name__ == "__main__":
    app()
