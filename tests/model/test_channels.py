"""Input channels: interventions act only through them, from the time they name, pregnancy included.

Each intervention class is run in lockstep with a control population of the same seed: the two
must stay bit-identical until the hour the intervention names and differ from that hour on, in
the direction of its mechanism. A spy checks that ``apply`` writes nothing but the channels and
household events the class declares.
"""

from __future__ import annotations

from dataclasses import fields

import numpy as np
import pytest
from bonding.model import ParamSet, Simulation
from bonding.model.channels import CHANNELS, INFANT_FIELD, channel_array
from bonding.model.interventions import (
    BIRTH_HOUR,
    REGISTRY,
    Absence,
    CaregiverLoss,
    ClusteredRisk,
    ExternalStressor,
    IntranasalOT,
    NICUSeparation,
    SensitivityCoaching,
    SkinToSkin,
)
from bonding.model.state import FATHER, MOTHER, PRENATAL_DAYS

H, SEED = 24, 2
CHANNEL_FIELDS = {("inf" if c.owner == "infant" else "cg", INFANT_FIELD.get(n, n)) for n, c in CHANNELS.items()}


def _state_arrays(sim):
    """Every state array of a simulation except the input channels, by (owner, field)."""
    out = {}
    for owner in ("cg", "inf", "hh"):
        obj = getattr(sim, owner)
        for f in fields(obj):
            if (owner, f.name) not in CHANNEL_FIELDS:
                out[(owner, f.name)] = getattr(obj, f.name)
    return out


def _same_state(a, b) -> bool:
    sa, sb = _state_arrays(a), _state_arrays(b)
    return all(np.array_equal(sa[k], sb[k], equal_nan=True) for k in sa)


def _lockstep(intervention, months=0.3):
    """Step a control and a treated population together until their state first differs.

    Returns (hour that made them differ, control, treated); the hour is None if they never do.
    """
    control = Simulation(ParamSet.uniform(H), months, SEED)
    treated = Simulation(ParamSet.uniform(H), months, SEED, [intervention])
    while not control.done:
        hour = control.hour
        control.step()
        treated.step()
        if not _same_state(control, treated):
            return hour, control, treated
    return None, control, treated


