"""The fit and check table of ``bonding validate``: each target of calibration/targets.toml judged
on its own scale from the replicates of its virtual study (issue 15).

One row per target, in two sections, ``fit`` (the targets history matching and ABC were fitted
to) and ``check`` (held back before any fitting). From the R stored replicates of the target's
study (``DIR/studies/STUDY.json``, the same results as the study table of ``validation.md``):

* published value (or bound) and its uncertainty as the targets file gives it; ``se_scale`` and
  ``discrepancy``: the observation SE and the model-discrepancy SD on the target's scale, as
  :mod:`bonding.calibration.study_targets` derives them (the transforms live there only);
* the simulated median and 90% range (5th-95th percentile) over the replicates (natural scale);
* ``z = shortfall(m) / sqrt(se_scale^2 + discrepancy^2 + mc_se^2)``, where ``m`` is the median of
  the replicates on the target's scale, ``shortfall`` is :meth:`StudyTarget.shortfall` (the
  distance from the value; for a one-sided claim the distance to the bound, 0 when it is met),
  and ``mc_se = sd * sqrt(pi / (2 R))`` is the Monte Carlo SE of a median of R replicates. This is
  history matching's implausibility with the emulator variance replaced by the Monte Carlo
  variance of the median;
* **pass rule**: a ``value`` target passes when ``|z| <= 2``; an ``at_least``/``at_most`` target
  passes when the median meets the bound (shortfall 0); either fails when the paper reported a
  significant effect and the share of significant replicates is at chance
  (:func:`validate.at_chance`, :func:`validate.significance_claimed`): a null model is not a fit.

Then the pass fraction per section against issue 15's goals (at least 90% of ``fit`` and 75% of
``check`` targets), and, from the failures, what the model cannot reproduce: which target, by how
much and in which direction.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from bonding.experiments.lab.validate import _fmt

Z_PASS = 2.0  # |z| at most this on the target's scale: a value target passes
GOALS = {"fit": 0.90, "check": 0.75}  # issue 15: share of targets that must pass
SECTIONS = ("fit", "check")
PASS_RULE = ("a value target passes when |z| <= 2 on its scale (z: the replicates' median minus the published "
             "value over sqrt(se^2 + discrepancy^2 + Monte Carlo SE of the median^2)); a one-sided target passes "
             "when the median meets its bound; either fails when the paper's effect was significant and the share "
             "of significant replicates is at chance (one-sided binomial test against alpha)")

COLUMNS = ["section", "target", "study", "source", "kind", "scale", "confidence", "published_value",
           "published_bound", "published_uncertainty", "se_scale", "discrepancy", "replicates", "n_missing",
           "sim_median", "sim_q05", "sim_q95", "sim_median_scale", "mc_se_scale", "z", "p_significant",
           "significance_claimed", "significance_at_chance", "passed", "direction", "verdict"]
BOUND_SIGNS = {"at_least": "≥", "at_most": "≤"}


def uncertainty_text(spec: dict) -> str:
    """The published uncertainty as the targets file gives it (SE, 95% interval or tolerance)."""
    if "se" in spec:
        return f"SE {spec['se']:g}"
    if "interval" in spec:
        lo, hi = spec["interval"]
        return f"95% [{lo:g}, {hi:g}]"
    if "tolerance" in spec:
        return f"tolerance {spec['tolerance']:g} ({spec.get('scale', 'identity')})"
    return ""


def mc_se_of_median(sd: float, replicates: int) -> float:
    """Monte Carlo SE of the median of ``replicates`` normal draws with SD ``sd`` (asymptotic)."""
    if replicates < 1 or not np.isfinite(sd):
        return 0.0
    return float(sd * math.sqrt(math.pi / (2 * replicates)))


def target_row(target, study, rows: list[dict], uncertainty: str = "") -> dict:
    """One target judged from its study's replicate rows (``run_study``'s value, p, significant, n)."""
    from bonding.experiments.lab.studies import ALPHA, has_test
    from bonding.experiments.lab.validate import at_chance, significance_claimed

    v = np.array([r["value"] for r in rows], float)
    ok = v[np.isfinite(v)]
    R = len(rows)
    y = np.asarray(target.statistic(ok), float) if ok.size else np.zeros(0)
    y = y[np.isfinite(y)]
    row = {"section": target.role, "target": target.name, "study": target.study, "source": target.source,
           "kind": target.kind, "scale": target.scale, "confidence": target.confidence,
           "published_value": float(target.value), "published_bound": BOUND_SIGNS.get(target.kind, ""),
           "published_uncertainty": uncertainty, "se_scale": float(target.se),
           "discrepancy": float(target.discrepancy), "replicates": R, "n_missing": int(v.size - ok.size),
           "sim_median": float(np.median(ok)) if ok.size else np.nan,
           "sim_q05": float(np.quantile(ok, 0.05)) if ok.size else np.nan,
           "sim_q95": float(np.quantile(ok, 0.95)) if ok.size else np.nan}
    tested = has_test(study.stat_kind)
    sig = np.array([bool(r["significant"]) for r in rows], bool)
    p_sig = float(sig.mean()) if tested and R else np.nan
    claimed = bool(tested and significance_claimed(study))
    chance = bool(claimed and at_chance(p_sig, R, ALPHA))
    row.update(p_significant=p_sig, significance_claimed=claimed, significance_at_chance=chance)
    if not y.size:
        row.update(sim_median_scale=np.nan, mc_se_scale=np.nan, z=np.nan, passed=False, direction="undefined",
                   verdict="FAIL: the statistic is undefined in every replicate")
        return row
    m = float(np.median(y))
    mc = mc_se_of_median(float(y.std(ddof=1)) if y.size > 1 else 0.0, y.size)
    short = float(target.shortfall(m))
    z = short / math.sqrt(target.se ** 2 + target.discrepancy ** 2 + mc ** 2)
    direction = "simulated higher" if short > 0 else "simulated lower" if short < 0 else ""
    if target.kind == "value":
        met = abs(z) <= Z_PASS
        why = f"z = {z:+.2f}" + ("" if met else f", |z| > {Z_PASS:g}")
    else:
        met = short == 0
        sign = BOUND_SIGNS[target.kind]
        why = (f"median {row['sim_median']:.3g} {sign} {target.value:g}" if met
               else f"median {row['sim_median']:.3g} misses {sign} {target.value:g} (z = {z:+.2f})")
    passed = bool(met and not chance)
    if chance:
        why += f"; the paper's effect is significant, P(sig) = {p_sig:.2f} is at chance"
        direction = direction or "significance at chance"
    row.update(sim_median_scale=m, mc_se_scale=mc, z=float(z), passed=passed,
               direction=direction if not passed else "", verdict=("pass: " if passed else "FAIL: ") + why)
    return row


def frame(rows: list[dict]) -> pd.DataFrame:
    """The rows as a typed frame in :data:`COLUMNS` order, ``fit`` before ``check``."""
    df = pd.DataFrame(rows).reindex(columns=COLUMNS)
    df["section"] = pd.Categorical(df["section"], SECTIONS)
    df = df.sort_values("section", kind="stable").reset_index(drop=True)
    df["section"] = df["section"].astype(str)
    text = ("section", "target", "study", "source", "kind", "scale", "confidence", "published_bound",
            "published_uncertainty", "direction", "verdict")
    for col in COLUMNS:
        if col in text:
            df[col] = df[col].fillna("").astype(str)
        elif col in ("significance_claimed", "significance_at_chance", "passed"):
            df[col] = df[col].astype(bool)
        elif col in ("replicates", "n_missing"):
            df[col] = df[col].astype("int64")
        else:
            df[col] = pd.to_numeric(df[col], errors="coerce").astype(float)
    return df


def pass_fractions(df: pd.DataFrame) -> dict[str, dict]:
    """Per section: targets, passed, share and whether the issue's goal is met."""
    out = {}
    for s in SECTIONS:
        g = df[df["section"] == s]
        n, k = len(g), int(g["passed"].sum())
        share = k / n if n else math.nan
        out[s] = {"targets": n, "passed": k, "share": share, "goal": GOALS[s],
                  "goal_met": bool(n and share >= GOALS[s])}
    return out


