"""History matching in waves with Gaussian-process emulators (Vernon, Goldstein & Bower 2010;
Andrianakis et al. 2015), over every free parameter (calibration/free_parameters.py) against the
``fit`` targets of calibration/targets.toml. How-to and choices: shared/science/history-matching.md.

One wave:

1. a design in the unit cube of the free parameters (scaled linearly to their declared bounds):
   wave 1 a Latin hypercube (``scipy.stats.qmc``), later waves a greedy maximin subset of the
   previous wave's non-implausible sample;
2. one simulator run per design point, seeded by ``SeedSequence([root, 0x4D, wave, index])`` and
   written in chunks (``wave_W/runs_J.parquet``) as they finish: a killed wave resumes at the
   first missing chunk, and where a chunk ran (this process, W processes, Dask) changes nothing;
3. one emulator per ``fit`` target on this wave's runs (:class:`Emulator`): inputs screened to at
   most ``max_active`` by LassoCV on linear and quadratic terms, then a GP with a Matern-5/2 ARD
   kernel on them plus a white-noise nugget that takes the run-to-run variance and the inactive
   inputs (``var_ens``). Leave-one-out standardised errors in closed form (Rasmussen & Williams
   2006, ch. 5); an emulator with fewer than ``min_loo_pass`` of them inside +-2 is not used;
4. implausibility of target i at x:
   ``I_i(x) = |shortfall_i(E[f_i(x)])| / sqrt(Var_em,i(x) + Var_obs,i + Var_disc,i + Var_ens,i)``
   (shortfall = distance to the value, or to the bound of a one-sided claim; 0 when it is met);
   x is non-implausible when the ``nth``-largest I_i is at most ``cutoff`` at every wave so far;
5. a Latin hypercube of ``candidates`` points over the box enclosing the previous NROY sample,
   filtered by every wave's emulators (rejection): the kept points estimate the NROY fraction
   (box volume x share kept) and feed the next design.

Stops when the NROY region is empty, when a wave shrinks it by less than ``min_shrink``, or after
``max_waves``. Each wave's files are written atomically; ``wave_W/summary.json`` marks a finished
wave. The folder follows the run-folder protocol (experiments/provenance.py).
"""

from __future__ import annotations

import pickle
import warnings
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from bonding.experiments.provenance import (
    atomic_write_bytes,
    atomic_write_json,
    atomic_write_parquet,
    check_run_folder,
    environment,
    readable_json,
    readable_parquet,
)
from threadpoolctl import threadpool_limits

RUN_STREAM = 0x4D  # seeds of the simulator runs
DESIGN_STREAM = 0x4E  # Latin hypercubes and maximin starts
GP_STREAM = 0x4F  # GP optimiser restarts
PAD = 0.05  # the candidate box encloses the NROY sample plus 5% of its width on each side


@dataclass(frozen=True)
class Settings:
    wave_size: int = 300
    max_waves: int = 4
    candidates: int = 20000
    cutoff: float = 3.0
    nth: int = 2  # 1 = the maximum over targets, 2 = the second largest, ...
    min_shrink: float = 0.3
    max_active: int = 10
    min_loo_pass: float = 0.8
    chunk: int = 5  # runs per file: a kill loses at most this many (a real run takes minutes)

    def config(self) -> dict:
        d = asdict(self)
        d.pop("max_waves")  # may grow when a run is continued
        return d


class Space:
    """The free parameters' box; designs live in the unit cube."""

    def __init__(self, names, lo, hi):
        self.names = tuple(names)
        self.lo, self.hi = np.asarray(lo, float), np.asarray(hi, float)

    def from_unit(self, U: np.ndarray) -> np.ndarray:
        return self.lo + np.asarray(U, float) * (self.hi - self.lo)

    def to_unit(self, X: np.ndarray) -> np.ndarray:
        return (np.asarray(X, float) - self.lo) / (self.hi - self.lo)

    def point(self, u: np.ndarray) -> dict[str, float]:
        return dict(zip(self.names, map(float, self.from_unit(u)), strict=True))

    def config(self) -> dict:
        return {"names": list(self.names), "lo": self.lo.tolist(), "hi": self.hi.tolist()}


