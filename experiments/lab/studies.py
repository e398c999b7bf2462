"""Virtual studies: designs held as data (``experiments/studies/*.toml``), run on the model.

A study has a sample (unit, n, roles, inclusion, strata), visits (age and procedure), measures
(a procedure variable at a visit, observed through :mod:`experiments.lab.measures`) and the
statistic the paper reported, with the published value. ``run_study`` simulates all R
replicates' households as ONE population (R x pool x n households) and splits afterwards;
every replicate is a fresh sample. Inclusion (required roles, breastfeeding, strata) is decided
at enrolment, the first visit. Measurement noise has its own seeded stream per replicate.
"""

from __future__ import annotations

import json
import math
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path

import numpy as np
from bonding.experiments.lab import measures as ms
from bonding.experiments.lab.params import resolve
from bonding.experiments.lab.procedures import PROCEDURES, cortisol_time_course
from bonding.experiments.lab.stress import STRESS_PROCEDURES
from bonding.model.params import ParameterError, ParamSet
from bonding.model.simulation import Simulation
from bonding.model.state import DAYS_PER_MONTH, GESTATION_START_WEEK, PRENATAL_DAYS, ROLES
from scipy import stats

STUDY_DIR = Path(__file__).resolve().parent.parent / "studies"
VISIT_HOUR = 10  # lab visits at 10:00
STAT_KINDS = ("pearson", "interaction", "proportion", "any_proportion", "conditional_proportion", "d", "d_between",
              "median_pct_change", "paired", "kappa", "vote")
NO_TEST_KINDS = ("proportion", "any_proportion", "conditional_proportion", "kappa")  # statistics reported without a significance test
ALPHA = 0.05
ALL_PROCEDURES = {**PROCEDURES, **STRESS_PROCEDURES}  # visit procedures by name (experiments.lab.stress: stressors)
REQUIRE_KEYS = ("breastfeeding",)


def has_test(kind: str) -> bool:
    """Whether a statistic of this kind comes with a significance test (P(significant) is defined)."""
    return kind not in NO_TEST_KINDS


class StudyError(ParameterError):
    """A study name, file or field is not allowed (one-line message naming the field)."""


@dataclass
class Study:
    name: str
    spec: dict
    substudies: list = field(default_factory=list)

    @property
    def target(self) -> str:
        return self.spec.get("target", self.name)

    @property
    def n(self) -> int:
        s = self.spec.get("sample", {})
        if "counts" in s:
            return int(sum(s["counts"].values()))
        return int(s.get("n", 0))

    @property
    def published(self) -> dict:
        return self.spec.get("published", {})

    @property
    def stat_kind(self) -> str:
        return self.spec["statistic"]["kind"]


def load_registry(directory: Path = STUDY_DIR) -> dict[str, dict]:
    reg: dict[str, dict] = {}
    for f in sorted(Path(directory).glob("*.toml")):
        with open(f, "rb") as fh:
            data = tomllib.load(fh)
        for name, spec in data.items():
            spec = dict(spec)
            spec["_file"] = f.name
            reg[name] = spec
    return reg


def available_studies(include_hidden: bool = False) -> list[str]:
    reg = load_registry()
    return [k for k, v in reg.items() if include_hidden or not v.get("hidden", False)]


def load_study(name: str) -> Study:
    reg = load_registry()
    if name not in reg:
        shown = ", ".join(available_studies())
        raise StudyError(f"study: unknown study {name!r} (allowed: {shown})")
    spec = reg[name]
    kind = spec.get("statistic", {}).get("kind")
    if kind not in STAT_KINDS:
        raise StudyError(f"{name}.statistic.kind: {kind!r} is not allowed (allowed {', '.join(STAT_KINDS)})")
    subs = [load_study(s) for s in spec.get("statistic", {}).get("substudies", [])] if kind == "vote" else []
    return Study(name, spec, subs)


