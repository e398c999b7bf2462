"""Mesa integration: agents are live views of the engine's arrays; DataCollector collects daily."""

from __future__ import annotations

import numpy as np
import pytest
from bonding.model.agents import Alloparent, Father, Infant, Mother
from bonding.model.bonding_model import BondingModel
from bonding.model.state import PRENATAL_DAYS

H = 60


@pytest.fixture(scope="module")
def born_model():
    m = BondingModel(households=H, months=0.25, rng=3)
    for _ in range(24 * PRENATAL_DAYS + 30):  # 30 hours after birth
        m.step()
    return m


def test_agents_by_type_counts_match_household_composition():
    m = BondingModel(households=H, months=0.1, rng=3,
                     params={"p_grandparent_coresident": 0.5, "p_older_sibling": 0.5, "p_daycare": 0.5})
    ex = m.sim.cg.exists
    by = m.agents_by_type
    assert len(by[Mother]) == ex[:, 0].sum() == H
    assert len(by[Father]) == ex[:, 1].sum()
    assert len(by[Alloparent]) == ex[:, 2:].sum() > 0
    assert len(by[Infant]) == H
    roles = {a.role for a in by[Alloparent]}
    assert roles == {"grandparent", "sibling", "daycare"}
    # each caregiver agent sits at an existing slot of its household
    for a in list(by[Mother]) + list(by[Father]) + list(by[Alloparent]):
        assert ex[a.household, a.slot]


def test_agent_attributes_read_live_state_and_change_after_steps(born_model):
    m = born_model
    sim = m.sim
    mother = next(iter(m.agents_by_type[Mother]))
    h = mother.household
    for attr, arr in (("cortisol", sim.cg.cortisol), ("oxytocin", sim.cg.ot_plasma), ("bond", sim.cg.bond),
                      ("oxytocin_central", sim.cg.ot_central), ("estradiol", sim.cg.estradiol)):
        assert getattr(mother, attr) == arr[h, 0], attr
    before = {a: getattr(mother, a) for a in ("cortisol", "oxytocin_central", "estradiol")}
    infants = list(m.agents_by_type[Infant])
    inf_before = np.array([i.cortisol for i in infants])
    for _ in range(30):
        m.step()
    assert mother.cortisol == sim.cg.cortisol[h, 0]
    assert mother.cortisol != before["cortisol"], "cortisol did not change over 30 hours"
    assert mother.estradiol != before["estradiol"], "estradiol did not change after a day boundary"
    inf_after = np.array([i.cortisol for i in infants])
    assert np.array_equal(inf_after, sim.inf.cortisol[[i.household for i in infants]])
    assert not np.array_equal(inf_after, inf_before)
    # writing the engine array is seen by the agent immediately (no copies)
    sim.cg.bond[h, 0] = 0.123
    assert mother.bond == 0.123


def test_infant_working_model_lists_existing_caregivers(born_model):
    m = born_model
    for inf in list(m.agents_by_type[Infant])[:10]:
        wm = inf.working_model()
        ex = m.sim.cg.exists[inf.household]
        assert len(wm) == ex.sum()
        assert "mother" in wm
        assert all(0.0 <= v <= 1.0 for v in wm.values())


def test_datacollector_collects_once_per_day_and_runs_to_completion():
    m = BondingModel(households=20, months=0.2, rng=1, agents=False)
    while m.running:
        m.step()
    df = m.datacollector.get_model_vars_dataframe()
    assert m.sim.done
    assert len(df) == m.sim.n_days + 1  # initial collection + one per day
    assert {"bond_mother", "cortisol_mother", "testosterone_father", "infant_cortisol"} <= set(df.columns)
    assert df["cortisol_mother"].iloc[-1] == pytest.approx(np.mean(m.sim.cg.cortisol[:, 0]))
    # daily rows track the engine: the prenatal bond grows across pregnancy, fathers' T falls
    assert df["bond_mother"].iloc[PRENATAL_DAYS] > df["bond_mother"].iloc[1]
    assert df["testosterone_father"].iloc[-1] < df["testosterone_father"].iloc[0]
    assert df["bond_mother"].nunique() > 10


def test_live_prolactin_of_mothers_rises_across_pregnancy():
    m = BondingModel(households=20, months=0.0, rng=1, agents=True)
    while m.running:
        m.step()
    df = m.datacollector.get_model_vars_dataframe()
    assert df["prolactin_mother"].iloc[-1] > 100.0
    mother = next(iter(m.agents_by_type[Mother]))
    assert mother.prolactin == pytest.approx(m.sim.cg.prolactin_base[mother.household, 0], rel=0.05)
