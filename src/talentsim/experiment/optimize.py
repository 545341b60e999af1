"""Policy search: the cheapest lever mix that meets a city's targets, and the trade-offs around it.

An optimisation experiment names decision levers with bounds (a ``range``, or ``values``; start
years are levers like any other, ``policy.<lever>.start_year``), optional uncertainty scenarios
to be robust over (``values`` of uncertain config fields, crossed), and an ``optimize`` section:
objectives (minimise or maximise a run statistic of an outcome: its ``sum`` over the horizon,
its horizon ``mean`` or its ``final`` year), constraints (``min``/``max`` thresholds of the same
statistics), the sampler (Optuna's NSGA-II or TPE, both with constraints), the candidates per
generation and the budget of ``trials``.

The search is generational: each generation the sampler proposes ``population`` candidates, every
candidate runs in every uncertainty scenario with the same replication seeds (common random
numbers across candidates), and all results are told to the sampler in trial order, so that the
same experiment and root seed give the same candidates and numbers. The sampler of generation
``g`` is seeded from ``(root_seed, g)`` and reads the finished trials from the Optuna study in
``DIR/study.sqlite3``: a search killed at any point restarts where it stopped. A trial asked but
not told is finished with its stored runs (none is run twice); a candidate equal to an earlier
one takes its values without running.

Noise: a candidate's objective is the mean over replications of the run statistic, with its
standard error; over several uncertainty scenarios the robustness metric is either the mean over
scenarios or the scenario at a percentile on the bad side (100 = the worst case). A candidate is
on the front when no feasible candidate dominates it beyond noise (at least as good on every
objective's mean, and better on one by more than the 95 % half-width of the paired difference).
At the end the front is re-evaluated with ``final_replications`` and recomputed among those.

Every run lands in the same dataset as a sweep's (:class:`~talentsim.experiment.store.SweepStore`,
run ids ``t<trial>-r<replication>``, or ``t<trial>-u<scenario>-r<replication>`` with uncertainty
scenarios), with the manifest; ``trials.parquet`` holds one row per trial and ``front.csv`` the
front.
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
import math
import time
import warnings
from collections.abc import Callable, Iterable
from concurrent.futures import Executor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from talentsim.config import ConfigError
from talentsim.config.loading import config_hash, set_dotted, validate
from talentsim.experiment.burn_in import CACHE_FOLDER, clear_cache
from talentsim.experiment.executors import make_executor
from talentsim.experiment.runner import (
    RunTask,
    collect,
    execute_run,
    new_session,
    now,
    planned_faults,
)
from talentsim.experiment.seeds import replication_seeds, spawn_key_text
from talentsim.experiment.spec import (
    Constraint,
    Objective,
    OptimizationExperiment,
    ScenarioBase,
    cast,
    check_parameter,
    load_base,
    read_spec,
)
from talentsim.experiment.store import SweepStore
from talentsim.runinfo import git_state, host, package_versions, write_atomic

FORMAT = "talentsim-optimize/1"
STORAGE = "study.sqlite3"
TRIALS = "trials.parquet"
FRONT = "front.csv"
STUDY_NAME = "talentsim"
PROBE = {"scale": 0.005, "years": 1, "burn_in": 0}
"""Settings of the one-year run that lists a scenario's outcome columns for validation."""


@dataclass
class ResolvedSearch:
    """An optimisation experiment checked against its scenario, ready to run."""

    path: Path
    spec: OptimizationExperiment
    scenarios: list[ScenarioBase]
    kinds: dict[str, type] = field(default_factory=dict)
    """Python type of each lever's and uncertainty's config field."""
    outcomes: list[str] = field(default_factory=list)
    """The scenario's outcome columns."""

    @property
    def name(self) -> str:
        """The experiment's name (its file stem unless given)."""
        return self.spec.name or self.path.stem

    @property
    def base(self) -> ScenarioBase:
        """The scenario every candidate starts from."""
        return self.scenarios[0]

    @property
    def levers(self) -> list[str]:
        """The decision levers' config paths, in file order."""
        return list(self.spec.levers)

    @property
    def param_columns(self) -> list[str]:
        """Levers, then uncertainties: the parameter columns of the dataset."""
        return [*self.spec.levers, *self.spec.uncertainties]

    @property
    def uncertainty_scenarios(self) -> list[dict[str, Any]]:
        """Every combination of the uncertainties' values (one empty scenario if none)."""
        paths = list(self.spec.uncertainties)
        values = [self.spec.uncertainties[p].values or [] for p in paths]
        return [
            {p: cast(v, self.kinds[p]) for p, v in zip(paths, row, strict=True)}
            for row in itertools.product(*values)
        ]


