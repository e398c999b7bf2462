"""Measurement layer: how the virtual lab *observes* the model (the model never reads these).

True-score model for every observed variable (prior-models section 5, "Peripheral
measurement-noise model"; Zurell et al. 2010 virtual ecologist):

    observed = lambda * true + bias + eps,   Var(eps) = Var(true) * (1 - rho) / rho

so that the reliability (squared correlation of observed with true) is ``rho``; two measures
with reliabilities rho1, rho2 attenuate a true correlation by sqrt(rho1 * rho2) (Spearman 1904).

Hormone assays work on the log scale (lognormal error):

* oxytocin (PH4-PH7): ``log obs = log(scale_method,matrix) + w * log(true_peripheral) + person
  + batch + eps``. Extracted RIA/EIA reads the true value (w = 1) with a small person-level
  assay-reactive component; unextracted EIA reads ~100x higher and is dominated by a large,
  *stable* person-level matrix component (high test-retest, PH9/M9) with little weight on the
  true value, so extracted and unextracted are nearly uncorrelated (Szeto et al. 2011,
  rho = -.10; Leng & Sabatier 2016). Salivary and urinary OT add their own matrix noise
  (S1: pOT and sOT inter-related, uOT related to neither).
  What that person component is, is contested, and the lab carries both readings as a
  parameter: under H1 (``ot_unextracted_central_corr = 0``, the default) it is assay artefact
  unrelated to anything the model represents; under H2 (``rho > 0``) the immunoreactive
  material (precursors, fragments, carrier-bound OT) tracks the person's central OT-system
  activity: the component becomes ``person_sd * (rho * z_central + sqrt(1 - rho^2) * z_person)``,
  with ``z_central`` the person's log central OT standardised over the people measured, so its
  size and stability are unchanged. Both keep extracted and unextracted readings nearly
  uncorrelated (PH6), because central and plasma OT are (PH5).
* cortisol (PH13, PH14): saliva follows plasma with a lag (``saliva_lag_min``) at a free
  fraction; lognormal assay CV; sampling-time jitter moves the sample along the plasma time
  course around the visit (the previous hour, the visit, the model's next hour).

Behaviour: micro-codes with per-frame misclassification solved to give a target inter-coder
kappa; global ratings with ICC-matched noise; SSP classification with a keep-or-replace coder
whose inter-coder kappa equals the target; questionnaires as k parallel items whose Cronbach's
alpha equals the target.

All randomness comes from the ``numpy.random.Generator`` passed in.
"""

from __future__ import annotations

import numpy as np
from bonding.experiments.lab.params import LabParam, resolve, table
from scipy.special import ndtri

