"""The seven measurements of issue 14 (the model's causal structure), one resumable command.

``python -m bonding.experiments.findings --households 3000 --months 13 --seeds 11,12,13 --out DIR``

Each seed runs the same households (common random numbers) under the baseline and the
programme and stressor variants below, observes them as the virtual lab would, and writes
``DIR/seed-<S>.json`` atomically (a resumed folder skips finished seeds). ``DIR/findings.json``
holds every measure per seed and its mean; ``DIR/findings.md`` is the table. "Latent" is the
model's own value; "observed" goes through the lab's rating (ICC) and coder (kappa).

1. **Sources of security**: sensitivity-security point-biserial r by role, latent and observed
   (A6-A8); A/B/C/D shares and how insecurity splits; the share of the autonomous-state ->
   security association carried by sensitivity (product of paths / total effect).
2. **Sources of disorganisation**: r(unresolved mother, D), P(D | unresolved) and P(D | not),
   the share of D infants whose mother is unresolved.
3. **Peripheral OT**: r of the true resting plasma OT (today's set-point) with sensitivity,
   affectionate touch, synchrony and bond; first-trimester plasma vs the 1-month caregiving
   composite (M2); husband-wife plasma r (M9); basal central-plasma r (PH5).
4. **Programmes**: skin-to-skin, intranasal OT for fathers, intranasal OT for depressed
   mothers, against the baseline (or ``postpartum_depression``) at the same seed.
5. **Stress buffering**: the share of a stressor's cortisol rise that OT buffering removes
   (an external stressor, and the household's chronic stress), and single vs partnered mothers.
6. **Depression**: point prevalence at visits, ever-depressed, couple correlation.
7. **Stress reactivity in the lab**: infant cortisol rise to a routine stressor at 2 and 12
   months (PH15); an adult acute stressor with and without support and IN-OT.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
from bonding.experiments.cliutil import OneLineParser, bounded_float, bounded_int
from bonding.experiments.provenance import (
    atomic_write_bytes,
    atomic_write_json,
    check_run_folder,
    code_version,
    readable_json,
    start_run_folder,
)
from bonding.model.params import ParameterError, ParamSet
from bonding.model.state import AAI_NAMES, DAYS_PER_MONTH, FATHER, MOTHER, PRENATAL_DAYS

KIND = "findings"
VISIT_MONTHS = (1.5, 3.0, 6.0)  # depression screening visits (PH16 / P9 designs)
FIRST_TRIMESTER_DAY = 14  # simulation day (week 12 of gestation; the run starts at week 10)
STRESSOR = dict(month=1.0, days=120, intensity=0.5, coverage=1.0)  # the external stressor of finding 5
PROGRAMMES = ("skin_to_skin", "intranasal_ot_father", "postpartum_depression", "intranasal_ot_depressed_mother")


# ------------------------------------------------------------------ statistics
def pearson(x, y) -> float:
    """Pearson r over pairs where both are finite; NaN if either has no variance."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    ok = np.isfinite(x) & np.isfinite(y)
    if ok.sum() < 3 or x[ok].std() == 0 or y[ok].std() == 0:
        return float("nan")
    return float(np.corrcoef(x[ok], y[ok])[0, 1])


def slope(y, *xs) -> np.ndarray:
    """OLS coefficients of ``y`` on ``xs`` (intercept dropped)."""
    X = np.column_stack([np.ones(len(y)), *xs])
    return np.linalg.lstsq(X, np.asarray(y, float), rcond=None)[0][1:]


def mediated_share(x, m, y) -> float:
    """Share of the x -> y association carried by m: a*b / c (Baron-Kenny product of paths)."""
    x, m, y = (np.asarray(v, float) for v in (x, m, y))
    ok = np.isfinite(x) & np.isfinite(m) & np.isfinite(y)
    x, m, y = x[ok], m[ok], y[ok]
    if x.std() == 0:
        return float("nan")
    a = slope(m, x)[0]
    b = slope(y, m, x)[0]
    c = slope(y, x)[0]
    return float(a * b / c) if c != 0 else float("nan")


