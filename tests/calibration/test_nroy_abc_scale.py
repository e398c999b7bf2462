"""The NROY ABC samples on the logit scale of the box: same prior, proposals never leave the box.

In tens of dimensions a perturbation on the natural scale almost never lands inside every bound
(the first real run, 102 free parameters, stalled in generation 1: docs/calibration.md); on the
logit scale the support is the real line, so generation 1 completes.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from bonding.calibration.abc import natural_values, prior
from bonding.calibration.nroy_abc import NROYProblem, run_nroy_abc
from bonding.calibration.standin import LinearStandIn
from bonding.calibration.study_targets import parse_targets
from bonding.model.params import PARAMS
from scipy import stats

ACTIVE = ("sensitivity_trait_sd", "base_sensitivity")
INERT = tuple(n for n in PARAMS if n not in ACTIVE and PARAMS[n].hi > PARAMS[n].lo)[:48]
BOX = {n: (PARAMS[n].lo, PARAMS[n].hi) for n in ACTIVE + INERT}
STANDIN = LinearStandIn({"y1": (0.0, {"sensitivity_trait_sd": 0.5}, 0.01),
                         "y2": (0.0, {"base_sensitivity": 0.2}, 0.01)})
TARGETS = parse_targets({
    "meta": {"chosen_on": "2026-12-07", "chosen_at_commit": "9684daa"},
    "targets": {
        "Y1": {"study": "y1", "source": "x", "role": "fit", "kind": "value", "value": 0.3, "se": 0.02,
               "scale": "identity", "confidence": "H"},
        "Y2": {"study": "y2", "source": "x", "role": "fit", "kind": "value", "value": 0.1, "se": 0.02,
               "scale": "identity", "confidence": "H"}}}, studies=("y1", "y2")).targets


def test_the_logit_scale_prior_is_the_uniform_box():
    problem = NROYProblem(TARGETS, BOX)
    rv = prior(problem)
    np.random.seed(7)  # noqa: NPY002  (pyabc draws from numpy's global generator)
    draws = [natural_values(problem, rv.rvs()) for _ in range(4000)]
    for name in ACTIVE + INERT[:3]:
        lo, hi = BOX[name]
        u = (np.array([d[name] for d in draws]) - lo) / (hi - lo)
        assert u.min() >= 0.0 and u.max() <= 1.0
        assert stats.kstest(u, "uniform").pvalue > 0.001, name


def test_natural_scale_proposals_leave_a_50_dimensional_box_but_logit_ones_cannot():
    rng = np.random.default_rng(3)
    d = len(BOX)
    particles = rng.uniform(size=(24, d))  # a generation spread over the unit box
    cov = 2.0 * np.cov(particles.T)  # the ABC's kernel: twice the weighted covariance
    proposals = particles[rng.integers(0, 24, 4000)] + rng.multivariate_normal(np.zeros(d), cov, 4000)
    inside = np.all((proposals >= 0) & (proposals <= 1), axis=1).mean()
    assert inside < 0.001  # natural scale: almost every proposal is outside and redrawn
    problem = NROYProblem(TARGETS, BOX)
    u = {n: float(v) for n, v in zip(BOX, proposals[0] * 40 - 20, strict=True)}  # any real u
    theta = natural_values(problem, u)
    assert all(BOX[n][0] <= theta[n] <= BOX[n][1] for n in BOX)


@pytest.fixture(scope="module")
def abc50(tmp_path_factory):
    out = tmp_path_factory.mktemp("abc50") / "abc"
    run_nroy_abc(TARGETS, BOX, STANDIN, out, seed=2, population=40, generations=3, log=lambda *a: None)
    return out


def test_an_abc_over_50_parameters_completes_and_learns_the_active_ones(abc50):
    man = json.loads((abc50 / "manifest.json").read_text())
    assert man["status"] == "complete" and man["generations"] == 3
    import pandas as pd

    s = pd.read_csv(abc50 / "posterior_summary.csv").set_index("parameter")
    assert s.loc["sensitivity_trait_sd", "sd_vs_box"] < 0.7  # learned from Y1
    post = pd.read_parquet(abc50 / "posterior.parquet")
    for n, (lo, hi) in BOX.items():
        assert post[n].between(lo, hi).all(), n
