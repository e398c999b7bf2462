"""Fixtures shared by several test folders."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def dask_cluster(tmp_path):
    """A context manager starting a real Dask scheduler and ``workers`` worker processes on the
    loopback address (the `dask` command-line tools, as on a cluster); yields the address and
    stops every process on exit, whatever happened."""
    pytest.importorskip("dask.distributed")

    @contextlib.contextmanager
    def start(workers: int = 1):
        from dask.distributed import Client

        port = _free_port()
        address = f"tcp://127.0.0.1:{port}"
        dask = str(Path(sys.executable).parent / "dask")
        logs = [open(tmp_path / f"dask{i}.log", "w") for i in range(workers + 1)]  # noqa: SIM115
        procs = [subprocess.Popen([dask, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
                                  stdout=logs[0], stderr=subprocess.STDOUT)]
        try:
            time.sleep(1.0)
            for i in range(1, workers + 1):
                procs.append(subprocess.Popen(
                    [dask, "worker", address, "--nthreads", "1", "--nworkers", "1", "--no-dashboard",
                     "--local-directory", str(tmp_path / f"w{i}")], stdout=logs[i], stderr=subprocess.STDOUT))
            with Client(address, timeout="30s") as client:
                client.wait_for_workers(workers, timeout=90)
            yield address
        finally:
            for p in reversed(procs):
                p.terminate()
            for p in procs:
                try:
                    p.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait(timeout=10)
            for f in logs:
                f.close()

    return start


@pytest.fixture
def small_blocks(monkeypatch):
    """``Simulation``'s default block of 512 households -> 8, so that the small populations of
    tests span several blocks and ``threads=2`` really splits a day (results do not depend on it)."""
    from bonding.model.simulation import Simulation

    defaults = list(Simulation.__init__.__defaults__)
    assert defaults[-2:] == [512, 1]  # (interventions, block_households, threads)
    monkeypatch.setattr(Simulation.__init__, "__defaults__", (*defaults[:-2], 8, 1))
