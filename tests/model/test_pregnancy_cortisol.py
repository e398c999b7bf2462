"""Pregnancy cortisol (P5): rises across gestation in mothers, responds to chronic stress."""

from __future__ import annotations

import numpy as np
import pytest
from bonding.model import ParamSet, Simulation
from bonding.model.daily import PREGNANCY_CORTISOL_RISE, prenatal_cortisol
from bonding.model.state import FATHER, MOTHER, PRENATAL_DAYS


def test_prenatal_cortisol_closed_form():
    assert prenatal_cortisol(250.0, 0.5, 1.0, 0.2) == pytest.approx(250.0 * 1.5 * 1.2)
    assert prenatal_cortisol(250.0, 0.0, 1.0, 0.0) == pytest.approx(250.0)
    assert prenatal_cortisol(200.0, 1.0, 0.0, 0.0) == pytest.approx(200.0)  # no rise: fathers (P5)
    assert prenatal_cortisol(250.0, 1.0, 1.0, -2.0) == pytest.approx(250.0 * 2.0 * 0.05)  # floor


def test_prenatal_cortisol_directions():
    fractions = np.linspace(0.0, 1.0, 11)
    later = prenatal_cortisol(250.0, fractions, PREGNANCY_CORTISOL_RISE, 0.1)
    assert np.all(np.diff(later) > 0)  # later gestation -> higher
    stress = np.linspace(0.0, 1.0, 11)
    more = prenatal_cortisol(250.0, 0.5, PREGNANCY_CORTISOL_RISE, stress)
    assert np.all(np.diff(more) > 0)  # more chronic stress -> higher


def _prenatal_series(sim, slot):
    return sim.recorder.caregiver[:PRENATAL_DAYS, 2, slot]  # daily mean cortisol, existing members


def test_mothers_cortisol_rises_across_pregnancy_and_fathers_does_not():
    sim = Simulation(ParamSet.uniform(40), 0.0, 4).run()
    mother, father = _prenatal_series(sim, MOTHER), _prenatal_series(sim, FATHER)
    # the rise: P5 (women's cortisol up from 12 to 36 weeks); third trimester vs first
    assert mother[-1] > 1.5 * mother[0]
    assert np.all(np.diff(mother[:80]) > 0)  # before the depression window opens: smooth rise
    assert father.max() - father.min() < 0.05 * father.mean()  # P5: men's cortisol unchanged


def test_more_poverty_stress_gives_higher_prenatal_cortisol():
    low = Simulation(ParamSet.uniform(30, {"poverty_stress": 0.0}), 0.0, 4).run()
    high = Simulation(ParamSet.uniform(30, {"poverty_stress": 0.6}), 0.0, 4).run()
    assert np.all(_prenatal_series(high, MOTHER) > _prenatal_series(low, MOTHER))
    assert np.all(_prenatal_series(high, FATHER) > _prenatal_series(low, FATHER))
