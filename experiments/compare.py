"""Compare scenarios over replicates: chunked, resumable, parallel (local processes or Dask).

``bonding compare SCENARIO [SCENARIO ...] --replicates R --households N --months M --seed S
[--set NAME=VALUE ...] [--sweep NAME=V1,V2,...] [--workers W | --scheduler tcp://HOST:PORT] --out DIR``
runs every (scenario, replicate) pair as
one *chunk*. Replicate ``r`` gets the ``r``-th child of ``SeedSequence(S)``, and every scenario
uses the same replicate seeds (common random numbers: the engine draws per decision stream and
initialises CRN-friendly, so a scenario differs from the first only where it changes something).
A chunk depends only on its scenario and seed, so 1 worker, W workers and a Dask cluster give
identical files; the tables are assembled in scenario order and replicate order.

Each finished chunk is written at once and atomically into ``DIR/chunks/`` (its daily time series
first, its summary JSON last: a chunk with a summary is complete). Rerunning the same command
skips finished chunks, so a killed job resumes and loses nothing; a different run configuration
in the same folder is refused (exit 2). ``bonding report DIR`` rebuilds every table and figure
from the files alone:

``manifest.json``       run configuration (scenarios resolved, seeds), versions, git commit
``runs.parquet``        one row per scenario x replicate: outcome means by role (``bond.mother``)
                        and their between-dyad SDs (``bond.mother.sd``); if the lab's Strange
                        Situation ran (``months >= 12``, the ``ssp_*`` dyad columns), the A/B/C/D
                        shares by role (``attachment_D.mother``) and SSP scale means
``timeseries.parquet``  daily means over replicates (and SD across replicates) by scenario/role
``comparison.csv``      every outcome, every scenario vs the first: paired mean difference with a
                        95% t-interval across replicates, and Cohen's d (between-dyad SD) or, for
                        shares, the risk ratio, each with its 95% interval across replicates;
                        outcomes that are population daily means (``*.infant``, ``bond_1m.*``)
                        have no between-dyad SD and get the difference only
``comparison.md``       the key outcomes of ``comparison.csv`` as one Markdown table per scenario
``outcomes.png``, ``trajectories.png``, ``attachment.png`` (if classified)
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import numpy as np
import pandas as pd
from bonding.experiments.cliutil import SEED_LIMIT
from bonding.experiments.parallel import run_tasks
from bonding.experiments.provenance import (
    atomic_write_json,
    atomic_write_parquet,
    check_run_folder,
    environment,
    readable_json,
    readable_parquet,
)
from bonding.experiments.scenarios import Scenario, load_scenario
from bonding.model.params import ParameterError
from bonding.model.state import DAYS_PER_MONTH, ROLES

CAREGIVER_ROLES = ROLES
# dyad outcome -> roles it is summarised for (None = every role)
CONTINUOUS = {
    "bond": None, "sensitivity": None, "synchrony": None, "share_sensitive": None,
    "care_hours_per_day": None, "ot_plasma_mean": None, "ot_central_tone": None,
    "cortisol_mean": None, "fatigue": None, "iwm_expected_responsiveness": None,
    "testosterone_change": ("father",), "prolactin_base": ("mother",),
    "infant_cortisol_final": ("mother",),
}
SHARES = {"depressed": ("mother", "father")}  # from caregiver_depressed (ever, in the run)
# Strange Situation (experiments.lab.ssp via experiments.run.OUTCOME_HOOKS at 12 months): the
# class column (the lab's ``ssp_attachment`` first) gives A/B/C/D shares for every role;
# the coded scales and the post-procedure infant cortisol are summarised like CONTINUOUS.
ATTACHMENT_COLUMNS = ("ssp_attachment", "attachment")
ATTACHMENT_CLASSES = ("A", "B", "C", "D")
SSP_CONTINUOUS = {"ssp_avoidance": ("mother", "father"), "ssp_resistance": ("mother", "father"),
                  "ssp_disorganisation": ("mother", "father"),
                  "ssp_infant_cortisol_post": ("mother", "father")}
INFANT_SERIES = ("infant_ot", "infant_cortisol", "infant_cry_hours", "infant_distress")


# ------------------------------------------------------------------ seeds and chunks
def replicate_seeds(root: int, replicates: int) -> list[int]:
    """Independent replicate seeds from one root seed (``SeedSequence(root).spawn``)."""
    return [int(c.generate_state(1, np.uint64)[0]) & SEED_LIMIT
            for c in np.random.SeedSequence(int(root)).spawn(int(replicates))]


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name)


def chunk_stem(index: int, name: str, replicate: int) -> str:
    """File stem of one chunk: scenario position and name, replicate number."""
    return f"s{index:02d}-{_safe(name)}__r{replicate:04d}"


def _mean_sd(out: dict, name: str, v: pd.Series) -> None:
    out[name] = float(v.mean()) if v.notna().any() else np.nan
    out[f"{name}.sd"] = float(v.std(ddof=1)) if v.notna().sum() > 1 else np.nan


def summarise(outcomes: pd.DataFrame, timeseries: pd.DataFrame) -> dict[str, float]:
    """One replicate's outcome summaries: means (and between-dyad SDs) by role, shares, infant."""
    o = outcomes.copy()
    born_days = timeseries.loc[timeseries["day"] >= 0, "day"]
    n_days = float(born_days.max() + 1) if len(born_days) else np.nan
    o["care_hours_per_day"] = o["care_hours"] / n_days
    out: dict[str, float] = {}
    groups = dict(tuple(o.groupby("role", sort=False)))
    empty = o.iloc[0:0]

    def column(role: str, var: str) -> pd.Series:
        return groups.get(role, empty)[var]

    for var, roles in CONTINUOUS.items():
        for role in roles or CAREGIVER_ROLES:
            _mean_sd(out, f"{var}.{role}", column(role, var).astype(float))
    for var, roles in SHARES.items():
        for role in roles:
            v = column(role, "caregiver_depressed").astype(float)
            out[f"{var}.{role}"] = float(v.mean()) if len(v) else np.nan
    col = next((c for c in ATTACHMENT_COLUMNS if c in o.columns), None)
    if col is not None:
        for role in CAREGIVER_ROLES:
            v = column(role, col)
            v = v[v.notna()]
            for cls in ATTACHMENT_CLASSES:
                out[f"attachment_{cls}.{role}"] = float((v == cls).mean()) if len(v) else np.nan
        for var, roles in SSP_CONTINUOUS.items():
            if var in o.columns:
                for role in roles:
                    _mean_sd(out, f"{var}.{role}", column(role, var).astype(float))
    post = timeseries[(timeseries["day"] >= 0) & (timeseries["role"] == "infant")]
    for var in INFANT_SERIES:
        v = post.loc[post["variable"] == var, "value"]
        out[f"{var}.infant"] = float(v.mean()) if len(v) else np.nan
    one_month = int(round(DAYS_PER_MONTH))
    for role in ("mother", "father"):
        v = timeseries[(timeseries["variable"] == "bond") & (timeseries["role"] == role)
                       & (timeseries["day"] == one_month)]["value"]
        out[f"bond_1m.{role}"] = float(v.iloc[0]) if len(v) else np.nan
    return out


