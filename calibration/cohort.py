"""Cheap population summaries of ONE simulated cohort, the simulator behind ``bonding calibrate``.

A cohort is a ``bonding run`` of a scenario (default ``baseline``, the low-risk population of
A1/A2) for H households and M >= 12 months, with the virtual lab's Strange Situation hook at 12
months (``experiments.lab.ssp.ssp_hook``, registered in ``experiments.run.OUTCOME_HOOKS``). From
its dyad table (``model.outcomes.dyad_outcomes`` plus the ``ssp_*`` columns) every summary the
calibration can target is computed at once, per caregiver role:

* ``share_<role>_<class>``: A/B/C/D share of the procedure-coded classes (no coder noise: coder
  noise that keeps a class with probability sqrt(kappa), else draws from the sample's own
  marginals, leaves expected shares unchanged), as ``bonding validate``'s SSP arms;
* ``r_latent_<role>``: Pearson r between the caregiver's latent sensitivity (mean over months
  3-9) and the infant's security (class B) with that caregiver, as registry study A6 computes
  it with its ``outcomes`` and ``ssp`` visits at 12 months;
* ``r_observed_<role>``: the same r after the lab's measurement layer (a global sensitivity
  rating with the lab's inter-rater ICC, one SSP coder with the lab's kappa;
  ``experiments.lab.measures``), as registry studies A7 and A8 observe it;
* ``t_change_<role>``: the median % change of testosterone from the pre-fatherhood set-point
  (registry study P1, at the end of the run rather than at a 10:00 visit, without assay noise).

Each statistic comes with its simulation standard error ``<key>__se`` estimated from the same
cohort (binomial for a share, (1 - r^2)/sqrt(n - 1) for r, 1.2533 SD/sqrt(n) for a median), which
the ABC distance adds to the published study's sampling error.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from bonding.model.params import ParameterError

SSP_AGE_MONTHS = 12.0
MIN_MONTHS = SSP_AGE_MONTHS  # the cohort must reach the Strange Situation at 12 months
CLASSES = ("A", "B", "C", "D")
ROLES = ("mother", "father")
STATISTICS = {  # statistic kind -> (roles allowed, needs a class)
    "ssp_share": (ROLES, True),
    "sensitivity_security_r_latent": (ROLES, False),
    "sensitivity_security_r_observed": (ROLES, False),
    "testosterone_median_pct_change": (("father",), False),
}
MEDIAN_SE_FACTOR = math.sqrt(math.pi / 2)  # SE of a median = 1.2533 SD / sqrt(n) (normal data)
MEASUREMENT_STREAM = 0xA7A8  # seed tag of the measurement layer's noise


def summary_key(kind: str, role: str, klass: str | None = None) -> str:
    """The name of a summary statistic in the simulator's output (and in the pyabc database)."""
    if kind == "ssp_share":
        return f"share_{role}_{klass}"
    prefix = {"sensitivity_security_r_latent": "r_latent", "sensitivity_security_r_observed": "r_observed",
              "testosterone_median_pct_change": "t_change"}[kind]
    return f"{prefix}_{role}"


def all_keys() -> list[str]:
    """Every summary key a cohort produces (targets pick some; the rest are reported untargeted)."""
    keys = []
    for kind, (roles, with_class) in STATISTICS.items():
        for role in roles:
            keys += [summary_key(kind, role, c) for c in CLASSES] if with_class else [summary_key(kind, role)]
    return keys


def share_se(p: float, n: float) -> float:
    """Binomial standard error of a share ``p`` in ``n`` units."""
    return math.sqrt(max(p * (1.0 - p), 0.0) / n) if n > 0 else math.inf


def correlation_se(r: float, n: float) -> float:
    """Large-sample standard error of Pearson's r, (1 - r^2) / sqrt(n - 1)."""
    return (1.0 - r * r) / math.sqrt(n - 1.0) if n > 1 else math.inf


def _pearson(x: np.ndarray, y: np.ndarray) -> tuple[float, int]:
    ok = np.isfinite(x) & np.isfinite(y)
    x, y = x[ok], y[ok]
    if x.size < 4 or x.std() == 0 or y.std() == 0:
        return math.nan, int(x.size)
    return float(np.corrcoef(x, y)[0, 1]), int(x.size)


