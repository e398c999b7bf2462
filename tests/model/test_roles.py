"""Role composition (model/roles.py): one pure function, used by the engine and the lab."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest
from bonding.model import roles
from bonding.model.params import PARAMS, ParamSet
from bonding.model.simulation import Simulation
from bonding.model.state import DAYCARE, FATHER, GRANDPARENT, MOTHER, SIBLING, K

ROOT = Path(__file__).resolve().parents[2]
ROLE_PARAMS = {"mother_role_weight", "grandparent_role_weight", "sibling_role_weight",
               "father_sensitivity_offset", "mother_stimulatory_share", "father_stimulatory_share",
               "sibling_stimulatory_share", "daycare_stimulatory_share", "touch_style_match"}


def test_defaults_give_the_documented_matrices():
    r = roles.role_matrices(ParamSet.uniform(3))
    np.testing.assert_array_equal(r.weight, np.tile([2.0, 1.0, 0.8, 0.3, 1.0], (3, 1)))
    np.testing.assert_array_equal(r.sensitivity_offset, np.tile([0.0, 0.4, 0.0, 0.0, 0.0], (3, 1)))
    np.testing.assert_array_equal(r.stimulatory_share, np.tile([0.25, 0.65, 0.25, 0.5, 0.4], (3, 1)))
    m = 0.7
    np.testing.assert_allclose(r.affectionate_match, np.tile([1, 1 - m, 1 - m / 2, 1 - m / 2, 1 - m / 2], (3, 1)))
    np.testing.assert_allclose(r.stimulatory_match, np.tile([1 - m, 1, 1 - m / 2, 1 - m / 2, 1 - m / 2], (3, 1)))
    for a in vars(r).values():
        assert a.shape == (3, K)


@pytest.mark.parametrize(("name", "field", "slot"), [
    ("grandparent_role_weight", "weight", GRANDPARENT), ("sibling_role_weight", "weight", SIBLING),
    ("mother_role_weight", "weight", MOTHER),
    ("father_sensitivity_offset", "sensitivity_offset", FATHER),
    ("sibling_stimulatory_share", "stimulatory_share", SIBLING),
    ("daycare_stimulatory_share", "stimulatory_share", DAYCARE),
])
def test_each_role_parameter_moves_only_its_slot_and_household(name, field, slot):
    lo, hi = PARAMS[name].lo, PARAMS[name].hi
    p = ParamSet.stacked([{name: lo}, {name: hi}], 1)
    m = getattr(roles.role_matrices(p), field)
    assert m[0, slot] == lo and m[1, slot] == hi
    others = [k for k in range(K) if k != slot]
    np.testing.assert_array_equal(m[0, others], m[1, others])


def test_touch_style_match_zero_makes_every_style_release_fully():
    r = roles.role_matrices(ParamSet.uniform(2, {"touch_style_match": 0.0}))
    np.testing.assert_array_equal(r.affectionate_match, np.ones((2, K)))
    np.testing.assert_array_equal(r.stimulatory_match, np.ones((2, K)))


def test_the_engine_uses_role_matrices():
    p = ParamSet.uniform(4, {"sibling_role_weight": 2.5, "daycare_stimulatory_share": 0.9})
    sim = Simulation(p, 0.1, seed=1)
    r = roles.role_matrices(p)
    for engine, field in (("role_weight", "weight"), ("role_sens", "sensitivity_offset"),
                          ("stim_share", "stimulatory_share"), ("aff_match", "affectionate_match"),
                          ("stim_match", "stimulatory_match")):
        np.testing.assert_array_equal(getattr(sim, engine), getattr(r, field))


def test_a_heavier_sibling_weight_gives_the_sibling_more_responses():
    """Direction: the division-of-labour weight is live in the hourly engine."""
    from bonding.model.outcomes import dyad_outcomes

    shares = []
    for w in (0.3, 3.0):
        p = ParamSet.uniform(40, {"p_older_sibling": 1.0, "sibling_role_weight": w})
        out = dyad_outcomes(Simulation(p, 1.0, seed=4).run())
        sib = np.asarray(out["role"]) == "sibling"
        shares.append(np.asarray(out["responses"])[sib].sum() / np.asarray(out["responses"]).sum())
    assert shares[1] > shares[0] > 0


def _attribute_reads(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    return {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}


def test_no_module_but_roles_composes_role_matrices():
    """Role parameters are read in model/roles.py only (the engine and the lab call role_matrices)."""
    offenders = {}
    for folder in ("model", "experiments", "calibration"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path == ROOT / "model" / "roles.py":
                continue
            hits = _attribute_reads(path) & ROLE_PARAMS
            if hits:
                offenders[str(path.relative_to(ROOT))] = sorted(hits)
    assert not offenders, f"role parameters read outside model/roles.py: {offenders}"


def test_days_per_month_has_one_home():
    """The length of a month (days) is written once, as model.state.DAYS_PER_MONTH."""
    from bonding.model.state import DAYS_PER_MONTH

    literal = repr(DAYS_PER_MONTH)
    found = [str(p.relative_to(ROOT)) for folder in ("model", "experiments", "calibration")
             for p in sorted((ROOT / folder).rglob("*.py")) if literal in p.read_text()]
    assert found == ["model/state.py"]
