"""Calibration targets as data: ``calibration/targets.toml``, one target per virtual study.

Each target names the registry study that computes its statistic (``study``), the published
value (or the bound of a one-sided or direction-only claim), its uncertainty, the scale it is
emulated and compared on, and a role: ``fit`` (history matching, ABC) or ``check`` (held back).
The file's header documents every field; :func:`load_targets` checks every one and stops at
the first bad field with one line (:class:`model.params.ParameterError`, exit status 2 on the
command line). A target whose study is missing from the registry is refused.

Scales (history-matching.md 1.6): ``fisher_z`` (atanh r), ``logit`` (a share), ``identity``.
A published 95% interval is transformed at its end points, SE = (hi - lo) / 3.92; a published SE
on the natural scale is carried over by the delta method (d atanh r / dr = 1 / (1 - r^2),
d logit p / dp = 1 / (p (1 - p))).

>>> t = parse_target("X", {"study": "A7", "source": "A7", "role": "fit", "kind": "value", "value": 0.26,
...                        "interval": [0.22, 0.29], "scale": "fisher_z", "confidence": "H"}, "", {"A7"})
>>> round(t.se, 4), round(t.discrepancy, 3)
(0.0186, 0.05)
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from bonding.calibration.targets import _choice, _number, check_table
from bonding.experiments.inputs import did_you_mean, read_toml
from bonding.model.params import ParameterError

TARGETS_FILE = Path(__file__).resolve().parent / "targets.toml"
TOP_KEYS = ("meta", "targets")
META_KEYS = ("chosen_on", "chosen_at_commit", "note")
TARGET_KEYS = ("study", "source", "role", "kind", "value", "se", "interval", "tolerance", "scale",
               "discrepancy", "confidence", "note")
ROLES = ("fit", "check")
KINDS = ("value", "at_least", "at_most")
SCALES = ("identity", "fisher_z", "logit")
CONFIDENCES = ("H", "M")  # L and MEMORY are refused (targets.md)
DISCREPANCY_FLOOR = {"identity": 0.0, "fisher_z": 0.05, "logit": 0.2}  # history-matching.md 1.7
Z95 = 3.92  # width of a 95% normal interval in SEs


def transform(scale: str, x):
    """The emulation scale: ``atanh`` for r, ``logit`` for a share, else unchanged (NaN outside)."""
    x = np.asarray(x, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        if scale == "fisher_z":
            return np.arctanh(np.clip(x, -0.999999, 0.999999))
        if scale == "logit":
            p = np.clip(x, 1e-6, 1 - 1e-6)
            return np.log(p / (1 - p))
    return x


def _delta(scale: str, value: float) -> float:
    """Derivative of the transform at ``value`` (delta method)."""
    if scale == "fisher_z":
        return 1.0 / (1.0 - value * value)
    if scale == "logit":
        return 1.0 / (value * (1.0 - value))
    return 1.0


@dataclass(frozen=True)
class StudyTarget:
    """One published finding, on the scale it is emulated on (``observed``, ``se``)."""

    name: str
    study: str
    source: str
    role: str
    kind: str
    value: float  # natural scale
    scale: str
    observed: float  # transform(value)
    se: float  # published SE on the transformed scale (or the tolerance of a direction)
    discrepancy: float  # model-discrepancy SD on the transformed scale
    confidence: str
    note: str

    @property
    def key(self) -> str:
        """The simulator output this target reads (the study's name)."""
        return self.study

    def statistic(self, x):
        """The simulated statistic on the comparison scale."""
        return transform(self.scale, x)

    def shortfall(self, m):
        """Signed distance from the published value (0 where a one-sided claim is met)."""
        m = np.asarray(m, float)
        if self.kind == "at_least":
            return np.minimum(m - self.observed, 0.0)
        if self.kind == "at_most":
            return np.maximum(m - self.observed, 0.0)
        return m - self.observed


@dataclass(frozen=True)
class TargetSet:
    path: str
    chosen_on: str
    chosen_at_commit: str
    targets: tuple[StudyTarget, ...]

    def role(self, role: str) -> tuple[StudyTarget, ...]:
        return tuple(t for t in self.targets if t.role == role)

    def counts(self) -> dict[str, int]:
        return {r: len(self.role(r)) for r in ROLES}

    def to_dict(self) -> dict:
        return {"chosen_on": self.chosen_on, "chosen_at_commit": self.chosen_at_commit,
                "targets": [asdict(t) for t in self.targets]}

    def fingerprint(self) -> str:
        return hashlib.sha256(json.dumps(self.to_dict(), sort_keys=True).encode()).hexdigest()[:16]


def _num(where: str, value, lo: float = -1e9, hi: float = 1e9) -> float:
    return _number(where, value, lo, hi)


def _natural_range(where: str, scale: str, x: float) -> None:
    if scale == "fisher_z" and not -1 < x < 1:
        raise ParameterError(f"{where}: {x!r} is out of range for a correlation (allowed above -1 and below 1)")
    if scale == "logit" and not 0 < x < 1:
        raise ParameterError(f"{where}: {x!r} is out of range for a share (allowed above 0 and below 1)")


def parse_target(name: str, spec, where: str, studies) -> StudyTarget:
    """One ``[targets.NAME]`` table, checked field by field (``studies``: the registry's names)."""
    w = f"{where}targets.{name}"
    check_table(w, spec, TARGET_KEYS)
    for key in ("study", "source", "role", "kind", "value", "scale", "confidence"):
        if key not in spec:
            raise ParameterError(f"{w}.{key}: missing (required: study, source, role, kind, value, scale, confidence "
                                 "and one of se, interval, tolerance)")
    study = spec["study"]
    if not isinstance(study, str) or study not in studies:
        hint = did_you_mean(study, studies) if isinstance(study, str) else ""
        raise ParameterError(f"{w}.study: {study!r} is not a study of the registry{hint} "
                             "(allowed: a table name of experiments/studies/registry.toml)")
    source = spec["source"]
    if not isinstance(source, str) or not source.strip():
        raise ParameterError(f"{w}.source: must name a row of targets.md (e.g. \"A7\")")
    role = _choice(f"{w}.role", spec["role"], ROLES)
    kind = _choice(f"{w}.kind", spec["kind"], KINDS)
    scale = _choice(f"{w}.scale", spec["scale"], SCALES)
    conf = spec["confidence"]
    if conf in ("L", "MEMORY"):
        raise ParameterError(f"{w}.confidence: {conf!r} cannot be a target (allowed H, M; targets.md: do not "
                             "calibrate against low-confidence or MEMORY values)")
    conf = _choice(f"{w}.confidence", conf, CONFIDENCES)
    value = _num(f"{w}.value", spec["value"])
    _natural_range(f"{w}.value", scale, value)
    given = [k for k in ("se", "interval", "tolerance") if k in spec]
    allowed_unc = ("tolerance",) if kind != "value" else ("se", "interval")
    if len(given) != 1 or given[0] not in allowed_unc:
        raise ParameterError(f"{w}: give exactly one of {' or '.join(allowed_unc)} (a {kind} target; "
                             f"given: {', '.join(given) or 'none'})")
    observed = float(transform(scale, value))
    if "se" in spec:
        se = _num(f"{w}.se", spec["se"], 1e-9, 1e6) * abs(_delta(scale, value))
    elif "interval" in spec:
        iv = spec["interval"]
        if not isinstance(iv, list) or len(iv) != 2:
            raise ParameterError(f"{w}.interval: must be [low, high] (the published 95% interval)")
        lo, hi = (_num(f"{w}.interval", x) for x in iv)
        for x in (lo, hi):
            _natural_range(f"{w}.interval", scale, x)
        if not lo < value < hi:
            raise ParameterError(f"{w}.interval: [{lo:g}, {hi:g}] must contain value {value:g} (allowed low < value < high)")
        se = float(transform(scale, hi) - transform(scale, lo)) / Z95
    else:
        se = _num(f"{w}.tolerance", spec["tolerance"], 1e-9, 1e6)
    if "discrepancy" in spec:
        disc = _num(f"{w}.discrepancy", spec["discrepancy"], 0.0, 1e6)
    else:
        disc = max(0.5 * se, DISCREPANCY_FLOOR[scale])
    note = spec.get("note", "")
    if not isinstance(note, str):
        raise ParameterError(f"{w}.note: must be text")
    return StudyTarget(name, study, source.strip(), role, kind, value, scale, observed, float(se), float(disc),
                       conf, note)


def parse_meta(spec, where: str) -> tuple[str, str]:
    w = f"{where}meta"
    if not isinstance(spec, dict):
        raise ParameterError(f"{w}: missing (a [meta] table with chosen_on and chosen_at_commit)")
    unknown = sorted(set(spec) - set(META_KEYS))
    if unknown:
        raise ParameterError(f"{w}.{unknown[0]}: unknown field (allowed {', '.join(META_KEYS)})")
    day = spec.get("chosen_on")
    try:
        datetime.date.fromisoformat(day if isinstance(day, str) else "")
    except ValueError:
        raise ParameterError(f"{w}.chosen_on: {day!r} is not a date (allowed YYYY-MM-DD: the day the roles were chosen)") from None
    commit = spec.get("chosen_at_commit")
    if not isinstance(commit, str) or not re.fullmatch(r"[0-9a-f]{7,40}", commit):
        raise ParameterError(f"{w}.chosen_at_commit: {commit!r} is not a commit (allowed 7 to 40 hex digits)")
    return day, commit


def registry_studies() -> tuple[str, ...]:
    from bonding.experiments.lab.studies import load_registry

    return tuple(load_registry())


def parse_targets(data: dict, where: str = "", path: str = "", studies=None) -> TargetSet:
    """A :class:`TargetSet` from a parsed file; ``studies``: the names a target may compute
    (default: every study of the registry)."""
    studies = tuple(registry_studies() if studies is None else studies)
    unknown = sorted(set(data) - set(TOP_KEYS))
    if unknown:
        raise ParameterError(f"{where}{unknown[0]}: unknown table{did_you_mean(unknown[0], TOP_KEYS)} "
                             f"(allowed {', '.join(TOP_KEYS)})")
    day, commit = parse_meta(data.get("meta"), where)
    spec = data.get("targets")
    if not isinstance(spec, dict) or not spec:
        raise ParameterError(f"{where}targets: missing (at least one [targets.NAME] table)")
    targets = tuple(parse_target(name, s, where, studies) for name, s in spec.items())
    seen: dict[str, str] = {}
    for t in targets:
        if t.study in seen:
            raise ParameterError(f"{where}targets.{t.name}.study: {t.study!r} is already the study of "
                                 f"targets.{seen[t.study]} (allowed: each study once)")
        seen[t.study] = t.name
    if not any(t.role == "fit" for t in targets):
        raise ParameterError(f"{where}targets: no target has role = \"fit\" (allowed: at least one)")
    return TargetSet(path, day, commit, targets)


def load_targets(path: str | Path | None = None, studies=None) -> TargetSet:
    """Read and check a targets file (default: the shipped ``calibration/targets.toml``)."""
    p = Path(path) if path is not None else TARGETS_FILE
    if not p.is_file():
        raise ParameterError(f"--targets: {str(p)!r} is not a file (allowed: a TOML targets file such as "
                             f"calibration/{TARGETS_FILE.name})")
    return parse_targets(read_toml(p, "targets file"), where=f"{p.name}: ", path=str(p.resolve()), studies=studies)


def targets_table(ts: TargetSet) -> str:
    """A plain-text listing: name, role, study, kind, value, SE and discrepancy on the emulated scale."""
    lines = [f"{len(ts.targets)} targets ({ts.counts()['fit']} fit, {ts.counts()['check']} check), roles chosen "
             f"{ts.chosen_on} at {ts.chosen_at_commit[:12]}"]
    for t in ts.targets:
        lines.append(f"  {t.name:<16} {t.role:<5} {t.study:<16} {t.kind:<8} {t.value:>8.4g}  "
                     f"{t.scale:<8} se {t.se:.3g}  disc {t.discrepancy:.3g}")
    return "\n".join(lines)


__all__ = ["StudyTarget", "TargetSet", "load_targets", "parse_targets", "parse_target", "transform",
           "targets_table", "TARGETS_FILE", "ROLES"]