def failure_lines(df: pd.DataFrame) -> list[str]:
    """One plain sentence per failed target: which, by how much, in which direction."""
    lines = []
    for _, r in df[~df["passed"]].iterrows():
        head = f"- **{r['target']}** ({r['section']}, study {r['study']}, targets.md {r['source']}): "
        if r["direction"] == "undefined":
            lines.append(head + "the study's statistic is undefined in every replicate.")
            continue
        pub = f"{r['published_bound']}{_fmt(r['published_value'])}"
        sim = f"{_fmt(r['sim_median'])} [90% {_fmt(r['sim_q05'])}, {_fmt(r['sim_q95'])}]"
        parts = []
        if r["direction"] in ("simulated higher", "simulated lower"):
            parts.append(f"{r['direction']}: median {sim} against published {pub} "
                         f"(z = {_fmt(r['z'], 2)} on the {r['scale']} scale)")
        if r["significance_at_chance"]:
            parts.append(f"the published effect is significant but P(sig) = {_fmt(r['p_significant'], 2)} over the "
                         f"simulated studies, at chance; simulated median {sim} against published {pub}"
                         if not parts else f"and the published effect's significance is at chance "
                         f"(P(sig) = {_fmt(r['p_significant'], 2)})")
        lines.append(head + "; ".join(parts) + ".")
    return lines