def load_search(path: Path | str) -> ResolvedSearch:
    """Load, validate and resolve an optimisation experiment against its scenario.

    Raises:
        ConfigError: anything wrong, naming the experiment file and the field.

    """
    path = Path(path)
    spec = read_spec(path, OptimizationExperiment)
    given = (("years", spec.years), ("scale", spec.scale), ("burn_in", spec.burn_in))
    overrides = {k: v for k, v in given if v is not None}
    base = load_base(path, "scenario", None, spec.scenario, overrides)
    search = ResolvedSearch(path=path, spec=spec, scenarios=[base])
    for role, dotted, parameter in spec.parameters():
        search.kinds[dotted] = check_parameter(search, role, dotted, parameter)  # type: ignore[arg-type]
    if spec.optimize.include_status_quo:
        for dotted, value in status_quo(search).items():
            parameter = spec.levers[dotted]
            inside = (
                value in parameter.values
                if parameter.values is not None
                else parameter.range[0] <= value <= parameter.range[1]  # type: ignore[index]
            )
            if not inside:
                raise ConfigError(
                    f"{path}: optimize.include_status_quo: the scenario's {dotted} = "
                    f"{value!r} is outside levers['{dotted}']"
                )
    search.outcomes = outcome_columns(base)
    measures = [("objectives", i, o) for i, o in enumerate(spec.optimize.objectives)]
    measures += [("constraints", i, c) for i, c in enumerate(spec.optimize.constraints)]
    for where, index, measure in measures:
        if measure.outcome not in search.outcomes:
            raise ConfigError(
                f"{path}: optimize.{where}.{index}.outcome: {measure.outcome!r} is not an "
                f"outcome of the model (outcomes: {', '.join(search.outcomes)})"
            )
    return search


def outcome_columns(base: ScenarioBase) -> list[str]:
    """The outcome columns a run of ``base`` records (from a one-year run at a tiny scale)."""
    from talentsim.model import simulate

    mapping = copy.deepcopy(base.mapping)
    for dotted, value in PROBE.items():
        set_dotted(mapping, dotted, value)
    result = simulate(validate(mapping, str(base.file)), seed=0)
    return [c for c in result.outcomes.columns if c != "year"]


@dataclass
class Estimate:
    """A candidate's value of one measure: mean over replications and its standard error."""

    mean: float
    se: float
    per_replication: np.ndarray
    """The robust value in each replication (what paired comparisons use)."""

    def half_width(self) -> float:
        """Half-width of the 95 % Student-t interval of the mean (NaN with one replication)."""
        n = len(self.per_replication)
        return t_quantile(n - 1) * self.se if n > 1 else math.nan


def t_quantile(df: int) -> float:
    """The 97.5 % quantile of Student's t with ``df`` degrees of freedom."""
    from scipy.stats import t

    return float(t.ppf(0.975, df))


def run_statistic(outcomes: pd.DataFrame, outcome: str, statistic: str) -> float:
    """One run's ``sum``, horizon ``mean`` or ``final``-year value of ``outcome``."""
    series = outcomes.sort_values("year")[outcome].astype(float)
    if statistic == "sum":
        return float(series.sum())
    if statistic == "mean":
        return float(series.mean())
    return float(series.iloc[-1])


def robust(values: np.ndarray, metric: str, percentile: float, bad_is_high: bool) -> Estimate:
    """Combine ``values[scenario, replication]`` into one :class:`Estimate`.

    ``mean``: the per-replication mean over scenarios. ``percentile``: the scenario at the
    ``percentile``-th percentile on the bad side by its mean (nearest rank; 100 = worst case).
    """
    if metric == "mean" or len(values) == 1:
        per_replication = values.mean(axis=0)
    else:
        means = values.mean(axis=1)
        order = np.argsort(means if bad_is_high else -means, kind="stable")
        rank = max(math.ceil(percentile / 100 * len(values)), 1) - 1
        per_replication = values[order[rank]]
    n = len(per_replication)
    se = float(per_replication.std(ddof=1) / math.sqrt(n)) if n > 1 else math.nan
    return Estimate(float(per_replication.mean()), se, per_replication)


