"""Compute the golden-baseline summary of a small fixed run and (re)write baseline.json.

Usage (from the repository root):

    python tests/regression/update_baseline.py

Re-run this after an intended change of model behaviour and commit the new baseline.json with
the change that caused it. Each number carries a tolerance: dyad counts are exact; means are
allowed to move by 3 standard errors (across dyads or infants) so that numerically equivalent
engine refactors (operation order, float32 uniforms) pass while real behaviour changes fail.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bonding.model import ParamSet, Simulation  # noqa: E402
from bonding.model.outcomes import dyad_outcomes  # noqa: E402

BASELINE = Path(__file__).with_name("baseline.json")
CONFIG = {"households": 200, "months": 2.0, "seed": 7}
UPDATE_COMMAND = "python tests/regression/update_baseline.py"

MEAN_COLUMNS = {
    "mother": ["bond", "sensitivity", "synchrony", "share_sensitive", "care_hours", "night_care_hours",
               "responses", "gaze", "affectionate_touch", "vocalisation", "cortisol_mean", "ot_plasma_mean",
               "ot_central_tone", "prolactin_base", "fatigue", "caregiver_depressed", "dopamine_tonic",
               "iwm_expected_responsiveness", "iwm_evidence", "feeds"],
    "father": ["bond", "sensitivity", "synchrony", "share_sensitive", "care_hours", "responses",
               "stimulatory_touch", "cortisol_mean", "ot_plasma_mean", "testosterone", "testosterone_change",
               "caregiver_depressed", "iwm_expected_responsiveness"],
}
SE_FACTOR = 3.0


def _entry(values) -> dict:
    v = np.asarray(values, dtype=float)
    v = v[~np.isnan(v)]
    mean = float(v.mean()) if v.size else float("nan")
    se = float(v.std(ddof=1) / np.sqrt(v.size)) if v.size > 1 else 0.0
    tol = SE_FACTOR * se + 1e-9 + 1e-6 * abs(mean)
    return {"value": mean, "tol": tol}


def compute_summary(households: int, months: float, seed: int) -> dict[str, dict]:
    """Summary numbers of one run: {name: {"value": v, "tol": t}}."""
    sim = Simulation(ParamSet.uniform(households), months, seed).run()
    df = pd.DataFrame(dyad_outcomes(sim))
    out: dict[str, dict] = {}
    for role, n in df.groupby("role").size().items():
        out[f"dyads.{role}"] = {"value": float(n), "tol": 0.0}
    for role, cols in MEAN_COLUMNS.items():
        sub = df[df["role"] == role]
        for col in cols:
            out[f"{role}.{col}"] = _entry(sub[col].astype(float))
    infants = df.drop_duplicates("household")
    out["infant.cortisol_final"] = _entry(infants["infant_cortisol_final"])
    out["infant.breastfeeding_at_end"] = _entry(infants["breastfeeding_at_end"].astype(float))
    # last-week daily means of the infant series (tolerance from day-to-day spread)
    inf = sim.recorder.infant[-7:]
    from bonding.model.recorder import INFANT_SERIES

    for i, name in enumerate(INFANT_SERIES):
        out[f"timeseries.{name}.last_week"] = _entry(inf[:, i])
    return out


def _git_commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              timeout=5).stdout.strip() or "unknown"
    except OSError:
        return "unknown"


def main() -> int:
    values = compute_summary(**CONFIG)
    doc = {"config": CONFIG, "se_factor": SE_FACTOR, "generated_at_commit": _git_commit(),
           "update_command": UPDATE_COMMAND, "values": values}
    BASELINE.write_text(json.dumps(doc, indent=2, sort_keys=True) + "\n")
    print(f"wrote {BASELINE.relative_to(ROOT)} ({len(values)} numbers)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
