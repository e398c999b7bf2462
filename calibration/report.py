"""What a calibration folder reports: posterior summary, posterior predictive check, figure.

* ``posterior_summary``: per free parameter its declared default, the prior (uniform over the
  declared bounds), the weighted posterior mean, median and 90% credible interval (5th-95th
  weighted percentiles) of the last generation, and the width of that interval relative to the
  prior's 90% interval (1 = nothing learned).
* ``predictive_check`` (posterior predictive check): every summary simulated (a) at the declared
  defaults with K seeds, (b) at the posterior median point (each parameter's weighted median)
  with K seeds and (c) at K parameter points drawn from the posterior by weight, one seed each.
  For each target: published value, the median and 5th-95th percentile of (a), (b) and (c), and
  z = (median - published) / sqrt(se_published^2 + se_simulated^2) as in the ABC distance.
  A target is a MISFIT when |z| > 1.645 (the published value outside the 90% band of one
  simulated cohort plus one published study). Untargeted summaries (e.g. fathers' A/B/C/D
  shares) are shown without a verdict. Nothing is hidden: every target gets a row.
* ``plot_marginals``: weighted marginal posteriors over the prior range, the default and the
  posterior median marked, and the epsilon schedule.

All simulations are seeded from the root seed (:func:`calibration.abc.particle_seed`).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
from bonding.calibration.abc import (
    PPC_STREAM,
    ZDistance,
    default_point,
    particle_seed,
    weighted_quantile,
)
from bonding.calibration.targets import Problem
from bonding.model.params import PARAMS

Z90 = 1.6448536269514722  # two-sided 90% band
CHANGE_MARGIN = 0.5  # |z| must move by this much to count as improved / worse


# ------------------------------------------------------------------ posterior summary
def effective_sample_size(w: np.ndarray) -> float:
    w = np.asarray(w, float) / np.sum(w)
    return float(1.0 / np.sum(w * w))


def posterior_summary(post: pd.DataFrame, problem: Problem) -> pd.DataFrame:
    """One row per free parameter (see the module docstring)."""
    w = post["weight"].to_numpy(float)
    defaults = default_point(problem)
    rows = []
    for name, (lo, hi) in problem.bounds().items():
        v = post[name].to_numpy(float)
        q05, med, q95 = (weighted_quantile(v, w, q) for q in (0.05, 0.5, 0.95))
        rows.append({"parameter": name, "unit": PARAMS[name].unit, "default": defaults[name], "prior": "uniform",
                     "prior_lo": lo, "prior_hi": hi, "prior_median": (lo + hi) / 2,
                     "posterior_mean": float(np.sum(w * v) / np.sum(w)), "posterior_median": med,
                     "posterior_q05": q05, "posterior_q95": q95,
                     "ci90_width_vs_prior": (q95 - q05) / (0.9 * (hi - lo)),
                     "particles": len(v), "ess": effective_sample_size(w)})
    return pd.DataFrame(rows)


def posterior_median_point(summary: pd.DataFrame) -> dict[str, float]:
    return {r["parameter"]: float(r["posterior_median"]) for _, r in summary.iterrows()}


# ------------------------------------------------------------------ posterior predictive check
def predictive_jobs(problem: Problem, post: pd.DataFrame, summary: pd.DataFrame, seed: int,
                    draws: int) -> list[tuple[str, int, dict, int]]:
    """(arm, index, parameter point, simulation seed) of every predictive simulation."""
    jobs = []
    default = default_point(problem)
    median = posterior_median_point(summary)
    for j in range(draws):
        jobs.append(("default", j, default, particle_seed(seed, default, PPC_STREAM, 0, j)))
    for j in range(draws):
        jobs.append(("posterior_median", j, median, particle_seed(seed, median, PPC_STREAM, 1, j)))
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), PPC_STREAM, 2]))
    w = post["weight"].to_numpy(float)
    picks = rng.choice(len(post), size=draws, p=w / w.sum())
    for j, i in enumerate(picks):
        point = {n: float(post[n].iloc[i]) for n in problem.free}
        jobs.append(("posterior_draw", j, point, particle_seed(seed, point, PPC_STREAM, 2, j)))
    return jobs


def run_predictive(simulator, jobs, executor=None) -> pd.DataFrame:
    """Simulate every job (in order; through ``executor`` if given): one row per simulation."""
    if executor is None:
        results = [simulator(point, s) for _, _, point, s in jobs]
    else:
        futures = [executor.submit_call(simulator, point, s) for _, _, point, s in jobs]
        results = [f.result() for f in futures]
    rows = []
    for (arm, j, point, s), res in zip(jobs, results, strict=True):
        rows.append({"arm": arm, "index": j, "seed": s, **{f"param_{k}": v for k, v in point.items()}, **res})
    return pd.DataFrame(rows)


def _band(values: pd.Series) -> tuple[float, float, float]:
    v = values.to_numpy(float)
    v = v[np.isfinite(v)]
    if not v.size:
        return (math.nan,) * 3
    return float(np.median(v)), float(np.quantile(v, 0.05)), float(np.quantile(v, 0.95))


def _z(dist: ZDistance, key: str, sims: pd.DataFrame) -> float:
    med = _band(sims[key])[0]
    se = _band(sims[key + "__se"])[0] if key + "__se" in sims else 0.0
    return dist.z_scores({key: med, key + "__se": se}).get(key, math.nan)


def _verdict(z: float) -> str:
    if not math.isfinite(z):
        return "MISFIT: not computable"
    return "ok" if abs(z) <= Z90 else ("MISFIT: simulated higher" if z > 0 else "MISFIT: simulated lower")


def _change(z_before: float, z_after: float) -> str:
    if not (math.isfinite(z_before) and math.isfinite(z_after)):
        return "–"
    d = abs(z_after) - abs(z_before)
    return "improved" if d <= -CHANGE_MARGIN else "worse" if d >= CHANGE_MARGIN else "similar"


def fit_table(problem: Problem, sims: pd.DataFrame) -> pd.DataFrame:
    """Targets (with verdicts), the overall distance, then untargeted summaries."""
    dist = ZDistance(problem)
    arms = {a: sims[sims["arm"] == a] for a in ("default", "posterior_median", "posterior_draw")}
    rows = []
    targeted = set()
    for t in problem.targets:
        targeted.add(t.key)
        row = {"kind": "target", "target": t.name, "source": t.source, "key": t.key, "confidence": t.confidence,
               "weight": t.weight, "published": t.published, "se_published": t.se_published}
        for arm, df in arms.items():
            row[f"{arm}_median"], row[f"{arm}_q05"], row[f"{arm}_q95"] = _band(df[t.key])
            row[f"z_{arm}"] = _z(dist, t.key, df)
        row["verdict_default"] = _verdict(row["z_default"])
        row["verdict_posterior"] = _verdict(row["z_posterior_median"])
        row["change"] = _change(row["z_default"], row["z_posterior_median"])
        rows.append(row)
    dist_row = {"kind": "distance", "target": "distance (weighted RMS z)", "key": "distance", "source": "",
                "confidence": "", "weight": math.nan, "published": 0.0, "se_published": math.nan}
    for arm, df in arms.items():
        d = pd.Series([dist(r) for r in df.to_dict("records")], dtype=float)
        dist_row[f"{arm}_median"], dist_row[f"{arm}_q05"], dist_row[f"{arm}_q95"] = _band(d)
    rows.append(dist_row)
    skip = {"arm", "index", "seed"}
    for key in sims.columns:
        if key in targeted or key in skip or key.startswith("param_") or key.endswith("__se"):
            continue
        row = {"kind": "untargeted", "target": "", "key": key, "source": "", "confidence": "", "weight": math.nan,
               "published": math.nan, "se_published": math.nan}
        for arm, df in arms.items():
            row[f"{arm}_median"], row[f"{arm}_q05"], row[f"{arm}_q95"] = _band(df[key])
        rows.append(row)
    return pd.DataFrame(rows)


# ------------------------------------------------------------------ markdown
def _f(x, digits: int = 3) -> str:
    try:
        x = float(x)
    except (TypeError, ValueError):
        return str(x)
    return "–" if not math.isfinite(x) else f"{x:.{digits}g}"


def _cell(r, arm: str) -> str:
    return f"{_f(r[f'{arm}_median'])} [{_f(r[f'{arm}_q05'])}, {_f(r[f'{arm}_q95'])}]"


def summary_markdown(summary: pd.DataFrame, generations: pd.DataFrame) -> str:
    last = generations.iloc[-1]
    lines = [f"# Posterior summary (generation {int(last['t'])}, {int(last['particles'])} particles, "
             f"epsilon {_f(last['epsilon'])})", "",
             "Priors are uniform over the declared bounds (`bonding params`). Credible interval: weighted "
             "5th-95th percentiles of the last generation. *Width vs prior*: the 90% interval's width over "
             "the prior's (1 = nothing learned).", "",
             "| parameter | default | prior | posterior mean | median | 90% credible interval | width vs prior |",
             "|---|---|---|---|---|---|---|"]
    for _, r in summary.iterrows():
        lines.append(f"| `{r['parameter']}` | {_f(r['default'])} | U({_f(r['prior_lo'])}, {_f(r['prior_hi'])}) | "
                     f"{_f(r['posterior_mean'])} | {_f(r['posterior_median'])} | "
                     f"[{_f(r['posterior_q05'])}, {_f(r['posterior_q95'])}] | {_f(r['ci90_width_vs_prior'], 2)} |")
    ess = summary["ess"].iloc[0] if len(summary) else math.nan
    n = summary["particles"].iloc[0] if len(summary) else 0
    lines += ["", f"Effective sample size of the weights (1 / sum w²): {_f(ess)} of {n} particles."
              + (" **Low: the posterior rests on a few particles; read it as rough.**" if ess < 0.25 * n else ""),
              "", "## Generations", "",
              "| generation | epsilon | simulations | accepted | acceptance rate | effective sample size | wall time (s) |",
              "|---|---|---|---|---|---|---|"]
    for _, g in generations.iterrows():
        eps = "inf (prior sample)" if math.isinf(g["epsilon"]) else _f(g["epsilon"], 4)
        lines.append(f"| {int(g['t'])} | {eps} | {int(g['samples'])} | {int(g['particles'])} | "
                     f"{g['acceptance_rate']:.1%} | {_f(g['ess'])} | {_f(g['wall_time'], 4)} |")
    return "\n".join(lines) + "\n"


def fit_markdown(fit: pd.DataFrame, draws: int) -> str:
    tg = fit[fit["kind"] == "target"]
    n_def = int(tg["verdict_default"].str.startswith("MISFIT").sum())
    n_post = int(tg["verdict_posterior"].str.startswith("MISFIT").sum())
    lines = ["# Posterior predictive check: simulated vs published", "",
             f"Each cell: median [5th, 95th percentile] over {draws} simulated cohorts: at the declared defaults "
             f"({draws} seeds), at the posterior median point ({draws} seeds), and at {draws} parameter points drawn "
             "from the posterior. z = (median - published) / sqrt(se_published² + se_simulated²), as in the ABC "
             f"distance; MISFIT when |z| > {Z90:.3f}. *Change*: |z| at the posterior median vs at the defaults "
             f"(improved / worse if it moved by at least {CHANGE_MARGIN}).", "",
             f"**Misfit in {n_def} of {len(tg)} targets at the defaults, {n_post} of {len(tg)} at the posterior median.**", "",
             "| target | source (conf., weight) | published ± se | defaults | z | posterior median point | z | posterior draws | fit at posterior median | change |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for _, r in tg.iterrows():
        verdict = r["verdict_posterior"]
        verdict = f"**{verdict}**" if verdict.startswith("MISFIT") else verdict
        lines.append(f"| {r['target']} (`{r['key']}`) | {r['source']} ({r['confidence']}, {_f(r['weight'], 2)}) | "
                     f"{_f(r['published'])} ± {_f(r['se_published'], 2)} | {_cell(r, 'default')} | {_f(r['z_default'], 2)} | "
                     f"{_cell(r, 'posterior_median')} | {_f(r['z_posterior_median'], 2)} | {_cell(r, 'posterior_draw')} | "
                     f"{verdict} | {r['change']} |")
    d = fit[fit["kind"] == "distance"]
    if len(d):
        r = d.iloc[0]
        lines += ["", f"Distance (weighted RMS z over the targets, one cohort each): defaults {_cell(r, 'default')}, "
                  f"posterior median point {_cell(r, 'posterior_median')}, posterior draws {_cell(r, 'posterior_draw')}."]
    un = fit[fit["kind"] == "untargeted"]
    if len(un):
        lines += ["", "## Untargeted summaries (no published value; shown, not fitted)", "",
                  "| summary | defaults | posterior median point | posterior draws |", "|---|---|---|---|"]
        for _, r in un.iterrows():
            lines.append(f"| `{r['key']}` | {_cell(r, 'default')} | {_cell(r, 'posterior_median')} | {_cell(r, 'posterior_draw')} |")
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------ figure
def plot_marginals(post: pd.DataFrame, summary: pd.DataFrame, generations: pd.DataFrame, path: Path) -> Path:
    """Weighted marginal posteriors (one panel each) and the epsilon schedule; saved atomically."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from bonding.experiments.provenance import atomic_savefig

    k = len(summary) + 1
    cols = min(3, k)
    rows = math.ceil(k / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.2 * rows), squeeze=False)
    w = post["weight"].to_numpy(float)
    for ax, (_, r) in zip(axes.flat, summary.iterrows(), strict=False):
        lo, hi = r["prior_lo"], r["prior_hi"]
        ax.hist(post[r["parameter"]].to_numpy(float), bins=np.linspace(lo, hi, 21), weights=w, density=True,
                color="tab:blue", alpha=0.7, label="posterior")
        ax.axhline(1.0 / (hi - lo), color="grey", ls="--", label="prior")
        ax.axvline(r["default"], color="black", lw=1.2, label="default")
        ax.axvline(r["posterior_median"], color="tab:red", lw=1.2, label="posterior median")
        ax.axvspan(r["posterior_q05"], r["posterior_q95"], color="tab:red", alpha=0.08)
        ax.set_xlim(lo, hi)
        ax.set_title(r["parameter"], fontsize=9)
    axes.flat[0].legend(fontsize=7)
    ax = axes.flat[len(summary)]
    g = generations[np.isfinite(generations["epsilon"])]
    ax.plot(g["t"], g["epsilon"], "o-")
    ax.set_xticks(generations["t"])
    ax.set_xlabel("generation")
    ax.set_ylabel("epsilon (weighted RMS z)")
    ax.set_title("epsilon schedule", fontsize=9)
    for extra in list(axes.flat)[k:]:
        extra.axis("off")
    fig.tight_layout()
    atomic_savefig(fig, Path(path), dpi=110)
    plt.close(fig)
    return Path(path)


__all__ = ["posterior_summary", "predictive_jobs", "run_predictive", "fit_table", "summary_markdown",
           "fit_markdown", "plot_marginals", "Z90"]