def summary_lines(df: pd.DataFrame) -> list[str]:
    fr = pass_fractions(df)
    return [f"- **{s}**: {v['passed']} of {v['targets']} pass ({_fmt(100 * v['share'], 3)}%); goal at least "
            f"{v['goal']:.0%}: **{'met' if v['goal_met'] else 'not met'}**" for s, v in fr.items()]


def render_markdown(df: pd.DataFrame, heading: str = "#", intro: str = "") -> str:
    """The fit and check sections, the pass fractions and what the model cannot reproduce."""
    lines = [f"{heading} Fit and check: each target on its own scale", ""]
    if intro:
        lines += [intro, ""]
    lines += [f"Rule: {PASS_RULE}. Simulated: median and 5th-95th percentile over the replicates, each a study "
              "of the published size. SE and discrepancy are on the target's scale (`scale`).", ""]
    lines += summary_lines(df)
    for s in SECTIONS:
        g = df[df["section"] == s]
        lines += ["", f"{heading}# `{s}` targets ({len(g)})", "",
                  "| target | study | published | uncertainty | scale: SE, discrepancy | simulated median [90%] "
                  "| z | P(sig) | result |", "|---|---|---|---|---|---|---|---|---|"]
        for _, r in g.iterrows():
            verdict = r["verdict"] if r["passed"] else f"**{r['verdict']}**"
            lines.append(f"| {r['target']} | {r['study']} | {r['published_bound']}{_fmt(r['published_value'])} | "
                         f"{r['published_uncertainty']} | {r['scale']}: {_fmt(r['se_scale'], 2)}, "
                         f"{_fmt(r['discrepancy'], 2)} | {_fmt(r['sim_median'])} [{_fmt(r['sim_q05'])}, "
                         f"{_fmt(r['sim_q95'])}] | {_fmt(r['z'], 2)} | {_fmt(r['p_significant'], 2)} | {verdict} |")
    fails = failure_lines(df)
    lines += ["", f"{heading}# What the model cannot reproduce", ""]
    lines += fails if fails else ["Every target passes."]
    return "\n".join(lines) + "\n"


__all__ = ["target_row", "frame", "pass_fractions", "failure_lines", "render_markdown", "uncertainty_text",
           "mc_se_of_median", "PASS_RULE", "GOALS", "Z_PASS", "COLUMNS"]
