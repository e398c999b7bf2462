"""Interventions and events: programmes plug in through one small interface.

An intervention is an object with ``initialize(sim)`` (called once, before the first hour)
and ``apply(sim)`` (called at the start of every hour, before birth and after). It acts only
through the declared input channels of :mod:`model.channels` (``extra_stress``,
``acute_stress``, ``contact_session``, ``exogenous_ot``, ``exogenous_ot_plasma``,
``sensitivity_boost``, ``infant_exogenous_ot``), which the engine reads at one stated point
of its step, and through household events (who exists and is present, the infant's stay away
from the family, grief), so a new programme never edits the model and never writes a term the
engine derives. Each class names the channels it writes (``WRITES``) and declares its fields
with bounds and units (``FIELDS``) so that scenario files are validated exactly like model
parameters. Each acts from the time it names: a stressor or cumulative risk that starts in
pregnancy acts in pregnancy (through the daily channel ``extra_stress``).

Applies to a fraction ``coverage`` of households (by a threshold on a uniform from the
``interventions`` stream), so a scenario can treat a subgroup.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from bonding.model.params import Param, ParameterError
from bonding.model.state import DAYS_PER_MONTH, PRENATAL_DAYS, ROLES

ROLE_INDEX = {name: i for i, name in enumerate(ROLES)}


def _f(name, default, lo, hi, unit, meaning) -> Param:
    return Param(name, float(default), float(lo), float(hi), unit, "scenario", meaning, "intervention")


class Intervention:
    """Base class: subclasses set ``TYPE`` and ``FIELDS`` and override the two hooks."""

    TYPE = "intervention"
    FIELDS: dict[str, Param] = {}
    ROLE_FIELD = False  # whether the intervention takes a ``role`` (mother/father/...)
    WRITES: tuple[str, ...] = ()  # input channels (model.channels.CHANNELS) it writes
    EVENTS: tuple[str, ...] = ()  # household-event state it changes (see model.channels)
    HOURLY = True  # False: ``apply`` acts at hour 0 of a day only (Simulation.step_day then runs the day in blocks)

    def __init__(self, **kwargs):
        self.role = None
        for name, spec in self.FIELDS.items():
            setattr(self, name, spec.default)
        for key, value in kwargs.items():
            setattr(self, key, value)
        self.targets = None

    def initialize(self, sim) -> None:
        """Pick the treated households (``self.targets``, boolean (H,))."""
        u = sim.rng["interventions"].random(sim.H)
        self.targets = u < getattr(self, "coverage", 1.0)

    def apply(self, sim) -> None:  # pragma: no cover - overridden
        """Act on the state at the start of an hour."""

    @staticmethod
    def hour_of(month: float) -> int:
        """Simulation hour at which an infant age in months is reached."""
        return int(round((PRENATAL_DAYS + month * DAYS_PER_MONTH) * 24))

    def describe(self) -> dict:
        d = {"type": self.TYPE}
        if self.ROLE_FIELD:
            d["role"] = self.role
        d.update({k: getattr(self, k) for k in self.FIELDS})
        return d


COVERAGE = _f("coverage", 1.0, 0, 1, "fraction", "share of households that receive it")


class CaregiverLoss(Intervention):
    """Permanent loss of a caregiver at a given infant age, with grief in those left.

    The lost caregiver leaves the household; each remaining adult caregiver's loneliness jumps
    by ``grief_loneliness`` (a model parameter), which raises their cortisol and lowers their OT
    tone (Patin et al. 2018: loneliness in grief).
    """

    TYPE = "caregiver_loss"
    ROLE_FIELD = True
    EVENTS = ("cg.exists", "cg.present", "cg.loneliness", "hh.available")
    FIELDS = {"month": _f("month", 6, -6, 36, "month", "infant age at the loss (negative: in pregnancy)"),
              "coverage": COVERAGE}

    def apply(self, sim):
        if sim.hour != self.hour_of(self.month):
            return
        k = ROLE_INDEX[self.role]
        hit = self.targets & sim.cg.exists[:, k]
        sim.cg.present[hit, k] = False
        sim.cg.exists[hit, k] = False  # gone for good: no longer part of the household
        others = sim.cg.exists & hit[:, None]
        sim.cg.loneliness += others * sim.p.grief_loneliness[:, None]
        sim.refresh_availability()


class Absence(Intervention):
    """A caregiver is away (work travel, hospital, deployment) for a number of days."""

    TYPE = "absence"
    ROLE_FIELD = True
    EVENTS = ("cg.present", "hh.available")
    FIELDS = {"month": _f("month", 3, 0, 36, "month", "infant age when the absence starts"),
              "days": _f("days", 14, 1, 365, "day", "length of the absence"), "coverage": COVERAGE}

    def apply(self, sim):
        start = self.hour_of(self.month)
        if sim.hour not in (start, start + int(self.days * 24)):
            return
        k = ROLE_INDEX[self.role]
        away = sim.hour == start
        sim.cg.present[self.targets & sim.cg.exists[:, k], k] = not away
        sim.refresh_availability()


class ExternalStressor(Intervention):
    """An external stressor (job loss, illness, conflict) raising caregivers' chronic cortisol.

    From ``month`` (negative: in pregnancy) for ``days`` days, every existing caregiver of a
    treated household carries ``intensity`` of extra chronic cortisol excess (channel
    ``extra_stress``, read at each day's set-up, so it acts from the first day that starts in
    the window, before birth as after).
    """

    TYPE = "external_stressor"
    HOURLY = False  # acts at hour 0 only
    WRITES = ("extra_stress",)
    FIELDS = {"month": _f("month", 4, -6, 36, "month", "infant age when it starts (negative: in pregnancy)"),
              "days": _f("days", 60, 1, 720, "day", "duration"),
              "intensity": _f("intensity", 0.5, 0, 2, "fraction of mean cortisol", "added chronic excess"),
              "coverage": COVERAGE}

    def apply(self, sim):
        if sim.hod != 0:  # a daily channel: read at the day's set-up
            return
        start = self.hour_of(self.month)
        if start <= sim.hour < start + int(self.days * 24):
            _share(self, sim, "extra_stress", self.intensity * (self.targets[:, None] & sim.cg.exists))
        else:
            _share(self, sim, "extra_stress", None)


REGISTRY: dict[str, type[Intervention]] = {}


def register(cls: type[Intervention]) -> type[Intervention]:
    """Add an intervention class to the registry (usable as a decorator)."""
    REGISTRY[cls.TYPE] = cls
    return cls


for _cls in (CaregiverLoss, Absence, ExternalStressor):
    register(_cls)


def make_intervention(spec: Mapping[str, object], where: str = "") -> Intervention:
    """Build an intervention from a mapping ``{"type": ..., field: value, ...}``, validated.

    Errors are one line naming the field and the allowed range or values.
    """
    spec = dict(spec)
    kind = spec.pop("type", None)
    if kind not in REGISTRY:
        raise ParameterError(f"{where}type: {kind!r} is not an intervention (allowed: {', '.join(sorted(REGISTRY))})")
    cls = REGISTRY[kind]
    kwargs = {}
    if cls.ROLE_FIELD:
        role = spec.pop("role", None)
        if role not in ROLE_INDEX:
            raise ParameterError(f"{where}role: {role!r} is not a role (allowed: {', '.join(ROLES)})")
        kwargs["role"] = role
    for key, value in spec.items():
        if key not in cls.FIELDS:
            allowed = ", ".join(cls.FIELDS) or "none"
            raise ParameterError(f"{where}{key}: unknown field of {kind} (allowed: {allowed})")
        kwargs[key] = cls.FIELDS[key].check(value, f"{where}{key}")
    return cls(**kwargs)


__all__ = ["Intervention", "REGISTRY", "register", "make_intervention", "CaregiverLoss", "Absence",
           "ExternalStressor", "np"]


# ====================================================================== scenario library
# Programmes added for the scenario experiments (issue #4). Each acts only through state arrays
# and intervention channels. Shared channels (``exogenous_ot``, ``sensitivity_boost``) are
# written additively: every programme remembers what it added and takes back exactly that, so
# programmes compose (e.g. skin-to-skin contact and an intranasal dose in the same hour).

from bonding.model import behaviour as _bh  # noqa: E402
from bonding.model import daily as _daily  # noqa: E402
from bonding.model import physiology as _phys  # noqa: E402
from bonding.model.channels import channel_array  # noqa: E402
from bonding.model.state import FATHER as _FATHER  # noqa: E402
from bonding.model.state import MOTHER as _MOTHER  # noqa: E402

BIRTH_HOUR = PRENATAL_DAYS * 24


def _share(iv: Intervention, sim, channel: str, new: np.ndarray | None) -> None:
    """Replace this programme's own contribution to a shared input channel by ``new`` (None: none).

    Unchanged contributions are left alone, so a channel only one programme writes holds exactly
    that programme's value.
    """
    added = iv.__dict__.setdefault("_added", {})
    old = added.get(channel)
    if old is None and new is None:
        return
    if old is not None and new is not None and np.array_equal(old, new):
        return
    arr = channel_array(sim, channel)
    if old is not None:
        arr -= old
    if new is not None:
        arr += new
    added[channel] = None if new is None else np.array(new, dtype=float)


def _withdraw(iv: Intervention, sim) -> None:
    """Take back every contribution of this programme to the input channels."""
    for channel in list(iv.__dict__.get("_added", {})):
        _share(iv, sim, channel, None)


def _in_slot(k: int, column: np.ndarray) -> np.ndarray:
    """An (H, K) contribution that is ``column`` (H,) in caregiver slot ``k`` and 0 elsewhere."""
    out = np.zeros((column.shape[0], len(ROLES)))
    out[:, k] = column
    return out


def _who(iv: Intervention, sim, k: int) -> np.ndarray:
    """Treated households whose caregiver in slot ``k`` exists and is present, shape (H,)."""
    return iv.targets & sim.cg.exists[:, k] & sim.cg.present[:, k]


@register
class SkinToSkin(Intervention):
    """Daily skin-to-skin (kangaroo) sessions with one caregiver over the first weeks.

    A session hour is a forced contact episode, written to four input channels: the caregiver's
    central OT release (``exogenous_ot``: ``release`` x an affectionate touch hour, as a fraction
    of tone) and its weakly coupled plasma share (``exogenous_ot_plasma``, PH5), the infant's
    release (``infant_exogenous_ot``) and the session itself (``contact_session``), whose effects
    the engine applies (:func:`model.channels.contact_session_effects`: touch and care hours,
    familiarity, the infant's contact need met, its cortisol excess buffered).
    Sources: I10 (Vittner et al. 2018: OT up in mothers, fathers, infants; infant cortisol down
    during a 60-min session), I11 (Feldman et al. 2014: 14 consecutive days), I12 (design).
    The size of the release (``release`` x an ordinary touch hour) is an assumption.

    The release of a touch hour is the engine's own rule: the caregiver's
    :func:`model.physiology.touch_ot_release` for one hour of affectionate touch (with the
    session's style match ``SESSION_STYLE_MATCH``) and the infant's
    :func:`model.physiology.infant_touch_ot_release` for one hour of touch at full relief
    (``SESSION_RELIEF``), each times ``release``.
    """

    # Skin-to-skin is affectionate touch that raises OT in fathers as in mothers (I10), so the
    # role's touch-style penalty (M8, model.roles.touch_style_matches) does not apply: full match
    # (assumption). A session is sensitive contact: it relieves the infant's need fully (I10, I13).
    SESSION_STYLE_MATCH = 1.0
    SESSION_RELIEF = 1.0
    AFFECTIONATE_HOUR, NO_STIMULATORY_TOUCH = 1.0, 0.0

    TYPE = "skin_to_skin"
    ROLE_FIELD = True
    WRITES = ("exogenous_ot", "exogenous_ot_plasma", "infant_exogenous_ot", "contact_session")
    FIELDS = {
        "start_day": _f("start_day", 0, 0, 365, "day", "infant age (days) at the first session"),
        "days": _f("days", 14, 1, 365, "day", "number of consecutive days with sessions (I11: 14)"),
        "hour": _f("hour", 10, 0, 23, "hour of day", "clock hour at which the daily session starts"),
        "session_hours": _f("session_hours", 1, 1, 8, "hour", "length of each daily session (I10: 60 min)"),
        "release": _f("release", 2.0, 0, 6, "touch-hours", "OT release of a session hour relative to an hour of ordinary affectionate touch"),
        "coverage": COVERAGE,
    }

    def apply(self, sim):
        t = sim.hour - BIRTH_HOUR - int(self.start_day) * 24
        in_session = 0 <= t < int(self.days) * 24 and (sim.hod - int(self.hour)) % 24 < int(self.session_hours)
        if not in_session:
            _withdraw(self, sim)
            return
        p, cg, k = sim.p, sim.cg, ROLE_INDEX[self.role]
        who = _who(self, sim, k)
        touch_hour = _phys.touch_ot_release(self.AFFECTIONATE_HOUR, self.NO_STIMULATORY_TOUCH, p.ot_social_touch,
                                            p.touch_ot_gain_affectionate, p.touch_ot_gain_stimulatory,
                                            self.SESSION_STYLE_MATCH, self.SESSION_STYLE_MATCH, cg.ot_reactivity[:, k])
        rel_cg = self.release * touch_hour * who
        _share(self, sim, "exogenous_ot", _in_slot(k, cg.ot_tone[:, k] * rel_cg))
        _share(self, sim, "exogenous_ot_plasma",
               _in_slot(k, cg.ot_plasma_setpoint_now[:, k] * p.ot_central_plasma_coupling * rel_cg))
        _share(self, sim, "contact_session", _in_slot(k, who.astype(float)))
        infant_touch_hour = _phys.infant_touch_ot_release(self.AFFECTIONATE_HOUR, p.ot_social_touch,
                                                          p.infant_touch_ot_gain, self.SESSION_RELIEF)
        _share(self, sim, "infant_exogenous_ot", self.release * infant_touch_hour * who)


@register
class IntranasalOT(Intervention):
    """Intranasal oxytocin given to one caregiver once a day for ``days`` days.

    Each dose raises the recipient's central OT target by ``dose`` (index units of tone) through
    ``exogenous_ot``: half in the first hour, fully from the second (PH4: CSF OT significant only
    at 75 min), for ``duration_hours``; plasma OT peaks within the first hour (PH4: 15 min): the
    hour's plasma mean rises by ``plasma_rise`` (``exogenous_ot_plasma``). The behavioural effect comes from the model's own OT domains
    (emotion recognition, synchrony, buffering), which is how I5 (Weisman et al. 2012) can
    transfer to the infant only through the father's behaviour.

    Context dependence (I8): in recipients who are depressed at the time of the dose,
    ``depressed_gain_blocked`` cancels that share of the OT emotion-recognition gain (1 = no
    sensitivity gain, above 1 = harsher responses; ``sensitivity_boost``; the gain is the engine's
    :func:`model.behaviour.ot_recognition_gain` of the dose at the recipient's OT tone) and
    ``depressed_cortisol`` adds an acute cortisol kick per dose unit and hour (cries felt as more
    urgent; ``acute_stress``). Both are 0 by default.

    Timing (``with_infant``, docs/ODD.md 7.5): in the studies the parent is dosed and then plays with
    the infant (I5: still-face play 40 min after the dose; X56). With ``with_infant = 1`` (default)
    each day's dose waits for the first hour from ``hour`` at which the recipient is with the infant
    and the infant awake (:meth:`_dose_with_infant`), so the dose's hours overlap the parent's care;
    with 0 it is given at the clock hour ``hour`` wherever the parent is (a working father is then
    at work for most of the dose). The infant's OT can follow the father's only through his
    behaviour: his raised OT raises his attunement, so more of his responses are sensitive and
    relieve the infant more, and the infant's touch-evoked OT release
    (:func:`model.physiology.infant_touch_ot_release`) grows with the relief (X56: no hormone transfer).
    """

    TYPE = "intranasal_ot"
    ROLE_FIELD = True
    WRITES = ("exogenous_ot", "exogenous_ot_plasma", "sensitivity_boost", "acute_stress")
    FIELDS = {
        "month": _f("month", 5, 0, 36, "month", "infant age at the first dose (I5: 5 months)"),
        "days": _f("days", 1, 1, 365, "day", "number of consecutive daily doses (I5: a single dose)"),
        "hour": _f("hour", 10, 0, 23, "hour of day", "clock hour of the dose (with_infant = 1: the earliest hour)"),
        "dose": _f("dose", 1.0, 0, 5, "central OT index", "rise of the central OT target at full effect (assumption)"),
        "duration_hours": _f("duration_hours", 2, 1, 8, "hour", "hours the central effect lasts (PH4)"),
        "plasma_rise": _f("plasma_rise", 20, 0, 500, "pg/ml", "hour-mean plasma OT rise in the dose hour (PH4, PH5; assumption)"),
        "depressed_gain_blocked": _f("depressed_gain_blocked", 0, 0, 2, "fraction", "share of the OT recognition gain cancelled in depressed recipients (I8)"),
        "depressed_cortisol": _f("depressed_cortisol", 0, 0, 2, "fraction of mean per dose", "acute cortisol kick per dose unit in depressed recipients (I8)"),
        "with_infant": _f("with_infant", 1, 0, 1, "switch",
                          "1 = each day's dose is given at the first hour from `hour` at which the recipient is with the "
                          "infant and the infant awake, before an interaction (I5, I8; docs/ODD.md 7.5); 0 = at `hour`"),
        "coverage": COVERAGE,
    }
    # the effect in a dose's first hour and after (PH4: CSF OT significant only at 75 min)
    FIRST_HOUR_EFFECT, FULL_EFFECT = 0.5, 1.0
    NOT_DOSED = -(2 ** 40)  # start hour of a household not dosed (any dose window is long over)

    def initialize(self, sim) -> None:
        super().initialize(sim)
        self._start = np.full(sim.H, self.NOT_DOSED, np.int64)  # hour of each household's latest dose

    def _effect(self, sim) -> float:
        """Fraction of the full central effect this hour (0 outside the dose window), clock-hour dosing."""
        first = (self.hour_of(self.month) // 24) * 24 + int(self.hour)  # first dose, clock-aligned
        day, h = divmod(sim.hour - first, 24)
        if not (0 <= day < int(self.days)) or h >= int(self.duration_hours):
            return 0.0
        return self.FIRST_HOUR_EFFECT if h == 0 else self.FULL_EFFECT

    def _dose_with_infant(self, sim, k: int) -> np.ndarray:
        """Fraction of the full central effect this hour per household, dosing with the infant, (H,).

        On each dose day, a treated household's dose is given at the first hour from ``hour`` (and
        before the night, :func:`model.daily.is_night`) at which the recipient exists, is present and
        available to the infant (``hh.available``) and the infant is awake (as the last hour left it):
        the parent is with the infant and an interaction can follow, as in I5 (play 40 min after the
        dose) and I8. A household where that hour never comes that day gets no dose that day. The
        effect follows the dose as with clock-hour dosing (half in the first hour, full for the rest
        of ``duration_hours``).
        """
        start = self._start
        first_day = self.hour_of(self.month) // 24
        dose_day = 0 <= sim.day - first_day < int(self.days)
        if dose_day and sim.hod >= int(self.hour) and not _daily.is_night(sim.hod):
            dosed_today = start >= sim.day * 24
            ready = (_who(self, sim, k) & sim.hh.available[sim.hod][:, k] & ~sim.inf.asleep & ~dosed_today)
            start[ready] = sim.hour
        t = sim.hour - start
        return np.where(t == 0, self.FIRST_HOUR_EFFECT,
                        np.where((t > 0) & (t < int(self.duration_hours)), self.FULL_EFFECT, 0.0))

    def apply(self, sim):
        k = ROLE_INDEX[self.role]
        if self.with_infant:
            eff = self._dose_with_infant(sim, k)
            if not eff.any():
                _withdraw(self, sim)
                return
            p, cg = sim.p, sim.cg
            who = self.targets & cg.exists[:, k] & (eff > 0)
            first_hour = eff == self.FIRST_HOUR_EFFECT
        else:
            eff = self._effect(sim)
            if eff == 0.0:
                _withdraw(self, sim)
                return
            p, cg = sim.p, sim.cg
            who = _who(self, sim, k)
            first_hour = np.full(sim.H, eff == self.FIRST_HOUR_EFFECT)
        _share(self, sim, "exogenous_ot", _in_slot(k, self.dose * eff * who))
        plasma = who & first_hour  # the plasma peak (PH4)
        _share(self, sim, "exogenous_ot_plasma", _in_slot(k, self.plasma_rise * plasma) if plasma.any() else None)
        dep = who & cg.depressed[:, k]
        gain = _bh.ot_recognition_gain(cg.ot_tone[:, k], self.dose * eff, p.ot_emotion_recognition)
        _share(self, sim, "sensitivity_boost", _in_slot(k, -self.depressed_gain_blocked * gain * dep))
        _share(self, sim, "acute_stress", _in_slot(k, self.depressed_cortisol * self.dose * eff * dep))


@register
class SensitivityCoaching(Intervention):
    """A sensitivity-focused programme (video feedback, home visits) for one caregiver.

    From ``month`` the caregiver's ``sensitivity_boost`` (logit) ramps linearly to ``boost`` over
    ``ramp_weeks``, holds to the end of the programme (``weeks``) and then fades exponentially
    with time constant ``fade_months``. Size and persistence are assumptions: targets.md has no
    row for sensitivity programmes (a reviewed number would replace ``boost``).
    """

    TYPE = "sensitivity_coaching"
    ROLE_FIELD = True
    HOURLY = False  # acts at hour 0 only
    WRITES = ("sensitivity_boost",)
    FIELDS = {
        "month": _f("month", 3, 0, 36, "month", "infant age when the programme starts"),
        "weeks": _f("weeks", 12, 1, 104, "week", "length of the programme"),
        "ramp_weeks": _f("ramp_weeks", 4, 0, 52, "week", "weeks to reach the full boost"),
        "boost": _f("boost", 0.6, 0, 3, "logit", "gain in attunement at full effect (assumption)"),
        "fade_months": _f("fade_months", 12, 0.5, 120, "month", "time constant of fading after the programme"),
        "coverage": COVERAGE,
    }

    def level(self, age_months: float) -> float:
        """Boost (logit) at an infant age: ramp, hold, exponential fade."""
        weeks = (age_months - self.month) * DAYS_PER_MONTH / 7.0
        if weeks < 0:
            return 0.0
        ramp = 1.0 if self.ramp_weeks == 0 else min(weeks / self.ramp_weeks, 1.0)
        if weeks <= self.weeks:
            return self.boost * ramp
        after = (weeks - self.weeks) * 7.0 / DAYS_PER_MONTH
        return self.boost * min(self.weeks / max(self.ramp_weeks, 1e-9), 1.0) * np.exp(-after / self.fade_months)

    def apply(self, sim):
        if sim.hod != 0 or not sim.born:
            return
        k = ROLE_INDEX[self.role]
        new = np.zeros_like(sim.cg.sensitivity_boost)
        new[:, k] = self.level(sim.age_months) * (self.targets & sim.cg.exists[:, k])
        _share(self, sim, "sensitivity_boost", new)


@register
class NICUSeparation(Intervention):
    """Early separation: the infant is in neonatal care for the first ``days`` days after birth.

    The infant is not with the family (``with_family`` false), so no household member is
    available except the parents during daily visits (``visit_hours`` from ``visit_start``;
    the father visits if ``father_visits``). Outside visits, staff meet feeding and comfort needs
    but not the need for contact (channel ``infant_staff_care``, applied by
    :func:`model.channels.staff_care_effects`). Durations are assumptions.

    Separation from a newborn in neonatal care is itself a stressor for the parents (the
    "alteration in parental role" is the strongest NICU stressor on the Parental Stressor Scale,
    Miles et al. 1993; NICU mothers have raised depression risk; both from memory, not in
    targets.md). It acts through the model's grief pathway: while the infant is away each
    parent's ``loneliness`` is held at least at ``separation_distress`` (raising the chronic
    cortisol target and depression hazard and lowering OT tone, as after a loss), and fades
    with ``grief_recovery_days`` after discharge. ``separation_distress = 0`` switches it off.
    """

    TYPE = "nicu_separation"
    WRITES = ("infant_staff_care",)
    EVENTS = ("inf.with_family", "cg.loneliness", "hh.visit_start", "hh.visit_hours", "hh.visitors",
              "hh.available")  # the table rebuilt by sim.refresh_availability from the visit state
    FIELDS = {
        "days": _f("days", 14, 1, 180, "day", "days in neonatal care from birth"),
        "visit_start": _f("visit_start", 10, 0, 23, "hour of day", "clock hour when daily visits start"),
        "visit_hours": _f("visit_hours", 3, 0, 24, "hour", "hours of parental visits per day"),
        "father_visits": _f("father_visits", 1, 0, 1, "switch", "1 = the father visits with the mother"),
        "separation_distress": _f("separation_distress", 0.3, 0, 1, "loneliness (0-1)",
                                  "parents' separation distress while the infant is in neonatal care (assumption)"),
        "coverage": COVERAGE,
    }

    def _separation_distress(self, cg):
        """Hold each separated parent's loneliness at least at ``separation_distress`` (grief pathway)."""
        for k in (_MOTHER, _FATHER):
            held = self.targets & cg.exists[:, k]
            cg.loneliness[held, k] = np.maximum(cg.loneliness[held, k], self.separation_distress)

    def _visit(self, hod: int) -> bool:
        return (hod - int(self.visit_start)) % 24 < int(self.visit_hours)

    def apply(self, sim):
        t = sim.hour - BIRTH_HOUR
        end = int(self.days) * 24
        hh = sim.hh
        if t == end:  # discharge: home with the family, no more visits
            sim.inf.with_family[self.targets] = True
            hh.visit_hours[self.targets] = 0
            hh.visitors[self.targets] = False
            sim.refresh_availability()
        if not 0 <= t < end:
            _withdraw(self, sim)
            return
        if t == 0:  # admission: away from the family, parents visit daily
            sim.inf.with_family[self.targets] = False
            hh.visit_start[self.targets] = int(self.visit_start)
            hh.visit_hours[self.targets] = int(self.visit_hours)
            hh.visitors[self.targets, _MOTHER] = True
            hh.visitors[self.targets, _FATHER] = bool(self.father_visits)
            sim.refresh_availability()
        if sim.hod == 0 or t == 0:
            self._separation_distress(sim.cg)
        staff = None if self._visit(sim.hod) else self.targets.astype(float)  # fed and settled, not held
        _share(self, sim, "infant_staff_care", staff)


@register
class ClusteredRisk(Intervention):
    """Cumulative risk concentrated in the same households (poverty stress, unresolved trauma).

    In a ``coverage`` share of households, each adult caregiver is unresolved with probability
    ``p_unresolved`` and carries a chronic cortisol excess ``stress`` (fraction of mean) from
    pregnancy on (channel ``extra_stress``, read at each day's set-up from the first day). Depression then clusters in these households through the model's own stress
    and partner terms (PH16, P9). A1-A3: disorganisation roughly doubles or triples under risk.
    """

    TYPE = "clustered_risk"
    HOURLY = False  # acts at hour 0 only
    WRITES = ("extra_stress",)
    EVENTS = ("cg.unresolved",)  # drawn once at the start
    FIELDS = {
        "stress": _f("stress", 0.4, 0, 2, "fraction of mean cortisol", "chronic cortisol excess in risk households"),
        "p_unresolved": _f("p_unresolved", 0.6, 0, 1, "probability", "chance each adult in a risk household is unresolved"),
        "coverage": _f("coverage", 0.3, 0, 1, "fraction", "share of households at cumulative risk"),
    }

    def initialize(self, sim):
        super().initialize(sim)
        u = sim.rng["interventions"].random((sim.H, len(ROLES)))
        adult = np.zeros(len(ROLES), bool)
        adult[[_MOTHER, _FATHER, ROLE_INDEX["grandparent"]]] = True
        sim.cg.unresolved |= self.targets[:, None] & adult[None, :] & (u < self.p_unresolved)

    def apply(self, sim):
        if sim.hod == 0:  # a daily channel: read at the day's set-up
            _share(self, sim, "extra_stress", self.stress * (self.targets[:, None] & sim.cg.exists))


__all__ += ["SkinToSkin", "IntranasalOT", "SensitivityCoaching", "NICUSeparation", "ClusteredRisk"]
