"""The fit report of a field-scale calibration (issue 15), from the folders the commands wrote.

``python -m bonding.calibration.fit_report [--hm DIR] [--abc DIR] [--validate DIR] [--targets FILE] --out FILE``

* ``--hm``: a ``bonding calibrate --method history-matching`` folder: the non-implausible (NROY)
  fraction per wave and the emulators' leave-one-out (LOO) standardised errors per wave
  (share within +-2, largest |error|, emulators not used);
* ``--abc``: a ``bonding calibrate --method abc`` folder: each free parameter's weighted posterior
  median and 90% interval against its declared range and the NROY box (the ABC prior), and the
  weighted pairwise posterior correlations with the strongest pairs flagged (|r| >= 0.5: the
  targets pin a combination of the two rather than each, an identifiability limit);
* ``--validate``: a ``bonding validate`` folder: the fit and check table of the targets
  (``fit_check.parquet``; rebuilt from the stored replicates with ``--targets`` or the shipped
  targets file when the folder has none) and, from its failures, what the model cannot reproduce.

Each section names the command (the recorded argv), the commit and the wall time the folder
records. At least one folder is needed; the report is Markdown, written atomically. Bad input:
one line naming the flag, exit status 2, nothing written. The functions are pure (folders in,
frames and text out) so the lead can paste the report into docs/calibration.md.
"""

from __future__ import annotations

import argparse
import math
import shlex
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from bonding.experiments.lab.validate import _fmt as _f
from bonding.model.params import ParameterError

STRONG_CORRELATION = 0.5  # |weighted posterior r| from which a pair is flagged
NOT_LEARNED = 0.8  # 90% interval at least this share of the NROY box: the fit targets do not pin it
TOP_PAIRS = 10
LOO_PASS = 0.8  # share of LOO errors within +-2 an emulator needs (history_matching.Settings.min_loo_pass)


# ------------------------------------------------------------------ folders
def read_manifest(folder: Path, kinds: tuple[str, ...], flag: str) -> dict:
    """The manifest of a finished folder of one of ``kinds`` (one-line ParameterError otherwise)."""
    from bonding.experiments.provenance import readable_json

    folder = Path(folder)
    man = readable_json(folder / "manifest.json")
    if man is None:
        raise ParameterError(f"{flag}: {str(folder)!r} holds no readable manifest.json (allowed: a folder "
                             f"written by {' or '.join(kinds)})")
    if man.get("kind") not in kinds:
        raise ParameterError(f"{flag}: {str(folder)!r} is a {man.get('kind')!r} folder (allowed: {', '.join(kinds)})")
    return man


def command_line(man: dict) -> str:
    """The recorded command, with the program shown as its name (``bonding``, ``pytest``, ...)."""
    argv = list(man.get("argv") or [])
    if not argv:
        return "not recorded"
    return " ".join([Path(argv[0]).name, *map(shlex.quote, argv[1:])])


def provenance_lines(man: dict, wall: str) -> list[str]:
    commit = man.get("git_commit") or "not recorded"
    return [f"- command: `{command_line(man)}`", f"- commit: `{commit}`; code version `{man.get('code_version', '–')}`",
            f"- wall time: {wall}"]


def _seconds(x: float | None) -> str:
    if x is None or not math.isfinite(float(x)):
        return "not recorded"
    x = float(x)
    return f"{x:.0f} s ({x / 60:.1f} min)" if x >= 60 else f"{x:.1f} s"


