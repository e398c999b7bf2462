"""One household drawn as people: what the class watches hour by hour.

Each member is a circle coloured by a chosen hormone on a fixed, labelled scale; a line joins
each caregiver to the infant, as thick as their bond; under each person, what they are doing in
the hour just simulated (crying, comforting or feeding, playing, away, asleep). Drawn as SVG text
(no figure library), so that it costs a millisecond and is redrawn at every step.

The state is read from the engine's arrays (:class:`model.simulation.Simulation`) of the hour
just simulated; the function only reads, under the model's lock taken by the caller.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

import numpy as np
from bonding.experiments.viz.dashboard_model import DashboardModel
from bonding.model.behaviour import DISTRESS_BID, SOCIAL_BID
from bonding.model.daily import is_night
from bonding.model.state import DAYCARE, MOTHER, RESPONSE_NAMES, ROLES


@dataclass(frozen=True)
class HormoneScale:
    label: str
    unit: str
    lo: float
    hi: float
    caregiver_field: str  # Caregivers array
    infant_field: str | None  # Infants array, or None (not modelled in infants)
    infant_lo: float = 0.0
    infant_hi: float = 1.0


#: Fixed colour ranges, so that a colour means the same level at every hour and in every run.
HORMONES: dict[str, HormoneScale] = {
    "oxytocin": HormoneScale("oxytocin", "pg/ml plasma; infant: index", 0.0, 30.0, "ot_plasma", "ot", 0.0, 2.0),
    "cortisol": HormoneScale("cortisol", "nmol/l; infant: nmol/l saliva", 0.0, 500.0, "cortisol", "cortisol", 0.0, 20.0),
    "testosterone": HormoneScale("testosterone", "nmol/l", 0.0, 25.0, "testosterone", None),
    "prolactin": HormoneScale("prolactin", "ng/ml", 0.0, 200.0, "prolactin", None),
}

POSITIONS = {"mother": (95, 45), "father": (405, 45), "grandparent": (65, 235), "sibling": (250, 300),
             "daycare": (435, 235), "infant": (250, 150)}
WIDTH, HEIGHT = 500, 395


def colour(fraction: float) -> str:
    """Pale yellow (low) to dark red (high) on a 0..1 fraction of the fixed range."""
    f = float(np.clip(fraction, 0.0, 1.0)) if np.isfinite(fraction) else 0.0
    lo, hi = np.array([255, 245, 200]), np.array([160, 20, 30])
    r, g, b = (lo + f * (hi - lo)).astype(int)
    return f"rgb({r},{g},{b})"


def caregiver_activity(model: DashboardModel, h: int, k: int) -> str:
    """What caregiver ``k`` of household ``h`` did in the hour just simulated."""
    sim = model.sim
    cg, inf = sim.cg, sim.inf
    hod = (sim.hod - 1) % 24
    if not cg.present[h, k] or (sim.hh.available is not None and not sim.hh.available[hod, h, k]):
        return "away"
    if int(inf.responder[h]) == k:
        quality = RESPONSE_NAMES[int(inf.response[h])]
        if int(inf.bid[h]) == DISTRESS_BID:
            feeding = k == MOTHER and bool(sim.hh.breastfeeding[h])
            return f"{'comforting or feeding' if feeding else 'comforting'} ({quality})"
        if int(inf.bid[h]) == SOCIAL_BID:
            return f"playing ({quality})"
        return f"with the infant ({quality})"
    if is_night(hod):  # the engine's sleep schedule (model.daily.is_night): asleep, can be woken
        return "asleep"
    return "at home"


def infant_activity(model: DashboardModel, h: int) -> str:
    """What the infant did in the hour just simulated."""
    sim = model.sim
    inf = sim.inf
    if not sim.born:
        return "not born yet"
    if not inf.with_family[h]:
        return "in neonatal care"
    if inf.asleep[h]:
        return "asleep"
    hod = (sim.hod - 1) % 24  # the hour just simulated; at daycare = its carer is the one available then
    at_daycare = sim.hh.available is not None and bool(sim.hh.available[hod, h, DAYCARE]) and sim.cg.exists[h, DAYCARE]
    where = " at daycare" if at_daycare else ""
    if int(inf.bid[h]) == DISTRESS_BID:
        return f"crying{where}"
    if int(inf.bid[h]) == SOCIAL_BID:
        return f"smiling, cooing{where}"
    return f"awake, calm{where}"


def household_people(model: DashboardModel, h: int, hormone: str) -> list[dict]:
    """One row per existing member: role, hormone level, its colour fraction, bond, activity."""
    sim, scale = model.sim, HORMONES[hormone]
    rows = []
    for k, role in enumerate(ROLES):
        if not sim.cg.exists[h, k]:
            continue
        level = float(getattr(sim.cg, scale.caregiver_field)[h, k])
        rows.append({"role": role, "level": level, "fraction": (level - scale.lo) / (scale.hi - scale.lo),
                     "bond": float(sim.cg.bond[h, k]), "activity": caregiver_activity(model, h, k),
                     "lost": not bool(sim.cg.present[h, k])})
    level = float(getattr(sim.inf, scale.infant_field)[h]) if scale.infant_field else float("nan")
    rows.append({"role": "infant", "level": level,
                 "fraction": (level - scale.infant_lo) / (scale.infant_hi - scale.infant_lo),
                 "bond": float("nan"), "activity": infant_activity(model, h), "lost": False})
    return rows


def household_svg(model: DashboardModel, h: int, hormone: str = "oxytocin") -> str:
    """The household as an SVG picture (a string)."""
    scale = HORMONES[hormone]
    people = household_people(model, h, hormone)
    x0, y0 = POSITIONS["infant"]
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" '
             f'style="max-width:{WIDTH}px;font-family:sans-serif" role="img" '
             f'aria-label="household {h}" data-household="{h}" data-hour="{model.sim.hour}">']
    for p in people:  # bonds first, under the people
        if p["role"] == "infant":
            continue
        x, y = POSITIONS[p["role"]]
        width = 1 + 9 * max(p["bond"], 0.0)
        dash = ' stroke-dasharray="6,5"' if p["activity"] == "away" else ""
        parts.append(f'<line x1="{x}" y1="{y}" x2="{x0}" y2="{y0}" stroke="#7a5" stroke-width="{width:.1f}"'
                     f' stroke-opacity="0.7"{dash}/>')
    for p in people:
        x, y = POSITIONS[p["role"]]
        r = 24 if p["role"] == "infant" else 30
        fill = "#ddd" if not np.isfinite(p["level"]) else colour(p["fraction"])
        level = "not modelled" if not np.isfinite(p["level"]) else f"{p['level']:.1f}"
        parts.append(f'<circle cx="{x}" cy="{y}" r="{r}" fill="{fill}" stroke="#333" stroke-width="1.5"'
                     f' data-role="{p["role"]}"><title>{escape(p["role"])}: {hormone} {level}</title></circle>')
        parts.append(f'<text x="{x}" y="{y + 4}" font-size="12" text-anchor="middle" font-weight="bold">'
                     f'{escape(p["role"])}</text>')
        parts.append(f'<text x="{x}" y="{y + r + 14}" font-size="11" text-anchor="middle">{hormone} {level}</text>')
        lines = [] if p["role"] == "infant" else [(f'bond {p["bond"]:.2f}', "#375")]
        lines.append((p["activity"], "#1a237e"))
        for n, (text, fill) in enumerate(lines):
            parts.append(f'<text x="{x}" y="{y + r + 27 + 13 * n}" font-size="11" text-anchor="middle" '
                         f'fill="{fill}">{escape(text)}</text>')
    parts.append(f'<text x="5" y="{HEIGHT - 6}" font-size="10" fill="#555">colour: {hormone} from '
                 f'{scale.lo:g} (pale) to {scale.hi:g} (dark) {escape(scale.unit.split(";")[0])}'
                 f'{"; infant " + f"{scale.infant_lo:g}-{scale.infant_hi:g}" if scale.infant_field else ""}'
                 f'; line width: bond (0-1)</text>')
    parts.append("</svg>")
    return "".join(parts)
