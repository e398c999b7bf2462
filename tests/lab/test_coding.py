"""Known-answer tests of the SSP coder and classifier on scripted reunion streams."""

import numpy as np
from bonding.experiments.lab import coding
from bonding.experiments.lab.ssp import APPROACH, AVOID, CONTACT, EXPLORE

T = 180


def _one(stream, resist=None, initiative=None):
    s = np.asarray(stream, np.int8)[:, None]
    r = np.zeros((T, 1), bool) if resist is None else np.asarray(resist, bool)[:, None]
    i = np.zeros((T, 1), bool) if initiative is None else np.asarray(initiative, bool)[:, None]
    return {k: int(v[0]) for k, v in coding.code_reunion(s, r, i).items()}


def test_secure_reunion_scores():
    s = [APPROACH] * 5 + [CONTACT] * 100 + [EXPLORE] * 75
    init = [False] * 5 + [True] + [False] * 174
    sc = _one(s, initiative=init)
    assert sc == {"proximity_seeking": 7, "contact_maintaining": 6, "resistance": 1, "avoidance": 1}
    att, sec = coding.classify(np.array([7.0]), np.array([6.0]), np.array([1.0]), np.array([1.0]), np.array([1]))
    assert att[0] == "B" and sec[0] == "B"


def test_avoidant_reunion_scores():
    s = [AVOID] * 60 + [EXPLORE] * 120
    sc = _one(s)
    assert sc == {"proximity_seeking": 1, "contact_maintaining": 1, "resistance": 1, "avoidance": 7}
    att, _ = coding.classify(np.array([1.0]), np.array([1.0]), np.array([1.0]), np.array([7.0]), np.array([1]))
    assert att[0] == "A"


def test_resistant_reunion_scores():
    s = [APPROACH] * 20 + [CONTACT] * 160
    init = [False] * 20 + [True] + [False] * 159
    resist = [False] * 40 + [True] * 30 + [False] * 110
    sc = _one(s, resist=resist, initiative=init)
    assert sc["resistance"] == 7 and sc["contact_maintaining"] == 7 and sc["proximity_seeking"] == 6
    att, _ = coding.classify(np.array([6.0]), np.array([7.0]), np.array([7.0]), np.array([1.0]), np.array([1]))
    assert att[0] == "C"


def test_picked_up_without_approach_is_ps3_and_scale_bins():
    s = [EXPLORE] * 10 + [CONTACT] * 30 + [EXPLORE] * 140
    sc = _one(s)
    assert sc["proximity_seeking"] == 3 and sc["contact_maintaining"] == 4


def test_disorganisation_score_thresholds_and_d_with_secondary():
    z = np.zeros((T, 6), bool)
    conflict, freeze, appr = z.copy(), z.copy(), z.copy()
    conflict[:1, 1] = True          # M = 1  -> 2
    conflict[:5, 2] = True          # M = 5  -> 5 (D)
    freeze[:15, 3] = True           # M = 5  -> 5 (D)
    appr[:60, 4] = True             # M = 20 -> 9
    conflict[:3, 5] = True
    freeze[:3, 5] = True            # M = 4  -> 4
    d = coding.disorganisation_score(conflict, freeze, appr)
    assert d.tolist() == [1, 2, 5, 5, 9, 4]
    att, sec = coding.classify(np.full(6, 2.0), np.full(6, 2.0), np.full(6, 1.0), np.full(6, 6.0), d)
    assert att.tolist() == ["A", "A", "D", "D", "D", "A"]
    assert sec.tolist() == ["A"] * 6