# ------------------------------------------------------------------ history matching
def wave_table(hm_dir: Path) -> pd.DataFrame:
    """One row per finished wave: runs, NROY fraction, its ratio to the previous wave, emulators
    used, and the LOO summaries over the wave's emulators."""
    from bonding.calibration.history_matching import completed_waves

    rows, prev = [], None
    for s in completed_waves(hm_dir):
        loo = np.array([d["loo_share_within_2"] for d in s["emulators"]], float)
        worst = np.array([d["loo_max_abs"] for d in s["emulators"]], float)
        rows.append({"wave": s["wave"], "runs": s["runs"], "nroy_fraction": s["nroy_fraction"],
                     "shrink_vs_previous": s["nroy_fraction"] / prev if prev else np.nan,
                     "kept": s["kept"], "emulators": len(s["emulators"]), "emulators_used": s["emulators_used"],
                     "loo_within_2_median": float(np.median(loo)) if loo.size else np.nan,
                     "loo_within_2_min": float(loo.min()) if loo.size else np.nan,
                     "loo_max_abs": float(np.nanmax(worst)) if np.isfinite(worst).any() else np.nan,
                     "not_used": ", ".join(d["target"] for d in s["emulators"] if not d["used"]),
                     "wall_seconds": s.get("wall_seconds")})
        prev = s["nroy_fraction"]
    return pd.DataFrame(rows)


def hm_wall_seconds(hm_dir: Path, man: dict, waves: pd.DataFrame) -> str:
    """The wall time the folder records (manifest or waves' ``wall_seconds``), else the span of its
    files' modification times (design of wave 1 to the last summary), said so."""
    if man.get("wall_seconds") is not None:
        return _seconds(man["wall_seconds"])
    if len(waves) and waves["wall_seconds"].notna().all():
        return _seconds(float(waves["wall_seconds"].sum())) + " (sum over waves)"
    first = Path(hm_dir) / "wave_1" / "design.parquet"
    last = Path(hm_dir) / f"wave_{len(waves)}" / "summary.json"
    if len(waves) and first.exists() and last.exists():
        return (_seconds(last.stat().st_mtime - first.stat().st_mtime)
                + " (not recorded; span of the files' modification times, pauses included)")
    return "not recorded"


def reach_table(hm_dir: Path) -> pd.DataFrame:
    """Per fit target: the smallest implausibility of any simulator run (no emulator) in wave 1,
    whose design fills the whole box, and in the last wave."""
    from bonding.calibration.history_matching import completed_waves

    s = completed_waves(hm_dir)
    first, last = s[0]["min_simulator_implausibility"], s[-1]["min_simulator_implausibility"]
    return pd.DataFrame([{"target": k, "min_I_wave_1": np.nan if v is None else v,
                          "min_I_last_wave": np.nan if last.get(k) is None else last[k]} for k, v in first.items()])


def reach_lines(hm_dir: Path, cutoff: float) -> list[str]:
    """The fit targets that no run of the whole box came within the cut-off of, in words."""
    r = reach_table(hm_dir)
    far = r[~(r["min_I_wave_1"] <= cutoff)]
    head = (f"Targets no simulator run of wave 1 (a design over the whole box) came within the cut-off {cutoff:g} "
            "of (smallest implausibility over the runs, emulator variance left out): ")
    if far.empty:
        return [head + "none."]
    return [head + "; ".join(f"**{t.target}** (smallest I {_f(t.min_I_wave_1, 3)}, last wave "
                             f"{_f(t.min_I_last_wave, 3)})" for t in far.itertuples())
            + ". Within the declared ranges the model cannot reach them with the stated discrepancy."]


