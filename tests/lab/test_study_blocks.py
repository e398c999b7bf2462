"""A virtual study's simulation (experiments.lab.studies.simulate) runs whole days on the
day-major block path: the same visit data, bit for bit, as hour-by-hour stepping, and the same
for one and two threads (issue 13)."""

from __future__ import annotations

import numpy as np
import pytest
from bonding.experiments.cliutil import available_cores
from bonding.experiments.lab import studies as S
from bonding.model.simulation import Simulation


def _study():
    """Two visits: pregnancy (week 11) and a play session 0.4 months after birth at 10:00."""
    spec = {"sample": {"unit": "household", "n": 10, "roles": ["mother"]},
            "visits": {"t1": {"gest_week": 11, "procedure": "snapshot"},
                       "pp": {"age_months": 0.4, "procedure": "play15"}},
            "measures": {"ot": {"visit": "t1", "var": "ot_plasma", "role": "mother", "observe": "assay",
                                "assay": "unextracted"},
                         "beh": {"visit": "pp", "var": "bonding_composite", "role": "mother",
                                 "observe": "microcode", "minutes": 60}},
            "statistic": {"kind": "pearson", "x": "ot", "y": "beh", "log_x": True, "direction": "+"}}
    return S.Study("blocks", spec)


def _assert_same(a, b):
    sim_a, data_a = a
    sim_b, data_b = b
    assert sim_a.hour == sim_b.hour
    assert data_a.keys() == data_b.keys()
    for visit, values in data_a.items():
        assert values.keys() == data_b[visit].keys(), visit
        for var, x in values.items():
            np.testing.assert_array_equal(np.asarray(x), np.asarray(data_b[visit][var]), err_msg=f"{visit}.{var}")
    np.testing.assert_array_equal(sim_a.cg.bond, sim_b.cg.bond)


def test_study_block_path_equals_hourly_path(small_blocks, monkeypatch):
    days = []
    real = Simulation.step_day
    monkeypatch.setattr(Simulation, "step_day", lambda self: (days.append(self.day), real(self))[1])
    blocks = S.simulate(_study(), 24, seed=4)
    assert len(days) > 200  # the pregnancy and the first days after birth ran as whole days
    n_block_days = len(days)
    hourly = S.simulate(_study(), 24, seed=4, hourly=True)
    assert len(days) == n_block_days  # the hourly path never called step_day
    _assert_same(blocks, hourly)


@pytest.mark.skipif(available_cores() < 2, reason="two threads need two cores")
def test_study_is_identical_for_one_and_two_threads(small_blocks):
    _assert_same(S.simulate(_study(), 24, seed=4, threads=1), S.simulate(_study(), 24, seed=4, threads=2))


def test_advance_to_stops_exactly_at_the_hour():
    from bonding.model.params import ParamSet

    sim = Simulation(ParamSet.uniform(3), 0.1, 1)
    S.advance_to(sim, 24 * 3 + 7)
    assert sim.hour == 24 * 3 + 7
    S.advance_to(sim, 24 * 3 + 7)  # already there: no step
    assert sim.hour == 24 * 3 + 7