def cohen_d(a, b) -> float:
    """Standardised mean difference (a - b) / pooled SD."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    a, b = a[np.isfinite(a)], b[np.isfinite(b)]
    sd = np.sqrt((a.var(ddof=1) + b.var(ddof=1)) / 2)
    return float((a.mean() - b.mean()) / sd) if sd > 0 else float("nan")


# ------------------------------------------------------------------ one simulated population
class _Observed:
    """Observers that take the lab's snapshots during a run (days fixed before the run)."""

    def __init__(self, sim, lab_seed: int):
        from bonding.model.outcomes import dyad_outcomes

        self.sim, self.rows, self.rng = sim, {}, np.random.default_rng(lab_seed)
        self._dyad_outcomes = dyad_outcomes
        self.at: dict[int, list] = {}
        self._add(FIRST_TRIMESTER_DAY + 1, self.first_trimester)
        self._add(self.day_of(1.0), self.one_month)
        self._add(self.day_of(2.0), lambda s: self.infant_stressor(s, "stressor_2mo"))
        self._add(self.day_of(3.0), self.adult_stressor)
        for m in VISIT_MONTHS:
            self._add(self.day_of(m), lambda s, m=m: self.depression_visit(s, m))
        self._add(self.day_of(12.0), self.twelve_months)
        sim.observers.append(self)

    @staticmethod
    def day_of(months: float) -> int:
        return PRENATAL_DAYS + int(round(months * DAYS_PER_MONTH))

    def _add(self, day, fn):
        self.at.setdefault(day, []).append(fn)

    def __call__(self, sim):
        for fn in self.at.get(sim.day, ()):
            fn(sim)

    def first_trimester(self, sim):
        self.rows["plasma_t1"] = sim.cg.ot_plasma_setpoint_now[:, MOTHER].copy()

    def one_month(self, sim):
        o = self._dyad_outcomes(sim)
        self.rows["month1"] = {k: np.asarray(o[k]) for k in ("household", "role", "gaze", "affectionate_touch",
                                                            "vocalisation")}

    def depression_visit(self, sim, months):
        self.rows[f"depressed_{months:g}"] = np.where(sim.cg.exists[:, :2], sim.cg.depressed[:, :2], np.nan)

    def infant_stressor(self, sim, key):
        from bonding.experiments.lab.stress import infant_stressor

        res = infant_stressor(sim, self.rng)
        self.rows[key] = res["infant_cortisol_pct"][:, MOTHER].copy()

    def adult_stressor(self, sim):
        from bonding.experiments.lab.stress import acute_social_stressor

        for support in (False, True):
            for dose in (0.0, 1.0):
                res = acute_social_stressor(sim, self.rng, support=support, dose=dose)
                change = res["cortisol_post"] - res["cortisol_pre"]
                self.rows[f"tsst_support{int(support)}_dose{dose:g}"] = change[:, MOTHER].copy()

    def twelve_months(self, sim):
        from bonding.experiments.lab.ssp import strange_situation

        self.rows["ssp"] = strange_situation(sim, self.rng)
        self.infant_stressor(sim, "stressor_12mo")


def simulate(scenario: str, households: int, months: float, seed: int, overrides=None, observe=True,
             interventions=()):
    """Run one population; returns (outcomes DataFrame, observations, sim)."""
    import pandas as pd
    from bonding.experiments.scenarios import load_scenario
    from bonding.model.outcomes import dyad_outcomes
    from bonding.model.simulation import Simulation

    sc = load_scenario(scenario).with_overrides(overrides or {})
    sim = Simulation(ParamSet.uniform(households, sc.params), months, seed,
                     sc.build_interventions() + list(interventions))
    obs = _Observed(sim, seed + 7919) if observe else None
    while not sim.done:
        sim.step_day()
    return pd.DataFrame(dyad_outcomes(sim)), (obs.rows if obs else {}), sim


# ------------------------------------------------------------------ the seven findings
def _role(df, role):
    return df[df["role"] == role]


def security(df, ssp, rng) -> dict:
    """Finding 1: sensitivity-security r by role (latent, observed), class shares, mediation."""
    from bonding.experiments.lab.measures import code_classes, rating

    out = {}
    att = np.asarray(ssp["attachment"], dtype=object)
    for role in ("mother", "father"):
        sel = (df["role"] == role).to_numpy()
        sens = df.loc[sel, "sensitivity"].to_numpy(float)
        cls = att[sel]
        secure = (cls == "B").astype(float)
        coded = (code_classes(cls, rng) == "B").astype(float)
        out[f"{role}_r_latent"] = pearson(sens, secure)
        ok = np.isfinite(sens)
        rated = np.full(sens.shape, np.nan)
        rated[ok] = rating(sens[ok], rng)
        out[f"{role}_r_observed"] = pearson(rated, coded)
        for c in "ABCD":
            out[f"{role}_share_{c}"] = float(np.mean(cls == c))
        insecure = cls != "B"
        for c in "ACD":
            out[f"{role}_insecure_as_{c}"] = float(np.mean(cls[insecure] == c)) if insecure.any() else float("nan")
        autonomous = (df.loc[sel, "caregiver_attachment"].to_numpy() == AAI_NAMES[0]).astype(float)
        out[f"{role}_aai_security_r"] = pearson(autonomous, secure)
        out[f"{role}_share_via_sensitivity"] = mediated_share(autonomous, sens, secure)
    return out