def run_chunk(scenario: Scenario, households: int, months: float, seed: int, threads: int = 1):
    """Run one (scenario, replicate) chunk: returns (summary dict, daily time series).

    Module-level so that process pools and Dask workers can import it; it depends only on
    its arguments, which is what makes 1 worker, W workers and a cluster agree (``threads``
    shares the simulation's day among threads and changes no result).
    """
    from bonding.experiments.run import run_scenario

    result = run_scenario(scenario, households, months, seed, threads=threads)
    ts = result.timeseries.drop(columns=["scenario"])
    ts = ts.assign(role=ts["role"].astype(str), variable=ts["variable"].astype(str))
    return summarise(result.outcomes, ts), ts


# ------------------------------------------------------------------ configuration
def run_config(scenarios: list[Scenario], replicates: int, households: int, months: float,
               seed: int) -> dict:
    """Everything that determines the results (compared on resume)."""
    cfg = {"scenarios": [s.to_dict() for s in scenarios], "replicates": int(replicates),
           "households": int(households), "months": float(months), "seed": int(seed),
           "replicate_seeds": replicate_seeds(seed, replicates)}
    return json.loads(json.dumps(cfg))


def _config_mismatch(old: dict, new: dict) -> str | None:
    for key in ("replicates", "households", "months", "seed"):
        if old.get(key) != new.get(key):
            return f"--{key} was {old.get(key)!r}, now {new.get(key)!r}"
    old_names = [s["name"] for s in old.get("scenarios", [])]
    new_names = [s["name"] for s in new["scenarios"]]
    if old_names != new_names:
        return f"scenarios were {' '.join(old_names)}, now {' '.join(new_names)}"
    for a, b in zip(old["scenarios"], new["scenarios"], strict=True):
        if a != b:
            return f"scenario {a['name']} has changed since the folder was started"
    if old.get("replicate_seeds") != new["replicate_seeds"]:
        return "replicate seeds differ"
    return None


