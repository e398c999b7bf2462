"""Every model parameter, declared once: name, unit, bounds, default, source, meaning.

Scenario files, the command line, sensitivity problems and dashboard sliders are all derived
from :data:`PARAMS`; nothing else in the code base retypes a bound or a default.

Sources are target ids from ``shared/science/targets.md`` (e.g. ``PH13``) with the study they
name, or ``"assumption"`` where no reviewed number exists. A parameter whose mechanism the
evidence does not support directly says so in its meaning.

Households in one population may carry different values: :class:`ParamSet` stores one value
per household, so many parameter points can run together as one vectorised population.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

__all__ = ["Param", "PARAMS", "ParamSet", "ParameterError", "validate_overrides", "param_table"]


class ParameterError(ValueError):
    """A parameter name or value is not allowed. The message is one line naming the field.

    Line breaks and other control characters that a user's input brings into the message (a TOML
    key or a ``--set`` name with a newline) are shown escaped, so the message stays one line.
    """

    def __init__(self, message: str = ""):
        super().__init__("".join(c if c.isprintable() else repr(c)[1:-1] for c in str(message)))


class Teaching(NamedTuple):
    """A parameter in a class's words (the dashboard shows these; code names only on hover)."""

    label: str  # e.g. "Oxytocin released by touch"
    meaning: str  # one plain line
    unit: str  # the unit in words, e.g. "times the usual amount"


@dataclass(frozen=True)
class Param:
    """One declared parameter.

    ``integer`` parameters are stored as floats but must be whole numbers; ``switch``
    parameters are 0/1 flags.
    """

    name: str
    default: float
    lo: float
    hi: float
    unit: str
    source: str
    meaning: str
    group: str
    integer: bool = False
    teaching: Teaching | None = None  # plain-language label for the classroom (dashboard params only)

    def check(self, value: float, field: str | None = None) -> float:
        """Return ``value`` as float, or raise :class:`ParameterError` naming the allowed range."""
        field = field or self.name
        try:
            v = float(value)
        except (TypeError, ValueError):
            raise ParameterError(
                f"{field}: {value!r} is not a number (allowed {self.lo:g} to {self.hi:g} {self.unit})"
            ) from None
        if not np.isfinite(v) or v < self.lo or v > self.hi:
            raise ParameterError(
                f"{field}: {value!r} is out of range (allowed {self.lo:g} to {self.hi:g} {self.unit})"
            )
        if self.integer and v != round(v):
            raise ParameterError(
                f"{field}: {value!r} must be a whole number (allowed {self.lo:g} to {self.hi:g} {self.unit})"
            )
        return v


def _p(name, default, lo, hi, unit, source, meaning, group, integer=False, teaching=None) -> Param:
    return Param(name, float(default), float(lo), float(hi), unit, source, meaning, group, integer, teaching)


