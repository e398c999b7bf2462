"""Initialisation: household shapes and every member's traits, drawn once per run.

Draws use the ``init`` stream only, in a fixed order, so two scenarios with the same seed
start from the same people (common random numbers): a scenario that changes the share of
households with a grandparent changes *which* households have one by a threshold on the same
uniform, not by redrawing everyone.

Sources: A11 adult attachment distribution; P10 mother-father sensitivity (d=-0.27, r=.23);
PH8 lognormal OT set-points; PH5 a central OT tone trait apart from them; I4 adversity lowers
OT; M4 dismissing mothers' smaller OT response; M10 an OT-system trait raising plasma OT and
sensitivity together, X25 adversity lowering sensitivity, M9 a couple component of the set-point; PH14 awakening-response responders; PH17 breastfeeding initiation.
"""

from __future__ import annotations

import numpy as np
from bonding.model import physiology as phys
from bonding.model.daily import resting_ot_tone
from bonding.model.params import ParamSet
from bonding.model.state import (
    AAI_DISMISSING,
    AAI_PREOCCUPIED,
    DAYCARE,
    FATHER,
    GRANDPARENT,
    MOTHER,
    SIBLING,
    Caregivers,
    Households,
    Infants,
    K,
)

# assumption: prior to any interaction, how bonded each role is at birth (mothers get the
# prenatal OT-linked bond on top, see daily.prenatal_bond)
INITIAL_BOND = np.array([0.2, 0.2, 0.15, 0.1, 0.02])
INSECURE_SENSITIVITY_OFFSET = -0.4  # logit; AAI insecurity lowers sensitivity (assumption)
# mentalising (mind-mindedness) by adult attachment state, logit offsets (assumption after Fonagy et
# al. 1991 and Meins et al. 2001: reflective functioning and mind-related talk are higher in
# autonomous parents; sizes not in targets.md/mechanisms.md)
INSECURE_MENTALISING_OFFSET = -0.8
UNRESOLVED_MENTALISING_OFFSET = -0.5
SECURITY_SOURCES_KEY = 0x5EC  # spawn key of the security traits' own stream, derived from the init stream


def draw_household_shape(p: ParamSet, rng: np.random.Generator):
    """Which slots exist, by threshold on one uniform per slot (CRN-friendly)."""
    h = p.n
    u = rng.random((h, K))
    exists = np.zeros((h, K), bool)
    exists[:, MOTHER] = True
    exists[:, FATHER] = u[:, FATHER] < p.p_father_present
    exists[:, GRANDPARENT] = u[:, GRANDPARENT] < p.p_grandparent_coresident
    exists[:, SIBLING] = u[:, SIBLING] < p.p_older_sibling
    daycare = u[:, DAYCARE] < p.p_daycare
    exists[:, DAYCARE] = daycare
    return exists, daycare


def draw_attachment_states(p: ParamSet, rng: np.random.Generator):
    """Adult attachment (AAI) states and unresolved status, per A11 (58/23/19, +18% unresolved)."""
    h = p.n
    u = rng.random((h, K))
    aai = np.where(u < p.p_aai_dismissing[:, None], AAI_DISMISSING,
                   np.where(u < (p.p_aai_dismissing + p.p_aai_preoccupied)[:, None], AAI_PREOCCUPIED, 0))
    unresolved = rng.random((h, K)) < p.p_unresolved[:, None]
    return aai.astype(np.int8), unresolved


def draw_sensitivity_traits(p: ParamSet, aai, rng: np.random.Generator):
    """Sensitivity trait (logit) with the mother-father correlation of P10."""
    z = rng.standard_normal((p.n, K))
    r = p.couple_sensitivity_corr
    z[:, FATHER] = r * z[:, MOTHER] + np.sqrt(1 - r**2) * z[:, FATHER]
    trait = p.sensitivity_trait_sd[:, None] * z
    trait += np.where(aai > 0, INSECURE_SENSITIVITY_OFFSET, 0.0)
    return trait


