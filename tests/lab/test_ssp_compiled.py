"""The compiled second loop of the Strange Situation equals the vectorised Python loop it replaced, bit for bit.

``python_reference_run_procedure`` is that Python loop (experiments/lab/ssp.py before the loop
was compiled), kept here only as the reference of this test: it calls the procedure's own rule
functions and shares its constants and output (``dyad_constants``, ``procedure_record``,
``procedure_output``), so only the second-by-second loop is restated.
"""

import numpy as np
import pytest
from bonding.experiments.lab import coding
from bonding.experiments.lab import ssp as S
from bonding.model import behaviour as bh
from bonding.model.params import ParamSet
from bonding.model.simulation import Simulation


def python_reference_run_procedure(d, rng, params=None, keep_streams=False):
    """The SSP's second loop as a vectorised Python loop over seconds (the reference, not used by the lab)."""
    q = S.resolve(S.SSP_PARAMS, params)
    n = len(d["expected_responsiveness"])
    c = S.dyad_constants(d, q)
    rec = S.procedure_record(n, keep_streams)
    E, p_sens, p_rej, deact, hyper = (d["expected_responsiveness"], d["p_sensitive"], d["p_reject_kind"],
                                      c["deact"], c["hyper"])
    calm, react, comfort = c["calm"], c["react"], c["comfort"]
    a = calm.copy()
    dist = np.zeros(n)
    contact = np.zeros(n, bool)
    fright_session = np.zeros(n)
    t_sep = 0.0
    row = 0
    sec = 0
    for (_, length, cg_here, stranger, reunion) in S.EPISODES:
        if cg_here:
            t_sep = 0.0
            dist[:] = 0.0 if not reunion else 1.0
        contact[:] = contact & cg_here
        for ts in range(length):
            u = rng.random((9, n))
            z = rng.standard_normal(n)
            fear = S.caregiver_fear(c["alarm"], fright_session, q["fright_scale"])
            act = cg_here & (u[0] < c["h_fright"])
            fright_session += act
            target = calm * (1.0 if cg_here else 1.2)
            target = target + stranger * q["stranger_alarm"] * react
            if not cg_here:
                t_sep += 1.0
                sep = q["separation_alarm"] * (1.0 - np.exp(-t_sep / q["separation_tau"]))
                target = target + react * sep + (not stranger) * q["alone_alarm"] * react \
                    - stranger * q["stranger_comfort"]
            else:
                target = target + q["fear_alarm"] * fear - contact * comfort
            a = a + (target - a) / q["arousal_tau"] + q["arousal_noise"] * z + act * q["fright_spike"]
            a = np.clip(a, 0.0, 1.5)
            excess = np.maximum(a - calm, 0.0)
            buffer = 1.0 - q["cortisol_contact_buffer"] * contact * E
            rec["drive_sum"] += excess * buffer
            rec["fear_sum"] += fear * cg_here
            if keep_streams:
                rec["arousal"][sec] = a
            sec += 1
            if not cg_here:
                continue
            signal = a * (1.0 - 0.8 * deact) * (1.0 + 0.5 * hyper)
            p_app = bh.sigmoid((signal - q["approach_threshold"]) / 0.08) * (1.0 - 0.7 * deact)
            early = 1.0 + np.exp(-ts / 30.0) if reunion else 1.0
            p_av = q["avoid_rate"] * deact * np.minimum(0.2 + 0.8 * a / 0.6, 1.0) * early * 0.5
            avoid = ~contact & (u[1] < p_av)
            approach = ~contact & ~avoid & (dist > 0) & (u[2] < p_app)
            p_conf, p_freeze, p_appr = S.disorganisation_marker_probabilities(fear, c["mixed"], a, ts, act, q)
            conflict = approach & (u[3] < p_conf)
            approach = approach & ~conflict
            avoid = avoid | conflict
            dist = np.where(approach, np.maximum(dist - q["approach_speed"], 0.0), dist)
            dist = np.where(conflict, np.minimum(dist + q["approach_speed"], 1.0), dist)
            cry = ~contact & ~avoid & (signal > q["cry_threshold"])
            bidding = approach | cry | (~contact & (dist == 0) & (signal > q["approach_threshold"]))
            reached = approach & (dist == 0)
            pick = ~contact & bidding & (u[4] < q["pickup_rate"] * p_sens)
            intrude = ~contact & ~bidding & (u[5] < q["intrusive_rate"] * (1 - p_sens) * (1 - p_rej))
            new_contact = reached | pick | intrude
            p_res = q["resist_rate"] * hyper * np.minimum(a / 0.6, 1.0)
            resist = (contact | new_contact) & (u[6] < p_res + 0.3 * intrude)
            calm_now = a < q["release_threshold"]
            letgo = contact & ((calm_now & (u[7] < q["release_rate"] * (1 + 2 * deact)))
                               | (u[7] < q["putdown_rate"] * (1 - p_sens) * p_rej))
            contact = (contact & ~letgo) | new_contact
            dist = np.where(contact, 0.0, np.where(letgo, 0.3, dist))
            freeze = u[8] < p_freeze
            appr = u[8] > 1 - p_appr
            if reunion:
                s = np.where(contact, S.CONTACT, np.where(avoid, S.AVOID, np.where(
                    approach, S.APPROACH, np.where(cry, S.CRY, S.EXPLORE))))
                rec["stream"][row] = np.where(freeze & ~contact, S.EXPLORE, s)
                for k, v in zip(S.MARKS, (resist, conflict, freeze, appr, reached | (pick & approach), act),
                                strict=True):
                    rec[k][row] = v
                row += 1
    return S.procedure_output(d, q, c, rec, keep_streams)