def prepare_folder(out: Path, config: dict) -> None:
    """Create ``out`` with a manifest, or check that an existing one holds the same run."""
    def held(old, new):
        why = _config_mismatch(old, new)
        return f"a different comparison ({why})" if why else None

    if not check_run_folder(out, "compare", "comparison", config, held):
        atomic_write_json(out / "manifest.json", {"kind": "compare", "status": "running", "config": config,
                                                  "parameters": parameter_sets(config), **environment()})


def parameter_sets(config: dict) -> dict[str, dict[str, float]]:
    """Every parameter's value in each scenario (declared defaults updated by its overrides)."""
    from bonding.model.params import PARAMS

    defaults = {n: p.default for n, p in PARAMS.items()}
    return {s["name"]: {**defaults, **s["params"]} for s in config["scenarios"]}


def _chunk_paths(out: Path, stem: str) -> tuple[Path, Path]:
    d = out / "chunks"
    return d / f"{stem}.summary.json", d / f"{stem}.timeseries.parquet"


def write_chunk(out: Path, stem: str, meta: dict, summary: dict, ts: pd.DataFrame) -> None:
    """Write one finished chunk atomically: time series first, summary (completion mark) last."""
    summary_path, ts_path = _chunk_paths(out, stem)
    atomic_write_parquet(ts_path, ts)
    atomic_write_json(summary_path, {**meta, "summary": summary})


def chunk_done(out: Path, stem: str) -> bool:
    """Whether the chunk's two files are complete; a damaged or empty one (a disk that filled,
    a file truncated by hand) means not done, so the chunk is recomputed."""
    summary_path, ts_path = _chunk_paths(out, stem)
    if not (summary_path.exists() and ts_path.exists()):
        return False
    doc = readable_json(summary_path)
    return doc is not None and isinstance(doc.get("summary"), dict) and readable_parquet(ts_path)


# ------------------------------------------------------------------ execution
def _tasks(config: dict, scenarios: list[Scenario]):
    for r, seed in enumerate(config["replicate_seeds"]):
        for i, sc in enumerate(scenarios):
            yield chunk_stem(i, sc.name, r), {"scenario": sc.name, "scenario_index": i,
                                               "replicate": r, "seed": seed}, sc


PROGRESS_FORMAT = ("{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} chunks done "
                   "[{elapsed} elapsed, ETA {remaining}, {rate_fmt}]")


def _progress(total: int, initial: int, enabled: bool, file=None):
    """Chunks completed / total (finished chunks of a resumed run count from the start) and ETA.

    The rate, hence the ETA, is the average over the chunks run in this session
    (``smoothing=0``): pools finish chunks in bursts, which a moving average would overreact to.
    """
    from tqdm import tqdm

    return tqdm(total=total, initial=initial, unit="chunk", desc="comparing", disable=not enabled,
                dynamic_ncols=True, smoothing=0, bar_format=PROGRESS_FORMAT, file=file)


