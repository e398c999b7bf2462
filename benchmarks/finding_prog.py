"""Issue 14, finding 4 (programmes' lasting pathways): measure skin-to-skin and intranasal OT.

Runs baseline, skin_to_skin, intranasal_ot_father, postpartum_depression and
intranasal_ot_depressed_mother with one seed (common random numbers) and prints, per scenario:
infant cortisol and OT (day means) in the week after 1 month and before 12 months, the mothers'
and fathers' bond at 13 months, breastfeeding at 1, 2, 3, 4 and 6 months, the 12-month SSP
secure share (mother), and, for intranasal doses, the share of dose hours the recipient is with
the infant, infant OT and father engagement (care hours) on dose days, and per dose hour the
infant's OT and the recipient's responses and sensitive responses, against a placebo run (the
same programme with dose 0: same schedule, same random numbers), and the mothers' daily
sensitivity in the dose window.

    nice .venv/bin/python benchmarks/finding_prog.py --households 1000 --seeds 11 12 13

Not a test (1,000-3,000 households, 13 months; minutes per scenario).
"""

from __future__ import annotations

import argparse
import json

import numpy as np
from bonding.experiments.run import _attach_hooks
from bonding.experiments.scenarios import load_scenario
from bonding.model.bonding_model import BondingModel
from bonding.model.params import ParamSet
from bonding.model.state import DAYS_PER_MONTH, FATHER, MOTHER, PRENATAL_DAYS

SCENARIOS = ("baseline", "skin_to_skin", "intranasal_ot_father", "postpartum_depression",
             "intranasal_ot_depressed_mother")
BF_MONTHS = (1, 2, 3, 4, 6)


def _day(month: float) -> int:
    return PRENATAL_DAYS + int(round(month * DAYS_PER_MONTH))


def _dose_active(iv, s, k: int) -> np.ndarray:
    """Households in whose recipient a dose acts this hour (works for clock-hour and with-infant dosing)."""
    if getattr(iv, "with_infant", 0) and hasattr(iv, "_start"):
        t = s.hour - iv._start
        return iv.targets & s.cg.exists[:, k] & (t >= 0) & (t < int(iv.duration_hours))
    return iv.targets & s.cg.exists[:, k] & s.cg.present[:, k] & (iv._effect(s) > 0)


