"""Property tests: for any parameter values within their declared bounds, every state stays
finite and within physiological bounds (tiny populations, short horizons)."""

from __future__ import annotations

import numpy as np
from _model_helpers import outcomes
from bonding.model import PARAMS, ParamSet, Simulation
from bonding.model.state import K
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

NAMES = sorted(PARAMS)


@st.composite
def param_points(draw):
    """A random subset of parameters, each drawn uniformly within [lo, hi] (bounds included)."""
    chosen = draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=25, unique=True))
    out = {}
    for name in chosen:
        p = PARAMS[name]
        v = draw(st.one_of(st.just(p.lo), st.just(p.hi), st.floats(p.lo, p.hi, allow_nan=False)))
        out[name] = float(round(v)) if p.integer else v
    return out


def _check_state(sim):
    cg, inf = sim.cg, sim.inf
    ex = cg.exists
    for name, arr in list(vars(cg).items()) + list(vars(inf).items()):
        if isinstance(arr, np.ndarray) and arr.dtype.kind == "f":
            assert np.all(np.isfinite(arr)), f"{name} has non-finite values"
    assert np.all((cg.bond >= 0) & (cg.bond <= 1)), "bond outside [0, 1]"
    assert np.all((cg.tonic_da >= 0) & (cg.tonic_da <= 1 + 1e-12)), "tonic dopamine outside [0, 1]"
    for name in ("ot_central", "ot_tone", "ot_plasma", "cortisol", "testosterone", "prolactin",
                 "prolactin_base", "estradiol", "progesterone"):
        assert np.all(getattr(cg, name)[ex] > 0), f"caregiver {name} not positive"
    for name in ("fatigue", "loneliness", "care_hours_ewma", "touch_hours_ewma"):
        assert np.all(getattr(cg, name) >= 0), f"{name} negative"
    assert np.all(inf.ot > 0) and np.all(inf.cortisol > 0)
    assert np.all((inf.hunger >= 0) & (inf.hunger <= 1.5)), "hunger outside [0, 1.5]"
    assert np.all((inf.contact_need >= 0) & (inf.contact_need <= 1.5))
    assert np.all((inf.distress >= 0) & (inf.distress <= 1)), "distress outside [0, 1]"
    assert np.all((inf.discomfort >= 0) & (inf.discomfort <= 1))
    for name in ("iwm_good", "iwm_bad", "iwm_rejected", "iwm_intruded", "iwm_frightened", "familiarity"):
        assert np.all(getattr(inf, name) >= 0), f"{name} negative"
    assert np.all((inf.responder >= -1) & (inf.responder < K))
    # a responder must exist in the household
    r = inf.responder.astype(int)
    has = r >= 0
    assert np.all(ex[np.flatnonzero(has), r[has]])


def _check_outcomes(sim):
    df = outcomes(sim)
    assert len(df) == int(sim.cg.exists.sum())
    for col in ("bond", "sensitivity", "synchrony", "share_sensitive", "share_intrusive", "share_rejecting",
                "iwm_expected_responsiveness", "iwm_rejection", "iwm_intrusion", "dopamine_tonic"):
        v = df[col].to_numpy(dtype=float)
        v = v[~np.isnan(v)]
        assert np.all((v >= 0) & (v <= 1 + 1e-12)), f"{col} outside [0, 1]"
    for col in ("ot_plasma_mean", "cortisol_mean", "testosterone", "prolactin_base", "estradiol",
                "infant_cortisol_final"):
        v = df[col].to_numpy(dtype=float)
        v = v[~np.isnan(v)]
        assert np.all(np.isfinite(v) & (v > 0)), f"{col} not positive and finite"
    counts = ["gaze", "affectionate_touch", "stimulatory_touch", "vocalisation", "responses", "frightening", "feeds"]
    assert np.all(df[counts].to_numpy() >= 0)
    assert np.all(df["gaze"] <= df["responses"]) and np.all(df["frightening"] <= df["responses"])
    ts = sim.recorder
    assert np.all(np.isfinite(ts.infant[~np.isnan(ts.infant)]))
    cgv = ts.caregiver[~np.isnan(ts.caregiver)]
    assert np.all(np.isfinite(cgv))


@settings(max_examples=15, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(point=param_points(), seed=st.integers(0, 2**31 - 1))
def test_states_stay_finite_and_physiological_for_any_parameters_in_bounds(point, seed):
    sim = Simulation(ParamSet.uniform(20, point), 0.3, seed).run()
    _check_state(sim)
    _check_outcomes(sim)


@settings(max_examples=15, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(point=param_points())
def test_parameter_sets_out_of_bounds_are_rejected(point):
    """The validated path refuses any value just outside a bound, naming the field."""
    import pytest
    from bonding.model import ParameterError

    name = next(iter(point))
    p = PARAMS[name]
    for bad in (p.lo - max(1e-6, abs(p.lo) * 1e-6), p.hi + max(1e-6, abs(p.hi) * 1e-6)):
        with pytest.raises(ParameterError, match=name):
            ParamSet.uniform(2, {name: bad})