def execute(out: Path, config: dict, scenarios: list[Scenario], workers: int = 1,
            scheduler: str | None = None, progress: bool = True, limit: int | None = None,
            progress_file=None, threads: int = 1) -> int:
    """Run every unfinished chunk; returns how many were run. ``limit`` stops early (tests)."""
    tasks = list(_tasks(config, scenarios))
    todo = [t for t in tasks if not chunk_done(out, t[0])]
    done_before = len(tasks) - len(todo)
    if limit is not None:
        todo = todo[:limit]
    h, m = config["households"], config["months"]
    bar = _progress(len(tasks), done_before, progress, progress_file)

    def done(tag, result):
        stem, meta = tag
        write_chunk(out, stem, meta, *result)
        bar.update(1)

    try:
        run_tasks(run_chunk, [(stem, (sc, h, m, meta["seed"], threads), (stem, meta)) for stem, meta, sc in todo], done,
                  workers=workers, scheduler=scheduler, label="bonding-chunk")
    finally:
        bar.close()
    return len(todo)


# ------------------------------------------------------------------ assembly and statistics
def load_chunks(out: Path) -> tuple[dict, pd.DataFrame, dict[str, pd.DataFrame], int]:
    """Manifest config, the runs table (sorted), time series per scenario, and missing count."""
    manifest = json.loads((out / "manifest.json").read_text())
    config = manifest["config"]
    names = [s["name"] for s in config["scenarios"]]
    rows, series, missing = [], {n: [] for n in names}, 0
    for r, seed in enumerate(config["replicate_seeds"]):
        for i, name in enumerate(names):
            stem = chunk_stem(i, name, r)
            if not chunk_done(out, stem):
                missing += 1
                continue
            summary_path, ts_path = _chunk_paths(out, stem)
            doc = json.loads(summary_path.read_text())
            rows.append({"scenario": name, "scenario_index": i, "replicate": r, "seed": seed, **doc["summary"]})
            series[name].append(pd.read_parquet(ts_path).assign(replicate=r))
    runs = pd.DataFrame(rows)
    if len(runs):
        runs = runs.sort_values(["scenario_index", "replicate"], kind="stable").reset_index(drop=True)
    return config, runs, series, missing


def aggregate_timeseries(series: dict[str, list[pd.DataFrame]]) -> pd.DataFrame:
    """Daily mean and SD across replicates, by scenario, role and variable."""
    parts = []
    for name, frames in series.items():
        if not frames:
            continue
        df = pd.concat(frames, ignore_index=True)
        g = df.groupby(["role", "variable", "day"], sort=True)["value"]
        agg = pd.DataFrame({"mean": g.mean(), "sd": g.std(ddof=1), "n": g.size()}).reset_index()
        agg.insert(0, "scenario", name)
        parts.append(agg)
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        columns=["scenario", "role", "variable", "day", "mean", "sd", "n"])


def outcome_columns(runs: pd.DataFrame) -> list[str]:
    skip = {"scenario", "scenario_index", "replicate", "seed"}
    return [c for c in runs.columns if c not in skip and not c.endswith(".sd")]


def is_share(column: str) -> bool:
    return column.split(".")[0] in SHARES or column.startswith("attachment_")


def _t_interval(x: np.ndarray) -> tuple[float, float, float]:
    from scipy import stats

    x = x[np.isfinite(x)]
    if len(x) == 0:
        return np.nan, np.nan, np.nan
    m = float(np.mean(x))
    if len(x) < 2:
        return m, np.nan, np.nan
    half = float(stats.t.ppf(0.975, len(x) - 1) * np.std(x, ddof=1) / np.sqrt(len(x)))
    return m, m - half, m + half


def _ratio_interval(a: np.ndarray, b: np.ndarray) -> tuple[float, float, float]:
    """Risk ratio mean(b) / mean(a) over paired replicates, with a 95% interval.

    The interval is the delta-method t-interval of log(mean(b) / mean(a)) with the paired
    covariance (replicates share seeds), so a replicate with a share of 0 still counts.
    """
    from scipy import stats

    ok = np.isfinite(a) & np.isfinite(b)
    a, b = a[ok], b[ok]
    n = len(a)
    if n == 0:
        return np.nan, np.nan, np.nan
    ma, mb = float(a.mean()), float(b.mean())
    if ma <= 0:
        return np.nan, np.nan, np.nan
    rr = mb / ma
    if n < 2 or mb <= 0:
        return rr, np.nan, np.nan
    cov = np.cov(a, b, ddof=1)
    var = cov[1, 1] / mb**2 + cov[0, 0] / ma**2 - 2.0 * cov[0, 1] / (ma * mb)
    half = float(stats.t.ppf(0.975, n - 1) * np.sqrt(max(var, 0.0) / n))
    return rr, rr * np.exp(-half), rr * np.exp(half)


