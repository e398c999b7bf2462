"""SALib problems derived from the parameter declaration (never retyped).

>>> problem = salib_problem(["ot_synchrony", "cortisol_halflife"])
>>> problem["bounds"]
[[0.0, 2.0], [40.0, 120.0]]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from bonding.model.params import PARAMS, ParameterError, ParamSet


def salib_problem(names: Sequence[str] | None = None, group: str | None = None) -> dict:
    """A SALib problem dict for the named parameters (or all of a group, or all)."""
    if names is None:
        names = [n for n, p in PARAMS.items() if group is None or p.group == group]
    unknown = [n for n in names if n not in PARAMS]
    if unknown:
        raise ParameterError(f"names: {unknown[0]}: unknown parameter; `bonding params` lists them")
    if not names:
        raise ParameterError(f"group: {group!r} has no parameters")
    return {"num_vars": len(names), "names": list(names),
            "bounds": [[PARAMS[n].lo, PARAMS[n].hi] for n in names]}


def design_to_paramset(problem: dict, X: np.ndarray, households_per_point: int,
                       base: dict | None = None) -> ParamSet:
    """Turn a SALib sample matrix into one population: ``households_per_point`` per row.

    Whole-number parameters are rounded. All design points then run as one vectorised
    population (households carry their own parameter values).
    """
    points = []
    for row in np.atleast_2d(X):
        pt = dict(base or {})
        for name, value in zip(problem["names"], row, strict=True):
            pt[name] = round(value) if PARAMS[name].integer else float(value)
        points.append(pt)
    return ParamSet.stacked(points, households_per_point)
