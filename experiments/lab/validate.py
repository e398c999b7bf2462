"""``bonding validate``: every virtual study of the registry, simulated against published, in one table.

``bonding validate [--replicates R] [--seed S] [--out DIR] [--studies a,b,c] [--households N] [--set NAME=VALUE ...]``

``[--targets FILE] [--calibrated FILE]``: the targets of FILE (default calibration/targets.toml when no
``--studies`` is given; their studies are added to the run) are judged on their own scales in two
sections, ``fit`` and ``check``, with the pass fractions against issue 15's goals and what the
model cannot reproduce (``fit_check.md`` / ``.parquet`` / ``.csv``; rule in
:mod:`bonding.experiments.lab.fit_check`). A target whose study is not in the registry stops the
command before anything is written (one line naming the target and the study, exit 2).
``--calibrated`` runs at a calibrated parameter set (``--set`` wins for the same name).

``--set`` runs every study and SSP arm with those model parameters (e.g. a calibration's posterior
median, ``docs/calibration.md``); a study's or arm's own overrides win for the same name.

For each study (``experiments/studies/registry.toml``, hidden M1 sub-studies excluded unless
named) the study is run R times with the root seed, exactly as ``bonding study NAME
--replicates R --seed S`` runs it, and summarised in one row:

* the published value, its n and text (from the registry);
* the simulated median, mean, SD and 90% range (5th-95th percentile) of the statistic over the
  R replicates, i.e. the range a study of the published size would report if the model were true;
* P(significant) at the study's alpha (directional, as the registry states the direction);
  blank for a statistic without a test (proportion, kappa); for M1 also P(>= 7 of 8 significant);
* the fit: if the paper reported a number, whether it lies in the simulated 90% range and
  ``misfit_z = (simulated median - published) / simulated SD``; if it only reported a
  significant effect, P(significant) is the score and the row is a misfit when P(sig) is at
  chance (:func:`at_chance`: not above the test's alpha by a one-sided binomial test over the R
  replicates); a row whose published number was itself significant at the published n
  (:func:`published_significant`) is also a misfit when P(sig) is at chance, even if the number
  lies in the 90% range (a null model is not a fit, issue 14); if it
  only made a one-sided claim (registry ``at_least`` / ``at_most``, e.g. "high stability"), the
  row is a misfit when the whole 90% range lies on the wrong side of the bound.

Then the Strange Situation (A/B/C/D) shares by caregiver role from one ``bonding run`` of the
``baseline`` and the ``high_risk`` scenarios (N households, 12 months, the root seed; the lab's
SSP hook at 12 months, classes as procedure-coded, no coder noise), beside A1/A2's published
low-risk shares (mothers) and A1's high-risk D share. Their 90% range is share +- 1.645 SD with
SD = sqrt(p (1 - p) (1 / dyads + 1 / 200)): the sampling error of the run plus that of a study
of the published size (n = 200), so the published share should fall inside if the model is right.

Outputs in DIR: ``validation.parquet`` / ``validation.csv`` (one row per study, then one per
arm x role x class), ``validation.md`` (human-readable tables) and ``manifest.json``
(configuration, versions, git commit, wall times). Each study's result is written atomically to
``DIR/studies/NAME.json`` as soon as it finishes, each arm's to ``DIR/ssp/ARM.json``; a rerun
in the same folder skips finished work (a result whose study definition changed is recomputed),
so a killed run resumes; the table is always rebuilt from the stored replicate results, so a
rerun after a change of the summary or fit rules costs seconds. The same seed gives identical
tables. A folder holding a validation
with another --replicates, --seed or --households is refused (exit 2).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import time
from pathlib import Path

import numpy as np
import pandas as pd
from bonding.experiments.lab.measures import MEASURE_PARAMS
from bonding.experiments.provenance import (
    atomic_write_bytes,
    atomic_write_json,
    atomic_write_parquet,
    check_run_folder,
    environment,
)
from bonding.model.params import ParameterError

MAX_REPLICATES = 10_000
DEFAULT_REPLICATES = 20
DEFAULT_HOUSEHOLDS = 400
SEED_LIMIT = 2**63 - 1
SSP_MONTHS = 12.0
SSP_ARMS = ("baseline", "high_risk")  # scenario names
SSP_ROLES = ("mother", "father")
CLASSES = ("A", "B", "C", "D")
SSP_STUDY_N = 200  # sample size of the published A1/A2 comparison (and of rows without one)
MISFIT_P_SIG = 0.05  # the level of the one-sided binomial test of "P(significant) above chance"


def at_chance(p_significant: float, replicates: int, alpha: float) -> bool:
    """Whether the share of significant replicates cannot be told apart from chance (issue 14).

    Under no effect a test is significant in a share ``alpha`` of replicates. The share is "at
    chance" when a one-sided binomial test of ``k = round(p_significant * replicates)`` successes
    against ``alpha`` does not reject at ``MISFIT_P_SIG``: with 40 replicates and alpha .05, up to
    4 significant replicates (P(sig) <= .10) are at chance, 5 or more are not.
    """
    from scipy.stats import binom

    if not np.isfinite(p_significant) or replicates < 1:
        return True
    k = int(round(p_significant * replicates))
    return bool(binom.sf(k - 1, replicates, alpha) > MISFIT_P_SIG)


def published_significant(study, value: float) -> bool:
    """Whether the paper reported a significant effect: a ``significant`` flag in the registry, or a
    published correlation or standardised difference that is significant at the published n
    (two-sided, alpha .05)."""
    from scipy import stats

    pub = study.published
    if "significant" in pub:
        return bool(pub["significant"])
    n = float(study.n)
    if not np.isfinite(value) or n < 4:
        return False
    if study.stat_kind == "pearson" and abs(value) < 1:
        t = abs(value) * np.sqrt((n - 2) / (1 - value**2))
        return bool(2 * stats.t.sf(t, n - 2) < 0.05)
    if study.stat_kind in ("d", "d_between", "paired"):
        t = abs(value) * (np.sqrt(n) / 2 if study.stat_kind == "d" else np.sqrt(n))
        return bool(2 * stats.t.sf(t, n - 2) < 0.05)
    return False


def significance_claimed(study) -> bool:
    """Whether the registry says the paper found a significant effect: its ``significant`` flag; else
    a published number significant at the published n (:func:`published_significant`); else, for a
    study with a test and neither a number nor a one-sided bound, the finding itself is the
    significant effect. A one-sided bound alone claims no significance."""
    from bonding.experiments.lab.studies import has_test

    pub = study.published
    if "significant" in pub:
        return bool(pub["significant"])
    if isinstance(pub.get("value"), int | float):
        return published_significant(study, float(pub["value"]))
    if any(k in pub for k in BOUND_KEYS):
        return False
    return has_test(study.stat_kind)


BOUND_KEYS = {"at_least": "≥", "at_most": "≤"}  # one-sided published claims and their signs

COLUMNS = ["section", "study", "role", "target", "statistic", "alpha", "published_value", "published_bound",
           "published_n", "published_text", "confidence", "compare_on", "replicates", "sim_n", "sim_median", "sim_mean",
           "sim_sd", "sim_q05", "sim_q95", "n_missing", "p_significant", "p_at_least_7_of_8",
           "published_in_90", "misfit_z", "misfit", "verdict"]


# ------------------------------------------------------------------ configuration
def _fingerprint(obj) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True, default=str).encode()).hexdigest()[:16]


def study_fingerprint(study) -> str:
    """Hash of everything in the registry that defines the study (and its sub-studies)."""
    def spec(st):
        return {k: v for k, v in st.spec.items() if k != "_file"}
    return _fingerprint([spec(study), [spec(s) for s in study.substudies]])


def arm_fingerprint(scenario) -> str:
    return _fingerprint({"params": scenario.params, "interventions": scenario.interventions})


def with_sets(study, sets: dict | None, assay_sets: dict | None = None):
    """``study`` (and its sub-studies) with the model overrides ``sets`` (``--set``) and the OT
    assay parameters ``assay_sets`` (``--assay-set``) added.

    The study's own ``overrides`` define its sample (e.g. a high-risk population) and win over
    ``sets`` for the same name; ``sets`` apply to every other parameter, e.g. calibrated values.
    ``assay_sets`` reach every OT assay of the study (``assay_params``; a measure's own
    ``params`` win), e.g. hypothesis H2 of what unextracted immunoassays read.
    """
    from bonding.experiments.lab.studies import Study

    if not sets and not assay_sets:
        return study
    spec = dict(study.spec)
    if sets:
        spec["overrides"] = {**sets, **study.spec.get("overrides", {})}
    if assay_sets:
        spec["assay_params"] = dict(assay_sets)
    return Study(study.name, spec, [with_sets(sub, sets, assay_sets) for sub in study.substudies])


def load_study_with_sets(name: str, sets: dict | None, assay_sets: dict | None = None):
    from bonding.experiments.lab.studies import load_study

    return with_sets(load_study(name), sets, assay_sets)


ASSAY_SET_NAMES = tuple(n for n in MEASURE_PARAMS if n.startswith("ot_"))  # what --assay-set may change


def validate_assay_sets(items: dict[str, str]) -> dict[str, float]:
    """``--assay-set NAME=VALUE``: OT assay parameters by name and bounds (one-line ParameterError)."""
    out = {}
    for name, value in items.items():
        if name not in ASSAY_SET_NAMES:
            raise ParameterError(f"--assay-set {name}: unknown OT assay parameter (allowed: {', '.join(ASSAY_SET_NAMES)})")
        out[name] = MEASURE_PARAMS[name].check(value, f"--assay-set {name}")
    return out


def set_options(args) -> tuple[dict[str, float], dict[str, float]]:
    """A command's ``--set`` model parameters and ``--assay-set`` OT assay parameters, validated
    by name and bounds (one-line ParameterError): shared by ``validate``, ``study`` and ``power``."""
    from bonding.experiments.cli import parse_sets
    from bonding.model.params import validate_overrides

    return (validate_overrides(parse_sets(args.set), where="--set "),
            validate_assay_sets(parse_sets(args.assay_set, flag="--assay-set")))


def arm_scenario(arm: str, sets: dict | None):
    """The scenario of an SSP arm with ``sets`` added; the scenario's own values win (as studies)."""
    from bonding.experiments.scenarios import load_scenario

    sc = load_scenario(arm)
    return sc.with_overrides({k: v for k, v in (sets or {}).items() if k not in sc.params})


