"""The counter-based generator of the hourly engine (:mod:`model.rng`)."""

from __future__ import annotations

import numpy as np
import pytest
from bonding.model.rng import N_DRAWS, run_key, uniform_block
from scipy import stats

KEY = run_key(np.random.SeedSequence(7))


def test_uniforms_are_uniform_on_the_unit_interval():
    u = np.concatenate([uniform_block(KEY, hour, 5000, d) for hour in range(4) for d in range(N_DRAWS)])
    assert np.all((u >= 0.0) & (u < 1.0))
    assert stats.kstest(u, "uniform").pvalue > 0.001
    counts = np.histogram(u, bins=20, range=(0, 1))[0]
    assert stats.chisquare(counts).pvalue > 0.001


def test_draw_slots_households_and_hours_are_uncorrelated():
    a = uniform_block(KEY, 10, 20000, 0)
    for other in (uniform_block(KEY, 10, 20000, 1), uniform_block(KEY, 11, 20000, 0)):
        assert abs(np.corrcoef(a, other)[0, 1]) < 0.03
    assert abs(np.corrcoef(a[:-1], a[1:])[0, 1]) < 0.03  # neighbouring households


def test_same_key_same_numbers_other_key_other_numbers():
    a = uniform_block(KEY, 3, 1000, 2)
    np.testing.assert_array_equal(a, uniform_block(KEY, 3, 1000, 2))
    b = uniform_block(run_key(np.random.SeedSequence(8)), 3, 1000, 2)
    assert not np.allclose(a, b)


@pytest.mark.parametrize("draw", [0, 5, N_DRAWS - 1])
def test_a_household_keeps_its_numbers_when_others_are_skipped(draw):
    """Counter-based: the number of household h depends only on (key, hour, H, h, draw)."""
    full = uniform_block(KEY, 42, 300, draw)
    assert full[123] == uniform_block(KEY, 42, 300, draw)[123]
    assert len(np.unique(full)) == full.size
