"""Knock-out and dose tests of the sources of security (issue 14.1).

Same seed for both arms (common random numbers), small populations. Each test switches one
mechanism off (its gain 0) or up, and checks the direction of what it should move.
"""

from __future__ import annotations

import numpy as np
from _model_helpers import outcomes, run
from bonding.model.state import FATHER, MOTHER

H, MONTHS, SEED = 300, 2.0, 23


def _mothers(sim):
    df = outcomes(sim)
    return df[df["role"] == "mother"].reset_index(drop=True)


def _share(sim, name, k=MOTHER):
    ev = sim.inf.iwm_good[:, k] + sim.inf.iwm_bad[:, k]
    return getattr(sim.inf, name)[:, k] / ev


def test_representational_channel_ties_the_working_model_to_mentalising_beyond_sensitivity():
    on = run({}, H, MONTHS, SEED)
    off = run({"mentalising_evidence_gain": 0.0}, H, MONTHS, SEED)
    m = on.cg.mentalising[:, MOTHER]
    assert np.array_equal(m, off.cg.mentalising[:, MOTHER])  # the trait does not depend on the switch
    r_on = np.corrcoef(m, _share(on, "iwm_intruded"))[0, 1]
    r_off = np.corrcoef(m, _share(off, "iwm_intruded"))[0, 1]
    assert r_on < r_off - 0.1  # mentalising lowers mistimed evidence only through the channel
    e_on = np.corrcoef(m, _mothers(on)["iwm_expected_responsiveness"])[0, 1]
    e_off = np.corrcoef(m, _mothers(off)["iwm_expected_responsiveness"])[0, 1]
    assert e_on > e_off


def test_family_climate_correlates_the_couple_and_reaches_the_working_model():
    on = run({}, H, MONTHS, SEED)
    off = run({"family_stress_sensitivity": 0.0, "family_conflict_evidence": 0.0}, H, MONTHS, SEED)
    both = on.cg.exists[:, FATHER]
    r_on = np.corrcoef(on.cg.sensitivity_trait[both, MOTHER], on.cg.sensitivity_trait[both, FATHER])[0, 1]
    r_off = np.corrcoef(off.cg.sensitivity_trait[both, MOTHER], off.cg.sensitivity_trait[both, FATHER])[0, 1]
    assert r_on > r_off
    fs = on.inf.family_stress
    assert np.corrcoef(fs, on.cg.sensitivity_trait[:, MOTHER])[0, 1] < 0
    c_on = np.corrcoef(fs, _share(on, "iwm_intruded"))[0, 1]
    c_off = np.corrcoef(fs, _share(off, "iwm_intruded"))[0, 1]
    assert c_on > c_off + 0.1


def test_susceptibility_spreads_reactive_infants_working_models_and_narrows_calm_ones():
    on = run({"susceptibility_gain": 1.0}, H, MONTHS, SEED)
    off = run({"susceptibility_gain": 0.0}, H, MONTHS, SEED)
    a, b = _mothers(on), _mothers(off)
    t = a["infant_temperament"].to_numpy()
    for col in ("iwm_deactivating", "iwm_hyperactivating"):
        spread_on, spread_off = a[col].to_numpy(), b[col].to_numpy()
        assert spread_on[t > 0.5].std() > spread_off[t > 0.5].std()  # for better and for worse
        assert spread_on[t < -0.5].std() < spread_off[t < -0.5].std()


def test_inconsistent_answering_moves_insecurity_from_avoidance_to_resistance():
    on = run({"inconsistency_hyperactivation": 1.0}, H, MONTHS, SEED)
    off = run({"inconsistency_hyperactivation": 0.0}, H, MONTHS, SEED)
    a, b = _mothers(on), _mothers(off)
    assert a["iwm_hyperactivating"].mean() > b["iwm_hyperactivating"].mean()
    assert a["iwm_deactivating"].mean() < b["iwm_deactivating"].mean()
    # the Strange Situation reads it: more resistance, less avoidance with the same streams
    from bonding.experiments.lab.ssp import strange_situation

    sa = strange_situation(on, np.random.default_rng(1))
    sb = strange_situation(off, np.random.default_rng(1))
    assert sa["hyperactivation"].mean() > sb["hyperactivation"].mean()
    assert sa["deactivation"].mean() < sb["deactivation"].mean()
