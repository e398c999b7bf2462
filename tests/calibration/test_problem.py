import numpy as np
import pytest
from bonding.calibration.problem import design_to_paramset, salib_problem
from bonding.model.params import PARAMS, ParameterError
from SALib.sample import sobol


def test_problem_bounds_come_from_the_declaration():
    prob = salib_problem(group="ot_domains")
    assert prob["names"] and all(PARAMS[n].group == "ot_domains" for n in prob["names"])
    assert prob["bounds"] == [[PARAMS[n].lo, PARAMS[n].hi] for n in prob["names"]]


def test_unknown_name_is_a_one_line_error():
    with pytest.raises(ParameterError, match="nonsense: unknown parameter"):
        salib_problem(["nonsense"])


def test_sobol_design_runs_as_one_population():
    prob = salib_problem(["ot_synchrony", "bond_learning_rate"])
    X = sobol.sample(prob, 4, calc_second_order=False, seed=3)
    ps = design_to_paramset(prob, X, households_per_point=3)
    assert ps.n == len(X) * 3
    assert np.allclose(ps.ot_synchrony.reshape(len(X), 3)[:, 0], X[:, 0])
    assert np.all((ps.bond_learning_rate >= 0) & (ps.bond_learning_rate <= 0.2))
