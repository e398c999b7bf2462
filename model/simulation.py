"""The engine: advances every household of a population one hour at a time.

The flow runs one way, each step in one place:

* declaration: parameters (:mod:`model.params`), input channels (:mod:`model.channels`),
  intervention fields (:mod:`model.interventions`);
* scenario: parameter values per household (``ParamSet``) and intervention objects (built
  outside ``model/``, e.g. by ``experiments.scenarios``);
* initial state: :func:`model.population.initialise` (traits, household shapes);
* the day: ``_open_day`` (:func:`model.daily.open_day`, the slow processes, and availability),
  interventions write their channels, ``_precompute_day`` (reads the daily channels; pregnancy
  day or the terms of the hourly rules, ``day_terms``);
* the hour: :func:`model.channels.apply_hour_channels`, then ``postnatal_hour``
  (:func:`model.kernel.postnatal_hour`);
* the end of a day: ``_close_day`` (running means, counters, the daily record, observers);
* outcomes: :func:`model.outcomes.dyad_outcomes` from the final state and counters.

``Simulation.step()`` is the methods section in order:

1. at hour 0, ``_open_day``: the slow processes of :mod:`model.daily` (hormone trajectories,
   OT tone, depression, the prenatal bond or weaning) and today's availability;
2. interventions: ``apply(sim)`` for each; they write input channels (:mod:`model.channels`)
   and household events, nothing else;
3. at hour 0, ``_precompute_day``: the chronic cortisol target plus ``extra_stress``; before
   birth the pregnancy day (cortisol excess, chronic stress, P5 cortisol); the day-constant
   terms of the hourly rules;
4. after birth, :func:`model.channels.apply_hour_channels` (contact sessions, acute stress) and
   ``postnatal_hour``: the six hourly processes of :mod:`model.kernel`
   (needs and cues, detection, response, interaction effects with the four OT domains,
   learning, hormones), compiled loops over households applying the rules of
   :mod:`model.behaviour`, :mod:`model.physiology` and :mod:`model.learning`;
5. at the end of the day, ``_close_day``: running means, forgetting, latent sensitivity, the
   daily record and observers (e.g. the virtual lab).

Before birth (from gestational week 10) the engine steps once a day: pregnancy hormones and
cortisol, chronic stress, the prenatal bond, depression from the third trimester; interventions
act through the daily channel. No Python loop runs over agents.

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
from model.channels import apply_hour_channels, unread_before_birth
from model.params import ParamSet
from model.population import initialise
from model.recorder import DailyRecorder
from model.rng import run_key
from model.roles import role_matrices
from model.state import (
    DAYCARE,
    DAYS_PER_MONTH,
    GRANDPARENT,
    PRENATAL_DAYS,
    SIBLING,
    Counters,
    K,
)

STREAMS = ("init", "hourly", "depression", "weaning", "interventions")


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
        return daily.gestation_fraction(self.day)

    # ------------------------------------------------------------------ setup
    def _role_constants(self):
        """Parameter matrices that differ by role, shape (H, K), computed once."""
        p, H = self.p, self.H
        roles = role_matrices(p)  # model.roles: the one place role-specific terms are composed
        self.role_weight, self.role_sens = roles.weight, roles.sensitivity_offset
        self.stim_share, self.aff_match, self.stim_match = (roles.stimulatory_share, roles.affectionate_match,
                                                            roles.stimulatory_match)
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
        for iv in self.interventions:  # interventions write input channels (model.channels)
            iv.apply(self)
        if self.hod == 0:
            self._precompute_day()  # reads the daily channels
        if self.born:
            if self.interventions:  # without them every channel stays 0
                apply_hour_channels(self.cg, self.inf, self.p)  # reads the hourly state channels
            self.postnatal_hour()  # the kernel reads the hourly rule channels
        elif self.interventions and (unread := unread_before_birth(self)):
            raise ValueError(f"input channel {', '.join(unread)}: hourly, read only after birth "
                             f"(hour {self.hour} is in pregnancy; before birth only daily channels act)")
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

        The rules and their order are documented in :mod:`model.kernel`; this method builds the
        hour's clock and hands it over with the state arrays and today's terms (``_precompute_day``).
        """
        hod, age_m = self.hod, self.age_months
        clock = kn.Clock(hour=self.hour, hod=hod, age_days=self.age_days, age_months=age_m,
                         night=daily.is_night(hod), circadian=float(phys.circadian_cortisol(hod, 0.0, False)),
                         infant_circadian=phys.infant_circadian_cortisol(hod, age_m),
                         carry_prolactin=float(self.carry_prolactin), key=self.hourly_key, n_households=self.H)
        kn.postnatal_hour(clock, kn.as_tuple(kn.CaregiverArrays, self.cg), kn.as_tuple(kn.InfantArrays, self.inf),
                          self.hour_params, self.day_terms[hod], self.episode, self.hh.breastfeeding,
                          self.hh.available[hod], self.counters.data)

    # ------------------------------------------------------------------ days
    def _open_day(self):
        """Start of a day: the slow processes (:func:`model.daily.open_day`), then availability."""
        u_depression = self.rng["depression"].random((2, self.H, K))
        u_weaning = self.rng["weaning"].random(self.H)
        self.chronic_target = daily.open_day(self.cg, self.hh, self.p, self.day, u_depression, u_weaning)
        self.refresh_availability()

    def _precompute_day(self):
        """Set up the day for the hour, after today's interventions wrote their channels.

        The one place a day's terms are made: the chronic cortisol target plus the daily input
        channel ``extra_stress``; before birth, the pregnancy day (:func:`model.daily.pregnancy_day`:
        cortisol excess, chronic stress, P5 cortisol); after birth, the terms of the hourly rules,
        built once by keyword into ``day_terms[hod]`` (:class:`model.kernel.DayTerms`): the static
        part of attunement, the relaxation terms of central OT and cortisol, the infant's HPA gain
        at today's age (PH15; changes by <1% a day), and the cortisol scale of each hour (the
        awakening response at 07 and 08).
        """
        p, cg = self.p, self.cg
        self.cortisol_target = self.chronic_target + cg.extra_stress  # the daily input channel
        if not self.born:  # pregnancy: stress physiology and cortisol (P5), once a day
            daily.pregnancy_day(cg, p, self.cortisol_target, self.frac_pregnancy)
        self.att_static = bh.attunement_static(p, cg, self.role_sens)
        self.infant_hpa_gain = phys.infant_hpa_gain(max(self.age_months, 0.0), p.infant_hpa_gain_2mo,
                                                    p.infant_hpa_damping_months)
        terms = kn.DayTerms(att_static=self.att_static, cortisol_target=self.cortisol_target,
                            role_weight=self.role_weight,
                            stim_share=self.stim_share, aff_match=self.aff_match, stim_match=self.stim_match,
                            cry_stress_hpa=self.cry_stress_hpa, cortisol_scale=self.cortisol_scale,
                            carry_ot_central=self.carry_ot_central_h, carry_cortisol=self.carry_cortisol,
                            infant_hpa_gain=self.infant_hpa_gain)
        awakening = {7: terms._replace(cortisol_scale=self.cortisol_scale_car),
                     8: terms._replace(cortisol_scale=self.cortisol_scale_car_half)}
        self.day_terms = [awakening.get(hod, terms) for hod in range(24)]

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
            prop = self.latent_sensitivity(cg.attunement_sum_today / 24.0)  # the day's mean attunement
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
