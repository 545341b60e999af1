"""The sweep loop: plan the runs of an experiment, execute what is missing, store each result.

A run is one design point × one replication. Its config is the scenario's resolved mapping with
the point's parameter values set (validated in the worker, so a cluster needs no config files),
and its seed is the replication's ``SeedSequence`` child. :func:`execute_run` never raises for a
failing model: the traceback becomes the run's ``error`` and the sweep goes on.
"""

from __future__ import annotations

import asyncio
import copy
import functools
import gc
import hashlib
import json
import os
import time
import traceback
from collections.abc import Callable
from concurrent.futures import Executor, Future, as_completed
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from talentsim.config.loading import config_hash, set_dotted, validate
from talentsim.experiment import posterior
from talentsim.experiment.burn_in import CACHE_FOLDER, burned_in_city, clear_cache
from talentsim.experiment.design import DesignPoint, describe, design_points
from talentsim.experiment.executors import WorkerDied, default_workers, make_executor
from talentsim.experiment.seeds import rebuild_seed, replication_seeds, spawn_key_text
from talentsim.experiment.spec import ResolvedExperiment, load_experiment
from talentsim.experiment.store import FORMAT, SweepStore
from talentsim.model import simulate
from talentsim.runinfo import git_state, host, package_versions

FAULTS_ENV = "TALENTSIM_TEST_FAULTS"
"""Test hook, read when the sweep is planned: ``RUN_ID=ACTION`` pairs separated by commas, ACTION
``raise`` (the run fails), ``exit`` (the worker process dies through ``os._exit``) or
``sleep:SECONDS`` (the run is slowed down); RUN_ID ``*`` matches every run."""


@dataclass(frozen=True)
class RunTask:
    """Everything a worker needs for one run (picklable, no file access)."""

    run_id: str
    point_id: int
    scenario: str
    replication: int
    params: dict[str, Any]
    config: dict[str, Any]
    source: str
    seed_entropy: int
    seed_spawn_key: str
    fault: str = ""
    """Test hook (see :data:`FAULTS_ENV`); empty for real runs."""
    burn_in_cache: str = ""
    """Folder of shared burned-in snapshots (:mod:`talentsim.experiment.burn_in`); empty: none."""

    def record(self) -> dict[str, Any]:
        """The run's identifying fields as stored in the dataset."""
        return {
            "run_id": self.run_id,
            "point_id": self.point_id,
            "scenario": self.scenario,
            "replication": self.replication,
            "seed_entropy": self.seed_entropy,
            "seed_spawn_key": self.seed_spawn_key,
            "params": self.params,
        }


@dataclass
class RunResult:
    """What a worker sends back: the run's tables, or its error."""

    run_id: str
    status: str
    seconds: float
    error: str | None = None
    outcomes: pd.DataFrame | None = None
    flows: pd.DataFrame | None = None


@dataclass
class SweepSummary:
    """How a sweep session went."""

    out: Path
    total: int
    skipped: int
    ok: int = 0
    failed: int = 0
    seconds: float = 0.0
    failures: list[str] = field(default_factory=list)
    lost: int = 0
    """Runs not done because the executor lost them (cluster gone): left for a resume."""
    ended: str = ""
    """How the session ended: ``complete``, ``incomplete``, ``interrupted`` or ``stopped: ...``."""


def run_id(point_id: int, replication: int) -> str:
    """A run's id: ``p<point>-r<replication>``."""
    return f"p{point_id}-r{replication}"


