"""Knock-out and dose tests of programmes' lasting pathways (docs/ODD.md 7.5, issue 14 item 5).

Same seed (common random numbers) in every comparison; small populations, 1-1.5 months.
"""

from __future__ import annotations

import numpy as np
from _model_helpers import role_mean, run
from bonding.model.interventions import IntranasalOT, SkinToSkin
from bonding.model.state import FATHER, MOTHER

H = 200


def _ssc(role="mother", hours=1, hour=10):
    return SkinToSkin(role=role, start_day=0, days=14, hour=hour, session_hours=hours)


# ------------------------------------------------------------------ 1. sessions count as care
def test_session_hours_raise_the_bond_and_the_infants_good_evidence_only_when_they_count():
    off = run({"session_care_weight": 0.0}, H, 1.0, interventions=[_ssc(hours=3)])
    on = run({"session_care_weight": 1.0}, H, 1.0, interventions=[_ssc(hours=3)])
    assert role_mean(on, "bond") > role_mean(off, "bond") + 0.005
    assert on.inf.iwm_good[:, MOTHER].mean() > off.inf.iwm_good[:, MOTHER].mean()
    assert role_mean(on, "iwm_expected_responsiveness") > role_mean(off, "iwm_expected_responsiveness")


def test_session_care_weight_changes_nothing_without_sessions():
    a = run({"session_care_weight": 0.0}, 100, 0.5)
    b = run({"session_care_weight": 2.0}, 100, 0.5)
    assert np.array_equal(a.cg.bond, b.cg.bond)
    assert np.array_equal(a.inf.iwm_good, b.inf.iwm_good)


# ------------------------------------------------------------------ 2. early contact and weaning
def test_early_contact_lowers_weaning_and_counts_the_mothers_first_weeks():
    strong = {"weaning_hazard_per_month": 0.6}
    off = run({**strong, "early_contact_weaning": 0.0}, H, 1.5, interventions=[_ssc()])
    on = run({**strong, "early_contact_weaning": 1.5}, H, 1.5, interventions=[_ssc()])
    assert on.hh.breastfeeding.mean() > off.hh.breastfeeding.mean() + 0.05
    assert np.all(on.hh.breastfeeding >= off.hh.breastfeeding)  # same uniforms: only fewer weaned
    treated = on.inf.early_contact_hours > 0
    assert treated.mean() > 0.8
    assert np.all(on.inf.early_contact_hours <= 14.0)  # 14 one-hour sessions, all inside 28 days
    father_only = run({**strong, "early_contact_weaning": 1.5}, 100, 1.0, interventions=[_ssc("father", hour=19)])
    assert np.all(father_only.inf.early_contact_hours == 0.0)


# ------------------------------------------------------------------ 3. infant HPA shaped by early care
def test_hpa_reactivity_is_the_trait_when_programming_is_off():
    sim = run({"infant_hpa_programming": 0.0}, 100, 1.0)
    assert np.allclose(sim.inf.hpa_reactivity, sim.inf.hpa_reactivity_trait, rtol=1e-12)


def test_early_contact_lowers_and_crying_raises_hpa_reactivity():
    g = {"infant_hpa_programming": 1.0}
    none = run(g, H, 1.0)
    ssc = run(g, H, 1.0, interventions=[_ssc(hours=4)])
    log_none = np.log(none.inf.hpa_reactivity / none.inf.hpa_reactivity_trait)
    log_ssc = np.log(ssc.inf.hpa_reactivity / ssc.inf.hpa_reactivity_trait)
    assert log_ssc.mean() < log_none.mean() - 0.02
    # infants of less sensitive care cry more unsoothed and end more reactive
    poor = run({**g, "base_sensitivity": -1.5}, H, 1.0)
    assert np.log(poor.inf.hpa_reactivity / poor.inf.hpa_reactivity_trait).mean() > log_none.mean() + 0.02


def test_hpa_reactivity_stops_changing_after_the_window():
    from bonding.model import physiology as phys

    class Freeze:  # records reactivity when the window closes
        def __init__(self):
            self.at_close = None

        def __call__(self, s):
            if self.at_close is None and s.age_months >= phys.HPA_PROGRAMMING_WINDOW_MONTHS + 0.1:
                self.at_close = s.inf.hpa_reactivity.copy()

    from bonding.model import ParamSet, Simulation

    sim = Simulation(ParamSet.uniform(30, {"infant_hpa_programming": 1.0}), 6.5, 11)
    obs = Freeze()
    sim.observers.append(obs)
    sim.run()
    assert obs.at_close is not None
    assert np.array_equal(obs.at_close, sim.inf.hpa_reactivity)
    assert not np.allclose(sim.inf.hpa_reactivity, sim.inf.hpa_reactivity_trait)


# ------------------------------------------------------------------ 4. intranasal doses with the infant
class DoseLog:
    """Counts the recipient's dose hours and those in which the recipient is with the infant."""

    def __init__(self, iv, k):
        self.iv, self.k, self.hours, self.with_infant, self.per_day = iv, k, 0, 0, {}
        orig = iv.apply

        def apply(sim):
            orig(sim)
            given = sim.cg.exogenous_ot[:, k] > 0
            self.hours += int(given.sum())
            self.with_infant += int((given & sim.hh.available[sim.hod][:, k]).sum())
            first = given & (sim.cg.exogenous_ot_plasma[:, k] > 0)
            self.per_day[sim.day] = self.per_day.get(sim.day, 0) + first.astype(int)
        iv.apply = apply

    @property
    def share(self):
        return self.with_infant / max(self.hours, 1)


def _father_dose(with_infant):
    return IntranasalOT(role="father", month=1.0, days=5, hour=10, dose=1.0, duration_hours=2,
                        plasma_rise=20.0, with_infant=with_infant)


def test_dosing_with_the_infant_puts_the_dose_hours_with_the_infant():
    clock_iv, infant_iv = _father_dose(0), _father_dose(1)
    clock, infant = DoseLog(clock_iv, FATHER), DoseLog(infant_iv, FATHER)
    run({}, H, 1.25, interventions=[clock_iv])
    run({}, H, 1.25, interventions=[infant_iv])
    assert clock.hours > 0 and infant.hours > 0
    assert infant.share > 0.9
    assert infant.share > clock.share + 0.2
    assert all(np.all(n <= 1) for n in infant.per_day.values()), "at most one dose a day per household"
