"""Deterministic coder and classifier for Strange Situation reunion streams.

Input: per-second streams of one reunion, shape (T, N) for N dyads: a main behaviour code
(``ssp.ABSENT, EXPLORE, APPROACH, CONTACT, AVOID, CRY``) and boolean marker streams
``resist``, ``conflict``, ``freeze``, ``apprehension``, ``initiative`` (contact reached by the
infant's own approach).

Ainsworth's interactive scales (Ainsworth et al. 1978, Appendix III; prior-models 1.9), 1-7,
are coded by rule from the streams (simplified from the latency / duration / initiative rules):

* proximity seeking (PS): 7 infant-initiated contact within ``ps_fast`` s; 6 within
  ``ps_slow`` s; 5 later, or contact preceded by approach; 4 >= 3 s of approach without contact;
  3 any approach, or contact accepted without approach; 2 only distance signals (>= 5 s crying);
  1 none.
* contact maintaining (CM): seconds in contact, bins 1/15/30/60/90/120 s -> 2..7.
* resistance (RS): seconds of resistant behaviour (push away, kick, angry squirm), bins
  1/3/7/12/20/30 s -> 2..7.
* avoidance (AV): seconds of avoidance (turn/look away, ignore, move away), counted double in
  the first 60 s of the reunion, bins 3/8/15/25/40/60 -> 2..7.

Disorganisation (Main & Solomon 1990 9-point scale, simplified): a marker index
``M = conflict events + freeze seconds / 3 + apprehension seconds / 3`` over both reunions,
thresholds 1/2/3/5/7/10/14/20 -> 2..9. D if the score is >= ``d_cut`` (5).

Classification from the mean of the two reunions' scales:
A if AV >= ``a_av`` and AV >= RS + 1 and CM < ``a_cm_max``; otherwise C if RS >= ``c_rs`` and
max(PS, CM) >= ``c_pscm`` and AV < ``a_av``; otherwise B. D infants keep this as their
secondary (best-fitting) class.
"""

from __future__ import annotations

import numpy as np
from bonding.experiments.lab.params import LabParam, resolve, table

CODING_PARAMS = table(
    LabParam("ps_fast", 15, 1, 180, "s", "Ainsworth et al. 1978 App. III (prompt approach)", "latency of infant-initiated contact for PS 7"),
    LabParam("ps_slow", 60, 1, 180, "s", "Ainsworth et al. 1978 App. III", "latency of infant-initiated contact for PS 6"),
    LabParam("avoid_early_window", 60, 0, 180, "s", "Ainsworth et al. 1978 (avoidance on reunion)", "first seconds of a reunion in which avoidance counts double"),
    LabParam("d_cut", 5, 1, 9, "scale point", "Main & Solomon 1990 (>= 5 classified D)", "disorganisation score from which an infant is classified D"),
    LabParam("a_av", 4.0, 1, 7, "scale point", "Ainsworth et al. 1978 (A: high AV)", "mean avoidance for A"),
    LabParam("a_cm_max", 4.0, 1, 7, "scale point", "Ainsworth et al. 1978 (A: low CM)", "mean contact maintaining must stay below this for A"),
    LabParam("c_rs", 3.5, 1, 7, "scale point", "Ainsworth et al. 1978 (C: high RS with PS/CM)", "mean resistance for C"),
    LabParam("c_pscm", 3.5, 1, 7, "scale point", "Ainsworth et al. 1978", "mean PS or CM needed together with resistance for C"),
)

CM_BINS = np.array([1, 15, 30, 60, 90, 120])
RS_BINS = np.array([1, 3, 7, 12, 20, 30])
AV_BINS = np.array([3, 8, 15, 25, 40, 60])
D_BINS = np.array([1, 2, 3, 5, 7, 10, 14, 20])

EXPLORE, APPROACH, CONTACT, AVOID, CRY = 1, 2, 3, 4, 5


def _bin(x, bins):
    return 1 + np.searchsorted(bins, x, side="right")


