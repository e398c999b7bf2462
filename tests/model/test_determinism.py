"""Same seed -> bit-identical results (engine, Mesa model); different seeds differ."""

from __future__ import annotations

import numpy as np
import pandas as pd
from _model_helpers import arrays_equal
from bonding.model import ParamSet, Simulation
from bonding.model.bonding_model import BondingModel
from bonding.model.interventions import CaregiverLoss
from bonding.model.outcomes import dyad_outcomes

H, M = 60, 0.5


def _fresh(seed, interventions=()):
    return Simulation(ParamSet.uniform(H), M, seed, list(interventions)).run()


def _assert_identical(a, b):
    oa, ob = dyad_outcomes(a), dyad_outcomes(b)
    assert list(oa) == list(ob)
    for k in oa:
        assert arrays_equal(oa[k], ob[k]), f"outcome {k} differs between identical runs"
    ta, tb = a.recorder.long_table(), b.recorder.long_table()
    for k in ta:
        assert arrays_equal(ta[k], tb[k]), f"timeseries {k} differs between identical runs"
    for name, arr in vars(a.cg).items():
        if isinstance(arr, np.ndarray):
            assert arrays_equal(arr, getattr(b.cg, name)), f"cg.{name} differs"
    for name, arr in vars(a.inf).items():
        if isinstance(arr, np.ndarray):
            assert arrays_equal(arr, getattr(b.inf, name)), f"inf.{name} differs"


def test_same_seed_gives_bit_identical_outcomes_timeseries_and_state():
    _assert_identical(_fresh(42), _fresh(42))


def test_same_seed_is_bit_identical_with_interventions():
    _assert_identical(_fresh(9, [CaregiverLoss(role="father", month=0.2)]),
                      _fresh(9, [CaregiverLoss(role="father", month=0.2)]))


def test_different_seeds_differ():
    a, b = dyad_outcomes(_fresh(1)), dyad_outcomes(_fresh(2))
    assert not arrays_equal(a["bond"], b["bond"]) or len(a["bond"]) != len(b["bond"])
    assert not np.allclose(a["infant_temperament"][:10], b["infant_temperament"][:10])
    ta, tb = _fresh(1).recorder.infant, _fresh(2).recorder.infant
    assert not arrays_equal(ta, tb)


def test_bonding_model_same_seed_identical_datacollector_and_outcomes():
    def go(seed):
        m = BondingModel(households=40, months=0.3, rng=seed, agents=False)
        while m.running:
            m.step()
        return m

    a, b = go(5), go(5)
    pd.testing.assert_frame_equal(a.datacollector.get_model_vars_dataframe(),
                                  b.datacollector.get_model_vars_dataframe())
    oa, ob = dyad_outcomes(a.sim), dyad_outcomes(b.sim)
    for k in oa:
        assert arrays_equal(oa[k], ob[k]), k
    c = go(6)
    assert not a.datacollector.get_model_vars_dataframe().equals(c.datacollector.get_model_vars_dataframe())


def test_bonding_model_matches_the_bare_engine_with_the_same_seed():
    m = BondingModel(households=40, months=0.3, rng=5, agents=True)
    while m.running:
        m.step()
    s = Simulation(ParamSet.uniform(40), 0.3, 5).run()
    oa, ob = dyad_outcomes(m.sim), dyad_outcomes(s)
    for k in oa:
        assert arrays_equal(oa[k], ob[k]), f"Mesa wrapper changed outcome {k}"