def dominates(
    better: dict[str, Estimate], worse: dict[str, Estimate], objectives: list[Objective]
) -> bool:
    """Whether ``better`` dominates ``worse`` beyond noise.

    At least as good on every objective's mean, and better on one by more than the 95 %
    half-width of the paired difference over the replications both have (common random numbers;
    with one replication, by any amount).
    """
    beyond = False
    for objective in objectives:
        a, b = better[objective.name], worse[objective.name]
        sign = 1.0 if objective.sense == "maximize" else -1.0
        gain = sign * (a.mean - b.mean)
        if gain < 0:
            return False
        n = min(len(a.per_replication), len(b.per_replication))
        margin = 0.0
        if n > 1:
            diff = a.per_replication[:n] - b.per_replication[:n]
            margin = t_quantile(n - 1) * float(diff.std(ddof=1)) / math.sqrt(n)
        beyond = beyond or gain > margin
    return beyond


def noise_front(
    candidates: dict[int, dict[str, Estimate]], objectives: list[Objective]
) -> list[int]:
    """The candidates that no other candidate dominates beyond noise, in trial order."""
    return [
        a
        for a in sorted(candidates)
        if not any(
            dominates(candidates[b], candidates[a], objectives) for b in candidates if b != a
        )
    ]


def search_hash(search: ResolvedSearch) -> str:
    """SHA-256 (16 hex digits) of what decides the runs; the budget may grow between sessions."""
    spec = search.spec.model_dump(mode="json", exclude={"name", "description", "scenario"})
    spec["optimize"].pop("trials")
    spec["optimize"].pop("final_replications")
    payload = {"experiment": spec, "config": config_hash(search.base.config)}
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def build_manifest(search: ResolvedSearch) -> dict[str, Any]:
    """The dataset's manifest: the experiment, the base config, the search settings, seeds."""
    spec = search.spec
    base = search.base
    seeds = replication_seeds(spec.root_seed, spec.final_replications)
    parameters = [
        {
            "path": path,
            "role": "lever" if role == "levers" else "uncertainty",
            "type": search.kinds[path].__name__,
            **({"range": p.range} if p.range is not None else {"values": p.values}),
        }
        for role, path, p in spec.parameters()
    ]
    return {
        "format": FORMAT,
        "experiment_file": str(search.path),
        "experiment_name": search.name,
        "experiment_hash": search_hash(search),
        "experiment": spec.model_dump(mode="json"),
        "base_config": {
            "file": str(base.file),
            "config_hash": config_hash(base.config),
            "config": base.config.model_dump(mode="json"),
        },
        "scenario_configs": {},
        "design": {
            "kind": "optimize",
            "sampler": spec.optimize.sampler,
            "population": spec.optimize.population,
            "trials": spec.optimize.trials,
            "replications": spec.replications,
            "final_replications": spec.final_replications,
            "runs": 0,
            "parameters": parameters,
        },
        "param_columns": search.param_columns,
        "optimization": {
            "objectives": [{**o.model_dump(), "name": o.name} for o in spec.optimize.objectives],
            "constraints": [{**c.model_dump(), "name": c.name} for c in spec.optimize.constraints],
            "robustness": spec.optimize.robustness.model_dump(),
            "uncertainty_scenarios": search.uncertainty_scenarios,
            "storage": STORAGE,
            "study_name": STUDY_NAME,
            "trials_table": TRIALS,
            "front_table": FRONT,
        },
        "seeds": {
            "root_seed": spec.root_seed,
            "replications": [
                {"replication": i, "entropy": int(s.entropy), "spawn_key": list(s.spawn_key)}  # type: ignore[arg-type]
                for i, s in enumerate(seeds)
            ],
        },
        "packages": package_versions(),
        "git": git_state(),
        "host": host(),
        "started": now(),
        "finished": None,
        "status": "running",
    }


