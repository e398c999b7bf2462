"""The adult social layer: partner support, affectionate partner touch, and the buffering of every stressor.

Pure rules (no state, no randomness), one home each; the day set-up (:mod:`model.daily`,
``Simulation._precompute_day``) and the virtual lab's adult stressor
(:func:`experiments.lab.stress.acute_social_stressor`) call them and re-code none.

* **Partner support** (:func:`support_level`, :func:`support_buffer`): each couple has a support
  effectiveness (relationship quality) between 0 and 1, drawn once (:mod:`model.population`);
  a co-resident grandparent adds some. Support divides the cortisol drive of every stressor a
  parent meets, on its own: ``1 / (1 + support_stress_buffering * support)``, so the best support
  (1) at the default gain 1 halves it (X38: most effective partner support -50.4% of the
  distress-to-cortisol effect; X40: lab support lowers the cortisol response, ES 0.83).
* **Affectionate partner touch** (:func:`partner_touch_hours`, :func:`partner_touch_day_ot`): a
  couple touches affectionately ``partner_touch_per_day`` hours a day at best support, fewer as
  support falls, in hours when both are home and awake (X27, X28, X39, I14). Each touch hour releases central OT by the
  engine's touch rule (:func:`model.physiology.touch_ot_release`), which raises the day's mean
  central OT, and the touch hours count as affiliative contact in the slow central OT tone
  (``ot_tone_affiliation_gain``, M9; X27: more partner hugs, higher baseline OT).
* **Every stressor is buffered** (:func:`stressor_buffer`, :func:`buffered_stress`): how much a
  stressor's cortisol drive is damped is one rule, the OT stress buffer
  (:func:`model.physiology.stress_buffer`, domain a) times the support buffer. It is applied to
  the chronic stressors (poverty, grief/loneliness), the external stressor (channel
  ``extra_stress``), infant crying (through the day's support factor on the crying stressor; its
  OT buffer is hourly in the kernel) and the lab's acute adult stressor. Support and OT each
  lower the drive and together lower it most (multiplicative; the pattern of Heinrichs et al.
  2003, Biol Psychiatry 54:1389, TSST with social support and/or intranasal OT: the combination
  gave the lowest cortisol; MEMORY, not in targets.md).

Depression's cortisol drive and fatigue are states of the person, not stressors, and are not
buffered (assumption).
"""

from __future__ import annotations

import numpy as np
from bonding.model import physiology as phys

HOURS_PER_DAY = 24.0
PARTNER_TOUCH_MATCH = 1.0  # affectionate touch is the typical adult-adult style (assumption; M8 for parents-infant)


def support_level(couple_support, partner_home, grandparent_support, grandparent_home):
    """A parent's social support today (0-1, index).

    ``1 - (1 - couple_support * partner_home) * (1 - grandparent_support * grandparent_home)``:
    the couple's support effectiveness when the partner is co-resident and present, combined with
    a co-resident grandparent's support as independent sources (saturating at 1). A single
    parent without a grandparent has 0. Sources: X36, X38 (partner support); the grandparent's
    share is an assumption (``grandparent_support``).
    """
    return 1.0 - (1.0 - couple_support * partner_home) * (1.0 - grandparent_support * grandparent_home)


def support_buffer(support, gain):
    """Factor (<= 1) on a stressor's cortisol drive from social support, on its own.

    ``1 / (1 + gain * support)``; ``gain`` = ``support_stress_buffering`` (0 = off). At the default
    gain 1, the best support (1) halves the drive (X38: -50.4%); the lab effect stays below X40's
    ES 0.83 upper bound.
    """
    return 1.0 / (1.0 + gain * support)


def stressor_buffer(ot_central, ot_gain, support, support_gain):
    """How much OT and social support damp a stressor: factor (<= 1) on its cortisol drive.

    ``stress_buffer(OT_central, ot_gain) * support_buffer(support, support_gain)``: the OT stress
    buffer (domain a, :func:`model.physiology.stress_buffer`, ``1 / (1 + ot_gain * max(OT - 1, 0))``)
    times the support buffer. Each acts on its own; together they give the lowest drive
    (Heinrichs et al. 2003, MEMORY). The one rule for every stressor that enters cortisol.
    """
    return phys.stress_buffer(ot_central, ot_gain) * support_buffer(support, support_gain)


def buffered_stress(stress, ot_central, ot_gain, support, support_gain):
    """A stressor's cortisol drive after buffering (units of ``stress``): ``stress * stressor_buffer(...)``."""
    return stress * stressor_buffer(ot_central, ot_gain, support, support_gain)


def partner_touch_hours(shared_hours, couple_support, touch_hours_best):
    """Hours of affectionate partner touch today (h/day) of each partner of a co-resident couple.

    ``min(touch_hours_best * couple_support, shared_hours)``: a couple with the best relationship
    (support 1) touches ``touch_hours_best`` (``partner_touch_per_day``) hours a day, fewer as support
    falls (X39: intimacy time; I14: affectionate touch in daily life; X28: warm-touch practice),
    never more than the hours both are home and awake (``shared_hours``). 0 without a partner.
    """
    return np.minimum(touch_hours_best * couple_support, shared_hours)


def partner_touch_release(social_touch, gain_affectionate, gain_stimulatory, reactivity):
    """Central OT released by an hour of affectionate partner touch (fraction of tone; OT domain d).

    The engine's touch rule :func:`model.physiology.touch_ot_release` for one affectionate, not
    stimulatory, touch hour of the typical adult style (``PARTNER_TOUCH_MATCH``), at the person's
    OT reactivity (M4, M8, I14; X28: salivary OT rises with partner warm touch).
    """
    return phys.touch_ot_release(1.0, 0.0, social_touch, gain_affectionate, gain_stimulatory,
                                 PARTNER_TOUCH_MATCH, 0.0, reactivity)


def partner_touch_day_ot(ot_tone, release, touch_hours):
    """The day's mean central OT (index) with partner touch: ``tone * (1 + release * touch_hours / 24)``.

    Central OT sits at ``tone * (1 + release)`` in a touch hour (:func:`model.physiology.central_ot_step`
    at steady state; its t1/2 of about 25 min, PH2, makes the hour the scale) and at ``tone``
    otherwise; this is the day's time-weighted mean, the OT level that buffers the day's chronic
    stressors.
    """
    return ot_tone * (1.0 + release * touch_hours / HOURS_PER_DAY)


def buffered_cortisol_target(chronic_target, stressor_load, extra_stress, buffer):
    """The day's cortisol target (fraction of mean) with its stressors buffered.

    ``chronic_target - stressor_load + buffer * (stressor_load + extra_stress)``: of the chronic
    target (:func:`model.daily.chronic_cortisol_target`), the stressor part ``stressor_load``
    (poverty, grief/loneliness: :func:`model.daily.chronic_stressor_load`) and the external
    stressor (channel ``extra_stress``) are multiplied by the day's ``buffer``
    (:func:`stressor_buffer`); depression and fatigue are not.
    """
    return chronic_target - stressor_load + buffer * (stressor_load + extra_stress)