# ------------------------------------------------------------------------- simulation
def _visit_hour(v: dict) -> int:
    if "gest_week" in v:
        day = int(round((float(v["gest_week"]) - GESTATION_START_WEEK) * 7))
    else:
        day = PRENATAL_DAYS + int(round(float(v["age_months"]) * DAYS_PER_MONTH))
    return day * 24 + VISIT_HOUR


def _enrolment(sim) -> dict[str, np.ndarray]:
    """What inclusion is decided on, as it is now: breastfeeding, which caregivers exist, and
    the caregivers' categorical traits (strata such as the AAI state)."""
    rec = {}
    for f in fields(sim.cg):
        a = getattr(sim.cg, f.name)
        if a.dtype != np.float64:
            rec[f.name] = a.copy()
    rec["breastfeeding"] = sim.hh.breastfeeding.copy()
    return rec


def visit_schedule(study: Study) -> list[tuple[str, int, str]]:
    """A study's visits in time order as (name, hour, procedure); visits at one hour keep the
    file's order. A procedure that does not exist is refused (one line naming the field)."""
    order = sorted(study.spec["visits"].items(), key=lambda kv: _visit_hour(kv[1]))
    out = []
    for vname, v in order:
        proc = v.get("procedure", "snapshot")
        if proc not in ALL_PROCEDURES:
            raise StudyError(f"{study.name}.visits.{vname}.procedure: {proc!r} is not allowed "
                             f"(allowed {', '.join(ALL_PROCEDURES)})")
        out.append((vname, _visit_hour(v), proc))
    return out


def months_to(last_hour: int) -> float:
    """Months after birth a simulation runs to reach a visit at ``last_hour`` (at least 0.05)."""
    return max((last_hour / 24 + 1 - PRENATAL_DAYS) / DAYS_PER_MONTH, 0.05)


def advance_to(sim: Simulation, hour: int, hourly: bool = False) -> None:
    """Step ``sim`` until its clock reads ``hour`` (or the run ends): whole days by the day-major
    block path (:meth:`Simulation.step_day`) while a whole day fits before ``hour``, single hours
    for the rest; ``hourly=True`` steps hour by hour throughout. Both give identical states
    (tests/lab/test_study_blocks.py)."""
    while sim.hour < hour and not sim.done:
        if not hourly and sim.hod == 0 and sim.hour + 24 <= hour:
            sim.step_day()
        else:
            sim.step()


def simulate(study: Study, households: int, seed: int, n_override: int | None = None, threads: int = 1,
             hourly: bool = False):
    """Run the population and collect every visit's procedure output: {visit: {var: array}}.

    ``data["_enrolment"]`` holds the inclusion state at the first visit (:func:`_enrolment`).
    Each visit's output also carries the caregivers' plasma cortisol an hour before and after
    the visit hour (``cortisol_1h_before``, ``cortisol_1h_after``; see
    :func:`experiments.lab.procedures.cortisol_time_course`), for salivary sampling.

    Whole days before a visit run on the day-major block path with ``threads`` threads
    (:func:`advance_to`); ``hourly=True`` steps hour by hour. Neither changes any number.
    """
    spec = study.spec
    params = ParamSet.uniform(households, spec.get("overrides", {}))
    order = visit_schedule(study)
    sim = Simulation(params, months_to(order[-1][1]), seed, threads=threads)
    data = {}
    cortisol_before = sim.cg.cortisol.copy()
    for i, (vname, target, proc) in enumerate(order):
        if sim.hour < target:  # a visit at the same hour as the previous one keeps its hour-before value
            advance_to(sim, target - 1, hourly)
            cortisol_before = sim.cg.cortisol.copy()
            advance_to(sim, target, hourly)
        if i == 0:
            data["_enrolment"] = _enrolment(sim)
        data[vname] = visit_output(sim, proc, visit_rng(seed, i), cortisol_before)
    return sim, data


VISIT_STREAM = 0x1AB  # visit procedures' random streams: SeedSequence([seed, VISIT_STREAM, rank])
STATISTIC_STREAM = 0x5EED  # measurement noise of replicate r: SeedSequence([seed, STATISTIC_STREAM, r])


