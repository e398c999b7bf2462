"""Shared cohorts (experiments/lab/cohort_union.py): studies of one population simulated once.

A study's visit data and statistic must not depend on which other studies share its
simulation: bit-identical to the study simulated alone (same seed and households), whatever
other visits are interleaved with its own; every procedure the fit studies use is read-only.
Small populations and visits in the first month (the SSP runs at 0.5 months here: its
machinery, not its developmental meaning, is what is tested).
"""

from __future__ import annotations

import numpy as np
import pytest
from bonding.experiments.lab import cohort_union as cu
from bonding.experiments.lab import studies as S
from bonding.experiments.lab.studies import ALL_PROCEDURES, Study
from bonding.model.params import ParamSet
from bonding.model.simulation import Simulation

H = 24
SEED = 7


def _study(name, visits, n=10, overrides=None, measures=None, statistic=None):
    spec = {"sample": {"unit": "household", "n": n, "roles": ["mother"]}, "visits": visits,
            "measures": measures or {"x": {"visit": next(iter(visits)), "var": "cortisol_1h_after", "role": "mother"},
                                     "y": {"visit": list(visits)[-1], "var": "cortisol_1h_after", "role": "mother",
                                           "observe": "cv", "cv": 0.1}},
            "statistic": statistic or {"kind": "pearson", "x": "x", "y": "y", "direction": "+"}}
    if overrides:
        spec["overrides"] = overrides
    return Study(name, spec)


# A: three visits; B and C interleave theirs before, between and at the same hours as A's, so
# A's visits have other ranks in the union than in A (the test would catch index seeding).
A = _study("A", {"pg": {"gest_week": 30, "procedure": "snapshot"},
                 "p": {"age_months": 0.2, "procedure": "play15"},
                 "s": {"age_months": 0.5, "procedure": "ssp"}})
B = _study("B", {"early": {"gest_week": 12, "procedure": "snapshot"},
                 "inoc": {"age_months": 0.1, "procedure": "inoculation"},
                 "p": {"age_months": 0.2, "procedure": "play15"},
                 "t": {"age_months": 0.3, "procedure": "tsst"},
                 "o": {"age_months": 0.5, "procedure": "outcomes"}}, n=16)
C = _study("C", {"s": {"age_months": 0.5, "procedure": "ssp"}, "o": {"age_months": 0.6, "procedure": "outcomes"}})


def _assert_same_data(a: dict, b: dict):
    assert a.keys() == b.keys()
    for visit, values in a.items():
        assert values.keys() == b[visit].keys(), visit
        for var, x in values.items():
            np.testing.assert_array_equal(np.asarray(x), np.asarray(b[visit][var]), err_msg=f"{visit}.{var}")


@pytest.fixture(scope="module")
def alone_and_union():
    _, alone = cu.simulate_union([A], H, SEED)
    _, union = cu.simulate_union([A, B, C], H, SEED)
    return alone, union


def test_union_ranks_differ_from_own_ranks():
    """The test below is meaningful: in the union A's visits are not at A's own positions."""
    schedule = sorted({k for s in (A, B, C) for k in cu.study_visit_keys(s).values()})
    own = cu.study_visit_keys(A)
    assert [schedule.index(k) for k in own.values()] != [k.rank for k in own.values()]


def test_a_study_inside_a_union_gets_bit_identical_visit_data(alone_and_union):
    alone, union = alone_and_union
    _assert_same_data(alone["A"], union["A"])


def test_union_of_one_study_equals_the_study_engine(alone_and_union):
    """One study alone in the union is experiments.lab.studies.simulate (run_study's engine)."""
    alone, _ = alone_and_union
    _, data = S.simulate(A, H, SEED)
    _assert_same_data(alone["A"], data)


def test_every_study_of_the_union_equals_its_own_simulation(alone_and_union):
    _, union = alone_and_union
    for s in (B, C):
        _assert_same_data(S.simulate(s, H, SEED)[1], union[s.name])


def test_statistic_in_the_union_equals_run_study():
    """With the households of its own block, run_shared returns run_study's rows exactly."""
    block = S._block(A)[0]
    assert cu.households_needed([A], 1) == block
    rows = cu.run_shared([A], 1, SEED)["A"]
    assert rows == S.run_study(A, 1, SEED)
    # inside a union whose largest study needs more households: A's rows equal A alone on them
    big = cu.households_needed([A, B], 1)
    assert big > block
    _, alone = cu.simulate_union([A], big, SEED)
    shared = cu.run_shared([A, B], 1, SEED)
    assert shared["A"] == S.replicate_rows(A, alone["A"], 1, SEED)
    assert shared["B"] == S.run_study(B, 1, SEED)  # B is the largest: its own households


