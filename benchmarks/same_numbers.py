"""Does a speed-up change any number? The same small run in the working tree and in a revision.

    uv run python benchmarks/same_numbers.py REV [--scale 0.1] [--years 20] [--seed 3]

Runs the baseline with the same config and seed in both trees (REV in a temporary git
worktree on this interpreter, benchmarks/reference.py) and compares, exactly, the outcome and
flow tables, every person's final state and the event log. Meant for changes that should be
pure speed-ups: REV is the commit before them.
"""

from __future__ import annotations

import argparse
import pickle
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

import reference
from reference import Tree

ROOT = Path(__file__).resolve().parent.parent
DUMP = """
import pickle, sys
from talentsim.config import resolve_config
from talentsim.model import simulate
scale, years, seed, out = float(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
cfg = resolve_config("configs/zibo_baseline.yaml", {}).model_copy(update={"scale": scale})
result = simulate(cfg, seed=seed, years=years)
people = result.model.people
tables = {"outcomes": result.outcomes, "flows": result.flows,
          "individuals": people.individuals(), "events": people.events()}
pickle.dump(tables, open(out, "wb"))
"""
TABLES = ("outcomes", "flows", "individuals", "events")


def tables_of(tree: Tree, scale: float, years: int, seed: int, out: Path) -> dict:
    """The four tables of one run of ``tree``."""
    command = [tree.python, "-c", DUMP, str(scale), str(years), str(seed), str(out)]
    subprocess.run(command, cwd=tree.root, env=tree.env(), check=True)
    with open(out, "rb") as file:
        return pickle.load(file)


def differences(ours: dict, theirs: dict) -> dict[str, str]:
    """Table name → what differs (empty when every table is exactly the same)."""
    found = {}
    for name in TABLES:
        try:
            pd.testing.assert_frame_equal(ours[name], theirs[name], check_exact=True)
        except AssertionError as error:
            found[name] = str(error).splitlines()[0][:300]
    return found


def compare(revision: str, scale: float, years: int, seed: int) -> dict[str, str]:
    """Run both trees; the differences of their tables."""
    with tempfile.TemporaryDirectory() as tmp, reference.checkout(ROOT, revision) as ref:
        ours = tables_of(Tree("working tree", ROOT), scale, years, seed, Path(tmp) / "ours.pkl")
        theirs = tables_of(ref, scale, years, seed, Path(tmp) / "theirs.pkl")
    return differences(ours, theirs)


def main(argv: list[str] | None = None) -> int:
    """Print whether the tables are the same; exit status 1 if not."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("revision")
    parser.add_argument("--scale", type=float, default=0.1)
    parser.add_argument("--years", type=int, default=20)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args(argv)
    found = compare(args.revision, args.scale, args.years, args.seed)
    for name in TABLES:
        print(f"{name}: {'DIFFERENT: ' + found[name] if name in found else 'identical'}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
