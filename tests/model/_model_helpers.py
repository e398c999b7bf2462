"""Shared helpers for model-level tests: small runs through the public API only."""

from __future__ import annotations

import numpy as np
import pandas as pd
from bonding.model import ParamSet, Simulation
from bonding.model.outcomes import dyad_outcomes

_CACHE: dict = {}


def run(overrides=None, households=200, months=1.0, seed=11, interventions=()):
    """Run a uniform population and return the finished Simulation.

    Runs without interventions are cached (tests must treat the result as read-only).
    """
    key = (tuple(sorted((overrides or {}).items())), households, float(months), seed)
    if not interventions and key in _CACHE:
        return _CACHE[key]
    sim = Simulation(ParamSet.uniform(households, overrides or {}), months, seed, list(interventions)).run()
    if not interventions:
        _CACHE[key] = sim
    return sim


def outcomes(sim) -> pd.DataFrame:
    return pd.DataFrame(dyad_outcomes(sim))


def timeseries(sim) -> pd.DataFrame:
    return pd.DataFrame(sim.recorder.long_table())


def role_mean(sim, column, role="mother", df=None):
    df = outcomes(sim) if df is None else df
    return float(df.loc[df["role"] == role, column].astype(float).mean())


def series_mean(sim, variable, role, from_day=0):
    """Mean over days >= from_day (0 = birth) of a daily series."""
    ts = timeseries(sim)
    sel = (ts["variable"] == variable) & (ts["role"] == role) & (ts["day"] >= from_day)
    return float(ts.loc[sel, "value"].mean())


class OTDose:
    """An exogenous central-OT dose to every caregiver, every hour after birth (intervention interface).

    ``exogenous_ot`` is an hourly input channel, read only after birth (the engine refuses it in
    pregnancy, where it would act on nothing).
    """

    def __init__(self, dose=1.0):
        self.dose = dose

    def initialize(self, sim):
        pass

    def apply(self, sim):
        if sim.born:
            sim.cg.exogenous_ot[:] = self.dose * sim.cg.exists


def arrays_equal(a, b) -> bool:
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape:
        return False
    if a.dtype.kind in "fc":
        return bool(np.array_equal(a, b, equal_nan=True))
    return bool(np.array_equal(a, b))