def hm_section(hm_dir: Path) -> list[str]:
    from bonding.calibration.history_matching import emulator_diagnostics

    man = read_manifest(hm_dir, ("history-matching",), "--hm")
    waves = wave_table(hm_dir)
    if waves.empty:
        raise ParameterError(f"--hm: {str(hm_dir)!r} holds no finished wave")
    cfg = man.get("config", {})
    st = cfg.get("settings", {})
    lines = ["## History matching", "", *provenance_lines(man, hm_wall_seconds(hm_dir, man, waves)),
             f"- {len(cfg.get('space', {}).get('names', []))} free parameters, {len(cfg.get('targets', []))} fit "
             f"targets; cut-off {st.get('cutoff')} on the implausibility ranked {st.get('nth')} over the targets "
             "(1 = the largest); "
             f"status {man.get('status')}; stopped: {man.get('stopped', '–')}", "",
             "Non-implausible fraction of the parameter box after each wave, and the emulators' leave-one-out "
             f"standardised errors (share within ±2 per emulator; an emulator needs {LOO_PASS:.0%} to be used).", "",
             "| wave | runs | NROY fraction | vs previous | emulators used | LOO within ±2: median, min | max \\|LOO\\| "
             "| not used |", "|---|---|---|---|---|---|---|---|"]
    for _, r in waves.iterrows():
        lines.append(f"| {r['wave']} | {r['runs']} | {_f(r['nroy_fraction'], 3)} | {_f(r['shrink_vs_previous'], 2)} | "
                     f"{r['emulators_used']} of {r['emulators']} | {_f(r['loo_within_2_median'], 2)}, "
                     f"{_f(r['loo_within_2_min'], 2)} | {_f(r['loo_max_abs'], 3)} | {r['not_used'] or '–'} |")
    lines += ["", *reach_lines(hm_dir, float(st.get("cutoff", 3.0)))]
    diag = emulator_diagnostics(hm_dir)
    last = diag[diag["wave"] == diag["wave"].max()]
    lines += ["", f"Emulators of the last wave ({int(diag['wave'].max())}):", "",
              "| target | runs | active inputs | LOO within ±2 | max \\|LOO\\| | used |", "|---|---|---|---|---|---|"]
    for _, r in last.iterrows():
        lines.append(f"| {r['target']} | {r['runs']} | {r['active_inputs']} | {_f(r['loo_share_within_2'], 2)} | "
                     f"{_f(r['loo_max_abs'], 3)} | {'yes' if r['used'] else '**no**'} |")
    return lines