def parse_studies(text: str) -> list[str]:
    """``--studies a,b,c``: registry names (hidden sub-studies allowed), in the given order."""
    from bonding.experiments.lab.studies import available_studies

    names = [x.strip() for x in text.split(",") if x.strip()]
    known = available_studies(include_hidden=True)
    if not names:
        raise argparse.ArgumentTypeError(f"--studies: {text!r} names no study (allowed: {', '.join(available_studies())})")
    bad = [n for n in names if n not in known]
    if bad:
        raise argparse.ArgumentTypeError(f"--studies: unknown study {bad[0]!r} (allowed: {', '.join(available_studies())})")
    return list(dict.fromkeys(names))


def run_config(studies: list[str], replicates: int, seed: int, households: int, sets: dict | None = None,
               assay_sets: dict | None = None, targets=None) -> dict:
    """The validation's configuration; ``targets`` (a ``TargetSet``) adds their studies and is
    recorded (file, fingerprint) but not held: the fit/check table is rebuilt from stored results."""
    sets, assay_sets = dict(sets or {}), dict(assay_sets or {})
    studies = list(dict.fromkeys([*studies, *(t.study for t in targets.targets)] if targets else studies))
    return {"studies": studies, "replicates": int(replicates), "seed": int(seed),
            "households": int(households), "ssp_months": SSP_MONTHS,
            "ssp_arms": list(SSP_ARMS) if households > 0 else [], "set": sets, "assay_set": assay_sets,
            "fingerprints": {n: study_fingerprint(load_study_with_sets(n, sets, assay_sets)) for n in studies},
            "targets": None if targets is None else {"file": targets.path, "fingerprint": targets.fingerprint(),
                                                     "counts": targets.counts()}}


