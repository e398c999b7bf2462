"""Each shipped scenario runs and moves the outcomes it exists to move, in the expected direction.

Every comparison is against a reference run with the same seed (common random numbers), so a
difference is the scenario's effect, not sampling noise. Populations are small (100 households)
and runs as short as the effect allows.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest
from bonding.experiments.run import run_scenario
from bonding.experiments.scenarios import available_scenarios, load_scenario
from bonding.model.interventions import NICUSeparation, SkinToSkin
from bonding.model.params import ParameterError, ParamSet
from bonding.model.simulation import Simulation
from bonding.model.state import DAYS_PER_MONTH, PRENATAL_DAYS

N, SEED = 100, 11
EXPECTED = {"baseline", "paternal_leave", "grandmother_coresident", "daycare_from_6m", "skin_to_skin",
            "intranasal_ot_father", "intranasal_ot_depressed_mother", "postpartum_depression",
            "insecure_attachment_history", "caregiver_loss_6m", "nicu_separation", "sensitivity_coaching",
            "high_risk"}


@cache
def run(name: str, months: float):
    return run_scenario(load_scenario(name), N, months, SEED)


def by_role(name, months, col, role):
    o = run(name, months).outcomes
    return o.loc[o["role"] == role, col].astype(float).mean()


def series(name, months, var, role, first_day, last_day):
    ts = run(name, months).timeseries
    sel = (ts["variable"] == var) & (ts["role"] == role) & (ts["day"] >= first_day) & (ts["day"] <= last_day)
    return ts.loc[sel, "value"].mean()


def diff(name, months, col, role, ref="baseline"):
    return by_role(name, months, col, role) - by_role(ref, months, col, role)


# ------------------------------------------------------------------ library and validation
def test_library_is_complete_and_documented():
    lib = available_scenarios()
    assert EXPECTED <= set(lib)
    for name in lib:
        sc = load_scenario(name)
        assert sc.description.strip() and sc.sources, name
        sc.build_interventions()


def _write(tmp_path, name, text):
    path = tmp_path / f"{name}.toml"
    path.write_text(text)
    return str(path)


@pytest.mark.parametrize("body, needle", [
    ('[params]\nno_such_param = 1\n', "params.no_such_param: unknown parameter"),
    ('[params]\np_daycare = 1.5\n', "params.p_daycare: 1.5 is out of range (allowed 0 to 1"),
    ('[[interventions]]\ntype = "magic"\n', "interventions[0].type: 'magic': unknown intervention"),
    ('[[interventions]]\ntype = "skin_to_skin"\nrole = "mother"\ndays = 900\n', "interventions[0].days: 900 is out of range (allowed 1 to 365"),
    ('[[interventions]]\ntype = "intranasal_ot"\nrole = "uncle"\n', "interventions[0].role: 'uncle': unknown role"),
    ('[[interventions]]\ntype = "nicu_separation"\nvisits = 3\n', "interventions[0].visits: unknown field of nicu_separation"),
])
def test_bad_field_is_one_line_naming_file_field_and_range(tmp_path, body, needle):
    path = _write(tmp_path, "bad", f'name = "bad"\nextends = "baseline"\n{body}')
    with pytest.raises(ParameterError) as exc:
        load_scenario(path)
    msg = str(exc.value)
    assert "\n" not in msg and msg.startswith("bad.toml: ") and needle in msg


def test_circular_extends_is_refused(tmp_path):
    a = _write(tmp_path, "a", f'name = "a"\nextends = "{tmp_path / "b.toml"}"\n')
    _write(tmp_path, "b", f'name = "b"\nextends = "{a}"\n')
    with pytest.raises(ParameterError, match="circular chain"):
        load_scenario(a)


# ------------------------------------------------------------------ directions
def test_paternal_leave_raises_father_care_and_bond_and_lowers_testosterone():
    assert diff("paternal_leave", 3, "care_hours", "father") > 50
    assert diff("paternal_leave", 3, "bond", "father") > 0.01
    assert diff("paternal_leave", 3, "testosterone_change", "father") < 0


def test_grandmother_takes_care_off_the_mother():
    o = run("grandmother_coresident", 3).outcomes
    assert (o["role"] == "grandparent").sum() == N
    assert diff("grandmother_coresident", 3, "care_hours", "mother") < -50


def test_daycare_from_6m_brings_a_daycare_carer():
    o = run("daycare_from_6m", 7).outcomes
    assert (o["role"] == "daycare").sum() == N
    assert by_role("daycare_from_6m", 7, "care_hours", "daycare") > 20
    assert diff("daycare_from_6m", 7, "care_hours", "mother") < 0


def test_skin_to_skin_raises_parent_ot_and_lowers_infant_cortisol():
    for role in ("mother", "father"):
        assert diff("skin_to_skin", 1, "ot_central_tone", role) > 0
        assert diff("skin_to_skin", 1, "ot_plasma_mean", role) > 0
    assert series("skin_to_skin", 1, "infant_cortisol", "infant", 0, 14) < series("baseline", 1, "infant_cortisol", "infant", 0, 14)


def test_skin_to_skin_session_raises_infant_and_mother_ot_within_the_hour():
    """Hour-level check of I10: OT higher in infant and mother at the end of each session hour."""
    def session_means(with_ssc):
        ivs = [SkinToSkin(role="mother", start_day=0, days=7, hour=10, session_hours=1)] if with_ssc else []
        sim = Simulation(ParamSet.uniform(60), 0.3, SEED, ivs)
        inf_ot, mom_ot = [], []
        while not sim.done:
            sim.step()
            if sim.born and sim.hod == 11 and sim.age_days < 7:
                inf_ot.append(sim.inf.ot.mean())
                mom_ot.append(sim.cg.ot_central[:, 0].mean())
        return np.mean(inf_ot), np.mean(mom_ot)

    (i1, m1), (i0, m0) = session_means(True), session_means(False)
    assert i1 > i0 + 0.1 and m1 > m0 + 0.1


def test_intranasal_ot_father_raises_father_ot_on_dose_days():
    first = int(round(5 * DAYS_PER_MONTH))
    f1 = series("intranasal_ot_father", 7, "ot_plasma", "father", first, first + 6)
    f0 = series("baseline", 7, "ot_plasma", "father", first, first + 6)
    assert f1 > f0 + 0.3
    assert by_role("intranasal_ot_father", 7, "ot_plasma_mean", "mother") == pytest.approx(
        by_role("baseline", 7, "ot_plasma_mean", "mother"), abs=0.05)


def test_intranasal_ot_is_context_dependent_in_depressed_mothers():
    """I8: the same dose raises cortisol in depressed mothers without a sensitivity gain."""
    ref, iv = run("postpartum_depression", 4).outcomes, run("intranasal_ot_depressed_mother", 4).outcomes
    m_ref, m_iv = ref[ref["role"] == "mother"].set_index("household"), iv[iv["role"] == "mother"].set_index("household")
    dep = m_ref["depressed_at_end"] & m_iv["depressed_at_end"]
    well = ~m_ref["caregiver_depressed"] & ~m_iv["caregiver_depressed"]
    assert dep.sum() >= 10 and well.sum() >= 10
    d_sens = m_iv["sensitivity"] - m_ref["sensitivity"]
    d_cort = m_iv["cortisol_mean"] - m_ref["cortisol_mean"]
    assert d_cort[dep].mean() > 0
    assert d_sens[well].mean() > d_sens[dep].mean()
    assert d_sens[dep].mean() <= 0.002


def test_postpartum_depression_raises_the_depressed_share():
    assert diff("postpartum_depression", 3, "caregiver_depressed", "mother") > 0.1
    assert diff("postpartum_depression", 3, "sensitivity", "mother") < 0


def test_insecure_history_lowers_sensitivity_and_raises_rejection():
    assert diff("insecure_attachment_history", 3, "sensitivity", "mother") < 0
    assert diff("insecure_attachment_history", 3, "share_rejecting", "mother") > 0


def test_caregiver_loss_raises_cortisol_in_those_left():
    start = int(round(6 * DAYS_PER_MONTH)) + 1
    end = int(round(7 * DAYS_PER_MONTH)) - 1
    for role in ("mother", "grandparent"):
        assert series("caregiver_loss_6m", 7, "cortisol", role, start, end) > series("baseline", 7, "cortisol", role, start, end)
    assert "father" not in set(run("caregiver_loss_6m", 7).outcomes["role"])


def test_nicu_separation_lowers_early_mother_bond_and_raises_infant_cortisol():
    assert diff("nicu_separation", 1, "bond", "mother") < -0.02
    assert series("nicu_separation", 1, "infant_cortisol", "infant", 0, 20) > series("baseline", 1, "infant_cortisol", "infant", 0, 20)


def test_sensitivity_coaching_raises_sensitivity():
    for role in ("mother", "father"):
        assert diff("sensitivity_coaching", 7, "sensitivity", role) > 0.02
    assert diff("sensitivity_coaching", 7, "iwm_expected_responsiveness", "mother") > 0


def test_high_risk_raises_depression_and_cortisol_and_lowers_sensitivity():
    assert diff("high_risk", 3, "caregiver_depressed", "mother") > 0.1
    assert diff("high_risk", 3, "cortisol_mean", "mother") > 0
    assert diff("high_risk", 3, "sensitivity", "mother") < 0


def test_prenatal_days_constant_matches_birth_hour():
    from bonding.model.interventions import BIRTH_HOUR

    assert BIRTH_HOUR == PRENATAL_DAYS * 24


def test_nicu_separation_distress_raises_parents_cortisol_during_the_stay():
    """Separated parents are stressed (grief pathway); switching the distress off removes it."""
    def stay_cortisol(distress):
        sim = Simulation(ParamSet.uniform(N), 0.6, SEED, [NICUSeparation(days=14, separation_distress=distress)]).run()
        t = sim.recorder.long_table()  # days counted from birth
        stay = (t["variable"] == "cortisol") & (t["day"] >= 2) & (t["day"] < 14)
        return {r: t["value"][stay & (t["role"] == r)].mean() for r in ("mother", "father")}

    off, on = stay_cortisol(0.0), stay_cortisol(0.6)
    for role in ("mother", "father"):
        assert on[role] > off[role] * 1.03, role