MEASURE_PARAMS = table(
    LabParam("ot_unextracted_fold", 100.0, 10, 1000, "ratio", "PH6 (Szeto et al. 2011: >100x)", "unextracted EIA reading relative to extracted"),
    LabParam("ot_unextracted_weight", 0.1, 0, 1, "log/log", "PH6 (extracted vs unextracted rho=-.10)", "weight of the true log value in an unextracted reading"),
    LabParam("ot_unextracted_central_corr", 0.0, 0, 1, "correlation",
             "assumption (hypothesis H2, contested: unextracted immunoreactivity tracks central OT-system activity; "
             "0 = H1, the assay-artefact reading of PH6)",
             "correlation of the stable person component of unextracted readings with the person's log central OT"),
    LabParam("ot_unextracted_person_sd", 0.6, 0, 2, "log units", "PH8, PH9, M9 (high within-person stability of ELISA OT)", "SD of the stable person-level matrix component of unextracted assays"),
    LabParam("ot_extracted_person_sd", 0.15, 0, 1, "log units", "assumption (prior-models 5: person-level assay-reactive component)", "SD of the stable person-level assay-reactive component of extracted assays"),
    LabParam("ot_assay_cv", 0.15, 0, 1, "log units (approx. CV)", "assumption (typical OT immunoassay intra/inter-assay CV)", "lognormal assay noise of one OT reading"),
    LabParam("ot_batch_sd", 0.1, 0, 1, "log units", "assumption", "SD of a per-batch (plate) offset of OT readings"),
    LabParam("ot_saliva_fold", 0.3, 0.01, 10, "ratio", "assumption", "salivary OT level relative to plasma on the same assay"),
    LabParam("ot_saliva_noise", 0.4, 0, 2, "log units", "S1 (pOT and sOT inter-related): assumption for size", "matrix noise of salivary OT"),
    LabParam("ot_urine_fold", 0.5, 0.01, 10, "ratio", "assumption", "urinary OT level relative to plasma"),
    LabParam("ot_urine_noise", 1.0, 0, 3, "log units", "S1 (uOT unrelated to pOT/sOT)", "matrix noise of urinary OT (creatinine-normalised)"),
    LabParam("cortisol_free_fraction", 0.04, 0.01, 0.2, "ratio", "assumption (salivary ~3-5% of total plasma cortisol)", "salivary/plasma cortisol ratio"),
    LabParam("saliva_lag_min", 20.0, 0, 60, "min", "prior-models 5 [K: 15-25 min]", "lag of salivary behind plasma cortisol"),
    LabParam("cortisol_assay_cv", 0.07, 0, 0.5, "CV", "prior-models 5 [K: 5-10%]", "lognormal cortisol assay noise"),
    LabParam("sampling_jitter_min", 15.0, 0, 120, "min", "assumption", "SD of the actual sampling time around the scheduled time"),
    LabParam("microcode_kappa", 0.75, 0.3, 1, "kappa", "prior-models 5 [K: .7-.8]", "inter-coder kappa of per-frame behaviour micro-codes"),
    LabParam("rating_icc", 0.8, 0.3, 1, "ICC", "assumption (typical global-rating ICC .7-.9)", "inter-rater ICC of global sensitivity ratings"),
    LabParam("ssp_kappa", 0.8, 0.3, 1, "kappa", "assumption (SSP ABC/D agreement .7-.9 [K])", "inter-coder kappa of SSP classifications"),
    LabParam("questionnaire_alpha", 0.8, 0.3, 0.99, "Cronbach alpha", "assumption (typical bonding scales .75-.85)", "internal consistency of a bonding questionnaire"),
    LabParam("questionnaire_items", 10, 2, 50, "items", "assumption", "number of items of a bonding questionnaire"),
    LabParam("screen_sensitivity", 0.81, 0.5, 1, "share",
             "Levis et al. 2020 BMJ 371:m4022 (EPDS >= 11 vs semi-structured interview: .81; >= 10: .85; >= 13: .66)",
             "share of parents in a depressive episode whom the screen (EPDS) calls positive"),
    LabParam("screen_specificity", 0.88, 0.5, 1, "share",
             "Levis et al. 2020 BMJ 371:m4022 (EPDS >= 11: .88; >= 10: .84; >= 13: .95)",
             "share of parents not in an episode whom the screen calls negative"),
    LabParam("screen_person_share", 0.6, 0, 1, "share of variance",
             "assumption (range 0.4-0.8: sub-threshold symptoms are stable over months, X72 trajectories)",
             "share of the screen score's error that is a stable person component (the rest varies visit to visit)"),
)


def _q(params):
    return resolve(MEASURE_PARAMS, params)


# --------------------------------------------------------------------------- true-score core
def true_score(true, rho: float, rng: np.random.Generator, lam: float = 1.0, bias: float = 0.0):
    """``lam * true + bias + eps`` with ``Var(eps) = Var(true) (1 - rho) / rho`` (``rho`` = reliability)."""
    true = np.asarray(true, dtype=float)
    if not 0 < rho <= 1:
        raise ValueError(f"rho: {rho!r} is out of range (allowed above 0 to 1)")
    if rho == 1:
        return lam * true + bias
    sd = np.sqrt(np.nanvar(true) * (1 - rho) / rho)
    return lam * true + bias + lam * sd * rng.standard_normal(true.shape)


def rating(true, rng, icc: float | None = None, params=None):
    """Global rating (e.g. Ainsworth sensitivity) with inter-rater ICC ``icc``.

    One rater's reliability equals the ICC (single-rater ICC(1) under a true-score model).
    """
    icc = _q(params)["rating_icc"] if icc is None else icc
    return true_score(true, icc, rng)