def initialise(p: ParamSet, rng: np.random.Generator):
    """Draw a population: returns (Caregivers, Infants, Households)."""
    h = p.n
    cg = Caregivers.empty(h)
    inf = Infants.empty(h)
    exists, daycare = draw_household_shape(p, rng)
    cg.exists[:] = exists
    cg.present[:] = exists
    cg.aai[:], cg.unresolved[:] = draw_attachment_states(p, rng)
    cg.sensitivity_trait[:] = draw_sensitivity_traits(p, cg.aai, rng)
    cg.adversity[:] = rng.standard_normal((h, K))
    z_ot = rng.standard_normal((h, K))
    cg.ot_reactivity[:] = np.where(cg.aai == AAI_DISMISSING, p.dismissing_ot_reactivity[:, None], 1.0)
    cg.hpa_reactivity[:] = np.exp(0.3 * rng.standard_normal((h, K)))
    cg.car_responder[:] = rng.random((h, K)) < p.p_car_responder[:, None]
    cg.testosterone_setpoint[:] = phys.testosterone_setpoint(
        np.where(np.arange(K) == FATHER, p.testosterone_mean[:, None], 1.0), rng.standard_normal((h, K)))
    u_emp = rng.random((h, K))
    cg.employed[:, MOTHER] = u_emp[:, MOTHER] < p.p_mother_employed
    cg.employed[:, FATHER] = u_emp[:, FATHER] < 0.95
    # slow states start at their baselines
    cg.bond[:] = INITIAL_BOND[None, :]
    cg.tonic_da[:] = 0.5
    cg.testosterone[:] = cg.testosterone_setpoint
    cg.estradiol[:] = 100.0
    cg.progesterone[:] = 15.0
    cg.prolactin_base[:] = 15.0
    cg.prolactin[:] = 15.0
    cg.cortisol[:] = p.cortisol_mean[:, None]
    # infants
    inf.temperament[:] = p.temperament_sd * rng.standard_normal(h)
    inf.hpa_reactivity[:] = np.exp(0.3 * rng.standard_normal(h))
    inf.hpa_reactivity_trait[:] = inf.hpa_reactivity  # the state starts at the trait (docs/ODD.md 7.5)
    inf.ot[:] = 1.0
    inf.with_family[:] = True
    inf.cortisol[:] = p.infant_cortisol_mean
    inf.responder[:] = -1
    # pregnancy OT rise of each mother (M3: ~1/3 flat, most rising)
    ot_rise = p.ot_pregnancy_rise + p.ot_pregnancy_rise_sd * rng.standard_normal(h)
    hh = Households(breastfeeding=rng.random(h) < p.p_breastfeeding_initiation, daycare=daycare,
                    ot_rise=ot_rise)
    # drawn last so that every earlier draw is what it was before this trait existed
    cg.ot_tone_trait[:] = draw_central_ot_trait(p, rng)
    cg.distress_sensitivity[:] = draw_distress_sensitivity(p, rng)
    cg.ot_system[:], couple_z = draw_ot_system(p, rng)
    cg.sensitivity_trait += sensitivity_trait_shift(p, cg.ot_system, cg.adversity)
    cg.ot_setpoint[:] = phys.ot_plasma_setpoint(
        p.ot_plasma_basal[:, None], p.ot_setpoint_sd[:, None] * z_ot + p.adversity_ot_effect[:, None] * cg.adversity
        + phys.ot_setpoint_trait_shift(cg.ot_system, p.ot_system_plasma_effect[:, None], couple_z,
                                       p.ot_couple_setpoint_sd[:, None]))
    cg.ot_plasma_setpoint_now[:] = cg.ot_setpoint
    cg.ot_plasma[:] = cg.ot_setpoint
    cg.ot_tone[:] = resting_ot_tone(cg, p)
    cg.ot_central[:] = cg.ot_tone
    cg.couple_support[:] = draw_couple_support(p, rng)
    draw_security_sources(p, cg, inf, rng)
    return cg, inf, hh


COUPLE_SUPPORT_LOGIT_SD = 1.0  # spread of support effectiveness between couples (assumption; X38: it varies)


def draw_couple_support(p: ParamSet, rng: np.random.Generator):
    """Each couple's support effectiveness (0-1), the same for mother and father (a couple-level trait).

    Logit-normal: ``sigmoid(logit(couple_support_mean) + COUPLE_SUPPORT_LOGIT_SD * z)``, one ``z``
    per household (X38: partner support effectiveness differs between couples; its distribution is
    an assumption). Written to the mother's and father's slots; a household without a father
    keeps the value unused (:func:`model.social.support_level` needs the partner present).
    """
    z = rng.standard_normal(p.n)
    m = p.couple_support_mean
    s = 1.0 / (1.0 + np.exp(-(np.log(m / (1.0 - m)) + COUPLE_SUPPORT_LOGIT_SD * z)))
    out = np.zeros((p.n, K))
    out[:, MOTHER] = s
    out[:, FATHER] = s
    return out


def draw_ot_system(p: ParamSet, rng: np.random.Generator):
    """Each person's OT-system trait (z, (H, K)) and each couple's shared set-point component (z, (H, K)).

    The trait stands for receptor and release capacity (OXTR/CD38 genotype and its developmental
    history, M10, X25): it raises the plasma-OT set-point
    (:func:`model.physiology.ot_setpoint_trait_shift`) and the sensitivity trait
    (:func:`sensitivity_trait_shift`) together. The couple component is one standard normal per
    household, given to the mother and the father only (zero for the other slots): a shared
    household context of the set-point (M9). Drawn after every earlier trait, so those are
    what they were before these traits existed.
    """
    ot_system = rng.standard_normal((p.n, K))
    couple = np.zeros((p.n, K))
    couple[:, [MOTHER, FATHER]] = rng.standard_normal(p.n)[:, None]
    return ot_system, couple


