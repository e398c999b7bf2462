"""ABC-SMC calibration with pyabc: priors, distance, particle seeds, a seeded sampler, resume.

Method: approximate Bayesian computation by sequential Monte Carlo (Toni et al. 2009, J R Soc
Interface 6:187), as implemented by pyabc (Schälte et al. 2022, JOSS 7:4304). Generation 0
samples the prior (every particle accepted, epsilon = inf); generation t accepts particles whose
distance to the published values is at most the weighted median distance of generation t - 1,
proposing them by perturbing a weighted draw from generation t - 1 with a multivariate normal
kernel whose covariance is twice the weighted covariance of generation t - 1 (Beaumont et al. 2009,
Biometrika 96:983). pyabc's default kernel (the weighted covariance shrunk by Silverman's rule,
about 0.4 x in five dimensions) gave an effective sample size of 3.9 of 50 particles in the first
real run (docs/calibration.md): a narrow kernel leaves particles in the tails with huge
importance weights.

Pieces:

* priors: uniform over the declared bounds of ``model.params.PARAMS`` (:func:`prior`);
* distance: the weighted root mean square of per-target z-scores,
  ``z = (simulated - published) / sqrt(se_published^2 + se_simulated^2)``
  (:class:`ZDistance`), so epsilon reads as "a typical target is epsilon standard errors off";
* the particle's simulation seed: derived from the root seed and the parameter values' bit
  patterns through ``numpy.random.SeedSequence`` (:func:`particle_seed`), so a particle's cohort
  does not depend on when or where it is simulated;
* pyabc's own randomness (prior draws, the perturbation kernel) uses numpy's global generator.
  :class:`SeededSampler` reseeds it before *each evaluation* from (root seed, generation,
  evaluation index) and restores the caller's state afterwards, and accepts particles in
  evaluation-index order. An evaluation's result therefore depends only on its index, and the
  population is the same whether the evaluations ran in this process, in W local processes or
  on a Dask cluster: bit-identical posteriors for one seed whatever the number of workers.
  (pyabc's own ``MulticoreEvalParallelSampler`` and ``DaskDistributedSampler`` reseed every
  worker from the operating system, ``np.random.seed()``, so their results are not
  reproducible; they are not used.)
* resume: pyabc's SQLite history (``DIR/abc.db``) is the record. Every generation is run by a
  fresh ``ABCSMC`` loaded from the database (``ABCSMC.load`` then ``run`` for one generation),
  so an uninterrupted run and a run killed and resumed take the same path and give the same
  numbers. A killed generation is lost and recomputed (pyabc stores a generation when it ends).
"""

from __future__ import annotations

import contextlib
import logging
import math
import struct
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
from bonding.calibration.targets import Problem
from bonding.model.params import PARAMS

MISSING_Z = 100.0  # z of a statistic the simulation could not compute (no dyads, no variance)
ABC_STREAM = 0xABC  # seed tags: particles of the ABC
PPC_STREAM = 0x99C  # posterior predictive simulations
PROPOSAL_STREAM = 0xE7A1  # pyabc's proposals (per generation and evaluation index)
DB_NAME = "abc.db"
KERNEL_SCALE = 2.0  # proposal covariance = 2 x the weighted covariance (Beaumont et al. 2009)
ALGORITHM = {  # part of a run's configuration: a folder made with another algorithm is refused
    "method": "ABC-SMC (Toni et al. 2009) with pyabc",
    "kernel": "multivariate normal around a weighted draw of the previous generation, covariance "
              f"{KERNEL_SCALE:g} x its weighted covariance (Beaumont et al. 2009)",
    "epsilon": "weighted median of the previous generation's distances; inf at generation 0",
    "distance": "weighted RMS of z = (simulated - published) / sqrt(se_published^2 + se_simulated^2)",
    "sampler": "seeded per evaluation (root, generation, index); accepted in index order",
}


# ------------------------------------------------------------------ seeds
def _value_words(params: dict[str, float]) -> list[int]:
    """The parameter values' IEEE-754 bit patterns (sorted by name) as 32-bit words."""
    words = []
    for name in sorted(params):
        bits = struct.unpack("<Q", struct.pack("<d", float(params[name])))[0]
        words += [bits & 0xFFFFFFFF, bits >> 32]
    return words