def _assert_bit_identical(got: dict, want: dict):
    assert list(got) == list(want)
    for k in want:
        g, w = np.asarray(got[k]), np.asarray(want[k])
        assert g.dtype == w.dtype and g.shape == w.shape, k
        assert g.tobytes() == w.tobytes(), f"{k}: {np.sum(g != w)} of {w.size} entries differ"


def _varied_dyads(n=240, seed=5):
    """Synthetic dyads spread over every branch: secure, avoidant, resistant, frightened, mixed, disrupted."""
    r = np.random.default_rng(seed)
    return {"expected_responsiveness": r.uniform(0.2, 0.95, n), "rejection": r.uniform(0, 0.6, n),
            "intrusion": r.uniform(0, 0.3, n), "fright": r.exponential(1.5, n) * (r.random(n) < 0.4),
            "disrupted": r.exponential(5.0, n) * (r.random(n) < 0.3), "evidence": r.uniform(50, 500, n),
            "temperament": r.standard_normal(n), "infant_cortisol_excess": r.normal(0, 0.5, n),
            "infant_hpa": r.uniform(0.5, 1.5, n), "infant_cortisol": r.uniform(5, 12, n),
            "p_sensitive": r.uniform(0.1, 0.95, n), "p_reject_kind": r.uniform(0, 1, n),
            "fright_risk": r.uniform(0, 1, n), "caregiver_cortisol_excess": r.normal(0, 0.5, n),
            "p_fright_base": r.uniform(0, 0.05, n), "fright_cortisol": r.uniform(0, 3, n),
            "deactivation_bias": r.standard_normal(n), "hyperactivation_bias": r.standard_normal(n)}


@pytest.mark.parametrize("params", [None, {"separation_tau": 37.0, "fright_hazard_scale": 0.4, "arousal_tau": 7.5,
                                           "approach_speed": 0.33, "freeze_rate": 0.3, "apprehension_rate": 0.5,
                                           "mixed_strategy_conflict": 0.4, "arousal_noise": 0.12}])
def test_compiled_loop_equals_python_loop_on_varied_dyads(params):
    d = _varied_dyads()
    got = S.run_procedure(d, np.random.default_rng(11), params, keep_streams=True)
    want = python_reference_run_procedure(d, np.random.default_rng(11), params, keep_streams=True)
    _assert_bit_identical(got, want)
    # the comparison has teeth: every behaviour and marker occurs in the reunions
    assert set(np.unique(got["stream"])) == {S.EXPLORE, S.APPROACH, S.CONTACT, S.AVOID, S.CRY}
    for k in S.MARKS:
        assert got[k].any(), k
    # and the generator is left where the Python loop leaves it
    r1, r2 = np.random.default_rng(3), np.random.default_rng(3)
    S.run_procedure(d, r1, params)
    python_reference_run_procedure(d, r2, params)
    assert r1.random() == r2.random()


def test_compiled_strange_situation_equals_python_loop_on_a_population():
    sim = Simulation(ParamSet.uniform(40), 12, seed=3).run()
    d = S.dyad_inputs(sim)
    got = S.run_procedure(d, np.random.default_rng(8))
    want = python_reference_run_procedure(d, np.random.default_rng(8))
    _assert_bit_identical(got, want)
    _assert_bit_identical(coding.code_procedure(got), coding.code_procedure(want))

