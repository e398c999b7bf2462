"""The engine: advances every household of a population hour by hour, or a day at a time in blocks.

Two paths give bit-identical results (tests/model/test_day_blocks.py): ``step()`` advances every
household one hour (the Mesa model and the dashboard: one Mesa step = one hour);
``step_day()``, which ``run()`` uses, advances a whole day with one compiled call that takes
each block of ``block_households`` households through all 24 hours
(:func:`model.kernel.postnatal_day`), falling back to hourly steps on days with an
intervention that acts hour by hour.

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
3. at hour 0, ``_precompute_day``: the adult social layer (support, partner touch) and the
   chronic cortisol target plus ``extra_stress``, their stressors buffered (:mod:`model.social`); before
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

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from bonding.model import behaviour as bh
from bonding.model import daily, social
from bonding.model import kernel as kn
from bonding.model import physiology as phys
from bonding.model.channels import apply_hour_channels, unread_before_birth
from bonding.model.params import ParamSet
from bonding.model.population import initialise
from bonding.model.recorder import DailyRecorder
from bonding.model.rng import run_key
from bonding.model.roles import role_matrices
from bonding.model.state import (
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
    block_households : int
        Households per block of the day-major path (``step_day``, the default of ``run``), at
        least 1; 512 by default (the fastest of 512, 1,024 and 2,048 at 10,000 households,
        benchmarks/README.md: the state is ~3.5 KB per household, of which the hour touches a
        part, so a block's working set stays in the L2 and L3 caches for the day). Results do
        not depend on it.
    threads : int
        Threads sharing the blocks of a day on the block path (1 to the number of cores), each
        running a contiguous range of blocks in :func:`model.kernel.postnatal_day` with the GIL
        released; 1 by default, so that process workers do not oversubscribe the machine.
        Results do not depend on it.
    """

    def __init__(self, params: ParamSet, months: float, seed: int, interventions: Sequence = (),
                 block_households: int = 512, threads: int = 1):
        if int(block_households) < 1:
            raise ValueError(f"block_households: {block_households} given; allowed an integer of 1 or more")
        if not 1 <= int(threads) <= (os.cpu_count() or 1):
            raise ValueError(f"threads: {threads} given; allowed 1 to {os.cpu_count() or 1} (the cores)")
        self.threads = int(threads)
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
        self.block_starts = np.append(np.arange(0, self.H, int(block_households)), self.H).astype(np.int64)
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

    def step_day(self):
        """Advance every household by one whole day, from its hour 0: the day-major path.

        The same day as 24 calls of :meth:`step`, bit for bit (tests/model/test_day_blocks.py):
        ``_open_day``, ``_precompute_day``, after birth :meth:`postnatal_day` (each block of
        ``block_households`` households through all 24 hours in one compiled call), ``_close_day``.

        Interventions that act at hour 0 only (class attribute ``HOURLY = False``: they write
        daily channels or a channel held for the whole day) are applied once, at hour 0, as in
        :meth:`step`. Any other intervention makes the day 24 calls of :meth:`step` (the hourly
        path): its ``apply`` is Python that may read and change state at any hour (a dose, a
        session, a loss, an absence, a NICU visit, then ``refresh_availability``) and its hourly
        state channels act through :func:`model.channels.apply_hour_channels` between compiled
        hours, so the day's per-hour tables cannot be written before the day. The same holds for
        a day that starts with an hourly state channel set.
        """
        if self.done:
            raise RuntimeError("simulation already finished")
        if self.hod != 0:
            raise RuntimeError(f"step_day starts at hour 0 of a day; the clock is at hour {self.hod} (use step)")
        if any(getattr(iv, "HOURLY", True) for iv in self.interventions):
            for _ in range(24):
                self.step()
            return
        if self.hour > 0:
            self._open_day()
        for iv in self.interventions:  # hour-0-only interventions write their channels (as in step)
            iv.apply(self)
        self._precompute_day()
        if self.born and self.interventions and self._hourly_state_channels_set():
            apply_hour_channels(self.cg, self.inf, self.p)  # finish this hour as step does, then hourly
            self.postnatal_hour()
            self.hour += 1
            for _ in range(23):
                self.step()
            return
        if self.born:
            self.postnatal_day()
        elif self.interventions and (unread := unread_before_birth(self)):
            raise ValueError(f"input channel {', '.join(unread)}: hourly, read only after birth "
                             f"(hour {self.hour} is in pregnancy; before birth only daily channels act)")
        self.hour += 24
        self._close_day()

    def _hourly_state_channels_set(self) -> bool:
        """Whether an hourly state channel (read by ``apply_hour_channels``) holds a value."""
        return bool(self.cg.acute_stress.any() or self.cg.contact_session.any() or self.inf.staff_care.any())

    def run(self, progress: Callable[[int], None] | None = None, hourly: bool = False):
        """Run to the end; ``progress(days_done)`` is called once a day if given.

        Whole days by :meth:`step_day` (from the next hour 0 on), or hour by hour with
        ``hourly=True``; both give the same results.
        """
        while not self.done:
            if hourly or self.hod != 0:
                self.step()
            else:
                self.step_day()
            if progress is not None and self.hod == 0:
                progress(self.day)
        return self

    def clock(self, hour: int) -> kn.Clock:
        """The kernel's clock of absolute ``hour`` (time of day, infant age, circadian terms)."""
        hod = hour % 24
        age_days = hour / 24.0 - PRENATAL_DAYS
        age_m = age_days / DAYS_PER_MONTH
        return kn.Clock(hour=hour, hod=hod, age_days=age_days, age_months=age_m,
                        night=daily.is_night(hod), circadian=float(phys.circadian_cortisol(hod, 0.0, False)),
                        infant_circadian=phys.infant_circadian_cortisol(hod, age_m),
                        carry_prolactin=float(self.carry_prolactin), key=self.hourly_key, n_households=self.H)

    def postnatal_hour(self):
        """Processes 1-6 for every household, compiled and fused (:func:`model.kernel.postnatal_hour`).

        The rules and their order are documented in :mod:`model.kernel`; this method builds the
        hour's clock and hands it over with the state arrays and today's terms (``_precompute_day``).
        """
        kn.postnatal_hour(self.clock(self.hour), kn.as_tuple(kn.CaregiverArrays, self.cg),
                          kn.as_tuple(kn.InfantArrays, self.inf), self.hour_params, self.day_terms[self.hod],
                          self.episode, self.hh.breastfeeding, self.hh.available[self.hod], self.counters.data)

    def postnatal_day(self):
        """The 24 postnatal hours of today, block by block (:func:`model.kernel.postnatal_day`).

        Per-hour tables: the clocks, ``day_terms`` and the (24, H, K) availability table.
        """
        clocks = tuple(self.clock(self.hour + t) for t in range(24))
        args = (clocks, kn.as_tuple(kn.CaregiverArrays, self.cg), kn.as_tuple(kn.InfantArrays, self.inf),
                self.hour_params, tuple(self.day_terms), self.episode, self.hh.breastfeeding,
                self.hh.available, self.counters.data)
        n_blocks = len(self.block_starts) - 1
        if self.threads == 1 or n_blocks == 1:
            kn.postnatal_day(*args, self.block_starts)
            return
        cuts = np.linspace(0, n_blocks, min(self.threads, n_blocks) + 1).round().astype(int)
        with ThreadPoolExecutor(len(cuts) - 1) as pool:  # one contiguous range of blocks per thread
            done = [pool.submit(kn.postnatal_day, *args, self.block_starts[a:b + 1])
                    for a, b in zip(cuts[:-1], cuts[1:], strict=True)]
            for f in done:
                f.result()

    # ------------------------------------------------------------------ days
    def _open_day(self):
        """Start of a day: the slow processes (:func:`model.daily.open_day`), then availability."""
        u_depression = self.rng["depression"].random((2, self.H, K))
        u_weaning = self.rng["weaning"].random(self.H)
        self.chronic_target = daily.open_day(self.cg, self.hh, self.p, self.day, u_depression, u_weaning,
                                             self.inf.early_contact_hours)
        self.stressor_load = daily.chronic_stressor_load(self.cg, self.p)  # its buffered part (model.social)
        self.refresh_availability()

    def _precompute_day(self):
        """Set up the day for the hour, after today's interventions wrote their channels.

        The one place a day's terms are made: the adult social layer of the day
        (:func:`model.daily.partner_social_day`: support and partner touch) and the chronic cortisol
        target plus the daily input channel ``extra_stress``, with the stressors among them buffered
        by OT and support (:func:`model.social.buffered_cortisol_target`), and the crying stressor
        divided by the support buffer; before birth, the pregnancy day (:func:`model.daily.pregnancy_day`:
        cortisol excess, chronic stress, P5 cortisol); after birth, the terms of the hourly rules,
        built once by keyword into ``day_terms[hod]`` (:class:`model.kernel.DayTerms`): the static
        part of attunement, the relaxation terms of central OT and cortisol, the infant's HPA gain
        at today's age (PH15; changes by <1% a day), and the cortisol scale of each hour (the
        awakening response at 07 and 08).
        """
        p, cg = self.p, self.cg
        # adult social layer: support and partner touch buffer the chronic stressors and the daily
        # input channel extra_stress (model.social.buffered_cortisol_target), support the crying stressor
        stress_buffer_day, support_buffer_day = daily.partner_social_day(cg, self.hh, p)
        self.cortisol_target = social.buffered_cortisol_target(self.chronic_target, self.stressor_load,
                                                               cg.extra_stress, stress_buffer_day)
        self.cry_stress_today = self.cry_stress_hpa * support_buffer_day
        if not self.born:  # pregnancy: stress physiology and cortisol (P5), once a day
            daily.pregnancy_day(cg, p, self.cortisol_target, self.frac_pregnancy)
        self.att_static = bh.attunement_static(p, cg, self.role_sens)
        self.infant_hpa_gain = phys.infant_hpa_gain(max(self.age_months, 0.0), p.infant_hpa_gain_2mo,
                                                    p.infant_hpa_damping_months)
        terms = kn.DayTerms(att_static=self.att_static, cortisol_target=self.cortisol_target,
                            role_weight=self.role_weight,
                            stim_share=self.stim_share, aff_match=self.aff_match, stim_match=self.stim_match,
                            cry_stress_hpa=self.cry_stress_today, cortisol_scale=self.cortisol_scale,
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
            daily.shape_infant_hpa(inf, cg, p, day - PRENATAL_DAYS)  # docs/ODD.md 7.5 (PH15 window)
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