def particle_seed(root: int, params: dict[str, float], stream: int = ABC_STREAM, *extra: int) -> int:
    """Simulation seed of a particle: a function of the root seed and the exact parameter values."""
    ss = np.random.SeedSequence([int(root), int(stream), *map(int, extra), *_value_words(params)])
    hi, lo = ss.generate_state(2, np.uint32)
    return ((int(hi) << 32) | int(lo)) & (2**63 - 1)


def evaluation_seed(root: int, t: int, index: int) -> int:
    """Seed of numpy's global generator for evaluation ``index`` of generation ``t``."""
    return int(np.random.SeedSequence([int(root), PROPOSAL_STREAM, int(t), int(index)]).generate_state(1, np.uint32)[0])


@contextlib.contextmanager
def seeded_global_numpy(seed: int) -> Iterator[None]:
    """Seed numpy's legacy global generator (pyabc draws from it) and restore it afterwards.

    The model never draws from the global generator; restoring it keeps the caller's state
    (e.g. a test's) unchanged by a calibration.
    """
    # the legacy global generator on purpose: it is the one pyabc draws from
    state = np.random.get_state()  # noqa: NPY002
    np.random.seed(seed)  # noqa: NPY002
    try:
        yield
    finally:
        np.random.set_state(state)  # noqa: NPY002


# ------------------------------------------------------------------ priors, model, distance
def prior(problem: Problem):
    """pyabc prior: independent uniforms over the bounds of the free parameters.

    On a problem with ``logit_scale`` (:func:`natural_values`) the same prior is written on the
    unbounded scale u: a Logistic(0, 1) u maps to a uniform value in [lo, hi].
    """
    import pyabc

    if getattr(problem, "logit_scale", False):
        return pyabc.Distribution(**{n: pyabc.RV("logistic", 0.0, 1.0) for n in problem.bounds()})
    return pyabc.Distribution(**{n: pyabc.RV("uniform", lo, hi - lo) for n, (lo, hi) in problem.bounds().items()})


def natural_values(problem: Problem, pars) -> dict[str, float]:
    """The free parameters' values on their natural scale from a pyabc parameter.

    With ``problem.logit_scale`` the ABC samples u on the real line and
    ``theta = lo + (hi - lo) * expit(u)``: if u ~ Logistic(0, 1), theta ~ Uniform(lo, hi), so the
    prior is unchanged, but a perturbed particle can never leave the box. In many dimensions a
    proposal on the natural scale almost never lands inside every bound (102 free parameters:
    about 0.69 per dimension, 3e-17 in all; docs/calibration.md), and pyabc redraws it forever.
    """
    if not getattr(problem, "logit_scale", False):
        return {n: float(pars[n]) for n in problem.free}
    from scipy.special import expit

    return {n: lo + (hi - lo) * float(expit(float(pars[n]))) for n, (lo, hi) in problem.bounds().items()}


class ParticleModel:
    """pyabc model: parameter values -> the simulator's summaries, seeded by the values.

    ``simulator(params, seed) -> dict`` (e.g. :class:`calibration.cohort.CohortSimulator`).
    """

    def __init__(self, simulator: Callable[[dict, int], dict], root_seed: int, problem: Problem):
        self.simulator = simulator
        self.root_seed = int(root_seed)
        self.problem = problem

    def __call__(self, pars) -> dict[str, float]:
        params = natural_values(self.problem, pars)
        return {k: float(v) for k, v in self.simulator(params, particle_seed(self.root_seed, params)).items()}


class ZDistance:
    """Weighted RMS of the targets' z-scores (see the module docstring).

    A target whose statistic is NaN in the simulation counts with ``z = MISSING_Z``.
    """

    def __init__(self, problem: Problem):
        self.targets = [(t.key, t.published, t.se_published, t.weight) for t in problem.targets]
        self.total_weight = sum(w for *_, w in self.targets)

    def z_scores(self, x: dict) -> dict[str, float]:
        out = {}
        for key, pub, se, _ in self.targets:
            sim = float(x.get(key, math.nan))
            se_sim = float(x.get(key + "__se", 0.0))
            se_sim = se_sim if math.isfinite(se_sim) else 0.0
            out[key] = (sim - pub) / math.sqrt(se * se + se_sim * se_sim) if math.isfinite(sim) else math.nan
        return out

    def __call__(self, x: dict, x0: dict | None = None) -> float:
        z = self.z_scores(x)
        acc = sum(w * (MISSING_Z if not math.isfinite(z[key]) else z[key]) ** 2 for key, _, _, w in self.targets)
        return math.sqrt(acc / self.total_weight)


