"""Closed-form tests of the peripheral-OT rules (issue 14 item 3): the OT-system trait's and the
couple's shift of the plasma set-point, the contact-history drift, the sensitivity shift."""

import numpy as np
import pytest
from bonding.model import physiology as phys
from bonding.model.params import ParamSet
from bonding.model.population import draw_ot_system, sensitivity_trait_shift
from bonding.model.state import FATHER, MOTHER


def test_ot_setpoint_trait_shift_is_linear_in_trait_and_couple_component():
    assert phys.ot_setpoint_trait_shift(1.5, 0.2, -1.0, 0.25) == pytest.approx(0.2 * 1.5 - 0.25)
    assert phys.ot_setpoint_trait_shift(2.0, 0.0, 3.0, 0.0) == 0.0


def test_contact_ot_shift_relaxes_toward_gain_times_touch_hours():
    # one step: shift + (gain * touch - shift) / days
    assert phys.contact_ot_shift(0.1, 3.0, 0.1, 60.0) == pytest.approx(0.1 + (0.3 - 0.1) / 60.0)
    # the fixed point is gain * touch hours
    assert phys.contact_ot_shift(0.3, 3.0, 0.1, 60.0) == pytest.approx(0.3)
    # without contact (or with the switch off) it decays toward 0
    assert phys.contact_ot_shift(0.2, 0.0, 0.1, 20.0) == pytest.approx(0.19)
    assert phys.contact_ot_shift(0.0, 5.0, 0.0, 20.0) == 0.0
    # after many days at constant contact it reaches gain * touch; a shorter time constant is faster
    s_fast = s_slow = 0.0
    for _ in range(30):
        s_fast = phys.contact_ot_shift(s_fast, 2.0, 0.1, 14.0)
        s_slow = phys.contact_ot_shift(s_slow, 2.0, 0.1, 60.0)
    assert 0 < s_slow < s_fast < 0.2
    assert phys.contact_ot_shift(np.zeros(3), np.array([0.0, 1.0, 2.0]), 0.1, 10.0) == pytest.approx(
        [0.0, 0.01, 0.02])


def test_sensitivity_trait_shift_adds_trait_and_adversity_terms():
    p = ParamSet.uniform(2, {"ot_system_sensitivity_effect": 0.2, "adversity_sensitivity_effect": -0.15})
    ot_system = np.array([[1.0, 0, 0, 0, 0], [-2.0, 0, 0, 0, 0]])
    adversity = np.array([[0.0, 0, 0, 0, 0], [1.0, 0, 0, 0, 0]])
    shift = sensitivity_trait_shift(p, ot_system, adversity)
    assert shift[0, 0] == pytest.approx(0.2)
    assert shift[1, 0] == pytest.approx(-0.4 - 0.15)
    off = ParamSet.uniform(2, {"ot_system_sensitivity_effect": 0.0, "adversity_sensitivity_effect": 0.0})
    assert np.all(sensitivity_trait_shift(off, ot_system, adversity) == 0.0)


def test_couple_component_is_shared_by_the_parents_only():
    p = ParamSet.uniform(500)
    ot_system, couple = draw_ot_system(p, np.random.default_rng(3))
    assert np.array_equal(couple[:, MOTHER], couple[:, FATHER])
    others = [k for k in range(couple.shape[1]) if k not in (MOTHER, FATHER)]
    assert np.all(couple[:, others] == 0.0)
    assert 0.85 < couple[:, MOTHER].std() < 1.15
    assert abs(np.corrcoef(ot_system[:, MOTHER], ot_system[:, FATHER])[0, 1]) < 0.15
    again, _ = draw_ot_system(p, np.random.default_rng(3))
    assert np.array_equal(ot_system, again)
