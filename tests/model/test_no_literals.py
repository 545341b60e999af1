"""No coefficient hides in a rule: every number that sizes a behaviour is a config parameter.

Every module under ``src/talentsim/model/`` is parsed and each numeric literal is checked. A
literal may be 0, 1 or −1; a unit conversion (:data:`CONVERSIONS`); a numerical guard below
:data:`GUARD` (a floor that keeps a log or a division finite); or the value of a module-level
constant documented in docs/ODD.md's constants table (``docs/make_odd_tables.CONSTANTS``: laws
such as tax rates, and the model's named constants). Anything else must be a ``param`` of the
config schema (unit, default, range, source), or be listed in :data:`ALLOWED` with its reason.
"""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "src" / "talentsim" / "model"
TRIVIAL = {0, 1, -1}
CONVERSIONS = {12, 100}
"""Months per year (talent allowances); per 100 employees and per cent."""
GUARD = 1e-6
"""Literals of smaller magnitude are numerical guards (floors of logs and divisions)."""

# Literals that are not coefficients, by module (path under model/), with their reason.
ALLOWED = {
    # entry ages of the school system (a cohort turns 15; 高职/本科 at 18; 研究生 at 22) and the
    # id encoding of entry batches (KeyIssuer: batch · 20 + years in, stage · 4 + years in)
    # (专升本 entrants start in 本科's year 3: years_in_stage 2); market-level indices 0-3
    "processes/admissions.py": {15, 18, 22, 20, 4, 2, 3},
    "processes/graduate_inflow.py": {20},
    "setup.py": {20, 1.4e6, 1024},  # id encoding; rows reserved (memory)
    # market-level indices of the universities' reads (本科 2, 研究生 3)
    "processes/programme_review.py": {2, 3},
    # destination codes (in field 0, out of field 1, unemployed 2, left 3); Laplace's rule of
    # succession (k + 1)/(n + 2) of the placement signal
    "processes/graduate_outcomes.py": {2, 3},
    "processes/recording.py": {3},  # retained_skilled_3y: the 3-year horizon of its definition
    "state.py": {2, 3},  # market-level indices of the choice drivers (本科 2, 研究生 3)
    # columns by market level (4); the lognormal mean correction −σ²/2; the floor of a profit
    # ratio before a power (1e-6)
    "agents/firms.py": {4, 0.5, 2, 1e-6},
    # the search-strategy switch of the cumulative-count lookup (8 per target + 10⁶) and the
    # 16-bit bound of the radix sort: speed, not behaviour
    "matching.py": {8, 1_000_000, 2, 16},
    # Laplace's rule of succession (k + 1)/(n + 2) of the apprentice-retention signal
    "processes/labour_market.py": {2},
    # retention horizons 1, 3, 5 y; the ½ of the dissimilarity index; pairs (cosine similarity)
    "outcomes.py": {2, 3, 5, 0.5},
    "states.py": {4},  # number of market levels
    "people.py": {20, 1024, 1.5, 2},  # id encoding, store capacity and growth (memory)
    # a 63-bit root seed drawn from a Generator; malloc's thresholds (32 and 512 MiB: 20-bit
    # shifts) and its option code M_MMAP_THRESHOLD (-3): memory, not behaviour
    "city.py": {2, 63, 32, 512, 20, -3},
    # the random-number machinery: SplitMix64 constants, bit shifts and the key layout
    "streams.py": {
        11,
        20,
        27,
        30,
        31,
        32,
        53,
        64,
        15,  # 2^15 elements hashed at a time (cache-sized blocks)
        2,
        0.5,
        1e7,
        0xFFFFFFFFFFFFFFFF,
        11400714819323198485,
        13787848793156543929,
        10723151780598845931,
        15111065706836454659,
    },
}


def documented_constants() -> set[str]:
    """Names of the module-level constants listed in docs/ODD.md's constants table."""
    spec = importlib.util.spec_from_file_location(
        "make_odd_tables", ROOT / "docs" / "make_odd_tables.py"
    )
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return {name for _, name, _, _ in module.CONSTANTS}


def _is_code_class(node: ast.AST) -> bool:
    """A class whose body only names integer codes (an IntEnum, FirmBatch): codes, not sizes."""
    if not isinstance(node, ast.ClassDef):
        return False
    body = [
        s for s in node.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))
    ]
    return bool(body) and all(
        isinstance(s, ast.Assign)
        and isinstance(s.value, ast.Constant)
        and isinstance(s.value.value, int)
        for s in body
    )


def numeric_literals(tree: ast.AST, constants: set[str]) -> list[tuple[int, float]]:
    """(line, value) of every numeric literal outside documented constants' definitions."""
    skip: set[int] = set()
    for node in ast.walk(tree):
        if _is_code_class(node):
            skip.update(id(n) for n in ast.walk(node))
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id in constants for t in targets):
                skip.update(id(n) for n in ast.walk(node))
    negated = {
        id(n.operand)
        for n in ast.walk(tree)
        if isinstance(n, ast.UnaryOp) and isinstance(n.op, ast.USub)
    }
    found = []
    for node in ast.walk(tree):
        if id(node) in skip or not isinstance(node, ast.Constant):
            continue
        value = node.value
        if isinstance(value, bool) or not isinstance(value, int | float):
            continue
        found.append((node.lineno, -value if id(node) in negated else value))
    return found


def offending(path: Path, constants: set[str]) -> list[str]:
    relative = path.relative_to(MODEL).as_posix()
    allowed = ALLOWED.get(relative, set())
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        f"{relative}:{line}: {value!r}"
        for line, value in numeric_literals(tree, constants)
        if value not in TRIVIAL
        and abs(value) not in CONVERSIONS
        and not abs(value) < GUARD
        and abs(value) not in allowed
        and value not in allowed
    ]


def test_rules_have_no_numeric_literals_but_parameters() -> None:
    constants = documented_constants()
    bad = [hit for path in sorted(MODEL.rglob("*.py")) for hit in offending(path, constants)]
    assert not bad, "numeric literals in rules (make them config params):\n" + "\n".join(bad)


def test_the_scan_finds_a_literal_coefficient() -> None:
    tree = ast.parse("def f(x):\n    return 0.6 * x + 1\n")
    assert sorted(numeric_literals(tree, set())) == [(2, 0.6), (2, 1)]
    tree = ast.parse("RATE = 0.25\ny = -3\n")
    assert numeric_literals(tree, {"RATE"}) == [(2, -3)]
