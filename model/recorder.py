"""Daily means by role: the model's time series, kept small (days x variables x roles).

Recording is a reduction over households once a day, never per hour, so memory stays
O(days), independent of the number of households.
"""

from __future__ import annotations

import numba
import numpy as np
from bonding.model import state as state_module
from bonding.model.compiled import cached_dispatchers, drop_stale_cache
from bonding.model.state import PRENATAL_DAYS, ROLES, K

CAREGIVER_SERIES = ("ot_plasma", "ot_central_tone", "cortisol", "dopamine_tonic", "bond", "estradiol",
                    "progesterone", "prolactin", "testosterone", "depressed", "fatigue", "sensitivity",
                    "care_hours")
INFANT_SERIES = ("infant_cortisol", "infant_ot", "infant_distress", "infant_cry_hours",
                 "infant_expected_responsiveness_mother")


class DailyRecorder:
    """Preallocated arrays of daily means: caregivers (days, vars, K) and infants (days, vars)."""

    def __init__(self, n_days: int):
        self.n_days = n_days
        self.caregiver = np.full((n_days, len(CAREGIVER_SERIES), K), np.nan)
        self.infant = np.full((n_days, len(INFANT_SERIES)), np.nan)

    def record(self, day: int, sim) -> None:
        """Store today's means over existing members of each role."""
        cg, inf = sim.cg, sim.inf
        born = day >= PRENATAL_DAYS
        values = {
            "ot_plasma": cg.ot_plasma_sum_today / 24.0 if born else cg.ot_plasma_setpoint_now,
            "ot_central_tone": cg.ot_tone,
            "cortisol": cg.cortisol_sum_today / 24.0 if born else cg.cortisol,
            "dopamine_tonic": cg.tonic_da,
            "bond": cg.bond,
            "estradiol": cg.estradiol,
            "progesterone": cg.progesterone,
            "prolactin": cg.prolactin_sum_today / 24.0 if born else cg.prolactin,
            "testosterone": cg.testosterone,
            "depressed": cg.depressed,
            "fatigue": cg.fatigue,
            "sensitivity": sim.today_sensitivity,
            "care_hours": cg.care_hours_today,
        }
        n = role_counts(cg.exists)
        sums = np.empty(K)
        with np.errstate(invalid="ignore", divide="ignore"):
            for i, name in enumerate(CAREGIVER_SERIES):
                role_sums(values[name], cg.exists, sums)
                self.caregiver[day, i] = np.where(n > 0, sums / n, np.nan)
        if born:
            from bonding.model.learning import expected_responsiveness

            er = expected_responsiveness(inf.iwm_good[:, 0], inf.iwm_bad[:, 0], sim.p.iwm_prior_strength)
            self.infant[day] = [np.mean(inf.cortisol_sum_today / 24.0), np.mean(inf.ot_sum_today / 24.0),
                                np.mean(inf.distress_sum_today / 24.0), np.mean(inf.cry_hours_today),
                                np.mean(er)]

    def long_table(self) -> dict[str, np.ndarray]:
        """Tidy long form: one row per (day, role, variable) with a value; NaNs dropped."""
        days, roles, names, vals = [], [], [], []
        d = np.arange(self.n_days) - PRENATAL_DAYS
        for i, name in enumerate(CAREGIVER_SERIES):
            for k in range(K):
                v = self.caregiver[:, i, k]
                ok = ~np.isnan(v)
                days.append(d[ok])
                vals.append(v[ok])
                roles += [ROLES[k]] * int(ok.sum())
                names += [name] * int(ok.sum())
        for i, name in enumerate(INFANT_SERIES):
            v = self.infant[:, i]
            ok = ~np.isnan(v)
            days.append(d[ok])
            vals.append(v[ok])
            roles += ["infant"] * int(ok.sum())
            names += [name] * int(ok.sum())
        return {"day": np.concatenate(days), "role": np.array(roles), "variable": np.array(names),
                "value": np.concatenate(vals)}


@numba.njit(cache=True)
def role_counts(exists: np.ndarray) -> np.ndarray:
    """Existing members of each role (K,), as floats: ``exists.sum(axis=0)``, 4x faster."""
    n = np.zeros(exists.shape[1])
    for h in range(exists.shape[0]):
        for k in range(exists.shape[1]):
            n[k] += exists[h, k]
    return n


def role_sums(x: np.ndarray, exists: np.ndarray, out: np.ndarray) -> None:
    """Sum of ``x`` (H, K) over the existing members of each role, into ``out`` (K,).

    Equal bit for bit to ``(x * exists).sum(axis=0)`` on C-ordered arrays, which numpy adds up
    row after row as :func:`_role_sums_rows` does; compiled it takes a fifth of the time (numpy's
    inner loop runs over only five roles).
    """
    _role_sums_rows(np.ascontiguousarray(x), np.ascontiguousarray(exists), out)


@numba.njit(cache=True, error_model="numpy")
def _role_sums_rows(x, exists, out):
    """``out[k] = 0 + x[0, k] * w[0, k] + x[1, k] * w[1, k] + ...`` with weights ``w = exists``."""
    out[:] = 0.0
    for h in range(x.shape[0]):
        for k in range(x.shape[1]):
            out[k] += x[h, k] * (1.0 if exists[h, k] else 0.0)


# numba caches each function against this file only; the constants compiled in above come from
# model.state, so flush this module's cache whenever it changes (model.compiled).
drop_stale_cache(cached_dispatchers(globals()), (state_module,), "recorder")
