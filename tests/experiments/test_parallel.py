"""experiments.parallel.run_tasks: the same results serially, in a process pool and on Dask."""

from __future__ import annotations

import math

import pytest
from bonding.experiments.parallel import run_tasks
from bonding.model.params import ParameterError


def _tasks(n):
    return [(f"t{i}", (i, 0.5), i) for i in range(n)]


def _collect(**kw):
    got = {}
    run_tasks(math.pow, _tasks(6), lambda tag, res: got.__setitem__(tag, res), **kw)
    return got


def test_serial_and_pool_give_every_result_once_under_its_tag():
    serial = _collect(workers=1)
    assert serial == {i: math.pow(i, 0.5) for i in range(6)}
    assert _collect(workers=2) == serial


def test_dask_gives_the_serial_results(dask_cluster):
    with dask_cluster(workers=1) as address:
        assert _collect(scheduler=address) == _collect(workers=1)


def test_unreachable_scheduler_is_a_one_line_parameter_error():
    with pytest.raises(ParameterError, match="--scheduler: cannot connect"):
        _collect(scheduler="tcp://127.0.0.1:9", connect_timeout=1.0)
