"""Knock-out and dose tests of the depression mechanism (issue 14 item 6), common random numbers.

* partner contagion (``partner_depression_risk``, a log hazard ratio; 0 = off) is what couples the
  parents' episodes: with it off the couple correlation drops;
* the maternal hazard ratio (the ``postpartum_depression`` scenario's lever) raises maternal
  prevalence and, through contagion, paternal prevalence;
* the chronic class (``depression_chronic_share``) keeps episodes in course longer;
* prenatal episodes (``maternal_prenatal_depression``) are carried across birth.
"""

from __future__ import annotations

import numpy as np
from bonding.model import ParamSet, Simulation
from bonding.model.state import FATHER, MOTHER

H = 400
SEED = 21


def _depressed_at_end(overrides, months):
    sim = Simulation(ParamSet.uniform(H, overrides), months, SEED).run()
    both = sim.cg.exists[:, MOTHER] & sim.cg.exists[:, FATHER]
    return sim.cg.depressed[both][:, [MOTHER, FATHER]].astype(float), sim


def _phi(d):
    return float(np.corrcoef(d[:, 0], d[:, 1])[0, 1])


# a regime with many episodes, so that 400 couples show the coupling
RISKY = {"maternal_prenatal_depression": 0.2, "paternal_prenatal_depression": 0.1,
         "maternal_depression_hazard_ratio": 3.0, "paternal_depression_onset_base": 0.001}


def test_partner_contagion_off_drops_the_couple_correlation():
    on, _ = _depressed_at_end({**RISKY, "partner_depression_risk": 1.8}, 3.0)
    off, _ = _depressed_at_end({**RISKY, "partner_depression_risk": 0.0}, 3.0)
    assert _phi(on) > _phi(off) + 0.1
    assert abs(_phi(off)) < 0.12  # what remains is shared household stress only
    # more fathers of depressed mothers are depressed with contagion on
    assert on[on[:, 0] == 1, 1].mean() > off[off[:, 0] == 1, 1].mean()


def test_maternal_hazard_ratio_raises_maternal_and_paternal_depression():
    base, _ = _depressed_at_end({}, 3.0)
    risk, _ = _depressed_at_end({"maternal_depression_hazard_ratio": 4.0}, 3.0)
    assert risk[:, 0].mean() > base[:, 0].mean() + 0.1
    assert risk[:, 1].mean() >= base[:, 1].mean()
    none, _ = _depressed_at_end({"maternal_depression_hazard_ratio": 0.0, "maternal_prenatal_depression": 0.0}, 3.0)
    assert none[:, 0].sum() == 0  # switch: no prenatal episodes and no onsets -> no maternal depression


def test_chronic_class_keeps_episodes_in_course():
    """All mothers start the window in an episode; after 4 months more remain with a larger chronic share."""
    start = {"maternal_prenatal_depression": 1.0, "maternal_depression_hazard_ratio": 0.0}
    fast, _ = _depressed_at_end({**start, "depression_chronic_share": 0.0}, 1.0)
    slow, _ = _depressed_at_end({**start, "depression_chronic_share": 1.0}, 1.0)
    # 90 days before birth + 1 month: remitting mean 90 d keeps exp(-120/90) = 26%, chronic exp(-120/540) = 80%
    assert 0.15 < fast[:, 0].mean() < 0.38
    assert 0.7 < slow[:, 0].mean() < 0.9


def test_prenatal_episodes_are_carried_across_birth():
    none, _ = _depressed_at_end({"maternal_prenatal_depression": 0.0}, 0.1)
    some, sim = _depressed_at_end({"maternal_prenatal_depression": 0.3}, 0.1)
    assert some[:, 0].mean() > none[:, 0].mean() + 0.15
    assert sim.cg.ever_depressed[:, MOTHER].mean() >= some[:, 0].mean()