def distributions(search: ResolvedSearch) -> dict[str, Any]:
    """Optuna's distribution of each lever: float or int range, or categorical values."""
    from optuna.distributions import (
        CategoricalDistribution,
        FloatDistribution,
        IntDistribution,
    )

    out: dict[str, Any] = {}
    for path, parameter in search.spec.levers.items():
        kind = search.kinds[path]
        if parameter.values is not None:
            out[path] = CategoricalDistribution([cast(v, kind) for v in parameter.values])
        elif kind is int:
            low, high = parameter.range  # type: ignore[misc]
            out[path] = IntDistribution(math.ceil(low), math.floor(high))
        else:
            low, high = parameter.range  # type: ignore[misc]
            out[path] = FloatDistribution(low, high)
    return out


def make_sampler(search: ResolvedSearch, generation: int) -> Any:
    """The sampler of one generation, seeded from the root seed and the generation number."""
    import optuna

    spec = search.spec.optimize
    seed = int(np.random.SeedSequence([search.spec.root_seed, generation]).generate_state(1)[0])
    if spec.sampler == "nsga2":  # both samplers read the constraints each trial carries
        return optuna.samplers.NSGAIISampler(population_size=spec.population, seed=seed)
    return optuna.samplers.TPESampler(
        seed=seed, n_startup_trials=spec.population, multivariate=True
    )


@dataclass
class SearchSummary:
    """How a search session went."""

    out: Path
    trials: int = 0
    runs_done: int = 0
    runs_reused: int = 0
    failed_runs: int = 0
    front: pd.DataFrame | None = None
    seconds: float = 0.0
    complete: bool = False


class Evaluator:
    """Runs candidates on an executor into the store and turns their runs into estimates."""

    def __init__(self, search: ResolvedSearch, store: SweepStore, cache: str) -> None:
        """Evaluate into ``store``; burned-in cities are shared through ``cache``."""
        self.search = search
        self.store = store
        self.cache = cache
        self.scenarios = search.uncertainty_scenarios
        self.seeds = replication_seeds(search.spec.root_seed, search.spec.final_replications)
        self.faults = planned_faults()
        self.values: dict[str, dict[str, float]] = {}
        self.failed: set[str] = set()
        self.pool: Executor | None = None
        self.summary: SearchSummary | None = None

    def run_id(self, trial: int, scenario: int, replication: int) -> str:
        """``t<trial>-r<replication>`` (``-u<scenario>`` in between with uncertainties)."""
        middle = f"-u{scenario}" if len(self.scenarios) > 1 else ""
        return f"t{trial}{middle}-r{replication}"

    def tasks(self, trial: int, levers: dict[str, Any], replications: int) -> list[RunTask]:
        """Every run of a candidate: each uncertainty scenario × replication."""
        base = self.search.base
        out = []
        for k, uncertain in enumerate(self.scenarios):
            params = {**levers, **uncertain}
            config = copy.deepcopy(base.mapping)
            for dotted, value in params.items():
                set_dotted(config, dotted, value)
            suffix = f"-u{k}" if len(self.scenarios) > 1 else ""
            for replication in range(replications):
                seed = self.seeds[replication]
                run = self.run_id(trial, k, replication)
                out.append(
                    RunTask(
                        run_id=run,
                        point_id=trial * len(self.scenarios) + k,
                        scenario=f"trial-{trial}{suffix}",
                        replication=replication,
                        params=params,
                        config=config,
                        source=f"{base.file} (trial {trial})",
                        seed_entropy=int(seed.entropy),  # type: ignore[arg-type]
                        seed_spawn_key=spawn_key_text(seed.spawn_key),
                        fault=self.faults.get(run, self.faults.get("*", "")),
                        burn_in_cache=self.cache,
                    )
                )
        return out

    def run(self, candidates: Iterable[tuple[int, dict[str, Any]]], replications: int) -> None:
        """Run every missing run of ``candidates`` and store each result as it arrives."""
        assert self.pool is not None and self.summary is not None
        done = self.store.finished()
        todo = []
        for trial, levers in candidates:
            for task in self.tasks(trial, levers, replications):
                if task.run_id in done:
                    self.summary.runs_reused += 1
                else:
                    todo.append(task)
        futures = {self.pool.submit(execute_run, task): task for task in todo}
        for future in as_completed(futures):
            record = collect(futures[future], future)
            outcomes, flows = record.pop("_outcomes"), record.pop("_flows")
            self.store.write_run(record, outcomes, flows)
            self.summary.runs_done += 1
            if record["status"] != "ok":
                self.summary.failed_runs += 1

    def statistic(self, run_id: str, outcome: str, statistic: str) -> float:
        """A stored run's statistic (NaN for a failed run)."""
        if run_id not in self.values:
            record = json.loads((self.store.parts / f"{run_id}.run.json").read_text("utf-8"))
            if record["status"] != "ok":
                self.failed.add(run_id)
                self.values[run_id] = {}
            else:
                table = pd.read_parquet(self.store.parts / f"{run_id}.outcomes.parquet")
                self.values[run_id] = {
                    f"{s}_{o}": run_statistic(table, o, s) for o, s in self.measures()
                }
        return self.values[run_id].get(f"{statistic}_{outcome}", math.nan)

    def matrix(self, trial: int, outcome: str, statistic: str, replications: int) -> np.ndarray:
        """A candidate's run statistics by uncertainty scenario (rows) and replication."""
        return np.array(
            [
                [
                    self.statistic(self.run_id(trial, k, r), outcome, statistic)
                    for r in range(replications)
                ]
                for k in range(len(self.scenarios))
            ]
        )

    def measures(self) -> list[tuple[str, str]]:
        """``(outcome, statistic)`` of every objective and constraint."""
        spec = self.search.spec.optimize
        return [(m.outcome, m.statistic) for m in [*spec.objectives, *spec.constraints]]

    def estimates(self, trial: int, replications: int) -> dict[str, Estimate] | None:
        """The candidate's objectives and constrained values; None if a run failed."""
        spec = self.search.spec.optimize
        out: dict[str, Estimate] = {}
        measures: list[Objective | Constraint] = [*spec.objectives, *spec.constraints]
        for measure in measures:
            if isinstance(measure, Objective):
                bad_is_high = measure.sense == "minimize"
                key = measure.name
            else:
                bad_is_high = measure.max is not None
                key = f"constraint:{measure.name}:{'max' if bad_is_high else 'min'}"
            values = self.matrix(trial, measure.outcome, measure.statistic, replications)
            if isinstance(measure, Constraint) and measure.relative_to:
                values = values - self.matrix(0, measure.outcome, measure.statistic, replications)
            if np.isnan(values).any():
                return None
            metric = spec.robustness
            out[key] = robust(values, metric.metric, metric.percentile, bad_is_high)
        return out


