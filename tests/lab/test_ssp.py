"""Simulated Strange Situation: output contract, determinism, read-only, mechanisms."""

import numpy as np
import pytest
from bonding.experiments.lab import coding
from bonding.experiments.lab.ssp import run_procedure, strange_situation
from bonding.model.outcomes import dyad_outcomes
from bonding.model.params import ParamSet
from bonding.model.simulation import Simulation

COLS = ("household", "role", "attachment", "secondary", "avoidance", "resistance", "disorganisation",
        "proximity_seeking", "contact_maintaining", "infant_cortisol_post")


@pytest.fixture(scope="module")
def sim():
    return Simulation(ParamSet.uniform(60), 12, seed=7).run()


def test_contract_row_order_and_determinism(sim):
    before = {k: v.copy() for k, v in vars(sim.inf).items() if isinstance(v, np.ndarray)}
    a = strange_situation(sim, np.random.default_rng(3))
    b = strange_situation(sim, np.random.default_rng(3))
    out = dyad_outcomes(sim)
    n = len(out["household"])
    for c in COLS:
        assert len(a[c]) == n
    assert np.array_equal(a["household"], out["household"])
    assert list(a["role"]) == list(out["role"])
    for c in COLS:
        assert np.array_equal(np.asarray(a[c]), np.asarray(b[c]))
    assert set(a["attachment"]) <= set("ABCD") and set(a["secondary"]) <= set("ABC")
    assert np.all((a["disorganisation"] >= 1) & (a["disorganisation"] <= 9))
    assert np.all((a["avoidance"] >= 1) & (a["avoidance"] <= 7))
    d = a["attachment"] == "D"
    assert np.all(a["disorganisation"][d] >= 5) and np.all(a["disorganisation"][~d] < 5)
    for k, v in before.items():  # the lab never writes into the model
        assert np.array_equal(getattr(sim.inf, k), v)


def _synthetic(n=3000, **kw):
    d = {"expected_responsiveness": np.full(n, 0.75), "rejection": np.full(n, 0.15),
         "intrusion": np.full(n, 0.05), "fright": np.zeros(n), "evidence": np.full(n, 300.0),
         "temperament": np.random.default_rng(0).standard_normal(n), "infant_cortisol_excess": np.zeros(n),
         "infant_hpa": np.ones(n), "infant_cortisol": np.full(n, 8.0), "p_sensitive": np.full(n, 0.7),
         "p_reject_kind": np.full(n, 0.5), "fright_risk": np.zeros(n), "caregiver_cortisol_excess": np.zeros(n),
         "p_fright_base": np.full(n, 0.004), "fright_cortisol": np.full(n, 1.5)}
    d.update({k: np.full(n, float(v)) for k, v in kw.items()})
    return d


def _shares(d, seed=1):
    res = run_procedure(d, np.random.default_rng(seed))
    c = coding.code_procedure(res)
    return {k: float(np.mean(c["attachment"] == k)) for k in "ABCD"}, c, res


def test_mechanisms_on_working_models():
    base, cb, rb = _shares(_synthetic())
    fright, cf, rf = _shares(_synthetic(fright=4.0, fright_risk=1.0))
    reject, _, _ = _shares(_synthetic(rejection=0.5, expected_responsiveness=0.4, p_sensitive=0.3, p_reject_kind=0.75))
    intrude, _, _ = _shares(_synthetic(intrusion=0.25, expected_responsiveness=0.5, p_sensitive=0.3, p_reject_kind=0.25))
    assert base["B"] > 0.8
    assert fright["D"] > base["D"] + 0.3          # the caregiver as source of alarm -> D
    assert reject["A"] > base["A"] + 0.3          # learned rejection -> avoidance
    assert intrude["C"] > base["C"] + 0.2         # learned intrusion/inconsistency -> resistance
    assert np.mean(rf["cortisol_post"]) > np.mean(rb["cortisol_post"])  # D: highest cortisol
    # D never drawn: with no fright and no mixed strategy there are no conflict markers at all
    assert not rb["conflict"].any() and not rb["freeze"].any() and not rb["apprehension"].any()


def _population_shares(overrides, seed=11, n=90):
    s = Simulation(ParamSet.uniform(n, overrides), 12, seed=seed).run()
    r = strange_situation(s, np.random.default_rng(0))
    m = (r["role"] == "mother") | (r["role"] == "father")
    return {k: float(np.mean(r["attachment"][m] == k)) for k in "ABCD"}


@pytest.mark.slow
def test_model_mechanisms_frightening_raises_d_insensitivity_raises_a_c():
    base = _population_shares({})
    scared = _population_shares({"p_unresolved": 0.6, "p_frightening_base": 0.1})
    cold = _population_shares({"base_sensitivity": -2.0, "sensitivity_trait_sd": 0.3})
    assert scared["D"] > base["D"] + 0.1
    assert cold["A"] + cold["C"] > base["A"] + base["C"] + 0.1


def test_infant_strategy_bias_loosens_the_link_from_learned_rejection_to_avoidance():
    """strategy_threshold_sd: infants with the same evidence switch strategies at different points."""
    n = 4000
    rejection = np.random.default_rng(5).uniform(0.15, 0.5, n)
    bias = np.random.default_rng(6).standard_normal((n, 2))
    d = _synthetic(n) | {"rejection": rejection, "deactivation_bias": bias[:, 0], "hyperactivation_bias": bias[:, 1]}

    def r_rejection_avoidant(sd):
        res = run_procedure(d, np.random.default_rng(1), {"strategy_threshold_sd": sd})
        return np.corrcoef(rejection, coding.code_procedure(res)["attachment"] == "A")[0, 1]

    assert r_rejection_avoidant(0.0) > r_rejection_avoidant(0.6) + 0.1


def test_infant_strategy_bias_is_one_per_infant_and_stable(sim):
    from bonding.experiments.lab.ssp import dyad_inputs, infant_strategy_bias

    assert np.array_equal(infant_strategy_bias(sim), infant_strategy_bias(sim))
    d = dyad_inputs(sim)
    for col in ("deactivation_bias", "hyperactivation_bias"):
        for h in np.unique(d["household"]):  # the same infant brings the same bias to each caregiver
            assert np.unique(d[col][d["household"] == h]).size == 1