def comparison_table(runs: pd.DataFrame, scenarios: list[str]) -> pd.DataFrame:
    """Every outcome and scenario vs the first, paired by replicate (common random numbers)."""
    ref = scenarios[0]
    base = runs[runs["scenario"] == ref].set_index("replicate")
    rows = []
    for name in scenarios[1:]:
        cur = runs[runs["scenario"] == name].set_index("replicate")
        reps = base.index.intersection(cur.index)
        for col in outcome_columns(runs):
            a, b = base.loc[reps, col].to_numpy(float), cur.loc[reps, col].to_numpy(float)
            if not (np.isfinite(a).any() and np.isfinite(b).any()):
                continue
            diff, lo, hi = _t_interval(b - a)
            var, _, role = col.partition(".")
            row = {"outcome": col, "variable": var, "role": role, "scenario": name, "reference": ref,
                   "replicates": int(np.isfinite(b - a).sum()), "mean_reference": float(np.nanmean(a)),
                   "mean_scenario": float(np.nanmean(b)), "mean_difference": diff,
                   "difference_lo": lo, "difference_hi": hi}
            if is_share(col):
                rr, lo_, hi_ = _ratio_interval(a, b)
                row.update(effect_measure="risk_ratio", effect=rr, effect_lo=lo_, effect_hi=hi_)
            elif f"{col}.sd" in runs.columns:
                sa, sb = base.loc[reps, f"{col}.sd"].to_numpy(float), cur.loc[reps, f"{col}.sd"].to_numpy(float)
                with np.errstate(divide="ignore", invalid="ignore"):
                    d = (b - a) / np.sqrt((sa**2 + sb**2) / 2.0)
                d[~np.isfinite(d)] = np.nan
                m, lo_, hi_ = _t_interval(d)
                row.update(effect_measure="cohen_d", effect=m, effect_lo=lo_, effect_hi=hi_)
            else:
                row.update(effect_measure="", effect=np.nan, effect_lo=np.nan, effect_hi=np.nan)
            rows.append(row)
    return pd.DataFrame(rows)


# The key outcomes of comparison.md (column of runs.parquet, label); absent ones are left out.
KEY_OUTCOMES = (
    ("bond.mother", "mother bond"),
    ("bond.father", "father bond"),
    ("sensitivity.mother", "mother sensitivity"),
    ("sensitivity.father", "father sensitivity"),
    ("synchrony.mother", "mother-infant synchrony"),
    ("care_hours_per_day.father", "father care (h/day)"),
    ("ot_plasma_mean.mother", "mother plasma OT (pg/ml)"),
    ("ot_plasma_mean.father", "father plasma OT (pg/ml)"),
    ("cortisol_mean.mother", "mother cortisol (nmol/l)"),
    ("depressed.mother", "mothers ever depressed (share)"),
    ("testosterone_change.father", "father testosterone change (fraction)"),
    ("infant_cortisol.infant", "infant cortisol (nmol/l)"),
    ("attachment_B.mother", "infant secure (B) with mother (share)"),
    ("attachment_D.mother", "infant disorganised (D) with mother (share)"),
)
EFFECT_LABEL = {"cohen_d": "d", "risk_ratio": "RR"}


def _num(x: float, sign: bool = False) -> str:
    if not np.isfinite(x):
        return "n/a"
    return f"{x:+.3g}" if sign else f"{x:.3g}"


def _interval(x: float, lo: float, hi: float, sign: bool = False) -> str:
    if not np.isfinite(x):
        return "n/a"
    if not (np.isfinite(lo) and np.isfinite(hi)):
        return _num(x, sign)
    return f"{_num(x, sign)} [{_num(lo, sign)}, {_num(hi, sign)}]"