def sensitivity_trait_shift(p: ParamSet, ot_system, adversity):
    """Logit added to the sensitivity trait by the OT-system trait and early adversity (H, K).

    ``ot_system_sensitivity_effect * ot_system + adversity_sensitivity_effect * adversity``: the
    same OT-system trait that raises plasma OT raises caregiving (M10: risk alleles, lower pOT and
    less touch), and early adversity lowers caregiving as it lowers plasma OT (X25: recalled care
    goes with more touch and higher pOT; I4 for the OT side, ``adversity_ot_effect``). Plasma OT
    itself does not enter behaviour: the two share causes (mechanisms.md s.3). Sizes: assumption.
    """
    return (p.ot_system_sensitivity_effect[:, None] * ot_system
            + p.adversity_sensitivity_effect[:, None] * adversity)


def draw_distress_sensitivity(p: ParamSet, rng: np.random.Generator):
    """Each caregiver's sensitivity to distress beyond general sensitivity (logit, mean 0).

    Mothers' sensitivity to their infant's distress, not to non-distress, predicts security
    (McElwain & Booth-LaForce 2006), and depends on their own emotional response to crying
    (Leerkes 2011); both from memory, not in targets.md. So it is a trait of its own, added to the
    quality of responses to distress bids only, with SD ``distress_sensitivity_sd`` (assumption).
    General sensitivity, which visits rate, is observed mostly without distress.
    """
    return p.distress_sensitivity_sd[:, None] * rng.standard_normal((p.n, K))


def draw_central_ot_trait(p: ParamSet, rng: np.random.Generator):
    """Each person's stable central OT tone multiplier, lognormal with log-SD ``ot_tone_sd``.

    Central OT differs between people (receptor and release capacity) in ways a plasma reading
    does not show: basal central and peripheral OT correlate only r = .08 (PH5, Valstad et al.
    2017). Without this component, central tone would follow the plasma set-point alone and the
    two would correlate ~.8. Its size is an assumption (0.2 log units keeps the spread of tone
    between people about what the set-point gave it before).
    """
    return np.exp(p.ot_tone_sd[:, None] * rng.standard_normal((p.n, K)))


def security_rng(rng: np.random.Generator) -> np.random.Generator:
    """The stream of the security traits: a child of the ``init`` stream's seed with its own key.

    Derived from the seed, not drawn from the ``init`` stream, so these traits do not shift any
    other trait's draw and no other trait added later shifts them (common random numbers).
    """
    ss = rng.bit_generator.seed_seq
    return np.random.default_rng(np.random.SeedSequence(ss.entropy, spawn_key=(*ss.spawn_key, SECURITY_SOURCES_KEY)))


def draw_security_sources(p: ParamSet, cg: Caregivers, inf: Infants, rng: np.random.Generator):
    """Traits of the sources of security (issue 14.1), in place: mentalising and the family climate.

    * ``cg.mentalising`` (logit): ``offset(AAI, unresolved) + mentalising_sd * (c z_s + sqrt(1 - c^2) z)``
      with ``z_s`` the caregiver's standardised sensitivity draw and ``c`` =
      ``mentalising_sensitivity_corr`` (X1: r = .25); offsets ``INSECURE_MENTALISING_OFFSET`` for
      dismissing and preoccupied states and ``UNRESOLVED_MENTALISING_OFFSET`` for unresolved ones.
    * ``inf.family_stress`` (z): one shared stress/conflict climate per household (X9, X10), which
      lowers every household caregiver's sensitivity trait (not the daycare carer's) by
      ``family_stress_sensitivity`` logit per SD and, in the hour, adds mistimed care
      (:func:`model.learning.family_conflict_evidence`).
    """
    rs = security_rng(rng)
    h = p.n
    sd_s = p.sensitivity_trait_sd[:, None]
    offset_s = np.where(cg.aai > 0, INSECURE_SENSITIVITY_OFFSET, 0.0)
    z_s = np.where(sd_s > 0, (cg.sensitivity_trait - offset_s) / np.where(sd_s > 0, sd_s, 1.0), 0.0)
    c = p.mentalising_sensitivity_corr[:, None]
    z = c * z_s + np.sqrt(1.0 - c ** 2) * rs.standard_normal((h, K))
    cg.mentalising[:] = (np.where(cg.aai > 0, INSECURE_MENTALISING_OFFSET, 0.0)
                         + np.where(cg.unresolved, UNRESOLVED_MENTALISING_OFFSET, 0.0)
                         + p.mentalising_sd[:, None] * z)
    inf.family_stress[:] = rs.standard_normal(h)
    household = np.arange(K) != DAYCARE
    cg.sensitivity_trait[:] -= np.where(household[None, :], p.family_stress_sensitivity[:, None]
                                        * inf.family_stress[:, None], 0.0)