def prepare_folder(out: Path, config: dict) -> None:
    """Create ``out`` with a running manifest, or check an existing validation folder matches."""
    def held(old, new):
        for key in ("replicates", "seed", "households", "set", "assay_set"):
            if old.get(key, {} if key in ("set", "assay_set") else None) != new[key]:
                return f"a validation with --{key.replace('_', '-')} {old.get(key)}, now {new[key]}"
        return None

    if not check_run_folder(out, "validate", "validation", config, held):
        atomic_write_json(out / "manifest.json", {"kind": "validate", "status": "running", "config": config,
                                                  **environment()})


def study_path(out: Path, name: str) -> Path:
    return Path(out) / "studies" / f"{name}.json"


def arm_path(out: Path, arm: str) -> Path:
    return Path(out) / "ssp" / f"{arm}.json"


def _load_done(path: Path, **expect) -> dict | None:
    """The stored result at ``path`` if it exists and matches ``expect``; else None."""
    if not path.exists():
        return None
    try:
        doc = json.loads(path.read_text())
    except ValueError:
        return None
    return doc if all(doc.get(k) == v for k, v in expect.items()) else None


# ------------------------------------------------------------------ one study
def statistic_name(study) -> str:
    st = study.spec["statistic"]
    kind = st["kind"]
    if kind == "proportion":
        eq = st["equals"] if isinstance(st["equals"], list) else [st["equals"]]
        return f"share {'/'.join(map(str, eq))}"
    return {"pearson": "r", "d": "Cohen d", "d_between": f"Cohen d ({st.get('x')} - {st.get('y')})", "interaction": "Welch t (median split)",
            "median_pct_change": "median % change", "paired": "d_z (paired)", "kappa": "kappa",
            "vote": f"studies significant of {len(study.substudies)}",
            "any_proportion": f"share positive at any of {len(st.get('vars', []))} visits",
            "conditional_proportion": f"share {st.get('var')} given {st.get('given')}"}[kind]


def _roles(study) -> str:
    s = study.spec.get("sample", {})
    roles = list(s["counts"]) if "counts" in s else s.get("roles", [])
    return "+".join(roles)


def study_row(study, rows: list[dict]) -> dict:
    """One table row from a study's replicate rows (see the module docstring for the fit rules)."""
    from bonding.experiments.lab.studies import ALPHA, has_test

    v = np.array([r["value"] for r in rows], float)
    ok = v[np.isfinite(v)]
    sig = np.array([bool(r["significant"]) for r in rows], bool)
    pub = study.published
    bound_side = next((k for k in BOUND_KEYS if k in pub), None)  # a one-sided published claim
    value = pub.get("value", pub.get(bound_side))
    value = float(value) if isinstance(value, int | float) else np.nan
    kind = study.stat_kind
    tested = has_test(kind)
    row = {"section": "study", "study": study.name, "role": _roles(study), "target": study.target,
           "statistic": statistic_name(study), "alpha": ALPHA if tested else np.nan,
           "published_value": value, "published_bound": BOUND_KEYS.get(bound_side, ""),
           "published_n": float(study.n), "published_text": pub.get("text", ""),
           "confidence": pub.get("confidence", ""), "replicates": len(rows),
           "sim_n": float(np.median([r["n"] for r in rows])),
           "sim_median": float(np.median(ok)) if ok.size else np.nan,
           "sim_mean": float(ok.mean()) if ok.size else np.nan,
           "sim_sd": float(ok.std(ddof=1)) if ok.size > 1 else np.nan,
           "sim_q05": float(np.quantile(ok, 0.05)) if ok.size else np.nan,
           "sim_q95": float(np.quantile(ok, 0.95)) if ok.size else np.nan,
           "n_missing": int(v.size - ok.size),
           "p_significant": float(sig.mean()) if tested else np.nan,
           "p_at_least_7_of_8": float(sig.mean()) if kind == "vote" else np.nan}
    claims_sig = pub.get("significant", tested and not np.isfinite(value))
    if np.isfinite(value) and bound_side:
        row.update(_bound_fit(value, bound_side, row["sim_median"], row["sim_sd"], row["sim_q05"], row["sim_q95"]))
    elif np.isfinite(value):
        row.update(_value_fit(value, row["sim_median"], row["sim_sd"], row["sim_q05"], row["sim_q95"]))
        if (tested and not row["misfit"] and published_significant(study, value)
                and at_chance(row["p_significant"], len(rows), ALPHA)):
            row.update(misfit=True, verdict=(f"MISFIT: the paper's effect is significant; P(sig)="
                                             f"{row['p_significant']:.2f} is at chance ({row['verdict']})"))
    elif claims_sig and tested:
        p = row["p_significant"]
        chance = at_chance(p, len(rows), ALPHA)
        row.update(compare_on="significance", published_in_90=None, misfit_z=np.nan,
                   misfit=chance,
                   verdict=(f"MISFIT: a significant result has P={p:.2f}, at chance" if chance
                            else f"weak: P(sig)={p:.2f}" if p < 0.5 else f"ok: P(sig)={p:.2f}"))
    else:
        row.update(compare_on="none", published_in_90=None, misfit_z=np.nan, misfit=None,
                   verdict="no published value to compare")
    return row


