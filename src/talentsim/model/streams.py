"""Random streams: one per (run seed, process, year), and draws keyed by the entity they belong to.

Why: with one generator for the whole run, a lever that changes how many numbers one mechanism
draws shifts every later draw of every mechanism, and two scenarios run from the same seed stop
being the same city (common random numbers that do not work). Here

* each process gets its own :class:`Stream` for each year, derived from the run's seed, the
  process name and the year, so no process can shift another's numbers;
* a draw that belongs to a person or a firm is a counter-based hash of (stream, purpose,
  entity key[, column]): the same person receives the same number for the same decision in two
  scenarios, however the two populations have diverged (the k-th graduate of a year is the same
  person in both, see :mod:`talentsim.model.people`);
* city-level draws (how many firms enter, how many graduates arrive) are inverse-CDF draws from
  one uniform of the stream, so a lever that raises a mean raises the count monotonically.

The hash is SplitMix64's finaliser (Steele, Lea & Flood 2014), vectorised on uint64 columns;
uniforms take its top 53 bits.
"""

from __future__ import annotations

import zlib

import numpy as np

_GOLDEN_INT, _MIX1_INT, _MIX2_INT = 0x9E3779B97F4A7C15, 0xBF58476D1CE4E5B9, 0x94D049BB133111EB
_MASK = 0xFFFFFFFFFFFFFFFF
_GOLDEN, _MIX1, _MIX2 = np.uint64(_GOLDEN_INT), np.uint64(_MIX1_INT), np.uint64(_MIX2_INT)
_COLUMN = np.uint64(0xD1B54A32D192ED03)
_TO_UNIT = 2.0**-53
_BLOCK = 1 << 15
"""Elements hashed at a time (256 kB of uint64: a block and its scratch stay in L2 cache)."""

Alternatives = int | np.ndarray | None
"""A count k or (k,) ids of alternatives for per-key-and-alternative draws, or None."""


KEY_BATCHES = 100
"""Entry batches per year in an entity key."""
KEY_INDEX = 10_000_000
"""Entities per batch and year in an entity key."""


class KeyIssuer:
    """Issues stable entity keys: key = (year·100 + batch)·10⁷ + k for the k-th of a batch.

    The k-th person (or firm) of the same entry batch and year has the same key in every
    scenario of a run, so draws keyed by it give it the same numbers there.
    """

    def __init__(self) -> None:
        """Start with no key issued."""
        self.issued: dict[tuple[int, int], int] = {}

    def issue(self, year: int, batch: int, count: int) -> np.ndarray:
        """Keys of the next ``count`` entities of ``batch`` in ``year``."""
        first = self.issued.get((year, batch), 0)
        if first + count > KEY_INDEX or not 0 <= batch < KEY_BATCHES:
            raise ValueError(f"entity keys exhausted for batch {batch} in {year}")
        self.issued[(year, batch)] = first + count
        return (year * KEY_BATCHES + batch) * KEY_INDEX + np.arange(
            first, first + count, dtype=np.int64
        )


def code(name: str) -> int:
    """A stable 32-bit code of a name (the same in every Python process, unlike ``hash``)."""
    return zlib.crc32(name.encode())


def _mix_in_place(z: np.ndarray, shifted: np.ndarray | None = None) -> np.ndarray:
    """SplitMix64 finaliser of uint64 values (wrapping arithmetic), overwriting ``z``.

    ``shifted`` (like ``z``) is the scratch array, if given.
    """
    if shifted is None:
        shifted = np.empty_like(z)
    z += _GOLDEN
    np.right_shift(z, np.uint64(30), out=shifted)
    z ^= shifted
    z *= _MIX1
    np.right_shift(z, np.uint64(27), out=shifted)
    z ^= shifted
    z *= _MIX2
    np.right_shift(z, np.uint64(31), out=shifted)
    z ^= shifted
    return z


def _mix_blocks_in_place(x: np.ndarray, times: int = 2) -> np.ndarray:
    """The finaliser ``times`` over ``x``, in place, block by block (each block stays in cache)."""
    flat = x.reshape(-1)
    scratch = np.empty(min(_BLOCK, flat.size), dtype=np.uint64)
    for start in range(0, flat.size, _BLOCK):
        block = flat[start : start + _BLOCK]
        shifted = scratch[: block.size]
        for _ in range(times):
            _mix_in_place(block, shifted)
    return x


def _mix_int(z: int) -> int:
    """The finaliser of :func:`_mix_in_place` on one Python int (exact uint64 arithmetic)."""
    z = (z + _GOLDEN_INT) & _MASK
    z = ((z ^ (z >> 30)) * _MIX1_INT) & _MASK
    z = ((z ^ (z >> 27)) * _MIX2_INT) & _MASK
    return z ^ (z >> 31)


def _mix_scalar(*words: int) -> np.uint64:
    """One uint64 from a sequence of integers (each folded in with the finaliser)."""
    state = 0
    for word in words:
        state = _mix_int(state ^ (word & _MASK))
    return np.uint64(state)


