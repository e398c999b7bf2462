"""The data dictionary: every column of every table the ``bonding`` commands write, declared once.

Each :class:`Table` names a file (relative to the command's output folder), the command(s) that
write it, what one row is, and its :class:`Column` s with unit and meaning. ``results/README.md``
carries the dictionary generated from this declaration (``python -m bonding.experiments.columns``
rewrites it), and ``tests/docs/test_columns.py`` runs every command small and checks that each
written column is declared here and each declared column is written.

A column name may be a *pattern*: ``<placeholder>`` stands for any value of a named set
(:data:`PLACEHOLDERS`), e.g. ``<summarised>.<role>`` in ``runs.parquet`` is ``bond.mother``,
``sensitivity.father``, ... The sets are read from the code that builds the columns (the
dictionaries of ``experiments.compare``, ``model.params.PARAMS``, ``calibration.cohort``), so
they follow it. A column with ``when`` is written only then (e.g. a run of 12 months or more).

The unit of a long-form ``value`` column is that of its ``variable``: see :data:`SERIES`.
``parquet_units(table, columns)`` gives each written column's unit, for a writer that wants to
store units as Parquet field metadata (see :func:`with_units`).

This module only declares; it imports the code it reads placeholder sets from lazily, so it
can be imported without numba.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Column:
    """One column: ``name`` (or a pattern with ``<placeholder>`` s), unit, meaning, condition."""

    name: str
    unit: str
    meaning: str
    when: str = ""  # "" = always written; otherwise the condition (e.g. "months >= 12")


@dataclass(frozen=True)
class Table:
    """One file a command writes (``also``: further files with exactly the same columns)."""

    file: str
    commands: tuple[str, ...]
    row: str
    columns: tuple[Column, ...]
    also: tuple[str, ...] = ()
    when: str = ""


# ------------------------------------------------------------------ placeholder sets
@dataclass(frozen=True)
class Placeholder:
    """A named set of strings; ``source`` is ``module:attribute`` (a collection, or a function
    returning one), read when the set is first needed, or the values themselves."""

    meaning: str
    source: str | tuple[str, ...] = field(repr=False)

    def values(self) -> tuple[str, ...]:
        if isinstance(self.source, tuple):
            return self.source
        module, attr = self.source.split(":")
        found = getattr(importlib.import_module(module), attr)
        return tuple(found() if callable(found) else found)


PLACEHOLDERS: dict[str, Placeholder] = {
    "role": Placeholder("a caregiver role (`model.state.ROLES`)", "bonding.model.state:ROLES"),
    "class": Placeholder("a Strange Situation class: A, B, C or D", ("A", "B", "C", "D")),
    "parameter": Placeholder("a model parameter of `model/params.py` (`bonding params`)", "bonding.model.params:PARAMS"),
    "summarised": Placeholder("a continuous dyad outcome summarised per role (`experiments.compare.CONTINUOUS`; "
                              "`care_hours_per_day` is `care_hours` divided by the days since birth)",
                              "bonding.experiments.compare:CONTINUOUS"),
    "share": Placeholder("a share per role (`experiments.compare.SHARES`: `depressed` = share of caregivers "
                         "with `caregiver_depressed`)", "bonding.experiments.compare:SHARES"),
    "ssp_scale": Placeholder("a Strange Situation scale summarised per role (`experiments.compare.SSP_CONTINUOUS`)",
                             "bonding.experiments.compare:SSP_CONTINUOUS"),
    "infant_series": Placeholder("an infant daily series of `timeseries.parquet` (`experiments.compare.INFANT_SERIES`)",
                                 "bonding.experiments.compare:INFANT_SERIES"),
    "summary": Placeholder("a cohort summary of `bonding calibrate` (`calibration.cohort.all_keys`: "
                           "`share_<role>_<class>`, `r_latent_<role>`, `r_observed_<role>`, `t_change_father`)",
                           "bonding.calibration.cohort:all_keys"),
}

ANY_SPLIT = re.compile(r"<([a-z_]+)>")

# ------------------------------------------------------------------ the daily series (long form)
SERIES: tuple[Column, ...] = (
    Column("ot_plasma", "pg/ml", "caregivers' plasma oxytocin, mean of the day's hours (before birth: the set-point of the day)"),
    Column("ot_central_tone", "index (1 = adult mean)", "caregivers' central oxytocin tone"),
    Column("cortisol", "nmol/l (plasma)", "caregivers' cortisol, mean of the day's hours (before birth: the current value)"),
    Column("dopamine_tonic", "0-1", "caregivers' tonic dopamine (running mean of social reward)"),
    Column("bond", "0-1", "caregivers' bond to the infant (learned expected social reward)"),
    Column("estradiol", "pg/ml", "caregivers' estradiol"),
    Column("progesterone", "ng/ml", "caregivers' progesterone"),
    Column("prolactin", "ng/ml", "caregivers' prolactin, mean of the day's hours (before birth: the current value)"),
    Column("testosterone", "nmol/l", "caregivers' testosterone"),
    Column("depressed", "share (0-1)", "share of caregivers currently depressed"),
    Column("fatigue", "fatigue units (0 = rested)", "caregivers' fatigue (night care adds `fatigue_per_night_hour` per hour)"),
    Column("sensitivity", "probability (0-1)", "caregivers' latent sensitivity of the day (chance of a prompt, appropriate response)"),
    Column("care_hours", "hours per day", "hours of the day a caregiver spent caring for the infant"),
    Column("infant_cortisol", "nmol/l (saliva)", "infants' cortisol, mean of the day's hours (after birth)"),
    Column("infant_ot", "index (1 = baseline)", "infants' oxytocin, mean of the day's hours (after birth)"),
    Column("infant_distress", "0-1", "infants' distress, mean of the day's hours (after birth)"),
    Column("infant_cry_hours", "hours per day", "hours of the day the infant cried (after birth)"),
    Column("infant_expected_responsiveness_mother", "probability (0-1)",
           "infants' expected responsiveness of the mother, from the working model (after birth)"),
)

# ------------------------------------------------------------------ bonding run
_SSP = "months >= 12"
_SCENARIO = Column("scenario", "", "scenario name")
_ROLE = Column("role", "", "caregiver role: mother, father, grandparent, sibling or daycare")

OUTCOMES = Table("outcomes.parquet", ("run",), "one infant-caregiver dyad", (
    _SCENARIO,
    Column("household", "", "household index (0 to households-1)"),
    _ROLE,
    Column("bond", "0-1", "the caregiver's bond to the infant at the end: learned expected social reward"),
    Column("sensitivity", "probability (0-1)", "latent sensitivity: chance of a prompt, appropriate response, "
           "averaged over months 3-9 (the whole run if shorter)"),
    Column("synchrony", "index (0-1)", "mean affect-synchrony index over engaged episodes"),
    Column("caregiver_attachment", "", "the caregiver's adult attachment state: autonomous, dismissing or preoccupied"),
    Column("caregiver_unresolved", "true/false", "the caregiver has unresolved loss or trauma"),
    Column("caregiver_depressed", "true/false", "the caregiver was depressed at some time in the run"),
    Column("depressed_at_end", "true/false", "the caregiver is depressed at the end of the run"),
    Column("gaze", "count", "caregiving episodes (hours in which the caregiver answered a bid) with gaze at the infant"),
    Column("affectionate_touch", "count", "caregiving episodes with affectionate touch"),
    Column("stimulatory_touch", "count", "caregiving episodes with stimulatory touch"),
    Column("vocalisation", "count", "caregiving episodes with infant-directed vocalisation"),
    Column("responses", "count", "the infant's bids this caregiver answered after birth (one caregiving episode per hour)"),
    Column("share_sensitive", "share (0-1)", "share of responses that were sensitive (empty without responses)"),
    Column("share_intrusive", "share (0-1)", "share of responses that were intrusive (empty without responses)"),
    Column("share_rejecting", "share (0-1)", "share of responses that were rejecting (empty without responses)"),
    Column("frightening", "count", "responses that were frightening"),
    Column("feeds", "count", "caregiving episodes that were feeds"),
    Column("care_hours", "hours", "hours of care given after birth (hours in which the caregiver answered a bid)"),
    Column("night_care_hours", "hours", "hours of night care given after birth (in total)"),
    Column("ot_plasma_mean", "pg/ml", "mean plasma oxytocin over the days after birth"),
    Column("ot_central_tone", "index (1 = adult mean)", "central oxytocin tone at the end"),
    Column("cortisol_mean", "nmol/l (plasma)", "mean cortisol over the days after birth"),
    Column("testosterone", "nmol/l", "testosterone at the end"),
    Column("testosterone_change", "fraction (-0.2 = 20% below)", "testosterone at the end relative to the "
           "caregiver's pre-pregnancy set-point, minus 1"),
    Column("prolactin_base", "ng/ml", "baseline prolactin at the end"),
    Column("estradiol", "pg/ml", "estradiol at the end"),
    Column("dopamine_tonic", "0-1", "tonic dopamine at the end (running mean of social reward)"),
    Column("fatigue", "fatigue units (0 = rested)", "fatigue at the end"),
    Column("iwm_expected_responsiveness", "probability (0-1)", "the infant's working model of this caregiver: "
           "expected chance of a good response, (good + prior/2) / (good + bad + prior)"),
    Column("iwm_rejection", "share (0-1)", "share of the infant's evidence about this caregiver that was rejection"),
    Column("iwm_intrusion", "share (0-1)", "share of the infant's evidence about this caregiver that was intrusion"),
    Column("iwm_fright", "evidence units", "the infant's accumulated fright evidence about this caregiver"),
    Column("iwm_evidence", "evidence units", "the infant's distress-weighted evidence about this caregiver (good + bad)"),
    Column("iwm_deactivating", "share (0-1)", "the infant's working model of this caregiver read as a call to deactivate "
           "(mask signals, avoid): model.learning.working_model_reading"),
    Column("iwm_hyperactivating", "share (0-1)", "the infant's working model of this caregiver read as a call to hyperactivate "
           "(heighten signals, resist): model.learning.working_model_reading"),
    Column("infant_familiarity_hours", "hours", "hours of care the infant received from this caregiver"),
    Column("infant_temperament", "z", "the infant's negative reactivity"),
    Column("infant_cortisol_final", "nmol/l (saliva)", "the infant's cortisol at the end"),
    Column("breastfeeding_at_end", "true/false", "the household still breastfeeds at the end"),
    Column("ssp_attachment", "", "Strange Situation class at 12 months: A, B, C or D", _SSP),
    Column("ssp_secondary", "", "the best-fitting organised class (A, B or C) of a D infant; the class otherwise", _SSP),
    Column("ssp_avoidance", "scale 1-7", "avoidance, mean of the two reunions (Ainsworth's interactive scale)", _SSP),
    Column("ssp_resistance", "scale 1-7", "resistance, mean of the two reunions", _SSP),
    Column("ssp_disorganisation", "scale 1-9", "disorganisation score from the conflict, freezing and apprehension markers", _SSP),
    Column("ssp_proximity_seeking", "scale 1-7", "proximity seeking, mean of the two reunions", _SSP),
    Column("ssp_contact_maintaining", "scale 1-7", "contact maintaining, mean of the two reunions", _SSP),
    Column("ssp_proximity_seeking_ep5", "scale 1-7", "proximity seeking in the first reunion (episode 5)", _SSP),
    Column("ssp_contact_maintaining_ep5", "scale 1-7", "contact maintaining in episode 5", _SSP),
    Column("ssp_resistance_ep5", "scale 1-7", "resistance in episode 5", _SSP),
    Column("ssp_avoidance_ep5", "scale 1-7", "avoidance in episode 5", _SSP),
    Column("ssp_proximity_seeking_ep8", "scale 1-7", "proximity seeking in the second reunion (episode 8)", _SSP),
    Column("ssp_contact_maintaining_ep8", "scale 1-7", "contact maintaining in episode 8", _SSP),
    Column("ssp_resistance_ep8", "scale 1-7", "resistance in episode 8", _SSP),
    Column("ssp_avoidance_ep8", "scale 1-7", "avoidance in episode 8", _SSP),
    Column("ssp_infant_cortisol_post", "nmol/l (saliva)", "the infant's salivary cortisol after the procedure", _SSP),
    Column("ssp_age_months", "months", "the infant's age at the procedure", _SSP),
    Column("ssp_deactivation", "0-1", "the infant's deactivating (avoidant) strategy with this caregiver", _SSP),
    Column("ssp_hyperactivation", "0-1", "the infant's hyperactivating (resistant) strategy with this caregiver", _SSP),
))

RUN_TIMESERIES = Table("timeseries.parquet", ("run",), "one day, role and series (days with no member of a role are left out)", (
    _SCENARIO,
    Column("day", "days from birth", "day (negative: pregnancy, from gestational week 10)"),
    Column("role", "", "caregiver role, or infant for the infant series"),
    Column("variable", "", "the series (see the series table)"),
    Column("value", "unit of the series", "the day's mean over the existing members of the role"),
))

# ------------------------------------------------------------------ bonding compare
_MEAN_OF = "mean over the replicate's dyads of that role of the `outcomes.parquet` column of the same name"
RUNS = Table("runs.parquet", ("compare", "report"), "one scenario and replicate", (
    _SCENARIO,
    Column("scenario_index", "", "position of the scenario on the command line (0 = the reference)"),
    Column("replicate", "", "replicate number (0 to replicates-1)"),
    Column("seed", "", "the replicate's seed (the same for every scenario: common random numbers)"),
    Column("<summarised>.<role>", "unit of the outcome", _MEAN_OF),
    Column("<summarised>.<role>.sd", "unit of the outcome", "between-dyad SD of the same"),
    Column("<share>.<role>", "share (0-1)", "share of the role's caregivers depressed at some time in the run"),
    Column("attachment_<class>.<role>", "share (0-1)", "share of the role's classified dyads in Strange Situation class <class>", _SSP),
    Column("<ssp_scale>.<role>", "unit of the scale", _MEAN_OF, _SSP),
    Column("<ssp_scale>.<role>.sd", "unit of the scale", "between-dyad SD of the same", _SSP),
    Column("<infant_series>.infant", "unit of the series", "mean over the days after birth of the infant series"),
    Column("bond_1m.<role>", "0-1", "the role's mean bond on day 30 after birth (mother and father)"),
))

COMPARE_TIMESERIES = Table("timeseries.parquet", ("compare", "report"), "one scenario, role, series and day", (
    _SCENARIO,
    Column("role", "", "caregiver role, or infant"),
    Column("variable", "", "the series (see the series table)"),
    Column("day", "days from birth", "day (negative: pregnancy)"),
    Column("mean", "unit of the series", "mean over replicates of the day's mean"),
    Column("sd", "unit of the series", "SD across replicates"),
    Column("n", "count", "replicates with a value"),
))

CHUNK_TIMESERIES = Table("chunks/<chunk>.timeseries.parquet", ("compare",), "one day, role and series of one finished (scenario, replicate) chunk", (
    Column("day", "days from birth", "day (negative: pregnancy)"),
    Column("role", "", "caregiver role, or infant"),
    Column("variable", "", "the series (see the series table)"),
    Column("value", "unit of the series", "the day's mean over the existing members of the role"),
))

COMPARISON = Table("comparison.csv", ("compare", "report"), "one outcome of `runs.parquet` in one scenario against the first", (
    Column("outcome", "", "column of `runs.parquet`"),
    Column("variable", "", "the outcome's name before the role"),
    Column("role", "", "the outcome's role (or infant)"),
    _SCENARIO,
    Column("reference", "", "the first scenario, compared against"),
    Column("replicates", "count", "paired replicates with a value in both"),
    Column("mean_reference", "unit of the outcome", "mean over replicates in the reference"),
    Column("mean_scenario", "unit of the outcome", "mean over replicates in the scenario"),
    Column("mean_difference", "unit of the outcome", "mean paired difference, scenario minus reference"),
    Column("difference_lo", "unit of the outcome", "lower end of the difference's 95% t-interval across replicates"),
    Column("difference_hi", "unit of the outcome", "upper end of the same"),
    Column("effect_measure", "", "`cohen_d` (continuous, between-dyad SD), `risk_ratio` (shares) or empty (population means)"),
    Column("effect", "d or ratio", "Cohen's d or the risk ratio"),
    Column("effect_lo", "d or ratio", "lower end of the effect's 95% interval across replicates"),
    Column("effect_hi", "d or ratio", "upper end of the same"),
))

# ------------------------------------------------------------------ bonding validate
VALIDATION = Table("validation.parquet", ("validate",), "one virtual study, or one Strange Situation arm, role and class", (
    Column("section", "", "`study`, or `ssp_<arm>` for a Strange Situation arm"),
    Column("study", "", "study name in `experiments/studies/registry.toml`, or the arm"),
    Column("role", "", "the roles studied, joined with +"),
    Column("target", "", "target id of the published finding (docs/sources.md)"),
    Column("statistic", "", "the statistic (r, Cohen d, share of a class, ...)"),
    Column("alpha", "probability", "significance level of the study's test (empty without a test)"),
    Column("published_value", "unit of the statistic", "the published value (or bound)"),
    Column("published_bound", "", "≥ or ≤ for a one-sided published claim, else empty"),
    Column("published_n", "count", "the published sample size"),
    Column("published_text", "", "the published finding in words"),
    Column("confidence", "", "confidence in the published finding"),
    Column("compare_on", "", "what is compared: value, bound, significance or none"),
    Column("replicates", "count", "simulated studies"),
    Column("sim_n", "count", "median simulated sample size"),
    Column("sim_median", "unit of the statistic", "median of the statistic over the simulated studies"),
    Column("sim_mean", "unit of the statistic", "mean of the same"),
    Column("sim_sd", "unit of the statistic", "SD of the same"),
    Column("sim_q05", "unit of the statistic", "5% quantile of the same"),
    Column("sim_q95", "unit of the statistic", "95% quantile of the same"),
    Column("n_missing", "count", "simulated studies where the statistic was undefined"),
    Column("p_significant", "probability", "share of simulated studies with a significant result"),
    Column("p_at_least_7_of_8", "probability", "share of simulated sets of eight studies with at least 7 significant (M1)"),
    Column("published_in_90", "true/false", "the published value lies in the simulated 90% range"),
    Column("misfit_z", "SDs", "(simulated median - published) / simulated SD"),
    Column("misfit", "true/false", "the model misfits this finding"),
    Column("verdict", "", "the fit in words"),
), also=("validation.csv",))

FIT_CHECK = Table("fit_check.parquet", ("validate",), "one target of the targets file (`--targets`)", (
    Column("section", "", "`fit` (fitted by history matching and ABC) or `check` (held back)"),
    Column("target", "", "target name in the targets file"),
    Column("study", "", "the registry study that computes it"),
    Column("source", "", "row of shared/science/targets.md"),
    Column("kind", "", "`value`, `at_least` or `at_most`"),
    Column("scale", "", "the scale it is compared on: identity, fisher_z or logit"),
    Column("confidence", "", "confidence in the published finding (H or M)"),
    Column("published_value", "unit of the statistic", "the published value, or the bound of a one-sided claim"),
    Column("published_bound", "", "≥ or ≤ for a one-sided target, else empty"),
    Column("published_uncertainty", "", "the uncertainty as the targets file gives it (SE, 95% interval or tolerance)"),
    Column("se_scale", "target scale", "observation SE on the target's scale"),
    Column("discrepancy", "target scale", "model-discrepancy SD on the target's scale"),
    Column("replicates", "count", "simulated studies"),
    Column("n_missing", "count", "simulated studies where the statistic was undefined"),
    Column("sim_median", "unit of the statistic", "median of the statistic over the simulated studies"),
    Column("sim_q05", "unit of the statistic", "5% quantile of the same"),
    Column("sim_q95", "unit of the statistic", "95% quantile of the same"),
    Column("sim_median_scale", "target scale", "median of the simulated statistic on the target's scale"),
    Column("mc_se_scale", "target scale", "Monte Carlo SE of that median"),
    Column("z", "SDs", "shortfall of the median / sqrt(se_scale² + discrepancy² + mc_se_scale²)"),
    Column("p_significant", "probability", "share of simulated studies with a significant result (empty without a test)"),
    Column("significance_claimed", "true/false", "the paper reported a significant effect"),
    Column("significance_at_chance", "true/false", "claimed, and the share of significant simulated studies is at chance"),
    Column("passed", "true/false", "the target passes (rule in fit_check.md)"),
    Column("direction", "", "for a failure: simulated higher, simulated lower, or significance at chance"),
    Column("verdict", "", "the result in words"),
), also=("fit_check.csv",))

# ------------------------------------------------------------------ bonding study / power
STUDY_REPLICATES = Table("replicates.parquet", ("study",), "one simulated study", (
    Column("replicate", "", "replicate number"),
    Column("value", "unit of the statistic", "the study's statistic"),
    Column("p", "probability", "its p-value (empty without a test)"),
    Column("significant", "true/false", "significant at the study's alpha (empty without a test)"),
    Column("n", "count", "the simulated sample size"),
), also=("replicates.csv",))

STUDY_SUMMARY = Table("summary.parquet", ("study",), "the study (one row)", (
    Column("study", "", "study name"),
    Column("target", "", "target id (docs/sources.md)"),
    Column("statistic", "", "kind of statistic"),
    Column("n", "count", "sample size"),
    Column("replicates", "count", "simulated studies"),
    Column("median", "unit of the statistic", "median over the simulated studies"),
    Column("q05", "unit of the statistic", "5% quantile"),
    Column("q95", "unit of the statistic", "95% quantile"),
    Column("p_significant", "probability", "share significant (empty without a test)"),
    Column("published", "unit of the statistic", "the published value or bound"),
    Column("published_text", "", "the published finding in words"),
    Column("confidence", "", "confidence in the published finding"),
    Column("set", "", "the --set / --assay-set values used, NAME=VALUE; ..."),
), also=("summary.csv",))

POWER = Table("power.parquet", ("power",), "one sample size", (
    Column("study", "", "study name"),
    Column("set", "", "the --set / --assay-set values used"),
    Column("n", "count", "sample size per study (-1: the published sizes, M1)"),
    Column("replicates", "count", "simulated studies per sample size"),
    Column("power", "probability", "share of simulated studies with a significant result", "studies with a single test"),
    Column("p_at_least_7_of_8", "probability", "share of simulated sets of eight with at least 7 significant", "M1 (vote)"),
    Column("mean_significant", "count", "mean number of significant studies of the eight", "M1 (vote)"),
), also=("power.csv",))

# ------------------------------------------------------------------ bonding sensitivity
_OUTPUTS = (
    Column("<summarised>.<role>", "unit of the outcome", "mean over the point's dyads of that role of the `outcomes.parquet` column"),
    Column("<share>.<role>", "share (0-1)", "share of the role's caregivers depressed at some time in the run"),
    Column("attachment_<class>.<role>", "share (0-1)", "share of the role's classified dyads in class <class>", _SSP),
    Column("<ssp_scale>.<role>", "unit of the scale", "mean over the point's dyads of that role", _SSP),
)
SENS_DESIGN = Table("design.parquet", ("sensitivity",), "one design point", (
    Column("point", "", "design point number"),
    Column("<parameter>", "unit of the parameter", "the parameter's value at the point (one column per screened parameter)"),
    Column("dummy", "", "the inert dummy factor (its index is a yardstick of no effect)"),
))
SENS_OUTPUTS = Table("outputs.parquet", ("sensitivity",), "one design point",
                     (Column("point", "", "design point number"), *_OUTPUTS))
SENS_NOISE = Table("noise.parquet", ("sensitivity",), "one replicate at the reference point (different seeds)",
                   (Column("replicate", "", "replicate number"), *_OUTPUTS))
_MORRIS, _SOBOL = "--method morris", "--method sobol"
SENS_INDICES = Table("indices.parquet", ("sensitivity",), "one output and parameter", (
    Column("output", "", "output (a column of `outputs.parquet`)"),
    Column("parameter", "", "screened parameter, or dummy"),
    Column("rank", "", "rank of the parameter for this output (1 = largest index)"),
    Column("mu", "unit of the output", "Morris mean elementary effect", _MORRIS),
    Column("mu_star", "unit of the output", "Morris mean absolute elementary effect", _MORRIS),
    Column("sigma", "unit of the output", "Morris SD of the elementary effects", _MORRIS),
    Column("mu_star_conf", "unit of the output", "half-width of mu_star's bootstrap confidence interval", _MORRIS),
    Column("S1", "share of variance", "Sobol' first-order index", _SOBOL),
    Column("S1_conf", "share of variance", "half-width of S1's bootstrap confidence interval", _SOBOL),
    Column("ST", "share of variance", "Sobol' total index", _SOBOL),
    Column("ST_conf", "share of variance", "half-width of ST's bootstrap confidence interval", _SOBOL),
    Column("S1_ci_includes_0", "true/false", "S1's interval includes 0", _SOBOL),
    Column("lower", "unit of the index", "the ranking index (mu_star or ST) minus its half-width"),
    Column("note", "", "why the parameter is not distinguishable (empty if it is)"),
    Column("distinguishable", "true/false", "lower end above 0, above the noise floor and above the dummy"),
    Column("noise_sd", "unit of the output", "replicate-noise SD of the output at the reference point"),
    Column("output_sd", "unit of the output", "SD of the output over the design"),
    Column("noise_share", "share of variance", "noise_sd² / output_sd²"),
    Column("floor", "unit of the index", "the index pure noise would give"),
), also=("indices.csv",))
SENS_SECOND = Table("second_order.csv", ("sensitivity",), "one output and pair of parameters", (
    Column("output", "", "output"),
    Column("parameter", "", "first parameter"),
    Column("other", "", "second parameter"),
    Column("S2", "share of variance", "Sobol' second-order index"),
    Column("S2_conf", "share of variance", "half-width of its bootstrap confidence interval"),
), when="--method sobol --second-order")

# ------------------------------------------------------------------ bonding calibrate
CAL_POSTERIOR = Table("posterior.parquet", ("calibrate",), "one particle of the last generation", (
    Column("generation", "", "ABC-SMC generation"),
    Column("particle", "", "particle number"),
    Column("<parameter>", "unit of the parameter", "the particle's value (one column per free parameter)"),
    Column("weight", "0-1", "importance weight (sums to 1)"),
    Column("distance", "RMS z", "weighted RMS z distance of the particle's summaries to the targets"),
    Column("sim_seed", "", "the particle's simulation seed"),
    Column("sim_<summary>", "unit of the summary", "the particle's simulated summary"),
    Column("sim_<summary>__se", "unit of the summary", "its simulation standard error"),
))
CAL_SUMMARY = Table("posterior_summary.csv", ("calibrate",), "one free parameter", (
    Column("parameter", "", "free parameter"),
    Column("unit", "", "its unit"),
    Column("default", "unit of the parameter", "declared default (or the scenario's value)"),
    Column("prior", "", "prior distribution (uniform)"),
    Column("prior_lo", "unit of the parameter", "lower prior bound"),
    Column("prior_hi", "unit of the parameter", "upper prior bound"),
    Column("prior_median", "unit of the parameter", "prior median"),
    Column("posterior_mean", "unit of the parameter", "weighted posterior mean"),
    Column("posterior_median", "unit of the parameter", "weighted posterior median"),
    Column("posterior_q05", "unit of the parameter", "weighted 5% quantile"),
    Column("posterior_q95", "unit of the parameter", "weighted 95% quantile"),
    Column("ci90_width_vs_prior", "ratio", "width of the 90% posterior interval over that of the prior"),
    Column("particles", "count", "particles"),
    Column("ess", "count", "effective sample size of the weights"),
))
CAL_PREDICTIVE = Table("predictive.parquet", ("calibrate",), "one posterior-predictive simulation", (
    Column("arm", "", "default, posterior_median or posterior_draw"),
    Column("index", "", "simulation number within the arm"),
    Column("seed", "", "simulation seed"),
    Column("param_<parameter>", "unit of the parameter", "the free parameter's value in this simulation"),
    Column("<summary>", "unit of the summary", "simulated cohort summary (shares 0-1, r, t_change in %)"),
    Column("<summary>__se", "unit of the summary", "its simulation standard error"),
))
_ARMS = ("default", "posterior_median", "posterior_draw")
CAL_FIT = Table("fit.parquet", ("calibrate",), "one target, the overall distance, or an untargeted summary", (
    Column("kind", "", "target, distance or untargeted"),
    Column("target", "", "target name in calibration/targets.toml"),
    Column("source", "", "target id of the published finding (docs/sources.md)"),
    Column("key", "", "the cohort summary compared"),
    Column("confidence", "", "confidence in the published finding"),
    Column("weight", "", "the target's weight in the distance"),
    Column("published", "unit of the summary", "published value"),
    Column("se_published", "unit of the summary", "its published standard error"),
    *(Column(f"{arm}_{stat}", "unit of the summary", f"{what} of the summary over the {arm} simulations")
      for arm in _ARMS
      for stat, what in (("median", "median"), ("q05", "5% quantile"), ("q95", "95% quantile"))),
    *(Column(f"z_{arm}", "SDs", f"z of the {arm} median against the published value (published and simulation SE)")
      for arm in _ARMS),
    Column("verdict_default", "", "fit at the defaults in words"),
    Column("verdict_posterior", "", "fit at the posterior median in words"),
    Column("change", "", "improved, similar or worse from default to posterior median"),
))

TABLES: tuple[Table, ...] = (
    OUTCOMES, RUN_TIMESERIES, RUNS, COMPARE_TIMESERIES, CHUNK_TIMESERIES, COMPARISON, VALIDATION, FIT_CHECK,
    STUDY_REPLICATES, STUDY_SUMMARY, POWER, SENS_DESIGN, SENS_OUTPUTS, SENS_NOISE, SENS_INDICES,
    SENS_SECOND, CAL_POSTERIOR, CAL_SUMMARY, CAL_PREDICTIVE, CAL_FIT,
)


# ------------------------------------------------------------------ matching
def table(command: str, file: str) -> Table:
    """The declared table ``file`` of ``command`` (``file`` may be one of its ``also`` twins)."""
    for t in TABLES:
        if command in t.commands and file in (t.file, *t.also):
            return t
    raise KeyError(f"{command}: no declared table {file!r}")


def pattern(name: str) -> re.Pattern:
    """Regex of a column name whose ``<placeholder>`` s stand for the values of their sets."""
    parts, pos = [], 0
    for m in ANY_SPLIT.finditer(name):
        parts.append(re.escape(name[pos:m.start()]))
        values = PLACEHOLDERS[m.group(1)].values()
        parts.append("(?:" + "|".join(re.escape(v) for v in sorted(values, key=len, reverse=True)) + ")")
        pos = m.end()
    parts.append(re.escape(name[pos:]))
    return re.compile("^" + "".join(parts) + "$")


def declared(t: Table, column: str) -> Column | None:
    """The declaration ``column`` matches (exact names first), or None."""
    for c in t.columns:
        if c.name == column:
            return c
    for c in t.columns:
        if "<" in c.name and pattern(c.name).match(column):
            return c
    return None


def check(t: Table, written: Iterable[str], applies: Callable[[str], bool] = lambda when: not when) -> list[str]:
    """Problems between the written columns and the declaration (empty list = they agree).

    Every written column must be declared; every declared column whose ``when`` ``applies``
    must be written (a pattern: at least one column matching it), and no other may be.
    """
    written = list(written)
    problems = [f"{t.file}: column {c!r} is written but not declared" for c in written if declared(t, c) is None]
    for c in t.columns:
        hits = [w for w in written if declared(t, w) is c]
        if applies(c.when) and not hits:
            problems.append(f"{t.file}: declared column {c.name!r} is not written")
        if not applies(c.when) and hits:
            problems.append(f"{t.file}: column {c.name!r} ({c.when}) is written when it should not be")
    return problems


def units(t: Table, columns: Iterable[str]) -> dict[str, str]:
    """Unit of each written column (a pattern's unit for the columns it matches)."""
    out = {}
    for name in columns:
        c = declared(t, name)
        out[name] = c.unit if c is not None else ""
    return out


def with_units(df, t: Table):
    """A ``pyarrow.Table`` of ``df`` whose fields carry ``unit`` and ``meaning`` metadata.

    For a writer that wants units inside the Parquet file: ``pq.write_table(with_units(df, t), path)``.
    """
    import pyarrow as pa

    arrow = pa.Table.from_pandas(df, preserve_index=False)
    fields = []
    for f in arrow.schema:
        c = declared(t, f.name)
        meta = {"unit": c.unit, "meaning": c.meaning} if c is not None else {}
        fields.append(f.with_metadata({**(f.metadata or {}), **{k.encode(): v.encode() for k, v in meta.items()}}))
    return arrow.cast(pa.schema(fields, metadata=arrow.schema.metadata))


# ------------------------------------------------------------------ rendering
def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def markdown_table(t: Table) -> str:
    """One table's columns as Markdown."""
    files = ", ".join(f"`{f}`" for f in (t.file, *t.also))
    cmds = ", ".join(f"`bonding {c}`" for c in t.commands)
    head = f"#### {files}\n\nWritten by {cmds}{f' ({t.when})' if t.when else ''}. One row: {t.row}.\n"
    rows = ["| column | unit | meaning | written |", "|---|---|---|---|"]
    for c in t.columns:
        rows.append(f"| `{_cell(c.name)}` | {_cell(c.unit) or '–'} | {_cell(c.meaning)} | {_cell(c.when) or 'always'} |")
    return head + "\n" + "\n".join(rows)


def markdown() -> str:
    """The whole data dictionary as Markdown (the generated section of results/README.md)."""
    parts = ["Every column of every table the commands write, with its unit and meaning, generated from "
             "`experiments/columns.py` (run `python -m bonding.experiments.columns` after changing it; "
             "`tests/docs/test_columns.py` checks it against files the commands really write). "
             "A name in angle brackets stands for any value of a set:", ""]
    for key, ph in PLACEHOLDERS.items():
        parts.append(f"- `<{key}>`: {ph.meaning}")
    parts += ["", "#### Series (the `variable` of the long-form time series)", "",
              "| variable | unit | meaning |", "|---|---|---|"]
    parts += [f"| `{s.name}` | {_cell(s.unit)} | {_cell(s.meaning)} |" for s in SERIES]
    for t in TABLES:
        parts += ["", markdown_table(t)]
    return "\n".join(parts)


README = Path(__file__).resolve().parents[1] / "results" / "README.md"
BEGIN = "<!-- BEGIN DATA DICTIONARY (generated by python -m bonding.experiments.columns; do not edit by hand) -->"
END = "<!-- END DATA DICTIONARY -->"


def render(text: str) -> str:
    """``text`` with the block between the markers replaced by :func:`markdown` (appended if absent)."""
    block = f"{BEGIN}\n{markdown()}\n{END}"
    if BEGIN not in text:
        return text.rstrip("\n") + "\n\n## Data dictionary\n\n" + block + "\n"
    rx = re.compile(re.escape(BEGIN) + ".*?" + re.escape(END), re.S)
    return rx.sub(lambda _: block, text)


if __name__ == "__main__":
    README.write_text(render(README.read_text()))
    print(f"updated {README}")
