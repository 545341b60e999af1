"""Matching on the same market: the working tree's ``matching.match`` against a revision's.

    OPENBLAS_NUM_THREADS=1 uv run python benchmarks/same_market.py REV [--scale 1.0]
        [--seed 1] [--year 5] [--reps 5]

Captures one year's labour market from a run of the working tree (the Seekers, Vacancies,
parameters and stream that ``labour_market.clear`` passes to ``match`` in reported year
``--year``; the 高职 graduates' own-field contact share set to the common share, which revisions
before it apply to every seeker, so that both trees compute the same function), then times
``match`` on exactly that input in both trees, each in its own
process (REV in a temporary git worktree on this interpreter, benchmarks/reference.py, so REV
runs with its own keyed draws too). Repetitions alternate between the trees; each figure is
the median CPU time (``time.process_time``) of one call. Prints the ratio and whether both
trees return the same hires and wages (exactly).

Each tree is timed under two settings of glibc's allocator, the same in both trees' processes:
the model's (the ``mallopt`` thresholds that ``city.keep_freed_memory`` sets once a
``TalentModel`` is built, so that matching runs under them in every model run; a revision
without that call gets them from the timing script), which gives the code's ratio, and glibc's
defaults. The ratio "as each model runs it" pairs each tree under the setting its own model
runs matching with: the working tree under the model's, the revision under the defaults
unless it has that call too.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import reference
from reference import Tree

from talentsim.model import city

ROOT = Path(__file__).resolve().parent.parent
BASELINE = Path("configs") / "zibo_baseline.yaml"

CAPTURE = """
import json, sys
import numpy as np
from talentsim.config import resolve_config
from talentsim.model import TalentModel
from talentsim.model.processes import labour_market

config, scale, out = sys.argv[1], float(sys.argv[2]), sys.argv[5]
seed, year = int(sys.argv[3]), int(sys.argv[4])
cfg = resolve_config(config, {}).model_copy(update={"scale": scale})
# revisions before the 高职 graduates' own-field share apply the common share to every seeker
common = cfg.labour_market.own_field_contacts
market_params = cfg.labour_market.model_copy(update={"own_field_contacts_gaozhi": common})
cfg = cfg.model_copy(update={"labour_market": market_params})
model = TalentModel(cfg, rng=seed)
original, market = labour_market.match, {}

def capture(stream, seekers, vacancies, params, n_fields):
    if not market:
        arrays = {f"seekers_{k}": np.array(v) for k, v in vars(seekers).items() if v is not None}
        arrays.update({f"vacancies_{k}": np.array(v) for k, v in vars(vacancies).items()})
        np.savez(out + ".npz", **arrays)
        meta = {"params": params.model_dump(mode="json"), "n_fields": n_fields,
                "stream": [stream.key, stream.process, stream.year], "year": model.year,
                "seekers": len(seekers.level), "cells": len(vacancies.slots),
                "slots": int(vacancies.slots.sum())}
        market.update(meta)
        json.dump(meta, open(out + ".json", "w"))
    return original(stream, seekers, vacancies, params, n_fields)

for _ in range(year - 1):
    model.step()
labour_market.match = capture
model.step()
"""
"""Run in the working tree: step to reported year ``year`` and save the market ``match`` gets."""

TIME = """
import ctypes, hashlib, json, sys, time
import numpy as np
if sys.argv[3] != "default":  # the model's malloc thresholds: "mmap,trim" in bytes
    mmap_threshold, trim_threshold = map(int, sys.argv[3].split(","))
    libc = ctypes.CDLL(None)
    assert libc.mallopt(-3, mmap_threshold) and libc.mallopt(-1, trim_threshold)
from talentsim.config.schema import LabourMarket
from talentsim.model import matching
from talentsim.model.streams import Stream

market, reps = sys.argv[1], int(sys.argv[2])
data, meta = np.load(market + ".npz"), json.load(open(market + ".json"))
def columns(prefix):
    return {k[len(prefix):]: data[k] for k in data.files if k.startswith(prefix)}

seekers = matching.Seekers(**columns("seekers_"))
vacancies = matching.Vacancies(**columns("vacancies_"))
params = LabourMarket(**{k: v for k, v in meta["params"].items() if k in LabourMarket.model_fields})
stream = Stream.__new__(Stream)
stream.key, stream.process, stream.year = meta["stream"]
seconds = []
for _ in range(reps):
    started = time.process_time()
    cell, wage = matching.match(stream, seekers, vacancies, params, meta["n_fields"])
    seconds.append(time.process_time() - started)