def code_reunion(stream, resist, initiative, params: dict | None = None) -> dict[str, np.ndarray]:
    """Ainsworth scales (1-7 integers) for one reunion; arrays shape (T, N)."""
    q = resolve(CODING_PARAMS, params)
    stream = np.asarray(stream)
    T = stream.shape[0]
    t = np.arange(T)[:, None]
    contact = stream == CONTACT
    approach = stream == APPROACH
    init = np.asarray(initiative, bool) & contact
    big = T + 1
    lat_init = np.where(init.any(0), np.argmax(init, axis=0), big)
    first_contact = np.where(contact.any(0), np.argmax(contact, axis=0), big)
    approach_before = (approach & (t < first_contact[None, :])).sum(0)
    approach_s = approach.sum(0)
    cry_s = (stream == CRY).sum(0)
    ps = np.select(
        [lat_init <= q["ps_fast"], lat_init <= q["ps_slow"],
         (lat_init < big) | ((first_contact < big) & (approach_before >= 1)),
         approach_s >= 3, (approach_s >= 1) | (first_contact < big), cry_s >= 5],
        [7, 6, 5, 4, 3, 2], 1)
    cm = _bin(contact.sum(0), CM_BINS)
    rs = _bin(np.asarray(resist, bool).sum(0), RS_BINS)
    av_s = (stream == AVOID)
    av_w = av_s.sum(0) + (av_s & (t < q["avoid_early_window"])).sum(0)
    av = _bin(av_w, AV_BINS)
    return {"proximity_seeking": ps.astype(np.int8), "contact_maintaining": cm.astype(np.int8),
            "resistance": rs.astype(np.int8), "avoidance": av.astype(np.int8)}


def disorganisation_score(conflict, freeze, apprehension) -> np.ndarray:
    """1-9 disorganisation score from marker streams (any shape (T, N))."""
    m = (np.asarray(conflict, bool).sum(0) + np.asarray(freeze, bool).sum(0) / 3.0
         + np.asarray(apprehension, bool).sum(0) / 3.0)
    return _bin(m, D_BINS).astype(np.int8)


def classify(ps, cm, rs, av, dscore, params: dict | None = None):
    """(attachment, secondary) object arrays from mean scale scores and the D score."""
    q = resolve(CODING_PARAMS, params)
    is_a = (av >= q["a_av"]) & (av >= rs + 1.0) & (cm < q["a_cm_max"])
    is_c = ~is_a & (rs >= q["c_rs"]) & (np.maximum(ps, cm) >= q["c_pscm"]) & (av < q["a_av"])
    abc = np.where(is_a, "A", np.where(is_c, "C", "B")).astype(object)
    d = np.asarray(dscore) >= q["d_cut"]
    attachment = np.where(d, "D", abc).astype(object)
    return attachment, abc


def code_procedure(res: dict, params: dict | None = None) -> dict[str, np.ndarray]:
    """Code both reunions of :func:`experiments.lab.ssp.run_procedure` output and classify."""
    lengths = res["reunion_lengths"]
    scales = []
    start = 0
    for ln in lengths:
        sl = slice(start, start + int(ln))
        scales.append(code_reunion(res["stream"][sl], res["resist"][sl], res["initiative"][sl], params))
        start += int(ln)
    mean = {k: np.mean([s[k] for s in scales], axis=0) for k in scales[0]}
    dscore = disorganisation_score(res["conflict"], res["freeze"], res["apprehension"])
    att, sec = classify(mean["proximity_seeking"], mean["contact_maintaining"], mean["resistance"],
                        mean["avoidance"], dscore, params)
    out = {"attachment": att, "secondary": sec, "avoidance": mean["avoidance"],
           "resistance": mean["resistance"], "disorganisation": dscore,
           "proximity_seeking": mean["proximity_seeking"], "contact_maintaining": mean["contact_maintaining"]}
    for i, s in enumerate(scales):
        for k, v in s.items():
            out[f"{k}_ep{5 if i == 0 else 8}"] = v
    return out


__all__ = ["CODING_PARAMS", "code_reunion", "disorganisation_score", "classify", "code_procedure"]
