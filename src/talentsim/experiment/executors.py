"""Where runs execute: ``serial``, ``processes`` or ``dask``, each an ``Executor``.

- ``serial``: one run at a time in this process (a single background thread, so the sweep loop
  can write each result and move the progress bar as runs finish).
- ``processes``: a pool of worker processes on this machine, by default one per core. Workers are
  forked from a forkserver that has already imported the model, so imports are paid once, and
  each worker runs many runs. A plain ``ProcessPoolExecutor`` breaks as a whole when one worker
  dies (``BrokenProcessPool`` for every pending task); :class:`ResilientProcessPool` rebuilds
  the pool, retries each run that was in flight alone in a one-worker pool, and fails only the
  run that kills its worker again.
- ``dask``: ``Client(ADDRESS).get_executor()`` on a running cluster, or a ``LocalCluster`` on
  127.0.0.1. A dead dask worker fails only its own task (``KilledWorker``).

Worker processes of ``processes`` exit as soon as the sweep's process is gone (even after a
``kill -9``), and an interrupted sweep terminates them instead of waiting for their runs.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import re
import select
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import (
    CancelledError,
    Executor,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
)
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from typing import Any

EXECUTORS = ("serial", "processes", "dask")
PRELOAD = ["talentsim.experiment.runner"]
"""Modules the forkserver imports once, so that every forked worker starts with them loaded."""


CONNECT_TIMEOUT = 20
"""Seconds to wait for a dask scheduler to answer before giving up."""
SCHEDULER_ADDRESS = re.compile(r"^(?:(tcp|tls)://)?(\[[0-9a-fA-F:]+\]|[\w.-]+):(\d{1,5})$")


class ExecutorError(RuntimeError):
    """The executor cannot start: a malformed scheduler address, or no scheduler there."""


class WorkerDied(RuntimeError):  # noqa: N818 - reads as what happened to the run
    """The worker process running a task died (killed, out of memory, ``os._exit``)."""


class SerialExecutor(ThreadPoolExecutor):
    """Runs tasks one at a time, in order, in this process."""

    def __init__(self) -> None:
        """Start the single worker thread."""
        super().__init__(max_workers=1, thread_name_prefix="talentsim-serial")


def default_workers() -> int:
    """All cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def worker_context() -> multiprocessing.context.BaseContext:
    """The forkserver context with the model preloaded (fork is unsafe once threads run)."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    return context


def start_workers_early() -> None:
    """Start the forkserver now, so that it imports the model while this process does too."""
    from multiprocessing import forkserver

    worker_context()
    forkserver.ensure_running()


def die_with(pid: int) -> None:
    """Initializer of every pool worker: exit as soon as process ``pid`` (the sweep) is gone.

    A worker's parent is the forkserver, so ``PR_SET_PDEATHSIG`` cannot watch the sweep; a
    daemon thread waits on a pidfd of the sweep's process instead (polls once a second where
    pidfds are not available).
    """

    def watch() -> None:
        try:
            handle = os.pidfd_open(pid)
        except ProcessLookupError:
            os._exit(1)
        except (AttributeError, OSError):
            while True:
                try:
                    os.kill(pid, 0)
                except ProcessLookupError:
                    os._exit(1)
                except PermissionError:  # pragma: no cover - alive, owned by another user
                    pass
                time.sleep(1.0)
        select.select([handle], [], [])
        os._exit(1)

    threading.Thread(target=watch, name="talentsim-watch-parent", daemon=True).start()


def check_scheduler(address: str) -> None:
    """Refuse a scheduler address that is not ``[tcp://|tls://]HOST:PORT``.

    Raises:
        ExecutorError: the address is malformed.

    """
    match = SCHEDULER_ADDRESS.match(address)
    if match is None or not 0 < int(match.group(3)) < 65536:
        raise ExecutorError(f"{address!r} is not a scheduler address; expected tcp://HOST:PORT")


class ResilientProcessPool(Executor):
    """A process pool in which a dying worker fails only the task it was running.

    At most ``workers`` tasks are in the pool at once; the rest wait here. When the pool breaks,
    it is replaced, and each task that was in it is retried alone in a one-worker pool: a task
    that breaks that pool too is the one that kills its worker and fails with
    :class:`WorkerDied`; the others finish normally.
    """

    def __init__(self, workers: int | None = None) -> None:
        """Create the pool (worker processes start on first use)."""
        self.workers = workers or default_workers()
        self._context = worker_context()
        self._lock = threading.RLock()
        self._backlog: deque[tuple[Future[Any], Callable[..., Any], tuple[Any, ...]]] = deque()
        self._in_flight = 0
        self._outstanding: set[Future[Any]] = set()
        self._retired: list[ProcessPoolExecutor] = []
        self._pool = self._new_pool(self.workers)
        self._closed = False

    def _new_pool(self, workers: int) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=workers,
            mp_context=self._context,
            initializer=die_with,
            initargs=(os.getpid(),),
        )

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        """Queue ``fn(*args)``; returns its future."""
        if kwargs:
            raise TypeError("ResilientProcessPool.submit takes positional arguments only")
        with self._lock:
            if self._closed:
                raise RuntimeError("cannot schedule new futures after shutdown")
            outer: Future[Any] = Future()
            self._outstanding.add(outer)
            outer.add_done_callback(self._forget)
            self._backlog.append((outer, fn, args))
            self._pump()
        return outer

    def _forget(self, outer: Future[Any]) -> None:
        with self._lock:
            self._outstanding.discard(outer)

    def _pump(self) -> None:
        """Move waiting tasks into the pool while it has free workers."""
        with self._lock:
            while self._backlog and self._in_flight < self.workers:
                outer, fn, args = self._backlog.popleft()
                if not outer.set_running_or_notify_cancel():
                    continue
                self._in_flight += 1
                pool = self._pool
                try:
                    inner = pool.submit(fn, *args)
                except BrokenProcessPool:  # broke before its tasks' callbacks replaced it
                    self._retired.append(pool)
                    self._pool = pool = self._new_pool(self.workers)
                    inner = pool.submit(fn, *args)
                inner.add_done_callback(
                    lambda done, o=outer, f=fn, a=args, p=pool: self._settle(o, f, a, p, done)
                )

    def _settle(
        self,
        outer: Future[Any],
        fn: Callable[..., Any],
        args: tuple[Any, ...],
        pool: ProcessPoolExecutor,
        inner: Future[Any],
    ) -> None:
        if inner.cancelled():
            self._fail(outer, CancelledError())
            return
        if isinstance(inner.exception(), BrokenProcessPool):
            if self._closed:  # shut down (its workers terminated): the task is abandoned
                self._fail(outer, CancelledError())
                return
            with self._lock:
                # A broken pool terminates itself. Shutting it down here, or letting it be
                # garbage-collected here, would deadlock on the shutdown lock its manager
                # thread holds while running this callback: keep it until shutdown().
                if pool is self._pool and not self._closed:
                    self._retired.append(pool)
                    self._pool = self._new_pool(self.workers)
            self._isolate(outer, fn, args)
            return
        self._finish(outer, inner)

    def _isolate(self, outer: Future[Any], fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
        """Retry a task of a broken pool alone, so a second death convicts it and no other."""
        alone = self._new_pool(1)
        with self._lock:
            self._retired.append(alone)
        inner = alone.submit(fn, *args)

        def settle(done: Future[Any]) -> None:
            if done.cancelled():
                self._fail(outer, CancelledError())
            elif isinstance(done.exception(), BrokenProcessPool):
                self._fail(outer, WorkerDied("the worker process died while running this task"))
            else:
                self._finish(outer, done)

        inner.add_done_callback(settle)

    def _finish(self, outer: Future[Any], inner: Future[Any]) -> None:
        error = inner.exception()
        if error is None:
            outer.set_result(inner.result())
        else:
            outer.set_exception(error)
        self._release()

    def _fail(self, outer: Future[Any], error: BaseException) -> None:
        outer.set_exception(error)
        self._release()

    def _release(self) -> None:
        with self._lock:
            self._in_flight -= 1
            self._pump()

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Stop accepting tasks; optionally cancel waiting ones; wait for the rest."""
        with self._lock:
            self._closed = True
            if cancel_futures:
                while self._backlog:
                    self._backlog.popleft()[0].cancel()
            pending = list(self._outstanding)
        if wait:
            for future in pending:
                try:
                    future.exception()
                except BaseException:  # noqa: S112 - cancelled futures raise; only waiting here
                    continue
        with self._lock:
            pools = [self._pool, *self._retired]
        for pool in pools:
            if cancel_futures and not wait:  # interrupted: do not wait for runs in progress
                terminate_workers(pool)
            pool.shutdown(wait=wait, cancel_futures=cancel_futures)


def terminate_workers(pool: ProcessPoolExecutor) -> None:
    """Send SIGTERM to the pool's worker processes (their tasks are abandoned)."""
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        if process.is_alive():
            process.terminate()


@contextmanager
def dask_executor(workers: int, scheduler: str | None) -> Iterator[Executor]:
    """A dask ``ClientExecutor`` on the cluster at ``scheduler``, or on a new ``LocalCluster``.

    Raises:
        ExecutorError: ``scheduler`` is malformed or does not answer (nothing has started).

    """
    quiet_dask_logs()
    from distributed import Client, LocalCluster

    if scheduler:
        check_scheduler(scheduler)
        try:
            client = Client(scheduler, timeout=CONNECT_TIMEOUT)
        except (OSError, ValueError, TypeError) as exc:
            raise ExecutorError(f"cannot connect to the scheduler at {scheduler} ({exc})") from None
        client_log = logging.getLogger("distributed.client")
        level = client_log.level
        # A lost scheduler is reported by the sweep (its runs are left to do); dask's own
        # traceback about failing to reconnect would only bury that message.
        client_log.setLevel(logging.CRITICAL)
        try:
            with client:
                yield client.get_executor(pure=False)
        finally:
            client_log.setLevel(level)
        return
    with LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
    ) as cluster:
        client = Client(cluster)
        try:
            yield client.get_executor(pure=False)
        finally:
            # In order: the client lets go, then the workers retire while the scheduler is still
            # up (a worker whose scheduler closes first logs heartbeat errors), then the rest.
            client.close()
            cluster.scale(0)
            wait_for_no_workers(cluster)