_DECLARATIONS: tuple[Param, ...] = (
    # ---------------------------------------------------------------- household shape
    _p("p_father_present", 0.9, 0, 1, "probability", "assumption",
       "share of households with a co-resident father", "household",
       teaching=Teaching('Families with a father at home', 'How many families have a father living with them.', 'share of families (0 = none, 1 = all)')),
    _p("p_grandparent_coresident", 0.1, 0, 1, "probability", "assumption",
       "share of households with a co-resident grandparent (alloparent slot 1)", "household"),
    _p("p_older_sibling", 0.35, 0, 1, "probability", "assumption",
       "share of households with an older sibling who helps with care (alloparent slot 2)", "household"),
    _p("p_daycare", 0.4, 0, 1, "probability", "assumption",
       "share of infants who attend daycare from the daycare start month", "household"),
    _p("daycare_start_month", 12, 3, 24, "month", "assumption",
       "infant age at which daycare starts (weekdays 08-16; the daycare carer is an alloparent)", "household"),
    _p("maternal_leave_months", 6, 0, 24, "month", "assumption",
       "months of maternal leave after birth before returning to weekday work", "household"),
    _p("paternal_leave_months", 0.5, 0, 24, "month", "assumption",
       "months of full-time paternal leave after birth", "household",
       teaching=Teaching("Father's leave", 'How long fathers stay home full-time after the birth.', 'months')),
    _p("p_mother_employed", 0.7, 0, 1, "probability", "assumption",
       "share of mothers who return to weekday work after leave", "household"),
    _p("p_breastfeeding_initiation", 0.83, 0, 1, "probability", "PH17 (US 2019 births, 83.2% ever)",
       "share of mothers who start breastfeeding", "household",
       teaching=Teaching('Mothers who start breastfeeding', 'How many mothers begin breastfeeding.', 'share of mothers (0 = none, 1 = all)')),
    _p("weaning_hazard_per_month", 0.08, 0, 1, "1/month", "PH17 (US: 55.8% any breastfeeding at 6 mo)",
       "monthly hazard that a lactating mother stops breastfeeding", "household"),
    _p("poverty_stress", 0.0, 0, 1, "index", "assumption",
       "chronic household stress (poverty, conflict) adding to caregiver cortisol drive", "household",
       teaching=Teaching('Everyday stress (poverty, conflict)', "Chronic strain on the household that keeps carers' stress hormone up.", '0 = none, 1 = severe')),
    # ---------------------------------------------------------------- caregiver traits
    _p("p_aai_dismissing", 0.23, 0, 1, "probability", "A11 (Bakermans-Kranenburg & van IJzendoorn 2009)",
       "share of caregivers with a dismissing adult attachment state", "traits"),
    _p("p_aai_preoccupied", 0.19, 0, 1, "probability", "A11",
       "share of caregivers with a preoccupied adult attachment state", "traits"),
    _p("p_unresolved", 0.18, 0, 1, "probability", "A11",
       "share of caregivers additionally classified unresolved (loss or trauma)", "traits",
       teaching=Teaching('Carers with unresolved loss or trauma', 'How many carers still live with an unresolved loss; it can make care frightening.', 'share of carers (0 = none, 1 = all)')),
    _p("sensitivity_trait_sd", 0.8, 0, 2, "logit", "assumption",
       "between-caregiver SD of the sensitivity trait on the logit scale", "traits"),
    _p("father_sensitivity_offset", 0.4, -2, 1, "logit",
       "P10 (Deneault et al. 2022, d=-0.27), hand-set so that the emergent observed d matches (virtual study "
       "P10_d): fathers' experience (less care, so lower central OT, bond and motivation) already lowers their "
       "attunement by ~0.65 logit",
       "fathers' sensitivity trait relative to mothers' (before what experience adds)", "traits"),
    _p("distress_sensitivity_sd", 0.8, 0, 2, "logit",
       "assumption (McElwain & Booth-LaForce 2006; Leerkes 2011: sensitivity to distress predicts security)",
       "between-caregiver SD of an extra logit on the quality of responses to distress, apart from general sensitivity",
       "traits"),
    _p("couple_sensitivity_corr", 0.5, 0, 0.9, "correlation",
       "P10 (r=.23 observed), hand-set so that the emergent observed r matches (virtual study P10_r): the "
       "division of care lowers it; assortative pairing and shared context as its source: assumption",
       "correlation of mother and father sensitivity traits within couples", "traits"),
    _p("ot_setpoint_sd", 0.5, 0.1, 1.2, "log units", "PH8 (40-fold ELISA range; narrowed for assay artefact PH6: assumption)",
       "between-person SD of log plasma-OT set-point", "traits"),
    _p("adversity_ot_effect", -0.1, -0.5, 0.2, "log units per SD", "I4 (Ellis et al. 2021, r=-.09 to -.12)",
       "shift of log OT set-point per SD of early adversity", "traits"),
    _p("dismissing_ot_reactivity", 0.5, 0, 1.5, "ratio", "M4 (Strathearn et al. 2009)",
       "contact-evoked OT release of dismissing caregivers relative to autonomous ones", "traits"),
    # ---------------------------------------------------------------- oxytocin
    _p("ot_plasma_basal", 4.0, 1, 20, "pg/ml", "PH7 (extracted RIA basal < 10 pg/ml)",
       "median basal plasma OT of non-pregnant adults (extracted-assay scale)", "oxytocin"),
    _p("ot_plasma_halflife", 3.0, 1, 6, "min", "PH1 (t1/2 1-6 min, typically 3)",
       "plasma OT elimination half-life", "oxytocin"),
    _p("ot_central_halflife", 25.0, 15, 35, "min", "PH2 (CSF t1/2 19-28 min)",
       "central (CSF) OT clearance half-life", "oxytocin"),
    _p("ot_central_plasma_coupling", 1.0, 0, 1, "fraction",
       "PH5 (Valstad 2017: r=.49 after a stressor, against basal r=.08, which holds at rest for any value: "
       "virtual study PH5 uses the resting samples); I10 (sOT rise during skin-to-skin, p<.001, n=28). Set to "
       "its upper bound, coordinated central and peripheral release (assumption); even so I10 comes out "
       "significant in only half the replicates",
       "share of a central OT release episode (touch) that also reaches plasma, as a fraction of the set-point",
       "oxytocin"),
    _p("ot_pregnancy_rise", 0.6, 0, 2, "log units", "PH8, M3 (rise 1st to 3rd trimester; 1/3 flat)",
       "mean rise of log plasma OT from first to third trimester", "oxytocin"),
    _p("ot_pregnancy_rise_sd", 0.6, 0, 2, "log units", "M3 (Levine et al. 2007: flat, rising, falling, late peak)",
       "between-mother SD of the pregnancy OT rise", "oxytocin"),
    _p("suckling_ot_pulse", 6.0, 0, 30, "pg/ml per pulse", "PH10 (about 5 pulses per 10 min)",
       "peak plasma OT added by one suckling-evoked pulse", "oxytocin"),
    _p("suckling_pulses_per_10min", 5.0, 0, 10, "pulses/10 min", "PH10 (Uvnaes-Moberg et al. 2020)",
       "OT pulse rate during a breastfeed", "oxytocin"),
    _p("touch_ot_gain_affectionate", 0.35, 0, 2, "fraction of set-point per hour", "M8, I14 (direction only)",
       "rise in OT (central and plasma) after an hour with affectionate touch", "oxytocin"),
    _p("touch_ot_gain_stimulatory", 0.35, 0, 2, "fraction of set-point per hour", "M8, P8 (direction only)",
       "rise in OT after an hour with stimulatory (proprioceptive) touch", "oxytocin"),
    _p("touch_style_match", 0.7, 0, 1, "fraction", "M8 (OT rose only in affectionate mothers, stimulatory fathers)",
       "how much touch-evoked OT depends on the role-typical touch (1 = only the typical style releases OT)", "oxytocin"),
    _p("infant_touch_ot_gain", 0.4, 0, 2, "fraction of set-point per hour", "S2, I10 (infant OT rises with contact)",
       "rise in infant OT after an hour of touch", "oxytocin"),
    _p("ot_tone_plasticity_days", 30, 5, 120, "day", "assumption (M9: OT rises over 6 mo of parenting)",
       "time constant of central OT tone tracking affiliative experience", "oxytocin"),
    _p("ot_trait_coupling", 0.0, 0, 1, "exponent",
       "PH5 (basal central-peripheral r=.08). Was 0.05 (hand-set for PH5); set to 0 with the peripheral-OT "
       "mechanisms (issue 14 item 3), whose common causes (OT-system trait, contact) now give the basal "
       "correlation: latent r(tone, set-point) of mothers at 3 mo ~.09 at 0, ~.22 at 0.05 (600 households, "
       "seeds 11-12), against PH5's 95% interval -.07 to .23",
       "how much a person's plasma-OT set-point is reflected in central OT tone (weak)", "oxytocin"),
    _p("ot_tone_sd", 0.2, 0, 0.6, "log units", "assumption (size); PH5 (that it is mostly not plasma's)",
       "between-person SD of log central OT tone not shared with the plasma set-point", "oxytocin"),
    _p("ot_tone_affiliation_gain", 0.25, 0, 1, "index per daily touch-hour", "M9 (direction only)",
       "rise of central OT tone per daily hour of affiliative contact (EWMA)", "oxytocin"),
    # ---------------------------------------------------------------- peripheral oxytocin (issue 14, item 3)
    _p("ot_system_plasma_effect", 0.2, 0, 0.5, "log units per SD",
       "M10 (Feldman et al. 2012: OXTR/CD38 risk alleles -> lower pOT), X25 (direction); size: mechanisms.md "
       "s.3 (genotype term |d| <= .2; common factor loading ~.45 on pOT) and X26 (OXTR effects near zero): "
       "assumption",
       "shift of the log plasma-OT set-point per SD of the person's OT-system trait (receptor and release "
       "capacity; 0 = off)", "oxytocin"),
    _p("ot_system_sensitivity_effect", 0.2, 0, 0.6, "logit per SD",
       "M10 (risk alleles and low pOT -> less touch and gaze synchrony), X25 (more touch); size: X26 (OXTR -> "
       "behaviour ~0) and mechanisms.md s.3 (true pOT-caregiving rho .10-.20): assumption",
       "shift of the sensitivity trait per SD of the OT-system trait (0 = off)", "oxytocin"),
    _p("adversity_sensitivity_effect", -0.15, -0.5, 0, "logit per SD",
       "X25 (recalled childhood care -> more touch toward the infant, higher pOT), X11/X19 (high-risk "
       "families: less security, direction); size: assumption",
       "shift of the sensitivity trait per SD of the caregiver's early adversity (0 = off; the pOT side is "
       "adversity_ot_effect)", "oxytocin"),
    _p("ot_contact_setpoint_gain", 0.03, 0, 0.2, "log units per daily touch-hour",
       "PH9 (breastfeeders higher basal OT at 3-4 mo), X27 (more partner hugs -> higher basal pOT), X28 (4 wk "
       "warm touch -> sOT up), I14 (touch -> sOT within person), M9 (pOT rose over 6 mo); size: assumption, "
       "kept small because M9 found no mother-father difference while mothers touch ~4x as many hours "
       "(~9 vs ~2 h/day at 4 mo), i.e. ~+0.25 log units for mothers, ~+0.07 for fathers",
       "rise of the log plasma-OT set-point per daily hour of affiliative contact (two-week running mean), "
       "at equilibrium (0 = off)", "oxytocin"),
    _p("ot_contact_setpoint_days", 60, 14, 180, "day",
       "assumption (X28: sOT up within 4 weeks of warm-touch practice; M9: rise across 6 months)",
       "time constant of the plasma-OT set-point's drift with contact history", "oxytocin"),
    _p("ot_couple_setpoint_sd", 0.25, 0, 0.5, "log units",
       "M9 (Gordon et al. 2010: husband and wife pOT correlated, r not retrieved), X24 (couples); size: "
       "assumption",
       "SD of a household component of the log plasma-OT set-point shared by mother and father (0 = off)",
       "oxytocin"),
    # ---------------------------------------------------------------- four OT domains (switchable)
    _p("ot_stress_buffering", 0.5, 0, 2, "gain", "Patin et al. 2018 (stress buffering); I13",
       "domain (a): how strongly OT damps the cortisol response of both partners (0 = off)", "ot_domains",
       teaching=Teaching('Oxytocin calms stress', "How strongly oxytocin damps the carers' cortisol response.", 'strength (0 = off)')),
    _p("ot_emotion_recognition", 0.6, 0, 2, "logit per log-unit OT", "I1, I2 (IN-OT recognition d~0.2-0.3)",
       "domain (b): OT raises cue detection and sensitive responding (0 = off)", "ot_domains",
       teaching=Teaching('Oxytocin sharpens reading the baby', "How much oxytocin helps carers notice and read the baby's signals.", 'strength (0 = off)')),
    _p("ot_synchrony", 0.8, 0, 2, "gain", "S1, S2, S4 (direction only)",
       "domain (c): OT raises affect coupling between caregiver and infant (0 = off)", "ot_domains",
       teaching=Teaching('Oxytocin keeps carer and baby in tune', "How much oxytocin couples the carer's and the baby's moods.", 'strength (0 = off)')),
    _p("ot_social_touch", 1.0, 0, 2, "gain", "M8, I10, I14",
       "domain (d): multiplier on touch-evoked OT release in both partners (0 = off)", "ot_domains",
       teaching=Teaching('Oxytocin released by touch', 'How much oxytocin touch and holding release in carer and baby.', 'times the usual amount (0 = none)')),
    _p("ot_reward_optimum", 4.0, 1, 8, "index",
       "assumption (inverted U: Borland et al. 2019; placed at the top of the endogenous range, the 90th "
       "percentile of mothers' central OT at 3-6 months, so that more endogenous OT brings more reward, "
       "the direction of M2/M9; only exogenous doses reach the falling limb)",
       "central OT level (relative to tone 1) at which social reward is largest", "ot_domains"),
    # ---------------------------------------------------------------- cortisol
    _p("cortisol_halflife", 66, 40, 120, "min", "PH13 (plasma t1/2 66 min)",
       "cortisol clearance half-life", "cortisol"),
    _p("cortisol_mean", 250, 100, 500, "nmol/l", "assumption (adult plasma reference range)",
       "daily mean plasma cortisol of an unstressed adult", "cortisol"),
    _p("car_rise", 0.5, 0, 1.5, "fraction", "PH14 (+50% in 30 min after waking)",
       "cortisol awakening response relative to the pre-waking level", "cortisol"),
    _p("p_car_responder", 0.75, 0, 1, "probability", "PH14 (~75% responders)",
       "share of adults with a cortisol awakening response", "cortisol"),
    _p("cry_stress", 0.35, 0, 2, "fraction of mean per hour", "assumption",
       "caregiver cortisol drive from an hour of unsoothed infant crying", "cortisol"),
    _p("depression_cortisol", 0.25, 0, 1, "fraction of mean", "assumption",
       "extra cortisol drive while depressed", "cortisol"),
    _p("infant_cortisol_mean", 8.0, 2, 20, "nmol/l (saliva)", "assumption (infant salivary range)",
       "infant baseline salivary cortisol", "cortisol"),
    _p("infant_hpa_gain_2mo", 0.5, 0, 4, "fraction of mean per distress unit", "PH15 (high at 2 mo)",
       "infant cortisol response to full distress at 2 months", "cortisol"),
    _p("infant_hpa_damping_months", 3.5, 1, 10, "month", "PH15 (lower by 4 mo, absent by 12-15 mo)",
       "time constant of the developmental damping of infant HPA reactivity after 2 months", "cortisol"),
    _p("contact_buffering", 0.6, 0, 1, "fraction", "I10, I13 (SSC lowers infant cortisol)",
       "share of the infant's cortisol drive removed by sensitive contact (social buffering)", "cortisol"),
    # ---------------------------------------------------------------- adult social layer
    _p("support_stress_buffering", 1.0, 0, 3, "gain",
       "X38 (most effective partner support -50.4% of the distress-to-cortisol effect: gain 1 at support 1); "
       "X40 (lab support, cortisol ES 0.83, upper bound); X36",
       "how strongly social support divides the cortisol drive of every stressor of a parent, "
       "1 / (1 + gain x support) (0 = off)", "social"),
    _p("couple_support_mean", 0.6, 0.05, 0.95, "index (0-1)", "assumption (X38: couples differ in support effectiveness)",
       "median support effectiveness of a couple (logit-normal across couples, logit SD 1)", "social"),
    _p("grandparent_support", 0.3, 0, 1, "index (0-1)", "assumption",
       "support a co-resident grandparent gives each parent (combined with the partner's as independent sources)",
       "social"),
    _p("partner_touch_per_day", 0.5, 0, 3, "hours/day",
       "assumption (X28: warm-touch practice 30 min 3x/week raises salivary OT; X39: intimacy time lowers daily "
       "cortisol; I14: touch raises sOT in daily life)",
       "hours of affectionate partner touch a day of a couple with the best support, in hours both are home "
       "and awake; fewer with less support (0 = off)", "social"),
    # ---------------------------------------------------------------- dopamine, bond, sensitivity
    _p("bond_learning_rate", 0.01, 0, 0.2, "per rewarding episode", "assumption (RPE learning, prior-models 2.3)",
       "rate at which rewarding episodes and positive dopamine prediction errors consolidate the bond", "reward"),
    _p("bond_decay_per_day", 0.01, 0, 0.1, "1/day", "assumption",
       "daily decay of the bond (use it or lose it)", "reward"),
    _p("motivation_gain", 2.0, 0, 5, "logit per bond unit", "assumption (tonic DA sets vigour)",
       "how strongly bond and tonic dopamine raise the motivation to respond", "reward"),
    _p("prenatal_bond_ot_gain", 0.4, 0, 1, "bond per log-unit OT rise", "M3 (OT rise ~ maternal-fetal bonding)",
       "maternal bond at birth per log-unit rise of OT across pregnancy", "reward"),
    _p("base_detection", 0.0, -3, 3, "logit", "assumption",
       "logit of detecting an infant cue for an average caregiver", "sensitivity"),
    _p("cortisol_detection", 0.8, 0, 3, "logit per unit excess", "assumption (stress lowers recognition)",
       "drop in detection and sensitivity per unit of cortisol above the circadian mean", "sensitivity"),
    _p("depression_detection", 1.0, 0, 3, "logit", "assumption (PPD lowers responsiveness)",
       "drop in detection and sensitivity while depressed", "sensitivity"),
    _p("fatigue_detection", 0.8, 0, 3, "logit per unit fatigue", "assumption",
       "drop in detection and sensitivity per unit of fatigue", "sensitivity"),
    _p("night_detection", 1.0, 0, 4, "logit", "assumption",
       "drop in detection while asleep (cries still wake caregivers)", "sensitivity"),
    _p("base_sensitivity", 1.2, -2, 3, "logit", "assumption (calibrated to A6/A7)",
       "logit of a prompt, appropriate response for an average caregiver", "sensitivity"),
    _p("unresolved_distress_blunting", 0.5, 0, 3, "logit", "M7 (Kim et al. 2014: blunted response to own infant's sadness)",
       "drop in detecting the infant's distress for caregivers with unresolved loss or trauma", "sensitivity"),
    _p("p_frightening_base", 0.02, 0, 0.25, "probability per insensitive response", "assumption (prior-models 1.4; Main & Hesse)",
       "probability of frightening behaviour in an insensitive response of an unresolved caregiver at mean cortisol", "sensitivity"),
    _p("frightening_cortisol", 1.5, 0, 4, "log-odds per unit excess", "assumption",
       "rise in frightening behaviour per unit of cortisol above the circadian mean", "sensitivity"),
    _p("father_stimulatory_share", 0.65, 0, 1, "probability", "M8, M9 (paternal stimulatory style)",
       "share of a father's social play that is stimulatory touch", "sensitivity"),
    _p("mother_stimulatory_share", 0.25, 0, 1, "probability", "M8, M9 (maternal affectionate style)",
       "share of a mother's social play that is stimulatory touch", "sensitivity"),
    _p("mother_role_weight", 2.0, 0.1, 10, "ratio", "assumption (division of labour)",
       "weight of the mother in deciding who responds, relative to 1 for the father", "sensitivity"),
    _p("grandparent_role_weight", 0.8, 0.1, 10, "ratio", "assumption (division of labour; model.roles)",
       "weight of a co-resident grandparent in deciding who responds, relative to 1 for the father", "sensitivity"),
    _p("sibling_role_weight", 0.3, 0.1, 10, "ratio", "assumption (an older sibling helps, rarely leads; model.roles)",
       "weight of an older sibling in deciding who responds, relative to 1 for the father", "sensitivity"),
    _p("sibling_stimulatory_share", 0.5, 0, 1, "probability", "assumption (no role-typical style; model.roles)",
       "share of an older sibling's social play that is stimulatory touch", "sensitivity"),
    _p("daycare_stimulatory_share", 0.4, 0, 1, "probability", "assumption (no role-typical style; model.roles)",
       "share of a daycare carer's social play that is stimulatory touch", "sensitivity"),
    # ---------------------------------------------------------------- sources of security (issue 14.1)
    _p("mentalising_evidence_gain", 0.2, 0, 3, "evidence per engaged episode (answered-bid units)",
       "X1 (Zeegers et al. 2017: mentalization-security r=.24 controlling sensitivity), X2 (Meins et al. 2001); "
       "size: assumption (range 0.1-1)",
       "representational channel: working-model evidence from the responder's mind-related talk in each engaged "
       "episode, appropriate (good) or non-attuned (mistimed) by the caregiver's mentalising trait (0 = off)", "security"),
    _p("mentalising_sd", 1.0, 0, 2, "logit",
       "assumption (X1: mentalization varies between parents; spread of appropriate mind-related comments, X2)",
       "between-caregiver SD of the mentalising (mind-mindedness) trait", "security"),
    _p("mentalising_sensitivity_corr", 0.2, 0, 0.9, "correlation",
       "X1 (r(mentalization, sensitivity)=.25, range .15-.35); the adult attachment state adds a little",
       "correlation of the mentalising trait with the sensitivity trait, apart from the adult attachment state",
       "security"),
    _p("susceptibility_gain", 0.5, 0, 1.5, "log units per SD of negative reactivity",
       "X5 (susceptible r=.33 vs ~.08 MEMORY), X6, X7 (top vs bottom tercile ~3x); form: assumption",
       "differential susceptibility: how much more the working model of a negatively reactive infant departs from "
       "a typical caregiver's, for better and for worse (exp(gain * temperament); 0 = off)", "security"),
    _p("family_stress_sensitivity", 0.25, 0, 1, "logit per SD",
       "X9 (Booth et al. 2018: parenting stress vs sensitivity r=-.13; sociodemographic up to .32)",
       "drop in every household caregiver's sensitivity trait per SD of the shared family stress/conflict climate "
       "(0 = off)", "security"),
    _p("family_conflict_evidence", 0.03, 0, 0.3, "evidence per answered bid per SD",
       "X10 (Tan et al. 2018: inter-parental conflict vs security r=-.28); size: assumption",
       "share of an answered bid added as tense, mistimed care in a household with above-average family stress "
       "(spill-over of conflict into care; 0 = off)", "security"),
    _p("inconsistency_hyperactivation", 0.25, 0, 1, "share",
       "assumption after Ainsworth et al. 1978 (C: inconsistently responsive mothers) and Cittern et al. 2018 "
       "(inconsistent caregivers -> ambivalence)",
       "share of the ignored bids of an otherwise responsive caregiver (weighted by expected responsiveness) read as "
       "inconsistency (hyperactivating) rather than rejection (deactivating) (0 = off)", "security"),
    # ---------------------------------------------------------------- synchrony
    _p("sync_coupling", 1.0, 0, 5, "1/min", "assumption (coupled oscillators, prior-models 2.5)",
       "affect coupling of a sensitive caregiver to the infant during engagement", "synchrony"),
    _p("sync_damping", 1.0, 0.1, 5, "1/min", "assumption",
       "damping (self-regulation rate) of each partner's affect", "synchrony"),
    _p("testosterone_sync", 0.3, 0, 2, "fraction per log-unit T", "P3 (small T-parenting link g=0.14)",
       "reduction of paternal coupling per log-unit of testosterone above set-point", "synchrony"),
    # ---------------------------------------------------------------- sources of disorganisation (ODD 7.2)
    _p("fright_stress_risk", 0.2, 0, 3, "fright risk per unit cortisol excess",
       "assumption (range 0-3; X17, X19: anomalous behaviour and D follow stress and contextual risk with "
       "unresolved loss held fixed; Main & Hesse 1990: frightened behaviour). Size: at the chronic excess of "
       "severe poverty (0.5) the stress road carries half the depression risk (0.2), below unresolved loss "
       "(X17: U is linked to anomalous behaviour, r=.26); 1.0 made every caregiver of a poor population a source "
       "of alarm (D 86% at poverty_stress 1, against A1's two to three times the low-risk 15%)",
       "frightening/frightened-behaviour risk added per unit of the caregiver's cortisol above the circadian mean, "
       "relative to 1 for unresolved loss in an insecure caregiver (0 = fright needs unresolved loss or depression)",
       "disorganisation"),
    _p("p_disrupted_base", 0.005, 0, 0.25, "probability per insensitive response",
       "assumption (range 0-0.25; AMBIANCE, Lyons-Ruth et al. 1999; X17: anomalous behaviour -> D r=.34; "
       "X18: disconnected behaviour predicts D). Size: the reference caregiver (no risk, mean sensitivity) is "
       "not a source of alarm, its steady-state evidence (~1 unit) giving a fear of the caregiver below 0.1 "
       "in the SSP (disruption_scale 10); 0.02 made it one (fear ~0.4, D 26% at defaults)",
       "chance that an insensitive response of a reference caregiver (no risk, mean sensitivity) carries disrupted "
       "affective communication (withdrawal, role confusion, negative intrusion, affective errors); 0 = off",
       "disorganisation"),
    _p("cumulative_risk_disruption", 0.4, 0, 1.5, "log-rate per risk",
       "X19 (Cyr et al. 2010: >= 5 socio-economic risks D d=1.20; high- vs low-risk d=.48), X20 (low SES r=.28); "
       "size assumption (range 0-1.5)",
       "rise of the log-rate of disrupted communication per household risk (poverty, single parent, "
       "adversity-exposed mother, parental depression); 0 = off", "disorganisation"),
    # ---------------------------------------------------------------- sex steroids, prolactin
    _p("prolactin_lactating_6mo", 50, 10, 150, "ng/ml", "PH11 (~100 at 3 mo, ~50 at 6 mo)",
       "baseline prolactin of a lactating mother at 6 months", "steroids"),
    _p("prolactin_suckling_fold", 2.0, 1, 8.5, "fold", "PH11 (suckling ~doubles PRL; Noel up to 8.5x)",
       "prolactin rise during a feed relative to baseline", "steroids"),
    _p("estradiol_fold_pregnancy", 50, 10, 100, "fold", "PH12 (E2 ~50x pre-pregnancy; L)",
       "third-trimester estradiol relative to pre-pregnancy", "steroids"),
    _p("testosterone_mean", 18, 8, 30, "nmol/l", "assumption (adult male reference range)",
       "fathers' pre-pregnancy testosterone set-point", "steroids"),
    _p("testosterone_care_drop", 0.04, 0, 0.2, "fraction per daily care-hour", "P1 (>=3 h/day care -> lower T)",
       "fall of the testosterone set-point per daily hour of hands-on care (EWMA)", "steroids"),
    _p("testosterone_fatherhood_drop", 0.16, 0, 0.5, "fraction", "P1, P5 (fathers' T falls before and after birth; set so that P1's -26% median holds at 12 months)",
       "fall of testosterone across the transition to fatherhood, without care effects", "steroids"),
    # ---------------------------------------------------------------- depression, fatigue, grief
    # depression: a latent clinical episode (major + minor, as a structured interview finds it); a
    # screen (EPDS) is the lab's observation of it (experiments.lab.measures.DepressionScreen)
    _p("maternal_depression_onset_early", 0.0015, 0, 0.05, "per day",
       "X68, X70 (mechanisms.md 7, worked calibration: period prevalence 0-3 mo 19.2%; range 0.0010-0.0018)",
       "maternal onset hazard of a depressive episode in the first 3 postpartum months", "mood"),
    _p("maternal_depression_onset_late", 0.00018, 0, 0.02, "per day",
       "X68, X70, X73 (mechanisms.md 7: 0.00015-0.0002 after 3 mo; range 0.0001-0.0002); "
       "the same hazard in the third trimester is an assumption",
       "maternal onset hazard in the third trimester and from 3 months postpartum", "mood"),
    _p("maternal_prenatal_depression", 0.08, 0, 1, "share",
       "X68, X69, X75 (mechanisms.md 7: prevalence at birth 0.06-0.10; about a third of cases begin in pregnancy)",
       "share of mothers in an episode at the start of the risk window (third trimester, 90 days before birth)",
       "mood"),
    _p("paternal_depression_onset_base", 0.0002, 0, 0.02, "per day",
       "assumption (range 0.0001-0.0004; X79: new paternal depression 3.4% by 3 mo, 4.0% by 12 mo)",
       "paternal onset hazard outside the 3-6 month peak", "mood"),
    _p("paternal_depression_onset_peak", 0.0006, 0, 0.05, "per day",
       "assumption (range 0-0.0012; P9: paternal prevalence peaks 3-6 months postpartum)",
       "extra paternal onset hazard at the peak (Gaussian in age: centre 135 days, SD 60 days)", "mood"),
    _p("paternal_prenatal_depression", 0.05, 0, 1, "share",
       "assumption (range 0.02-0.10; P9: 10.4% screen prevalence 1st trimester to 1 y; X75)",
       "share of fathers in an episode at the start of the risk window", "mood"),
    _p("depression_remission_days", 90, 30, 720, "day",
       "X72, X74, X75 (mechanisms.md 7: most episodes remit within months, mean 60-120 d)",
       "mean duration of a remitting (non-chronic) depressive episode", "mood"),
    _p("depression_chronic_share", 0.3, 0, 1, "share",
       "X72, X74 (a chronic subgroup; mechanisms.md 7: 20-35%)",
       "share of new episodes that are chronic", "mood"),
    _p("depression_chronic_days", 540, 180, 1095, "day",
       "X72 (high-persistent 4.5% over 3 y; mechanisms.md 7: mean 1-2 y)",
       "mean duration of a chronic depressive episode", "mood"),
    _p("maternal_depression_hazard_ratio", 1, 0, 20, "ratio",
       "1 = the population (X68-X70); X71: high- vs low-risk mothers 25% vs 6% in the first year (about x4)",
       "multiplier of the maternal onset hazard for a risk group (0 = no new maternal episodes)", "mood"),
    _p("low_ot_depression_risk", 0.3, -1, 1.5, "log hazard ratio per log-unit", "M15 vs M17 (direction uncertain)",
       "rise in the onset hazard per log-unit of OT tone below 1 (uncertain direction)", "mood"),
    _p("stress_depression_risk", 1.2, 0, 3, "log hazard ratio per unit", "assumption (range 0-2; X73 life stress)",
       "rise in the onset hazard per unit of chronic stress (cortisol excess, fatigue, poverty) above an "
       "average new parent's", "mood"),
    _p("partner_depression_risk", 1.1, 0, 3, "log hazard ratio",
       "assumption (range 0.4-1.8, hazard ratio 1.5-6; X75, X79: a partner's depression raises the "
       "onset risk of both parents, size not retrieved; X77 r=.24-.28 is the calibration target)",
       "rise in the onset hazard while the partner is depressed (0 = no partner contagion)", "mood"),
    _p("fatigue_per_night_hour", 0.05, 0, 0.5, "unit per hour", "assumption",
       "fatigue added by an hour of night care", "mood"),
    _p("fatigue_recovery_days", 3, 0.5, 20, "day", "assumption",
       "time constant of recovery from fatigue", "mood"),
    _p("grief_loneliness", 1.0, 0, 2, "index", "Patin et al. 2018 (loneliness in grief)",
       "loneliness after losing a co-caregiver; raises cortisol and lowers OT tone", "mood"),
    _p("grief_recovery_days", 180, 30, 720, "day", "assumption",
       "time constant of recovery from loneliness after a loss", "mood"),
    # ---------------------------------------------------------------- infant
    _p("temperament_sd", 1.0, 0, 2, "SD", "assumption",
       "between-infant SD of negative reactivity", "infant"),
    _p("hunger_interval_newborn", 2.5, 1, 5, "hour", "assumption (newborn feeds 8-12 per day)",
       "hours for hunger to build from fed to urgent in a newborn", "infant"),
    _p("hunger_interval_12mo", 4.5, 2, 8, "hour", "assumption",
       "hours for hunger to build from fed to urgent at 12 months", "infant"),
    _p("contact_need_rate", 0.15, 0, 1, "per hour", "assumption",
       "growth of the infant's need for contact per awake hour without contact", "infant"),
    _p("iwm_distress_weight", 2.0, 0, 5, "exponent", "prior-models 1.1 (Petters: learning under distress)",
       "how much more a bid under distress shapes the working model (0 = all bids equal)", "infant"),
    _p("iwm_memory_days", 120, 14, 720, "day", "assumption",
       "time constant over which old evidence fades from the infant's working model", "infant"),
    _p("iwm_prior_strength", 4.0, 0.5, 50, "pseudo-bids", "prior-models 1.3/1.4 (Beta prior)",
       "strength of the infant's neutral prior expectation of each caregiver", "infant"),
    _p("bid_directedness", 0.5, 0, 1, "exponent",
       "assumption (attachment hierarchy: Schaffer & Emerson 1964; Bowlby 1969)",
       "how much an unanswered bid counts against the caregivers present in proportion to their "
       "familiarity (0 = equally)", "infant"),
    # ---------------------------------------------------------------- programmes' lasting pathways (issue 14, item 5)
    _p("session_care_weight", 1.0, 0, 4, "episodes per session hour",
       "assumption (a skin-to-skin hour is sensitive, affectionate contact: I10, X49)",
       "how many sensitive, affectionate care episodes an hour of a contact session counts as in the "
       "caregiver's bond learning and the infant's working model (0 = sessions do not count as care)",
       "programmes"),
    _p("early_contact_weaning", 0.5, 0, 1.5, "log hazard ratio",
       "I12 (RR 1.27 breastfeeding at 1-4 mo; X46 RR 1.24, X47 1.17) at an assumed usual-care rate of 55%",
       "reduction of the weaning log-hazard in months 0-4 at a full early-contact dose (mother's "
       "skin-to-skin hours in the first 4 weeks); 0 = early contact does not change weaning", "programmes"),
    _p("infant_hpa_programming", 0.5, 0, 2, "exponent",
       "assumption (direction: X55 adversity raises reactivity, I11 and X50 early contact lowers it, X53)",
       "how strongly the infant's HPA reactivity follows its early care, as the power of the ratio of "
       "unsoothed crying to contact hours, while the developmental window is open (0 = a fixed trait)",
       "programmes"),
)