def questionnaire(true, rng, alpha: float | None = None, items: int | None = None, params=None):
    """Sum score of ``items`` parallel items whose Cronbach alpha is ``alpha``.

    For k parallel items, alpha = k r / (1 + (k - 1) r) with r the item reliability, so
    r = alpha / (k - alpha (k - 1)); each item = true + e_i, Var(e_i) = Var(true)(1 - r)/r.
    Returns (sum score, item matrix (n, k)).
    """
    q = _q(params)
    alpha = q["questionnaire_alpha"] if alpha is None else alpha
    k = int(q["questionnaire_items"] if items is None else items)
    r = alpha / (k - alpha * (k - 1))
    true = np.asarray(true, float)
    sd = np.sqrt(np.nanvar(true) * (1 - r) / r)
    it = true[:, None] + sd * rng.standard_normal((true.size, k))
    return it.sum(1), it


def cronbach_alpha(items) -> float:
    """Cronbach's alpha of an (n, k) item matrix."""
    items = np.asarray(items, float)
    k = items.shape[1]
    return k / (k - 1) * (1 - items.var(0, ddof=1).sum() / items.sum(1).var(ddof=1))


# --------------------------------------------------------------------------- behaviour codes
def frame_error_for_kappa(kappa: float, prevalence: float) -> float:
    """Symmetric per-frame error rate e at which two independent coders agree with ``kappa``.

    Each coder flips a frame with probability e; agreement Po = (1-e)^2 + e^2; each coder's
    marginal m = pi(1-e) + (1-pi)e; chance agreement Pe = m^2 + (1-m)^2. Solved by bisection.
    """
    pi = float(np.clip(prevalence, 1e-3, 1 - 1e-3))
    lo, hi = 0.0, 0.5
    for _ in range(60):
        e = 0.5 * (lo + hi)
        po = (1 - e) ** 2 + e**2
        m = pi * (1 - e) + (1 - pi) * e
        pe = m**2 + (1 - m) ** 2
        k = (po - pe) / (1 - pe)
        if k > kappa:
            lo = e
        else:
            hi = e
    return 0.5 * (lo + hi)


def microcode(true_frames, rng, kappa: float | None = None, n_frames=None, params=None):
    """Observed count of frames coded present.

    ``true_frames``: true count of frames with the behaviour (array); ``n_frames``: frames
    observed (scalar or array). Each true frame is missed and each absent frame is falsely
    coded with the error rate that gives the target inter-coder kappa at the sample prevalence.
    """
    kappa = _q(params)["microcode_kappa"] if kappa is None else kappa
    tf = np.asarray(true_frames).astype(np.int64)
    nf = np.maximum(np.broadcast_to(np.asarray(n_frames), tf.shape).astype(np.int64), tf)
    prev = tf.sum() / max(nf.sum(), 1)
    e = frame_error_for_kappa(kappa, prev) if kappa < 1 else 0.0
    return rng.binomial(tf, 1 - e) + rng.binomial(nf - tf, e)


def code_classes(classes, rng, kappa: float | None = None, params=None):
    """One coder's classification: keeps the true class with probability sqrt(kappa), else
    draws a class from the sample's marginal distribution, so two such coders agree with
    Cohen's kappa = ``kappa`` in expectation."""
    kappa = _q(params)["ssp_kappa"] if kappa is None else kappa
    classes = np.asarray(classes, dtype=object)
    keep = rng.random(classes.size) < np.sqrt(kappa)
    other = classes[rng.integers(0, classes.size, classes.size)] if classes.size else classes
    return np.where(keep, classes, other).astype(object)


def cohen_kappa(a, b) -> float:
    """Cohen's kappa of two label arrays."""
    a, b = np.asarray(a, dtype=object), np.asarray(b, dtype=object)
    labels = sorted(set(a.tolist()) | set(b.tolist()))
    po = np.mean(a == b)
    pe = sum(np.mean(a == lab) * np.mean(b == lab) for lab in labels)
    return float((po - pe) / (1 - pe)) if pe < 1 else 1.0


