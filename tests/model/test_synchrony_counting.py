"""Synchrony is defined for every legal parameter value and averages over every engaged hour (issue 12).

Before the fix, ``sync_n`` counted only hours with synchrony > 0: with ``sync_coupling = 0`` (a
legal bound) every dyad's synchrony was 0/0 = NaN, and zero-synchrony engaged hours were left out
of the mean, biasing it upward.
"""

from __future__ import annotations

import numpy as np
import pytest
from bonding.model import ParamSet, Simulation
from bonding.model.outcomes import dyad_outcomes


def _run(overrides):
    return Simulation(ParamSet.uniform(40, overrides), 0.25, 5).run()


@pytest.fixture(scope="module")
def uncoupled():
    return _run({"sync_coupling": 0.0})


def test_zero_coupling_gives_zero_synchrony_not_nan(uncoupled):
    out = dyad_outcomes(uncoupled)
    answered = uncoupled.counters["n_responses"][uncoupled.cg.exists] > 0
    assert answered.sum() > 40
    np.testing.assert_array_equal(out["synchrony"][answered], 0.0)


def test_sync_n_counts_every_engaged_hour(uncoupled):
    c = uncoupled.counters
    engaged = c["n_responses"] - c["n_frightening"]
    np.testing.assert_array_equal(c["sync_n"], engaged)


def test_synchrony_rises_with_coupling_from_zero():
    means = []
    for coupling in (0.0, 0.5, 2.0):
        out = dyad_outcomes(_run({"sync_coupling": coupling}))
        means.append(np.nanmean(out["synchrony"]))
    assert means[0] == 0.0 and means[0] < means[1] < means[2]
