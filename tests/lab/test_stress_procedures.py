"""Stress procedures (experiments.lab.stress): read-only, the engine's rules, and the directions of S7 and PH15.

Each test varies or removes one mechanism and checks the direction: the stressor raises infant
cortisol; reactivity falls with age (PH15); sensitive contact buffers the infant's response
(``contact_buffering`` = 0 removes it); partner support and an intranasal dose each lower the
adult response (``support_stress_buffering`` = 0 and ``ot_stress_buffering`` = 0 remove them).
"""

from __future__ import annotations

import ast
import copy
from dataclasses import fields
from pathlib import Path

import numpy as np
import pytest
from bonding.experiments.lab import stress as st
from bonding.experiments.lab.studies import VISIT_HOUR, load_study, run_study
from bonding.model import physiology as phys
from bonding.model.params import ParamSet
from bonding.model.simulation import Simulation
from bonding.model.state import DAYS_PER_MONTH, PRENATAL_DAYS, SENSITIVE

H = 40


def _advance(sim: Simulation, age_months: float) -> Simulation:
    """Step ``sim`` to the lab's visit hour of the day at ``age_months`` (as the study engine does)."""
    target = (PRENATAL_DAYS + int(round(age_months * DAYS_PER_MONTH))) * 24 + VISIT_HOUR
    while sim.hour < target and not sim.done:
        sim.step()
    return sim


def _sim(age_months: float, overrides=None, seed: int = 5) -> Simulation:
    return _advance(Simulation(ParamSet.uniform(H, overrides or {}), age_months + 0.2, seed), age_months)


@pytest.fixture(scope="module")
def sim2():
    return _sim(2.0)


def _state(sim) -> dict:
    out = {"hour": sim.hour}
    for owner in ("cg", "inf", "hh"):
        obj = getattr(sim, owner)
        for f in fields(obj):
            out[f"{owner}.{f.name}"] = copy.deepcopy(getattr(obj, f.name))
    return out


