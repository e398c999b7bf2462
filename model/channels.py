"""Input channels: the only way an intervention acts on the engine.

An intervention (:mod:`model.interventions`) writes named input arrays; the engine reads each
one at a single, stated point of its step, before birth and after. No intervention writes an
engine-derived term (the day's cortisol target, the relaxation terms, an accumulator, a
hormone level): it says *what happens* (a dose, a stressor, a session of skin-to-skin contact)
and the engine's own rules say what that does.

Each channel is an array of the caregiver state (shape ``(H, K)``) or of the infant state
(``(H,)``), in :mod:`model.state`, zero unless a programme writes it. Programmes share a
channel additively (each adds its own contribution and takes back exactly that, see
``model.interventions._share``), so they compose.

Where the engine reads them (``Simulation.step`` runs in this order each hour):

1. interventions write channels (``apply``) and household events (below);
2. at hour 0, the day set-up (``Simulation._precompute_day``) reads the **daily** channels,
   before birth and after (before birth the engine steps once a day, so only daily channels act
   in pregnancy);
3. after birth, at the start of the hour, :func:`apply_hour_channels` applies the **hourly
   state** channels (contact sessions, acute stress) by their rules;
4. after birth, the compiled hour (:mod:`model.kernel`) reads the **hourly rule** channels,
   each inside the one rule it feeds.

Household events are not channels: who belongs to the household and who is there
(``cg.exists``, ``cg.present``, ``inf.with_family``, then ``Simulation.refresh_availability``),
and grief (``cg.loneliness``) are state that an event (a loss, an absence, a neonatal stay)
changes once; the engine's daily rules take it from there.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from bonding.model import behaviour as bh


@dataclass(frozen=True)
class Channel:
    """Declaration of one input channel."""

    name: str  # field of the owner's state dataclass
    owner: str  # "caregiver" (cg, shape (H, K)) or "infant" (inf, shape (H,))
    unit: str
    meaning: str
    cadence: str  # "daily" (read at the day set-up) or "hourly"
    read_at: str  # where the engine reads it
    writers: tuple[str, ...]  # intervention types that write it


CHANNELS: dict[str, Channel] = {c.name: c for c in (
    Channel("extra_stress", "caregiver", "fraction of mean cortisol",
            "chronic cortisol excess added by an external stressor or cumulative risk",
            "daily", "Simulation._precompute_day: added to the chronic cortisol target (before birth the "
            "day's cortisol excess, after birth the target of the hourly relaxation)",
            ("external_stressor", "clustered_risk")),
    Channel("acute_stress", "caregiver", "fraction of mean cortisol",
            "acute cortisol excess added this hour (e.g. a dose felt as stressful, I8)",
            "hourly", "apply_hour_channels: added to the cortisol excess at the start of the hour",
            ("intranasal_ot",)),
    Channel("contact_session", "caregiver", "hour (0-1)",
            "share of this hour spent in a skin-to-skin session with the infant",
            "hourly", "apply_hour_channels -> contact_session_effects at the start of the hour",
            ("skin_to_skin",)),
    Channel("exogenous_ot", "caregiver", "central OT index",
            "rise of the caregiver's central OT target this hour (a dose, a session's release)",
            "hourly", "kernel process 4 (_interaction_effects): central OT relaxation target",
            ("intranasal_ot", "skin_to_skin")),
    Channel("exogenous_ot_plasma", "caregiver", "pg/ml",
            "rise of the caregiver's hour-mean plasma OT this hour",
            "hourly", "kernel process 4 (_interaction_effects): added to the hour's plasma OT",
            ("intranasal_ot", "skin_to_skin")),
    Channel("sensitivity_boost", "caregiver", "logit",
            "attunement added by a programme (coaching) or removed (I8 blocked OT gain)",
            "hourly", "kernel process 2 (_detect): attunement_hourly",
            ("sensitivity_coaching", "intranasal_ot")),
    Channel("infant_staff_care", "infant", "hour (0-1)",
            "this hour the infant is cared for by staff (fed and settled, not held), e.g. in neonatal care",
            "hourly", "apply_hour_channels -> staff_care_effects at the start of the hour",
            ("nicu_separation",)),
    Channel("infant_exogenous_ot", "infant", "central OT index",
            "rise of the infant's central OT target this hour (a session's release)",
            "hourly", "kernel process 4 (_interaction_effects): the infant's central_ot_step",
            ("skin_to_skin",)),
)}

# the infant's channel is stored under its own name in model.state.Infants
INFANT_FIELD = {"infant_exogenous_ot": "exogenous_ot", "infant_staff_care": "staff_care"}

# an infant this hungry is fed when someone feeds on demand: the kernel's hungry-cry threshold
HUNGRY = bh.HUNGRY


def channel_array(sim, name: str) -> np.ndarray:
    """The array of channel ``name`` in a simulation's state (written in place)."""
    c = CHANNELS[name]
    owner = sim.cg if c.owner == "caregiver" else sim.inf
    return getattr(owner, INFANT_FIELD.get(name, name))