def resumable_median_epsilon():
    """pyabc's weighted-median epsilon, with epsilon = inf at generation 0 and resume support.

    pyabc's ``QuantileEpsilon`` with a numeric initial epsilon would restart at that value when a
    run is loaded from its database; here a loaded run starts from the weighted median of the
    last stored generation's distances, exactly as an uninterrupted run continues.
    """
    from pyabc.epsilon import QuantileEpsilon

    class ResumableMedianEpsilon(QuantileEpsilon):
        def __init__(self):
            super().__init__(initial_epsilon=math.inf, alpha=0.5, weighted=True)

        def initialize(self, t, get_weighted_distances, get_all_records, max_nr_populations, acceptor_config):
            if t == 0:
                self._look_up = {0: math.inf}
            else:
                self._update(t, get_weighted_distances())

    return ResumableMedianEpsilon()


# ------------------------------------------------------------------ the seeded sampler
_SIMULATE_CACHE: dict[str, Callable] = {}
# numpy's global generator is one per process: a Dask worker with several threads must not run
# two evaluations at once, or their proposals would interleave (one thread per worker is best)
_GLOBAL_RNG_LOCK = threading.Lock()


def _evaluate_blob(key: str, blob: bytes, seed: int):
    """Run one evaluation of a pickled pyabc ``simulate_one`` in a worker (cached per generation)."""
    with _GLOBAL_RNG_LOCK:
        fn = _SIMULATE_CACHE.get(key)
        if fn is None:
            import cloudpickle

            _SIMULATE_CACHE.clear()
            fn = _SIMULATE_CACHE[key] = cloudpickle.loads(blob)
        with seeded_global_numpy(seed):
            return fn()


def quiet_pyabc() -> None:
    """Import pyabc (which sets its loggers to INFO on import), then keep only its warnings."""
    import pyabc  # noqa: F401

    logging.getLogger("ABC").setLevel(logging.WARNING)


def _worker_init() -> None:
    """Process-pool worker: quiet pyabc's loggers."""
    quiet_pyabc()


class LocalExecutor:
    """Evaluations in this process (workers = 1) or in a pool of spawned processes."""

    def __init__(self, workers: int = 1):
        self.workers = int(workers)
        self.pool = None
        if self.workers > 1:
            import multiprocessing as mp
            from concurrent.futures import ProcessPoolExecutor

            self.pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=mp.get_context("spawn"),
                                            initializer=_worker_init)

    @property
    def slots(self) -> int:
        return self.workers

    def prepare(self, simulate_one, t: int):
        """What :meth:`submit` needs for generation ``t``'s evaluations."""
        if self.pool is None:
            return simulate_one
        import cloudpickle

        return (f"{t}-{time.time_ns()}", cloudpickle.dumps(simulate_one))

    def submit(self, prepared, seed: int):
        from concurrent.futures import Future

        if self.pool is None:
            fut = Future()
            with seeded_global_numpy(seed):
                fut.set_result(prepared())
            return fut
        key, blob = prepared
        return self.pool.submit(_evaluate_blob, key, blob, seed)

    def submit_call(self, fn, *args):
        """A plain function call (e.g. a posterior predictive simulation)."""
        from concurrent.futures import Future

        if self.pool is None:
            fut = Future()
            fut.set_result(fn(*args))
            return fut
        return self.pool.submit(fn, *args)

    @staticmethod
    def wait_any(futures):
        from concurrent.futures import FIRST_COMPLETED, wait

        return wait(futures, return_when=FIRST_COMPLETED)[0]

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)


class DaskExecutor:
    """Evaluations on a Dask distributed cluster (``--scheduler ADDRESS``)."""

    def __init__(self, address: str):
        from bonding.model.params import ParameterError
        from dask.distributed import Client

        try:
            self.client = Client(address, timeout="15s")
        except (OSError, TimeoutError) as exc:
            raise ParameterError(f"--scheduler: cannot connect to {address} ({exc.__class__.__name__})") from None

    @property
    def slots(self) -> int:
        return max(sum(self.client.nthreads().values()), 1)

    def prepare(self, simulate_one, t: int):
        import cloudpickle

        key = f"{t}-{time.time_ns()}"
        return key, self.client.scatter(cloudpickle.dumps(simulate_one), broadcast=True)

    def submit(self, prepared, seed: int):
        key, blob = prepared
        return self.client.submit(_evaluate_blob, key, blob, seed, pure=False)

    def submit_call(self, fn, *args):
        return self.client.submit(fn, *args, pure=False)

    @staticmethod
    def wait_any(futures):
        from dask.distributed import wait

        return wait(list(futures), return_when="FIRST_COMPLETED").done

    def close(self) -> None:
        self.client.close()