def visit_rng(seed: int, rank: int) -> np.random.Generator:
    """The random stream of a study's visit: the root ``seed`` and the visit's ``rank`` in its own
    study's time order (0 = first), so that it never depends on other studies' visits."""
    return np.random.default_rng(np.random.SeedSequence([int(seed), VISIT_STREAM, int(rank)]))


def visit_output(sim: Simulation, procedure: str, rng: np.random.Generator, cortisol_before: np.ndarray) -> dict:
    """One visit's data at the current hour: the procedure's output, the caregivers' plasma
    cortisol an hour before and after (``cortisol_time_course``) and who exists (``_exists``).
    A stress procedure's pre sample takes the model's value an hour before (``cortisol_before``)."""
    out = ALL_PROCEDURES[procedure](sim, rng)
    if "cortisol_pre_1h_before" in out:  # a stress procedure's pre sample: the model's hour before
        out["cortisol_pre_1h_before"] = cortisol_before.copy()
    out.update(cortisol_time_course(sim, cortisol_before))
    out["_exists"] = sim.cg.exists.copy()
    return out


def _units(study: Study, enrol: dict, rep: int, block: int, n_scale: float):
    """(households, slots) of the sampled units of replicate ``rep``; units are dyads.

    ``enrol``: the inclusion state at enrolment (``data["_enrolment"]`` of :func:`simulate`), so a
    mother who weans or a caregiver who leaves after the first visit stays in the sample.
    """
    s = study.spec["sample"]
    lo, hi = rep * block, (rep + 1) * block
    hh = np.arange(lo, hi)
    ok = np.ones(hi - lo, bool)
    for key, allowed in s.get("require", {}).items():
        if key not in REQUIRE_KEYS:
            raise StudyError(f"{study.name}.sample.require: {key!r} is not allowed (allowed {', '.join(REQUIRE_KEYS)})")
        ok &= enrol[key][hh] == bool(allowed)
    role_slot = {r: i for i, r in enumerate(ROLES)}
    roles = s.get("roles", ["mother"])
    exists = enrol["exists"]
    for r in roles:
        ok &= exists[hh, role_slot[r]]
    if s.get("unit", "household") == "household":
        n = max(int(round(s["n"] * n_scale)), 3)
        strata = s.get("strata")
        if strata:
            if strata["var"] not in enrol:
                raise StudyError(f"{study.name}.sample.strata.var: {strata['var']!r} is not allowed "
                                 f"(allowed {', '.join(k for k in enrol if k not in ('exists', 'breastfeeding'))})")
            var = enrol[strata["var"]][hh, role_slot[strata.get("role", roles[0])]]
            pick = []
            for level, cnt in strata["levels"].items():
                cand = hh[ok & (var == int(level))]
                pick.append(cand[: max(int(round(cnt * n_scale)), 2)])
            sel = np.concatenate(pick)
        else:
            sel = hh[ok][:n]
        return {r: (sel, np.full(sel.size, role_slot[r])) for r in roles}
    # dyad unit: disjoint households per role (e.g. 71 mothers and 41 fathers, not couples)
    out, used = {}, np.zeros(0, np.int64)
    for r, cnt in s["counts"].items():
        m = max(int(round(cnt * n_scale)), 3)
        cand = hh[ok & exists[hh, role_slot[r]] & ~np.isin(hh, used)]
        sel = cand[:m]
        used = np.concatenate([used, sel])
        out[r] = (sel, np.full(sel.size, role_slot[r]))
    return out


# a caregiver's plasma OT variable -> the central OT of the same person at the same moment
# (read by an unextracted assay under hypothesis H2, experiments.lab.measures)
CENTRAL_OF = {"ot_plasma": "ot_central", "ot_plasma_pre": "ot_central_pre", "ot_plasma_post": "ot_central_post"}