def constraint_key(constraint: Constraint) -> str:
    """The key of a constraint's estimate (its bad side decides the robust scenario)."""
    return f"constraint:{constraint.name}:{'max' if constraint.max is not None else 'min'}"


def violations(search: ResolvedSearch, estimates: dict[str, Estimate]) -> list[float]:
    """Each constraint's violation at the candidate's mean (≤ 0: met)."""
    return [
        c.violation(estimates[constraint_key(c)].mean) for c in search.spec.optimize.constraints
    ]


def run_search(
    path: Path | str,
    out: Path,
    executor: str = "processes",
    workers: int | None = None,
    scheduler: str | None = None,
    on_event: Callable[[str], None] | None = None,
) -> SearchSummary:
    """Search the experiment at ``path`` into the dataset folder ``out`` (resumed if it exists).

    Raises:
        ConfigError: the experiment file is invalid.
        StoreError: ``out`` holds something else.

    """
    import optuna

    started = time.time()
    search = load_search(path)
    manifest = build_manifest(search)
    say = on_event or (lambda _: None)
    summary = SearchSummary(out=out)
    session = new_session(manifest, executor, workers, scheduler)
    with SweepStore.open(out, manifest) as store:
        store.begin(session)
        for name in (TRIALS, FRONT):
            (out / name).unlink(missing_ok=True)
        evaluator = Evaluator(search, store, str(out / CACHE_FOLDER))
        evaluator.summary = summary
        optuna.logging.set_verbosity(optuna.logging.WARNING)
        ended = "interrupted"
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
                storage = f"sqlite:///{(out / STORAGE).resolve()}"
                directions = [o.sense for o in search.spec.optimize.objectives]
                optuna.create_study(
                    storage=storage, study_name=STUDY_NAME, directions=directions,
                    load_if_exists=True,
                )  # fmt: skip
                with make_executor(executor, workers, scheduler) as pool:
                    evaluator.pool = pool
                    search_loop(search, storage, evaluator, say)
                    table = final_front(search, storage, evaluator, say)
            summary.complete = True
            ended = "complete"
        except Exception as exc:
            ended = f"stopped: {type(exc).__name__}"
            raise
        finally:  # also after Ctrl-C: every finished run is kept, the manifest says incomplete
            runs = store.consolidate(search.param_columns)
            store.manifest["design"]["runs"] = len(runs)
            store.finish(ended, summary.runs_done, runs, summary.complete)
    write_atomic(out / TRIALS, lambda tmp: table.to_parquet(tmp, index=False))
    front = front_table(search, table)
    write_atomic(out / FRONT, lambda tmp: front.to_csv(tmp, index=False))
    clear_cache(out)
    summary.front = front
    summary.trials = len(table)
    summary.seconds = time.time() - started
    return summary