def run(name: str, households: int, seed: int, months: float = 13.0, placebo: bool = False) -> dict:
    sc = load_scenario(name)
    model = BondingModel(households=households, months=months, params=ParamSet.uniform(households, sc.params),
                         interventions=sc.build_interventions(), rng=seed, agents=False)
    sim = model.sim
    extra = _attach_hooks(sim, months)
    daily = {"inf_cort": {}, "inf_ot": {}, "bf": {}, "sens_m": {}, "care_f": {}}
    dose = {"hours": 0, "with_infant": 0, "inf_ot": 0.0, "responses": 0.0, "sensitive": 0.0, "n": 0}
    for iv in sim.interventions:
        if iv.TYPE == "intranasal_ot":
            k = {"mother": MOTHER, "father": FATHER}[iv.role]
            if placebo:
                iv.dose, iv.plasma_rise = 0.0, 0.0
            orig = iv.apply
            prev = {"active": None, "resp": None, "sens": None}

            def wrapped(s, orig=orig, k=k, iv=iv, prev=prev):
                orig(s)
                resp, sens = s.counters["n_responses"][:, k].copy(), s.counters["n_sensitive"][:, k].copy()
                if prev["active"] is not None and prev["active"].any():  # the hour just run was a dose hour
                    a = prev["active"]
                    dose["inf_ot"] += float(s.inf.ot[a].sum())
                    dose["responses"] += float((resp - prev["resp"])[a].sum())
                    dose["sensitive"] += float((sens - prev["sens"])[a].sum())
                    dose["n"] += int(a.sum())
                active = _dose_active(iv, s, k)
                if active.any():
                    dose["hours"] += int(active.sum())
                    dose["with_infant"] += int((active & s.hh.available[s.hod][:, k]).sum())
                prev.update(active=active, resp=resp, sens=sens)
            iv.apply = wrapped

    def observer(s):
        d = s.day - 1  # the day just closed
        if d < PRENATAL_DAYS:
            return
        daily["inf_cort"][d] = float(np.mean(s.inf.cortisol_sum_today / 24.0))
        daily["inf_ot"][d] = float(np.mean(s.inf.ot_sum_today / 24.0))
        daily["bf"][d] = float(np.mean(s.hh.breastfeeding))
        daily["sens_m"][d] = float(np.mean(s.today_sensitivity[:, MOTHER]))
        ex = s.cg.exists[:, FATHER]
        daily["care_f"][d] = float(np.mean(s.cg.care_hours_today[ex, FATHER]))
    sim.observers.insert(0, observer)
    while model.running:
        model.step_day()
    from bonding.model.outcomes import dyad_outcomes
    out = dyad_outcomes(sim)
    for cols in extra:
        out.update({k: v for k, v in cols.items() if k not in ("household", "role")})
    role = out["role"]

    def win(series, a, b):
        return float(np.mean([series[d] for d in range(_day(a), _day(b)) if d in series]))

    r = {"inf_cort_1m": win(daily["inf_cort"], 1.0, 1.25), "inf_cort_12m": win(daily["inf_cort"], 11.75, 12.0),
         "inf_ot_1m": win(daily["inf_ot"], 1.0, 1.25), "inf_ot_12m": win(daily["inf_ot"], 11.75, 12.0),
         "inf_cort_2wk": win(daily["inf_cort"], 0.0, 0.47), "inf_ot_2wk": win(daily["inf_ot"], 0.0, 0.47),
         "bond_m": float(np.mean(out["bond"][role == "mother"])),
         "bond_f": float(np.mean(out["bond"][role == "father"])),
         "secure_m": float(np.mean(out["ssp_attachment"][role == "mother"] == "B")),
         "secure_f": float(np.mean(out["ssp_attachment"][role == "father"] == "B")),
         "sensitivity_m": out["sensitivity"][role == "mother"].tolist()}
    for m in BF_MONTHS:
        r[f"bf_{m}m"] = daily["bf"][_day(m) - 1]
    r["dose_hours"] = dose["hours"]
    r["dose_with_infant"] = dose["with_infant"] / max(dose["hours"], 1)
    n = max(dose["n"], 1)  # per dose hour: infant OT at the end of the hour, the recipient's responses
    r["dose_inf_ot"], r["dose_responses"], r["dose_sensitive"] = (dose["inf_ot"] / n, dose["responses"] / n,
                                                                  dose["sensitive"] / n)
    for key, a, b in (("f5", 5.0, 5.0 + 7 / DAYS_PER_MONTH), ("m3", 3.0, 3.0 + 28 / DAYS_PER_MONTH)):
        r[f"inf_ot_{key}"] = win(daily["inf_ot"], a, b)
        r[f"care_f_{key}"] = win(daily["care_f"], a, b)
        r[f"sens_m_{key}"] = win(daily["sens_m"], a, b)
    return r


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--households", type=int, default=1000)
    ap.add_argument("--seeds", type=int, nargs="+", default=[11])
    ap.add_argument("--scenarios", nargs="+", default=list(SCENARIOS))
    ap.add_argument("--out", default=None)
    a = ap.parse_args()
    res = {}
    names = list(a.scenarios)
    names += [f"{n}:placebo" for n in a.scenarios if n.startswith("intranasal")]
    for name in names:
        base, _, tag = name.partition(":")
        res[name] = [run(base, a.households, s, placebo=tag == "placebo") for s in a.seeds]
        print(name, json.dumps({k: round(float(np.mean([x[k] for x in res[name]])), 4)
                                for k in res[name][0] if k != "sensitivity_m"}), flush=True)
    if "postpartum_depression" in res and "intranasal_ot_depressed_mother" in res:
        ds = []
        for x0, x1 in zip(res["postpartum_depression"], res["intranasal_ot_depressed_mother"], strict=True):
            a0, a1 = np.array(x0["sensitivity_m"]), np.array(x1["sensitivity_m"])
            ds.append((a1.mean() - a0.mean()) / np.sqrt((a0.var(ddof=1) + a1.var(ddof=1)) / 2))
        print("d(sensitivity mother, IN-OT depressed vs PPD) =", round(float(np.mean(ds)), 4))
    if a.out:
        with open(a.out, "w") as f:
            json.dump(res, f)


if __name__ == "__main__":
    main()