def _same(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(np.array_equal(np.asarray(a[k]), np.asarray(b[k])) for k in a)


def test_procedures_do_not_mutate_the_simulation(sim2):
    before = _state(sim2)
    for comfort in st.COMFORTS:
        st.infant_stressor(sim2, np.random.default_rng(1), comfort=comfort)
    st.acute_social_stressor(sim2, np.random.default_rng(1), support=True, dose=1.0)
    for proc in st.STRESS_PROCEDURES.values():
        proc(sim2, np.random.default_rng(2))
    assert _same(before, _state(sim2))


def test_stressor_raises_infant_cortisol(sim2):
    out = st.infant_stressor(sim2, np.random.default_rng(0), comfort="none")
    assert np.all(out["infant_cortisol_post"] > out["infant_cortisol_pre"])
    assert np.median(out["infant_cortisol_pct"]) > 10.0
    # no distress -> no drive: the post sample is the pre level relaxed toward baseline
    calm = st.infant_stressor(sim2, np.random.default_rng(0), comfort="none", params={"stressor_distress": 0.0})
    assert np.all(calm["infant_hpa_drive"] == 0.0)
    assert np.mean(calm["infant_cortisol_change"]) < np.mean(out["infant_cortisol_change"])


def test_reactivity_falls_with_age():
    """PH15: the same infants' response at 2, 6 and 15 months falls as the HPA gain damps."""
    sim = Simulation(ParamSet.uniform(H), 15.2, 5)
    change = {}
    for age in (2.0, 6.0, 15.0):
        _advance(sim, age)
        change[age] = st.infant_stressor(sim, np.random.default_rng(0), comfort="none")["infant_cortisol_change"][:, 0]
    assert np.mean(change[2.0]) > np.mean(change[6.0]) > np.mean(change[15.0])
    # knock-out: no developmental damping (a very long time constant) keeps the response up at 6 months
    slow = _sim(6.0, {"infant_hpa_damping_months": 10.0})
    fast = _sim(6.0)
    c_slow = st.infant_stressor(slow, np.random.default_rng(0), comfort="none")["infant_cortisol_change"]
    c_fast = st.infant_stressor(fast, np.random.default_rng(0), comfort="none")["infant_cortisol_change"]
    assert np.mean(c_slow) > np.mean(c_fast)


def test_sensitive_contact_buffers_the_infant_response(sim2):
    held = st.infant_stressor(sim2, np.random.default_rng(0), comfort="contact")
    alone = st.infant_stressor(sim2, np.random.default_rng(0), comfort="none")
    assert np.all(held["response"][sim2.cg.exists] == SENSITIVE)
    assert np.mean(held["infant_cortisol_change"]) < 0.7 * np.mean(alone["infant_cortisol_change"])
    # the caregiver's own response lies between (some responses are not sensitive)
    own = st.infant_stressor(sim2, np.random.default_rng(0), comfort="caregiver")
    m = sim2.cg.exists[:, 0]
    assert (np.mean(held["infant_cortisol_change"][m, 0]) <= np.mean(own["infant_cortisol_change"][m, 0])
            <= np.mean(alone["infant_cortisol_change"][m, 0]))


def test_no_contact_buffering_without_the_parameter():
    """Knock-out: contact_buffering = 0 -> being held changes nothing."""
    sim = _sim(2.0, {"contact_buffering": 0.0})
    held = st.infant_stressor(sim, np.random.default_rng(0), comfort="contact")
    alone = st.infant_stressor(sim, np.random.default_rng(0), comfort="none")
    np.testing.assert_allclose(held["infant_cortisol_post"], alone["infant_cortisol_post"])


def test_unsoothed_crying_stresses_the_caregiver_soothing_does_not(sim2):
    held = st.infant_stressor(sim2, np.random.default_rng(0), comfort="contact")
    alone = st.infant_stressor(sim2, np.random.default_rng(0), comfort="none")
    ex = sim2.cg.exists
    assert np.all(alone["cortisol_excess_post"][ex] > held["cortisol_excess_post"][ex])
    # soothed: only the engine's relaxation toward the day's target over the delay, no new drive
    carry = np.exp(-phys.LN2 * 20.0 / sim2.p.cortisol_halflife)[:, None]
    relaxed = phys.cortisol_excess_step(sim2.cg.cortisol_excess, sim2.cortisol_target, 0.0, carry)
    np.testing.assert_allclose(held["cortisol_excess_post"][ex], relaxed[ex])


def test_support_and_intranasal_ot_each_lower_the_adult_response(sim2):
    rng = np.random.default_rng(0)
    ex = sim2.cg.exists
    base = st.acute_social_stressor(sim2, rng)["cortisol_change"][ex]
    sup = st.acute_social_stressor(sim2, rng, support=True)["cortisol_change"][ex]
    dosed = st.acute_social_stressor(sim2, rng, dose=1.0)["cortisol_change"][ex]
    both = st.acute_social_stressor(sim2, rng, support=True, dose=1.0)["cortisol_change"][ex]
    assert np.mean(base) > 0
    assert np.all(sup < base) and np.all(dosed < base) and np.all(both < np.minimum(sup, dosed))
    # no supporter in the lab (lab_support = 0) -> no buffering
    off = st.acute_social_stressor(sim2, rng, support=True, params={"lab_support": 0.0})["cortisol_change"][ex]
    np.testing.assert_allclose(off, base)


def test_no_support_buffering_without_the_parameter():
    """Knock-out: support_stress_buffering = 0 -> a supporter leaves the adult response unchanged."""
    sim = _sim(2.0, {"support_stress_buffering": 0.0})
    ex = sim.cg.exists
    base = st.acute_social_stressor(sim)["cortisol_change"][ex]
    sup = st.acute_social_stressor(sim, support=True)["cortisol_change"][ex]
    np.testing.assert_allclose(sup, base)


def test_no_ot_buffering_without_the_parameter():
    """Knock-out: ot_stress_buffering = 0 -> an intranasal dose leaves the response unchanged."""
    sim = _sim(2.0, {"ot_stress_buffering": 0.0})
    ex = sim.cg.exists
    placebo = st.acute_social_stressor(sim)
    base = placebo["cortisol_change"][ex]
    dosed = st.acute_social_stressor(sim, dose=1.0)
    np.testing.assert_allclose(dosed["cortisol_change"][ex], base)
    # the dose still raised central OT (against placebo: both wait dose_wait_min in the lab)
    assert np.all(dosed["ot_central_task"][ex] > placebo["ot_central_task"][ex])


def test_bad_input_is_refused(sim2):
    with pytest.raises(ValueError, match="comfort"):
        st.infant_stressor(sim2, np.random.default_rng(0), comfort="cuddle")
    with pytest.raises(ValueError, match="stressor_distress"):
        st.infant_stressor(sim2, np.random.default_rng(0), params={"stressor_distress": 3.0})
    unborn = Simulation(ParamSet.uniform(4), 0.1, 1)
    with pytest.raises(ValueError, match="born infant"):
        st.acute_social_stressor(unborn)


ENGINE_RULES = {
    "infant_stressor": {"infant_hpa_gain", "stress_buffer", "infant_hpa_drive", "cortisol_excess_step",
                        "infant_cortisol_level", "infant_circadian_cortisol", "minute_responses", "relief",
                        "unsoothed_crying", "caregiver_cry_stress", "response_attunement", "attunement_static",
                        "attunement_hourly"},
    "acute_social_stressor": {"central_ot_step", "buffered_stress"},
    "_pre_post_caregiver": {"cortisol_excess_step", "_caregiver_course"},
    "_caregiver_course": {"cortisol_level", "cortisol_excess_step"},
}


def test_procedures_call_the_engines_rules():
    """One home per rule: each stress procedure calls the engine's rule functions (static check)."""
    tree = ast.parse(Path(st.__file__).read_text())
    fns = {n.name: n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
    for name, rules in ENGINE_RULES.items():
        called = {c.func.attr if isinstance(c.func, ast.Attribute) else c.func.id
                  for c in ast.walk(fns[name]) if isinstance(c, ast.Call) and isinstance(c.func, ast.Attribute | ast.Name)}
        called |= {a.attr for a in ast.walk(fns[name]) if isinstance(a, ast.Attribute)}  # rules passed to per_element
        assert rules <= called, f"{name} does not call {rules - called}"


def test_stress_studies_run_through_the_study_engine():
    rows = run_study(load_study("S7_infant_rise"), replicates=2, seed=3, n=12)
    assert len(rows) == 2 and all(r["value"] > 0 for r in rows)
