"""``bonding calibrate``: ABC-SMC calibration of the free parameters against published targets.

``bonding calibrate [--targets FILE] [--population N] [--generations G] [--households H]
[--months M] [--seed S] [--out DIR] [--workers W | --scheduler ADDRESS] [--min-epsilon E]
[--ppc-draws K]``

Each particle simulates one cohort (calibration/cohort.py); the targets and free parameters
come from FILE (calibration/targets.py); the ABC machinery is in calibration/abc.py and the
reports in calibration/report.py. Outputs in DIR:

* ``abc.db``: pyabc's SQLite history, the resume record;
* ``posterior.parquet``: the last generation's particles, weights, distances, seeds and
  simulated summaries;
* ``posterior_summary.csv`` / ``.md``: per parameter prior, posterior mean, median, 90% interval;
* ``predictive.parquet``, ``fit.parquet``, ``fit.md``: the posterior predictive check;
* ``posterior.png``: marginal posteriors and the epsilon schedule;
* ``manifest.json``: configuration, seeds, versions, git commit, wall times, epsilon schedule,
  acceptance rates (written first as ``running``, last as ``complete``).

A rerun with the same configuration continues (``--generations`` may grow, ``--workers`` and
``--scheduler`` may change); a folder holding another configuration is refused (exit 2).
"""

from __future__ import annotations

import io
import time
from importlib import metadata
from pathlib import Path

from bonding.calibration.abc import (
    ALGORITHM,
    DaskExecutor,
    LocalExecutor,
    generation_table,
    posterior_frame,
    run_generations,
    stored_generations,
)
from bonding.calibration.report import (
    fit_markdown,
    fit_table,
    plot_marginals,
    posterior_summary,
    predictive_jobs,
    run_predictive,
    summary_markdown,
)
from bonding.calibration.targets import DEFAULT_TARGETS, Problem, load_problem
from bonding.experiments.inputs import check_memory
from bonding.experiments.provenance import (
    atomic_write_bytes,
    atomic_write_json,
    atomic_write_parquet,
    check_output_path,
    check_run_folder,
    environment,
)
from bonding.model.params import ParameterError

DEFAULTS = {"population": 50, "generations": 4, "households": 300, "months": 12.0, "seed": 1, "ppc_draws": 8}
MAX_POPULATION = 100_000
MAX_GENERATIONS = 100
MAX_WORKERS = 64
CHECKED_KEYS = ("algorithm", "problem_fingerprint", "seed", "population", "simulator")  # must match to resume


def run_config(problem: Problem, simulator, seed: int, population: int) -> dict:
    return {"algorithm": ALGORITHM, "problem_fingerprint": problem.fingerprint(), "targets_file": problem.path,
            "seed": int(seed), "population": int(population), "simulator": simulator.config()}


def _mismatch(old: dict, new: dict) -> str | None:
    for key in CHECKED_KEYS:
        if old.get(key) == new[key]:
            continue
        if key == "simulator":
            a, b = old.get(key) or {}, new[key]
            diff = next((k for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)), "simulator")
            return f"--{diff} {a.get(diff)}, now {b.get(diff)}"
        if key == "algorithm":
            return "another algorithm (made by an older version of bonding calibrate)"
        if key == "problem_fingerprint":
            return f"another targets problem ({old.get('targets_file')}, fingerprint {old.get(key)}; now {new[key]})"
        return f"--{key} {old.get(key)}, now {new[key]}"
    return None


def check_folder(out: Path, config: dict) -> dict:
    """Check (without writing) that ``out`` is new, empty or holds this calibration; return its
    manifest (or {})."""
    def held(old, new):
        why = _mismatch(old, new)
        return f"a calibration with {why}" if why else None

    return check_run_folder(out, "calibrate", "calibration", config, held)


def prepare_folder(out: Path, config: dict, env: dict | None = None) -> dict:
    """Check ``out`` (:func:`check_folder`), then mark it as a running calibration."""
    old = check_folder(out, config)
    env = env or environment()
    atomic_write_json(Path(out) / "manifest.json", {**old, "kind": "calibrate", "status": "running",
                                                     "config": config, **env, "pyabc": _pyabc_version()})
    return old


