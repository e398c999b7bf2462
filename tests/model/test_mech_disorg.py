"""Knock-out and dose tests of the sources of disorganisation (issue 14 item 2; ODD 7.2).

Same seed in every arm (common random numbers). Disrupted communication adds its own evidence
and nothing else, so switching it changes only that evidence, its counter and what the Strange
Situation makes of them.
"""

from __future__ import annotations

import numpy as np
import pytest
from bonding.experiments.lab.ssp import strange_situation
from bonding.model import ParamSet, Simulation
from bonding.model.state import MOTHER

H, MONTHS, SEED = 200, 3.0, 21
OFF = {"p_disrupted_base": 0.0, "fright_stress_risk": 0.0, "cumulative_risk_disruption": 0.0}


def _run(**overrides):
    return Simulation(ParamSet.uniform(H, overrides), MONTHS, SEED).run()


@pytest.fixture(scope="module")
def default():
    return _run()


@pytest.fixture(scope="module")
def off():
    return _run(**OFF)


def test_disrupted_communication_knockout(default, off):
    assert off.counters["n_disrupted"].sum() == 0 and not off.inf.iwm_disrupted.any()
    assert default.counters["n_disrupted"].sum() > 0 and default.inf.iwm_disrupted.sum() > 0
    # unresolved caregivers disrupt more per insensitive response (X17), but are not the only ones who do
    c, cg = default.counters, default.cg
    insensitive = c["n_intrusive"] + c["n_rejecting"]
    rate_u = c["n_disrupted"][cg.unresolved].sum() / insensitive[cg.unresolved].sum()
    rate_r = c["n_disrupted"][~cg.unresolved].sum() / insensitive[~cg.unresolved].sum()
    assert rate_u > rate_r > 0


def test_stress_road_of_fright():
    """Without unresolved loss or depression, fright appears only through the stress road, and more under poverty."""
    def resolved_fright(**o):
        sim = _run(p_disrupted_base=0.0, **o)
        calm = ~sim.cg.unresolved & ~sim.cg.ever_depressed
        return sim.counters["n_frightening"][calm].sum()

    assert resolved_fright(fright_stress_risk=0.0) == 0
    assert 0 < resolved_fright() < resolved_fright(poverty_stress=1.0)


def test_cumulative_risk_dose():
    """More weight per household risk, more disrupted communication (dose), in a poor population."""
    n = [_run(poverty_stress=1.0, cumulative_risk_disruption=g).counters["n_disrupted"].sum() for g in (0.0, 0.4, 1.0)]
    assert n[0] < n[1] < n[2]


def test_unresolved_loss_is_not_the_only_road_to_d():
    """With the mechanisms on, infants of resolved, never-depressed mothers carry more alarm and more D."""
    def resolved_mothers(sim):
        rng = np.random.default_rng(7)
        res = strange_situation(sim, rng)
        mother = res["role"] == "mother"
        hh = res["household"][mother]
        keep = ~sim.cg.unresolved[hh, MOTHER] & ~sim.cg.ever_depressed[hh, MOTHER]
        alarm = sim.inf.iwm_frightened[hh, MOTHER][keep] + sim.inf.iwm_disrupted[hh, MOTHER][keep]
        return alarm.mean(), np.mean(res["attachment"][mother][keep] == "D")

    alarm_on, d_on = resolved_mothers(_run(poverty_stress=1.0))
    alarm_off, d_off = resolved_mothers(_run(poverty_stress=1.0, **OFF))
    assert alarm_on > alarm_off
    assert d_on > d_off
