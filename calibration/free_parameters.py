"""Which declared parameters a field-scale calibration varies, and which it keeps, with why.

Every parameter of ``model.params.PARAMS`` is free unless it is listed in :data:`FIXED` (with
the reason) or cannot be varied continuously (a whole number, or no range). A parameter added to
the declaration later (issue 14's mechanisms) is therefore free by default: it has to be
excluded here, with a reason, to be held at its default.

Reasons for holding a parameter:

* ``physiology``: a measured kinetic constant or level (targets.md "most robust" list, item 6,
  and the PH rows): fitting it to behavioural targets would let it absorb structural error.
* ``population``: a property of the sample studied (household composition, employment and
  leave, breastfeeding, the adult-attachment distribution A11): a scenario's input, set by the
  population a study sampled, not a mechanism to fit.
"""

from __future__ import annotations

from bonding.model.params import PARAMS

FIXED: dict[str, tuple[str, str]] = {
    # physiology: measured kinetics and levels
    "ot_plasma_halflife": ("physiology", "PH1: plasma OT t1/2 1-6 min"),
    "ot_central_halflife": ("physiology", "PH2: CSF OT t1/2 19-28 min"),
    "ot_plasma_basal": ("physiology", "PH7: extracted-RIA basal level"),
    "suckling_pulses_per_10min": ("physiology", "PH10: ~5 pulses per 10 min"),
    "cortisol_halflife": ("physiology", "PH13: plasma cortisol t1/2 66 min"),
    "car_rise": ("physiology", "PH14: +50% in 30 min"),
    "p_car_responder": ("physiology", "PH14: ~75% responders"),
    "prolactin_lactating_6mo": ("physiology", "PH11: ~50 ng/ml at 6 mo"),
    "prolactin_suckling_fold": ("physiology", "PH11: suckling ~doubles PRL"),
    "estradiol_fold_pregnancy": ("physiology", "PH12: E2 ~50x"),
    "cortisol_mean": ("physiology", "adult plasma reference range (a unit of scale)"),
    "testosterone_mean": ("physiology", "adult male reference range (a unit of scale)"),
    "infant_cortisol_mean": ("physiology", "infant salivary reference range (a unit of scale)"),
    # population: the sample a study draws
    "p_father_present": ("population", "household composition"),
    "p_grandparent_coresident": ("population", "household composition"),
    "p_older_sibling": ("population", "household composition"),
    "p_daycare": ("population", "childcare use"),
    "daycare_start_month": ("population", "childcare use"),
    "maternal_leave_months": ("population", "leave policy"),
    "paternal_leave_months": ("population", "leave policy"),
    "p_mother_employed": ("population", "employment"),
    "p_breastfeeding_initiation": ("population", "PH17: breastfeeding initiation of the population"),
    "weaning_hazard_per_month": ("population", "PH17: breastfeeding duration of the population"),
    "poverty_stress": ("population", "the sample's adversity (a scenario input)"),
    "p_aai_dismissing": ("population", "A11: adult attachment distribution"),
    "p_aai_preoccupied": ("population", "A11: adult attachment distribution"),
    "p_unresolved": ("population", "A11: adult attachment distribution"),
}


def free_parameters() -> tuple[str, ...]:
    """Names of the free parameters, in declaration order."""
    return tuple(n for n, p in PARAMS.items() if n not in FIXED and not p.integer and p.lo < p.hi)


def excluded_parameters() -> dict[str, str]:
    """Every declared parameter held at its default, with the reason."""
    out = {}
    for n, p in PARAMS.items():
        if n in FIXED:
            kind, why = FIXED[n]
            out[n] = f"{kind}: {why}"
        elif p.integer:
            out[n] = "whole number (not varied continuously)"
        elif p.lo >= p.hi:
            out[n] = "no range"
    return out


def bounds(names) -> tuple[list[float], list[float]]:
    return [PARAMS[n].lo for n in names], [PARAMS[n].hi for n in names]


__all__ = ["FIXED", "free_parameters", "excluded_parameters", "bounds"]