def search_loop(
    search: ResolvedSearch, storage: str, evaluator: Evaluator, say: Callable[[str], None]
) -> None:
    """Ask, evaluate and tell generation by generation until the budget of trials is spent."""
    import optuna
    from optuna.trial import TrialState

    spec = search.spec.optimize
    space = distributions(search)
    while True:
        study = optuna.load_study(study_name=STUDY_NAME, storage=storage)
        trials = study.get_trials(deepcopy=False)
        pending = [t for t in trials if t.state == TrialState.RUNNING]
        asked = [t for t in trials if t.state != TrialState.WAITING]
        told = [int(t.user_attrs.get("generation", -1)) for t in asked]
        generation = 1 + max(told, default=-1)
        if pending:  # asked by a session that was stopped: finish them with their stored runs
            generation = max(int(t.user_attrs.get("generation", -1)) for t in pending)
            generation = generation if generation >= 0 else max(told)
            numbers = [t.number for t in pending]
            for t in pending:
                trial_handle(study, t).set_user_attr("generation", generation)
        else:
            if len(asked) >= spec.trials:
                return
            study = optuna.load_study(
                study_name=STUDY_NAME, storage=storage, sampler=make_sampler(search, generation)
            )
            if not trials and spec.include_status_quo:
                study.enqueue_trial(status_quo(search))
            numbers = []
            for _ in range(min(spec.population, spec.trials - len(asked))):
                trial = study.ask(space)
                trial.set_user_attr("generation", generation)
                numbers.append(trial.number)
        evaluate_generation(search, study, evaluator, numbers)
        say(progress_line(search, study, generation))


def status_quo(search: ResolvedSearch) -> dict[str, Any]:
    """The base scenario's own value of every lever."""
    config: Any = search.base.config
    values = {}
    for path in search.levers:
        node = config
        for key in path.split("."):
            node = node[key] if isinstance(node, dict) else getattr(node, key)
        values[path] = node
    return values


def lever_values(search: ResolvedSearch, params: dict[str, Any]) -> dict[str, Any]:
    """A trial's parameters as config values, in lever order."""
    return {path: cast(params[path], search.kinds[path]) for path in search.levers}


def evaluate_generation(
    search: ResolvedSearch, study: Any, evaluator: Evaluator, numbers: list[int]
) -> None:
    """Run the generation's new candidates, then tell every trial its values in trial order.

    A candidate equal to an earlier one (the samplers do propose repeats) takes the earlier
    trial's values and runs nothing: with common random numbers its runs would be the same.
    """
    from optuna.trial import TrialState

    trials = {t.number: t for t in study.get_trials(deepcopy=False)}
    first: dict[tuple[Any, ...], int] = {}
    for number in sorted(trials):
        t = trials[number]
        told = t.state == TrialState.COMPLETE and "duplicate_of" not in t.user_attrs
        if number in numbers or told:
            first.setdefault(candidate_key(search, t.params), number)
    originals = {n: first[candidate_key(search, trials[n].params)] for n in numbers}
    fresh = [(n, lever_values(search, trials[n].params)) for n in numbers if originals[n] == n]
    replications = search.spec.replications
    evaluator.run(fresh, replications)
    for number in numbers:
        trial = trial_handle(study, trials[number])
        source = originals[number]
        if source != number:
            trial.set_user_attr("duplicate_of", source)
        estimates = evaluator.estimates(source, replications)
        if estimates is None:
            study.tell(number, state=TrialState.FAIL)
            continue
        for key, violation in zip(
            constraint_names(search), violations(search, estimates), strict=True
        ):
            if f"constraints:{key}" not in trials[number].system_attrs:  # set before a kill
                trial.set_constraint(key, violation)
        study.tell(number, [estimates[o.name].mean for o in search.spec.optimize.objectives])