def _observe(values, mspec, rng, assays, people, n_people=None, course=None, central=None):
    """Observe true ``values`` as ``mspec`` says; ``course`` = (value an hour before, value an hour
    after) of the same units, for salivary cortisol; ``central`` = the same people's central OT,
    for OT assays."""
    how = mspec.get("observe", "true")
    if how == "true":
        return values
    if how == "assay":
        params = mspec.get("params") or {}
        key = (mspec.get("assay", "extracted"), mspec.get("matrix", "plasma"), tuple(sorted(params.items())))
        if key not in assays:
            assays[key] = ms.OTAssay(int(n_people or people.max() + 1), rng, key[0], key[1], params=params)
        return assays[key].measure(values, people=people, batch=mspec.get("batch", 0) * np.ones(values.size, int),
                                   central=central)
    if how == "screen":  # latent episode (0/1) -> screen verdict; one screen (person errors) per statistic
        params = mspec.get("params") or {}
        key = ("screen", tuple(sorted(params.items())))
        if key not in assays:
            try:
                assays[key] = ms.DepressionScreen(int(n_people or people.max() + 1), rng, params=params)
            except (ValueError, ParameterError) as exc:
                raise StudyError(f"measure.params: {exc}") from None
        return assays[key].measure(values, people=people)
    if how == "saliva_cortisol":  # plasma (nmol/l) time course -> saliva with lag, jitter and assay CV
        return ms.salivary_cortisol(course[0], values, rng, params=mspec.get("params"), plasma_after=course[1])
    if how == "microcode":
        frames = 60  # 1-s frames per minute count
        return ms.microcode(np.round(values * frames), rng, n_frames=mspec.get("minutes", 15) * frames) / frames
    if how == "rating":
        return ms.rating(values, rng, mspec.get("icc"))
    if how == "questionnaire":
        return ms.questionnaire(values, rng, mspec.get("alpha"))[0]
    if how == "cv":
        return ms.lognormal_cv(values, float(mspec.get("cv", 0.1)), rng)
    if how == "coder":
        return ms.code_classes(values, rng, mspec.get("kappa"))
    raise StudyError(f"measure.observe: {how!r} is not allowed (allowed true, assay, screen, saliva_cortisol, microcode, rating, questionnaire, cv, coder)")


def _course(study: Study, mname: str, mspec: dict, visit: dict, var: str, hh, sl):
    """(an hour before, an hour after) of ``var`` for salivary sampling, checked; else None."""
    if mspec.get("observe") != "saliva_cortisol":
        return None
    if f"{var}_1h_before" not in visit:
        raise StudyError(f"{study.name}.measures.{mname}.var: {var!r} has no plasma time course for "
                         "observe = 'saliva_cortisol' (allowed cortisol)")
    params = mspec.get("params")
    if params is not None:
        try:
            resolve(ms.MEASURE_PARAMS, params)
        except (ValueError, ParameterError) as exc:
            raise StudyError(f"{study.name}.measures.{mname}.params: {exc}") from None
    return np.asarray(visit[f"{var}_1h_before"])[hh, sl], np.asarray(visit[f"{var}_1h_after"])[hh, sl]