# --------------------------------------------------------------------------- hormone assays
class OTAssay:
    """An oxytocin assay run on a fixed set of people (persons keep their assay component).

    ``method``: ``extracted`` (RIA/EIA after solid-phase extraction) or ``unextracted`` (EIA on
    raw sample); ``matrix``: ``plasma``, ``saliva`` or ``urine``. ``n_people`` persons get one
    stable component each (drawn here, reused across visits).
    """

    METHODS = ("extracted", "unextracted")
    MATRICES = ("plasma", "saliva", "urine")

    def __init__(self, n_people: int, rng: np.random.Generator, method: str = "extracted",
                 matrix: str = "plasma", params=None, noise: bool = True):
        if method not in self.METHODS:
            raise ValueError(f"method: {method!r} is not allowed (allowed {', '.join(self.METHODS)})")
        if matrix not in self.MATRICES:
            raise ValueError(f"matrix: {matrix!r} is not allowed (allowed {', '.join(self.MATRICES)})")
        self.q, self.method, self.matrix, self.noise, self.rng = _q(params), method, matrix, noise, rng
        q = self.q
        psd = q["ot_unextracted_person_sd"] if method == "unextracted" else q["ot_extracted_person_sd"]
        z = rng.standard_normal((2, n_people))
        self.person = psd * z[0] if noise else np.zeros(n_people)
        mat_sd = {"plasma": 0.0, "saliva": q["ot_saliva_noise"], "urine": q["ot_urine_noise"]}[matrix]
        self.mat_sd = mat_sd
        # half the matrix variance is a stable person trait, half varies reading to reading
        self.matrix_person = z[1] * mat_sd * np.sqrt(0.5) if noise else np.zeros(n_people)
        self._batches: dict[int, float] = {}

    def _batch(self, ids):
        ids = np.asarray(ids)
        for b in np.unique(ids):
            if int(b) not in self._batches:
                self._batches[int(b)] = self.q["ot_batch_sd"] * self.rng.standard_normal() if self.noise else 0.0
        return np.array([self._batches[int(b)] for b in ids.ravel()]).reshape(ids.shape)

    def measure(self, true_pg_ml, people=None, batch=None, central=None):
        """Observed OT (pg/ml as the assay reports it) for true peripheral values of ``people``.

        ``central``: the same people's central OT (index), read by an unextracted assay under
        hypothesis H2 (``ot_unextracted_central_corr`` > 0); ignored otherwise.
        """
        q = self.q
        true = np.maximum(np.asarray(true_pg_ml, float), 1e-6)
        people = np.arange(true.size) if people is None else np.asarray(people)
        log_true = np.log(true)
        person = self.person[people] if self.noise else np.zeros(true.shape)
        if self.method == "unextracted":
            level = np.log(q["ot_unextracted_fold"]) + np.mean(log_true)
            log_obs = level + q["ot_unextracted_weight"] * (log_true - np.mean(log_true))
            rho = q["ot_unextracted_central_corr"]
            if central is not None and rho > 0:
                person = np.sqrt(1.0 - rho**2) * person + rho * q["ot_unextracted_person_sd"] * _standardised_log(central)
        else:
            log_obs = log_true
        fold = {"plasma": 1.0, "saliva": q["ot_saliva_fold"], "urine": q["ot_urine_fold"]}[self.matrix]
        log_obs = log_obs + np.log(fold) + person
        if self.noise:
            log_obs = log_obs + self.matrix_person[people]
            sd = np.sqrt(q["ot_assay_cv"] ** 2 + 0.5 * self.mat_sd**2)
            log_obs = log_obs + sd * self.rng.standard_normal(true.shape)
            if batch is not None:
                log_obs = log_obs + self._batch(batch)
        return np.exp(log_obs)


SCREEN_CERTAIN_LO, SCREEN_CERTAIN_HI = 1e-12, 1.0 - 1e-12  # accuracy 1 = a certain verdict (z about 7)


def screen_positive(depressed, person, visit, sensitivity, specificity, person_share):
    """The screen's verdict (EPDS >= cut-off) for a latent episode state: 1.0 positive, 0.0 negative.

    Score model (standard normal units): ``score = a * depressed + sqrt(w) * person + sqrt(1 - w) * visit``
    with ``person``, ``visit`` standard normal (a stable person component and a visit's noise),
    positive if ``score > c``, where ``c = Phi^-1(specificity)`` and ``a = c + Phi^-1(sensitivity)``,
    so that P(positive | episode) = sensitivity and P(negative | no episode) = specificity at
    every visit (Levis et al. 2020), while errors repeat within a person across visits (``w``).
    """
    c = ndtri(np.clip(specificity, SCREEN_CERTAIN_LO, SCREEN_CERTAIN_HI))
    a = c + ndtri(np.clip(sensitivity, SCREEN_CERTAIN_LO, SCREEN_CERTAIN_HI))
    score = a * np.asarray(depressed, float) + np.sqrt(person_share) * person + np.sqrt(1.0 - person_share) * visit
    return (score > c).astype(float)