PARAMS: dict[str, Param] = {p.name: p for p in _DECLARATIONS}


def validate_overrides(overrides: Mapping[str, object], where: str = "") -> dict[str, float]:
    """Check a mapping of parameter overrides by name and bounds.

    Returns the overrides as floats. Raises :class:`ParameterError` with a one-line message
    naming the field (prefixed by ``where``, e.g. a scenario file) and the allowed range.
    """
    out: dict[str, float] = {}
    for name, value in overrides.items():
        field = f"{where}{name}"
        if name not in PARAMS:
            close = [n for n in PARAMS if n.split("_")[0] == str(name).split("_")[0]][:3]
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            raise ParameterError(f"{field}: unknown parameter{hint}; `bonding params` lists them")
        out[name] = PARAMS[name].check(value, field)
    return out


class ParamSet:
    """Parameter values for a population: one float64 array of length ``n`` per parameter.

    Attribute access returns the per-household array (``p.cortisol_mean``). Households in one
    population may hold different values, which lets a whole sensitivity design run as one
    vectorised population.
    """

    def __init__(self, values: Mapping[str, np.ndarray], n: int):
        self.n = int(n)
        self._values = {k: np.asarray(v, dtype=np.float64) for k, v in values.items()}
        for k, v in self._values.items():
            if v.shape != (self.n,):
                raise ParameterError(f"{k}: expected {self.n} household values, got shape {v.shape}")

    @classmethod
    def uniform(cls, n: int, overrides: Mapping[str, object] | None = None) -> ParamSet:
        """All ``n`` households share the defaults updated by ``overrides`` (validated)."""
        vals = {name: p.default for name, p in PARAMS.items()}
        vals.update(validate_overrides(overrides or {}))
        return cls({k: np.full(n, v) for k, v in vals.items()}, n)

    @classmethod
    def stacked(cls, points: Iterable[Mapping[str, object]], households_per_point: int) -> ParamSet:
        """Concatenate parameter points, ``households_per_point`` households each."""
        sets = [cls.uniform(households_per_point, pt) for pt in points]
        if not sets:
            raise ParameterError("points: at least one parameter point is needed")
        n = sum(s.n for s in sets)
        return cls({k: np.concatenate([s._values[k] for s in sets]) for k in PARAMS}, n)

    def __getattr__(self, name: str) -> np.ndarray:
        try:
            return self.__dict__["_values"][name]
        except KeyError:
            raise AttributeError(name) from None

    def scalar(self, name: str) -> float:
        """The value of ``name`` if all households share it (used for manifests)."""
        v = self._values[name]
        if not np.all(v == v[0]):
            raise ParameterError(f"{name}: households hold different values")
        return float(v[0])

    def as_dict(self) -> dict[str, float | list[float]]:
        """Scalars where households agree, lists otherwise (for manifests)."""
        out: dict[str, float | list[float]] = {}
        for k, v in self._values.items():
            out[k] = float(v[0]) if np.all(v == v[0]) else v.tolist()
        return out


def param_table(markdown: bool = True) -> str:
    """The parameter table, generated from the declaration (for ``bonding params`` and ODD)."""
    rows = []
    header = ["name", "default", "bounds", "unit", "group", "source", "meaning"]
    for p in PARAMS.values():
        rows.append([p.name, f"{p.default:g}", f"{p.lo:g} to {p.hi:g}", p.unit, p.group,
                     p.source, p.meaning])
    if markdown:
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(r) + " |" for r in rows]
        return "\n".join(lines)
    widths = [max(len(r[i]) for r in rows + [header]) for i in range(5)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header[:5], widths, strict=True)) + "  source / meaning"]
    for r in rows:
        lines.append("  ".join(c.ljust(w) for c, w in zip(r[:5], widths, strict=True)) + f"  {r[5]}: {r[6]}")
    return "\n".join(lines)