def test_identical_visits_run_once_and_one_simulation_per_population(monkeypatch):
    calls, sims = [], []
    real_output, real_init = cu.visit_output, Simulation.__init__

    def counting_output(sim, proc, rng, before):
        calls.append((sim.hour, proc))
        return real_output(sim, proc, rng, before)

    def counting_init(self, params, *a, **k):
        sims.append(params.n)
        real_init(self, params, *a, **k)

    monkeypatch.setattr(cu, "visit_output", counting_output)
    monkeypatch.setattr(Simulation, "__init__", counting_init)
    A2 = Study("A2", dict(A.spec))  # A's design under another name: shares every visit
    other = Study("A_high", {**A.spec, "overrides": {"p_unresolved": 0.3}})
    cu.run_shared([A, A2, other], 1, SEED)
    assert len(sims) == 2  # the baseline population once, the overridden one once
    assert len(calls) == 2 * len(A.spec["visits"])  # A and A2 share their visits


def test_groups_follow_overrides():
    other = Study("A_high", {**A.spec, "overrides": {"p_unresolved": 0.3}})
    groups = cu.group_by_population([A, B, other, C])
    assert [[s.name for s in g] for g in groups.values()] == [["A", "B", "C"], ["A_high"]]
    with pytest.raises(ValueError, match="share their overrides"):
        cu.simulate_union([A, other], H, SEED)


def test_a_bad_procedure_is_refused_before_simulating():
    bad = _study("bad", {"v": {"age_months": 0.1, "procedure": "tickle"}})
    with pytest.raises(S.StudyError, match=r"bad\.visits\.v\.procedure: 'tickle' is not allowed"):
        cu.simulate_union([A, bad], H, SEED)


FIT_PROCEDURES = ("snapshot", "outcomes", "ssp", "play15", "inoculation")  # what the 13 fit studies use


def _state(sim):
    out = {}
    for part in ("cg", "inf", "hh"):
        for k, v in vars(getattr(sim, part)).items():
            if isinstance(v, np.ndarray):
                out[f"{part}.{k}"] = v.copy()
    out["counters"] = sim.counters.data.copy()
    return out


@pytest.mark.parametrize("procedure", sorted(set(FIT_PROCEDURES) | {"tsst", "ssc60", "play15_in_ot", "heel_stick"}))
def test_procedures_only_read_the_simulation(procedure):
    sim = Simulation(ParamSet.uniform(12), 0.3, 3)
    S.advance_to(sim, S._visit_hour({"age_months": 0.2}))
    before, hour = _state(sim), sim.hour
    ALL_PROCEDURES[procedure](sim, np.random.default_rng(1))
    after = _state(sim)
    assert sim.hour == hour
    for k, v in before.items():
        np.testing.assert_array_equal(after[k], v, err_msg=f"{procedure} wrote {k}")


def test_study_simulator_runs_the_fit_studies_on_one_shared_cohort(monkeypatch):
    """StudySimulator passes every study (with the point as overrides) to run_shared in one call."""
    from bonding.calibration import study_simulator as ss
    from bonding.experiments.lab import cohort_union

    seen = []

    def fake_run_shared(studies, replicates, seed, n=None, threads=1):
        seen.append(([s.name for s in studies], [s.spec.get("overrides") for s in studies], replicates, seed))
        return {s.name: [{"value": float(i)}] for i, s in enumerate(studies)}

    monkeypatch.setattr(cohort_union, "run_shared", fake_run_shared)
    sim = ss.StudySimulator(["A1", "P1", "PH15"])
    out = sim({"base_sensitivity": 0.4}, 5)
    assert out == {"A1": 0.0, "P1": 1.0, "PH15": 2.0}
    assert len(seen) == 1
    names, overrides, replicates, seed = seen[0]
    assert names == ["A1", "P1", "PH15"] and replicates == 1 and seed == ss.evaluation_seed(5)
    assert all(o == {"base_sensitivity": 0.4} for o in overrides)
    assert "shared cohort" in sim.config()["simulator"]