def _pyabc_version() -> str:
    try:
        return metadata.version("pyabc")
    except metadata.PackageNotFoundError:
        return "not installed"


def make_executor(workers: int, scheduler: str | None):
    return DaskExecutor(scheduler) if scheduler else LocalExecutor(workers)


class GenerationBar:
    """A tqdm bar per generation: accepted particles of the population, simulations so far."""

    def __init__(self, population: int):
        self.population, self.t, self.bar = population, None, None

    def __call__(self, t: int, accepted: int, evaluated: int) -> None:
        from tqdm import tqdm

        if t != self.t:
            self.close()
            self.t = t
            self.bar = tqdm(total=self.population, desc=f"generation {t}", unit="particle", leave=False)
        self.bar.n = min(accepted, self.population)
        self.bar.set_postfix_str(f"{evaluated} simulations", refresh=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def calibrate(problem: Problem, simulator, out: Path, *, seed: int, population: int, generations: int,
              min_epsilon: float = 0.0, workers: int = 1, scheduler: str | None = None, ppc_draws: int = 8,
              figure: bool = True, log=print, progress: bool = False) -> dict:
    """Run or continue a calibration in ``out`` and write every output; returns the manifest."""
    out = Path(out)
    start = time.perf_counter()
    config = run_config(problem, simulator, seed, population)
    env = environment()  # once, at the start: the code that runs is the code at this commit
    check_folder(out, config)
    executor = make_executor(workers, scheduler)  # a bad --scheduler fails before anything is written
    try:
        old = prepare_folder(out, config, env)
        before = stored_generations(out)
        if before >= generations:
            log(f"{out} holds {before} generations (asked for {generations}): no new generation; outputs from the last")
        bar = GenerationBar(population) if progress else None
        try:
            ran = run_generations(problem, simulator, out, seed=seed, population=population, generations=generations,
                                  min_epsilon=min_epsilon, executor=executor, log=log, progress=bar)
        finally:
            if bar is not None:
                bar.close()
        t_ppc = time.perf_counter()
        post = posterior_frame(out, problem, seed)
        summary = posterior_summary(post, problem)
        jobs = predictive_jobs(problem, post, summary, seed, ppc_draws)
        sims = run_predictive(simulator, jobs, executor)
        ppc_seconds = time.perf_counter() - t_ppc
    finally:
        executor.close()
    fit = fit_table(problem, sims)
    gens = generation_table(out)
    paths = write_outputs(out, post, summary, sims, fit, gens, ppc_draws, figure)
    invocations = list(old.get("invocations", [])) + [{
        "generations_before": before, "generations_run": [int(r["t"]) for r in ran],
        "workers": None if scheduler else int(workers), "threads": int(getattr(simulator, "threads", 1)),
        "scheduler": scheduler, "ppc_draws": int(ppc_draws),
        "predictive_seconds": round(ppc_seconds, 3), "wall_seconds": round(time.perf_counter() - start, 3),
        "git_commit": env["git_commit"], "argv": env["argv"]}]
    manifest = {"kind": "calibrate", "status": "complete", "config": config, "problem": problem.to_dict(),
                "seeds": {"root": int(seed),
                          "particle": "SeedSequence([root, 0xABC, bit patterns of the parameter values]) (calibration.abc.particle_seed)",
                          "proposal": "numpy global generator seeded per evaluation: SeedSequence([root, 0xE7A1, generation, index])",
                          "predictive": "particle_seed(root, point, 0x99C, arm, draw)"},
                "generations": _records(gens), "epsilon_schedule": [float(e) for e in gens["epsilon"]],
                "acceptance_rates": [float(a) for a in gens["acceptance_rate"]],
                "total_simulations": int(gens["samples"].sum()),
                "abc_wall_seconds": float(gens["wall_time"].sum()), "invocations": invocations,
                "outputs": [p.name for p in paths], **env, "pyabc": _pyabc_version()}
    atomic_write_json(out / "manifest.json", manifest)
    return manifest


def _records(df) -> list[dict]:
    return [{k: (float(v) if isinstance(v, float) else int(v)) for k, v in r.items()} for r in df.to_dict("records")]


def write_outputs(out: Path, post, summary, sims, fit, gens, draws: int, figure: bool) -> list[Path]:
    paths = []
    for name, df in (("posterior.parquet", post), ("predictive.parquet", sims), ("fit.parquet", fit)):
        atomic_write_parquet(out / name, df)
        paths.append(out / name)
    buf = io.StringIO()
    summary.to_csv(buf, index=False, float_format="%.6g")
    atomic_write_bytes(out / "posterior_summary.csv", buf.getvalue().encode())
    atomic_write_bytes(out / "posterior_summary.md", summary_markdown(summary, gens).encode())
    atomic_write_bytes(out / "fit.md", fit_markdown(fit, draws).encode())
    paths += [out / "posterior_summary.csv", out / "posterior_summary.md", out / "fit.md"]
    if figure:
        paths.append(plot_marginals(post, summary, gens, out / "posterior.png"))
    return paths


# ------------------------------------------------------------------ command line
REPRO_NOTE = ("Reproducible: one --seed gives a bit-identical posterior with any --workers or --scheduler "
              "(each evaluation is seeded by its generation and index and particles are accepted in index "
              "order; pyabc's own multicore and Dask samplers, which reseed workers from the OS, are not "
              "used). Bit-identity assumes the same numpy/pyabc versions and machine arithmetic.")


METHODS = ("demo", "targets", "history-matching", "abc", "choose")
HM_DEFAULTS = {"waves": 4, "wave_size": 300, "candidates": 20000, "cutoff": 3.0, "nth": 2, "min_shrink": 0.3}


def cmd_calibrate(args) -> int:
    method = args.method
    if args.scheduler and args.workers is not None:
        raise ParameterError("--workers/--scheduler: give one of them, not both")
    if method == "demo":
        return cmd_demo(args)
    if method == "choose":
        return cmd_choose(args)
    from bonding.calibration.study_targets import load_targets, targets_table

    targets = load_targets(args.targets)
    if method == "targets":
        print(targets_table(targets))
        return 0
    if method == "history-matching":
        return cmd_history_matching(args, targets)
    return cmd_nroy_abc(args, targets)


def _workers(args) -> int:
    """Local worker processes: --workers, or every core (experiments.cliutil.plan_parallel)."""
    from bonding.experiments.cliutil import plan_parallel

    return 1 if args.scheduler else plan_parallel(args.workers, None)[0]


def _log(args):
    return (lambda *a: None) if args.quiet else (lambda msg: print(msg, flush=True))


def cmd_history_matching(args, targets) -> int:
    from bonding.calibration.free_parameters import bounds, excluded_parameters, free_parameters
    from bonding.calibration.history_matching import (
        Settings,
        Space,
        box_around_defaults,
        emulator_diagnostics,
        run_history_matching,
    )
    from bonding.calibration.study_simulator import StudySimulator

    names = free_parameters()
    space = Space(names, *(box_around_defaults(names, args.box_factor) if args.box_factor else bounds(names)))
    settings = Settings(wave_size=args.wave_size, max_waves=args.waves, candidates=args.candidates,
                        cutoff=args.cutoff, nth=args.nth, min_shrink=args.min_shrink)
    simulator = StudySimulator([t.study for t in targets.role("fit")])
    out = Path(args.out) if args.out else Path("results") / f"history-matching-seed{args.seed}"
    check_output_path(out)  # before the first progress line
    log = _log(args)
    log(f"{len(names)} free parameters ({len(excluded_parameters())} held: bonding calibrate --method targets lists "
        f"the targets; calibration/free_parameters.py says why each is held); {len(targets.role('fit'))} fit targets")
    manifest = run_history_matching(targets.targets, space, simulator, out, seed=args.seed, settings=settings,
                                    workers=_workers(args), scheduler=args.scheduler, log=log)
    atomic_write_json(out / "free_parameters.json", {"free": list(names), "held": excluded_parameters()})
    diag = emulator_diagnostics(out)
    buf = io.StringIO()
    diag.to_csv(buf, index=False, float_format="%.4g")
    atomic_write_bytes(out / "emulator_diagnostics.csv", buf.getvalue().encode())
    log(f"{len(manifest['waves'])} waves; wrote {out}")
    return 0


def cmd_nroy_abc(args, targets) -> int:
    from bonding.calibration.history_matching import nroy_box
    from bonding.calibration.nroy_abc import run_nroy_abc
    from bonding.calibration.study_simulator import StudySimulator

    if not args.source:
        raise ParameterError("--from: missing (allowed: the --out folder of --method history-matching)")
    box = nroy_box(Path(args.source))
    simulator = StudySimulator([t.study for t in targets.role("fit")])
    out = Path(args.out) if args.out else Path("results") / f"abc-nroy-seed{args.seed}"
    run_nroy_abc(targets.targets, box, simulator, out, seed=args.seed, population=args.population,
                 generations=args.generations, workers=_workers(args), scheduler=args.scheduler,
                 source=str(Path(args.source).resolve()), log=_log(args))
    _log(args)(f"wrote {out}")
    return 0


def cmd_choose(args) -> int:
    from bonding.calibration.calibrated import CALIBRATED_FILE, choose_point, write_calibrated

    if not args.source:
        raise ParameterError("--from: missing (allowed: the --out folder of --method abc)")
    point = choose_point(Path(args.source), args.point)
    path = Path(args.write) if args.write else CALIBRATED_FILE
    write_calibrated(path, point, {"point": args.point, "abc_folder": str(Path(args.source).resolve())})
    _log(args)(f"wrote {path} ({len(point)} parameters, {args.point})")
    return 0


def cmd_demo(args) -> int:
    from bonding.calibration.cohort import CohortSimulator
    from bonding.experiments.cliutil import plan_parallel

    workers, threads = plan_parallel(None if args.scheduler else args.workers, None)

    try:
        import pyabc  # noqa: F401
    except ImportError:
        raise ParameterError("calibrate: needs pyabc 0.13 (pip install -e '.[calibration]')") from None
    problem = load_problem(args.targets or DEFAULT_TARGETS)
    if not args.scheduler:
        check_memory(args.households, at_once=workers)
    simulator = CohortSimulator(args.households, args.months, problem.scenario, threads=threads)
    out = Path(args.out) if args.out else Path("results") / f"calibrate-seed{args.seed}"
    log = (lambda *a: None) if args.quiet else (lambda msg: print(msg, flush=True))
    start = time.perf_counter()
    manifest = calibrate(problem, simulator, out, seed=args.seed, population=args.population,
                         generations=args.generations, min_epsilon=args.min_epsilon, workers=workers,
                         scheduler=args.scheduler, ppc_draws=args.ppc_draws, log=log, progress=not args.quiet)
    if not args.quiet:
        print(f"{len(manifest['generations'])} generations, {manifest['total_simulations']} simulations; "
              f"this run {time.perf_counter() - start:.0f} s")
        print((out / "posterior_summary.md").read_text().split("\n## ")[0].strip())
        for name in manifest["outputs"] + ["manifest.json"]:
            print(f"wrote {out / name}")
    return 0


def add_subcommands(sub) -> None:
    """Register ``calibrate`` on the ``bonding`` subparsers."""
    from bonding.experiments.cliutil import (
        MAX_HOUSEHOLDS,
        SEED_LIMIT,
        bounded_float,
        bounded_int,
        scheduler_address,
    )

    c = sub.add_parser("calibrate", help="ABC-SMC calibration against published targets (pyabc; resumable)",
                       description="ABC-SMC (pyabc) calibration of the free parameters declared in a targets "
                                   "file against its published values. " + REPRO_NOTE)
    c.add_argument("--method", choices=METHODS, default="demo",
                   help="demo: the 8-target ABC demonstration (superseded); targets: check and list "
                        "calibration/targets.toml; history-matching: waves of emulators over every free parameter; "
                        "abc: ABC-SMC on the fit targets inside --from's NROY box; choose: write the chosen point "
                        "of --from's ABC to calibration/calibrated.toml (docs/calibration.md)")
    c.add_argument("--from", dest="source", default=None, metavar="DIR",
                   help="--method abc: the history-matching folder; --method choose: the ABC folder")
    c.add_argument("--waves", type=bounded_int("--waves", 1, 50), default=HM_DEFAULTS["waves"],
                   help=f"history matching: at most this many waves (default {HM_DEFAULTS['waves']}); rerun with more to continue")
    c.add_argument("--wave-size", type=bounded_int("--wave-size", 10, 100_000), default=HM_DEFAULTS["wave_size"],
                   help=f"history matching: runs per wave (default {HM_DEFAULTS['wave_size']})")
    c.add_argument("--candidates", type=bounded_int("--candidates", 100, 10_000_000), default=HM_DEFAULTS["candidates"],
                   help=f"history matching: Latin-hypercube candidates per wave for the NROY sample (default {HM_DEFAULTS['candidates']})")
    c.add_argument("--cutoff", type=bounded_float("--cutoff", 0.5, 100.0), default=HM_DEFAULTS["cutoff"],
                   help="history matching: implausibility cut-off (default 3)")
    c.add_argument("--nth", type=bounded_int("--nth", 1, 10), default=HM_DEFAULTS["nth"],
                   help="history matching: cut on the nth-largest implausibility over targets (1 = max; default 2)")
    c.add_argument("--min-shrink", type=bounded_float("--min-shrink", 0.0, 0.99), default=HM_DEFAULTS["min_shrink"],
                   help="history matching: stop when a wave shrinks the NROY fraction by less than this share (default 0.3)")
    c.add_argument("--box-factor", type=bounded_float("--box-factor", 1.01, 1000.0), default=None, metavar="F",
                   help="history matching: design over [default / F, default x F] of each free parameter (clipped to its "
                        "declared bounds) instead of the declared bounds (calibration.history_matching.box_around_defaults)")
    c.add_argument("--point", choices=("posterior-median", "best-particle"), default="posterior-median",
                   help="--method choose: which point (default the weighted posterior median of each parameter)")
    c.add_argument("--write", default=None, metavar="FILE",
                   help="--method choose: where to write (default calibration/calibrated.toml)")
    c.add_argument("--targets", default=None, metavar="FILE",
                   help="targets and free parameters (TOML; default calibration/demo_targets.toml for --method demo, calibration/targets.toml otherwise)")
    c.add_argument("--population", type=bounded_int("--population", 2, MAX_POPULATION), default=DEFAULTS["population"],
                   help=f"particles per generation (default {DEFAULTS['population']})")
    c.add_argument("--generations", type=bounded_int("--generations", 1, MAX_GENERATIONS), default=DEFAULTS["generations"],
                   help=f"generations in total, generation 0 being the prior (default {DEFAULTS['generations']}); "
                        "rerun with more to continue")
    c.add_argument("--households", type=bounded_int("--households", 10, MAX_HOUSEHOLDS), default=DEFAULTS["households"],
                   help=f"households per simulated cohort (default {DEFAULTS['households']})")
    c.add_argument("--months", type=bounded_float("--months", 12.0, 36.0), default=DEFAULTS["months"],
                   help="months after birth per cohort (default 12; the Strange Situation is at 12)")
    c.add_argument("--seed", type=bounded_int("--seed", 0, SEED_LIMIT), default=DEFAULTS["seed"], help="root seed (default 1)")
    c.add_argument("--out", default=None, help="output folder (default results/calibrate-seedS; rerun to resume)")
    c.add_argument("--workers", type=bounded_int("--workers", 1, MAX_WORKERS), default=None,
                   help="local worker processes (default: all cores; each gets cores // workers threads); "
                        "the posterior does not depend on it")
    c.add_argument("--scheduler", type=scheduler_address, default=None, metavar="ADDRESS",
                   help="Dask scheduler (tcp://HOST:PORT) instead of local workers; same posterior")
    c.add_argument("--min-epsilon", type=bounded_float("--min-epsilon", 0.0, 1e6), default=0.0,
                   help="stop early once a generation's epsilon (weighted RMS z) is at most E (default 0)")
    c.add_argument("--ppc-draws", type=bounded_int("--ppc-draws", 1, 200), default=DEFAULTS["ppc_draws"],
                   help=f"cohorts per arm of the posterior predictive check (default {DEFAULTS['ppc_draws']})")
    c.add_argument("--quiet", action="store_true", help="no progress lines or summary")
    c.set_defaults(func=cmd_calibrate)


__all__ = ["add_subcommands", "calibrate", "prepare_folder", "run_config", "REPRO_NOTE"]