def plan_runs(experiment: ResolvedExperiment, points: list[DesignPoint]) -> list[RunTask]:
    """Every run of the experiment: each point with each replication's seed, point-major."""
    seeds = replication_seeds(experiment.spec.root_seed, experiment.spec.replications)
    bases = {s.name: s for s in experiment.scenarios}
    faults = planned_faults()
    tasks = []
    for point in points:
        base = bases.get(point.scenario, experiment.scenarios[0])
        config = copy.deepcopy(base.mapping)
        for dotted, value in point.params.items():
            set_dotted(config, dotted, value)
        for replication, seed in enumerate(seeds):
            tasks.append(
                RunTask(
                    run_id=run_id(point.point_id, replication),
                    point_id=point.point_id,
                    scenario=point.scenario,
                    replication=replication,
                    params=point.params,
                    config=config,
                    source=f"{base.file} (design point {point.point_id})",
                    seed_entropy=int(seed.entropy),  # type: ignore[arg-type]
                    seed_spawn_key=spawn_key_text(seed.spawn_key),
                    fault=faults.get(run_id(point.point_id, replication), faults.get("*", "")),
                )
            )
    return posterior.assign(experiment, tasks)


def planned_faults() -> dict[str, str]:
    """The faults that :data:`FAULTS_ENV` asks for, by run id (``*``: every run)."""
    items = filter(None, os.environ.get(FAULTS_ENV, "").split(","))
    return dict(item.strip().partition("=")[::2] for item in items)


def apply_test_fault(task: RunTask) -> None:
    """Act on the task's test fault, if any (tests force failures with it)."""
    if task.fault == "raise":
        raise RuntimeError(f"forced failure of run {task.run_id} ({FAULTS_ENV})")
    if task.fault == "exit":
        os._exit(70)
    if task.fault.startswith("sleep:"):
        time.sleep(float(task.fault.removeprefix("sleep:")))


def execute_run(task: RunTask) -> RunResult:
    """Run one task in a worker: validate its config, simulate, tag the rows with the run's ids."""
    started = time.perf_counter()
    try:
        apply_test_fault(task)
        config = validate(copy.deepcopy(task.config), task.source)
        seed = rebuild_seed(task.seed_entropy, task.seed_spawn_key)
        cache = Path(task.burn_in_cache) if task.burn_in_cache else None
        city = burned_in_city(config, seed, cache) if cache else None
        result = simulate(config, seed=seed, city=city)
    except Exception:
        return RunResult(
            task.run_id, "failed", time.perf_counter() - started, error=traceback.format_exc()
        )
    ids = {k: v for k, v in task.record().items() if k != "params"}
    outcomes = tag(result.outcomes, {**ids, **task.params})
    flows = tag(result.flows, {"run_id": task.run_id})
    del result
    free_finished_model()
    return RunResult(
        task.run_id, "ok", time.perf_counter() - started, outcomes=outcomes, flows=flows
    )


def free_finished_model() -> None:
    """Free the finished run's model before the next run: its agents reference it in cycles.

    A full collection visits every object the process tracks, ~10⁵ of them the imported
    libraries' (≈ 50 ms at each run). The first call moves what is then alive into the
    collector's permanent generation (``gc.freeze``), so that each later collection visits
    only what came after it, a run's few thousand objects. With the serial executor that is
    the calling process, so its own objects of that moment are frozen too: a cycle among them
    that becomes garbage later is not collected.
    """
    gc.collect()
    _freeze_once()


@functools.cache
def _freeze_once() -> None:
    """``gc.freeze`` at the first call in the process only."""
    gc.freeze()


def tag(table: pd.DataFrame, columns: dict[str, Any]) -> pd.DataFrame:
    """``table`` with constant ``columns`` in front."""
    front = pd.DataFrame({name: [value] * len(table) for name, value in columns.items()})
    return pd.concat([front, table.reset_index(drop=True)], axis=1)


def experiment_hash(experiment: ResolvedExperiment, points: list[DesignPoint]) -> str:
    """SHA-256 (16 hex digits) of what decides the dataset: settings, configs and points."""
    spec = experiment.spec.model_dump(mode="json", exclude={"name", "description"})
    spec.pop("scenario", None)
    spec["design"].pop("files", None)
    if spec.get("posterior") is None:  # hashes of experiments without draws stay as they were
        spec.pop("posterior", None)
    payload = {
        "experiment": spec,
        "configs": {s.name: config_hash(s.config) for s in experiment.scenarios},
        "points": [[p.point_id, p.scenario, p.params] for p in points],
    }
    if experiment.spec.posterior is not None:  # the draws, not only the file's name
        payload["posterior"] = posterior.record(experiment)
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def now() -> str:
    """The local time as ISO 8601 with offset."""
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")


