"""The real simulator of a field-scale calibration: the targets' virtual studies at a parameter point.

One call runs each named registry study once (one replicate, its published sample size) with
the point's values as overrides of the declared defaults (a study's own overrides, which define
its sample, win: ``experiments.lab.validate.with_sets``) and returns the study's statistic by
study name.

Studies of the same population (the same overrides: all 13 fit studies sample the baseline
population) share ONE simulation with the union of their visits and as many households as the
largest study needs (``experiments.lab.cohort_union.run_shared``); each study samples its own
units from it, exactly as ``run_study`` does. A study's numbers do not depend on which other
studies share the simulation (tests/calibration/test_shared_cohort.py). Every study runs with
one seed derived from ``seed``; the outputs depend only on (point, seed, the set of studies).
"""

from __future__ import annotations

from functools import cache

import numpy as np

SIMULATOR = "virtual studies on one shared cohort per population (one replicate each; experiments.lab.cohort_union)"


def evaluation_seed(seed: int) -> int:
    """The studies' seed of one evaluation (one draw of ``SeedSequence(seed)``)."""
    return int(np.random.SeedSequence(int(seed) % 2**63).generate_state(1)[0])


@cache
def registry_study(name: str):
    """A registry study, read once per process (parsing the registry takes ~75 ms; an
    evaluation reads 13 studies). ``with_sets`` copies it before a point's overrides go in."""
    from bonding.experiments.lab.studies import load_study

    return load_study(name)


class StudySimulator:
    """``simulator(params, seed) -> {study: statistic}`` over ``studies`` (picklable)."""

    def __init__(self, studies):
        self.studies = tuple(studies)

    def config(self) -> dict:
        return {"simulator": SIMULATOR, "studies": list(self.studies)}

    def __call__(self, params: dict[str, float], seed: int) -> dict[str, float]:
        from bonding.experiments.lab.cohort_union import run_shared
        from bonding.experiments.lab.validate import with_sets

        studies = [with_sets(registry_study(name), dict(params)) for name in self.studies]
        rows = run_shared(studies, 1, evaluation_seed(seed))
        return {name: float(rows[name][0]["value"]) for name in self.studies}


__all__ = ["StudySimulator", "evaluation_seed", "SIMULATOR"]