def _measure(study: Study, data, units, mname, rng, assays):
    mspec = study.spec["measures"][mname]
    visit = data[mspec["visit"]]
    role = mspec.get("role")
    if role is None:
        pairs = list(units.values())
        hh = np.concatenate([p[0] for p in pairs])
        sl = np.concatenate([p[1] for p in pairs])
    else:
        hh, _ = next(iter(units.values()))
        sl = np.full(hh.size, ROLES.index(role))
    # person ids for stable assay components: the infant is its own person
    people = hh * (len(ROLES) + 1) + (len(ROLES) if mspec["var"].startswith("infant_") else sl)
    vals = np.asarray(visit[mspec["var"]])[hh, sl]
    n_people = np.asarray(visit[mspec["var"]]).shape[0] * (len(ROLES) + 1)
    if mspec.get("observe") == "assay" and study.spec.get("assay_params"):  # run-wide (--assay-set); the measure's own win
        mspec = {**mspec, "params": {**study.spec["assay_params"], **(mspec.get("params") or {})}}

    def central(var):
        return np.asarray(visit[CENTRAL_OF[var]])[hh, sl] if var in CENTRAL_OF and CENTRAL_OF[var] in visit else None

    if "contrast" in mspec:  # within-person contrast with another measure (crossover)
        own = {k: v for k, v in mspec.items() if k != "contrast"}
        study.spec["measures"]["_own_" + mname] = own
        try:
            a = _measure(study, data, units, "_own_" + mname, rng, assays)
        finally:
            del study.spec["measures"]["_own_" + mname]
        return a - _measure(study, data, units, mspec["contrast"], rng, assays)
    if "minus" in mspec:  # change score: var - minus (same visit), each observed separately
        obs = _observe(vals, mspec, rng, assays, people, n_people, _course(study, mname, mspec, visit, mspec["var"], hh, sl),
                       central(mspec["var"]))
        base = _observe(np.asarray(visit[mspec["minus"]])[hh, sl], mspec, rng, assays, people, n_people,
                        _course(study, mname, mspec, visit, mspec["minus"], hh, sl), central(mspec["minus"]))
        if mspec.get("ratio"):
            return 100.0 * (obs / base - 1.0)
        return obs - base
    obs = _observe(vals, mspec, rng, assays, people, n_people, _course(study, mname, mspec, visit, mspec["var"], hh, sl),
                   central(mspec["var"]))
    if "equals" in mspec:
        return np.isin(obs, np.atleast_1d(mspec["equals"])).astype(float)
    return obs