def build_manifest(
    experiment: ResolvedExperiment, points: list[DesignPoint], tasks: list[RunTask]
) -> dict[str, Any]:
    """The manifest of a sweep: experiment, configs, design, seeds and provenance."""
    spec = experiment.spec
    scenarios = {
        s.name: {
            "file": str(s.file),
            "config_hash": config_hash(s.config),
            "config": s.config.model_dump(mode="json"),
        }
        for s in experiment.scenarios
    }
    seeds = replication_seeds(spec.root_seed, spec.replications)
    manifest = {
        "format": FORMAT,
        "experiment_file": str(experiment.path),
        "experiment_name": experiment.name,
        "experiment_hash": experiment_hash(experiment, points),
        "experiment": spec.model_dump(mode="json"),
        "base_config": None
        if spec.design.kind == "scenarios"
        else scenarios[experiment.scenarios[0].name],
        "scenario_configs": scenarios if spec.design.kind == "scenarios" else {},
        "design": describe(experiment, points),
        "param_columns": [path for _, path, _ in spec.parameters()],
        "seeds": {
            "root_seed": spec.root_seed,
            "replications": [
                {"replication": i, "entropy": int(s.entropy), "spawn_key": list(s.spawn_key)}  # type: ignore[arg-type]
                for i, s in enumerate(seeds)
            ],
        },
        "runs": len(tasks),
        "packages": package_versions(),
        "git": git_state(),
        "host": host(),
        "started": now(),
        "finished": None,
        "status": "running",
    }
    if spec.posterior is not None:  # the draws themselves: a re-fit changes the file
        manifest["posterior"] = posterior.record(experiment)
    return manifest


def prepare(path: Path | str) -> tuple[ResolvedExperiment, list[RunTask], dict[str, Any]]:
    """Load an experiment and plan its runs; raises ``ConfigError`` on a bad file."""
    experiment = load_experiment(path)
    points = design_points(experiment)
    tasks = plan_runs(experiment, points)
    return experiment, tasks, build_manifest(experiment, points, tasks)


def new_session(
    manifest: dict[str, Any], executor: str, workers: int | None, scheduler: str | None
) -> dict[str, Any]:
    """The record of a session writing a dataset: when, where, with what code and workers."""
    used = None if executor == "serial" or scheduler else workers or default_workers()
    return {
        "started": now(),
        "executor": executor,
        "workers": used,
        "host": host(),
        "pid": os.getpid(),
        "git": manifest["git"],
        "packages": manifest["packages"],
    }


