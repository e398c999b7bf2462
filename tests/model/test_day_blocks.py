"""The day-major block path (``Simulation.step_day``, the default of ``run``) equals the hourly path bit for bit.

Households never interact within an hour and the hourly random numbers are counter-based, so
running each block of households through the whole day (model.kernel.postnatal_day) must leave
every state array, counter, daily record and outcome exactly as 24 hourly steps do, whatever
the block size (dividing the population or not, larger than it, one household).
"""

from __future__ import annotations

import numpy as np
import pytest
from _model_helpers import arrays_equal
from bonding.model import ParamSet, Simulation
from bonding.model.interventions import IntranasalOT, SensitivityCoaching
from bonding.model.outcomes import dyad_outcomes
from bonding.model.state import PRENATAL_DAYS

H, MONTHS, SEED = 36, 0.3, 5


def _scenario(name):
    from bonding.experiments.scenarios import load_scenario

    return load_scenario(name)


def _pair(name, block, interventions=None, hourly_only=False):
    """(hourly run, block run) of scenario ``name`` with fresh interventions each."""
    sc = _scenario(name)

    def make():
        ivs = sc.build_interventions() if interventions is None else interventions()
        return Simulation(ParamSet.uniform(H, sc.params), MONTHS, SEED, ivs, block_households=block)

    return make().run(hourly=True), make().run()


def _assert_identical(a, b):
    for owner in ("cg", "inf", "hh"):
        for name, arr in vars(getattr(a, owner)).items():
            if isinstance(arr, np.ndarray):
                assert arrays_equal(arr, getattr(getattr(b, owner), name)), f"{owner}.{name} differs"
    assert arrays_equal(a.counters.data, b.counters.data), "counters differ"
    ta, tb = a.recorder.long_table(), b.recorder.long_table()
    assert list(ta) == list(tb)
    for k in ta:
        assert arrays_equal(ta[k], tb[k]), f"daily record {k} differs"
    oa, ob = dyad_outcomes(a), dyad_outcomes(b)
    assert list(oa) == list(ob)
    for k in oa:
        assert arrays_equal(oa[k], ob[k]), f"outcome {k} differs"
    assert a.hour == b.hour


@pytest.mark.parametrize("block", [1, 7, 12, 36, 1024])  # 7 does not divide 36; 1024 > H
def test_block_path_equals_hourly_path_baseline(block):
    hourly, blocks = _pair("baseline", block)
    assert hourly.born and hourly.counters.data.sum() > 0  # postnatal days were simulated
    _assert_identical(hourly, blocks)


@pytest.mark.parametrize("block", [5, 12])
def test_block_path_equals_hourly_path_high_risk(block):
    """high_risk: clustered risk writes a daily channel at hour 0 only, so its days run in blocks."""
    hourly, blocks = _pair("high_risk", block)
    assert blocks.interventions and not any(iv.HOURLY for iv in blocks.interventions)
    _assert_identical(hourly, blocks)


def test_block_path_with_an_hour_zero_programme_in_the_hourly_rule_channel():
    """Coaching writes the hourly rule channel ``sensitivity_boost`` at hour 0; read each hour in the kernel."""
    def coaching():
        return [SensitivityCoaching(role="mother", month=0.0, weeks=4, ramp_weeks=0, boost=1.5, coverage=1.0)]

    hourly, blocks = _pair("baseline", 7, coaching)
    assert np.any(blocks.cg.sensitivity_boost != 0)
    _assert_identical(hourly, blocks)


def test_hourly_intervention_falls_back_to_the_hourly_path_with_identical_results(monkeypatch):
    """An intranasal dose writes hourly channels hour by hour: those days run hour by hour."""
    def dose():
        return [IntranasalOT(role="mother", month=0.0, days=3, coverage=1.0)]

    calls = {"day": 0}
    original = Simulation.postnatal_day

    def counted(self):
        calls["day"] += 1
        original(self)

    monkeypatch.setattr(Simulation, "postnatal_day", counted)
    hourly, blocks = _pair("baseline", 7, dose)
    assert calls["day"] == 0  # never the block kernel
    assert blocks.cg.ot_central.sum() != Simulation(ParamSet.uniform(H), MONTHS, SEED).run().cg.ot_central.sum()
    _assert_identical(hourly, blocks)