def _statistic(study: Study, data, units, rng) -> dict:
    st = study.spec["statistic"]
    kind = st["kind"]
    assays: dict = {}
    get = lambda name: _measure(study, data, units, name, rng, assays)  # noqa: E731
    direction = st.get("direction", "+")
    if kind == "pearson":
        x, y = get(st["x"]).astype(float), get(st["y"]).astype(float)
        if st.get("log_x"):
            x = np.log(x)
        ok = np.isfinite(x) & np.isfinite(y)
        if ok.sum() < 4 or np.std(x[ok]) == 0 or np.std(y[ok]) == 0:
            return {"value": np.nan, "p": np.nan, "significant": False, "n": int(ok.sum())}
        r, p = stats.pearsonr(x[ok], y[ok])
        sig = p < ALPHA and (r > 0 if direction == "+" else r < 0 if direction == "-" else True)
        return {"value": float(r), "p": float(p), "significant": bool(sig), "n": int(ok.sum())}
    if kind in ("interaction", "d"):
        g, y = get(st["group"]).astype(float), get(st["y"]).astype(float)
        if kind == "interaction" or st.get("median_split"):
            hi = g > np.nanmedian(g)
        else:
            hi = g == float(st.get("high_level", 1))
            keep = (g == float(st.get("high_level", 1))) | (g == float(st.get("low_level", 0)))
            hi, y = hi[keep], y[keep]
        a, b = y[hi], y[~hi]
        if a.size < 2 or b.size < 2:
            return {"value": np.nan, "p": np.nan, "significant": False, "n": int(y.size)}
        t, p = stats.ttest_ind(a, b, equal_var=False)
        if kind == "d":
            sp = np.sqrt(((a.size - 1) * a.var(ddof=1) + (b.size - 1) * b.var(ddof=1)) / (a.size + b.size - 2))
            val = (a.mean() - b.mean()) / sp if sp > 0 else np.nan
        else:
            val = float(t)
        sig = p < ALPHA and ((val > 0) if direction == "+" else (val < 0) if direction == "-" else True)
        return {"value": float(val), "p": float(p), "significant": bool(sig), "n": int(y.size)}
    if kind == "d_between":  # two measures on the same units (e.g. father vs mother of one household)
        x, y = get(st["x"]).astype(float), get(st["y"]).astype(float)
        ok = np.isfinite(x) & np.isfinite(y)
        x, y = x[ok], y[ok]
        if x.size < 4:
            return {"value": np.nan, "p": np.nan, "significant": False, "n": int(x.size)}
        sp = np.sqrt((x.var(ddof=1) + y.var(ddof=1)) / 2.0)
        val = (x.mean() - y.mean()) / sp if sp > 0 else np.nan
        p = float(stats.ttest_rel(x, y).pvalue)
        sig = p < ALPHA and ((val > 0) if direction == "+" else (val < 0) if direction == "-" else True)
        return {"value": float(val), "p": p, "significant": bool(sig), "n": int(x.size)}
    if kind == "proportion":
        v = get(st["var"])
        levels = st["equals"] if isinstance(st["equals"], list) else [st["equals"]]
        val = np.isin(v, levels).mean()
        return {"value": float(val), "p": np.nan, "significant": None, "n": int(v.size)}
    if kind == "any_proportion":  # period prevalence: positive at any of the measures (visits)
        names = st.get("vars")
        if not isinstance(names, list) or not names:
            raise StudyError(f"{study.name}.statistic.vars: a non-empty list of measure names is required")
        levels = st["equals"] if isinstance(st["equals"], list) else [st["equals"]]
        hit = np.any([np.isin(get(m), levels) for m in names], axis=0)
        return {"value": float(hit.mean()), "p": np.nan, "significant": None, "n": int(hit.size)}
    if kind == "conditional_proportion":  # e.g. persistence: positive on `var` among units positive on `given`
        levels = st["equals"] if isinstance(st["equals"], list) else [st["equals"]]
        given, v = np.isin(get(st["given"]), levels), np.isin(get(st["var"]), levels)
        val = float(v[given].mean()) if given.any() else np.nan
        return {"value": val, "p": np.nan, "significant": None, "n": int(given.sum())}
    if kind == "median_pct_change":  # Wilcoxon signed-rank test of the changes against 0
        v = get(st["var"]).astype(float)
        v = v[np.isfinite(v)]
        med = float(np.median(v)) if v.size else np.nan
        p = float(stats.wilcoxon(v).pvalue) if v.size > 5 and np.any(v != 0) else np.nan
        sig = p < ALPHA and ((med > 0) if direction == "+" else (med < 0) if direction == "-" else True)
        return {"value": med, "p": p, "significant": bool(sig), "n": int(v.size)}
    if kind == "paired":
        v = get(st["var"]).astype(float)
        t, p = stats.ttest_1samp(v, 0.0)
        sig = p < ALPHA and ((t > 0) if direction == "+" else (t < 0) if direction == "-" else True)
        return {"value": float(np.mean(v) / np.std(v, ddof=1)) if np.std(v) > 0 else np.nan, "p": float(p),
                "significant": bool(sig), "n": int(v.size)}
    if kind == "kappa":
        a, b = get(st["x"]), get(st["y"])
        return {"value": ms.cohen_kappa(a, b), "p": np.nan, "significant": None, "n": int(a.size)}
    raise StudyError(f"{study.name}.statistic.kind: {kind!r} is not allowed")


def _block(study: Study, n: int | None = None) -> tuple[int, float]:
    """(households simulated per replicate, n scale) for a non-vote study."""
    n_scale = 1.0 if n is None else n / max(study.n, 1)
    pool = float(study.spec["sample"].get("pool", 1.3))
    return int(math.ceil(study.n * n_scale * pool)) + 4, n_scale


def substudy_seed(seed: int, i: int) -> int:
    """Seed of the ``i``-th sub-study of a ``vote`` study."""
    return seed + 1009 * (i + 1)


def simulation_key(study: Study, replicates: int, seed: int, n: int | None = None) -> list[str]:
    """Keys of the simulated populations ``run_study`` needs (one, or one per sub-study).

    Two studies with equal keys simulate the identical population (same parameter overrides,
    visits, households and seed), so one simulation can serve both (see ``cache``).
    """
    if study.stat_kind == "vote":
        return [k for i, sub in enumerate(study.substudies)
                for k in simulation_key(sub, replicates, substudy_seed(seed, i), n)]
    block, _ = _block(study, n)
    return [json.dumps([study.spec.get("overrides", {}), study.spec["visits"], block * replicates, int(seed)],
                       sort_keys=True)]