def run_sweep(
    path: Path | str,
    out: Path,
    executor: str = "processes",
    workers: int | None = None,
    scheduler: str | None = None,
    on_start: Callable[[int, int], None] | None = None,
    on_run: Callable[[dict[str, Any]], None] | None = None,
    *,
    retry_failed: bool = False,
    allow_mixed: bool = False,
) -> SweepSummary:
    """Run every missing run of the experiment at ``path`` into the dataset folder ``out``.

    Only a run's own failure (the model raised, or the run killed its worker every time) is
    stored as a failed run. A run lost with the cluster (scheduler gone, connection closed,
    cancelled) is left to do: the session ends ``incomplete`` and the same call resumes it.

    Args:
        path: The experiment YAML file.
        out: The dataset folder (created, or resumed if it holds the same experiment).
        executor: ``serial``, ``processes`` or ``dask``.
        workers: Worker processes (default: all cores).
        scheduler: Address of a running dask scheduler.
        on_start: Called with (runs to do, runs already done) before the first run.
        on_run: Called with each finished run's record.
        retry_failed: Run again the runs recorded as failed.
        allow_mixed: Resume a dataset whose earlier sessions ran another git commit or other
            package versions (recorded as ``mixed_code`` in the manifest).

    Raises:
        ConfigError: the experiment file is invalid.
        StoreError: ``out`` cannot hold this sweep (nothing is written).
        ExecutorError: the executor cannot start, e.g. no scheduler at ``scheduler`` (nothing
            is written).

    """
    started = time.time()
    _, tasks, manifest = prepare(path)
    with SweepStore.open(out, manifest, allow_mixed=allow_mixed) as store:
        done = store.finished(include_failed=not retry_failed)
        cache = str(out / CACHE_FOLDER)
        todo = [replace(task, burn_in_cache=cache) for task in tasks if task.run_id not in done]
        summary = SweepSummary(out=out, total=len(tasks), skipped=len(tasks) - len(todo))
        session = new_session(manifest, executor, workers, scheduler)
        pool = make_executor(executor, workers, scheduler) if todo else nullcontext(None)
        ended = "interrupted"
        try:
            with pool as running:  # connect first: a cluster that is not there leaves no trace
                store.begin(session)
                if on_start is not None:
                    on_start(len(todo), summary.skipped)
                if running is not None:
                    execute_all(todo, store, summary, running, on_run)
            ended = "complete" if not summary.lost else "incomplete"
        except Exception as exc:
            ended = f"stopped: {type(exc).__name__}"
            raise
        finally:  # also after Ctrl-C or SIGTERM: the dataset holds every run that finished
            if store.session is not None:
                runs = store.consolidate(manifest["param_columns"])
                complete = len(runs) == len(tasks)
                if ended == "complete" and not complete:
                    ended = "incomplete"
                store.finish(ended, summary.ok + summary.failed, runs, complete)
                if complete:
                    clear_cache(out)
    summary.failed = int((runs["status"] == "failed").sum())
    summary.ended = ended
    summary.seconds = time.time() - started
    return summary


def execute_all(
    todo: list[RunTask],
    store: SweepStore,
    summary: SweepSummary,
    pool: Executor,
    on_run: Callable[[dict[str, Any]], None] | None,
) -> None:
    """Submit every task and store each result as soon as it arrives (then let it go)."""
    futures = {pool.submit(execute_run, task): task for task in todo}
    for future in as_completed(futures):
        task = futures.pop(future)  # the result's tables are freed once stored
        record = collect(task, future)
        del future
        if record is None:
            summary.lost += 1
            continue
        outcomes, flows = record.pop("_outcomes"), record.pop("_flows")
        store.write_run(record, outcomes, flows)
        del outcomes, flows
        if record["status"] == "ok":
            summary.ok += 1
        else:
            summary.failed += 1
            summary.failures.append(record["run_id"])
        if on_run is not None:
            on_run(record)


def collect(task: RunTask, future: Future[RunResult]) -> dict[str, Any] | None:
    """A finished future as a run record, or None if the run was lost with the cluster.

    A model's exception arrives as a failed :class:`RunResult`; of the executor's own errors
    only a run that kills its worker (:class:`WorkerDied`, dask's ``KilledWorker``) is the run's
    failure. Cancellation, a lost scheduler or connection leave the run to be done.
    """
    try:
        result = future.result()
    except Exception as exc:
        if not kills_its_worker(exc):
            return None
        error = "".join(traceback.format_exception(exc))
        result = RunResult(task.run_id, "failed", 0.0, error=error)
    except asyncio.CancelledError:  # a BaseException: how dask may report a cancelled task
        return None
    return {
        **task.record(),
        "status": result.status,
        "error": result.error,
        "seconds": round(result.seconds, 4),
        "_outcomes": result.outcomes,
        "_flows": result.flows,
    }


def kills_its_worker(error: BaseException) -> bool:
    """Whether an executor error convicts the run: it killed its worker, every time tried."""
    return isinstance(error, WorkerDied) or type(error).__name__ == "KilledWorker"
