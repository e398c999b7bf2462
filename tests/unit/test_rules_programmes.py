"""Closed-form checks of the rules of programmes' lasting pathways (docs/ODD.md 7.5, issue 14 item 5)."""

from __future__ import annotations

import numpy as np
import pytest
from bonding.model import daily
from bonding.model import physiology as phys


# ------------------------------------------------------------------ infant HPA programming
def test_hpa_target_is_the_trait_at_the_reference_ratio_and_when_switched_off():
    ref = phys.HPA_REFERENCE_CRY_CONTACT
    contact = 9.0
    cry = ref * (1.0 + contact) - 1.0  # (1 + cry) / (1 + contact) == ref
    assert phys.infant_hpa_reactivity_target(1.3, cry, contact, 0.5) == pytest.approx(1.3)
    assert phys.infant_hpa_reactivity_target(1.3, 5.0, 0.0, 0.0) == pytest.approx(1.3)


def test_hpa_target_closed_form_and_direction():
    trait, cry, contact, g = 0.8, 2.0, 5.0, 0.7
    expected = trait * ((1 + cry) / (1 + contact) / phys.HPA_REFERENCE_CRY_CONTACT) ** g
    assert phys.infant_hpa_reactivity_target(trait, cry, contact, g) == pytest.approx(expected)
    more_contact = phys.infant_hpa_reactivity_target(trait, cry, contact + 3, g)
    more_crying = phys.infant_hpa_reactivity_target(trait, cry + 3, contact, g)
    assert more_contact < expected < more_crying


def test_hpa_step_relaxes_in_log_space_inside_the_window_and_stops_after():
    r, target = 1.0, 0.5
    one = phys.infant_hpa_reactivity_step(r, target, 1.0)
    assert one == pytest.approx(0.5 ** (1 / phys.HPA_PROGRAMMING_DAYS))
    x = r
    for _ in range(int(20 * phys.HPA_PROGRAMMING_DAYS)):
        x = phys.infant_hpa_reactivity_step(x, target, 2.0)
    assert x == pytest.approx(target, rel=1e-6)
    assert phys.infant_hpa_reactivity_step(0.9, 0.2, phys.HPA_PROGRAMMING_WINDOW_MONTHS) == 0.9
    arr = phys.infant_hpa_reactivity_step(np.array([1.0, 2.0]), np.array([2.0, 2.0]), 0.5)
    assert arr[0] > 1.0 and arr[1] == pytest.approx(2.0)


# ------------------------------------------------------------------ early contact and weaning
def test_early_contact_hours_count_only_in_the_window():
    assert phys.early_contact_hours_step(3.0, 1.0, 0.5) == 4.0
    assert phys.early_contact_hours_step(3.0, 0.5, phys.EARLY_CONTACT_WINDOW_DAYS - 0.1) == 3.5
    assert phys.early_contact_hours_step(3.0, 1.0, phys.EARLY_CONTACT_WINDOW_DAYS) == 3.0


def test_weaning_ratio_closed_form_dose_and_window():
    hours = np.array([0.0, 14.0, 1e6])
    r = daily.early_contact_weaning_ratio(hours, 2.0, 0.5)
    assert r[0] == pytest.approx(1.0)
    assert r[1] == pytest.approx(np.exp(-0.5 * (1 - np.exp(-1.0))))
    assert r[2] == pytest.approx(np.exp(-0.5))
    assert np.all(np.diff(r) < 0), "more early contact, lower hazard"
    assert np.all(daily.early_contact_weaning_ratio(hours, daily.EARLY_CONTACT_WEANING_MONTHS, 0.5) == 1.0)
    assert np.all(daily.early_contact_weaning_ratio(hours, 1.0, 0.0) == 1.0)


def test_default_log_ratio_is_i12_rr_at_a_55_percent_usual_care_rate():
    from bonding.model.params import PARAMS

    hr = np.log(0.55 * 1.27) / np.log(0.55)
    assert PARAMS["early_contact_weaning"].default == pytest.approx(-np.log(hr), abs=0.02)


def test_wean_with_early_contact_weans_fewer():
    from bonding.model.params import ParamSet

    p = ParamSet.uniform(4000, {"weaning_hazard_per_month": 0.5})
    u = np.random.default_rng(3).random(4000)
    hh_none = type("HH", (), {"breastfeeding": np.ones(4000, bool)})()
    hh_ssc = type("HH", (), {"breastfeeding": np.ones(4000, bool)})()
    daily.wean(hh_none, p, u, 10.0, np.zeros(4000))
    daily.wean(hh_ssc, p, u, 10.0, np.full(4000, 14.0))
    assert hh_ssc.breastfeeding.sum() > hh_none.breastfeeding.sum()
    assert np.all(hh_ssc.breastfeeding >= hh_none.breastfeeding)  # same uniforms: only fewer weaned
