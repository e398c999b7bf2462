"""Initialisation: household shapes and every member's traits, drawn once per run.

Draws use the ``init`` stream only, in a fixed order, so two scenarios with the same seed
start from the same people (common random numbers): a scenario that changes the share of
households with a grandparent changes *which* households have one by a threshold on the same
uniform, not by redrawing everyone.

Sources: A11 adult attachment distribution; P10 mother-father sensitivity (d=-0.27, r=.23);
PH8 lognormal OT set-points; PH5 a central OT tone trait apart from them; I4 adversity lowers
OT; M4 dismissing mothers' smaller OT response; PH14 awakening-response responders; PH17 breastfeeding initiation.
"""

from __future__ import annotations

import numpy as np

from model import physiology as phys
from model.daily import resting_ot_tone
from model.params import ParamSet
from model.state import (
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
    cg.ot_setpoint[:] = phys.ot_plasma_setpoint(
        p.ot_plasma_basal[:, None], p.ot_setpoint_sd[:, None] * z_ot + p.adversity_ot_effect[:, None] * cg.adversity)
    cg.ot_reactivity[:] = np.where(cg.aai == AAI_DISMISSING, p.dismissing_ot_reactivity[:, None], 1.0)
    cg.hpa_reactivity[:] = np.exp(0.3 * rng.standard_normal((h, K)))
    cg.car_responder[:] = rng.random((h, K)) < p.p_car_responder[:, None]
    cg.testosterone_setpoint[:] = phys.testosterone_setpoint(
        np.where(np.arange(K) == FATHER, p.testosterone_mean[:, None], 1.0), rng.standard_normal((h, K)))
    u_emp = rng.random((h, K))
    cg.employed[:, MOTHER] = u_emp[:, MOTHER] < p.p_mother_employed
    cg.employed[:, FATHER] = u_emp[:, FATHER] < 0.95
    # slow states start at their baselines
    cg.ot_plasma_setpoint_now[:] = cg.ot_setpoint
    cg.ot_plasma[:] = cg.ot_setpoint
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
    cg.ot_tone[:] = resting_ot_tone(cg, p)
    cg.ot_central[:] = cg.ot_tone
    cg.distress_sensitivity[:] = draw_distress_sensitivity(p, rng)
    return cg, inf, hh


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
