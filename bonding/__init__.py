"""bonding: caregiver-infant bonding driven by hormonal states.

One import namespace over the project's three folders (mapped in ``pyproject.toml``):
``bonding.model`` (the pure model: ``model/``), ``bonding.experiments`` (scenarios, runs, the
virtual lab, the dashboard: ``experiments/``) and ``bonding.calibration`` (sensitivity analysis and
calibration: ``calibration/``). A user's own ``model.py`` or ``experiments/`` folder cannot shadow them.

The everyday names are here::

    from bonding import BondingModel, Scenario, run

    result = run("baseline", households=200, months=12, seed=1)   # a RunResult
    result.outcomes.groupby("role")["bond"].mean()

Names load on first use, so ``import bonding`` (and ``bonding --help``) stays light: the compiled
engine loads only when a model is built.
"""

from __future__ import annotations

import importlib

# public name -> (module, attribute)
_EXPORTS = {
    "BondingModel": ("bonding.model.bonding_model", "BondingModel"),
    "Simulation": ("bonding.model.simulation", "Simulation"),
    "ParamSet": ("bonding.model.params", "ParamSet"),
    "PARAMS": ("bonding.model.params", "PARAMS"),
    "ParameterError": ("bonding.model.params", "ParameterError"),
    "Scenario": ("bonding.experiments.scenarios", "Scenario"),
    "load_scenario": ("bonding.experiments.scenarios", "load_scenario"),
    "available_scenarios": ("bonding.experiments.scenarios", "available_scenarios"),
    "RunResult": ("bonding.experiments.run", "RunResult"),
}

__all__ = [*_EXPORTS, "run"]


def run(scenario="baseline", households: int = 1000, months: float = 18.0, seed: int = 1, **overrides):
    """Run a scenario (a name, a TOML path or a :class:`Scenario`) and return its ``RunResult``.

    ``overrides`` set parameters by name (``run("baseline", 200, 12, 1, ot_social_touch=0)``);
    an unknown name or a value out of range raises :class:`ParameterError` naming the field.
    ``result.outcomes`` has one row per infant-caregiver dyad, ``result.timeseries`` the daily means
    by role; ``bonding.experiments.run.write_run(result, folder)`` writes them as the CLI does.
    """
    from bonding.experiments.run import run_scenario
    from bonding.experiments.scenarios import Scenario, load_scenario

    sc = scenario if isinstance(scenario, Scenario) else load_scenario(str(scenario))
    if overrides:
        sc = sc.with_overrides(overrides)
    return run_scenario(sc, int(households), float(months), int(seed))


def __getattr__(name: str):
    if name in _EXPORTS:
        module, attr = _EXPORTS[name]
        value = getattr(importlib.import_module(module), attr)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'bonding' has no attribute {name!r}")


def __dir__():
    return sorted([*globals(), *_EXPORTS])