# ------------------------------------------------------------------ ABC posterior
def weighted_correlation(X: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted Pearson correlation matrix of the columns of ``X`` (NaN for a constant column)."""
    w = np.asarray(w, float) / np.sum(w)
    Xc = X - w @ X
    cov = (Xc * w[:, None]).T @ Xc
    sd = np.sqrt(np.diag(cov))
    with np.errstate(divide="ignore", invalid="ignore"):
        return cov / np.outer(sd, sd)


def posterior_marginals(post: pd.DataFrame, box: dict[str, tuple[float, float]]) -> pd.DataFrame:
    """Per free parameter: declared range (`bonding params`), NROY box (the ABC prior), weighted
    posterior median and 90% interval, and the interval's width relative to each range."""
    from bonding.calibration.abc import weighted_quantile
    from bonding.model.params import PARAMS

    w = post["weight"].to_numpy(float)
    rows = []
    for name, (lo, hi) in box.items():
        v = post[name].to_numpy(float)
        q05, med, q95 = (weighted_quantile(v, w, q) for q in (0.05, 0.5, 0.95))
        p = PARAMS.get(name)
        dlo, dhi = (p.lo, p.hi) if p is not None else (lo, hi)
        rows.append({"parameter": name, "unit": p.unit if p is not None else "", "default": p.default if p else np.nan,
                     "declared_lo": dlo, "declared_hi": dhi, "nroy_lo": lo, "nroy_hi": hi,
                     "posterior_q05": q05, "posterior_median": med, "posterior_q95": q95,
                     "width_vs_declared": (q95 - q05) / (dhi - dlo) if dhi > dlo else np.nan,
                     "width_vs_nroy": (q95 - q05) / (0.9 * (hi - lo)) if hi > lo else np.nan})
    return pd.DataFrame(rows)


def correlated_pairs(post: pd.DataFrame, names, threshold: float = STRONG_CORRELATION) -> pd.DataFrame:
    """Every pair of free parameters with its weighted posterior correlation, strongest first."""
    names = list(names)
    R = weighted_correlation(post[names].to_numpy(float), post["weight"].to_numpy(float))
    rows = [{"a": names[i], "b": names[j], "r": float(R[i, j]), "strong": bool(abs(R[i, j]) >= threshold)}
            for i in range(len(names)) for j in range(i + 1, len(names)) if np.isfinite(R[i, j])]
    df = pd.DataFrame(rows, columns=["a", "b", "r", "strong"])
    return df.reindex(df["r"].abs().sort_values(ascending=False, kind="stable").index).reset_index(drop=True)


def abc_section(abc_dir: Path) -> list[str]:
    man = read_manifest(abc_dir, ("calibrate-abc",), "--abc")
    post_path = Path(abc_dir) / "posterior.parquet"
    if man.get("status") != "complete" or not post_path.exists():
        raise ParameterError(f"--abc: {str(abc_dir)!r} is not a finished ABC (status {man.get('status')!r}; "
                             "allowed: the --out of a finished bonding calibrate --method abc)")
    post = pd.read_parquet(post_path)
    box = {k: (float(a), float(b)) for k, (a, b) in man["problem"]["box"].items()}
    marg = posterior_marginals(post, box)
    pairs = correlated_pairs(post, box)
    gens = pd.read_csv(Path(abc_dir) / "generations.csv") if (Path(abc_dir) / "generations.csv").exists() else None
    wall = _seconds(float(gens["wall_time"].sum())) + " (sum over generations)" if gens is not None and \
        "wall_time" in gens and gens["wall_time"].notna().all() else "not recorded"
    eps = ", ".join(_f(e, 3) for e in man.get("epsilon_schedule", []))
    lines = ["## ABC-SMC in the non-implausible box", "", *provenance_lines(man, wall),
             f"- {man.get('generations')} generations of {man['config'].get('population')} particles, "
             f"{man.get('total_simulations')} simulations; epsilon (RMS z over the fit targets): {eps}", "",
             "Posterior marginals (weighted, last generation). The ABC prior is uniform over the NROY box of the "
             "last history-matching wave; *width vs box*: the 90% interval over 90% of the box (about 1: the fit "
             f"targets say nothing more about the parameter than history matching did; ≥ {NOT_LEARNED} is marked "
             "*not learned*); *vs declared*: the 90% interval over the declared range.", "",
             "| parameter | unit | default | declared range | NROY box | posterior median [90%] | width vs box | "
             "vs declared |", "|---|---|---|---|---|---|---|---|"]
    for _, r in marg.iterrows():
        flag = " *not learned*" if r["width_vs_nroy"] >= NOT_LEARNED else ""
        lines.append(f"| `{r['parameter']}` | {r['unit']} | {_f(r['default'])} | [{_f(r['declared_lo'])}, "
                     f"{_f(r['declared_hi'])}] | [{_f(r['nroy_lo'])}, {_f(r['nroy_hi'])}] | {_f(r['posterior_median'])} "
                     f"[{_f(r['posterior_q05'])}, {_f(r['posterior_q95'])}] | {_f(r['width_vs_nroy'], 2)}{flag} | "
                     f"{_f(r['width_vs_declared'], 2)} |")
    strong = pairs[pairs["strong"]]
    lines += ["", f"Pairwise weighted posterior correlations: {len(strong)} of {len(pairs)} pairs have |r| ≥ "
              f"{STRONG_CORRELATION} (**flagged**: the targets constrain a combination of the two, e.g. a "
              f"product or a trade-off, more than either alone). The {min(TOP_PAIRS, len(pairs))} strongest:", "",
              "| parameter | parameter | r |", "|---|---|---|"]
    for _, r in pairs.head(TOP_PAIRS).iterrows():
        rr = _f(r["r"], 2)
        lines.append(f"| `{r['a']}` | `{r['b']}` | {'**' + rr + '**' if r['strong'] else rr} |")
    return lines


# ------------------------------------------------------------------ fit and check
def fit_check_frame(validate_dir: Path, targets: str | None = None) -> tuple[pd.DataFrame, dict]:
    """The fit/check table of a validation folder: its ``fit_check.parquet``, or (with ``targets``,
    or when the folder has none) rebuilt from its stored replicates for that targets file."""
    from bonding.calibration.study_targets import load_targets
    from bonding.experiments.lab.validate import target_table

    man = read_manifest(validate_dir, ("validate",), "--validate")
    stored = Path(validate_dir) / "fit_check.parquet"
    if targets is None and stored.exists():
        return pd.read_parquet(stored), man
    return target_table(Path(validate_dir), man["config"], load_targets(targets)), man


def validate_section(validate_dir: Path, targets: str | None = None) -> list[str]:
    from bonding.experiments.lab.fit_check import render_markdown

    df, man = fit_check_frame(validate_dir, targets)
    cfg = man["config"]
    sets = cfg.get("set") or {}
    wall = man.get("result_wall_seconds") or {}
    total = sum(float(v) for v in wall.values() if v is not None) if wall else None
    intro = "\n".join(provenance_lines(man, _seconds(total) + " (sum of the stored studies' and arms' run times)"
                                       if total is not None else "not recorded")
                      + [f"- {cfg['replicates']} replicates per study, seed {cfg['seed']}, "
                         + (f"{len(sets)} parameters set (`--set`/`--calibrated`)" if sets else "at the declared defaults")])
    return render_markdown(df, heading="##", intro=intro).rstrip("\n").split("\n")


# ------------------------------------------------------------------ the report
def report(hm: Path | None = None, abc: Path | None = None, validate: Path | None = None,
           targets: str | None = None) -> str:
    """The whole report as Markdown (sections for the folders given)."""
    if hm is None and abc is None and validate is None:
        raise ParameterError("--hm/--abc/--validate: give at least one folder")
    lines = ["# Calibration fit report (issue 15)", "",
             "Generated by `python -m bonding.calibration.fit_report` from the folders named below; every number "
             "is read from them."]
    for section in ([hm_section(Path(hm))] if hm else []) + ([abc_section(Path(abc))] if abc else []) + \
            ([validate_section(Path(validate), targets)] if validate else []):
        lines += ["", *section]
    return "\n".join(lines) + "\n"


def parse_args(argv):
    p = argparse.ArgumentParser(prog="python -m bonding.calibration.fit_report",
                                description="The fit report of a calibration (history matching, ABC, validate).")
    p.add_argument("--hm", default=None, metavar="DIR", help="history-matching folder (bonding calibrate --method history-matching)")
    p.add_argument("--abc", default=None, metavar="DIR", help="ABC folder (bonding calibrate --method abc)")
    p.add_argument("--validate", default=None, metavar="DIR", help="validation folder (bonding validate)")
    p.add_argument("--targets", default=None, metavar="FILE",
                   help="rebuild the fit/check table for this targets file (default: the folder's fit_check.parquet, "
                        "else calibration/targets.toml)")
    p.add_argument("--out", required=True, metavar="FILE", help="the report (Markdown), written atomically")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    from bonding.experiments.provenance import atomic_write_bytes, check_output_path

    try:
        args = parse_args(sys.argv[1:] if argv is None else argv)
        for flag, d in (("--hm", args.hm), ("--abc", args.abc), ("--validate", args.validate)):
            if d is not None and not Path(d).is_dir():
                raise ParameterError(f"{flag}: {d!r} is not a folder")
        out = Path(args.out)
        if out.is_dir():
            raise ParameterError(f"--out: {str(out)!r} is a folder (allowed: a Markdown file to write)")
        check_output_path(out.parent)
        text = report(args.hm, args.abc, args.validate, args.targets)
        atomic_write_bytes(out, text.encode())
    except ParameterError as exc:
        print(f"fit_report: error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {out}")
    return 0


__all__ = ["report", "wave_table", "posterior_marginals", "correlated_pairs", "weighted_correlation",
           "fit_check_frame", "main"]

if __name__ == "__main__":
    sys.exit(main())
