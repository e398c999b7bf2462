"""``bonding study`` and ``bonding power`` subcommands (registered by ``add_subcommands``).

``bonding study --list``
``bonding study NAME [--replicates R] [--seed S] [--out DIR]``: the sampling distribution of
the study's statistic over R fresh samples, beside the published value (CSV + Parquet + PNG).
``bonding power NAME --n 30,60,120,240 [--replicates R]``: P(significant) per sample size
(table + power curve); for M1 also P(>= 7 of 8 studies significant).

Bad input exits with status 2 and one line naming the field; files are written atomically.
"""

from __future__ import annotations

import argparse
import io
import re
import sys
import time
from pathlib import Path

from bonding.experiments.cliutil import SEED_LIMIT, add_threads_option, bounded_int, plan_parallel

MAX_REPLICATES = 10_000
MAX_N = 100_000


def _n_list(text):
    items = [x.strip() for x in text.split(",")]
    if not all(re.fullmatch(r"\d+", x) for x in items):  # int() would also read "2_50" and " +3"
        raise argparse.ArgumentTypeError(f"--n: {text!r} must be comma-separated whole numbers (allowed 4 to {MAX_N})")
    ns = [int(x) for x in items]
    if not ns or any(not 4 <= n <= MAX_N for n in ns):
        raise argparse.ArgumentTypeError(f"--n: {text!r} has a value out of range (allowed 4 to {MAX_N})")
    return sorted(set(ns))


def _write_table(df, out: Path, stem: str) -> list[Path]:
    from bonding.experiments.provenance import atomic_write_bytes

    out.mkdir(parents=True, exist_ok=True)
    csv = out / f"{stem}.csv"
    atomic_write_bytes(csv, df.to_csv(index=False).encode())
    pq = out / f"{stem}.parquet"
    buf = io.BytesIO()
    df.to_parquet(buf, index=False)
    atomic_write_bytes(pq, buf.getvalue())
    return [csv, pq]


def _write_fig(fig, path: Path) -> Path:
    from bonding.experiments.provenance import atomic_write_bytes

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    atomic_write_bytes(path, buf.getvalue())
    return path


def _study_from_args(name: str, args):
    """The registry study ``name`` with ``--set`` model parameters and ``--assay-set`` OT assay
    parameters applied (validated: one-line error, exit 2), a description of them, and the
    run configuration (what the output folder's manifest records and a rerun must match)."""
    from bonding.experiments.lab.studies import load_study
    from bonding.experiments.lab.validate import set_options, study_fingerprint, with_sets

    sets, assay_sets = set_options(args)
    study = with_sets(load_study(name), sets, assay_sets)
    note = "; ".join(f"{k}={v:g}" for k, v in {**sets, **assay_sets}.items())
    config = {"study": study.name, "replicates": int(args.replicates), "seed": int(args.seed), "set": sets,
              "assay_set": assay_sets, "fingerprint": study_fingerprint(study)}
    return study, note, config


def _claim_folder(out: Path, kind: str, config: dict) -> None:
    """The run-folder protocol for ``study`` and ``power`` (before any work): a new or empty
    folder, or this same study; then the manifest is marked ``running``."""
    from bonding.experiments.provenance import check_run_folder, start_run_folder

    def held(old, new):
        for key, value in new.items():
            if old.get(key) != value:
                flag = {"study": "NAME", "fingerprint": "study definition"}.get(key, f"--{key.replace('_', '-')}")
                return f"another {kind} ({flag} was {old.get(key)!r}, now {value!r})"
        return None

    check_run_folder(out, kind, kind, config, held)
    start_run_folder(out, {"kind": kind, "config": config})


def _finish_folder(out: Path, kind: str, config: dict, paths: list[Path], wall_seconds: float,
                   threads: int = 1) -> Path:
    from bonding.experiments.provenance import atomic_write_json, environment

    path = out / "manifest.json"
    atomic_write_json(path, {"kind": kind, "status": "complete", "config": config,
                             "outputs": [p.name for p in paths], "wall_seconds": round(wall_seconds, 3),
                             "threads": int(threads), **environment()})
    return path


def _add_set_options(p) -> None:
    p.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                   help="model parameter for the simulated population (repeatable; the study's own overrides win)")
    p.add_argument("--assay-set", action="append", default=[], metavar="NAME=VALUE",
                   help="OT assay parameter (repeatable), e.g. ot_unextracted_central_corr=0.9 (hypothesis H2)")


