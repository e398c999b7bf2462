"""The calibrated parameter set: written by ``bonding calibrate --method choose``, read behind a switch.

``calibration/calibrated.toml`` holds the chosen point of an ABC folder (``[parameters]``, by
name) and how it was chosen (``[meta]``: which point, the folder, seed, commit, date). It is
not the model's default yet: :func:`parameter_set` returns it only when asked for
``"calibrated"`` (or when the environment variable ``BONDING_PARAMETER_SET=calibrated``), and the
literature values (the declared defaults) otherwise; :func:`with_parameter_set` puts it under a
scenario's own overrides (the scenario wins), which is how a command would use it.
"""

from __future__ import annotations

import datetime
import os
from pathlib import Path

import numpy as np
import pandas as pd
from bonding.experiments.inputs import read_toml
from bonding.experiments.provenance import atomic_write_bytes, git_commit, readable_json
from bonding.model.params import ParameterError, validate_overrides

CALIBRATED_FILE = Path(__file__).resolve().parent / "calibrated.toml"
SETS = ("literature", "calibrated")
POINTS = ("posterior-median", "best-particle")
ENV = "BONDING_PARAMETER_SET"


def choose_point(abc_dir: Path, which: str = "posterior-median") -> dict[str, float]:
    """The chosen point of an ABC folder: the weighted marginal medians, or the particle with the
    smallest distance (ties: the first)."""
    from bonding.calibration.abc import weighted_quantile

    abc_dir = Path(abc_dir)
    man = readable_json(abc_dir / "manifest.json")
    if man is None or man.get("kind") != "calibrate-abc" or man.get("status") != "complete":
        raise ParameterError(f"--from {abc_dir}: not a finished ABC folder (allowed: the --out of --method abc)")
    if which not in POINTS:
        raise ParameterError(f"--point: {which!r} is not allowed (allowed {', '.join(POINTS)})")
    post = pd.read_parquet(abc_dir / "posterior.parquet")
    names = list(man["problem"]["box"])
    if which == "best-particle":
        row = post.iloc[int(np.argmin(post["distance"].to_numpy()))]
        return {n: float(row[n]) for n in names}
    w = post["weight"].to_numpy()
    return {n: weighted_quantile(post[n].to_numpy(), w, 0.5) for n in names}


def _toml_value(v) -> str:
    return repr(float(v)) if isinstance(v, float | int) else '"' + str(v).replace('"', "'") + '"'


def write_calibrated(path: Path, point: dict[str, float], meta: dict) -> Path:
    """Write the parameter set (checked against the declaration) atomically."""
    point = validate_overrides(point, where="calibrated point: ")
    lines = ["# The calibrated parameter set (bonding calibrate --method choose). Not the model default yet:",
             "# read only with BONDING_PARAMETER_SET=calibrated or calibration.calibrated.parameter_set('calibrated').",
             "", "[meta]"]
    meta = {"written_on": datetime.date.today().isoformat(), "git_commit": git_commit(), **meta}
    lines += [f"{k} = {_toml_value(v)}" for k, v in meta.items()]
    lines += ["", "[parameters]"] + [f"{k} = {float(v)!r}" for k, v in point.items()]
    atomic_write_bytes(Path(path), ("\n".join(lines) + "\n").encode())
    return Path(path)


def load_calibrated(path: Path | None = None) -> dict[str, float]:
    """The ``[parameters]`` of a calibrated file, each checked by name and bounds."""
    p = Path(path) if path is not None else CALIBRATED_FILE
    if not p.is_file():
        raise ParameterError(f"parameter set 'calibrated': {p} does not exist (run bonding calibrate --method choose)")
    data = read_toml(p, "calibrated parameter file")
    params = data.get("parameters")
    if not isinstance(params, dict) or not params:
        raise ParameterError(f"{p.name}: parameters: missing (a [parameters] table of name = value)")
    return validate_overrides(params, where=f"{p.name}: parameters.")


def parameter_set(name: str | None = None, path: Path | None = None) -> dict[str, float]:
    """Overrides of the declared defaults for a named parameter set ("literature": none)."""
    name = name if name is not None else os.environ.get(ENV, "literature")
    if name not in SETS:
        raise ParameterError(f"{ENV}: {name!r} is not allowed (allowed {', '.join(SETS)})")
    return {} if name == "literature" else load_calibrated(path)


def with_parameter_set(scenario_params: dict[str, float], name: str | None = None,
                       path: Path | None = None) -> dict[str, float]:
    """A scenario's overrides on top of the parameter set (the scenario's own values win)."""
    return {**parameter_set(name, path), **scenario_params}


__all__ = ["choose_point", "write_calibrated", "load_calibrated", "parameter_set", "with_parameter_set",
           "CALIBRATED_FILE", "SETS", "POINTS"]
