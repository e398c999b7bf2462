"""Knock-out and dose tests of the adult social layer (issue 14 item 4, :mod:`model.social`).

Same seed = common random numbers: households are independent, so a household the mechanism does
not reach (a single mother without a co-resident grandparent) must come out bit-identical.
"""

from __future__ import annotations

import numpy as np
import pytest
from bonding.model.interventions import make_intervention
from bonding.model.params import ParamSet
from bonding.model.simulation import Simulation
from bonding.model.state import FATHER, GRANDPARENT, MOTHER, PRENATAL_DAYS, K

N, SEED = 240, 11
STRESSOR = {"type": "external_stressor", "month": 0.3, "days": 60, "intensity": 0.5}


def _run(overrides=None, months=1.5, stressor=True):
    """Run with the block engine; return the sim, each caregiver's mean daily cortisol after birth
    and the day's cortisol target and extra_stress channel of every day (days, H, K)."""
    ivs = [make_intervention(dict(STRESSOR))] if stressor else []
    sim = Simulation(ParamSet.uniform(N, overrides or {}), months, SEED, ivs)
    total, targets, extra = np.zeros((N, K)), [], []
    days = [0]

    def observe(s):
        targets.append(s.cortisol_target.copy())
        extra.append(s.cg.extra_stress.copy())
        if s.day - 1 >= PRENATAL_DAYS:
            total[:] += s.cg.cortisol_sum_today / 24.0
            days[0] += 1

    sim.observers.append(observe)
    while not sim.done:
        sim.step_day()
    return sim, total / days[0], np.array(targets), np.array(extra)


@pytest.fixture(scope="module")
def default_run():
    return _run()


@pytest.fixture(scope="module")
def no_support_run():
    return _run({"support_stress_buffering": 0.0})


def _groups(sim):
    ex = sim.cg.exists
    partnered = ex[:, FATHER]
    lone_single = ~ex[:, FATHER] & ~ex[:, GRANDPARENT]
    assert partnered.sum() > 50 and lone_single.sum() > 5
    return partnered, lone_single


def test_partner_support_lowers_partnered_parents_cortisol(default_run, no_support_run):
    sim, cort_on, _, _ = default_run
    _, cort_off, _, _ = no_support_run
    partnered, lone_single = _groups(sim)
    assert cort_on[partnered, MOTHER].mean() < cort_off[partnered, MOTHER].mean()
    assert cort_on[partnered, FATHER].mean() < cort_off[partnered, FATHER].mean()
    # a single mother with no grandparent has no support: the switch cannot reach her
    np.testing.assert_array_equal(cort_on[lone_single, MOTHER], cort_off[lone_single, MOTHER])


def test_more_support_buffering_less_cortisol_dose(default_run, no_support_run):
    partnered, _ = _groups(default_run[0])
    means = [no_support_run[1][partnered, MOTHER].mean(), default_run[1][partnered, MOTHER].mean(),
             _run({"support_stress_buffering": 3.0})[1][partnered, MOTHER].mean()]
    assert means[0] > means[1] > means[2], means


def test_partner_touch_raises_couples_central_ot_tone(default_run):
    sim_on = default_run[0]
    sim_off = _run({"partner_touch_per_day": 0.0}, stressor=False)[0]
    sim_on_ns = _run(stressor=False)[0]
    partnered, lone_single = _groups(sim_on)
    for k in (MOTHER, FATHER):
        assert sim_on_ns.cg.ot_tone[partnered, k].mean() > sim_off.cg.ot_tone[partnered, k].mean()
    assert np.all(sim_on.cg.partner_touch_hours[partnered, MOTHER] > 0)
    np.testing.assert_array_equal(sim_on_ns.cg.ot_tone[lone_single], sim_off.cg.ot_tone[lone_single])


def _first_stressor_day(extra):
    return int(np.flatnonzero(extra[:, :, MOTHER].max(axis=1) > 0)[0])


@pytest.mark.parametrize("overrides,exact", [({}, False),
                                             ({"ot_stress_buffering": 0.0, "support_stress_buffering": 0.0}, True)])
def test_ot_and_support_buffer_the_external_stressor(overrides, exact):
    """On the stressor's first day the target rises by extra_stress x the day's buffer: less than
    the stressor's 0.5 for parents with support or OT above tone; exactly 0.5 with both switches off."""
    _, _, t_on, x_on = _run(overrides)
    sim, _, t_none, _ = _run(overrides, stressor=False)
    d = _first_stressor_day(x_on)
    rise = t_on[d] - t_none[d]
    ex = sim.cg.exists
    if exact:
        np.testing.assert_allclose(rise[ex], 0.5, rtol=0, atol=1e-12)
    else:
        partnered = ex[:, FATHER]
        assert np.all(rise[partnered, MOTHER] < 0.5) and np.all(rise[partnered, FATHER] < 0.5)
        assert np.all(rise[ex] <= 0.5 + 1e-12)


def test_ot_buffers_the_external_stressor_on_its_own():
    """Without support, OT alone damps the external stressor for people whose day OT is above tone 1."""
    over = {"support_stress_buffering": 0.0}
    sim, _, t_on, x_on = _run(over)
    _, _, t_none, _ = _run(over, stressor=False)
    d = _first_stressor_day(x_on)
    rise = (t_on[d] - t_none[d])[:, MOTHER]
    assert rise.min() < 0.5 - 1e-6  # some mothers buffered by OT
    assert np.all(rise <= 0.5 + 1e-12)
