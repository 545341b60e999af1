"""The cost of a study: a scenarios × replications sweep through the experiment runner.

:func:`study_cost` runs the study serially in this process and compares its CPU time (the
whole sweep: planning, shared burn-ins, snapshots, every run, the store) with the sum of its
runs' **model time** — the CPU time inside ``simulate`` of each run, i.e. its reported years
from the burned-in city, measured on the sweep's own worker thread. The ratio is what the
study costs over the runs it consists of: the shared burn-in (one per replication, not one per
run) and the bookkeeping.

:func:`study_throughput` runs the same study with the ``processes`` executor (1 or 2 workers)
or a local Dask cluster and reports runs per minute of wall time: that figure depends on the
free cores of the machine, so it is reported with the load average.
"""

from __future__ import annotations

import math
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
RECOMMENDATIONS = ROOT / "experiments" / "recommendations.yaml"


def study_file(folder: Path, replications: int, scale: float | None, years: int | None) -> Path:
    """experiments/recommendations.yaml with ``replications`` (and ``scale``, ``years``) set.

    Its posterior draws are cut to a divisor of ``replications`` (every draw the same seeds),
    or dropped when that leaves fewer than two.
    """
    spec = yaml.safe_load(RECOMMENDATIONS.read_text())
    spec["design"]["files"] = [
        str((RECOMMENDATIONS.parent / name).resolve()) for name in spec["design"]["files"]
    ]
    spec["replications"] = replications
    if "posterior" in spec:
        draws = math.gcd(replications, spec["posterior"]["draws"])
        if draws < 2:
            del spec["posterior"]
        else:
            spec["posterior"]["draws"] = draws
            spec["posterior"]["file"] = str(
                (RECOMMENDATIONS.parent / spec["posterior"]["file"]).resolve()
            )
    if scale is not None:
        spec["scale"] = scale
    if years is not None:
        spec["years"] = years
    path = folder / "study.yaml"
    path.write_text(yaml.safe_dump(spec, allow_unicode=True))
    return path


def study_cost(replications: int, scale: float | None, years: int | None = None) -> dict:
    """The study run serially: its CPU time against the sum of its runs' model time."""
    from talentsim.experiment import runner

    model_seconds: list[float] = []
    simulate = runner.simulate

    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.thread_time()  # the serial executor's worker thread
        try:
            return simulate(*args, **kwargs)
        finally:
            model_seconds.append(time.thread_time() - started)

    with tempfile.TemporaryDirectory() as tmp:
        path = study_file(Path(tmp), replications, scale, years)
        runner.simulate = timed
        try:
            wall, cpu = time.perf_counter(), time.process_time()
            summary = runner.run_sweep(path, Path(tmp) / "out", "serial")
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        finally:
            runner.simulate = simulate
    _check(summary)
    model = sum(model_seconds)
    return {
        "runs": summary.ok,
        "replications": replications,
        "scenarios": summary.ok // replications,
        "scale": scale,
        "cpu_s": cpu,
        "wall_s": wall,
        "model_cpu_s": model,
        "cost_ratio": cpu / model,
        "runs_per_minute_cpu": 60 * summary.ok / cpu,
        "load": [round(x, 2) for x in os.getloadavg()],
    }


def study_throughput(
    executor: str, workers: int, replications: int, scale: float | None, years: int | None = None
) -> dict:
    """The study on ``executor`` with ``workers``: wall time and runs per minute."""
    from talentsim.experiment.runner import run_sweep

    load_before = [round(x, 2) for x in os.getloadavg()]
    with tempfile.TemporaryDirectory() as tmp:
        path = study_file(Path(tmp), replications, scale, years)
        started = time.perf_counter()
        summary = run_sweep(path, Path(tmp) / "out", executor, workers)
        wall = time.perf_counter() - started
    _check(summary)
    return {
        "executor": executor,
        "workers": workers,
        "runs": summary.ok,
        "wall_s": wall,
        "runs_per_minute": 60 * summary.ok / wall,
        "load_before": load_before,
        "load_after": [round(x, 2) for x in os.getloadavg()],
    }


def _check(summary: Any) -> None:
    if summary.failed or summary.ok == 0:
        raise RuntimeError(f"study: {summary.failed} runs failed ({summary.failures[:3]})")
