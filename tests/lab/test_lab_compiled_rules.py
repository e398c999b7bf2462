"""The lab's compiled rule applications give the numbers of the Python path they replaced, bit for bit.

``per_element_compiled`` runs an engine rule without exp/log/power in a numba loop; the Python
path is ``per_element`` (one Python call per element). ``minute_responses`` now calls
``response_quality`` only where a response is given; ``python_reference_minute_responses`` is
its previous form, kept here only as this test's reference. Whole procedures are compared with
both replacements undone.
"""

import numpy as np
import pytest
from bonding.experiments.lab import procedures as pr
from bonding.experiments.lab import stress as st
from bonding.experiments.lab.engine_rules import per_element, per_element_compiled
from bonding.model import behaviour as bh
from bonding.model import physiology as phys
from bonding.model.params import ParamSet
from bonding.model.simulation import Simulation
from bonding.model.state import DISTRESS_BID, NO_RESPONSE, SOCIAL_BID


def python_reference_minute_responses(att, p, cg, engaged, u_quality, u_fright, u_kind):
    """``minute_responses`` before it skipped the minutes without a response (the reference)."""
    col = pr._col
    quality, _ = per_element(bh.response_quality, att, col(p.base_sensitivity), cg.aai, cg.unresolved,
                             cg.cortisol_excess, cg.depressed, col(p.p_frightening_base), col(p.frightening_cortisol),
                             u_quality, u_fright, u_kind, col(p.fright_stress_risk), nout=2, dtypes=(np.int64, float))
    return np.where(engaged, quality, NO_RESPONSE)


def _same(a, b):
    a, b = np.asarray(a), np.asarray(b)
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def _cases(n=4000, seed=2):
    r = np.random.default_rng(seed)
    codes = r.integers(0, 5, n)  # response codes, none to frightening
    bids = r.integers(0, 3, n)
    # cortisol spans the saturation knee (caregiver 700 nmol/l scale, infant 8 nmol/l) and the floor
    excess = np.concatenate([r.normal(0, 1, n // 2), r.uniform(-2, 60, n - n // 2)])
    return [
        (phys.cortisol_level, (r.uniform(50, 900, n), r.uniform(0.2, 2.5, n), excess), 1, (float,)),
        (phys.infant_cortisol_level, (r.uniform(2, 20, n), r.uniform(0.2, 2.5, n), excess), 1, (float,)),
        (phys.infant_hpa_drive, (r.uniform(0, 3, n), r.uniform(0.3, 2, n), r.uniform(0, 1, n), r.uniform(0, 1, n),
                                 r.uniform(0, 1, n), r.uniform(0.3, 1, n), r.random(n) < 0.1), 1, (float,)),
        (bh.response_attunement, (r.normal(0, 1, n), r.normal(0, 1, n), bids), 1, (float,)),
        (bh.unsoothed_crying, (bids, codes), 1, (bool,)),
        (bh.episode_contact, (SOCIAL_BID, codes, r.uniform(0, 1, n), r.uniform(0, 1, n), r.uniform(0, 1, n)), 3, (bool,)),
        (bh.episode_contact, (DISTRESS_BID, codes, r.uniform(0, 1, n), r.uniform(0, 1, n), r.uniform(0, 1, n)), 3, (bool,)),
        (bh.gaze_vocal_probability, (codes, r.random(n) < 0.3, SOCIAL_BID), 2, (float,)),
    ]


@pytest.mark.parametrize("case", range(len(_cases())))
def test_compiled_rule_equals_python_rule_bit_for_bit(case):
    rule, args, nout, dtypes = _cases()[case]
    got = per_element_compiled(rule, *args, nout=nout, dtypes=dtypes)
    want = per_element(rule, *args, nout=nout, dtypes=dtypes)
    for g, w in zip(*((got, want) if nout > 1 else ((got,), (want,))), strict=True):
        assert _same(g, w), f"{rule.__name__}: {np.sum(np.asarray(g) != np.asarray(w))} entries differ"


def test_every_compiled_loop_is_tested_and_a_rule_with_an_exponential_has_none():
    from bonding.experiments.lab.engine_rules import COMPILED_LOOPS

    assert {c[0] for c in _cases()} == set(COMPILED_LOOPS)
    with pytest.raises(ValueError, match="response_quality"):
        per_element_compiled(bh.response_quality, *([0.0] * 12), nout=2)


def test_compiled_rule_keeps_the_broadcast_shape():
    out = per_element_compiled(phys.cortisol_level, np.full((3, 1), 400.0), 1.0, np.zeros((1, 5)))
    assert out.shape == (3, 5) and np.all(out == per_element(phys.cortisol_level, 400.0, 1.0, 0.0))


@pytest.fixture(scope="module")
def sim():
    return Simulation(ParamSet.uniform(30), 3, seed=4).run()


PROCS = {"play15": pr.PROCEDURES["play15"], "ssc60": pr.PROCEDURES["ssc60"],
         "play15_in_ot": pr.PROCEDURES["play15_in_ot"], **st.STRESS_PROCEDURES,
         "cortisol_time_course": lambda s, rng: pr.cortisol_time_course(s, s.cg.cortisol * 1.1)}


@pytest.mark.parametrize("name", sorted(PROCS))
def test_procedure_equals_its_python_path(sim, name, monkeypatch):
    got = PROCS[name](sim, np.random.default_rng(6))
    with monkeypatch.context() as m:
        for mod in (pr, st):
            m.setattr(mod, "per_element_compiled", per_element)
            m.setattr(mod, "minute_responses", python_reference_minute_responses)
        want = PROCS[name](sim, np.random.default_rng(6))
    assert list(got) == list(want)
    bad = [k for k in want if not _same(got[k], want[k])]
    assert not bad, f"{name}: {bad} differ"
    if name in ("heel_stick", "inoculation"):  # the caregiver's own responses: more than one kind
        assert len(np.unique(want["response"])) >= 3
