"""The design of a sensitivity analysis: problem, sample, sample-size checks, seeds, configuration.

Everything that decides the model runs lives in one JSON-able *run configuration*; a folder is
resumed only with the same one. The sample is drawn once with SALib and kept in
``design.parquet`` (the file, not a re-draw, is the truth on resume: a newer SALib could draw
another sample from the same seed).

Seeds: ``SeedSequence(seed).spawn`` children (``experiments.compare.replicate_seeds``), by
position: 0 the sample, 1 the bootstrap of the indices, 2 the noise chunk, ``3 + c`` design
chunk ``c``. A child depends only on the root seed and its position, so chunks get the same
seed whatever the number of workers or the order in which they run.
"""

from __future__ import annotations

import json
import warnings

import numpy as np
from bonding.calibration.problem import salib_problem
from bonding.experiments.compare import replicate_seeds
from bonding.model.params import ParameterError

METHODS = ("sobol", "morris")
DUMMY = "dummy"  # a factor with no path to the model: its index is the noise + estimator floor
SOBOL_N = (4, 2**16)  # allowed base samples
MORRIS_R = (2, 1000)  # allowed trajectories
MORRIS_LEVELS = (2, 16)
CHUNK_HOUSEHOLDS = 4000  # default households per chunk (one stacked population)
SEED_SAMPLE, SEED_BOOTSTRAP, SEED_NOISE, SEED_FIRST_CHUNK = range(4)


def build_problem(names: list[str] | None, group: str | None, dummy: bool) -> dict:
    """The SALib problem from the parameter declaration, plus the dummy factor on [0, 1]."""
    problem = salib_problem(names, group)
    if DUMMY in problem["names"]:  # cannot happen with the declaration, kept as a guard
        raise ParameterError(f"--params: {DUMMY!r} is reserved for the dummy factor")
    if dummy:
        problem = {"num_vars": problem["num_vars"] + 1, "names": problem["names"] + [DUMMY],
                   "bounds": problem["bounds"] + [[0.0, 1.0]]}
    return problem


def model_problem(problem: dict) -> tuple[dict, np.ndarray]:
    """The problem without the dummy and the column mask that drops it from a sample."""
    keep = np.array([n != DUMMY for n in problem["names"]])
    names = [n for n in problem["names"] if n != DUMMY]
    bounds = [b for n, b in zip(problem["names"], problem["bounds"], strict=True) if n != DUMMY]
    return {"num_vars": len(names), "names": names, "bounds": bounds}, keep


def check_sample_size(method: str, n: int, num_vars: int, levels: int) -> list[str]:
    """Refuse impossible sizes (``ParameterError``); return one-line warnings for weak ones.

    Sobol': SALib's Saltelli/Sobol' sampler balances only at powers of 2 (it warns otherwise);
    the project protocol (shared/science/prior-models.md section 4) asks N >= 1024 for final
    indices and doubling until rankings settle. Morris: Campolongo et al. (2007) use r = 10-50
    trajectories (protocol: 20-50), p even (Morris 1991: Delta = p / (2 (p - 1)))."""
    if method not in METHODS:
        raise ParameterError(f"--method: {method!r} is not a method (allowed {', '.join(METHODS)})")
    out = []
    if method == "sobol":
        lo, hi = SOBOL_N
        if not lo <= n <= hi:
            raise ParameterError(f"--n: {n} is out of range for --method sobol (allowed {lo} to {hi} base samples, ideally a power of 2)")
        if n & (n - 1):
            below = 1 << (n.bit_length() - 1)
            out.append(f"--n {n} is not a power of 2: Sobol' sequences are balanced only at powers of 2 "
                       f"(SALib); use {below} or {below * 2}")
        elif n < 512:
            out.append(f"--n {n} base samples give wide confidence intervals; final indices need "
                       "N >= 1024, doubled until the ranking settles (docs/sensitivity.md)")
    else:
        lo, hi = MORRIS_R
        if not lo <= n <= hi:
            raise ParameterError(f"--n: {n} is out of range for --method morris (allowed {lo} to {hi} trajectories)")
        llo, lhi = MORRIS_LEVELS
        if not (llo <= levels <= lhi and levels % 2 == 0):
            raise ParameterError(f"--levels: {levels} is not allowed (an even number from {llo} to {lhi})")
        if n < 10:
            out.append(f"--n {n} trajectories is a small screen; Campolongo et al. 2007 use 10-50 "
                       "(docs/sensitivity.md)")
    return out


