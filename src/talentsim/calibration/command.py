"""The ``talentsim calibrate`` workflow: check the input, fit, write the outputs, write the report.

Every input is checked before anything runs or is written: the targets file (schema, bands,
unique names), the baseline config, the free parameters' config paths, and the outcome columns
the facts read (on a one-year run at a tiny scale). A bad input raises
:class:`~talentsim.config.ConfigError` naming the file and the field.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from talentsim.calibration.fit import (
    check_paths,
    choose_point,
    describe_fit,
    read_table,
    write_fitted,
    write_table,
)
from talentsim.calibration.report import NOTES, Validation, render, validate
from talentsim.calibration.smc import Budget, Posterior, fit_posterior
from talentsim.calibration.targets import TargetsFile, check_columns, load_targets
from talentsim.config import resolve_config
from talentsim.experiment.executors import default_workers, make_executor
from talentsim.runinfo import write_atomic

DEFAULT_TARGETS = Path("configs/calibration/targets.yaml")
DEFAULT_REPORT = Path("docs/calibration.md")
DEFAULT_FITTED = Path("configs/calibration/fitted.yaml")
DEFAULT_POSTERIOR = Path("configs/calibration/posterior.csv")
DEFAULT_PREDICTIVE = Path("configs/calibration/posterior_predictive.csv")
DEFAULT_DB = Path("results/calibration/abc.db")


@dataclass
class Options:
    """What ``talentsim calibrate`` was asked to do."""

    targets: Path = DEFAULT_TARGETS
    report: Path = DEFAULT_REPORT
    write: Path = DEFAULT_FITTED
    posterior: Path = DEFAULT_POSTERIOR
    db: Path = DEFAULT_DB
    report_only: bool = False
    population: int = 100
    generations: int = 4
    max_minutes: float | None = 30.0
    seeds: int | None = None
    scale: float | None = None
    facts: bool = True
    executor: str = "processes"
    workers: int | None = None
    scheduler: str | None = None
    study: Path | None = None
    """A sweep dataset made with ``posterior:`` draws: its headline goes into the report."""
    fresh: bool = False
    """Start a new history (after a model change) instead of continuing ``db``."""

    @property
    def predictive(self) -> Path:
        """The posterior predictive table beside the posterior sample."""
        return self.posterior.with_name(self.posterior.stem + "_predictive.csv")


def command_line(options: Options, report_only: bool = True) -> str:
    """The command that regenerates the report (or redoes the fit) as it was made."""
    parts = ["uv run talentsim calibrate"]
    if report_only:
        parts.append("--report-only")
    else:
        parts.append(f"--population {options.population} --generations {options.generations}")
        if options.max_minutes:
            parts.append(f"--max-minutes {options.max_minutes:g}")
    defaults = Options()
    for name in ("targets", "report", "posterior", "db") if not report_only else ("targets",):
        if getattr(options, name) != getattr(defaults, name):
            parts.append(f"--{name} {shlex.quote(str(getattr(options, name)))}")
    if report_only:
        if options.seeds:
            parts.append(f"--seeds {options.seeds}")
        if options.scale:
            parts.append(f"--scale {options.scale}")
        if not options.facts:
            parts.append("--no-facts")
        if options.study:
            parts.append(f"--study {shlex.quote(str(options.study))}")
    return " ".join(parts)


def check_inputs(options: Options) -> TargetsFile:
    """Load and check every input of the command before anything runs or is written.

    Raises:
        ConfigError: naming the file and the field.

    """
    from talentsim.model import simulate

    targets = load_targets(options.targets)
    base = resolve_config(targets.settings.config)
    check_paths(base, [p.path for p in targets.free_parameters], str(options.targets))
    probe = simulate(base.model_copy(update={"scale": 0.01}), seed=0, years=1).outcomes
    check_columns(targets, probe, str(options.targets))
    for path in (options.posterior, options.predictive):
        read_table(path)
    if options.study is not None:
        from talentsim.analysis.dataset import load_dataset

        load_dataset(options.study)
    return targets


def run_calibrate(
    options: Options, say: Callable[[str], None]
) -> tuple[Validation, Posterior | None]:
    """Fit the free parameters unless ``report_only``, then regenerate the report.

    Raises:
        ConfigError: an input is invalid (nothing has been written then).

    """
    targets = check_inputs(options)
    result = None
    with make_executor(options.executor, options.workers, options.scheduler) as executor:
        if not options.report_only:
            result = _fit(targets, options, executor, say)
        say("validating the baseline over the report's seeds ...")
        validation = validate(
            targets, executor, seeds=options.seeds, scale=options.scale, facts=options.facts
        )
    validation.posterior = read_table(options.posterior)
    validation.posterior_predictive = read_table(options.predictive)
    validation.provenance = _provenance(options.write)
    if options.study is not None:
        from talentsim.analysis.uncertainty import markdown_headline

        validation.policy = markdown_headline(options.study)
    text = render(
        validation,
        command_line(options),
        NOTES,
        fit_command=command_line(options, report_only=False),
    )
    write_atomic(options.report, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
    say(f"wrote {options.report}")
    return validation, result


def _fit(targets: TargetsFile, options: Options, executor, say) -> Posterior:
    if options.fresh and options.db.is_file():
        options.db.unlink()
        say(f"removed {options.db}: starting a new history")
    base = resolve_config(targets.settings.config)
    budget = Budget(options.population, options.generations, options.max_minutes)
    jobs = 1 if options.executor == "serial" else options.workers or default_workers()
    result = fit_posterior(targets, base, executor, jobs, options.db, budget, say)
    write_table(options.posterior, result.particles)
    write_table(options.predictive, result.predictive)
    settings = targets.settings
    note = describe_fit(result, options.population, settings.fit_scale, settings.fit_years)
    say("choosing the point estimate among the posterior mean and the closest particles ...")
    values, chosen = choose_point(targets, base, executor, result)
    note = f"{note}; {chosen}"
    write_fitted(options.write, values, note)
    say(f"wrote {options.posterior}, {options.predictive} and {options.write} ({note})")
    return result


def _provenance(fitted: Path) -> str:
    """The fit line of fitted.yaml's header."""
    if not fitted.is_file():
        return ""
    for line in fitted.read_text(encoding="utf-8").splitlines():
        if line.startswith("# Fit of"):
            return line.removeprefix("# ").strip()
    return ""
