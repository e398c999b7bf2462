"""Run independent tasks in this process, in a local process pool or on a Dask cluster.

``bonding compare`` and ``bonding sensitivity`` both split their work into chunks whose results
depend only on the chunk's own inputs (including its seed), so where a chunk runs cannot change
what it returns: one worker, W workers and a Dask cluster give bit-identical files. What they
share is here; what a chunk computes and how its result is written stay with each command.

- Serial: ``workers <= 1`` (or a single task).
- Local: a ``spawn``-context process pool, which behaves the same on Linux, macOS and Windows
  (Mesa issue #952: fork-based pools break under Windows and Jupyter).
- Cluster: ``scheduler="tcp://HOST:PORT"``, a running Dask scheduler whose workers can import
  this package; the client writes the results, so workers need no shared file system.

Each result is handed to ``done`` in the calling process as soon as it arrives, so a command
writes it at once and a killed run loses only the chunks in flight.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from bonding.model.params import ParameterError

# one task: (name, for the Dask key and messages; the arguments of fn; anything done() needs)
Task = tuple[str, tuple, Any]


def run_tasks(fn: Callable, tasks: Sequence[Task], done: Callable[[Any, Any], None], workers: int = 1,
              scheduler: str | None = None, label: str = "bonding", connect_timeout: float = 15.0) -> None:
    """Call ``fn(*args)`` for every task and ``done(tag, result)`` as each one finishes.

    ``connect_timeout``: seconds to wait for the Dask scheduler before a one-line error.
    """
    if scheduler:
        _run_dask(fn, tasks, done, scheduler, label, connect_timeout)
    elif workers <= 1 or len(tasks) <= 1:
        for _, args, tag in tasks:
            done(tag, fn(*args))
    else:
        _run_pool(fn, tasks, done, workers)


def _run_pool(fn, tasks, done, workers):
    import multiprocessing as mp
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    with ProcessPoolExecutor(max_workers=min(workers, len(tasks)), mp_context=mp.get_context("spawn")) as pool:
        pending = {pool.submit(fn, *args): tag for _, args, tag in tasks}
        try:
            while pending:
                finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                for fut in finished:
                    done(pending.pop(fut), fut.result())
        except BaseException:
            for fut in pending:
                fut.cancel()
            raise


def _run_dask(fn, tasks, done, address, label, connect_timeout):
    from dask.distributed import Client, as_completed

    try:
        client = Client(address, timeout=f"{connect_timeout}s")
    except (OSError, TimeoutError) as exc:
        raise ParameterError(f"--scheduler: cannot connect to {address} ({exc.__class__.__name__})") from None
    try:
        futures = {client.submit(fn, *args, pure=False, key=f"{label}-{name}-{time.time_ns()}"): tag
                   for name, args, tag in tasks}
        for fut in as_completed(list(futures)):
            done(futures[fut], fut.result())
    finally:
        client.close()


__all__ = ["Task", "run_tasks"]