def analysis_seed(config: dict) -> int:
    """The bootstrap seed for SALib's analyze (never 0: SALib falls back to global state then)."""
    return _salib_seed(config["seeds"][SEED_BOOTSTRAP])


def _salib_seed(seed: int) -> int:
    return int(seed) % (2**32 - 1) + 1


def design_points(method: str, n: int, num_vars: int, levels: int, second_order: bool) -> int:
    """How many model evaluations (design points) the SALib sample will have."""
    if method == "sobol":
        return n * (2 * num_vars + 2 if second_order else num_vars + 2)
    return n * (num_vars + 1)


def sample(config: dict) -> np.ndarray:
    """Draw the SALib sample of the configuration (Sobol'/Saltelli or Morris trajectories)."""
    from SALib.sample import morris as morris_sample
    from SALib.sample import sobol as sobol_sample

    problem = config["problem"]
    seed = _salib_seed(config["seeds"][SEED_SAMPLE])
    with warnings.catch_warnings():  # size advice is given once, in our own words (check_sample_size)
        warnings.simplefilter("ignore")
        if config["method"] == "sobol":
            return sobol_sample.sample(problem, config["n"], calc_second_order=config["second_order"],
                                       seed=seed)
        return morris_sample.sample(problem, config["n"], num_levels=config["levels"], seed=seed)


def run_config(method: str, problem: dict, scenario, n: int, households_per_point: int,
               months: float, seed: int, levels: int, second_order: bool,
               chunk_points: int | None, noise_replicates: int) -> dict:
    """Everything that determines the model runs (compared on resume)."""
    points = design_points(method, n, problem["num_vars"], levels, second_order)
    chunk_points = int(chunk_points or max(1, CHUNK_HOUSEHOLDS // households_per_point))
    chunks = -(-points // chunk_points)
    cfg = {"method": method, "problem": problem, "scenario": scenario.to_dict(), "n": int(n),
           "levels": int(levels) if method == "morris" else None,
           "second_order": bool(second_order) if method == "sobol" else None,
           "households_per_point": int(households_per_point), "months": float(months),
           "seed": int(seed), "points": points, "chunk_points": chunk_points, "chunks": chunks,
           "noise_replicates": int(noise_replicates),
           "seeds": replicate_seeds(seed, SEED_FIRST_CHUNK + chunks)}
    return json.loads(json.dumps(cfg))


def config_mismatch(old: dict, new: dict) -> str | None:
    """The first setting that differs between two run configurations, as a short phrase."""
    flags = {"method": "--method", "n": "--n", "levels": "--levels", "second_order": "--second-order",
             "households_per_point": "--households-per-point", "months": "--months", "seed": "--seed",
             "chunk_points": "--chunk-points", "noise_replicates": "--noise-replicates"}
    for key, flag in flags.items():
        if old.get(key) != new.get(key):
            return f"{flag} was {old.get(key)!r}, now {new.get(key)!r}"
    if old.get("problem", {}).get("names") != new["problem"]["names"]:
        return f"parameters were {','.join(old.get('problem', {}).get('names', []))}, now {','.join(new['problem']['names'])}"
    if old.get("problem") != new["problem"]:
        return "parameter bounds have changed since the folder was started"
    if old.get("scenario") != new["scenario"]:
        return f"scenario was {old.get('scenario', {}).get('name')!r}, now {new['scenario']['name']!r} (or it changed)"
    for key in sorted(set(old) | set(new)):
        if old.get(key) != new.get(key):
            return f"{key} differs"
    return None


def base_point(problem: dict, scenario_params: dict) -> np.ndarray:
    """The reference point: the scenario's value of each factor, else its declared default.

    The dummy sits at its mid-range (it has no effect anyway)."""
    from bonding.model.params import PARAMS

    return np.array([0.5 if n == DUMMY else float(scenario_params.get(n, PARAMS[n].default))
                     for n in problem["names"]])