def wait_for_no_workers(cluster: Any, timeout: float = 10.0) -> None:
    """Wait until ``cluster`` has no workers left (or ``timeout`` seconds)."""
    deadline = time.monotonic() + timeout
    while cluster.workers and time.monotonic() < deadline:
        time.sleep(0.05)


def quiet_dask_logs() -> None:
    """Keep dask's logs (here and in its worker processes) at warnings unless configured.

    Set ``DASK_LOGGING__DISTRIBUTED`` (e.g. ``info``) to see more.
    """
    os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "warning")


@contextmanager
def make_executor(
    kind: str, workers: int | None = None, scheduler: str | None = None
) -> Iterator[Executor]:
    """The executor named ``kind`` (one of :data:`EXECUTORS`), shut down on exit.

    Args:
        kind: ``serial``, ``processes`` or ``dask``.
        workers: Worker processes (default: all cores); ignored by ``serial`` and by ``dask``
            with a ``scheduler``.
        scheduler: ``tcp://HOST:PORT`` of a running dask scheduler (``dask`` only).

    """
    if kind == "serial":
        executor: Executor = SerialExecutor()
    elif kind == "processes":
        executor = ResilientProcessPool(workers)
    elif kind == "dask":
        with dask_executor(workers or default_workers(), scheduler) as executor:
            yield executor
        return
    else:
        raise ValueError(f"unknown executor {kind!r}; choose one of {', '.join(EXECUTORS)}")
    try:
        yield executor
    except BaseException:
        executor.shutdown(wait=False, cancel_futures=True)
        raise
    executor.shutdown(wait=True)