def _first_midnight_from(hour: int) -> int:
    return -(-hour // 24) * 24


# ----------------------------------------------------------------------------- declarations
def test_every_channel_is_a_zero_state_array_of_its_owner_shape():
    sim = Simulation(ParamSet.uniform(3), 0.1, 1)
    for name, c in CHANNELS.items():
        arr = channel_array(sim, name)
        assert arr.shape == ((3, 5) if c.owner == "caregiver" else (3,)), name
        assert arr.dtype == np.float64 and not arr.any(), name
        assert c.unit and c.meaning and c.read_at and c.cadence in ("daily", "hourly"), name


def test_interventions_declare_only_existing_channels_and_every_channel_has_its_writers():
    for kind, cls in REGISTRY.items():
        assert set(cls.WRITES) <= set(CHANNELS), kind
    for name, c in CHANNELS.items():
        writers = {kind for kind, cls in REGISTRY.items() if name in cls.WRITES}
        assert writers == set(c.writers), name


class _Spy:
    """Wraps an intervention; records every state array its ``apply`` changes."""

    def __init__(self, inner):
        self.inner = inner
        self.changed: set[str] = set()

    def initialize(self, sim):
        self.inner.initialize(sim)

    def apply(self, sim):
        before = {k: v.copy() for k, v in _state_arrays(sim).items()}
        terms = {n: np.copy(getattr(sim, n)) for n in ("cortisol_target", "chronic_target", "att_static")
                 if hasattr(sim, n)}
        channels = {n: channel_array(sim, n).copy() for n in CHANNELS}
        self.inner.apply(sim)
        after = _state_arrays(sim)
        self.changed |= {f"{o}.{n}" for (o, n), v in before.items() if not np.array_equal(v, after[(o, n)])}
        self.changed |= {f"sim.{n}" for n, v in terms.items() if not np.array_equal(v, getattr(sim, n))}
        self.changed |= {n for n, v in channels.items() if not np.array_equal(v, channel_array(sim, n))}


SPIED = [
    ExternalStressor(month=-6.5, days=400, intensity=0.5),
    ClusteredRisk(stress=0.3, p_unresolved=0.6, coverage=0.5),
    CaregiverLoss(role="father", month=-0.05),
    Absence(role="father", month=0.05, days=2),
    SkinToSkin(role="mother", start_day=1, days=2, hour=10, session_hours=2),
    IntranasalOT(role="mother", month=0.05, days=2, depressed_gain_blocked=1.0, depressed_cortisol=0.5),
    SensitivityCoaching(role="father", month=0.0, weeks=1, ramp_weeks=0),
    NICUSeparation(days=2),
]


@pytest.mark.parametrize("intervention", SPIED, ids=lambda iv: iv.TYPE)
def test_apply_writes_only_declared_channels_and_events(intervention):
    spy = _Spy(intervention)
    params = ParamSet.uniform(H, {"maternal_prenatal_depression": 1.0, "depression_chronic_share": 1.0})  # depressed recipients for I8
    Simulation(params, 0.25, SEED, [spy]).run()
    declared = set(intervention.WRITES) | set(intervention.EVENTS)
    assert spy.changed, "the intervention never acted"
    assert spy.changed <= declared, f"undeclared writes: {sorted(spy.changed - declared)}"
    assert set(intervention.WRITES) <= spy.changed  # every declared channel is used


# ----------------------------------------------------------------------------- before birth
def test_external_stressor_acts_in_pregnancy_from_its_start_day():
    """Fails on the old engine: a stressor written to the day's target after the day was set up
    never reached pregnancy physiology (mothers' chronic stress at birth was unchanged)."""
    iv = ExternalStressor(month=-3, days=80, intensity=0.5)
    hour, control, treated = _lockstep(iv, months=0.05)
    assert hour == _first_midnight_from(iv.hour_of(-3)) and hour < BIRTH_HOUR
    assert np.all(treated.cg.cortisol_excess[:, MOTHER] > control.cg.cortisol_excess[:, MOTHER])
    assert np.all(treated.cg.cortisol[:, MOTHER] > control.cg.cortisol[:, MOTHER])
    while treated.day < PRENATAL_DAYS:
        control.step()
        treated.step()
    # partner support and OT buffer part of it (ODD 7.4): 0.09-0.22 at birth on this seed, 0 on the old engine
    assert np.all(treated.cg.chronic_stress[:, MOTHER] > control.cg.chronic_stress[:, MOTHER] + 0.05)


def test_clustered_risk_stress_acts_from_the_first_day_of_pregnancy():
    """Fails on the old engine (the high_risk scenario's extra stress started at birth)."""
    iv = ClusteredRisk(stress=0.3, p_unresolved=0.0, coverage=0.5)
    hour, control, treated = _lockstep(iv, months=0.05)
    assert hour == 0
    risk = iv.targets
    assert risk.any() and (~risk).any()
    up = treated.cg.cortisol[:, MOTHER] - control.cg.cortisol[:, MOTHER]
    assert np.all(up[risk] > 0) and np.all(up[~risk] == 0)
    while treated.day < PRENATAL_DAYS:
        control.step()
        treated.step()
    assert np.all(treated.cg.chronic_stress[risk, MOTHER] > control.cg.chronic_stress[risk, MOTHER] + 0.1)


def test_caregiver_loss_in_pregnancy_acts_from_its_hour_through_grief():
    iv = CaregiverLoss(role="father", month=-3)
    hour, control, treated = _lockstep(iv, months=0.05)
    assert hour == iv.hour_of(-3) and hour < BIRTH_HOUR
    had_father = control.cg.exists[:, FATHER]
    assert had_father.any() and not treated.cg.exists[:, FATHER].any()
    for _ in range(48):
        control.step()
        treated.step()
    assert np.all(treated.cg.loneliness[had_father, MOTHER] > control.cg.loneliness[had_father, MOTHER])
    assert np.all(treated.cg.cortisol[had_father, MOTHER] > control.cg.cortisol[had_father, MOTHER])


# ----------------------------------------------------------------------------- after birth
def test_absence_acts_from_its_hour():
    iv = Absence(role="father", month=0.1, days=3)
    hour, control, treated = _lockstep(iv)
    assert hour == iv.hour_of(0.1)
    father = control.cg.exists[:, FATHER]
    assert not treated.hh.available[:, father, FATHER].any()
    assert control.hh.available[:, father, FATHER].any()


def test_skin_to_skin_acts_from_its_first_session_hour():
    iv = SkinToSkin(role="mother", start_day=1, hour=10)
    hour, control, treated = _lockstep(iv)
    assert hour == BIRTH_HOUR + 24 + 10
    assert np.all(treated.inf.ot > control.inf.ot)  # the infant's release (infant_exogenous_ot)
    assert np.all(treated.cg.ot_central[:, MOTHER] > control.cg.ot_central[:, MOTHER])
    assert treated.cg.ot_plasma[:, MOTHER].mean() > control.cg.ot_plasma[:, MOTHER].mean()
    assert treated.cg.touch_hours_today[:, MOTHER].sum() > control.cg.touch_hours_today[:, MOTHER].sum()
    assert treated.inf.contact_need.mean() < control.inf.contact_need.mean()  # held: the need for contact is met


def test_intranasal_ot_acts_from_its_first_dose_hour():
    iv = IntranasalOT(role="mother", month=0.1, hour=10, with_infant=0)
    hour, control, treated = _lockstep(iv)
    assert hour == (iv.hour_of(0.1) // 24) * 24 + 10
    assert np.all(treated.cg.ot_central[:, MOTHER] > control.cg.ot_central[:, MOTHER])
    assert np.all(treated.cg.ot_plasma[:, MOTHER] >= control.cg.ot_plasma[:, MOTHER] + 0.5 * iv.plasma_rise)


def test_intranasal_ot_in_depressed_recipients_raises_cortisol_through_acute_stress():
    params = {"maternal_prenatal_depression": 1.0, "depression_chronic_share": 1.0}
    dosed = IntranasalOT(role="mother", month=0.1, hour=10, depressed_cortisol=0.5, with_infant=0)
    control = Simulation(ParamSet.uniform(H, params), 0.2, SEED, [IntranasalOT(role="mother", month=0.1, hour=10, with_infant=0)])
    treated = Simulation(ParamSet.uniform(H, params), 0.2, SEED, [dosed])
    while control.hour <= (dosed.hour_of(0.1) // 24) * 24 + 10:
        control.step()
        treated.step()
    dep = control.cg.depressed[:, MOTHER]
    assert dep.any()
    assert np.all(treated.cg.cortisol_excess[dep, MOTHER] > control.cg.cortisol_excess[dep, MOTHER])
    assert np.array_equal(treated.cg.cortisol_excess[~dep, MOTHER], control.cg.cortisol_excess[~dep, MOTHER])


def test_sensitivity_coaching_acts_from_its_start():
    iv = SensitivityCoaching(role="mother", month=0.1, ramp_weeks=0)
    hour, control, treated = _lockstep(iv)
    start_age_hours = iv.hour_of(0.1)
    assert hour == _first_midnight_from(start_age_hours + 1)
    assert np.all(treated.cg.attunement_sum_today[:, MOTHER] > control.cg.attunement_sum_today[:, MOTHER])


def test_nicu_separation_acts_from_birth():
    iv = NICUSeparation(days=3)
    hour, control, treated = _lockstep(iv)
    assert hour == BIRTH_HOUR
    assert not treated.inf.with_family.any() and control.inf.with_family.all()
    assert np.all(treated.cg.loneliness[:, MOTHER] >= iv.separation_distress)


class _PrenatalDose:
    """A programme that (wrongly) writes an hourly channel during pregnancy."""

    def initialize(self, sim):
        pass

    def apply(self, sim):
        if sim.hour == 100:
            sim.cg.exogenous_ot[:, MOTHER] = 1.0


def test_an_hourly_channel_written_in_pregnancy_is_refused_not_ignored():
    sim = Simulation(ParamSet.uniform(4), 0.1, 1, [_PrenatalDose()])
    with pytest.raises(ValueError, match="exogenous_ot: hourly, read only after birth"):
        sim.run()
    assert sim.hour == 100


def test_nicu_visits_survive_another_programme_rebuilding_the_day():
    """Visits are household state the availability table reads, not a patch of today's table,
    so an absence starting mid-day (which rebuilds the table) keeps the mother's visit hours.
    (The old NICU patched hh.available after building it, and lost the visits here.)"""
    nicu = NICUSeparation(days=5, visit_start=10, visit_hours=3, father_visits=0)
    month = (BIRTH_HOUR + 2 * 24 + 5) / 24 / 30.4375 - PRENATAL_DAYS / 30.4375
    away = Absence(role="father", month=month, days=1)
    start = away.hour_of(month)
    assert start % 24 == 5 and start // 24 == PRENATAL_DAYS + 2
    sim = Simulation(ParamSet.uniform(H), 0.3, SEED, [nicu, away])
    while sim.hour <= start:
        sim.step()
    assert sim.hh.available[10:13, :, MOTHER].all()  # visit hours of today, after the rebuild
    assert not sim.hh.available[13:, :, MOTHER].any() and not sim.hh.available[:10, :, MOTHER].any()
    assert not sim.hh.available[:, :, FATHER].any()  # away, and not visiting


# ----------------------------------------------------------------------------- the programmes call the engine's rules
def _started(iv, hour):
    sim = Simulation(ParamSet.uniform(H, {"touch_style_match": 0.6}), 0.3, SEED, [iv])
    while sim.hour < hour:
        sim.step()
    iv.apply(sim)
    return sim


@pytest.mark.parametrize("role", ["mother", "father"])
def test_skin_to_skin_release_is_the_engines_touch_rules(role):
    """A session hour is ``release`` x the release of an hour of affectionate touch (touch_ot_release), and
    ``release`` x the infant's release of a touched, fully relieving hour (infant_touch_ot_release)."""
    from bonding.model import physiology as phys

    iv = SkinToSkin(role=role, start_day=0, hour=10, release=2.5)
    sim = _started(iv, BIRTH_HOUR + 10)
    p, cg, k = sim.p, sim.cg, (MOTHER if role == "mother" else FATHER)
    who = cg.exists[:, k] & cg.present[:, k]
    assert who.any()
    hour_release = np.array([phys.touch_ot_release(True, False, p.ot_social_touch[h], p.touch_ot_gain_affectionate[h],
                                                   p.touch_ot_gain_stimulatory[h], 1.0, 1.0, cg.ot_reactivity[h, k])
                             for h in range(H)])
    np.testing.assert_allclose(cg.exogenous_ot[who, k], 2.5 * cg.ot_tone[who, k] * hour_release[who], rtol=1e-14)
    infant = np.array([phys.infant_touch_ot_release(True, p.ot_social_touch[h], p.infant_touch_ot_gain[h], 1.0)
                       for h in range(H)])
    np.testing.assert_allclose(channel_array(sim, "infant_exogenous_ot")[who], 2.5 * infant[who], rtol=1e-14)


def test_intranasal_blocked_gain_is_the_engines_recognition_gain():
    """In a depressed recipient the boost cancels ``depressed_gain_blocked`` x ot_recognition_gain of the dose."""
    from bonding.model import behaviour as bh

    iv = IntranasalOT(role="mother", month=0.0, hour=10, depressed_gain_blocked=1.0, dose=2.0, with_infant=0)
    params = {"maternal_prenatal_depression": 1.0, "depression_chronic_share": 1.0}
    sim = Simulation(ParamSet.uniform(H, params), 0.3, SEED, [iv])
    first = (iv.hour_of(0.0) // 24) * 24 + 10 + 1  # the second hour of the dose: full effect
    while sim.hour < first:
        sim.step()
    iv.apply(sim)
    dep = sim.cg.depressed[:, MOTHER] & sim.cg.present[:, MOTHER]
    assert dep.any() and (~dep).any()
    gain = bh.ot_recognition_gain(sim.cg.ot_tone[:, MOTHER], 2.0, sim.p.ot_emotion_recognition)
    np.testing.assert_array_equal(sim.cg.sensitivity_boost[dep, MOTHER], -gain[dep])
    assert (sim.cg.sensitivity_boost[~dep, MOTHER] == 0).all()
