"""ABC-SMC on the ``fit`` targets with the prior restricted to history matching's last
non-implausible region (its bounding box), reusing the seeded, resumable machinery of
calibration/abc.py (pyabc, one posterior per seed whatever the workers).

Each target enters the distance as ``z = shortfall / sqrt(se^2 + discrepancy^2)`` on its
emulation scale (calibration/study_targets.py): the distance from the published value, or from
the bound of a one-sided claim (0 when it is met). The distance is the RMS of the z's
(calibration/abc.py ``ZDistance``, each target weight 1).

Outputs in the folder: ``abc.db`` (pyabc's history, the resume record), ``posterior.parquet``
(the last generation's particles), ``posterior_summary.csv`` (per parameter: NROY box, weighted
5/50/95% quantiles, posterior sd / box sd), ``generations.csv`` and ``manifest.json``.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from bonding.calibration.abc import (
    DaskExecutor,
    LocalExecutor,
    generation_table,
    posterior_frame,
    run_generations,
    weighted_quantile,
)
from bonding.experiments.provenance import (
    atomic_write_bytes,
    atomic_write_json,
    atomic_write_parquet,
    check_run_folder,
    environment,
)


@dataclass(frozen=True)
class _ZTarget:
    """What ``calibration.abc.ZDistance`` reads from a target."""

    key: str
    published: float
    se_published: float
    weight: float = 1.0


class NROYProblem:
    """The ABC problem: free parameters with a box prior (the NROY box) and the fit targets.

    The ABC runs on the logit scale of the box (``logit_scale``; :func:`calibration.abc.natural_values`):
    the prior is the same uniform box, and proposals cannot leave it, which in tens of dimensions
    they otherwise almost always do. Its perturbation kernel is diagonal (``diagonal_kernel``).
    """

    logit_scale = True
    diagonal_kernel = True  # fewer particles than parameters: calibration.abc.perturbation_kernel

    def __init__(self, targets, box: dict[str, tuple[float, float]]):
        self.study_targets = tuple(t for t in targets if t.role == "fit")
        self.free = tuple(box)
        self.box = {k: (float(a), float(b)) for k, (a, b) in box.items()}
        self.targets = tuple(_ZTarget(t.name, 0.0, math.sqrt(t.se ** 2 + t.discrepancy ** 2))
                             for t in self.study_targets)

    def bounds(self) -> dict[str, tuple[float, float]]:
        return {k: (a, b) if b > a else (a, a + 1e-12) for k, (a, b) in self.box.items()}

    def observed(self) -> dict[str, float]:
        return {t.key: 0.0 for t in self.targets}

    def to_dict(self) -> dict:
        return {"box": self.box, "targets": [t.__dict__ for t in self.targets], "scale": "logit of the box", "kernel": "diagonal"}

    def fingerprint(self) -> str:
        return hashlib.sha256(json.dumps(self.to_dict(), sort_keys=True).encode()).hexdigest()[:16]


class ShortfallStatistics:
    """Simulator wrapper: parameters -> each fit target's shortfall on its scale (picklable)."""

    def __init__(self, simulator, targets):
        self.simulator = simulator
        self.targets = tuple(t for t in targets if t.role == "fit")

    def config(self) -> dict:
        return self.simulator.config()

    def __call__(self, params: dict, seed: int) -> dict[str, float]:
        raw = self.simulator(params, seed)
        return {t.name: float(t.shortfall(t.statistic(float(raw.get(t.key, np.nan))))) for t in self.targets}


def posterior_summary(post: pd.DataFrame, problem: NROYProblem) -> pd.DataFrame:
    rows = []
    w = post["weight"].to_numpy()
    for name in problem.free:
        v = post[name].to_numpy()
        lo, hi = problem.box[name]
        mean = float(np.sum(w * v))
        sd = float(np.sqrt(np.sum(w * (v - mean) ** 2)))
        box_sd = (hi - lo) / math.sqrt(12)
        rows.append({"parameter": name, "nroy_lo": lo, "nroy_hi": hi, "posterior_mean": mean,
                     "posterior_q05": weighted_quantile(v, w, 0.05), "posterior_median": weighted_quantile(v, w, 0.5),
                     "posterior_q95": weighted_quantile(v, w, 0.95),
                     "sd_vs_box": sd / box_sd if box_sd > 0 else np.nan})
    return pd.DataFrame(rows)


def run_nroy_abc(targets, box: dict, simulator, out: Path, *, seed: int, population: int, generations: int,
                 workers: int = 1, scheduler: str | None = None, source: str = "", log=print) -> dict:
    """Run or continue the ABC in ``out``; returns the manifest."""
    out = Path(out)
    problem = NROYProblem(targets, box)
    stats = ShortfallStatistics(simulator, targets)
    config = {"method": "ABC-SMC in the NROY box (calibration/nroy_abc.py)", "seed": int(seed),
              "population": int(population), "problem_fingerprint": problem.fingerprint(),
              "history_matching": source, "simulator": simulator.config()}

    def held(old, new):
        diff = next((k for k in new if old.get(k) != new[k]), None)
        return f"an ABC with another {diff}" if diff else None

    old = check_run_folder(out, "calibrate-abc", "ABC", config, held)
    env = environment()
    executor = DaskExecutor(scheduler) if scheduler else LocalExecutor(workers)
    try:
        atomic_write_json(out / "manifest.json", {**old, "kind": "calibrate-abc", "status": "running",
                                                  "config": config, **env})
        run_generations(problem, stats, out, seed=seed, population=population, generations=generations,
                        executor=executor, log=log)
    finally:
        executor.close()
    post = posterior_frame(out, problem, seed)
    summary = posterior_summary(post, problem)
    gens = generation_table(out)
    atomic_write_parquet(out / "posterior.parquet", post)
    for name, df in (("posterior_summary.csv", summary), ("generations.csv", gens)):
        buf = io.StringIO()
        df.to_csv(buf, index=False, float_format="%.6g")
        atomic_write_bytes(out / name, buf.getvalue().encode())
    manifest = {"kind": "calibrate-abc", "status": "complete", "config": config, "problem": problem.to_dict(),
                "generations": int(len(gens)), "epsilon_schedule": [float(e) for e in gens["epsilon"]],
                "total_simulations": int(gens["samples"].sum()), **env}
    atomic_write_json(out / "manifest.json", manifest)
    return manifest


__all__ = ["NROYProblem", "ShortfallStatistics", "run_nroy_abc", "posterior_summary"]