def disorganisation(df, ssp) -> dict:
    """Finding 2: how much D depends on an unresolved mother."""
    sel = (df["role"] == "mother").to_numpy()
    d = np.asarray(ssp["attachment"], dtype=object)[sel] == "D"
    u = df.loc[sel, "caregiver_unresolved"].to_numpy().astype(bool)
    return {"mother_share_D": float(d.mean()), "r_unresolved_D": pearson(u, d),
            "p_D_given_unresolved": float(d[u].mean()) if u.any() else float("nan"),
            "p_D_given_resolved": float(d[~u].mean()) if (~u).any() else float("nan"),
            "share_D_with_unresolved_mother": float(u[d].mean()) if d.any() else float("nan")}


def peripheral_ot(df, sim, rows) -> dict:
    """Finding 3: can resting plasma OT relate to behaviour, and within couples."""
    out = {}
    hh = df["household"].to_numpy()
    slot = np.where(df["role"].to_numpy() == "mother", MOTHER, np.where(df["role"].to_numpy() == "father", FATHER, -1))
    for role, s in (("mother", MOTHER), ("father", FATHER)):
        sel = slot == s
        plasma = np.log(sim.cg.ot_plasma_setpoint_now[hh[sel], s])
        for col in ("sensitivity", "affectionate_touch", "synchrony", "bond"):
            out[f"{role}_plasma_r_{col}"] = pearson(plasma, df.loc[sel, col].to_numpy(float))
        out[f"{role}_central_plasma_r"] = pearson(plasma, np.log(sim.cg.ot_tone[hh[sel], s]))
    both = sim.cg.exists[:, MOTHER] & sim.cg.exists[:, FATHER]
    out["couple_plasma_r"] = pearson(np.log(sim.cg.ot_plasma_setpoint_now[both, MOTHER]),
                                     np.log(sim.cg.ot_plasma_setpoint_now[both, FATHER]))
    m1 = rows.get("month1")
    if m1 is not None and "plasma_t1" in rows:
        mum = m1["role"] == "mother"
        z = [(v - np.nanmean(v)) / np.nanstd(v) for v in
             (m1[k][mum].astype(float) for k in ("gaze", "affectionate_touch", "vocalisation"))]
        composite = np.mean(z, axis=0)
        out["first_trimester_plasma_r_composite"] = pearson(np.log(rows["plasma_t1"][m1["household"][mum]]),
                                                            composite)
    return out


def _infant_series(sim, name, months_from, months_to):
    from bonding.model.recorder import INFANT_SERIES

    a = PRENATAL_DAYS + int(round(months_from * DAYS_PER_MONTH))
    b = PRENATAL_DAYS + int(round(months_to * DAYS_PER_MONTH))
    return float(np.nanmean(sim.recorder.infant[a:b, INFANT_SERIES.index(name)]))


def programme_effects(base, variants) -> dict:
    """Finding 4: each programme against its comparison run at the same seed."""
    out = {}
    pairs = {"skin_to_skin": "baseline", "intranasal_ot_father": "baseline",
             "intranasal_ot_depressed_mother": "postpartum_depression"}
    runs = {"baseline": base, **variants}
    for prog, ref in pairs.items():
        (dp, rp, sp), (dr, rr, sr) = runs[prog], runs[ref]
        for role in ("mother", "father"):
            out[f"{prog}_{role}_sensitivity_d"] = cohen_d(_role(dp, role)["sensitivity"], _role(dr, role)["sensitivity"])
            out[f"{prog}_{role}_bond_d"] = cohen_d(_role(dp, role)["bond"], _role(dr, role)["bond"])
        for label, (a, b) in (("month1", (0.0, 1.0)), ("month12", (11.0, 12.0))):
            for series in ("infant_cortisol", "infant_ot"):
                out[f"{prog}_{series}_{label}_pct"] = 100 * (_infant_series(sp, series, a, b)
                                                             / _infant_series(sr, series, a, b) - 1)
        out[f"{prog}_breastfeeding_end_diff"] = float(sp.hh.breastfeeding.mean() - sr.hh.breastfeeding.mean())
        if "ssp" in rp and "ssp" in rr:
            for role in ("mother", "father"):
                secure = [float(np.mean(np.asarray(r["ssp"]["attachment"], dtype=object)[(d["role"] == role).to_numpy()] == "B"))
                          for d, r in ((dp, rp), (dr, rr))]
                out[f"{prog}_{role}_secure_diff"] = secure[0] - secure[1]
    return out