digest = hashlib.sha256(cell.astype(np.int64).tobytes() + wage.astype(np.float64).tobytes())
hired = int((cell >= 0).sum())
print(json.dumps({"seconds": seconds, "digest": digest.hexdigest(), "hired": hired}))
"""
"""Run in a tree: time that tree's ``matching.match`` on the saved market."""


def capture(market: Path, scale: float, seed: int, year: int) -> dict:
    """Save the market of reported year ``year`` of the working tree's baseline run."""
    command = [sys.executable, "-c", CAPTURE, str(BASELINE), str(scale), str(seed), str(year)]
    subprocess.run([*command, str(market)], cwd=ROOT, env=Tree("", ROOT).env(), check=True)
    return json.loads(market.with_suffix(".json").read_text())


ALLOCATORS = {
    "model": f"{city.MALLOC_MMAP_THRESHOLD},{city.MALLOC_TRIM_THRESHOLD}",
    "default": "default",
}
"""The allocator settings timed: the model's malloc thresholds, and glibc's defaults."""


def sets_malloc_thresholds(root: Path) -> bool:
    """Whether the model of the tree at ``root`` sets the malloc thresholds itself."""
    city_module = root / "src" / "talentsim" / "model" / "city.py"
    return city_module.exists() and "def keep_freed_memory" in city_module.read_text()


def time_match(tree: Tree, market: Path, reps: int, allocator: str = "model") -> dict:
    """``reps`` timed calls of ``tree``'s match on the saved market (one process).

    ``allocator`` is a key of :data:`ALLOCATORS`.
    """
    command = [tree.python, "-c", TIME, str(market), str(reps), ALLOCATORS[allocator]]
    done = subprocess.run(
        command, cwd=tree.root, env=tree.env(), check=True, capture_output=True, text=True
    )
    return json.loads(done.stdout.splitlines()[-1])


def compare(
    revision: str,
    scale: float,
    seed: int,
    year: int,
    reps: int,
    rounds: int,
    allocators: tuple[str, ...] = tuple(ALLOCATORS),
) -> dict:
    """Capture the market, then time both trees' match on it in alternation; the figures.

    ``allocators``: the settings of :data:`ALLOCATORS` to time under ("model" first).
    """
    work = Tree("working tree", ROOT)
    with tempfile.TemporaryDirectory() as tmp, reference.checkout(ROOT, revision) as ref:
        market = Path(tmp) / "market"
        meta = capture(market, scale, seed, year)
        runs: dict[tuple[str, str], list[dict]] = {
            (name, allocator): [] for name in ("work", "ref") for allocator in allocators
        }
        for k in range(rounds):  # ABBA: load drift falls on both
            pair = [("work", work), ("ref", ref)]
            for allocator in allocators:
                for name, tree in pair if k % 2 == 0 else pair[::-1]:
                    runs[name, allocator].append(time_match(tree, market, reps, allocator))
        environment = ref.environment
        ref_allocator = "model" if sets_malloc_thresholds(ref.root) else "default"
    median = {
        key: statistics.median(s for run in done for s in run["seconds"])
        for key, done in runs.items()
    }
    digests = {run["digest"] for done in runs.values() for run in done}
    found = {
        "revision": revision,
        "reference_environment": environment,
        "market": meta,
        "scale": scale,
        "seed": seed,
        "working_tree_s": median["work", "model"],
        "reference_s": median["ref", "model"],
        "speed_up": median["ref", "model"] / median["work", "model"],
        "calls": sum(len(run["seconds"]) for run in runs["work", "model"]),
        "identical": len(digests) == 1,
        "hired": runs["work", "model"][0]["hired"],
    }
    if "default" in allocators:
        found["default_allocator"] = {
            "working_tree_s": median["work", "default"],
            "reference_s": median["ref", "default"],
            "speed_up": median["ref", "default"] / median["work", "default"],
        }
        found["as_each_model_runs_it"] = median["ref", ref_allocator] / median["work", "model"]
    return found


def main(argv: list[str] | None = None) -> int:
    """Print the side-by-side figures; exit status 1 if the hires differ."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("revision")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--year", type=int, default=5, help="reported year of the market")
    parser.add_argument("--reps", type=int, default=10, help="calls per process")
    parser.add_argument("--rounds", type=int, default=2, help="processes per tree")
    args = parser.parse_args(argv)
    found = compare(args.revision, args.scale, args.seed, args.year, args.reps, args.rounds)
    print(json.dumps(found, indent=1))
    return 0 if found["identical"] else 1


if __name__ == "__main__":
    sys.exit(main())