def cmd_study(args) -> int:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import pandas as pd
    from bonding.experiments.lab.studies import available_studies, load_study, run_study, summarise

    if args.list or not args.name:
        for name in available_studies():
            st = load_study(name)
            print(f"{name:16s} {st.stat_kind:18s} n={st.n:<5d} {st.spec.get('citation', '')[:90]}")
        return 0
    st, note, config = _study_from_args(args.name, args)
    _, threads = plan_parallel(None, args.threads, has_workers=False)
    out = Path(args.out) if args.out else Path("results") / f"study-{st.name}-seed{args.seed}"
    _claim_folder(out, "study", config)
    start = time.perf_counter()
    rows = run_study(st, args.replicates, args.seed, threads=threads)
    df = pd.DataFrame(rows)
    summ = {**summarise(st, rows), "set": note}
    paths = _write_table(df, out, "replicates") + _write_table(pd.DataFrame([summ]), out, "summary")
    fig, ax = plt.subplots(figsize=(5, 3.2))
    v = df["value"].dropna()
    ax.hist(v, bins=min(30, max(5, len(v) // 3)), color="0.6")
    pub = summ["published"]
    if pub == pub:  # not NaN
        ax.axvline(pub, color="C3", lw=2, label=f"published {pub:g}")
        ax.legend()
    ax.set_xlabel(f"{st.stat_kind} ({st.name}, n={st.n}, R={args.replicates})")
    ax.set_ylabel("replicates")
    psig = summ["p_significant"]
    psig = "no test" if psig != psig else f"{psig:.2f}"  # NaN: a statistic without a significance test
    ax.set_title(f"{st.name}: P(significant)={psig}" + (f"\n{note}" if note else ""), fontsize=9)
    paths.append(_write_fig(fig, out / "distribution.png"))
    plt.close(fig)
    paths.append(_finish_folder(out, "study", config, paths, time.perf_counter() - start, threads))
    print(f"{st.name}{' (' + note + ')' if note else ''}: median {summ['median']:.3g} "
          f"[90% {summ['q05']:.3g}, {summ['q95']:.3g}], P(sig)={psig}; "
          f"published: {summ['published_text'] or summ['published']}")
    for p in paths:
        print(f"wrote {p}")
    return 0


def cmd_power(args) -> int:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import pandas as pd
    from bonding.experiments.lab.studies import has_test, run_study

    st, note, config = _study_from_args(args.name, args)
    if not has_test(st.stat_kind):
        from bonding.experiments.lab.studies import StudyError

        raise StudyError(f"name: {args.name!r} reports a {st.stat_kind}, which has no significance test (choose a correlational or group study)")
    config["n"] = list(args.n)
    _, threads = plan_parallel(None, args.threads, has_workers=False)
    out = Path(args.out) if args.out else Path("results") / f"power-{st.name}-seed{args.seed}"
    _claim_folder(out, "power", config)
    start = time.perf_counter()
    recs = []
    for n in args.n:
        rows = run_study(st, args.replicates, args.seed, n=n, threads=threads)
        rec = {"study": st.name, "set": note, "n": n, "replicates": args.replicates,
               "power": sum(r["significant"] for r in rows) / len(rows)}
        if st.stat_kind == "vote":
            rec["p_at_least_7_of_8"] = rec.pop("power")
            rec["mean_significant"] = sum(r["value"] for r in rows) / len(rows)
        recs.append(rec)
        print(", ".join(f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}" for k, v in rec.items()), flush=True)
    if st.stat_kind == "vote":
        rows = run_study(st, args.replicates, args.seed, threads=threads)
        recs.append({"study": st.name, "set": note, "n": -1, "replicates": args.replicates,
                     "p_at_least_7_of_8": sum(r["significant"] for r in rows) / len(rows),
                     "mean_significant": sum(r["value"] for r in rows) / len(rows)})
        print(f"published sample sizes (26..160): P(>=7 of 8 significant) = {recs[-1]['p_at_least_7_of_8']:.3f}")
    df = pd.DataFrame(recs)
    paths = _write_table(df, out, "power")
    ycol = "p_at_least_7_of_8" if st.stat_kind == "vote" else "power"
    d = df[df.n > 0]
    fig, ax = plt.subplots(figsize=(5, 3.2))
    ax.plot(d["n"], d[ycol], "o-")
    ax.axhline(0.8, color="0.7", ls="--")
    ax.set_xscale("log")
    ax.set_ylim(0, 1)
    ax.set_xlabel("n per study" if st.stat_kind == "vote" else "n")
    ax.set_ylabel(ycol.replace("_", " "))
    ax.set_title(f"{st.name} (R={args.replicates})" + (f"\n{note}" if note else ""), fontsize=9)
    paths.append(_write_fig(fig, out / "power.png"))
    plt.close(fig)
    paths.append(_finish_folder(out, "power", config, paths, time.perf_counter() - start, threads))
    for p in paths:
        print(f"wrote {p}")
    return 0


def add_subcommands(subparsers) -> None:
    """Register ``study`` and ``power`` on the ``bonding`` subparsers."""
    s = subparsers.add_parser("study", help="run a virtual study R times and compare with the published value")
    s.add_argument("name", nargs="?", help="study name (see --list)")
    s.add_argument("--list", action="store_true", help="list the studies")
    s.add_argument("--replicates", type=bounded_int("--replicates", 1, MAX_REPLICATES), default=50)
    s.add_argument("--seed", type=bounded_int("--seed", 0, SEED_LIMIT), default=1)
    s.add_argument("--out", default=None, help="output folder (default results/study-NAME-seedS)")
    _add_set_options(s)
    add_threads_option(s, has_workers=False)
    s.set_defaults(func=cmd_study)
    p = subparsers.add_parser("power", help="power curve of a virtual study over sample sizes")
    p.add_argument("name", help="study name (see `bonding study --list`)")
    p.add_argument("--n", type=_n_list, required=True, help="comma-separated sample sizes, e.g. 30,60,120,240")
    p.add_argument("--replicates", type=bounded_int("--replicates", 1, MAX_REPLICATES), default=100)
    p.add_argument("--seed", type=bounded_int("--seed", 0, SEED_LIMIT), default=1)
    p.add_argument("--out", default=None, help="output folder (default results/power-NAME-seedS)")
    _add_set_options(p)
    add_threads_option(p, has_workers=False)
    p.set_defaults(func=cmd_power)


__all__ = ["add_subcommands", "sys"]