def buffering(runs) -> dict:
    """Finding 5: the share of each stressor's cortisol rise that OT buffering removes."""
    out = {}
    mean = {k: {r: float(_role(df, r)["cortisol_mean"].mean()) for r in ("mother", "father")}
            for k, (df, _, _) in runs.items()}
    for role in ("mother", "father"):
        rise_on = mean["stressor"][role] - mean["baseline"][role]
        rise_off = mean["stressor_nobuffer"][role] - mean["nobuffer"][role]
        out[f"{role}_external_stressor_rise_buffered"] = rise_on
        out[f"{role}_external_stressor_rise_unbuffered"] = rise_off
        out[f"{role}_external_stressor_share_buffered"] = 1 - rise_on / rise_off if rise_off else float("nan")
        out[f"{role}_cortisol_buffering_share"] = 1 - mean["baseline"][role] / mean["nobuffer"][role]
    df, _, sim = runs["baseline"]
    mum = _role(df, "mother")
    partnered = sim.cg.exists[mum["household"].to_numpy(), FATHER]
    out["single_minus_partnered_mother_cortisol"] = float(mum.loc[~partnered, "cortisol_mean"].mean()
                                                          - mum.loc[partnered, "cortisol_mean"].mean())
    return out


def depression(df, rows, sim) -> dict:
    """Finding 6: depression as studies measure it (the model's latent 'depressed' state)."""
    out = {}
    for m in VISIT_MONTHS:
        a = rows.get(f"depressed_{m:g}")
        if a is not None:
            out[f"mother_point_prevalence_{m:g}mo"] = float(np.nanmean(a[:, 0]))
            out[f"father_point_prevalence_{m:g}mo"] = float(np.nanmean(a[:, 1]))
    for role in ("mother", "father"):
        out[f"{role}_ever_depressed"] = float(_role(df, role)["caregiver_depressed"].astype(float).mean())
    both = sim.cg.exists[:, MOTHER] & sim.cg.exists[:, FATHER]
    out["couple_r_ever"] = pearson(sim.cg.ever_depressed[both, MOTHER], sim.cg.ever_depressed[both, FATHER])
    a = rows.get("depressed_3")
    if a is not None:
        ok = np.isfinite(a[:, 0]) & np.isfinite(a[:, 1])
        out["couple_r_3mo"] = pearson(a[ok, 0], a[ok, 1])
    return out


def stress_lab(rows) -> dict:
    """Finding 7: infant reactivity across age (PH15) and the adult stressor's 2 x 2."""
    out = {f"infant_cortisol_pct_{k[9:]}": float(np.nanmean(rows[k])) for k in ("stressor_2mo", "stressor_12mo")
           if rows.get(k) is not None}
    for k, v in rows.items():
        if k.startswith("tsst_"):
            out[f"mother_{k}_cortisol_change"] = float(np.nanmean(v))
    return out


def measure_seed(households: int, months: float, seed: int, programme_households: int) -> dict:
    """Every finding for one seed."""
    from bonding.model.interventions import ExternalStressor

    rng = np.random.default_rng(seed + 104729)
    df, rows, sim = simulate("baseline", households, months, seed)
    result = {"security": security(df, rows["ssp"], rng), "disorganisation": disorganisation(df, rows["ssp"]),
              "peripheral_ot": peripheral_ot(df, sim, rows), "depression": depression(df, rows, sim),
              "stress_lab": stress_lab(rows)}
    small = programme_households
    base_small = simulate("baseline", small, months, seed) if small != households else (df, rows, sim)
    variants = {name: simulate(name, small, months, seed) for name in PROGRAMMES}
    result["programmes"] = programme_effects(base_small, variants)
    nobuf = {"ot_stress_buffering": 0.0}
    runs = {"baseline": base_small, "nobuffer": simulate("baseline", small, months, seed, nobuf, observe=False),
            "stressor": simulate("baseline", small, months, seed, observe=False,
                                 interventions=[ExternalStressor(**STRESSOR)]),
            "stressor_nobuffer": simulate("baseline", small, months, seed, nobuf, observe=False,
                                          interventions=[ExternalStressor(**STRESSOR)])}
    result["buffering"] = buffering(runs)
    return result