def test_block_path_runs_the_day_kernel_once_per_postnatal_day(monkeypatch):
    calls = {"day": 0, "hour": 0}
    day, hour = Simulation.postnatal_day, Simulation.postnatal_hour
    monkeypatch.setattr(Simulation, "postnatal_day", lambda s: (calls.__setitem__("day", calls["day"] + 1), day(s)))
    monkeypatch.setattr(Simulation, "postnatal_hour", lambda s: (calls.__setitem__("hour", calls["hour"] + 1), hour(s)))
    sim = Simulation(ParamSet.uniform(H), MONTHS, SEED).run()
    assert calls == {"day": sim.n_days - PRENATAL_DAYS, "hour": 0}


def test_step_day_starts_at_hour_zero_and_block_size_is_checked():
    sim = Simulation(ParamSet.uniform(4), 0.05, 1)
    sim.step()
    with pytest.raises(RuntimeError, match="hour 0"):
        sim.step_day()
    with pytest.raises(ValueError, match="block_households"):
        Simulation(ParamSet.uniform(4), 0.05, 1, block_households=0)


def test_run_finishes_a_started_day_hour_by_hour_then_continues_in_days():
    a = Simulation(ParamSet.uniform(H), MONTHS, SEED)
    for _ in range(24 * (PRENATAL_DAYS + 2) + 5):  # into the postnatal days, mid-day
        a.step()
    a.run()
    _assert_identical(Simulation(ParamSet.uniform(H), MONTHS, SEED).run(hourly=True), a)


def test_mesa_model_day_steps_equal_hourly_steps_with_the_same_daily_data():
    from bonding.model.bonding_model import BondingModel

    def model():
        return BondingModel(households=H, months=MONTHS, params=ParamSet.uniform(H), rng=SEED)

    a, b = model(), model()
    while a.running:
        a.step()
    while b.running:
        b.step_day()
    _assert_identical(a.sim, b.sim)
    da, db = a.datacollector.get_model_vars_dataframe(), b.datacollector.get_model_vars_dataframe()
    assert da.shape == db.shape and da.equals(db)


@pytest.mark.parametrize("block", [5, 7, 36])  # 8 blocks (4 a thread), 6 blocks, one block
def test_block_path_is_bit_identical_for_one_and_two_threads(block):
    import os

    if (os.cpu_count() or 1) < 2:
        pytest.skip("one core: no second thread to compare")
    one = Simulation(ParamSet.uniform(H), MONTHS, SEED, block_households=block).run()
    two = Simulation(ParamSet.uniform(H), MONTHS, SEED, block_households=block, threads=2).run()
    _assert_identical(one, two)
    _assert_identical(Simulation(ParamSet.uniform(H), MONTHS, SEED).run(hourly=True), two)


def test_threads_are_checked():
    import os

    for bad in (0, (os.cpu_count() or 1) + 1):
        with pytest.raises(ValueError, match="threads"):
            Simulation(ParamSet.uniform(4), 0.05, 1, threads=bad)


class _MorningStress:
    """Declared hour-0-only, but sets an hourly state channel (``acute_stress``) that acts every hour."""

    HOURLY = False

    def initialize(self, sim):
        pass

    def apply(self, sim):
        if sim.hod == 0 and sim.born:
            sim.cg.acute_stress[:, 0] = 0.05 * (sim.day % 2)  # every other day


def test_a_day_starting_with_an_hourly_state_channel_runs_hour_by_hour_identically(monkeypatch):
    calls = {"day": 0}
    original = Simulation.postnatal_day
    monkeypatch.setattr(Simulation, "postnatal_day", lambda s: (calls.__setitem__("day", calls["day"] + 1), original(s)))
    hourly, blocks = _pair("baseline", 7, lambda: [_MorningStress()])
    postnatal_days = blocks.n_days - PRENATAL_DAYS
    assert 0 < calls["day"] < postnatal_days  # the quiet days in blocks, the stressed ones hourly
    _assert_identical(hourly, blocks)