def _value_fit(pub: float, med: float, sd: float, q05: float, q95: float) -> dict:
    if not np.isfinite(med):
        return {"compare_on": "value", "published_in_90": None, "misfit_z": np.nan, "misfit": True,
                "verdict": "MISFIT: statistic undefined in every replicate"}
    inside = bool(q05 <= pub <= q95)
    if np.isfinite(sd) and sd > 0:
        z = (med - pub) / sd
    else:
        z = 0.0 if med == pub else float(np.sign(med - pub)) * np.inf
    side = "simulated higher" if med > pub else "simulated lower"
    return {"compare_on": "value", "published_in_90": inside, "misfit_z": float(z), "misfit": not inside,
            "verdict": f"ok (z={z:+.1f})" if inside else f"MISFIT: published outside 90% range, {side} (z={z:+.1f})"}


def _bound_fit(bound: float, side: str, med: float, sd: float, q05: float, q95: float) -> dict:
    """Fit to a one-sided published claim (``at_least`` / ``at_most`` a bound), e.g. "high stability".

    A misfit only when the simulated 90% range lies wholly on the wrong side of the bound (even
    the most favourable 5% of simulated studies would not report it); z measures the shortfall
    of the median (0 when the median satisfies the claim).
    """
    if not np.isfinite(med):
        return _value_fit(bound, med, sd, q05, q95)
    shortfall = bound - med if side == "at_least" else med - bound
    z = max(shortfall, 0.0) / sd if np.isfinite(sd) and sd > 0 else float(shortfall > 0) * np.inf
    z = -z if side == "at_least" else z
    reachable = q95 >= bound if side == "at_least" else q05 <= bound
    sign = BOUND_KEYS[side]
    return {"compare_on": "bound", "published_in_90": bool(reachable), "misfit_z": float(z),
            "misfit": not reachable,
            "verdict": (f"ok: median {med:.3g} {sign} {bound:g} (z={z:+.1f})" if shortfall <= 0
                        else f"ok at the edge: {sign} {bound:g} within the 90% range (z={z:+.1f})" if reachable
                        else f"MISFIT: 90% range entirely outside {sign} {bound:g} (z={z:+.1f})")}


def run_one_study(name: str, replicates: int, seed: int, cache: dict | None = None,
                  sets: dict | None = None, assay_sets: dict | None = None, threads: int = 1) -> dict:
    """Run one study and return its result document (replicate results, summary row, timing).

    The table is rebuilt from the replicate results (:func:`stored_rows`), so the summary and
    fit rules can change without re-running; the stored ``row`` is for reading the file.
    """
    from bonding.experiments.lab.studies import run_study

    study = load_study_with_sets(name, sets, assay_sets)
    t0 = time.perf_counter()
    rows = run_study(study, replicates, seed, cache=cache, threads=threads)
    return {"study": name, "fingerprint": study_fingerprint(study), "replicates": int(replicates),
            "seed": int(seed), "row": _jsonable(study_row(study, rows)),
            "values": [_num(r["value"]) for r in rows], "p": [_num(r["p"]) for r in rows],
            "significant": [bool(r["significant"]) for r in rows], "n": [int(r["n"]) for r in rows],
            "wall_seconds": round(time.perf_counter() - t0, 3)}


def stored_rows(doc: dict) -> list[dict]:
    """The replicate rows of a stored study result (as ``run_study`` returned them)."""
    nan = float("nan")
    return [{"replicate": i, "value": nan if v is None else v, "p": nan if p is None else p,
             "significant": s, "n": n}
            for i, (v, p, s, n) in enumerate(zip(doc["values"], doc["p"], doc["significant"], doc["n"], strict=True))]


def _num(x):
    x = float(x)
    return x if np.isfinite(x) else None


def _jsonable(row: dict) -> dict:
    out = {}
    for k, v in row.items():
        if isinstance(v, float | np.floating):
            v = float(v)
            out[k] = v if np.isfinite(v) else (None if np.isnan(v) else ("inf" if v > 0 else "-inf"))
        elif isinstance(v, np.bool_):
            out[k] = bool(v)
        elif isinstance(v, np.integer):
            out[k] = int(v)
        else:
            out[k] = v
    return out


