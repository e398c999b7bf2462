"""Model evaluation of a design: per-point outputs, chunks, resume, local pool or Dask.

A *chunk* is ``chunk_points`` consecutive design points run as ONE stacked population
(``calibration.problem.design_to_paramset``: ``households_per_point`` households per point)
with one seed. Its per-point outputs go to ``DIR/chunks/cNNNN.parquet`` atomically the moment
it finishes, so a file that exists is complete and a rerun skips it. A chunk depends only on
its rows of the design and its seed, so 1 worker, W workers and a Dask cluster write the same
files. The *noise chunk* (``noise.parquet``) runs the reference point ``noise_replicates``
times (independent households) to measure how much a point's outputs vary by chance alone.

Outputs are household-cohort means of the dyad outcomes of ``model.outcomes`` (and of the
virtual lab's Strange Situation at 12 months), named like ``bonding compare``'s runs table
(``bond.mother``, ``attachment_D.mother``). Every available output is stored, so a rerun with
other ``--outputs`` only re-analyses.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from bonding.experiments import compare as cmp
from bonding.experiments.parallel import run_tasks
from bonding.experiments.provenance import atomic_write_parquet, readable_parquet
from bonding.model.params import ParameterError
from bonding.model.state import DAYS_PER_MONTH, ROLES

SSP_AGE_MONTHS = 12.0  # experiments.run attaches the lab's Strange Situation at 12 months
# the default outputs: what a developmental / psychoneuroendocrinology reader asks first
DEFAULT_OUTPUTS = (
    "bond.mother", "bond.father", "sensitivity.mother", "synchrony.mother",
    "ot_plasma_mean.mother", "ot_central_tone.mother", "cortisol_mean.mother",
    "testosterone_change.father", "depressed.mother",
    "attachment_B.mother", "attachment_D.mother",  # only when --months >= 12
)
OUTPUT_LABELS = {
    "bond.mother": "mother bond", "bond.father": "father bond",
    "sensitivity.mother": "mother sensitivity", "synchrony.mother": "mother-infant synchrony",
    "ot_plasma_mean.mother": "mother plasma OT (pg/ml)", "ot_central_tone.mother": "mother central OT tone",
    "cortisol_mean.mother": "mother cortisol (nmol/l)",
    "testosterone_change.father": "father testosterone change (fraction)",
    "depressed.mother": "mothers ever depressed (share)",
    "attachment_B.mother": "infant secure (B) with mother, SSP 12 mo (share)",
    "attachment_D.mother": "infant disorganised (D) with mother, SSP 12 mo (share)",
}


def output_specs(months: float) -> dict[str, tuple[str, str, str]]:
    """Every output of a run of ``months``: name -> (kind, dyad column, role).

    kinds: ``mean`` of a continuous column, ``share`` of a true flag, ``class:X`` share of
    Strange Situation class X among classified dyads. The dictionaries are
    ``experiments.compare``'s, so names agree with ``bonding compare``.
    """
    specs: dict[str, tuple[str, str, str]] = {}
    for var, roles in cmp.CONTINUOUS.items():
        for role in roles or ROLES:
            specs[f"{var}.{role}"] = ("mean", var, role)
    for var, roles in cmp.SHARES.items():
        for role in roles:
            specs[f"{var}.{role}"] = ("share", "caregiver_depressed", role)
    if months >= SSP_AGE_MONTHS:
        for role in ROLES:
            for cls in cmp.ATTACHMENT_CLASSES:
                specs[f"attachment_{cls}.{role}"] = (f"class:{cls}", cmp.ATTACHMENT_COLUMNS[0], role)
        for var, roles in cmp.SSP_CONTINUOUS.items():
            for role in roles:
                specs[f"{var}.{role}"] = ("mean", var, role)
    return specs


def choose_outputs(requested: list[str] | None, months: float) -> list[str]:
    """The outputs to analyse: the request (validated) or the defaults available at ``months``."""
    specs = output_specs(months)
    if not requested:
        return [o for o in DEFAULT_OUTPUTS if o in specs]
    for name in requested:
        if name not in specs:
            if name in output_specs(SSP_AGE_MONTHS):
                raise ParameterError(f"--outputs: {name} needs the Strange Situation at 12 months (allowed with --months >= 12)")
            raise ParameterError(f"--outputs: {name!r} is not an output (e.g. {', '.join(DEFAULT_OUTPUTS[:4])}; "
                                 "`bonding sensitivity --list-outputs` lists all)")
    return list(dict.fromkeys(requested))


def point_outputs(outcomes: pd.DataFrame, n_points: int, households_per_point: int,
                  months: float) -> pd.DataFrame:
    """One row per design point: every output as the mean over that point's dyads of a role.

    Household ``h`` of a stacked population belongs to point ``h // households_per_point``.
    A point without a dyad of a role (e.g. no father) gets NaN for that role's outputs.
    """
    o = outcomes.assign(point=outcomes["household"].to_numpy() // households_per_point)
    born_days = float(int(round(months * DAYS_PER_MONTH)))
    o["care_hours_per_day"] = o["care_hours"] / born_days if born_days > 0 else np.nan
    index = pd.RangeIndex(n_points, name="point")
    by_role = {role: g for role, g in o.groupby("role", sort=False)}
    columns = {}
    for name, (kind, column, role) in output_specs(months).items():
        g = by_role.get(role)
        if g is None or column not in g.columns:
            columns[name] = np.full(n_points, np.nan)
            continue
        if kind in ("mean", "share"):  # a share is the mean of a 0/1 flag
            values = g[column].astype(float)
        else:  # class:X among classified dyads
            classified = g[column].notna()
            g = g[classified]
            values = (g[column] == kind.split(":", 1)[1]).astype(float)
        columns[name] = values.groupby(g["point"]).mean().reindex(index).to_numpy(float)
    return pd.DataFrame(columns, index=index)


def evaluate_points(scenario, names: list[str], X: np.ndarray, households_per_point: int,
                    months: float, seed: int, threads: int = 1) -> pd.DataFrame:
    """Run design rows ``X`` (columns ``names``) as one stacked population; outputs per row.

    The scenario's overrides are the base of every point (a factor of the design overrides
    them), its interventions apply to every household. Module-level and dependent on its
    arguments only, so process pools and Dask workers give identical results; ``threads``
    shares the simulation's day among threads and changes no result.
    """
    from bonding.calibration.problem import design_to_paramset
    from bonding.experiments.run import run_scenario

    params = design_to_paramset({"names": list(names)}, X, households_per_point, base=scenario.params)
    result = run_scenario(scenario, params.n, months, seed, params=params, threads=threads)
    return point_outputs(result.outcomes, len(X), households_per_point, months)


# ------------------------------------------------------------------ chunks on disk
def chunk_path(out: Path, chunk: int | str) -> Path:
    name = chunk if isinstance(chunk, str) else f"c{chunk:04d}"
    return Path(out) / "chunks" / f"{name}.parquet"


def chunk_tasks(config: dict, scenario, X_model: np.ndarray, names: list[str],
                reference: np.ndarray) -> list[tuple]:
    """(chunk, task kwargs, first point) for the noise chunk and every design chunk, in order."""
    from bonding.calibration.sensitivity.design import SEED_FIRST_CHUNK, SEED_NOISE

    common = {"scenario": scenario, "names": names, "households_per_point": config["households_per_point"],
              "months": config["months"]}
    tasks = [("noise", {**common, "X": np.tile(reference, (config["noise_replicates"], 1)),
                        "seed": config["seeds"][SEED_NOISE]}, 0)]
    size = config["chunk_points"]
    for c in range(config["chunks"]):
        rows = X_model[c * size:(c + 1) * size]
        tasks.append((c, {**common, "X": rows, "seed": config["seeds"][SEED_FIRST_CHUNK + c]}, c * size))
    return tasks


def _finish(out: Path, chunk, first_point: int, frame: pd.DataFrame) -> None:
    frame = frame.reset_index()
    if chunk == "noise":
        frame = frame.rename(columns={"point": "replicate"})
    else:
        frame["point"] += first_point
    atomic_write_parquet(chunk_path(out, chunk), frame)


def _run_one(kwargs: dict) -> pd.DataFrame:
    return evaluate_points(**kwargs)


def execute(out: Path, tasks: list, workers: int = 1, scheduler: str | None = None,
            progress: bool = True, limit: int | None = None, progress_file=None, threads: int = 1) -> int:
    """Run every chunk whose file is missing; returns how many ran. ``limit`` stops early (tests).

    ``threads``: threads per chunk's simulation (not part of a task's inputs: no result depends on it).
    """
    todo = [t for t in tasks if not readable_parquet(chunk_path(out, t[0]))]  # a damaged chunk reruns
    done_before = len(tasks) - len(todo)
    if limit is not None:
        todo = todo[:limit]
    from tqdm import tqdm

    bar = tqdm(total=len(tasks), initial=done_before, unit="chunk", desc="sensitivity",
               disable=not progress, dynamic_ncols=True, smoothing=0,
               bar_format=cmp.PROGRESS_FORMAT, file=progress_file)

    def done(task, frame):
        _finish(out, task[0], task[2], frame)
        bar.update(1)

    try:
        run_tasks(_run_one, [(str(task[0]), ({**task[1], "threads": threads},), task) for task in todo], done,
                  workers=workers, scheduler=scheduler, label="bonding-gsa")
    finally:
        bar.close()
    return len(todo)


def load_outputs(out: Path, config: dict) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """(design outputs, one row per point in order; noise replicates; chunks missing)."""
    frames, missing = [], 0
    for c in range(config["chunks"]):
        path = chunk_path(out, c)
        if readable_parquet(path):
            frames.append(pd.read_parquet(path))
        else:
            missing += 1
    design = pd.concat(frames, ignore_index=True).sort_values("point", kind="stable").reset_index(drop=True) \
        if frames else pd.DataFrame()
    noise_path = chunk_path(out, "noise")
    noise_ok = readable_parquet(noise_path)
    noise = pd.read_parquet(noise_path) if noise_ok else pd.DataFrame()
    return design, noise, missing + (0 if noise_ok else 1)