def comparison_markdown(table: pd.DataFrame, config: dict, runs: pd.DataFrame,
                        missing: int = 0) -> str:
    """``comparison.md``: the key outcomes, one Markdown table per scenario vs the reference.

    Every number is a cell of ``comparison.csv`` (3 significant figures); nothing else is
    computed here, and nothing depends on time or machine, so ``bonding report`` rewrites the
    same file.
    """
    names = [s["name"] for s in config["scenarios"]]
    ref = names[0]
    months, households, replicates = config["months"], config["households"], config["replicates"]
    classified = any(c.startswith("attachment_") for c in runs.columns)
    lines = [
        f"# Scenario comparison: {len(names) - 1} scenario(s) vs {ref}", "",
        f"`bonding compare {' '.join(names)} --replicates {replicates} --households {households} "
        f"--months {months:g} --seed {config['seed']}`", "",
        f"Means over replicates of {households} households each, {months:g} months after birth. "
        "*Difference*: scenario minus reference, paired by replicate (the scenarios share each "
        "replicate's seed), with its 95% t-interval across replicates. *Effect*: Cohen's d "
        "(difference over the between-dyad SD) for continuous outcomes, risk ratio (RR) for "
        "shares, with 95% intervals across replicates (n/a: no between-dyad SD, as for the "
        "infant's daily-mean series). Every outcome is in `comparison.csv`.",
    ]
    if not classified:
        lines += ["", f"Attachment (A/B/C/D) is not classified: the virtual lab's Strange Situation "
                      f"runs at 12 months and this comparison ran {months:g} months."]
    if missing:
        lines += ["", f"**Incomplete**: {missing} chunk(s) are not finished; the tables cover the others."]
    keys = [(c, label) for c, label in KEY_OUTCOMES if c in runs.columns]
    for name in names[1:]:
        block = table[table["scenario"] == name].set_index("outcome") if len(table) else table
        reps = int(block["replicates"].max()) if len(block) else 0
        lines += ["", f"## {name} vs {ref}", "",
                  f"{reps} replicate(s) x {households} households, {months:g} months.", "",
                  f"| outcome | {ref} | {name} | difference [95% CI] | effect [95% CI] |",
                  "|---|---:|---:|---:|---:|"]
        for col, label in keys:
            cell = f"{label} `{col}`"
            if col not in block.index:
                lines.append(f"| {cell} | n/a | n/a | n/a | n/a |")
                continue
            r = block.loc[col]
            if int(r["replicates"]) != reps:
                cell += f" ({int(r['replicates'])} replicates)"
            measure = EFFECT_LABEL.get(r["effect_measure"], "")
            effect = _interval(r["effect"], r["effect_lo"], r["effect_hi"])
            lines.append(
                f"| {cell} | {_num(r['mean_reference'])} | {_num(r['mean_scenario'])} | "
                f"{_interval(r['mean_difference'], r['difference_lo'], r['difference_hi'], sign=True)} | "
                f"{f'{measure} ' if measure and effect != 'n/a' else ''}{effect} |")
    return "\n".join(lines) + "\n"


def build_report(out: Path, figures: bool = True) -> dict:
    """Rebuild runs.parquet, timeseries.parquet, comparison.csv/.md and the figures from ``out``."""
    from bonding.experiments.provenance import atomic_write_bytes

    out = Path(out)
    manifest = readable_json(out / "manifest.json")
    if manifest is None or manifest.get("kind") != "compare" or not isinstance(manifest.get("config"), dict):
        what = "has no manifest.json" if manifest is None else f"is a {manifest.get('kind', 'unknown')!s} folder"
        raise ParameterError(f"DIR: {out} {what} (allowed: a folder written by `bonding compare`)")
    config, runs, series, missing = load_chunks(out)
    if runs.empty:
        raise ParameterError(f"DIR: {out} has no finished chunks yet")
    names = [s["name"] for s in config["scenarios"]]
    ts = aggregate_timeseries(series)
    table = comparison_table(runs, names)
    atomic_write_parquet(out / "runs.parquet", runs, ("compare", "runs.parquet"))
    atomic_write_parquet(out / "timeseries.parquet", ts, ("compare", "timeseries.parquet"))
    atomic_write_bytes(out / "comparison.csv", table.to_csv(index=False, float_format="%.6g").encode())
    atomic_write_bytes(out / "comparison.md", comparison_markdown(table, config, runs, missing).encode())
    paths = [out / "runs.parquet", out / "timeseries.parquet", out / "comparison.csv", out / "comparison.md"]
    if figures:
        from bonding.experiments import compare_plots as cp

        paths.append(cp.plot_outcomes(runs, names, out / "outcomes.png"))
        paths.append(cp.plot_trajectories(ts, names, out / "trajectories.png"))
        if any(c.startswith("attachment_") for c in runs.columns):
            paths.append(cp.plot_attachment(runs, names, out / "attachment.png"))
    return {"paths": paths, "missing": missing, "chunks": len(runs), "table": table}


