"""Random streams: per (seed, process, year), keyed by entity, reproducible across processes."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from talentsim.model.streams import KeyIssuer, Stream, Streams


def test_the_same_key_gets_the_same_number_however_many_others_draw():
    stream = Streams(7).for_process("migration", 2030)
    few = stream.uniform(np.array([5, 9]), "stay")
    many = stream.uniform(np.arange(1_000), "stay")
    np.testing.assert_array_equal(few, many[[5, 9]])


def test_streams_differ_by_seed_process_year_and_purpose():
    keys = np.arange(1_000)
    base = Streams(7).for_process("migration", 2030).uniform(keys, "stay")
    others = [
        Streams(8).for_process("migration", 2030).uniform(keys, "stay"),
        Streams(7).for_process("ageing_and_separations", 2030).uniform(keys, "stay"),
        Streams(7).for_process("migration", 2031).uniform(keys, "stay"),
        Streams(7).for_process("migration", 2030).uniform(keys, "destination"),
    ]
    for other in others:
        assert abs(np.corrcoef(base, other)[0, 1]) < 0.1
        assert not np.array_equal(base, other)


def test_a_spawned_seed_sequence_gives_its_own_streams():
    root = np.random.SeedSequence(42)
    first, second = root.spawn(2)
    keys = np.arange(100)
    a = Streams(first).for_process("x", 2030).uniform(keys, "u")
    b = Streams(second).for_process("x", 2030).uniform(keys, "u")
    again = Streams(np.random.SeedSequence(42, spawn_key=(0,))).for_process("x", 2030)
    assert not np.array_equal(a, b)
    np.testing.assert_array_equal(a, again.uniform(keys, "u"))


def test_draws_have_their_distributions():
    stream = Stream(1, "test", 2030)
    keys = np.arange(200_000)
    u = stream.uniform(keys, "u")
    assert u.min() >= 0.0 and u.max() < 1.0 and abs(u.mean() - 0.5) < 0.005
    z = stream.normal(keys, "z")
    assert abs(z.mean()) < 0.01 and abs(z.std() - 1.0) < 0.01
    g = stream.gumbel(keys, "g")
    assert abs(g.mean() - np.euler_gamma) < 0.01
    counts = stream.poisson(keys, "p", np.full(len(keys), 3.5))
    assert abs(counts.mean() - 3.5) < 0.02 and abs(counts.var() - 3.5) < 0.05
    large = stream.poisson(keys, "p", np.full(len(keys), 400.0))
    assert abs(large.mean() - 400) < 0.2 and abs(large.std() - 20) < 0.2
    picks = stream.choice(keys, "c", np.array([0.2, 0.3, 0.5]))
    np.testing.assert_allclose(np.bincount(picks) / len(keys), [0.2, 0.3, 0.5], atol=0.005)


def test_columns_give_one_independent_draw_per_key_and_alternative():
    stream = Stream(1, "test", 2030)
    grid = stream.uniform(np.arange(3), "programme", np.array([10, 20, 30]))
    assert grid.shape == (3, 3) and len(np.unique(grid)) == 9
    # the draw of alternative 20 does not depend on which other alternatives are offered
    np.testing.assert_array_equal(grid[:, 1], stream.uniform(np.arange(3), "programme", [20])[:, 0])


@pytest.mark.parametrize("mean", [0.0, 2.0, 25.0, 3_000.0])
def test_a_higher_mean_never_gives_a_smaller_count(mean):
    stream = Stream(3, "firm_dynamics", 2030)
    assert stream.count("entrants", mean * 1.1 + 1) >= stream.count("entrants", mean)


def test_keys_are_the_same_for_the_kth_entity_of_a_batch_whatever_came_before():
    one, other = KeyIssuer(), KeyIssuer()
    one.issue(2030, 2, 7)
    np.testing.assert_array_equal(one.issue(2030, 3, 4), other.issue(2030, 3, 4))
    assert len(set(one.issue(2030, 2, 3)) & set(other.issue(2030, 2, 3))) == 0


def test_streams_are_the_same_in_another_python_process():
    code = (
        "import numpy as np; from talentsim.model.streams import Streams; "
        "print(Streams(5).for_process('labour_market', 2040).uniform(np.arange(3), 'x').tolist())"
    )
    here = Streams(5).for_process("labour_market", 2040).uniform(np.arange(3), "x").tolist()
    there = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert there.strip() == str(here)


def _textbook_bits(keys: np.ndarray, salt: int, columns: int) -> np.ndarray:
    """The keyed hash written plainly (new arrays at every step), as the streams first had it."""

    def mix(x: np.ndarray) -> np.ndarray:
        z = x + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))

    x = keys.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15) + np.uint64(salt)
    ids = np.arange(columns, dtype=np.uint64) + np.uint64(1)
    x = mix(x)[:, None] + ids[None, :] * np.uint64(0xD1B54A32D192ED03)
    return mix(mix(x))


def test_the_in_place_blocked_hash_gives_the_textbook_numbers():
    from talentsim.model import streams

    stream = Stream(123, "admissions", 2031)
    keys = np.arange(streams._BLOCK + 17, dtype=np.int64) * 7919 - 5  # more than one block
    salt = int(streams._mix_scalar(stream.key, streams.code("noise")))
    expected = (_textbook_bits(keys, salt, 3) >> np.uint64(11)).astype(np.float64) * 2.0**-53
    np.testing.assert_array_equal(stream.uniform(keys, "noise", 3), expected)
    assert keys[0] == -5  # the caller's keys are not overwritten


def test_known_numbers_of_a_stream_do_not_change():
    # values of the original (allocating) implementation: a faster hash must keep them
    s = Streams(5).for_process("labour_market", 2040)
    assert s.key == 5791732109050996066
    assert s.uniform(np.arange(3), "x").tolist() == [
        0.8051117034249322,
        0.5423196411333785,
        0.77451929794333,
    ]
    assert s.uniform(np.array([7, 2**40]), "y", 2).tolist() == [
        [0.3703484596644233, 0.17087826065458867],
        [0.3549420976993195, 0.5314680185710208],
    ]
    assert s.uniform(np.array([7]), "z", pair=np.array([11])).tolist() == [0.9769270926787058]


def test_a_column_of_keyed_draws_is_the_same_drawn_alone() -> None:
    stream = Stream(11, "labour_market", 2030)
    keys = np.arange(1_000) * 7 + 3
    every = stream.uniform(keys, "search", 3)
    for j in range(3):
        assert np.array_equal(stream.uniform(keys, "search", np.array([j]))[:, 0], every[:, j])