def make_sampler(executor, root_seed: int, progress: Callable[[int, int, int], None] | None = None):
    """A pyabc sampler whose populations do not depend on the executor (see module docstring)."""
    from pyabc.sampler import Sampler

    class SeededSampler(Sampler):
        """Evaluation i of generation t runs with numpy's global generator seeded by
        :func:`evaluation_seed` (root, t, i); the population is the first n accepted
        evaluations in index order, whatever order they finished in."""

        def sample_until_n_accepted(self, n, simulate_one, t, *, max_eval=np.inf, all_accepted=False,
                                    ana_vars=None):
            prepared = executor.prepare(simulate_one, t)
            results: dict[int, object] = {}
            running: dict = {}
            next_index = 0
            stop_at = None  # index of the n-th accepted evaluation, once all before it are known
            while stop_at is None:
                # keep the workers busy (two evaluations queued per slot; one at a time in-process)
                while len(running) < (1 if executor.slots == 1 else 2 * executor.slots):
                    running[executor.submit(prepared, evaluation_seed(root_seed, t, next_index))] = next_index
                    next_index += 1
                for fut in executor.wait_any(running):
                    results[running.pop(fut)] = fut.result()
                stop_at = _cutoff(results, n)  # every evaluation before it has finished
                if progress is not None:
                    progress(t, sum(1 for p in results.values() if p.accepted), len(results))
            for fut in running:  # later evaluations are not needed
                fut.cancel()
            sample = self._create_empty_sample()
            for i in range(stop_at + 1):
                sample.append(results[i])
            self.nr_evaluations_ = stop_at + 1
            return sample

    return SeededSampler()


def _cutoff(results: dict, n: int) -> int | None:
    """Index of the n-th accepted evaluation among the consecutive finished ones from 0, if any."""
    accepted = 0
    i = 0
    while i in results:
        accepted += bool(results[i].accepted)
        if accepted == n:
            return i
        i += 1
    return None


# ------------------------------------------------------------------ running generations
def db_url(out: Path) -> str:
    return "sqlite:///" + str((Path(out) / DB_NAME).resolve())


def stored_generations(out: Path) -> int:
    """How many generations the folder's pyabc database holds (0 if none)."""
    path = Path(out) / DB_NAME
    if not path.exists():
        return 0
    import pyabc

    h = pyabc.History(db_url(out))
    return 0 if h.max_t is None else int(h.max_t) + 1


def last_epsilon(out: Path) -> float:
    import pyabc

    pops = pyabc.History(db_url(out)).get_all_populations()
    pops = pops[pops["t"] >= 0]
    return float(pops["epsilon"].iloc[-1]) if len(pops) else math.inf


def unit_bandwidth(n_samples: float, dimension: int) -> float:
    """Bandwidth factor 1: the kernel covariance is the weighted covariance times KERNEL_SCALE."""
    return 1.0


def perturbation_kernel(problem: Problem):
    """The proposal: a normal kernel with KERNEL_SCALE x the weighted covariance of the last generation.

    Full covariance by default. A problem with ``diagonal_kernel`` gets one normal kernel per
    parameter (the covariance's diagonal; pyabc's ``AggregatedTransition``): with fewer particles
    than free parameters (the NROY ABC over 102) the full weighted covariance is singular and the
    proposal density, hence every importance weight, is undefined.
    """
    import pyabc

    def normal():
        return pyabc.MultivariateNormalTransition(scaling=KERNEL_SCALE, bandwidth_selector=unit_bandwidth)

    if getattr(problem, "diagonal_kernel", False):
        return pyabc.AggregatedTransition(mapping={n: normal() for n in problem.free})
    return normal()


def build_abcsmc(problem: Problem, simulator, seed: int, population: int, sampler):
    import pyabc

    kernel = perturbation_kernel(problem)
    return pyabc.ABCSMC(ParticleModel(simulator, seed, problem), prior(problem),
                        distance_function=ZDistance(problem), population_size=int(population),
                        transitions=kernel, eps=resumable_median_epsilon(), sampler=sampler)


