"""Indices from model outputs with SALib, and how far they stand above noise.

Each design point is a finite cohort, so its outputs carry chance variation that the indices
cannot tell from a parameter's effect (SALib issues #102, #306, #599: negative indices and
intervals that include 0 on noisy models). Three yardsticks are reported beside the indices:

* the bootstrap confidence interval of every index (SALib, ``num_resamples``);
* the *noise floor*, from the reference point run ``noise_replicates`` times: with
  between-replicate variance s^2 and variance V of the output over the design, independent
  noise in every evaluation inflates each total-order index by about s^2 / V in the
  Saltelli/Jansen estimator (``ST_i = E[(f(A) - f(AB_i))^2] / 2V``), so that ratio is the
  floor for ST; for Morris an elementary effect of pure noise is ``(e1 - e2) / Delta``, whose
  mean absolute value is ``2 s / (sqrt(pi) Delta)``, the floor for mu*;
* the *dummy* factor, which the model never reads: its index is what noise plus estimator
  error give (the dummy-parameter check of Khorashadi Zadeh et al. 2017, Environ. Model.
  Softw. 91:210-222).

An index is called distinguishable only if its lower confidence bound lies above 0, the noise
floor and the dummy's index.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from bonding.calibration.sensitivity.design import DUMMY


def morris_delta(levels: int) -> float:
    """SALib's Morris step in units of the range: ``p / (2 (p - 1))`` (Morris 1991)."""
    return levels / (2.0 * (levels - 1))


def analyze_sobol(problem: dict, y: np.ndarray, *, second_order: bool, resamples: int,
                  conf_level: float, seed: int) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """First (S1) and total (ST) Sobol' indices with bootstrap CIs; S2 pairs if asked for."""
    from SALib.analyze import sobol

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        si = sobol.analyze(problem, np.asarray(y, float), calc_second_order=second_order,
                           num_resamples=resamples, conf_level=conf_level, seed=seed)
    table = pd.DataFrame({"parameter": problem["names"], "S1": si["S1"], "S1_conf": si["S1_conf"],
                          "ST": si["ST"], "ST_conf": si["ST_conf"]})
    pairs = None
    if second_order:
        names, rows = problem["names"], []
        for i in range(len(names)):
            for j in range(i + 1, len(names)):
                rows.append({"parameter": names[i], "other": names[j], "S2": si["S2"][i, j],
                             "S2_conf": si["S2_conf"][i, j]})
        pairs = pd.DataFrame(rows)
    return table, pairs


def analyze_morris(problem: dict, X: np.ndarray, y: np.ndarray, *, levels: int, resamples: int,
                   conf_level: float, seed: int) -> pd.DataFrame:
    """Morris elementary-effect statistics mu, mu* (with bootstrap CI) and sigma."""
    from SALib.analyze import morris

    si = morris.analyze(problem, np.asarray(X, float), np.asarray(y, float), num_resamples=resamples,
                        conf_level=conf_level, num_levels=levels, seed=seed)
    return pd.DataFrame({"parameter": problem["names"], "mu": si["mu"], "mu_star": si["mu_star"],
                         "sigma": si["sigma"], "mu_star_conf": si["mu_star_conf"]})


def noise_table(design: pd.DataFrame, noise: pd.DataFrame, outputs: list[str], method: str,
                levels: int | None) -> pd.DataFrame:
    """Per output: replicate noise SD at the reference point, SD over the design, the floor."""
    rows = []
    for name in outputs:
        s = float(noise[name].std(ddof=1)) if name in noise and noise[name].notna().sum() > 1 else np.nan
        sd = float(design[name].std(ddof=1)) if name in design and design[name].notna().sum() > 1 else np.nan
        share = s**2 / sd**2 if np.isfinite(s) and np.isfinite(sd) and sd > 0 else np.nan
        if method == "sobol":
            floor = share
        else:
            floor = 2.0 * s / (np.sqrt(np.pi) * morris_delta(levels)) if np.isfinite(s) else np.nan
        rows.append({"output": name, "noise_sd": s, "noise_mean": float(noise[name].mean()) if name in noise else np.nan,
                     "replicates": int(noise[name].notna().sum()) if name in noise else 0,
                     "output_sd": sd, "noise_share": share, "floor": floor})
    return pd.DataFrame(rows)


def flag_distinguishable(table: pd.DataFrame, method: str, floor: float) -> pd.DataFrame:
    """Add ``lower`` (index minus its CI half-width), ``distinguishable`` and a ``note``."""
    key, conf = ("ST", "ST_conf") if method == "sobol" else ("mu_star", "mu_star_conf")
    t = table.copy()
    t["lower"] = t[key] - t[conf]
    dummy = t.loc[t["parameter"] == DUMMY, key]
    dummy_value = float(dummy.iloc[0]) if len(dummy) else np.nan
    notes = []
    for _, r in t.iterrows():
        why = []
        if r["parameter"] == DUMMY:
            notes.append("dummy (no effect)")
            continue
        if not np.isfinite(r["lower"]) or r["lower"] <= 0:
            why.append("CI includes 0")
        if np.isfinite(floor) and r["lower"] <= floor:
            why.append("within noise")
        if np.isfinite(dummy_value) and r["lower"] <= dummy_value:
            why.append("not above dummy")
        notes.append("; ".join(why))
    t["note"] = notes
    t["distinguishable"] = (t["note"] == "")
    if method == "sobol":
        t["S1_ci_includes_0"] = (t["S1"] - t["S1_conf"] <= 0) & (t["S1"] + t["S1_conf"] >= 0)
    t = t.sort_values(key, ascending=False, kind="stable").reset_index(drop=True)
    t.insert(1, "rank", np.arange(1, len(t) + 1))
    return t


def analyze_outputs(config: dict, X: np.ndarray, design: pd.DataFrame, noise: pd.DataFrame,
                    outputs: list[str], resamples: int, conf_level: float, seed: int):
    """Indices for every output: (indices, second-order pairs, noise table, skipped outputs).

    An output with a missing value at some point (e.g. no father dyad in a cohort) or no
    variation over the design cannot be analysed; it is listed in ``skipped`` with the reason.
    """
    method, problem = config["method"], config["problem"]
    noise_info = noise_table(design, noise, outputs, method, config.get("levels"))
    tables, pairs, skipped = [], [], {}
    for name in outputs:
        y = design[name].to_numpy(float)
        if not np.all(np.isfinite(y)):
            skipped[name] = f"{int((~np.isfinite(y)).sum())} design point(s) without a value (no dyad of that role)"
            continue
        if np.ptp(y) == 0:
            skipped[name] = "the same value at every design point"
            continue
        if method == "sobol":
            t, p2 = analyze_sobol(problem, y, second_order=config["second_order"], resamples=resamples,
                                  conf_level=conf_level, seed=seed)
            if p2 is not None:
                pairs.append(p2.assign(output=name))
        else:
            t = analyze_morris(problem, X, y, levels=config["levels"], resamples=resamples,
                               conf_level=conf_level, seed=seed)
        floor = float(noise_info.loc[noise_info["output"] == name, "floor"].iloc[0])
        t = flag_distinguishable(t, method, floor)
        t.insert(0, "output", name)
        tables.append(t)
    indices = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame()
    second = pd.concat(pairs, ignore_index=True)[["output", "parameter", "other", "S2", "S2_conf"]] \
        if pairs else None
    return indices, second, noise_info, skipped