# ------------------------------------------------------------------ SSP distribution arms
def run_arm(arm: str, households: int, seed: int, sets: dict | None = None, threads: int = 1) -> dict:
    """A/B/C/D counts by role from one run of scenario ``arm`` to 12 months (the lab's SSP hook)."""
    from bonding.experiments.run import run_scenario

    scenario = arm_scenario(arm, sets)
    t0 = time.perf_counter()
    res = run_scenario(scenario, households, SSP_MONTHS, seed, threads=threads)
    o = res.outcomes
    if "ssp_attachment" not in o:
        raise RuntimeError("the run produced no ssp_attachment column (is the SSP hook registered at 12 months?)")
    counts = {role: {c: int(((o["role"] == role) & (o["ssp_attachment"] == c)).sum()) for c in CLASSES}
              for role in SSP_ROLES}
    return {"arm": arm, "fingerprint": arm_fingerprint(scenario), "households": int(households),
            "seed": int(seed), "months": SSP_MONTHS, "counts": counts,
            "wall_seconds": round(time.perf_counter() - t0, 3)}


def _published_shares() -> dict[tuple[str, str], tuple[float, float, str, str]]:
    """(arm, class) -> (published share, published n, text, study) from the registry (mothers)."""
    from bonding.experiments.lab.studies import load_registry

    reg = load_registry()
    out = {}
    for name, spec in reg.items():
        st = spec.get("statistic", {})
        pub = spec.get("published", {})
        if st.get("kind") != "proportion" or not isinstance(pub.get("value"), int | float):
            continue
        if spec.get("measures", {}).get(st.get("var"), {}).get("var") != "attachment":
            continue  # A3 codes the secondary (ABC-only) class
        if spec.get("sample", {}).get("roles") != ["mother"]:
            continue
        arm = "high_risk" if spec.get("overrides") else "baseline"
        eq = st["equals"] if isinstance(st["equals"], list) else [st["equals"]]
        if len(eq) == 1 and (arm, eq[0]) not in out:
            n = spec.get("sample", {}).get("n", SSP_STUDY_N)
            out[(arm, eq[0])] = (float(pub["value"]), float(n), pub.get("text", ""), name)
    return out


def arm_rows(doc: dict) -> list[dict]:
    from scipy import stats

    published = _published_shares()
    rows = []
    for role in SSP_ROLES:
        counts = doc["counts"][role]
        total = sum(counts.values())
        for c in CLASSES:
            share = counts[c] / total if total else np.nan
            pub, n_pub, text, src = (published.get((doc["arm"], c), (np.nan, np.nan, "", ""))
                                     if role == "mother" else (np.nan, np.nan, "", ""))
            n_ref = int(n_pub) if np.isfinite(n_pub) else SSP_STUDY_N
            if total:  # sampling error of this run plus that of a study of the published size
                sd = float(np.sqrt(share * (1 - share) * (1 / total + 1 / n_ref)))
                z90 = float(stats.norm.ppf(0.95))
                q05, q95 = max(share - z90 * sd, 0.0), min(share + z90 * sd, 1.0)
            else:
                q05 = q95 = sd = np.nan
            row = {"section": f"ssp_{doc['arm']}", "study": doc["arm"], "role": role,
                   "target": f"{src} ({text})" if src else "", "statistic": f"share {c}", "alpha": np.nan,
                   "published_value": pub, "published_n": n_pub, "published_text": text,
                   "confidence": "", "replicates": 1, "sim_n": float(total), "sim_median": share,
                   "sim_mean": share, "sim_sd": sd, "sim_q05": q05, "sim_q95": q95, "n_missing": 0,
                   "p_significant": np.nan, "p_at_least_7_of_8": np.nan}
            if np.isfinite(pub):
                row.update(_value_fit(pub, share, sd, q05, q95))
            else:
                row.update(compare_on="none", published_in_90=None, misfit_z=np.nan, misfit=None,
                           verdict="no published value to compare")
            rows.append(row)
    return rows


# ------------------------------------------------------------------ execution and tables
def execute(out: Path, config: dict, log=print, threads: int = 1) -> dict:
    """Run every unfinished study and arm, writing each result as it finishes.

    ``threads``: threads per simulation (not in ``config``: no result depends on it).

    Studies that simulate the same population share one simulation (kept only while a
    remaining study needs it). Returns ``{"studies_run": [...], "arms_run": [...]}``.
    """
    from bonding.experiments.lab.studies import simulation_key

    out = Path(out)
    R, seed, sets = config["replicates"], config["seed"], config.get("set", {})
    todo = []
    for name in config["studies"]:
        if _load_done(study_path(out, name), fingerprint=config["fingerprints"][name], replicates=R, seed=seed):
            log(f"skip {name} (done)")
        else:
            todo.append(name)
    assay_sets = config.get("assay_set", {})
    keys = {name: simulation_key(load_study_with_sets(name, sets, assay_sets), R, seed) for name in todo}
    cache: dict = {}
    ran = []
    for i, name in enumerate(todo):
        doc = run_one_study(name, R, seed, cache, sets, assay_sets, threads)
        atomic_write_json(study_path(out, name), doc)
        ran.append(name)
        needed = {k for later in todo[i + 1:] for k in keys[later]}
        for k in [k for k in cache if k not in needed]:
            del cache[k]
        r = doc["row"]
        log(f"[{i + 1}/{len(todo)}] {name}: {r['statistic']} median {_fmt(r['sim_median'])} "
            f"[90% {_fmt(r['sim_q05'])}, {_fmt(r['sim_q95'])}] P(sig) {_fmt(r['p_significant'])}; "
            f"published {_fmt(r['published_value'])}; {r['verdict']} ({doc['wall_seconds']:.0f} s)")
    arms_run = []
    for arm in config["ssp_arms"]:
        fp = arm_fingerprint(arm_scenario(arm, sets))
        if _load_done(arm_path(out, arm), fingerprint=fp, households=config["households"], seed=seed):
            log(f"skip SSP arm {arm} (done)")
            continue
        doc = run_arm(arm, config["households"], seed, sets, threads)
        atomic_write_json(arm_path(out, arm), doc)
        arms_run.append(arm)
        shares = {role: " ".join(f"{c} {_fmt(n / max(sum(cnt.values()), 1))}" for c, n in cnt.items())
                  for role, cnt in doc["counts"].items()}
        log(f"SSP {arm} ({config['households']} households, 12 mo): "
            + "; ".join(f"{r}: {s}" for r, s in shares.items()) + f" ({doc['wall_seconds']:.0f} s)")
    return {"studies_run": ran, "arms_run": arms_run}