def run_study(study: Study, replicates: int, seed: int, n: int | None = None, progress=None,
              cache: dict | None = None, threads: int = 1) -> list[dict]:
    """Run ``replicates`` fresh samples; one row per replicate (value, p, significant, n).

    ``n`` overrides the sample size (scales every count in proportion). For a ``vote`` study
    (M1) each replicate runs every sub-study once and the value is the number significant.
    ``cache`` (a dict, keyed by :func:`simulation_key`) keeps simulated populations so that
    studies of the same population (e.g. A1 and A2_*) share one simulation; the numbers are
    identical with or without it. ``threads``: threads per simulation (changes no number).
    """
    if study.stat_kind == "vote":
        sub_rows = []
        for i, sub in enumerate(study.substudies):
            sub_rows.append(run_study(sub, replicates, substudy_seed(seed, i), n, progress, cache, threads))
        rows = []
        for r in range(replicates):
            sig = [rs[r]["significant"] for rs in sub_rows]
            rows.append({"replicate": r, "value": float(sum(sig)), "p": np.nan,
                         "significant": bool(sum(sig) >= study.spec["statistic"].get("at_least", 7)),
                         "n": int(sum(rs[r]["n"] for rs in sub_rows))})
        return rows
    block, _ = _block(study, n)
    key = simulation_key(study, replicates, seed, n)[0]
    if cache is not None and key in cache:
        sim, data = cache[key]
    else:
        sim, data = simulate(study, block * replicates, seed, threads=threads)
        if cache is not None:
            cache[key] = (sim, data)
    return replicate_rows(study, data, replicates, seed, n, progress)


def replicate_rows(study: Study, data: dict, replicates: int, seed: int, n: int | None = None,
                   progress=None) -> list[dict]:
    """The statistic of each replicate from a simulated population's visit ``data``: replicate r
    samples its units from households [r x block, (r + 1) x block) (:func:`_units`, enrolment
    ``data["_enrolment"]``) and observes them with its own measurement stream."""
    block, n_scale = _block(study, n)
    rows = []
    for r in range(replicates):
        units = _units(study, data["_enrolment"], r, block, n_scale)
        rng = np.random.default_rng(np.random.SeedSequence([int(seed), STATISTIC_STREAM, r]))
        res = _statistic(study, data, units, rng)
        rows.append({"replicate": r, **res})
        if progress:
            progress(r)
    return rows


def summarise(study: Study, rows: list[dict]) -> dict:
    """Median and 90% range of the statistic over the replicates, P(significant) (NaN for a
    statistic without a significance test: proportion, kappa) and the published value."""
    v = np.array([r["value"] for r in rows], float)
    sig = np.array([bool(r["significant"]) for r in rows], bool)
    pub = study.published
    return {"study": study.name, "target": study.target, "statistic": study.stat_kind,
            "n": study.n, "replicates": len(rows),
            "median": float(np.nanmedian(v)) if np.isfinite(v).any() else np.nan,
            "q05": float(np.nanquantile(v, 0.05)) if np.isfinite(v).any() else np.nan,
            "q95": float(np.nanquantile(v, 0.95)) if np.isfinite(v).any() else np.nan,
            "p_significant": float(sig.mean()) if has_test(study.stat_kind) and rows else np.nan,
            "published": pub.get("value", pub.get("at_least", pub.get("at_most", np.nan))),
            "published_text": pub.get("text", ""),
            "confidence": pub.get("confidence", "")}


__all__ = ["Study", "StudyError", "load_study", "available_studies", "run_study", "summarise", "simulate", "advance_to",
           "simulation_key", "substudy_seed", "has_test", "NO_TEST_KINDS", "visit_rng", "visit_output", "replicate_rows",
           "visit_schedule", "months_to"]
