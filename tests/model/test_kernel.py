"""Wiring of the compiled hour (:mod:`model.kernel`): bookkeeping identities and the random slots.

The rules are unit-tested in ``tests/unit``; these tests check that the kernel applies them to the
right dyad, counts every episode once and draws each decision from its own slot.
"""

from __future__ import annotations

import numpy as np
import pytest
from bonding.model import ParamSet, Simulation
from bonding.model.state import EPISODE_COUNTERS

H = 120
MONTHS = 0.5


@pytest.fixture(scope="module")
def sim():
    return Simulation(ParamSet.uniform(H, {"p_frightening_base": 0.25}), MONTHS, 3).run()


def counter(sim, name):
    return sim.counters[name]


def test_every_response_has_exactly_one_quality(sim):
    total = sum(counter(sim, f"n_{q}") for q in ("sensitive", "intrusive", "rejecting", "frightening"))
    np.testing.assert_array_equal(total, counter(sim, "n_responses"))
    assert counter(sim, "n_frightening").sum() > 0


def test_episode_counts_are_bounded_by_responses(sim):
    n = counter(sim, "n_responses")
    for name in ("n_feeds", "gaze", "vocalisation", "affectionate_touch", "stimulatory_touch", "sync_n"):
        assert np.all(counter(sim, name) <= n), name
    assert np.all(counter(sim, "n_breastfeeds") <= counter(sim, "n_feeds"))
    touch = counter(sim, "affectionate_touch") + counter(sim, "stimulatory_touch")
    assert np.all(touch <= n - counter(sim, "n_frightening")), "no touch in a frightening episode"
    assert np.all(counter(sim, "gaze") <= n - counter(sim, "n_frightening"))
    # one counter row per declared episode counter, all non-negative
    assert all(np.all(counter(sim, c) >= 0) for c in EPISODE_COUNTERS)


def test_care_hours_and_familiarity_equal_responses(sim):
    np.testing.assert_array_equal(counter(sim, "care_hours"), counter(sim, "n_responses"))
    np.testing.assert_array_equal(sim.inf.familiarity, counter(sim, "n_responses"))


def test_only_existing_caregivers_respond_and_only_breastfeeding_mothers_breastfeed(sim):
    n = counter(sim, "n_responses")
    assert np.all(n[~sim.cg.exists] == 0)
    assert np.all(counter(sim, "n_breastfeeds")[:, 1:] == 0)
    assert np.all(counter(sim, "n_bids")[~sim.cg.exists] == 0)
    assert np.all(n <= counter(sim, "n_bids")), "a caregiver can only answer bids made while present"


def test_synchrony_index_is_in_the_unit_interval(sim):
    s, n = counter(sim, "sync_sum"), counter(sim, "sync_n")
    mean = s[n > 0] / n[n > 0]
    assert np.all((mean > 0) & (mean < 1))


def test_bond_grows_only_with_responses():
    """Without detection nobody answers: the bond keeps decaying from its birth value."""
    mute = Simulation(ParamSet.uniform(40, {"base_detection": -3.0, "night_detection": 3.0,
                                            "motivation_gain": 0.0}), 0.3, 1)
    while not mute.born:
        mute.step()
    bond_at_birth = mute.cg.bond.copy()
    mute.run()
    answered = mute.counters["n_responses"] > 0
    assert np.all(mute.cg.bond[~answered] <= bond_at_birth[~answered] + 1e-12)
    assert np.any(mute.cg.bond[answered] > bond_at_birth[answered])