class Stream:
    """The random numbers of one process in one year.

    Args:
        root: The run's root key (from its seed).
        process: The process name.
        year: The simulated year.

    """

    def __init__(self, root: int, process: str, year: int) -> None:
        """Derive the stream's key from the run's root key, the process name and the year."""
        self.key = int(_mix_scalar(root, code(process), year))
        self.process = process
        self.year = year

    def generator(self, purpose: str) -> np.random.Generator:
        """A numpy generator for draws of no entity (e.g. a new institution's set-up)."""
        return np.random.default_rng(np.random.SeedSequence([self.key, code(purpose)]))

    def _bits(
        self,
        keys: np.ndarray,
        purpose: str,
        columns: Alternatives,
        pair: np.ndarray | None,
    ) -> np.ndarray:
        salt = _mix_scalar(self.key, code(purpose))
        x = np.asarray(keys, dtype=np.int64).view(np.uint64) * _GOLDEN  # a new array
        x += salt
        if pair is not None:
            x = _mix_blocks_in_place(x, 1)
            x += np.asarray(pair, dtype=np.int64).view(np.uint64) * _COLUMN
        if columns is not None:
            ids = np.arange(columns) if isinstance(columns, int) else np.asarray(columns)
            alternative = (ids.astype(np.uint64) + np.uint64(1)) * _COLUMN
            x = _mix_blocks_in_place(x, 1)[:, None] + alternative[None, :]
        return _mix_blocks_in_place(x)

    def uniform(
        self,
        keys: np.ndarray,
        purpose: str,
        columns: Alternatives = None,
        pair: np.ndarray | None = None,
    ) -> np.ndarray:
        """U(0, 1) per key for ``purpose``.

        Args:
            keys: (n,) entity keys (person ids, firm keys, ...).
            purpose: What the draw decides; another purpose gives independent numbers.
            columns: A count k or (k,) ids of alternatives: then (n, k) draws, one per key and
                alternative (e.g. per person and programme).
            pair: (n,) a second key per draw (e.g. the vacancy a person applies to).

        """
        bits = self._bits(keys, purpose, columns, pair)
        bits >>= np.uint64(11)
        # < 2^53 either way: converting as int64 is 20 % faster than as uint64
        return np.multiply(bits.view(np.int64), _TO_UNIT, dtype=np.float64)

    def normal(
        self,
        keys: np.ndarray,
        purpose: str,
        columns: Alternatives = None,
        pair: np.ndarray | None = None,
    ) -> np.ndarray:
        """N(0, 1) per key (Box–Muller on two keyed uniforms); arguments as :meth:`uniform`."""
        radius = self.uniform(keys, purpose + ":1", columns, pair)
        np.subtract(1.0, radius, out=radius)
        np.log(radius, out=radius)
        np.multiply(radius, -2.0, out=radius)
        np.sqrt(radius, out=radius)
        angle = self.uniform(keys, purpose + ":2", columns, pair)
        np.multiply(angle, 2.0 * np.pi, out=angle)
        np.cos(angle, out=angle)
        return np.multiply(radius, angle, out=radius)

    def gumbel(
        self,
        keys: np.ndarray,
        purpose: str,
        columns: Alternatives = None,
        pair: np.ndarray | None = None,
    ) -> np.ndarray:
        """Standard Gumbel per key, −log(−log U); arguments as :meth:`uniform`."""
        u = self.uniform(keys, purpose, columns, pair)
        np.maximum(u, 1e-300, out=u)
        np.log(u, out=u)
        np.negative(u, out=u)
        np.log(u, out=u)
        return np.negative(u, out=u)

    def choice(self, keys: np.ndarray, purpose: str, p: np.ndarray) -> np.ndarray:
        """An index drawn from probabilities ``p`` per key (inverse CDF)."""
        cumulative = np.cumsum(p) / np.sum(p)
        index = np.searchsorted(cumulative, self.uniform(keys, purpose), side="right")
        return np.minimum(index, len(p) - 1)

    def integers(self, keys: np.ndarray, purpose: str, low: int, high: int) -> np.ndarray:
        """An integer in [low, high) per key."""
        return low + np.floor(self.uniform(keys, purpose) * (high - low)).astype(np.int64)

    def poisson(self, keys: np.ndarray, purpose: str, mean: np.ndarray) -> np.ndarray:
        """Poisson(mean) per key by inversion of one keyed uniform (monotone in the mean).

        Exact inversion where the mean is below 30; a continuity-corrected normal quantile above.
        """
        mean = np.broadcast_to(np.asarray(mean, dtype=np.float64), np.shape(keys))
        u = self.uniform(keys, purpose)
        count = np.zeros(len(u), dtype=np.int64)
        small = mean < 30.0
        if small.any():
            lam, us = mean[small], u[small]
            term = np.exp(-lam)
            total = term.copy()
            k = np.zeros(len(lam), dtype=np.int64)
            going = us > total
            while going.any():
                k[going] += 1
                term = np.where(going, term * lam / np.maximum(k, 1), term)
                total = np.where(going, total + term, total)
                going &= us > total
            count[small] = k
        if (~small).any():
            z = self.normal(np.asarray(keys)[~small], purpose + ":large")
            big = mean[~small]
            count[~small] = np.maximum(np.floor(big + np.sqrt(big) * z + 0.5), 0).astype(np.int64)
        return count

    def count(self, purpose: str, mean: float) -> int:
        """One Poisson(mean) count of the city (e.g. entrants): inversion of one uniform."""
        return int(self.poisson(np.zeros(1, dtype=np.int64), purpose, np.array([mean]))[0])


class Streams:
    """The run's streams: :meth:`for_process` gives a process its stream for a year.

    Args:
        seed: The run's seed (an int or a ``numpy.random.SeedSequence``).

    """

    def __init__(self, seed: int | np.random.SeedSequence) -> None:
        """Fold the seed (with its spawn key, for a sweep's replications) into a root key."""
        sequence = seed if isinstance(seed, np.random.SeedSequence) else None
        if sequence is None:
            sequence = np.random.SeedSequence(int(seed))
        self.root = int(sequence.generate_state(2, dtype=np.uint64)[0])

    def for_process(self, process: str, year: int) -> Stream:
        """The stream of ``process`` in ``year``."""
        return Stream(self.root, process, year)