class DepressionScreen:
    """A depression screen (EPDS-like questionnaire with a cut-off) given to ``n_people`` at visits.

    The model's ``depressed`` is a latent clinical episode (model.daily.update_depression); the
    screen observes it with the sensitivity and specificity of ``screen_sensitivity`` and
    ``screen_specificity`` (Levis et al. 2020, EPDS >= 11 by default) through
    :func:`screen_positive`. Each person keeps one stable error component across visits
    (``screen_person_share``), so repeated screening does not make every well parent positive
    once. Sensitivity = specificity = 1 is the latent state itself (the screen's switch).
    """

    def __init__(self, n_people: int, rng: np.random.Generator, params=None):
        self.q, self.rng = _q(params), rng
        self.person = rng.standard_normal(n_people)

    def measure(self, depressed, people=None):
        """Positive (1.0) or negative (0.0) for the latent states ``depressed`` of ``people``."""
        d = np.asarray(depressed, float)
        people = np.arange(d.size) if people is None else np.asarray(people)
        q = self.q
        return screen_positive(d, self.person[people], self.rng.standard_normal(d.shape), q["screen_sensitivity"],
                               q["screen_specificity"], q["screen_person_share"])


def _standardised_log(x) -> np.ndarray:
    """z-scores of log ``x`` over its entries (zeros if they do not vary)."""
    log_x = np.log(np.maximum(np.asarray(x, float), 1e-6))
    sd = np.std(log_x)
    return (log_x - np.mean(log_x)) / sd if sd > 0 else np.zeros(log_x.shape)


def salivary_cortisol(plasma_before, plasma_at, rng, params=None, noise: bool = True, plasma_after=None):
    """Salivary cortisol (nmol/l) of a sample scheduled at t0, from the plasma time course around t0.

    The plasma course is piecewise linear through the values one hour before t0
    (``plasma_before``), at t0 (``plasma_at``) and one hour after t0 (``plasma_after``; default:
    the before-to-at line continued), extended linearly beyond. The sample is taken at
    t0 + j, j ~ N(0, ``sampling_jitter_min``) (j = 0 without ``noise``), and saliva follows plasma
    with the lag ``saliva_lag_min``, so it reads ``cortisol_free_fraction`` x plasma(t0 + j - lag),
    floored at 5% of the free fraction of the t0 value; times lognormal assay noise
    ``cortisol_assay_cv``. With jitter and CV 0 it returns the true lagged salivary value.
    """
    q = _q(params)
    before, at = np.broadcast_arrays(np.asarray(plasma_before, float), np.asarray(plasma_at, float))
    after = 2.0 * at - before if plasma_after is None else np.broadcast_to(np.asarray(plasma_after, float), at.shape)
    t = np.full(at.shape, -q["saliva_lag_min"] / 60.0)  # hours from t0 of the plasma the saliva reflects
    if noise:  # both draws always, so that changing one noise parameter leaves the other's draws alone
        z = rng.standard_normal((2, *at.shape))
        t = t + q["sampling_jitter_min"] / 60.0 * z[0]
    plasma = np.where(t <= 0, at + (at - before) * t, at + (after - at) * t)
    val = q["cortisol_free_fraction"] * np.maximum(plasma, 0.05 * at)
    if noise:
        val = val * np.exp(q["cortisol_assay_cv"] * z[1])
    return val


def lognormal_cv(true, cv, rng):
    """A generic assay with lognormal CV (e.g. salivary testosterone)."""
    true = np.asarray(true, float)
    return true * np.exp(cv * rng.standard_normal(true.shape)) if cv > 0 else true.copy()


__all__ = ["MEASURE_PARAMS", "DepressionScreen", "screen_positive", "true_score", "rating", "questionnaire", "cronbach_alpha", "microcode",
           "frame_error_for_kappa", "code_classes", "cohen_kappa", "OTAssay", "salivary_cortisol",
           "lognormal_cv"]
