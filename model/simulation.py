"""The vectorised engine: advances every household of a population one hour at a time.

``Simulation.step()`` is the methods section in order. Each hour after birth:

1. ``grow_needs_and_emit_cues``   needs grow, the infant sleeps or bids (cry, fuss, gaze, smile)
2. ``detect_cues``                present caregivers notice the bid (OT domain b)
3. ``respond``                    one responder is chosen; response quality and kind of contact
4. ``interaction_effects``        needs relieved; touch releases OT in both (domain d); synchrony
                                  (domain c); contact and OT buffer cortisol (domain a)
5. ``learn``                      dopamine prediction error -> bond; the infant's working model
6. ``advance_hormones``           cortisol, prolactin (oxytocin advanced in step 4)
7. day boundaries run the slow processes in :mod:`model.daily`; interventions plug in through
   ``initialize(sim)`` and ``apply(sim)`` (called at the start of every hour).

Before birth (from gestational week 10) only the daily processes run: pregnancy hormones,
the prenatal bond, third-trimester depression. No Python loop runs over agents: every rule is
an array expression over households (H) or household x caregiver slots (H, K).

Randomness: one root seed is split with ``numpy.random.SeedSequence`` into one stream per
decision; each stream draws a fixed-size block every hour whatever the state, so scenarios
that share a seed share their random numbers (common random numbers).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from model import behaviour as bh
from model import daily
from model import learning as ln
from model import physiology as phys
from model.params import ParamSet
from model.population import initialise
from model.recorder import DailyRecorder
from model.state import (
    DAYCARE,
    DAYS_PER_MONTH,
    DISTRESS_BID,
    EPISODE_COUNTERS,
    FATHER,
    FRIGHTENING,
    GRANDPARENT,
    INTRUSIVE,
    MOTHER,
    NO_BID,
    NO_RESPONSE,
    PRENATAL_DAYS,
    REJECTING,
    SENSITIVE,
    SIBLING,
    Counters,
    K,
)

N_EPISODE = len(EPISODE_COUNTERS)

STREAMS = ("init", "sleep", "discomfort", "bid", "detect", "responder", "quality", "fright",
           "kind", "touch", "positive", "gaze", "depression", "weaning", "interventions")

ROLE_WEIGHT_OTHERS = np.array([1.0, 1.0, 0.8, 0.3, 1.0])  # mother's weight is a parameter


class Simulation:
    """A population of households from gestational week 10 to ``months`` after birth.

    Parameters
    ----------
    params : ParamSet
        One value per household for every declared parameter.
    months : float
        Months after birth to simulate.
    seed : int
        Root seed; the same seed gives bit-identical results.
    interventions : sequence of objects with ``initialize(sim)`` and ``apply(sim)``
    """

    def __init__(self, params: ParamSet, months: float, seed: int, interventions: Sequence = ()):
        self.p = params
        self.H = params.n
        self.months = float(months)
        self.seed = int(seed)
        self.n_days = PRENATAL_DAYS + int(round(self.months * DAYS_PER_MONTH))
        children = np.random.SeedSequence(self.seed).spawn(len(STREAMS))
        self.rng = {name: np.random.default_rng(c) for name, c in zip(STREAMS, children, strict=True)}
        self.cg, self.inf, self.hh = initialise(params, self.rng["init"])
        self.counters = Counters.empty(self.H)
        self.hour = 0
        self._role_constants()
        self.recorder = DailyRecorder(self.n_days)
        self.observers: list[Callable[[Simulation], None]] = []
        self.interventions = list(interventions)
        self._open_day()
        for iv in self.interventions:
            iv.initialize(self)

    # ------------------------------------------------------------------ clock
    @property
    def day(self) -> int:
        return self.hour // 24

    @property
    def hod(self) -> int:
        return self.hour % 24

    @property
    def age_days(self) -> float:
        """Infant age in days (negative before birth), including the hour fraction."""
        return self.hour / 24.0 - PRENATAL_DAYS

    @property
    def age_months(self) -> float:
        return self.age_days / DAYS_PER_MONTH

    @property
    def born(self) -> bool:
        return self.hour >= 24 * PRENATAL_DAYS

    @property
    def done(self) -> bool:
        return self.day >= self.n_days

    @property
    def frac_pregnancy(self) -> float:
        return min(self.day / PRENATAL_DAYS, 1.0)

    # ------------------------------------------------------------------ setup
    def _role_constants(self):
        """Parameter matrices that differ by role, shape (H, K), computed once."""
        p, H = self.p, self.H
        self.role_weight = np.tile(ROLE_WEIGHT_OTHERS, (H, 1))
        self.role_weight[:, MOTHER] = p.mother_role_weight
        self.role_sens = np.zeros((H, K))
        self.role_sens[:, FATHER] = p.father_sensitivity_offset
        self.stim_share = np.column_stack([p.mother_stimulatory_share, p.father_stimulatory_share,
                                           p.mother_stimulatory_share, np.full(H, 0.5), np.full(H, 0.4)])
        m = p.touch_style_match
        self.aff_match = np.column_stack([np.ones(H), 1 - m, 1 - m / 2, 1 - m / 2, 1 - m / 2])
        self.stim_match = np.column_stack([1 - m, np.ones(H), 1 - m / 2, 1 - m / 2, 1 - m / 2])
        self.carry_ot_central = phys.hourly_carryover(p.ot_central_halflife)[:, None]
        self.carry_cortisol = phys.hourly_carryover(p.cortisol_halflife)
        self.carry_prolactin = np.exp(-phys.LN2 * 60.0 / 50.0)  # PRL t1/2 ~50 min (assumption; PH11 peak 45 min)
        self.idx = np.arange(H)
        self.carry_ot_central_h = self.carry_ot_central[:, 0]
        self.carry_cortisol_col = self.carry_cortisol[:, None]
        self.col = {name: getattr(p, name)[:, None] for name in (
            "ot_emotion_recognition", "cortisol_detection", "base_detection", "night_detection",
            "unresolved_distress_blunting", "ot_stress_buffering")}
        cg = self.cg
        self.cry_stress_hpa = p.cry_stress[:, None] * cg.hpa_reactivity
        self.cortisol_scale = p.cortisol_mean[:, None] * np.ones((H, K))
        car = p.car_rise[:, None] * cg.car_responder
        self.cortisol_scale_car = self.cortisol_scale * (1.0 + car)
        self.cortisol_scale_car_half = self.cortisol_scale * (1.0 + 0.5 * car)

    # ------------------------------------------------------------------ the hour
    def step(self):
        """Advance every household by one hour."""
        if self.done:
            raise RuntimeError("simulation already finished")
        if self.hod == 0 and self.hour > 0:
            self._open_day()
        for iv in self.interventions:
            iv.apply(self)
        if self.hod == 0:
            self._precompute_day()
        if self.born:
            self.grow_needs_and_emit_cues()
            self.detect_cues()
            self.respond()
            self.interaction_effects()
            self.learn()
            self.advance_hormones()
        self.hour += 1
        if self.hod == 0:
            self._close_day()

    def run(self, progress: Callable[[int], None] | None = None):
        """Run to the end; ``progress(days_done)`` is called once a day if given."""
        while not self.done:
            self.step()
            if progress is not None and self.hod == 0:
                progress(self.day)
        return self

    def grow_needs_and_emit_cues(self):
        """Process 1: hunger, discomfort and need for contact grow; the infant sleeps or bids."""
        p, inf = self.p, self.inf
        age_d, age_m = self.age_days, self.age_months
        night = daily.is_night(self.hod)
        inf.hunger = np.minimum(inf.hunger + bh.hunger_rate(age_m, p.hunger_interval_newborn,
                                                             p.hunger_interval_12mo), 1.5)
        new_disc = self.rng["discomfort"].random(self.H) < bh.discomfort_probability(age_d)
        inf.discomfort = np.where(new_disc, 1.0, 0.5 * inf.discomfort)
        inf.contact_need = np.minimum(inf.contact_need + p.contact_need_rate * (~inf.asleep), 1.5)
        inf.distress = bh.infant_distress(inf.hunger, inf.discomfort, inf.contact_need,
                                          inf.temperament, inf.cortisol_excess)
        inf.asleep = bh.infant_asleep(night, age_m, self.rng["sleep"].random(self.H), inf.hunger, inf.distress)
        inf.bid = bh.emit_bid(inf.asleep, inf.distress, age_d, self.rng["bid"].random(self.H))
        inf.distress_sum_today += inf.distress

    def detect_cues(self):
        """Process 2: each available caregiver notices the bid or not (OT raises recognition)."""
        cg, inf = self.cg, self.inf
        self.available = self.hh.available[self.hod]
        self.night = daily.is_night(self.hod)
        self.att = bh.attunement_hourly(self.att_static, cg.ot_central, cg.cortisol_excess,
                                        self.col["ot_emotion_recognition"], self.col["cortisol_detection"],
                                        cg.sensitivity_boost)
        cg.attunement_sum_today += self.att
        pdet = bh.detection_probability(self.att, self.col["base_detection"], inf.bid, inf.distress,
                                        self.night, self.col["night_detection"], cg.unresolved,
                                        self.col["unresolved_distress_blunting"], self.available)
        self.detected = self.rng["detect"].random((self.H, K), dtype=np.float32) < pdet

    def respond(self):
        """Process 3: who responds (division of labour), the response quality and kind of contact."""
        p, cg, inf = self.p, self.cg, self.inf
        hungry_cry = (inf.bid == DISTRESS_BID) & (inf.hunger > 0.55)
        r = bh.choose_responder(self.detected, self.role_weight, self.hh.breastfeeding & hungry_cry,
                                self.rng["responder"].random(self.H))
        has = r >= 0
        rr = np.maximum(r, 0).astype(np.intp)
        self.flat = self.idx * K + rr  # flat dyad index of the responder (slot 0 if none)
        at = self._at
        u = self.rng["quality"].random((3, self.H))
        q, _ = bh.response_quality(at(self.att), p.base_sensitivity, at(cg.aai), at(cg.unresolved),
                                   at(cg.cortisol_excess), at(cg.depressed), p.p_frightening_base,
                                   p.frightening_cortisol, u[0], u[1], u[2])
        q = np.where(has, q, NO_RESPONSE).astype(np.int8)
        feed, aff, stim = bh.touch_kind(inf.bid, inf.hunger, at(self.stim_share), self.rng["touch"].random(self.H))
        touching = has & (q != FRIGHTENING) & (q != NO_RESPONSE)
        self.feed, self.aff, self.stim = feed & has, aff & touching, stim & touching
        self.breastfeed = self.feed & (rr == MOTHER) & self.hh.breastfeeding
        inf.responder = np.where(has, r, -1).astype(np.int8)
        inf.response = q
        self.has, self.rr = has, rr

    def _at(self, arr):
        """The responder's entry of an (H, K) array, per household (slot 0 where no responder)."""
        return arr.reshape(-1)[self.flat]

    def _add_at(self, arr, values):
        """Add ``values`` (H,) at the responder's entry of an (H, K) array (zero where none)."""
        flat = arr.reshape(-1)
        flat[self.flat] += np.where(self.has, values, 0.0)

    def interaction_effects(self):
        """Process 4: needs relieved; OT released by touch (d), synchrony (c), buffering (a)."""
        p, cg, inf, at = self.p, self.cg, self.inf, self._at
        q = inf.response
        rel = bh.relief(q)
        self.distress_before = inf.distress
        inf.hunger = np.where(self.feed, inf.hunger * (0.4 - 0.4 * rel), inf.hunger)
        inf.discomfort *= 1.0 - 0.7 * rel * (inf.bid == DISTRESS_BID)
        inf.contact_need *= 1.0 - rel
        inf.distress = bh.infant_distress(inf.hunger, inf.discomfort, inf.contact_need,
                                          inf.temperament, inf.cortisol_excess)
        # domain (d): touch releases OT in caregiver and infant
        touch_gain = p.ot_social_touch * (
            self.aff * p.touch_ot_gain_affectionate * at(self.aff_match)
            + self.stim * p.touch_ot_gain_stimulatory * at(self.stim_match))
        release = touch_gain * at(cg.ot_reactivity)  # (H,): fraction of tone, at the responder
        # central OT: every caregiver relaxes toward tone (+ exogenous dose); the responder's
        # target is raised by the release (model.physiology.central_ot_step, split for speed)
        cg.ot_central *= self.carry_ot_central
        cg.ot_central += self.ot_target_base
        if cg.exogenous_ot.any():
            cg.ot_central += (1.0 - self.carry_ot_central) * cg.exogenous_ot
        self._add_at(cg.ot_central, at(self.ot_target_base) * release)
        # plasma OT: basal set-point; weakly coupled central release; suckling pulses (mother)
        cg.ot_plasma[:] = cg.ot_plasma_setpoint_now
        self._add_at(cg.ot_plasma, at(cg.ot_plasma_setpoint_now) * p.ot_central_plasma_coupling * release)
        n_pulses = self.breastfeed * 2.0 * p.suckling_pulses_per_10min / (
            1.0 + np.maximum(cg.cortisol_excess[:, MOTHER], 0.0))
        cg.ot_plasma[:, MOTHER] += phys.plasma_ot_hour_mean(0.0, 0.0, 0.0, n_pulses, p.suckling_ot_pulse,
                                                            p.ot_plasma_halflife)
        inf_release = p.ot_social_touch * p.infant_touch_ot_gain * (self.aff | self.stim) * rel
        inf.ot = phys.central_ot_step(inf.ot, 1.0, inf_release, 0.0, self.carry_ot_central_h)
        # domain (c): affect synchrony of the engaged dyad
        engaged = self.has & (inf.bid != NO_BID) & (q != FRIGHTENING)
        self.sync = np.where(engaged, self._synchrony(rel), 0.0)
        # domain (a) and safe haven: contact and OT damp the infant's cortisol response
        buffer_i = phys.stress_buffer(inf.ot, p.ot_stress_buffering)
        gain = phys.infant_hpa_gain(self.age_months, p.infant_hpa_gain_2mo, p.infant_hpa_damping_months)
        drive = gain * inf.hpa_reactivity * inf.distress * (1.0 - p.contact_buffering * rel) * buffer_i
        drive = drive + 0.8 * (q == FRIGHTENING)
        inf.cortisol_excess = phys.cortisol_excess_step(inf.cortisol_excess, 0.0, drive, self.carry_cortisol)

    def _synchrony(self, rel):
        """Coupling of caregiver and infant affect -> synchrony index (OT domain c)."""
        p, cg, inf, at = self.p, self.cg, self.inf, self._at
        ot_r = np.maximum(at(cg.ot_central), 1e-3)
        t_ratio = np.maximum(at(cg.testosterone), 1e-3) / p.testosterone_mean
        t_excess = np.where(self.rr == FATHER, np.maximum(np.log(t_ratio), 0.0), 0.0)
        k_c = p.sync_coupling * rel * np.maximum(1.0 + p.ot_synchrony * np.log(ot_r), 0.0) \
            * np.exp(-p.testosterone_sync * t_excess) / (1.0 + np.maximum(at(cg.cortisol_excess), 0.0))
        maturity = 0.3 + 0.7 * min(self.age_months / 9.0, 1.0)
        k_i = 0.5 * p.sync_coupling * maturity * np.maximum(1.0 + p.ot_synchrony * np.log(np.maximum(inf.ot, 1e-3)), 0.0)
        return bh.synchrony_index(k_c, k_i, p.sync_damping)

    def learn(self):
        """Process 5: dopamine prediction error updates the bond; the infant's working models."""
        p, cg, inf, at, has = self.p, self.cg, self.inf, self._at, self.has
        q = inf.response
        positive = self.rng["positive"].random(self.H) < bh.positive_response_probability(q, inf.distress)
        ot_gain = phys.social_reward_gain(at(cg.ot_central), p.ot_reward_optimum)
        reward = positive * ot_gain
        delta = ln.reward_prediction_error(reward, at(cg.tonic_da))
        sel = self.flat[has]
        cg.bond.reshape(-1)[sel] = ln.update_bond(at(cg.bond), reward, delta, p.bond_learning_rate)[has]
        cg.dopamine.reshape(-1)[sel] = delta[has]
        self._add_at(cg.reward_today, reward)
        self._add_at(cg.interactions_today, 1.0)
        w = ln.distress_weight(self.distress_before, p.iwm_distress_weight)
        self._add_at(inf.iwm_good, (q == SENSITIVE) * w)
        self._add_at(inf.iwm_bad, (q != SENSITIVE) * w)
        self._add_at(inf.iwm_intruded, (q == INTRUSIVE) * w)
        self._add_at(inf.iwm_rejected, (q == REJECTING) * w)
        self._add_at(inf.iwm_frightened, (q == FRIGHTENING) * 1.0)
        # an unanswered bid counts against every caregiver who was there and did not come
        ignored = (inf.bid != NO_BID) & ~has
        if ignored.any():
            n_av = self.available.sum(axis=1)
            share = np.where(ignored & (n_av > 0), w / np.maximum(n_av, 1), 0.0)
            miss = self.available * share[:, None]
            inf.iwm_bad += miss
            inf.iwm_rejected += miss
        self._count_episode(positive)

    def _count_episode(self, positive):
        """Bookkeeping of behaviour counts per dyad (for outcomes and virtual studies)."""
        cg, inf, c = self.cg, self.inf, self.counters
        q = inf.response
        gaze_u = self.rng["gaze"].random((2, self.H))
        engaged = self.has & (q != FRIGHTENING)
        # gaze and motherese-like vocalisation: more likely when sensitive, less when depressed (M5)
        p_gaze = np.where(q == SENSITIVE, 0.9, 0.5) * np.where(self._at(cg.depressed), 0.6, 1.0)
        gaze = engaged & (gaze_u[0] < p_gaze)
        vocal = engaged & (gaze_u[1] < p_gaze * (0.8 + 0.2 * (inf.bid == 2)))
        flags = np.stack([self.has, q == SENSITIVE, q == INTRUSIVE, q == REJECTING, q == FRIGHTENING,
                          self.feed, self.breastfeed, gaze, self.aff, self.stim, vocal,
                          self.sync, self.sync > 0]).astype(np.float64)
        flags *= self.has
        c.data[:N_EPISODE, self.flat] += flags
        c["n_bids"][:] += self.available * (inf.bid != NO_BID)[:, None]
        self._add_at(cg.care_hours_today, 1.0)
        self._add_at(cg.touch_hours_today, (self.aff | self.stim) * 1.0)
        if self.night:
            self._add_at(cg.night_care_today, 1.0)
        self._add_at(inf.familiarity, 1.0)
        inf.cry_hours_today += (inf.bid == DISTRESS_BID) & (q != SENSITIVE)

    def advance_hormones(self):
        """Process 6: cortisol (circadian + crying stress, OT-buffered) and prolactin, hourly."""
        p, cg, inf = self.p, self.cg, self.inf
        crying = (inf.bid == DISTRESS_BID) & (inf.response != SENSITIVE)
        cg.cortisol_excess *= self.carry_cortisol_col
        cg.cortisol_excess += self.cortisol_target_term
        if crying.any():
            buffer_c = phys.stress_buffer(cg.ot_central, self.col["ot_stress_buffering"])
            cg.cortisol_excess += (self.cry_stress_hpa * crying[:, None]) * self.available * buffer_c
        circ = phys.circadian_cortisol(self.hod, 0.0, False)
        scale = self.cortisol_scale_car if self.hod == 7 else (
            self.cortisol_scale_car_half if self.hod == 8 else self.cortisol_scale)
        np.multiply(scale * circ, np.maximum(1.0 + cg.cortisol_excess, 0.05), out=cg.cortisol)
        amp = phys.infant_circadian_amplitude(self.age_months)
        circ_i = 1.0 + amp * 0.55 * np.cos(2 * np.pi * (self.hod - 8) / 24.0)
        inf.cortisol = p.infant_cortisol_mean * circ_i * np.maximum(1.0 + inf.cortisol_excess, 0.05)
        pe = cg.prolactin_excess[:, MOTHER]
        cg.prolactin_excess[:, MOTHER] = self.carry_prolactin * pe + (p.prolactin_suckling_fold - 1.0) * self.breastfeed
        cg.prolactin[:, MOTHER] = cg.prolactin_base[:, MOTHER] * (1.0 + cg.prolactin_excess[:, MOTHER])
        cg.cortisol_sum_today += cg.cortisol
        cg.ot_plasma_sum_today += cg.ot_plasma
        inf.cortisol_sum_today += inf.cortisol

    # ------------------------------------------------------------------ days
    def _precompute_day(self):
        """Day-constant terms of the hourly rules, after today's interventions have acted.

        The static part of attunement (trait, depression, fatigue, motivation), the central-OT
        relaxation target and the chronic cortisol target change at most daily.
        """
        cg = self.cg
        self.att_static = bh.attunement_static(self.p, cg, self.role_sens)
        self.ot_target_base = (1.0 - self.carry_ot_central) * cg.ot_tone
        self.cortisol_target_term = (1.0 - self.carry_cortisol_col) * self.cortisol_target
        cg.attunement_n_today += 24.0 if self.born else 0.0

    def _open_day(self):
        """Start-of-day slow processes: hormone trajectories, depression, availability."""
        p, cg, hh = self.p, self.cg, self.hh
        age_d = self.day - PRENATAL_DAYS
        frac = self.frac_pregnancy
        daily.update_mother_hormones(cg, hh, p, frac, age_d)
        daily.update_father_hormones(cg, p, frac, age_d)
        daily.update_ot_tone(cg, p)
        u = self.rng["depression"].random((2, self.H, K))
        daily.update_depression(cg, p, age_d, u[0], u[1])
        wean_u = self.rng["weaning"].random(self.H)
        if age_d < 0:
            daily.prenatal_bond(cg, hh, p, frac)
            if age_d >= -90:  # third trimester: chronic cortisol excess still evolves
                cg.cortisol_excess = daily.chronic_cortisol_target(cg, p)
                cg.chronic_stress += daily.EWMA_14D * (cg.cortisol_excess - cg.chronic_stress)
        else:
            daily.wean(hh, p, wean_u)
        self.cortisol_target = daily.chronic_cortisol_target(cg, p)
        self.refresh_availability()

    def refresh_availability(self):
        """Rebuild today's (24, H, K) availability table (after presence changes, e.g. a loss)."""
        age_m = max(self.day - PRENATAL_DAYS, 0) / DAYS_PER_MONTH
        self.hh.available = daily.availability_table(self.cg, self.inf, self.hh, self.p, self.day, age_m)

    def _close_day(self):
        """End-of-day: fold today into running means and counters, record, reset."""
        p, cg, inf, c = self.p, self.cg, self.inf, self.counters
        day = self.day - 1
        if self.born and day >= PRENATAL_DAYS:
            daily.update_daily_ewmas(cg, p)
            daily.forget_working_models(inf, p)
            n = np.maximum(cg.attunement_n_today, 1.0)
            prop = self.latent_sensitivity(cg.attunement_sum_today / n)
            c["attunement_sum"][:] += prop
            c["attunement_n"][:] += 1.0
            if 3.0 <= (day - PRENATAL_DAYS) / DAYS_PER_MONTH < 9.0:
                c["attunement_window_sum"][:] += prop
                c["attunement_window_n"][:] += 1.0
            c["care_hours"][:] += cg.care_hours_today
            c["night_care_hours"][:] += cg.night_care_today
            c["ot_plasma_sum"][:] += cg.ot_plasma_sum_today / 24.0
            c["ot_plasma_n"][:] += 1.0
            c["cortisol_sum"][:] += cg.cortisol_sum_today / 24.0
            c["cortisol_n"][:] += 1.0
            self.today_sensitivity = prop
        else:
            self.today_sensitivity = self.latent_sensitivity(np.zeros((self.H, K)) + self.cg.sensitivity_trait)
        self.recorder.record(day, self)
        for obs in self.observers:
            obs(self)
        daily.reset_day(cg, inf)

    def latent_sensitivity(self, att):
        """Probability of a prompt, appropriate response to a typical distress cue (0-1).

        ``P(detect a moderate cry) * P(sensitive | responding)`` at a given attunement: the
        model-side counterpart of Ainsworth's sensitivity rating, averaged over months 3-9 for
        the ``sensitivity`` outcome (the window of De Wolff & van IJzendoorn 1997, A6).
        """
        p = self.p
        p_det = bh.sigmoid(p.base_detection[:, None] + att + 1.5)
        p_sens = bh.sigmoid(p.base_sensitivity[:, None] + att)
        return p_det * p_sens


__all__ = ["Simulation", "STREAMS", "SIBLING", "GRANDPARENT", "DAYCARE"]