def box_around_defaults(names, factor: float) -> tuple[list[float], list[float]]:
    """A design box within a factor of each parameter's declared default, clipped to its bounds.

    ``[d / factor, d x factor]`` for a default d > 0 (``[d x factor, d / factor]`` for d < 0);
    for d = 0, ``+-(hi - lo) x (1 - 1 / factor) / 4`` around 0 (an eighth of the range at factor
    2; the box widens with the factor for every parameter). Why: many declared ranges are wide
    plausibility ranges of rates whose default sits at 1-3% of the range (the depression onset
    hazards, the base rates of frightening and disrupted care), so a uniform design over them
    puts nearly every run where 80% of mothers are depressed and 99% of infants disorganised
    (20 of 20 runs of the full box, session 9) and the emulators see no run near a target.
    """
    from bonding.model.params import PARAMS

    if not factor > 1:
        from bonding.model.params import ParameterError

        raise ParameterError(f"--box-factor: {factor} given; allowed a number above 1")
    lo, hi = [], []
    for n in names:
        p = PARAMS[n]
        d = float(p.default)
        if d > 0:
            a, b = d / factor, d * factor
        elif d < 0:
            a, b = d * factor, d / factor
        else:
            b = (p.hi - p.lo) * (1.0 - 1.0 / factor) / 4.0
            a = -b
        lo.append(max(float(p.lo), a))
        hi.append(min(float(p.hi), b))
    return lo, hi