def cohort_summaries(outcomes: pd.DataFrame, seed: int) -> dict[str, float]:
    """Every summary of :func:`all_keys` and its ``__se`` from one cohort's dyad table.

    ``seed`` seeds the measurement layer (ratings, coder) of the observed correlations.
    Undefined statistics (no dyads of a role, no variance) are NaN.
    """
    from bonding.experiments.lab import measures as ms

    if "ssp_attachment" not in outcomes:
        raise RuntimeError("the cohort has no ssp_attachment column (the SSP hook runs at 12 months)")
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), MEASUREMENT_STREAM]))
    out: dict[str, float] = {}
    for role in ROLES:
        o = outcomes[outcomes["role"] == role]
        cls = o["ssp_attachment"].to_numpy(dtype=object)
        n = cls.size
        for c in CLASSES:
            p = float(np.mean(cls == c)) if n else math.nan
            out[summary_key("ssp_share", role, c)] = p
            out[summary_key("ssp_share", role, c) + "__se"] = share_se(p, n) if n else math.nan
        sens = o["sensitivity"].to_numpy(float)
        secure = (cls == "B").astype(float)
        r, m = _pearson(sens, secure)
        out[summary_key("sensitivity_security_r_latent", role)] = r
        out[summary_key("sensitivity_security_r_latent", role) + "__se"] = correlation_se(r, m) if np.isfinite(r) else math.nan
        # measurement layer in a fixed order (rating, then coder), so the draws are reproducible
        ok = np.isfinite(sens)
        rated = np.full(sens.shape, np.nan)
        rated[ok] = ms.rating(sens[ok], rng)
        coded = ms.code_classes(cls, rng) if n else cls
        r_obs, m_obs = _pearson(rated, (coded == "B").astype(float))
        out[summary_key("sensitivity_security_r_observed", role)] = r_obs
        out[summary_key("sensitivity_security_r_observed", role) + "__se"] = (
            correlation_se(r_obs, m_obs) if np.isfinite(r_obs) else math.nan)
    f = outcomes.loc[outcomes["role"] == "father", "testosterone_change"].to_numpy(float) * 100.0
    f = f[np.isfinite(f)]
    key = summary_key("testosterone_median_pct_change", "father")
    out[key] = float(np.median(f)) if f.size else math.nan
    out[key + "__se"] = MEDIAN_SE_FACTOR * float(f.std(ddof=1)) / math.sqrt(f.size) if f.size > 1 else math.nan
    return out


class CohortSimulator:
    """``simulator(params, seed) -> summaries``: one cohort of ``households`` for ``months``.

    ``params`` are parameter overrides by name (validated against ``model.params.PARAMS``) on
    top of the scenario's own. Picklable (a Dask or process worker rebuilds nothing but the
    scenario), and free of global random state: the run's randomness comes from ``seed`` only.
    ``threads``: threads per cohort's simulation (``Simulation``); no result depends on it, so
    it is not part of :meth:`config`.
    """

    def __init__(self, households: int, months: float, scenario: str = "baseline", threads: int = 1):
        if months < MIN_MONTHS:
            raise ParameterError(f"--months: {months:g} is out of range (allowed {MIN_MONTHS:g} to 36: "
                                 "the Strange Situation is at 12 months)")
        self.households = int(households)
        self.months = float(months)
        self.scenario = scenario
        self.threads = int(threads)

    def config(self) -> dict:
        return {"simulator": "cohort", "households": self.households, "months": self.months,
                "scenario": self.scenario, "ssp_age_months": SSP_AGE_MONTHS}

    def run(self, params: dict[str, float], seed: int) -> pd.DataFrame:
        """The cohort's dyad table (``bonding run`` outcomes with the ``ssp_*`` columns)."""
        from bonding.experiments.run import run_scenario
        from bonding.experiments.scenarios import load_scenario

        scenario = load_scenario(self.scenario).with_overrides(params)
        return run_scenario(scenario, self.households, self.months, int(seed),
                            threads=getattr(self, "threads", 1)).outcomes

    def __call__(self, params: dict[str, float], seed: int) -> dict[str, float]:
        return cohort_summaries(self.run(params, seed), seed)


__all__ = ["CohortSimulator", "cohort_summaries", "summary_key", "all_keys", "STATISTICS", "CLASSES",
           "share_se", "correlation_se", "MEDIAN_SE_FACTOR"]
