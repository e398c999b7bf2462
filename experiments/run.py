"""Run one scenario on a cohort of households and write its results.

``run_scenario`` runs the Mesa model and returns tables; ``write_run`` writes them:
``manifest.json`` (scenario, every parameter value, seed, versions, git commit, wall time),
``outcomes.parquet`` (one row per infant-caregiver dyad), ``timeseries.parquet`` (daily means
by role) and ``trajectories.png``. The folder follows the run-folder protocol
(:func:`experiments.provenance.check_run_folder`): the manifest says ``status = "running"``
before any data file is replaced and ``"complete"`` after the last, so a killed run never
leaves a manifest describing other data; files are written atomically.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from bonding.experiments.provenance import (
    atomic_write_json,
    atomic_write_parquet,
    check_run_folder,
    environment,
    start_run_folder,
)
from bonding.experiments.scenarios import Scenario
from bonding.model.bonding_model import BondingModel
from bonding.model.outcomes import dyad_outcomes
from bonding.model.params import ParameterError, ParamSet
from bonding.model.state import DAYS_PER_MONTH


@dataclass
class RunResult:
    scenario: Scenario
    households: int
    months: float
    seed: int
    outcomes: pd.DataFrame
    timeseries: pd.DataFrame
    params: ParamSet
    wall_seconds: float
    model: BondingModel | None = None
    threads: int = 1

    def config(self) -> dict:
        return run_config(self.scenario, self.households, self.months, self.seed)

    def manifest(self) -> dict:
        return {"kind": "run", "status": "complete", "config": self.config(), "scenario": self.scenario.to_dict(),
                "households": self.households, "months": self.months, "seed": self.seed,
                "parameters": self.params.as_dict(), "wall_seconds": round(self.wall_seconds, 3),
                "threads": self.threads, **environment()}


def run_config(scenario: Scenario, households: int, months: float, seed: int) -> dict:
    """Everything that determines a run's files (compared when the folder is reused)."""
    import json

    cfg = {"scenario": scenario.to_dict(), "households": int(households), "months": float(months), "seed": int(seed)}
    return json.loads(json.dumps(cfg))


def _run_mismatch(old: dict, new: dict) -> str | None:
    for key in ("households", "months", "seed"):
        if old.get(key) != new.get(key):
            return f"a different run (--{key} was {old.get(key)!r}, now {new.get(key)!r})"
    if old.get("scenario") != new.get("scenario"):
        name = (old.get("scenario") or {}).get("name")
        return f"a different run (scenario {name!r}, or its parameters, differ)"
    return None


def check_run_out(out: Path, config: dict) -> dict:
    """The run-folder check for ``bonding run`` (before the simulation; nothing written)."""
    return check_run_folder(out, "run", "run", config, _run_mismatch)


# Hooks that add columns to the dyad outcomes at a given infant age (e.g. the virtual lab's
# Strange Situation). Each is ``(age_months, fn(sim) -> dict of arrays in dyad order)``.
OUTCOME_HOOKS: list = []
OUTCOME_HOOKS.append(__import__("bonding.experiments.lab.ssp", fromlist=["ssp_hook"]).ssp_hook(12.0))  # virtual lab: SSP at 12 mo (skipped if the run is shorter)


