"""The engine: advances every household of a population one hour at a time.

``Simulation.step()`` is the methods section in order:

1. at hour 0, ``_open_day``: the slow processes of :mod:`model.daily` (hormone trajectories,
   OT tone, depression, weaning, availability);
2. interventions: ``apply(sim)`` for each (they plug in through ``initialize``/``apply``);
3. at hour 0, ``_precompute_day``: the day-constant terms of the hourly rules;
4. after birth, ``postnatal_hour``: the six hourly processes of :mod:`model.kernel`
   (needs and cues, detection, response, interaction effects with the four OT domains,
   learning, hormones), compiled loops over households applying the rules of
   :mod:`model.behaviour`, :mod:`model.physiology` and :mod:`model.learning`;
5. at the end of the day, ``_close_day``: running means, forgetting, latent sensitivity, the
   daily record and observers (e.g. the virtual lab).

Before birth (from gestational week 10) only the daily processes run: pregnancy hormones,
the prenatal bond, third-trimester depression. No Python loop runs over agents.

Randomness: one root seed is split with ``numpy.random.SeedSequence`` into the population draw,
the daily decisions, interventions, and the key of the counter-based hourly generator
(:mod:`model.rng`), so scenarios that share a seed share their random numbers decision by
decision (common random numbers).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from model import behaviour as bh
from model import daily
from model import kernel as kn
from model import physiology as phys
from model.params import ParamSet
from model.population import initialise
from model.recorder import DailyRecorder
from model.rng import run_key
from model.state import (
    DAYCARE,
    DAYS_PER_MONTH,
    EPISODE_COUNTERS,
    FATHER,
    GRANDPARENT,
    MOTHER,
    PRENATAL_DAYS,
    SIBLING,
    Counters,
    K,
)

N_EPISODE = len(EPISODE_COUNTERS)

STREAMS = ("init", "hourly", "depression", "weaning", "interventions")

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
        self.hourly_key = run_key(children[STREAMS.index("hourly")])  # counter-based, model.rng
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
        self.carry_cortisol = phys.hourly_carryover(p.cortisol_halflife)
        self.carry_prolactin = np.exp(-phys.LN2 * 60.0 / 50.0)  # PRL t1/2 ~50 min (assumption; PH11 peak 45 min)
        self.carry_ot_central_h = phys.hourly_carryover(p.ot_central_halflife)  # (H,)
        self.hour_params = kn.as_tuple(kn.ParamArrays, p)
        self.episode = kn.new_episode(H)
        self.carry_cortisol_col = self.carry_cortisol[:, None]
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
            self.postnatal_hour()
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

    def postnatal_hour(self):
        """Processes 1-6 for every household, compiled and fused (:func:`model.kernel.postnatal_hour`).

        The rules and their order are documented in :mod:`model.kernel`; this method gathers the
        hour's clock, the state arrays and the day-constant terms and hands them over.
        """
        hod, age_m = self.hod, self.age_months
        scale = (self.cortisol_scale_car if hod == 7 else
                 self.cortisol_scale_car_half if hod == 8 else self.cortisol_scale)
        amp = phys.infant_circadian_amplitude(age_m)
        clock = kn.Clock(self.hour, hod, self.age_days, age_m, daily.is_night(hod),
                         float(phys.circadian_cortisol(hod, 0.0, False)),
                         float(1.0 + amp * 0.55 * np.cos(2 * np.pi * (hod - 8) / 24.0)),
                         float(self.carry_prolactin), self.hourly_key, self.H)
        terms = kn.DayTerms(self.att_static, self.cortisol_target, self.role_weight,
                            self.stim_share, self.aff_match, self.stim_match, self.cry_stress_hpa, scale,
                            self.carry_ot_central_h, self.carry_cortisol, self.infant_hpa_gain)
        kn.postnatal_hour(clock, kn.as_tuple(kn.CaregiverArrays, self.cg), kn.as_tuple(kn.InfantArrays, self.inf),
                          self.hour_params, terms, self.episode, self.hh.breastfeeding, self.hh.available[hod],
                          self.counters.data)

    # ------------------------------------------------------------------ days
    def _precompute_day(self):
        """Day-constant terms of the hourly rules, after today's interventions have acted.

        The static part of attunement (trait, depression, fatigue, motivation), the central-OT
        relaxation target and the chronic cortisol target change at most daily.
        """
        cg = self.cg
        self.att_static = bh.attunement_static(self.p, cg, self.role_sens)
        self.ot_target_base, self.cortisol_target_term = daily.relaxation_terms(
            self.carry_ot_central_h, cg.ot_tone, self.carry_cortisol, self.cortisol_target)
        cg.attunement_n_today += 24.0 if self.born else 0.0
        # infant HPA reactivity at today's age (PH15; changes by <1% a day, so daily resolution)
        self.infant_hpa_gain = phys.infant_hpa_gain(max(self.age_months, 0.0), self.p.infant_hpa_gain_2mo,
                                                    self.p.infant_hpa_damping_months)

    def _open_day(self):
        """Start-of-day slow processes: hormone trajectories, depression, availability."""
        p, cg, hh = self.p, self.cg, self.hh
        age_d = self.day - PRENATAL_DAYS
        frac = self.frac_pregnancy
        daily.update_mother_hormones(cg, hh, p, frac, age_d)
        daily.update_father_hormones(cg, p, frac, age_d)
        cg.prolactin[:] = cg.prolactin_base * (1.0 + cg.prolactin_excess)  # live level follows the new baseline
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
            prop = self.latent_sensitivity(cg.attunement_sum_today / np.maximum(cg.attunement_n_today, 1.0))
            daily.add_day_to_counters(c, cg, prop, 3.0 <= (day - PRENATAL_DAYS) / DAYS_PER_MONTH < 9.0)
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
        return bh.sigmoid(p.base_detection[:, None] + att + 1.5) * bh.sigmoid(p.base_sensitivity[:, None] + att)


__all__ = ["Simulation", "STREAMS", "SIBLING", "GRANDPARENT", "DAYCARE"]