def build_table(out: Path, config: dict) -> pd.DataFrame:
    """The validation table from the stored results (studies in the requested order, then arms)."""
    from bonding.experiments.lab.studies import load_study

    rows = []
    for name in config["studies"]:
        doc = _load_done(study_path(out, name), fingerprint=config["fingerprints"][name],
                         replicates=config["replicates"], seed=config["seed"])
        if doc is None:
            raise ParameterError(f"--out {out}: study {name} has no finished result")
        rows.append(study_row(load_study(name), stored_rows(doc)))
    for arm in config["ssp_arms"]:
        doc = json.loads(arm_path(out, arm).read_text())
        rows.extend(arm_rows(doc))
    df = pd.DataFrame(rows).reindex(columns=COLUMNS)
    text = {"section", "study", "role", "target", "statistic", "published_text", "confidence", "compare_on", "verdict"}
    for col in COLUMNS:
        if col not in text and col not in ("published_in_90", "misfit"):
            df[col] = pd.to_numeric(df[col], errors="coerce").astype(float)
    for col in ("published_in_90", "misfit"):
        df[col] = df[col].astype("boolean")
    for col in ("replicates", "n_missing"):
        df[col] = df[col].astype("int64")
    for col in sorted(text):
        df[col] = df[col].fillna("").astype(str)
    return df


def stored_study(out: Path, config: dict, name: str, what: str = "") -> dict:
    """The finished result of study ``name`` in the validation folder ``out`` (one-line error if none)."""
    doc = _load_done(study_path(out, name), fingerprint=config["fingerprints"].get(name),
                     replicates=config["replicates"], seed=config["seed"]) if name in config["fingerprints"] else None
    if doc is None:
        raise ParameterError(f"--out {out}: {what}study {name} has no finished result (allowed: a study this "
                             "validation ran; rerun bonding validate with the targets)")
    return doc


def target_table(out: Path, config: dict, targets) -> pd.DataFrame:
    """The fit/check table (:mod:`bonding.experiments.lab.fit_check`) of ``targets`` from the stored
    replicate results of their studies in ``out``."""
    from bonding.experiments.inputs import read_toml
    from bonding.experiments.lab.fit_check import frame, target_row, uncertainty_text
    from bonding.experiments.lab.studies import load_study

    raw = read_toml(Path(targets.path), "targets file").get("targets", {}) if targets.path else {}
    rows = []
    for t in targets.targets:
        doc = stored_study(out, config, t.study, f"target {t.name}: ")
        rows.append(target_row(t, load_study(t.study), stored_rows(doc), uncertainty_text(raw.get(t.name, {}))))
    return frame(rows)


def target_intro(config: dict, targets) -> str:
    sets = config.get("set") or {}
    where = (f"with {len(sets)} model parameters set (`--set`/`--calibrated`, listed in validation.md)" if sets
             else "at the declared defaults")
    return (f"R = {config['replicates']} replicates per study, seed {config['seed']}, {where}. Targets: "
            f"`{Path(targets.path).name}` ({targets.counts()['fit']} fit, {targets.counts()['check']} check; roles "
            f"chosen {targets.chosen_on} at {targets.chosen_at_commit[:12]}).")


def write_target_outputs(out: Path, df: pd.DataFrame, config: dict, targets) -> list[Path]:
    from bonding.experiments.lab.fit_check import render_markdown as fit_check_markdown

    return write_table_files(out, "fit_check", df, fit_check_markdown(df, intro=target_intro(config, targets)))


def _fmt(x, digits: int = 3) -> str:
    if x is None:
        return "–"
    try:
        x = float(x)
    except (TypeError, ValueError):
        return str(x)
    if np.isnan(x):
        return "–"
    return f"{x:.{digits}g}"