def run_scenario(scenario: Scenario, households: int, months: float, seed: int,
                 progress: bool = False, keep_model: bool = False,
                 params: ParamSet | None = None, threads: int = 1) -> RunResult:
    """Simulate ``households`` households under ``scenario`` for ``months`` after birth.

    ``params``: a prepared population instead of the scenario's values for every household,
    e.g. a stacked sensitivity design (``calibration.problem.design_to_paramset``) whose points
    already fold in the scenario's overrides; the scenario still supplies the interventions.
    ``threads``: threads sharing each day's household blocks (``Simulation``); the results do not
    depend on it, so it is recorded in the manifest but not in the run's configuration.
    """
    start = time.perf_counter()
    if params is None:
        params = ParamSet.uniform(households, scenario.params)
    elif params.n != households:
        raise ParameterError(f"households: {households} given but the population has {params.n}")
    model = BondingModel(households=households, months=months, params=params,
                         interventions=scenario.build_interventions(), rng=seed, agents=keep_model,
                         threads=threads)
    extra = _attach_hooks(model.sim, months)
    bar = _progress_bar(model.sim.n_days, progress)
    while model.running:
        model.step_day()  # the day-major block path; identical to 24 hourly steps
        if bar is not None and model.sim.hod == 0:
            bar.update(1)
    if bar is not None:
        bar.close()
    outcomes = pd.DataFrame(dyad_outcomes(model.sim))
    for cols in extra:
        for name, values in cols.items():
            if name not in ("household", "role"):
                outcomes[name] = values
    outcomes.insert(0, "scenario", scenario.name)
    ts = pd.DataFrame(model.sim.recorder.long_table())
    ts.insert(0, "scenario", scenario.name)
    return RunResult(scenario, households, months, seed, outcomes, ts, params,
                     time.perf_counter() - start, model if keep_model else None, int(threads))


def _attach_hooks(sim, months: float) -> list[dict]:
    """Register outcome hooks due within the run; their columns fill the returned list."""
    results: list[dict] = []
    for age, fn in OUTCOME_HOOKS:
        if age <= months:
            target_day = sim.n_days - int(round(months * DAYS_PER_MONTH)) + int(round(age * DAYS_PER_MONTH))

            def observer(s, fn=fn, target_day=target_day):
                if s.day == target_day:
                    results.append(fn(s))

            sim.observers.append(observer)
    return results


def _progress_bar(total: int, enabled: bool):
    if not enabled:
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="day", desc="simulating", leave=False)


def write_run(result: RunResult, out: Path, figure: bool = True) -> list[Path]:
    """Write the run's files into ``out`` (atomically; the manifest first as ``running``, last
    as ``complete``); return their paths."""
    out = Path(out)
    check_run_out(out, result.config())
    start_run_folder(out, {"kind": "run", "config": result.config()})
    paths = [out / "outcomes.parquet", out / "timeseries.parquet"]
    atomic_write_parquet(paths[0], result.outcomes, ("run", "outcomes.parquet"))
    atomic_write_parquet(paths[1], result.timeseries, ("run", "timeseries.parquet"))
    if figure:
        from bonding.experiments.plots import plot_trajectories

        paths.append(plot_trajectories(result.timeseries, out / "trajectories.png",
                                       title=f"{result.scenario.name}: {result.households} households"))
    atomic_write_json(out / "manifest.json", result.manifest())
    return paths + [out / "manifest.json"]


def summary_table(outcomes: pd.DataFrame) -> pd.DataFrame:
    """Mean of the main outcomes by role (for the console)."""
    cols = ["bond", "sensitivity", "synchrony", "share_sensitive", "care_hours", "caregiver_depressed",
            "ot_plasma_mean", "cortisol_mean", "iwm_expected_responsiveness"]
    col = next((c for c in ("ssp_attachment", "attachment") if c in outcomes), None)  # lab SSP at 12 mo
    if col is not None:
        outcomes = outcomes.assign(secure=(outcomes[col] == "B").astype(float),
                                   disorganised=(outcomes[col] == "D").astype(float))
        cols += ["secure", "disorganised"]
    table = outcomes.groupby("role")[cols].mean(numeric_only=True)
    table.insert(0, "dyads", outcomes.groupby("role").size())
    order = [r for r in ("mother", "father", "grandparent", "sibling", "daycare") if r in table.index]
    return table.loc[order]


__all__ = ["run_scenario", "write_run", "run_config", "check_run_out", "RunResult", "OUTCOME_HOOKS", "summary_table", "np"]
