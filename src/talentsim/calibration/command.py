"""The ``talentsim calibrate`` workflow: fit, write the fitted config, write the report."""

from __future__ import annotations

import shlex
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from talentsim.calibration.fit import FitResult, fit, write_fitted
from talentsim.calibration.report import NOTES, Validation, render, validate
from talentsim.calibration.targets import load_targets
from talentsim.config import resolve_config
from talentsim.experiment.executors import make_executor
from talentsim.runinfo import write_atomic

DEFAULT_TARGETS = Path("configs/calibration/targets.yaml")
DEFAULT_REPORT = Path("docs/calibration.md")
DEFAULT_FITTED = Path("configs/calibration/fitted.yaml")


@dataclass
class Options:
    """What ``talentsim calibrate`` was asked to do."""

    targets: Path = DEFAULT_TARGETS
    report: Path = DEFAULT_REPORT
    write: Path = DEFAULT_FITTED
    report_only: bool = False
    lhs: int = 32
    iterations: int = 60
    seeds: int | None = None
    scale: float | None = None
    facts: bool = True
    executor: str = "processes"
    workers: int | None = None
    scheduler: str | None = None


def command_line(options: Options) -> str:
    """The command that regenerates the report as it was made (quoted in the report)."""
    parts = ["uv run talentsim calibrate --report-only"]
    if options.targets != DEFAULT_TARGETS:
        parts.append(f"--targets {shlex.quote(str(options.targets))}")
    if options.report != DEFAULT_REPORT:
        parts.append(f"--report {shlex.quote(str(options.report))}")
    if options.seeds:
        parts.append(f"--seeds {options.seeds}")
    if options.scale:
        parts.append(f"--scale {options.scale}")
    if not options.facts:
        parts.append("--no-facts")
    return " ".join(parts)


def run_calibrate(
    options: Options, say: Callable[[str], None]
) -> tuple[Validation, FitResult | None]:
    """Fit the free parameters unless ``report_only``, then regenerate the report.

    Raises:
        ConfigError: the targets file or the baseline config is invalid.

    """
    targets = load_targets(options.targets)
    resolve_config(targets.settings.config)  # fail early on a bad baseline
    result = None
    with make_executor(options.executor, options.workers, options.scheduler) as executor:
        if not options.report_only:
            base = resolve_config(targets.settings.config)
            result = fit(
                targets,
                base,
                executor,
                lhs_points=options.lhs,
                iterations=options.iterations,
                progress=say,
            )
            settings = targets.settings
            write_fitted(
                options.write,
                result,
                f"LHS {options.lhs} points + Nelder-Mead <= {options.iterations} iterations, "
                f"scale {settings.fit_scale}, {settings.fit_years} years, "
                f"{settings.fit_seeds} seeds",
            )
            say(
                f"wrote {options.write}: " + ", ".join(f"{k}={v}" for k, v in result.values.items())
            )
        say("validating the baseline over the report's seeds ...")
        validation = validate(
            targets, executor, seeds=options.seeds, scale=options.scale, facts=options.facts
        )
    notes = _notes(validation, result, options.write)
    text = render(validation, command_line(options), notes)
    write_atomic(options.report, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
    say(f"wrote {options.report}")
    return validation, result


def _notes(validation: Validation, result: FitResult | None, fitted: Path) -> str:
    """Closing notes: interpretation choices, and the provenance of the fitted values."""
    text = NOTES
    if result is not None:
        text += (
            f"\nLast fit: loss {result.start_loss:.3f} → {result.loss:.3f} "
            f"over {len(result.evaluations)} evaluations.\n"
        )
    elif fitted.is_file():
        header = [
            line.removeprefix("#").strip()
            for line in fitted.read_text(encoding="utf-8").splitlines()
            if line.startswith(("# Fit", "# loss"))
        ]
        if header:
            text += f"\nProvenance of `{fitted}`: " + " ".join(header) + "\n"
    return text