# ------------------------------------------------------------------ folder, table, command line
def _mean_over_seeds(per_seed: dict[int, dict]) -> dict:
    seeds = sorted(per_seed)
    first = per_seed[seeds[0]]
    return {group: {k: float(np.nanmean([per_seed[s][group].get(k, np.nan) for s in seeds])) for k in first[group]}
            for group in first}


def markdown(config: dict, mean: dict, per_seed: dict) -> str:
    seeds = sorted(per_seed)
    lines = [f"# Issue-14 findings at code version {config['code_version']}", "",
             f"`python -m bonding.experiments.findings --households {config['households']} --months {config['months']:g} "
             f"--seeds {','.join(map(str, seeds))} --programme-households {config['programme_households']}`", "",
             "| finding | measure | mean | " + " | ".join(f"seed {s}" for s in seeds) + " |",
             "|---|---|---:|" + "---:|" * len(seeds)]
    for group, values in mean.items():
        for k, v in values.items():
            cells = " | ".join(f"{per_seed[s][group].get(k, float('nan')):.3f}" for s in seeds)
            lines.append(f"| {group} | {k} | {v:.3f} | {cells} |")
    return "\n".join(lines) + "\n"


def _mismatch(old: dict, new: dict) -> str | None:
    keys = ("households", "months", "seeds", "programme_households")
    diff = [k for k in keys if old.get(k) != new.get(k)]
    return f"findings with other settings ({', '.join(diff)})" if diff else None


def run_findings(out: Path, households: int, months: float, seeds: list[int], programme_households: int,
                 log=print) -> dict:
    config = {"households": households, "months": months, "seeds": seeds,
              "programme_households": programme_households}
    check_run_folder(out, KIND, "findings", config, _mismatch)
    start_run_folder(out, {"kind": KIND, "config": config, "code_version": code_version()})
    per_seed = {}
    for seed in seeds:
        path = out / f"seed-{seed}.json"
        done = readable_json(path)
        if done is None:
            t0 = time.perf_counter()
            done = measure_seed(households, months, seed, programme_households)
            atomic_write_json(path, done)
            log(f"seed {seed}: {time.perf_counter() - t0:.0f} s")
        per_seed[seed] = done
    mean = _mean_over_seeds(per_seed)
    atomic_write_json(out / "findings.json", {"config": config, "mean": mean,
                                              "per_seed": {str(s): v for s, v in per_seed.items()}})
    atomic_write_bytes(out / "findings.md", markdown({**config, "code_version": code_version()}, mean,
                                                     per_seed).encode())
    atomic_write_json(out / "manifest.json", {**readable_json(out / "manifest.json"), "status": "done"})
    return mean


def _seeds(text: str) -> list[int]:
    try:
        seeds = [int(s) for s in text.split(",") if s.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"--seeds: {text!r} is not a comma-separated list of whole numbers") from None
    if not seeds or min(seeds) < 0 or len(set(seeds)) != len(seeds):
        raise argparse.ArgumentTypeError(f"--seeds: {text!r} must name distinct seeds >= 0")
    return seeds


def main(argv=None) -> int:
    p = OneLineParser(prog="python -m bonding.experiments.findings", description=__doc__.splitlines()[0])
    p.add_argument("--households", type=bounded_int("--households", 50, 200_000), default=3000)
    p.add_argument("--programme-households", type=bounded_int("--programme-households", 50, 200_000), default=None,
                   help="households of the programme and stressor runs (default: --households)")
    p.add_argument("--months", type=bounded_float("--months", 12.0, 36.0), default=13.0)
    p.add_argument("--seeds", type=_seeds, default=[11, 12, 13])
    p.add_argument("--out", required=True)
    args = p.parse_args(argv)
    try:
        mean = run_findings(Path(args.out), args.households, args.months, args.seeds,
                            args.programme_households or args.households)
    except ParameterError as exc:
        print(f"findings: error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(mean, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
