"""One timed run of a talentsim tree, printed as one JSON line (for run_benchmarks.py).

    PYTHONPATH=TREE/src python benchmarks/one_run.py CONFIG SCALE YEARS SEED [PROFILE]

Works on the current model and on older revisions (it feature-detects their API, so a
reference revision is timed by the same script as the working tree):

- a model with a burn-in (``TalentModel(..., burn_in=False)``, ``simulate(..., city=)``): the
  set-up, the burn-in and the reported years are timed apart, and the burn-in's person-years
  counted (persons in the city after each burn-in year);
- an older model (``simulate(config, seed, years)`` builds and runs the city): set-up and
  reported years together, no burn-in;
- a model with the per-process timing hook (``TalentModel.process_cpu``): CPU seconds per
  process of the schedule, for the burn-in and the reported years;
- the functions of :data:`INNER` that exist in the revision (matching, programme assignment,
  keyed draws) are wrapped in a CPU timer wherever the model's modules refer to them, so their
  share of the reported years is measured too (they run inside the processes above).

CPU times are ``time.process_time`` of this process (one core's work; robust to other load);
person-years are the reported years' ``outcomes.population × scale``; peak memory is this
process's ``ru_maxrss``.
"""

from __future__ import annotations

import inspect
import json
import resource
import sys
import time
from collections.abc import Callable
from typing import Any

INNER = (
    ("matching", "talentsim.model.matching", "match"),
    ("matching", "talentsim.model.labour_market", "match"),  # where older revisions had it
    ("programme assignment", "talentsim.model.education", "assign_programmes"),
    ("programme utilities", "talentsim.model.education", "programme_utilities"),
    ("keyed draws", "talentsim.model.streams", "Stream._bits"),
)
"""(label, module, function) timed inside the processes, where the revision has them."""


def timed_run(config_path: str, scale: float, years: int, seed: int, profile: str) -> dict:
    """Run the baseline at ``scale`` for ``years`` reported years; the figures as a dict."""
    from talentsim.config import resolve_config
    from talentsim.model import TalentModel, simulate

    cfg = resolve_config(config_path, {}).model_copy(update={"scale": scale})
    inner = _time_inner()
    profiler = _start_profiler() if profile else None
    wall, cpu = time.perf_counter(), time.process_time()
    figures: dict[str, Any] = {"api": "burn-in" if _has_burn_in(TalentModel, simulate) else "old"}
    if figures["api"] == "burn-in":
        city = TalentModel(cfg, rng=seed, burn_in=False)
        figures["setup_cpu_s"] = time.process_time() - cpu
        started, sizes = time.process_time(), _burn_in(city)
        figures["burn_in_cpu_s"] = time.process_time() - started
        figures["burn_in_years"] = len(sizes)
        figures["burn_in_person_years"] = float(sum(sizes))
        burn_in_processes = dict(getattr(city, "process_cpu", {}))
        burn_in_inner = dict(inner)
        result = simulate(cfg, seed=seed, years=years, city=city)
    else:
        result = simulate(cfg, seed=seed, years=years)
        figures.update(burn_in_cpu_s=0.0, burn_in_years=0, burn_in_person_years=0.0)
        burn_in_processes, burn_in_inner = {}, {}
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(profile)
    model = result.model
    processes = getattr(model, "process_cpu", None)
    if processes is not None:
        figures["process_cpu_burn_in"] = burn_in_processes
        figures["process_cpu_reported"] = {
            name: seconds - burn_in_processes.get(name, 0.0) for name, seconds in processes.items()
        }
    figures["inner_cpu_reported"] = {
        name: seconds - burn_in_inner.get(name, 0.0) for name, seconds in inner.items()
    }
    figures.update(
        scale=scale,
        years=years,
        seed=seed,
        wall_s=wall,
        cpu_s=cpu,
        reported_cpu_s=cpu - figures.get("setup_cpu_s", 0.0) - figures["burn_in_cpu_s"],
        peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        person_years=float((result.outcomes["population"] * scale).sum()),
        persons_ever=_persons_ever(model),
    )
    return figures


def _time_inner() -> dict[str, float]:
    """Wrap each function of :data:`INNER` in a CPU timer; the dict of their running totals."""
    import importlib

    totals: dict[str, float] = {}
    for label, module_name, qualified in INNER:
        if label in totals:
            continue
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        owner_name, _, name = qualified.rpartition(".")
        owner = getattr(module, owner_name) if owner_name else module
        original = getattr(owner, name, None)
        if original is None:
            continue
        totals[label] = 0.0
        timed = _timer(original, label, totals)
        if owner_name:  # a method: patch the class
            setattr(owner, name, timed)
            continue
        for loaded in list(sys.modules.values()):  # every module that imported it by name
            if getattr(loaded, "__name__", "").startswith("talentsim") and (
                getattr(loaded, name, None) is original
            ):
                setattr(loaded, name, timed)
    return totals


def _timer(function: Callable, label: str, totals: dict[str, float]) -> Callable:
    """``function`` adding its CPU time to ``totals[label]`` (not twice when it recurses)."""
    depth = [0]

    def timed(*args: Any, **kwargs: Any) -> Any:
        depth[0] += 1
        started = time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            depth[0] -= 1
            if depth[0] == 0:
                totals[label] += time.process_time() - started

    return timed


def _has_burn_in(model_class: type, simulate: Any) -> bool:
    """Whether this revision's model has a burn-in that can be timed apart."""
    return (
        "burn_in" in inspect.signature(model_class.__init__).parameters
        and "city" in inspect.signature(simulate).parameters
    )


def _burn_in(city: Any) -> list[int]:
    """Run the city's burn-in; the persons in the city after each burn-in year."""
    sizes: list[int] = []
    step = city.step  # Mesa's wrapped step: the burn-in runs exactly as in run_burn_in

    def counted() -> None:
        step()
        sizes.append(len(city.people))

    city.step = counted
    try:
        city.run_burn_in()
    finally:
        del city.step
    return sizes


def _persons_ever(model: Any) -> int:
    """Persons simulated over the whole run (older revisions: the next person id)."""
    people = model.people
    if hasattr(people, "next_pid"):
        return int(people.next_pid)
    return len(people.individuals())


def _start_profiler() -> Any:
    import cProfile

    profiler = cProfile.Profile(time.process_time)  # CPU time: robust to other processes
    profiler.enable()
    return profiler


if __name__ == "__main__":
    config, scale, years, seed = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    profile = sys.argv[5] if len(sys.argv) > 5 else ""
    print(json.dumps(timed_run(config, scale, years, seed, profile)))
