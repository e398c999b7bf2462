"""A closed-form stand-in for the cohort simulator, to check the ABC machinery in seconds.

The real simulator (:class:`calibration.cohort.CohortSimulator`) takes seconds per particle, so
the tests check what does not depend on the model (that the posterior moves towards known
parameter values, that one seed gives one posterior whatever the workers, that a killed run
resumes) with this stand-in: every summary is a linear function of the free parameters plus
Gaussian noise from the particle's seed, with the same interface and the same ``__se`` keys.

>>> sim = LinearStandIn({"share_mother_A": (0.1, {"sensitivity_trait_sd": 0.1}, 0.02)})
>>> round(sim({"sensitivity_trait_sd": 1.0}, seed=1)["share_mother_A__se"], 3)
0.02
"""

from __future__ import annotations

import numpy as np


class LinearStandIn:
    """``summary = intercept + sum(slope * parameter) + N(0, noise_sd)`` for each summary key.

    ``spec``: ``{key: (intercept, {parameter: slope}, noise_sd)}``. Picklable; no global state.
    """

    def __init__(self, spec: dict[str, tuple[float, dict[str, float], float]]):
        self.spec = {k: (float(a), {p: float(b) for p, b in slopes.items()}, float(sd))
                     for k, (a, slopes, sd) in spec.items()}

    def config(self) -> dict:
        return {"simulator": "linear_stand_in", "spec": {k: [a, s, sd] for k, (a, s, sd) in self.spec.items()}}

    def mean(self, params: dict[str, float]) -> dict[str, float]:
        """The noise-free summaries (for checks)."""
        return {k: a + sum(b * params[p] for p, b in slopes.items()) for k, (a, slopes, _) in self.spec.items()}

    def __call__(self, params: dict[str, float], seed: int) -> dict[str, float]:
        rng = np.random.default_rng(np.random.SeedSequence([int(seed), 0x57A4D]))
        out = {}
        for k, m in self.mean(params).items():
            sd = self.spec[k][2]
            out[k] = float(m + sd * rng.standard_normal())
            out[k + "__se"] = sd
        return out


__all__ = ["LinearStandIn"]