def constraint_names(search: ResolvedSearch) -> list[str]:
    """The constraints' keys in the Optuna study: ``<index>:<statistic>_<outcome>``."""
    return [f"{i}:{c.name}" for i, c in enumerate(search.spec.optimize.constraints)]


def candidate_key(search: ResolvedSearch, params: dict[str, Any]) -> tuple[Any, ...]:
    """What makes two candidates the same: their lever values as the config takes them."""
    return tuple(lever_values(search, params).items())


def trial_handle(study: Any, frozen: Any) -> Any:
    """A writable handle on a stored trial (also one asked by an earlier session)."""
    import optuna

    return optuna.trial.Trial(study, frozen._trial_id)


def progress_line(search: ResolvedSearch, study: Any, generation: int) -> str:
    """One line about the search so far: trials, feasible ones, the best value of each objective."""
    from optuna.trial import TrialState

    done = [t for t in study.get_trials(deepcopy=False) if t.state == TrialState.COMPLETE]
    feasible = [t for t in done if all(v <= 0 for v in t.constraints.values())]
    best = []
    for i, objective in enumerate(search.spec.optimize.objectives):
        values = [t.values[i] for t in feasible]
        if values:
            pick = min(values) if objective.sense == "minimize" else max(values)
            best.append(f"{objective.name} {pick:.4g}")
    return (
        f"generation {generation}: {len(done)}/{search.spec.optimize.trials} trials, "
        f"{len(feasible)} feasible" + (f"; best {', '.join(best)}" if best else "")
    )


def final_front(
    search: ResolvedSearch, storage: str, evaluator: Evaluator, say: Callable[[str], None]
) -> pd.DataFrame:
    """Re-evaluate the search's front with more replications; return the trials table."""
    import optuna
    from optuna.trial import TrialState

    spec = search.spec
    objectives = spec.optimize.objectives
    study = optuna.load_study(study_name=STUDY_NAME, storage=storage)
    trials = {t.number: t for t in study.get_trials(deepcopy=False)}
    searched: dict[int, dict[str, Estimate]] = {}
    for number, t in trials.items():
        if t.state == TrialState.COMPLETE and "duplicate_of" not in t.user_attrs:
            estimates = evaluator.estimates(number, spec.replications)
            if estimates is not None:
                searched[number] = estimates
    feasible = {n: e for n, e in searched.items() if is_feasible(search, e)}
    search_front = noise_front(feasible, objectives)
    # the status quo is re-evaluated too, so the front can be read against it on the same seeds
    reference = [0] if spec.optimize.include_status_quo and 0 in searched else []
    again = search_front + [n for n in reference if n not in search_front]
    say(
        f"front of the search: {len(search_front)} of {len(feasible)} feasible candidates; "
        f"re-evaluating them{' and the status quo' if reference else ''} with "
        f"{spec.final_replications} replications"
    )
    evaluator.run(
        [(n, lever_values(search, trials[n].params)) for n in again], spec.final_replications
    )
    final: dict[int, dict[str, Estimate]] = {}
    for number in again:
        estimates = evaluator.estimates(number, spec.final_replications)
        if estimates is not None:
            final[number] = estimates
    candidates = {n: final[n] for n in search_front if n in final and is_feasible(search, final[n])}
    front = noise_front(candidates, objectives)
    say(f"final front: {len(front)} candidates")
    table = trials_table(search, trials, searched, final, set(search_front), set(front))
    if reference and 0 in final:
        table = with_status_quo_differences(search, table, final, final[0])
    return table