def _md_escape(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def render_markdown(df: pd.DataFrame, config: dict) -> str:
    """Human-readable tables: studies (simulated vs published), then the SSP distribution."""
    sets = config.get("set") or {}
    assay_sets = config.get("assay_set") or {}
    lines = [f"# Validation: simulated vs published (R = {config['replicates']} replicates, seed {config['seed']})", "",
             *([("Model parameters set for every study and arm (`--set`): "
                 + ", ".join(f"`{k}` = {v:g}" for k, v in sets.items())
                 + " (a study's or arm's own overrides win for the same name)."), ""] if sets else []),
             *([("OT assay parameters set for every study (`--assay-set`): "
                 + ", ".join(f"`{k}` = {v:g}" for k, v in assay_sets.items())), ""] if assay_sets else []),
             "Each study is run R times at its published sample size; *simulated* is the median and the "
             "5th-95th percentile range of the statistic over the replicates; P(sig) is the share of "
             "replicates significant at alpha = .05 in the published direction. *z* = (simulated median "
             "- published) / simulated SD. Rows whose paper reported only a significant effect are "
             "judged by P(sig): misfit when P(sig) is at chance (not above alpha by a one-sided binomial test "
             "over the R replicates; with no effect a directional test gives P(sig) ≈ .025); a published value "
             "that was itself significant at its n is also a misfit when P(sig) is at chance. "
             + ("With few replicates the percentiles are rough; z is steadier. " if config["replicates"] < 100 else "")
             + "Provenance (versions, git commit) is in manifest.json.", "",
             "| study | target | statistic | n | published | simulated median [90%] | P(sig) | fit |",
             "|---|---|---|---|---|---|---|---|"]
    st = df[df["section"] == "study"]
    for _, r in st.iterrows():
        bound = r["published_bound"] if isinstance(r["published_bound"], str) else ""
        pub = bound + _fmt(r["published_value"]) if np.isfinite(r["published_value"]) else (
            "significant" if r["compare_on"] == "significance" else "–")
        sim = f"{_fmt(r['sim_median'])} [{_fmt(r['sim_q05'])}, {_fmt(r['sim_q95'])}]"
        psig = _fmt(r["p_significant"], 2)
        if r["statistic"].startswith("studies significant"):
            psig = f"P(≥7/8) = {_fmt(r['p_at_least_7_of_8'], 2)}"
        fit = r["verdict"]
        if fit.startswith("MISFIT"):
            fit = f"**{fit}**"
        lines.append(f"| {r['study']} | {_md_escape(r['target'])} | {r['statistic']} | {int(r['published_n'])} | "
                     f"{pub} | {sim} | {psig} | {_md_escape(fit)} |")
    lines += ["", "Published (registry text):", ""]
    for _, r in st.iterrows():
        if r["published_text"]:
            lines.append(f"- **{r['study']}**: {_md_escape(r['published_text'])} (confidence {r['confidence'] or '–'})")
    ssp = df[df["section"].str.startswith("ssp_")]
    if len(ssp):
        lines += ["", f"## Strange Situation at 12 months, by caregiver role ({config['households']} households per arm, seed {config['seed']})", "",
                  "One `bonding run` per scenario; classes as coded from the simulated procedure (no coder noise). "
                  "Published: A1/A2 low-risk shares and A1's high-risk D share (mothers). 90% range: share ± 1.645 SD, "
                  f"SD² = p(1 − p)(1/dyads + 1/{SSP_STUDY_N}) (this run's sampling error plus a {SSP_STUDY_N}-dyad study's).", "",
                  "| arm | role | dyads | A | B | C | D |", "|---|---|---|---|---|---|---|"]
        for (arm, role), g in ssp.groupby(["study", "role"], sort=False):
            g = g.set_index("statistic")
            cells = []
            for c in CLASSES:
                r = g.loc[f"share {c}"]
                cell = f"{_fmt(r['sim_median'])} [{_fmt(r['sim_q05'])}, {_fmt(r['sim_q95'])}]"
                if np.isfinite(r["published_value"]):
                    mark = "" if r["published_in_90"] else " **MISFIT**"
                    cell += f" (pub. {_fmt(r['published_value'])}{mark})"
                cells.append(cell)
            lines.append(f"| {arm} | {role} | {int(g['sim_n'].iloc[0])} | " + " | ".join(cells) + " |")
    n_mis = int(df["misfit"].fillna(False).sum())
    n_cmp = int(df["misfit"].notna().sum())
    when = "with the `--set` values above" if sets else "at the declared defaults"
    lines += ["", f"Misfit in {n_mis} of {n_cmp} comparable rows ({when})."]
    return "\n".join(lines) + "\n"


def write_table_files(out: Path, stem: str, df: pd.DataFrame, markdown: str) -> list[Path]:
    """``STEM.parquet`` (with the declared units of ``validate``'s table), ``STEM.csv`` and ``STEM.md``,
    each written atomically."""
    out = Path(out)
    paths = [out / f"{stem}.parquet", out / f"{stem}.csv", out / f"{stem}.md"]
    atomic_write_parquet(paths[0], df, ("validate", paths[0].name))
    buf = io.StringIO()
    df.to_csv(buf, index=False, float_format="%.6g")
    atomic_write_bytes(paths[1], buf.getvalue().encode())
    atomic_write_bytes(paths[2], markdown.encode())
    return paths


def write_outputs(out: Path, df: pd.DataFrame, config: dict) -> list[Path]:
    return write_table_files(out, "validation", df, render_markdown(df, config))


def finish_manifest(out: Path, config: dict, wall_seconds: float, done: dict, threads: int | None = None) -> Path:
    path = Path(out) / "manifest.json"
    timings = {}
    for name in config["studies"]:
        doc = json.loads(study_path(out, name).read_text())
        timings[name] = doc.get("wall_seconds")
    for arm in config["ssp_arms"]:
        timings[f"ssp:{arm}"] = json.loads(arm_path(out, arm).read_text()).get("wall_seconds")
    atomic_write_json(path, {"kind": "validate", "status": "complete", "config": config,
                             "last_wall_seconds": round(wall_seconds, 3), "last_run": done,
                             "result_wall_seconds": timings,
                             **({"last_threads": int(threads)} if threads is not None else {}), **environment()})
    return path


# ------------------------------------------------------------------ command line
def targets_option(args):
    """The ``TargetSet`` to judge: ``--targets FILE``; without it the shipped calibration/targets.toml
    when every study runs (no ``--studies``), else none. A target whose study is not in the registry
    stops here, before anything is written (one line naming the target and the study, exit 2)."""
    from bonding.calibration.study_targets import TARGETS_FILE, load_targets

    if args.targets is None and (args.studies or not TARGETS_FILE.is_file()):
        return None
    return load_targets(args.targets)


def calibrated_sets(args, sets: dict) -> dict:
    """``--calibrated FILE``: its ``[parameters]`` (checked by name and bounds) under ``--set``."""
    if not args.calibrated:
        return sets
    from bonding.calibration.calibrated import load_calibrated

    path = Path(args.calibrated)
    if not path.is_file():
        raise ParameterError(f"--calibrated: {str(path)!r} is not a file (allowed: a calibrated parameter file "
                             "such as calibration/calibrated.toml)")
    return {**load_calibrated(path), **sets}


def cmd_validate(args) -> int:
    from bonding.experiments.cliutil import plan_parallel
    from bonding.experiments.lab.studies import available_studies

    studies = args.studies or available_studies()
    sets, assay_sets = set_options(args)
    sets = calibrated_sets(args, sets)
    targets = targets_option(args)
    _, threads = plan_parallel(None, args.threads, has_workers=False)
    out = Path(args.out) if args.out else Path("results") / f"validate-seed{args.seed}"
    config = run_config(studies, args.replicates, args.seed, args.households, sets, assay_sets, targets)
    prepare_folder(out, config)
    start = time.perf_counter()
    log = (lambda *a: None) if args.quiet else (lambda msg: print(msg, flush=True))
    done = execute(out, config, log=log, threads=threads)
    df = build_table(out, config)
    paths = write_outputs(out, df, config)
    tdf = None
    if targets is not None:
        tdf = target_table(out, config, targets)
        paths += write_target_outputs(out, tdf, config, targets)
    paths.append(finish_manifest(out, config, time.perf_counter() - start, done, threads))
    if not args.quiet:
        n_mis = int(df["misfit"].fillna(False).sum())
        print(f"{len(done['studies_run'])} studies and {len(done['arms_run'])} SSP arms run, "
              f"{len(config['studies']) - len(done['studies_run'])} studies reused; misfit in {n_mis} of "
              f"{int(df['misfit'].notna().sum())} comparable rows; {time.perf_counter() - start:.0f} s")
        if tdf is not None:
            from bonding.experiments.lab.fit_check import summary_lines

            print("targets (" + Path(targets.path).name + "):\n" + "\n".join(summary_lines(tdf)))
        for p in paths:
            print(f"wrote {p}")
    return 0


def add_subcommands(sub) -> None:
    """Register ``validate`` on the ``bonding`` subparsers."""
    from bonding.experiments.cli import MAX_HOUSEHOLDS, bounded_int
    from bonding.experiments.cliutil import add_threads_option

    v = sub.add_parser("validate", help="run every virtual study and tabulate simulated vs published (resumable)")
    v.add_argument("--replicates", type=bounded_int("--replicates", 1, MAX_REPLICATES), default=DEFAULT_REPLICATES,
                   help=f"replicates per study (default {DEFAULT_REPLICATES})")
    v.add_argument("--seed", type=bounded_int("--seed", 0, SEED_LIMIT), default=1, help="root seed (default 1)")
    v.add_argument("--out", default=None, help="output folder (default results/validate-seedS; rerun to resume)")
    v.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                   help="model parameter for every study and SSP arm, e.g. a calibrated value (repeatable; "
                        "a study's or arm's own overrides win for the same name); see `bonding params`")
    v.add_argument("--assay-set", action="append", default=[], metavar="NAME=VALUE",
                   help="OT assay parameter for every study (repeatable), e.g. ot_unextracted_central_corr=0.5 "
                        "for hypothesis H2 of what unextracted immunoassays read (docs/validation.md)")
    v.add_argument("--studies", type=parse_studies, default=None, metavar="a,b,c",
                   help="comma-separated study names (default: every listed study, see `bonding study --list`)")
    v.add_argument("--targets", default=None, metavar="FILE",
                   help="judge the targets of FILE (their studies are added to the run) in fit_check.md/.parquet: "
                        "fit and check sections, z on each target's scale, pass/fail, pass fractions "
                        "(default: calibration/targets.toml when no --studies is given)")
    v.add_argument("--calibrated", default=None, metavar="FILE",
                   help="run at a calibrated parameter set, e.g. calibration/calibrated.toml (--set wins for the same name)")
    v.add_argument("--households", type=bounded_int("--households", 0, MAX_HOUSEHOLDS), default=DEFAULT_HOUSEHOLDS,
                   help=f"households per SSP distribution arm (baseline, high_risk; default {DEFAULT_HOUSEHOLDS}; 0 skips them)")
    v.add_argument("--quiet", action="store_true", help="no progress lines or summary")
    add_threads_option(v, has_workers=False)
    v.set_defaults(func=cmd_validate)


__all__ = ["add_subcommands", "run_config", "prepare_folder", "execute", "build_table", "study_row",
           "target_table", "write_target_outputs", "significance_claimed", "stored_study",
           "render_markdown", "write_outputs", "run_one_study", "run_arm", "arm_rows"]