def finish_manifest(out: Path, wall_seconds: float, chunks_run: int, parallel: dict | None = None) -> None:
    """Mark the folder complete; ``parallel``: the last session's workers and threads (recorded,
    never compared on resume: the results do not depend on them)."""
    manifest = json.loads((out / "manifest.json").read_text())
    manifest.update(status="complete", last_wall_seconds=round(wall_seconds, 3),
                    last_chunks_run=chunks_run, **({"last_parallel": parallel} if parallel else {}), **environment())
    atomic_write_json(out / "manifest.json", manifest)


# ------------------------------------------------------------------ command line
def headline(table: pd.DataFrame) -> pd.DataFrame:
    """A console view: a few outcomes, difference and effect, one row per scenario."""
    keep = ["bond.mother", "bond.father", "sensitivity.mother", "care_hours_per_day.father",
            "ot_plasma_mean.mother", "cortisol_mean.mother", "depressed.mother", "infant_cortisol.infant",
            "attachment_B.mother", "attachment_D.mother"]
    if table.empty:
        return pd.DataFrame()
    t = table[table["outcome"].isin(keep)].copy()
    t["cell"] = t.apply(lambda r: f"{r['mean_difference']:+.3g} ({EFFECT_LABEL.get(r['effect_measure'], '-')} {r['effect']:.2f})", axis=1)
    return t.pivot(index="scenario", columns="outcome", values="cell").reindex(columns=[k for k in keep if k in set(t["outcome"])])


def sweep_scenarios(scenarios: list[Scenario], text: str, sets: dict[str, float]) -> list[Scenario]:
    """``--sweep NAME=V1,V2,...``: the one scenario at each value (the first is the reference).

    Every level runs on the same replicate seeds (common random numbers), so a level differs
    from the first only through the parameter. Levels are named ``SCENARIO.NAME-VALUE``.
    """
    import dataclasses

    from bonding.experiments import inputs
    from bonding.model.params import validate_overrides

    if len(scenarios) != 1:
        raise ParameterError(f"--sweep: give one SCENARIO (its levels are the comparison; got {len(scenarios)})")
    if "=" not in text:
        raise ParameterError(f"--sweep: {text!r} must look like NAME=V1,V2,...")
    name, values = (t.strip() for t in text.split("=", 1))
    inputs.parameter_name(name, f"--sweep {name}")
    if name in sets:
        raise ParameterError(f"--sweep {name}: also given with --set (give it one way)")
    levels = [inputs.number_text(v, f"--sweep {name}") for v in values.split(",")]
    if len(levels) < 2:
        raise ParameterError(f"--sweep {name}: {values!r} has one value (allowed: two or more, V1,V2,...)")
    dup = next((v for v in levels if levels.count(v) > 1), None)
    if dup is not None:
        raise ParameterError(f"--sweep {name}: {dup:g} is given twice (each value once)")
    base = scenarios[0]
    out = []
    for v in levels:
        value = validate_overrides({name: v}, where="--sweep ")[name]
        sc = dataclasses.replace(base, name=f"{base.name}.{name}-{format(value, '.12g')}",
                                 params={**base.params, name: value},
                                 interventions=[dict(i) for i in base.interventions], sources=list(base.sources))
        out.append(sc)
    return out