def run_generations(problem: Problem, simulator, out: Path, *, seed: int, population: int,
                    generations: int, min_epsilon: float = 0.0, executor=None,
                    log: Callable[[str], None] = print, progress=None) -> list[dict]:
    """Run (or continue) the ABC-SMC in ``out`` until it holds ``generations`` generations or
    the last epsilon is at most ``min_epsilon``. Returns one record per generation run now."""
    quiet_pyabc()
    own = executor is None
    executor = executor or LocalExecutor(1)
    ran = []
    try:
        while True:
            done = stored_generations(out)
            if done >= generations:
                break
            if done > 0 and last_epsilon(out) <= min_epsilon:
                log(f"stopping: epsilon {last_epsilon(out):.4g} <= --min-epsilon {min_epsilon:g}")
                break
            t0 = time.perf_counter()
            abc = build_abcsmc(problem, simulator, seed, population, make_sampler(executor, seed, progress))
            db = db_url(out)
            if (Path(out) / DB_NAME).exists():
                abc.load(db, 1)
            else:
                abc.new(db, problem.observed())
            with seeded_global_numpy(evaluation_seed(seed, done, 2**31)), np.errstate(invalid="ignore"):
                abc.run(max_nr_populations=1)
            if hasattr(progress, "close"):
                progress.close()
            rec = generation_table(out).iloc[-1].to_dict()
            rec["wall_seconds_this_run"] = round(time.perf_counter() - t0, 3)
            ran.append(rec)
            log(f"generation {int(rec['t'])}: epsilon {rec['epsilon']:.4g}, {int(rec['particles'])} accepted of "
                f"{int(rec['samples'])} simulations ({rec['acceptance_rate']:.1%}), effective sample size "
                f"{rec['ess']:.1f}, {rec['wall_seconds_this_run']:.0f} s")
    finally:
        if own:
            executor.close()
    return ran


def generation_table(out: Path):
    """One row per stored generation: t, epsilon, simulations, accepted, acceptance rate, effective
    sample size of the weights (1 / sum w^2), wall time."""
    import pyabc

    h = pyabc.History(db_url(out))
    pops = h.get_all_populations()
    pops = pops[pops["t"] >= 0].copy()
    pops["acceptance_rate"] = pops["particles"] / pops["samples"]
    ess = []
    for t in pops["t"]:
        w = np.asarray(h.get_distribution(m=0, t=int(t))[1], float)
        ess.append(float(1.0 / np.sum((w / w.sum()) ** 2)))
    pops["ess"] = ess
    return pops[["t", "epsilon", "samples", "particles", "acceptance_rate", "ess", "wall_time"]].reset_index(drop=True)


def posterior_frame(out: Path, problem: Problem, root_seed: int, t: int | None = None):
    """The particles of generation ``t`` (default: the last): parameters, weight, distance,
    the particle's simulation seed and every simulated summary (columns ``sim_<key>``)."""
    import pandas as pd
    import pyabc

    h = pyabc.History(db_url(out))
    t = h.max_t if t is None else t
    rows = []
    for i, p in enumerate(h.get_population(t=t).particles):
        params = natural_values(problem, p.parameter)
        rows.append({"generation": int(t), "particle": i, **params, "weight": float(p.weight),
                     "distance": float(p.distance), "sim_seed": particle_seed(root_seed, params),
                     **{f"sim_{k}": float(v) for k, v in sorted(p.sum_stat.items())}})
    df = pd.DataFrame(rows)
    df["weight"] = df["weight"] / df["weight"].sum()
    return df


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """Quantile of a weighted sample (inverse of the weighted empirical CDF, midpoint rule)."""
    order = np.argsort(values, kind="stable")
    v, w = np.asarray(values, float)[order], np.asarray(weights, float)[order]
    cdf = (np.cumsum(w) - 0.5 * w) / w.sum()
    return float(np.interp(q, cdf, v))


def default_point(problem: Problem) -> dict[str, float]:
    """The free parameters at their declared defaults (with the scenario's own overrides)."""
    from bonding.experiments.scenarios import load_scenario

    sc = load_scenario(problem.scenario)
    return {n: float(sc.params.get(n, PARAMS[n].default)) for n in problem.free}


__all__ = ["particle_seed", "evaluation_seed", "ZDistance", "ParticleModel", "prior", "natural_values", "perturbation_kernel", "make_sampler",
           "LocalExecutor", "DaskExecutor", "run_generations", "generation_table", "posterior_frame",
           "weighted_quantile", "default_point", "stored_generations", "seeded_global_numpy"]