# ------------------------------------------------------------------ emulators
def screen_inputs(X: np.ndarray, y: np.ndarray, max_active: int) -> np.ndarray:
    """Indices of at most ``max_active`` inputs that move ``y`` (LassoCV on x - 1/2 and (x - 1/2)^2)."""
    from sklearn.linear_model import LassoCV

    d = X.shape[1]
    if d <= max_active:
        return np.arange(d)
    Z = np.hstack([X - 0.5, (X - 0.5) ** 2])
    ys = (y - y.mean()) / (y.std() or 1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        coef = LassoCV(cv=5, alphas=30, max_iter=5000).fit(Z, ys).coef_
    score = np.abs(coef[:d]) + np.abs(coef[d:])
    if not np.any(score > 0):  # nothing survives the lasso: the inputs most correlated with y
        score = np.abs([np.corrcoef(X[:, j], y)[0, 1] if X[:, j].std() > 0 else 0.0 for j in range(d)])
    order = np.argsort(-score, kind="stable")
    return np.sort(order[: max(1, min(max_active, int(np.sum(score > 0)) or 1))])


class Emulator:
    """GP emulator of one target's statistic (transformed scale) over the unit cube."""

    def __init__(self, key: str, U: np.ndarray, y: np.ndarray, seed: int, max_active: int):
        from sklearn.gaussian_process import GaussianProcessRegressor
        from sklearn.gaussian_process.kernels import ConstantKernel, Matern, WhiteKernel

        ok = np.isfinite(y)
        self.key, self.n = key, int(ok.sum())
        U, y = U[ok], y[ok]
        self.constant = self.n < 5 or float(np.std(y)) == 0.0
        if self.constant:  # nothing to emulate: a flat mean, no variance (the output never moved)
            self.mean_value = float(np.mean(y)) if self.n else np.nan
            self.active, self.var_ens, self.gp = np.arange(0), 0.0, None
            return
        self.active = screen_inputs(U, y, max_active)
        kernel = (ConstantKernel(1.0, (1e-3, 1e3)) * Matern(np.full(len(self.active), 0.5), (1e-2, 1e2), nu=2.5)
                  + WhiteKernel(1e-2, (1e-8, 1e1)))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.gp = GaussianProcessRegressor(kernel, normalize_y=True, n_restarts_optimizer=1,
                                               random_state=int(seed) % 2**31).fit(U[:, self.active], y)
        scale2 = float(np.ravel(self.gp._y_train_std)[0]) ** 2
        self.white = float(self.gp.kernel_.k2.noise_level) * scale2
        self.var_ens = self.white  # run-to-run variance (plus what the inactive inputs do), y units

    def predict(self, U: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Expected statistic and the emulator's variance of it (the latent mean, not a new run)."""
        U = np.atleast_2d(U)
        if self.constant:
            return np.full(len(U), self.mean_value), np.zeros(len(U))
        m, s = self.gp.predict(U[:, self.active], return_std=True)
        return m, np.maximum(s * s - self.white, 0.0)

    def loo(self) -> np.ndarray:
        """Leave-one-out standardised errors, hyperparameters held (closed form from L_ and alpha_)."""
        if self.constant:
            return np.zeros(self.n)
        from scipy.linalg import cho_solve

        L = self.gp.L_
        kinv = cho_solve((L, True), np.eye(len(L)))
        return np.ravel(self.gp.alpha_) / np.sqrt(np.diag(kinv))


def implausibility(emulators, targets, U: np.ndarray):
    """(n points x k used targets) implausibilities and emulator-variance shares."""
    by_key = {t.key: t for t in targets}
    cols, share = [], []
    for em in emulators:
        t = by_key[em.key]
        m, ve = em.predict(U)
        total = ve + t.se ** 2 + t.discrepancy ** 2 + em.var_ens
        cols.append(np.abs(t.shortfall(m)) / np.sqrt(total))
        share.append(ve / total)
    n = len(np.atleast_2d(U))
    if not cols:
        return np.zeros((n, 0)), np.zeros((n, 0))
    return np.column_stack(cols), np.column_stack(share)


def nth_largest(imp: np.ndarray, nth: int) -> np.ndarray:
    if imp.shape[1] == 0:
        return np.zeros(len(imp))
    k = min(nth, imp.shape[1])
    return np.sort(imp, axis=1)[:, -k]


def nroy_mask(waves, targets, U: np.ndarray, cutoff: float, nth: int) -> np.ndarray:
    """True where the point is not ruled out by any wave's emulators."""
    keep = np.ones(len(U), bool)
    for ems in waves:
        if not keep.any():
            break
        imp, _ = implausibility(ems, targets, U[keep])
        keep[keep] = nth_largest(imp, nth) <= cutoff
    return keep


def maximin(P: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """Greedy farthest-point subset of ``P`` (a space-filling design inside the NROY sample)."""
    from scipy.spatial.distance import cdist

    idx = [int(rng.integers(len(P)))]
    dmin = cdist(P, P[idx]).ravel()
    for _ in range(min(n, len(P)) - 1):
        idx.append(int(np.argmax(dmin)))
        dmin = np.minimum(dmin, cdist(P, P[idx[-1:]]).ravel())
    return P[idx]


def _rng(seed: int, *tags: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([int(seed), DESIGN_STREAM, *map(int, tags)]))


def run_seed(seed: int, wave: int, index: int) -> int:
    return int(np.random.SeedSequence([int(seed), RUN_STREAM, int(wave), int(index)]).generate_state(1, np.uint64)[0]
               & (2**63 - 1))


# ------------------------------------------------------------------ running a wave
def run_chunk(simulator, points: list[dict], seeds: list[int], keys: list[str]) -> list[list[float]]:
    """Simulator outputs (raw, natural scale) for a chunk of design points."""
    rows = []
    for p, s in zip(points, seeds, strict=True):
        out = simulator(p, s)
        rows.append([float(out.get(k, np.nan)) for k in keys])
    return rows


def wave_dir(out: Path, w: int) -> Path:
    return Path(out) / f"wave_{w}"


def wave_design(out: Path, w: int, space: Space, settings: Settings, seed: int) -> np.ndarray:
    """Wave ``w``'s design in the unit cube (stored; recomputed identically if missing)."""
    from scipy.stats import qmc

    path = wave_dir(out, w) / "design.parquet"
    if readable_parquet(path):
        return pd.read_parquet(path)[[f"u_{i}" for i in range(len(space.names))]].to_numpy()
    d = len(space.names)
    if w == 1:
        U = qmc.LatinHypercube(d=d, seed=_rng(seed, w, 0)).random(settings.wave_size)
    else:
        prev = pd.read_parquet(wave_dir(out, w - 1) / "nroy.parquet").to_numpy()
        U = maximin(prev, settings.wave_size, _rng(seed, w, 1))
    df = pd.DataFrame(U, columns=[f"u_{i}" for i in range(d)])
    df = pd.concat([df, pd.DataFrame(space.from_unit(U), columns=list(space.names))], axis=1)
    df["seed"] = [run_seed(seed, w, i) for i in range(len(U))]
    atomic_write_parquet(path, df)
    return U


def run_wave(out: Path, w: int, U: np.ndarray, space: Space, keys: list[str], simulator, seed: int,
             settings: Settings, workers: int, scheduler: str | None, log) -> np.ndarray:
    """Every run of wave ``w`` (chunks already on disk are kept): (n points x outputs), raw."""
    from bonding.experiments.parallel import run_tasks

    chunks = [list(range(i, min(i + settings.chunk, len(U)))) for i in range(0, len(U), settings.chunk)]
    path = lambda j: wave_dir(out, w) / f"runs_{j:04d}.parquet"  # noqa: E731
    todo = [j for j in range(len(chunks)) if not readable_parquet(path(j))]
    tasks = [(f"w{w}c{j}", (simulator, [space.point(U[i]) for i in chunks[j]],
                            [run_seed(seed, w, i) for i in chunks[j]], keys), j) for j in todo]
    done_count = [len(chunks) - len(todo)]

    def done(j, rows):
        df = pd.DataFrame(rows, columns=keys)
        df.insert(0, "index", chunks[j])
        atomic_write_parquet(path(j), df)
        done_count[0] += 1
        log(f"wave {w}: {min(done_count[0] * settings.chunk, len(U))}/{len(U)} runs")

    if tasks:
        run_tasks(run_chunk, tasks, done, workers=workers, scheduler=scheduler, label=f"hm-wave{w}")
    runs = pd.concat([pd.read_parquet(path(j)) for j in range(len(chunks))]).sort_values("index")
    return runs[keys].to_numpy(float)


def fit_emulators(U: np.ndarray, Y: np.ndarray, targets, seed: int, w: int, settings: Settings):
    """One emulator per target (statistic on its scale) and its LOO diagnostics; the emulators
    returned are those whose LOO errors pass (``min_loo_pass`` within +-2)."""
    ems, diag = [], []
    for i, t in enumerate(targets):
        y = np.asarray(t.statistic(Y[:, i]), float)
        em = Emulator(t.key, U, y, int(np.random.SeedSequence([seed, GP_STREAM, w, i]).generate_state(1)[0]),
                      settings.max_active)
        e = em.loo()
        inside = float(np.mean(np.abs(e) < 2)) if len(e) else 0.0
        used = em.n >= 5 and inside >= settings.min_loo_pass
        diag.append({"target": t.name, "study": t.key, "runs": em.n, "active_inputs": int(len(em.active)),
                     "active": [int(a) for a in em.active], "loo_share_within_2": inside,
                     "loo_max_abs": float(np.max(np.abs(e))) if len(e) else np.nan,
                     "var_ens": float(em.var_ens), "constant": bool(em.constant), "used": bool(used)})
        if used:
            ems.append(em)
    return ems, diag


def sample_nroy(out: Path, w: int, waves, targets, space: Space, settings: Settings, seed: int):
    """Rejection sample of the NROY region after wave ``w``; returns (kept points, fraction, box)."""
    from scipy.stats import qmc

    d = len(space.names)
    if w == 1:
        lo, hi = np.zeros(d), np.ones(d)
    else:
        prev = pd.read_parquet(wave_dir(out, w - 1) / "nroy.parquet").to_numpy()
        pad = PAD * (prev.max(0) - prev.min(0))
        lo, hi = np.maximum(prev.min(0) - pad, 0.0), np.minimum(prev.max(0) + pad, 1.0)
    cand = lo + qmc.LatinHypercube(d=d, seed=_rng(seed, w, 2)).random(settings.candidates) * (hi - lo)
    keep = nroy_mask(waves, targets, cand, settings.cutoff, settings.nth)
    fraction = float(np.prod(hi - lo) * keep.mean())
    imp, share = implausibility(waves[-1], targets, cand)
    kept = cand[keep]
    if 0 < len(kept) < settings.wave_size:  # too few for the next design: walk inside NROY from them
        inside = lambda P: nroy_mask(waves, targets, P, settings.cutoff, settings.nth)  # noqa: E731
        kept = nroy_walk(kept, inside, lo, hi, settings.wave_size, _rng(seed, w, 3))
    return kept, fraction, (lo, hi), imp, share, keep


def nroy_walk(seeds: np.ndarray, inside, lo, hi, n_wanted: int, rng: np.random.Generator, scale: float = 0.05):
    """More NROY points when rejection found few: parallel random-walk chains started at the
    NROY points, uniform target on NROY (a proposal outside is refused; history-matching.md 1.3b).
    Returns the seeds and every distinct visited point."""
    x, found = seeds.copy(), [seeds]
    steps = int(np.ceil(2 * n_wanted / len(seeds)))
    for _ in range(steps):
        prop = x + rng.normal(0.0, scale * (hi - lo), x.shape)
        ok = np.all((prop >= lo) & (prop <= hi), axis=1)
        ok[ok] = inside(prop[ok])
        x[ok] = prop[ok]
        found.append(prop[ok])
    return np.concatenate(found)


def load_waves(out: Path, upto: int):
    return [pickle.loads((wave_dir(out, k) / "emulators.pkl").read_bytes()) for k in range(1, upto + 1)]


def completed_waves(out: Path) -> list[dict]:
    out_list, w = [], 1
    while (doc := readable_json(wave_dir(out, w) / "summary.json")) is not None:
        out_list.append(doc)
        w += 1
    return out_list


def run_history_matching(targets, space: Space, simulator, out: Path, *, seed: int, settings: Settings,
                         workers: int = 1, scheduler: str | None = None, log=print) -> dict:
    """Run or continue history matching in ``out``; returns the manifest."""
    out = Path(out)
    fit = [t for t in targets if t.role == "fit"]
    config = {"method": "history matching (calibration/history_matching.py)", "seed": int(seed),
              "settings": settings.config(), "space": space.config(),
              "targets": [{"name": t.name, "study": t.study, "kind": t.kind, "observed": t.observed, "se": t.se,
                           "discrepancy": t.discrepancy} for t in fit],
              "simulator": simulator.config()}

    def held(old, new):
        diff = next((k for k in new if old.get(k) != new[k]), None)
        return f"a history matching with another {diff}" if diff else None

    old = check_run_folder(out, "history-matching", "history-matching", config, held)
    env = environment()
    atomic_write_json(out / "manifest.json", {**old, "kind": "history-matching", "status": "running",
                                              "config": config, **env})
    summaries = completed_waves(out)
    stop = _stop_reason(summaries, settings)
    keys = [t.key for t in fit]
    waves = load_waves(out, len(summaries))
    while stop is None:
        w = len(summaries) + 1
        U = wave_design(out, w, space, settings, seed)
        log(f"wave {w}: {len(U)} runs over {len(space.names)} parameters")
        Y = run_wave(out, w, U, space, keys, simulator, seed, settings, workers, scheduler, log)
        with threadpool_limits(1):  # small matrices: BLAS threads only contend (10x slower measured)
            ems, diag = fit_emulators(U, Y, fit, seed, w, settings)
            atomic_write_bytes(wave_dir(out, w) / "emulators.pkl", pickle.dumps(ems))
            waves.append(ems)
            kept, fraction, (lo, hi), imp, share, keep = sample_nroy(out, w, waves, fit, space, settings, seed)
        atomic_write_parquet(wave_dir(out, w) / "nroy.parquet", pd.DataFrame(kept, columns=[f"u_{i}" for i in range(len(space.names))]))
        summary = wave_summary(w, U, Y, fit, ems, diag, fraction, lo, hi, imp, share, keep, kept, space, settings)
        atomic_write_json(wave_dir(out, w) / "summary.json", summary)
        summaries.append(summary)
        log(f"wave {w}: NROY fraction {fraction:.4g} ({int(keep.sum())} of {settings.candidates} candidates kept), "
            f"{len(ems)} of {len(fit)} emulators used, LOO within +-2 "
            f"{np.mean([d['loo_share_within_2'] for d in diag]):.0%}")
        stop = _stop_reason(summaries, settings)
    manifest = {"kind": "history-matching", "status": "complete", "config": config, "stopped": stop,
                "waves": [{k: s[k] for k in ("wave", "runs", "nroy_fraction", "kept", "emulators_used")}
                          for s in summaries], "max_waves": settings.max_waves, **env}
    atomic_write_json(out / "manifest.json", manifest)
    log(f"stopped: {stop}")
    return manifest


def _stop_reason(summaries: list[dict], settings: Settings) -> str | None:
    if not summaries:
        return None
    last = summaries[-1]
    if last["kept"] == 0:
        return "empty: no candidate is non-implausible (revisit discrepancy, targets or model)"
    if len(summaries) >= 2:
        prev = summaries[-2]["nroy_fraction"]
        if last["nroy_fraction"] > (1 - settings.min_shrink) * prev:
            return (f"stopped shrinking: wave {last['wave']} kept {last['nroy_fraction'] / prev:.0%} of wave "
                    f"{last['wave'] - 1}'s NROY fraction (limit {1 - settings.min_shrink:.0%})")
    if len(summaries) >= settings.max_waves:
        return f"max waves ({settings.max_waves})"
    return None


def wave_summary(w, U, Y, targets, ems, diag, fraction, lo, hi, imp, share, keep, kept, space, settings) -> dict:
    """What a wave did: runs, emulator diagnostics, NROY fraction and box, which target rules out."""
    used_keys = [em.key for em in ems]
    arg = np.argmax(imp, axis=1) if imp.shape[1] else np.zeros(0, int)
    rules_out = {used_keys[k]: int(np.sum(arg == k)) for k in range(len(used_keys))}
    min_sim_I = {}
    for i, t in enumerate(targets):
        y = np.asarray(t.statistic(Y[:, i]), float)
        var = t.se ** 2 + t.discrepancy ** 2 + next((em.var_ens for em in ems if em.key == t.key), 0.0)
        v = np.abs(t.shortfall(y)) / np.sqrt(var)
        min_sim_I[t.name] = float(np.nanmin(v)) if np.isfinite(v).any() else None
    box = {n: [float(a), float(b)] for n, a, b in zip(space.names, space.from_unit(kept.min(0) if len(kept) else lo),
                                                      space.from_unit(kept.max(0) if len(kept) else hi), strict=True)}
    return {"wave": w, "runs": int(len(U)), "nroy_fraction": fraction, "kept": int(len(kept)),
            "kept_candidates": int(keep.sum()), "candidates": int(len(keep)),
            "candidate_box_volume": float(np.prod(hi - lo)), "emulators_used": len(ems),
            "emulator_variance_share_median": float(np.median(share[keep])) if keep.any() and share.size else None,
            "target_giving_max_I": rules_out, "min_simulator_implausibility": min_sim_I,
            "emulators": diag, "nroy_box": box}


def nroy_box(out: Path) -> dict[str, tuple[float, float]]:
    """The bounding box of the last wave's NROY sample, in parameter units."""
    s = completed_waves(out)
    if not s:
        from bonding.model.params import ParameterError

        raise ParameterError(f"--from {out}: holds no finished history-matching wave")
    if s[-1]["kept"] == 0:
        from bonding.model.params import ParameterError

        raise ParameterError(f"--from {out}: its last wave left no non-implausible point (nothing to sample; "
                             "revisit the discrepancies, the targets or the model)")
    return {k: (float(v[0]), float(v[1])) for k, v in s[-1]["nroy_box"].items()}


def emulator_diagnostics(out: Path) -> pd.DataFrame:
    """Per wave and target: runs, active inputs, LOO share within +-2, max |LOO|, used."""
    rows = [{"wave": s["wave"], **{k: v for k, v in d.items() if k != "active"}}
            for s in completed_waves(out) for d in s["emulators"]]
    return pd.DataFrame(rows)


__all__ = ["Settings", "Space", "box_around_defaults", "Emulator", "implausibility", "nroy_mask", "run_history_matching",
           "nroy_box", "completed_waves", "emulator_diagnostics", "load_waves"]
