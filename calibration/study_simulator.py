"""The real simulator of a field-scale calibration: the targets' virtual studies at a parameter point.

One call runs each named registry study once (one replicate, its published sample size) with
the point's values as overrides of the declared defaults (a study's own overrides, which define
its sample, win: ``experiments.lab.validate.with_sets``) and returns the study's statistic by
study name. Every study runs with one seed derived from ``seed``, so studies of the same
population (A1 and A2_*) share one simulation (``run_study``'s cache), as in ``bonding validate``;
the outputs depend only on (point, seed).
"""

from __future__ import annotations

import numpy as np


class StudySimulator:
    """``simulator(params, seed) -> {study: statistic}`` over ``studies`` (picklable)."""

    def __init__(self, studies):
        self.studies = tuple(studies)

    def config(self) -> dict:
        return {"simulator": "virtual studies (one replicate each)", "studies": list(self.studies)}

    def __call__(self, params: dict[str, float], seed: int) -> dict[str, float]:
        from bonding.experiments.lab.studies import run_study
        from bonding.experiments.lab.validate import load_study_with_sets

        cache: dict = {}
        out = {}
        s = int(np.random.SeedSequence(int(seed) % 2**63).generate_state(1)[0])
        for name in self.studies:
            study = load_study_with_sets(name, dict(params))
            rows = run_study(study, 1, s, cache=cache)
            out[name] = float(rows[0]["value"])
        return out


__all__ = ["StudySimulator"]
