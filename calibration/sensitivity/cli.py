"""``bonding sensitivity``: global sensitivity analysis (SALib Sobol' or Morris) of the model.

``bonding sensitivity --method {sobol,morris} --params NAME,NAME | --group GROUP
[--scenario baseline] [--n N] [--households-per-point N] [--months M] [--seed S] [--out DIR]
[--workers W | --scheduler tcp://HOST:PORT] [--outputs a,b,c]`` writes into DIR:

``manifest.json``     run configuration (problem from the parameter declaration, scenario,
                      seeds), analysis settings, versions, git commit, wall time
``design.parquet``    the SALib sample, one row per design point (with the dummy factor)
``outputs.parquet``   one row per design point: every output (cohort means of dyad outcomes)
``noise.parquet``     the reference point's outputs, one row per replicate cohort
``indices.parquet``, ``indices.csv``  per output and parameter: S1, S1_conf, ST, ST_conf
                      (Sobol') or mu, mu_star, mu_star_conf, sigma (Morris), rank, the noise
                      floor and whether the index is distinguishable from noise
``second_order.csv``  S2 pairs (Sobol' with ``--second-order``)
``sensitivity.md``    tables ranked by ST or mu* per output, with intervals and noise flags
``figures/OUTPUT.png`` a bar chart per output
``chunks/``           per-chunk outputs (resume: a rerun skips the chunks already there)

Rerunning in the same folder resumes; another configuration there is refused (exit 2). A rerun
with other ``--outputs``, ``--resamples`` or ``--conf-level`` re-analyses without new runs.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from bonding.calibration.sensitivity import design as ds
from bonding.calibration.sensitivity import evaluate as ev
from bonding.calibration.sensitivity.analysis import analyze_outputs
from bonding.calibration.sensitivity.report import markdown, plot_output
from bonding.experiments import inputs
from bonding.experiments.provenance import (
    atomic_write_bytes,
    atomic_write_json,
    atomic_write_parquet,
    check_run_folder,
    environment,
    readable_parquet,
)
from bonding.model.params import ParameterError

KIND = "sensitivity"


def _split(text: str | None) -> list[str] | None:
    if text is None:
        return None
    items = [t.strip() for t in text.split(",") if t.strip()]
    return items or None


def prepare_folder(out: Path, config: dict) -> None:
    """Create ``out`` with a manifest, or check that its manifest holds the same run."""
    def held(old, new):
        why = ds.config_mismatch(old, new)
        return f"a different analysis ({why})" if why else None

    if not check_run_folder(out, KIND, "sensitivity", config, held):
        atomic_write_json(out / "manifest.json", {"kind": KIND, "status": "running", "config": config,
                                                  **environment()})


def load_or_draw_design(out: Path, config: dict) -> np.ndarray:
    """The sample: read from ``design.parquet`` if the folder has one, else drawn and written."""
    path = out / "design.parquet"
    names = config["problem"]["names"]
    if readable_parquet(path):  # a damaged design is drawn again (the same seed gives the same sample)
        X = pd.read_parquet(path)[names].to_numpy(float)
    else:
        X = ds.sample(config)
        atomic_write_parquet(path, pd.DataFrame(X, columns=names).rename_axis("point").reset_index())
    if len(X) != config["points"]:
        raise ParameterError(f"--out {out}: design.parquet has {len(X)} points, the configuration {config['points']}; use another --out")
    return X


def build_report(out: Path, config: dict, X: np.ndarray, outputs: list[str], resamples: int,
                 conf_level: float, figures: bool = True) -> dict:
    """Assemble the chunk files, compute the indices, write every table, the report, figures."""
    design, noise, missing = ev.load_outputs(out, config)
    analysis = {"outputs": outputs, "resamples": resamples, "conf_level": conf_level,
                "bootstrap_seed": ds.analysis_seed(config)}
    paths = []
    if missing:
        atomic_write_bytes(out / "sensitivity.md", markdown(config, pd.DataFrame(), pd.DataFrame(
            columns=["output", "noise_mean", "noise_sd", "output_sd", "noise_share", "floor"]), {}, analysis,
            missing).encode())
        return {"paths": [out / "sensitivity.md"], "missing": missing, "indices": pd.DataFrame(), "skipped": {}}
    atomic_write_parquet(out / "outputs.parquet", design)
    atomic_write_parquet(out / "noise.parquet", noise)
    indices, second, noise_info, skipped = analyze_outputs(config, X, design, noise, outputs, resamples,
                                                           conf_level, analysis["bootstrap_seed"])
    if len(indices):
        indices = indices.merge(noise_info[["output", "noise_sd", "output_sd", "noise_share", "floor"]],
                                on="output", how="left")
    atomic_write_parquet(out / "indices.parquet", indices)
    atomic_write_bytes(out / "indices.csv", indices.to_csv(index=False, float_format="%.6g").encode())
    paths += [out / "outputs.parquet", out / "noise.parquet", out / "indices.parquet", out / "indices.csv"]
    if second is not None:
        atomic_write_bytes(out / "second_order.csv", second.to_csv(index=False, float_format="%.6g").encode())
        paths.append(out / "second_order.csv")
    atomic_write_bytes(out / "sensitivity.md", markdown(config, indices, noise_info, skipped, analysis).encode())
    paths.append(out / "sensitivity.md")
    if figures and len(indices):
        for output in outputs:
            if output in skipped:
                continue
            t = indices[indices["output"] == output]
            floor = float(noise_info.loc[noise_info["output"] == output, "floor"].iloc[0])
            title = f"{ev.OUTPUT_LABELS.get(output, output)} ({config['method']})"
            paths.append(plot_output(t, config["method"], floor, title, out / "figures" / f"{output}.png"))
    return {"paths": paths, "missing": 0, "indices": indices, "skipped": skipped, "analysis": analysis}


def finish_manifest(out: Path, wall_seconds: float, chunks_run: int, analysis: dict, complete: bool,
                    parallel: dict | None = None) -> None:
    """Status, analysis settings and this session's wall time; every session (first run and
    each resume or re-analysis) is kept in ``sessions`` with its commit, so none overwrites
    the cost of another."""
    manifest = json.loads((out / "manifest.json").read_text())
    env = environment()
    session = {"git_commit": env["git_commit"], "wall_seconds": round(wall_seconds, 3),
               "chunks_run": chunks_run, "argv": env["argv"], **({"parallel": parallel} if parallel else {})}
    manifest.update(status="complete" if complete else "incomplete", analysis=analysis,
                    last_wall_seconds=round(wall_seconds, 3), last_chunks_run=chunks_run,
                    sessions=manifest.get("sessions", []) + [session], **env)
    atomic_write_json(out / "manifest.json", manifest)


def _headline(indices: pd.DataFrame, method: str) -> str:
    key = "ST" if method == "sobol" else "mu_star"
    lines = []
    for output, t in indices.groupby("output", sort=False):
        top = t[t["distinguishable"]].head(3)
        cells = ", ".join(f"{r['parameter']} {r[key]:.3g}" for _, r in top.iterrows()) or "none above noise"
        lines.append(f"  {output:32s} {cells}")
    return "\n".join(lines)


def cmd_sensitivity(args) -> int:
    from bonding.experiments.scenarios import load_scenario

    if args.list_outputs:
        for name in ev.output_specs(ev.SSP_AGE_MONTHS):
            print(f"{name}{'  (default)' if name in ev.DEFAULT_OUTPUTS else ''}")
        return 0
    if args.method is None:
        raise ParameterError(f"--method: required (allowed {', '.join(ds.METHODS)})")
    if args.params is None and args.group is None:
        raise ParameterError("--params/--group: give the parameters to analyse (`bonding params` lists names and groups)")
    if args.workers is not None and args.scheduler:
        raise ParameterError("--workers/--scheduler: give one of them, not both")
    from bonding.experiments.cliutil import plan_parallel
    from bonding.model.params import PARAMS

    workers, threads = plan_parallel(None if args.scheduler else args.workers, args.threads)

    names = inputs.name_list(args.params, "--params", PARAMS)
    if args.group is not None:
        groups = sorted({p.group for p in PARAMS.values()})
        if args.group not in groups:
            raise ParameterError(f"--group: {args.group!r} has no parameters{inputs.did_you_mean(args.group, groups)} "
                                 f"(allowed: {', '.join(groups)})")
    n = args.n if args.n is not None else (64 if args.method == "sobol" else 10)
    problem = ds.build_problem(names, args.group, dummy=not args.no_dummy)
    advice = ds.check_sample_size(args.method, n, problem["num_vars"], args.levels)
    outputs = ev.choose_outputs(_split(args.outputs), args.months)
    scenario = load_scenario(args.scenario)
    config = ds.run_config(args.method, problem, scenario, n, args.households_per_point, args.months,
                           args.seed, args.levels, args.second_order, args.chunk_points,
                           args.noise_replicates)
    out = Path(args.out) if args.out else Path("results") / f"sensitivity-{args.method}-{scenario.name}-seed{args.seed}"
    if not args.scheduler:
        inputs.check_memory(min(config["chunk_points"], config["points"]) * config["households_per_point"], "--chunk-points x --households-per-point",
                            at_once=min(workers, config["chunks"] + 1))
    prepare_folder(out, config)
    for line in advice:  # once every input is accepted, so a refusal stays one line
        print(f"bonding: warning: {line}", file=sys.stderr)
    start = time.perf_counter()
    X = load_or_draw_design(out, config)
    model_problem, keep = ds.model_problem(problem)
    reference = ds.base_point(model_problem, scenario.params)
    tasks = ev.chunk_tasks(config, scenario, X[:, keep], model_problem["names"], reference)
    ran = ev.execute(out, tasks, workers=workers, scheduler=args.scheduler, progress=not args.quiet,
                     threads=threads)
    report = build_report(out, config, X, outputs, args.resamples, args.conf_level, figures=not args.no_figures)
    wall = time.perf_counter() - start
    finish_manifest(out, wall, ran, report.get("analysis", {}), complete=not report["missing"],
                    parallel={"workers": None if args.scheduler else workers, "threads": threads})
    if not args.quiet:
        if len(report["indices"]):
            print(f"top parameters ({'ST' if args.method == 'sobol' else 'mu*'}, distinguishable from noise):")
            print(_headline(report["indices"], args.method))
        for name, why in report["skipped"].items():
            print(f"  {name}: not analysed ({why})")
        print(f"{ran} chunks run, {config['points']} design points x {config['households_per_point']} households, {wall:.1f} s")
        for p in report["paths"]:
            print(f"wrote {p}")
    return 0


def add_subcommands(sub) -> None:
    """Register ``sensitivity`` on the ``bonding`` parser."""
    from bonding.experiments.cliutil import (
        MAX_MONTHS,
        SEED_LIMIT,
        add_threads_option,
        bounded_float,
        bounded_int,
        scheduler_address,
    )

    p = sub.add_parser("sensitivity", help="global sensitivity analysis (SALib Sobol' or Morris; resumable, parallel)")
    p.add_argument("--method", choices=ds.METHODS, default=None, help="sobol (variance shares) or morris (screening)")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--params", default=None, metavar="NAME,NAME", help="parameters to vary over their declared bounds")
    g.add_argument("--group", default=None, help="all parameters of a group of `bonding params`")
    p.add_argument("--scenario", default="baseline", help="scenario name or TOML path (default baseline)")
    p.add_argument("--n", type=bounded_int("--n", 1, 10**6), default=None,
                   help="Sobol' base samples (a power of 2; default 64) or Morris trajectories (default 10)")
    p.add_argument("--households-per-point", type=bounded_int("--households-per-point", 1, 100_000), default=100,
                   help="households per design point (default 100)")
    p.add_argument("--months", type=bounded_float("--months", 0.0, MAX_MONTHS), default=12.0,
                   help="months after birth (default 12; attachment outputs need >= 12)")
    p.add_argument("--seed", type=bounded_int("--seed", 0, SEED_LIMIT), default=1, help="root seed (default 1)")
    p.add_argument("--out", default=None, help="output folder (rerun with the same folder to resume)")
    w = p.add_mutually_exclusive_group()
    w.add_argument("--workers", type=bounded_int("--workers", 1, 1024), default=None, help="local worker processes (default: all cores)")
    w.add_argument("--scheduler", type=scheduler_address, default=None, metavar="tcp://HOST:PORT",
                   help="run the chunks on a Dask cluster")
    p.add_argument("--outputs", default=None, metavar="A,B", help="outputs to analyse (default: a key list; --list-outputs)")
    p.add_argument("--levels", type=bounded_int("--levels", 2, 16), default=4, help="Morris grid levels, even (default 4)")
    p.add_argument("--second-order", action="store_true", help="Sobol': also second-order indices (cost N(2k+2))")
    p.add_argument("--resamples", type=bounded_int("--resamples", 10, 100_000), default=1000,
                   help="bootstrap resamples for the intervals (default 1000)")
    p.add_argument("--conf-level", type=bounded_float("--conf-level", 0.5, 0.999), default=0.95,
                   help="confidence level of the intervals (default 0.95)")
    p.add_argument("--chunk-points", type=bounded_int("--chunk-points", 1, 100_000), default=None,
                   help=f"design points per chunk (one stacked population; default {ds.CHUNK_HOUSEHOLDS} households' worth)")
    p.add_argument("--noise-replicates", type=bounded_int("--noise-replicates", 2, 1000), default=10,
                   help="cohorts of the reference point run to measure noise (default 10)")
    p.add_argument("--no-dummy", action="store_true", help="leave out the dummy factor (saves 1/(k+2) of the runs)")
    p.add_argument("--list-outputs", action="store_true", help="list every output name and exit")
    p.add_argument("--quiet", action="store_true", help="no progress bar or summary")
    p.add_argument("--no-figures", action="store_true", help="skip the figures")
    add_threads_option(p)
    p.set_defaults(func=cmd_sensitivity)