def unread_before_birth(sim) -> list[str]:
    """Hourly channels holding a value before birth, when the engine cannot read them (empty if none).

    Before birth the engine steps once a day and reads only the daily channels; an hourly
    channel written then would act on nothing, so the engine refuses it instead of ignoring it.
    """
    return [name for name, c in CHANNELS.items() if c.cadence == "hourly" and channel_array(sim, name).any()]


def apply_hour_channels(cg, inf, p) -> None:
    """The engine's start-of-hour read of the hourly state channels (after birth), in place.

    ``acute_stress`` adds to the cortisol excess; ``contact_session`` applies
    :func:`contact_session_effects`; ``infant_staff_care`` applies :func:`staff_care_effects`.
    """
    cg.cortisol_excess += cg.acute_stress
    if cg.contact_session.any():
        contact_session_effects(cg, inf, cg.contact_session, p.contact_buffering)
    if inf.staff_care.any():
        staff_care_effects(inf, inf.staff_care > 0)


def contact_session_effects(cg, inf, session, contact_buffering) -> None:
    """What an hour of skin-to-skin contact with caregiver ``k`` does, in place.

    ``session`` (H, K): share of the hour in contact (0-1). The hour counts as affectionate touch
    and hands-on care of that caregiver (so it feeds OT-tone plasticity and fathers'
    testosterone decline) and as time the infant spends with them (``familiarity``). An infant
    held meets its need for contact (``contact_need = 0``), and each session removes
    ``contact_buffering`` of the infant's positive cortisol excess (social buffering):
    ``excess <- excess - s * contact_buffering * max(excess, 0)`` per caregiver in slot order.
    Sources: I10 (Vittner et al. 2018: infant cortisol down during a 60-min session), I12.
    The OT released in the session comes through ``exogenous_ot`` / ``infant_exogenous_ot``.
    """
    cg.touch_hours_today += session
    cg.care_hours_today += session
    inf.familiarity += session
    for k in range(session.shape[1]):
        s = session[:, k]
        if not s.any():
            continue
        inf.contact_need = np.where(s > 0, 0.0, inf.contact_need)
        excess = np.maximum(inf.cortisol_excess, 0.0)
        inf.cortisol_excess = inf.cortisol_excess - s * contact_buffering * excess


def staff_care_effects(inf, cared) -> None:
    """An hour of staff care (``cared``, (H,) bool), in place: a hungry infant is fed and discomfort halves.

    ``hunger <- 0.1`` where ``hunger > HUNGRY``; ``discomfort <- 0.5 * discomfort``. The need for
    contact is not met (staff do not hold the infant). Sizes are assumptions (NICU routine care).
    """
    fed = cared & (inf.hunger > HUNGRY)
    inf.hunger = np.where(fed, 0.1, inf.hunger)
    inf.discomfort = np.where(cared, 0.5 * inf.discomfort, inf.discomfort)


__all__ = ["CHANNELS", "Channel", "HUNGRY", "apply_hour_channels", "channel_array", "contact_session_effects",
           "staff_care_effects", "unread_before_birth"]