def cmd_compare(args) -> int:
    from bonding.experiments.cliutil import parse_sets

    scenarios = [load_scenario(ref) for ref in args.scenarios]
    sets = parse_sets(args.set)
    if sets:
        scenarios = [sc.with_overrides(sets) for sc in scenarios]
    if args.sweep is not None:
        scenarios = sweep_scenarios(scenarios, args.sweep, sets)
    names = [s.name for s in scenarios]
    dup = {n for n in names if names.count(n) > 1}
    if dup:
        raise ParameterError(f"SCENARIO: {sorted(dup)[0]} is given twice (each scenario once)")
    if args.workers is not None and args.scheduler:
        raise ParameterError("--workers/--scheduler: give one of them, not both")
    from bonding.experiments.cliutil import plan_parallel

    workers, threads = plan_parallel(None if args.scheduler else args.workers, args.threads)
    out = Path(args.out)
    config = run_config(scenarios, args.replicates, args.households, args.months, args.seed)
    if not args.scheduler:
        from bonding.experiments.inputs import check_memory

        check_memory(args.households, at_once=min(workers, len(scenarios) * args.replicates))
    prepare_folder(out, config)
    start = time.perf_counter()
    n = execute(out, config, scenarios, workers=workers, scheduler=args.scheduler, progress=not args.quiet,
                threads=threads)
    report = build_report(out, figures=not args.no_figures)
    finish_manifest(out, time.perf_counter() - start, n,
                    parallel={"workers": None if args.scheduler else workers, "threads": threads})
    if not args.quiet:
        head = headline(report["table"])
        if not head.empty:
            with pd.option_context("display.width", 200, "display.max_columns", 12):
                print(head.to_string() + "\n")
        print(f"{n} chunks run, {report['chunks']} in the tables, {time.perf_counter() - start:.1f} s")
        for p in report["paths"]:
            print(f"wrote {p}")
    return 0


def cmd_report(args) -> int:
    report = build_report(Path(args.dir), figures=True)
    if report["missing"]:
        print(f"bonding: warning: {report['missing']} chunks are not finished; tables cover the others")
    for p in report["paths"]:
        print(f"wrote {p}")
    return 0


def add_subcommands(sub) -> None:
    """Register ``compare`` and ``report`` on the ``bonding`` parser."""
    from bonding.experiments.cliutil import (
        MAX_HOUSEHOLDS,
        MAX_MONTHS,
        add_threads_option,
        bounded_float,
        bounded_int,
        scheduler_address,
    )

    p = sub.add_parser("compare", help="compare scenarios over replicates (resumable, parallel)")
    p.add_argument("scenarios", nargs="+", metavar="SCENARIO", help="scenario names or TOML paths; the first is the reference")
    p.add_argument("--replicates", type=bounded_int("--replicates", 1, 10_000), default=10, help="replicates per scenario (default 10)")
    p.add_argument("--households", type=bounded_int("--households", 1, MAX_HOUSEHOLDS), default=1000, help="households per run (default 1000)")
    p.add_argument("--months", type=bounded_float("--months", 0.0, MAX_MONTHS), default=12.0, help="months after birth (default 12)")
    p.add_argument("--seed", type=bounded_int("--seed", 0, SEED_LIMIT), default=1, help="root seed (default 1)")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--workers", type=bounded_int("--workers", 1, 1024), default=None, help="local worker processes (default: all cores)")
    g.add_argument("--scheduler", type=scheduler_address, default=None, metavar="tcp://HOST:PORT",
                   help="run on a Dask cluster at this scheduler")
    p.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                   help="override a parameter in every scenario (repeatable); see `bonding params`")
    p.add_argument("--sweep", default=None, metavar="NAME=V1,V2,...",
                   help="one SCENARIO at several values of a parameter, on common random numbers "
                        "(the first value is the reference)")
    p.add_argument("--out", required=True, help="output folder (rerun with the same folder to resume)")
    p.add_argument("--quiet", action="store_true", help="no progress bar or summary")
    p.add_argument("--no-figures", action="store_true", help="skip the figures (tables only)")
    add_threads_option(p)
    p.set_defaults(func=cmd_compare)
    r = sub.add_parser("report", help="rebuild a comparison's tables and figures from its folder")
    r.add_argument("dir", help="comparison folder written by `bonding compare`")
    r.set_defaults(func=cmd_report)


__all__ = ["replicate_seeds", "run_chunk", "summarise", "execute", "build_report", "comparison_table",
           "run_config", "prepare_folder", "add_subcommands"]