def with_status_quo_differences(
    search: ResolvedSearch,
    table: pd.DataFrame,
    final: dict[int, dict[str, Estimate]],
    status_quo: dict[str, Estimate],
) -> pd.DataFrame:
    """Add each re-evaluated candidate's paired difference from the status quo (95 % interval).

    Columns ``<objective>_vs_status_quo`` with ``_low`` and ``_high``: the mean over the final
    replications of candidate − status quo, replication by replication (common random numbers).
    """
    table = table.assign(status_quo=table["trial"] == 0)
    for objective in search.spec.optimize.objectives:
        base = status_quo[objective.name].per_replication
        columns: dict[str, list[float]] = {s: [] for s in ("", "_low", "_high")}
        for number in table["trial"]:
            estimates = final.get(int(number))
            if estimates is None:
                for values in columns.values():
                    values.append(math.nan)
                continue
            diff = estimates[objective.name].per_replication - base
            n = len(diff)
            half = t_quantile(n - 1) * float(diff.std(ddof=1)) / math.sqrt(n) if n > 1 else 0.0
            mean = float(diff.mean())
            columns[""].append(mean)
            columns["_low"].append(mean - half)
            columns["_high"].append(mean + half)
        for suffix, values in columns.items():
            table[f"{objective.name}_vs_status_quo{suffix}"] = values
    return table


def is_feasible(search: ResolvedSearch, estimates: dict[str, Estimate]) -> bool:
    """Whether every constraint is met at the candidate's mean."""
    return all(v <= 0 for v in violations(search, estimates))


def trials_table(
    search: ResolvedSearch,
    trials: dict[int, Any],
    searched: dict[int, dict[str, Estimate]],
    final: dict[int, dict[str, Estimate]],
    search_front: set[int],
    front: set[int],
) -> pd.DataFrame:
    """One row per trial: generation, state, levers, estimates with intervals, feasibility."""
    spec = search.spec
    rows = []
    for number in sorted(trials):
        t = trials[number]
        source = int(t.user_attrs.get("duplicate_of", number))
        estimates = final.get(source) or searched.get(source)
        state = "duplicate" if source != number else t.state.name.lower()
        row: dict[str, Any] = {
            "trial": number,
            "generation": int(t.user_attrs.get("generation", -1)),
            "state": state,
            "duplicate_of": source if source != number else None,
            **lever_values(search, t.params),
        }
        for objective in spec.optimize.objectives:
            row.update(estimate_columns(objective.name, estimates, objective.name))
        for constraint in spec.optimize.constraints:
            column = f"{constraint.name}_{'max' if constraint.max is not None else 'min'}"
            row.update(estimate_columns(column, estimates, constraint_key(constraint)))
        row["feasible"] = bool(estimates is not None and is_feasible(search, estimates))
        row["violation"] = (
            max(violations(search, estimates), default=0.0) if estimates is not None else None
        )
        row["replications"] = (
            (spec.final_replications if source in final else spec.replications)
            if estimates is not None
            else 0
        )
        row["on_search_front"] = number in search_front
        row["on_front"] = number in front
        rows.append(row)
    return pd.DataFrame(rows)


def estimate_columns(
    column: str, estimates: dict[str, Estimate] | None, key: str
) -> dict[str, float]:
    """``column``, ``column_se``, ``column_low`` and ``column_high`` (95 % interval)."""
    if estimates is None:
        return {f"{column}{s}": math.nan for s in ("", "_se", "_low", "_high")}
    e = estimates[key]
    half = e.half_width()
    return {
        column: e.mean,
        f"{column}_se": e.se,
        f"{column}_low": e.mean - half,
        f"{column}_high": e.mean + half,
    }


def front_table(search: ResolvedSearch, table: pd.DataFrame) -> pd.DataFrame:
    """The final front: levers, objectives and constrained values with intervals, by cost."""
    front = table[table["on_front"]].drop(
        columns=["state", "duplicate_of", "on_search_front", "on_front", "status_quo"],
        errors="ignore",
    )
    first = search.spec.optimize.objectives[0]
    return front.sort_values(first.name, ascending=first.sense == "minimize").reset_index(drop=True)


def candidate_scenario(manifest: dict[str, Any], trial: pd.Series) -> dict[str, Any]:
    """The scenario config of one trial: the search's resolved base config with its levers set.

    ``talentsim run`` accepts it as written (the uncertainty values, if any, stay the base's).
    """
    config = copy.deepcopy(manifest["base_config"]["config"])
    levers = [p["path"] for p in manifest["design"]["parameters"] if p["role"] == "lever"]
    for path in levers:
        value = trial[path]
        set_dotted(config, path, value.item() if hasattr(value, "item") else value)
    name = manifest.get("experiment_name", "search")
    config["name"] = f"{name}-trial-{int(trial['trial'])}"
    config["description"] = f"Trial {int(trial['trial'])} of the policy search '{name}'."
    return config
