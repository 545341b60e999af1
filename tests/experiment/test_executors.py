"""Executors: a dying process-pool worker fails only its own task; the pool carries on."""

from __future__ import annotations

import math
import os
from concurrent.futures import wait

import pytest

from talentsim.experiment.executors import (
    ResilientProcessPool,
    SerialExecutor,
    WorkerDied,
    make_executor,
)


def test_a_dead_worker_fails_only_its_own_task() -> None:
    pool = ResilientProcessPool(workers=2)
    try:
        futures = [pool.submit(math.factorial, n) for n in range(3)]
        futures.append(pool.submit(os._exit, 3))
        futures += [pool.submit(math.factorial, n) for n in range(3, 8)]
        wait(futures, timeout=120)
        results = [f.exception() or f.result() for f in futures]
    finally:
        pool.shutdown()
    assert isinstance(results[3], WorkerDied)
    assert results[:3] + results[4:] == [math.factorial(n) for n in range(8)]


def test_serial_executor_runs_in_order() -> None:
    with SerialExecutor() as executor:
        order: list[int] = []
        for n in range(5):
            executor.submit(order.append, n)
    assert order == [0, 1, 2, 3, 4]


def test_unknown_executor_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown executor"), make_executor("threads"):
        pass
