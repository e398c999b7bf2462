"""The calibration problem as data: targets and free parameters from a TOML file.

``calibration/demo_targets.toml`` is the shipped demonstration problem (issue 15 moved the
full target list to ``calibration/targets.toml``, read by ``calibration/study_targets.py``); ``bonding calibrate --targets FILE`` reads
another. The file has three tables:

``[cohort]``
    ``scenario``: the scenario the cohort runs (a name or a path, as ``bonding run``).
``[parameters]``
    ``free``: the parameters to calibrate, by name. Their priors are uniform over the bounds
    declared in ``model.params.PARAMS`` (never retyped here).
``[targets.NAME]``
    ``source`` (row of shared/science/targets.md), ``published`` (the value), ``n`` (published
    study size) or ``se`` (its standard error), ``confidence`` (H or M; L is refused),
    ``memory`` (true is refused: targets.md marks numbers recalled but not seen), optional
    ``weight`` (default 1 for H, 0.5 for M), ``statistic``, ``role`` and, for a share, ``class``
    (see :data:`calibration.cohort.STATISTICS`), and a ``note``.

Every field is checked; a bad one stops with one line naming the file, the field and what is
allowed (:class:`model.params.ParameterError`, exit status 2 on the command line).
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path

from bonding.calibration.cohort import CLASSES, STATISTICS, correlation_se, share_se, summary_key
from bonding.experiments.inputs import did_you_mean, parameter_name, read_toml, relative_to_file
from bonding.model.params import PARAMS, ParameterError

DEFAULT_TARGETS = Path(__file__).resolve().parent / "demo_targets.toml"
TOP_KEYS = ("cohort", "parameters", "targets")
TARGET_KEYS = ("source", "published", "n", "se", "confidence", "memory", "weight", "statistic", "role",
               "class", "note")
CONFIDENCE_WEIGHT = {"H": 1.0, "M": 0.5}  # L and MEMORY are refused
MAX_FREE = 8
MAX_N = 10_000_000
PUBLISHED_RANGE = {  # statistic -> allowed published values
    "ssp_share": (0.0, 1.0), "sensitivity_security_r_latent": (-1.0, 1.0),
    "sensitivity_security_r_observed": (-1.0, 1.0), "testosterone_median_pct_change": (-100.0, 1000.0),
}


@dataclass(frozen=True)
class Target:
    """One published value and the simulated summary statistic compared with it."""

    name: str
    source: str
    published: float
    se_published: float
    n: int | None
    confidence: str
    weight: float
    statistic: str
    role: str
    klass: str | None
    note: str

    @property
    def key(self) -> str:
        """The simulator's summary key (e.g. ``share_mother_A``)."""
        return summary_key(self.statistic, self.role, self.klass)


@dataclass(frozen=True)
class Problem:
    """Targets, free parameters and the cohort's scenario, as declared in one file."""

    path: str
    scenario: str
    free: tuple[str, ...]
    targets: tuple[Target, ...]

    def observed(self) -> dict[str, float]:
        """The published values by summary key (pyabc's observed summary statistics)."""
        return {t.key: t.published for t in self.targets}

    def bounds(self) -> dict[str, tuple[float, float]]:
        """Prior bounds of the free parameters, from the declaration."""
        return {n: (PARAMS[n].lo, PARAMS[n].hi) for n in self.free}

    def to_dict(self) -> dict:
        return {"scenario": self.scenario, "free": list(self.free),
                "priors": {n: {"distribution": "uniform", "lo": lo, "hi": hi} for n, (lo, hi) in self.bounds().items()},
                "targets": [asdict(t) | {"key": t.key} for t in self.targets]}

    def fingerprint(self) -> str:
        """Hash of everything that defines the problem (not the file's path or comments)."""
        return hashlib.sha256(json.dumps(self.to_dict(), sort_keys=True).encode()).hexdigest()[:16]


def _number(where: str, value, lo: float, hi: float, integer: bool = False) -> float:
    kind = "a whole number" if integer else "a number"
    if isinstance(value, bool) or not isinstance(value, int | float) or (integer and not isinstance(value, int)):
        raise ParameterError(f"{where}: {value!r} is not {kind} (allowed {lo:g} to {hi:g})")
    v = float(value)
    if not math.isfinite(v) or not lo <= v <= hi:
        raise ParameterError(f"{where}: {value!r} is out of range (allowed {lo:g} to {hi:g})")
    return v


def _choice(where: str, value, allowed) -> str:
    if not isinstance(value, str) or value not in allowed:
        hint = did_you_mean(value, allowed) if isinstance(value, str) else ""
        raise ParameterError(f"{where}: {value!r} is not allowed{hint} (allowed {', '.join(map(str, allowed))})")
    return value


def check_table(w: str, spec, allowed) -> None:
    """A TOML table whose fields must all be in ``allowed`` (one-line ParameterError naming ``w``)."""
    if not isinstance(spec, dict):
        raise ParameterError(f"{w}: must be a table")
    unknown = sorted(set(spec) - set(allowed))
    if unknown:
        raise ParameterError(f"{w}.{unknown[0]}: unknown field{did_you_mean(unknown[0], allowed)} "
                             f"(allowed {', '.join(allowed)})")


def published_se(statistic: str, published: float, n: int) -> float:
    """Sampling error of a published value from a study of ``n`` units."""
    if statistic == "ssp_share":
        return share_se(published, n)
    if statistic.startswith("sensitivity_security_r"):
        return correlation_se(published, n)
    raise ParameterError(f"{statistic}: give `se` (a median's SE needs the spread of the units)")


def parse_target(name: str, spec, where: str) -> Target:
    """One ``[targets.NAME]`` table, checked field by field."""
    w = f"{where}targets.{name}"
    check_table(w, spec, TARGET_KEYS)
    for key in ("source", "published", "confidence", "statistic", "role"):
        if key not in spec:
            raise ParameterError(f"{w}.{key}: missing (required: source, published, n or se, confidence, statistic, role)")
    source = spec["source"]
    if not isinstance(source, str) or not source.strip():
        raise ParameterError(f"{w}.source: must name a row of targets.md (e.g. \"A6\")")
    if spec.get("memory", False) is not False:
        if spec["memory"] is True:
            raise ParameterError(f"{w}.memory: a MEMORY value cannot be a target (allowed false; targets.md: "
                                 "do not calibrate against MEMORY values)")
        raise ParameterError(f"{w}.memory: {spec['memory']!r} is not allowed (allowed true, false)")
    conf = spec["confidence"]
    if conf == "L":
        raise ParameterError(f"{w}.confidence: 'L' cannot be a target (allowed H, M; low-confidence rows are not calibrated against)")
    _choice(f"{w}.confidence", conf, tuple(CONFIDENCE_WEIGHT))
    stat = _choice(f"{w}.statistic", spec["statistic"], tuple(STATISTICS))
    roles, with_class = STATISTICS[stat]
    role = _choice(f"{w}.role", spec["role"], roles)
    klass = None
    if with_class:
        if "class" not in spec:
            raise ParameterError(f"{w}.class: missing (allowed {', '.join(CLASSES)})")
        klass = _choice(f"{w}.class", spec["class"], CLASSES)
    elif "class" in spec:
        raise ParameterError(f"{w}.class: only a share (statistic = \"ssp_share\") has a class")
    lo, hi = PUBLISHED_RANGE[stat]
    published = _number(f"{w}.published", spec["published"], lo, hi)
    if ("n" in spec) == ("se" in spec):
        raise ParameterError(f"{w}: give exactly one of n (published study size) and se (its standard error)")
    if "n" in spec:
        n = int(_number(f"{w}.n", spec["n"], 2, MAX_N, integer=True))
        if stat == "testosterone_median_pct_change":
            raise ParameterError(f"{w}.n: a median's SE needs the spread of the units; give se instead")
        se = published_se(stat, published, n)
    else:
        n = None
        se = _number(f"{w}.se", spec["se"], 1e-9, 1e6)
    weight = CONFIDENCE_WEIGHT[conf]
    if "weight" in spec:
        weight = _number(f"{w}.weight", spec["weight"], 0.0, 1.0)
        if weight == 0:
            raise ParameterError(f"{w}.weight: 0 is out of range (allowed above 0 to 1; delete the target to leave it out)")
    note = spec.get("note", "")
    if not isinstance(note, str):
        raise ParameterError(f"{w}.note: must be text")
    return Target(name, source.strip(), published, se, n, conf, weight, stat, role, klass, note)


def parse_free(spec, where: str) -> tuple[str, ...]:
    w = f"{where}parameters.free"
    if not isinstance(spec, dict) or "free" not in spec:
        raise ParameterError(f"{w}: missing (a list of 1 to {MAX_FREE} parameter names; `bonding params` lists them)")
    free = spec["free"]
    if not isinstance(free, list) or not 1 <= len(free) <= MAX_FREE:
        raise ParameterError(f"{w}: must be a list of 1 to {MAX_FREE} parameter names")
    for name in free:
        parameter_name(name, w)
        if PARAMS[name].integer:
            raise ParameterError(f"{w}: {name!r} is a whole-number parameter (allowed: continuous parameters)")
        if PARAMS[name].lo == PARAMS[name].hi:
            raise ParameterError(f"{w}: {name!r} has no range to calibrate")
    if len(set(free)) != len(free):
        dup = next(n for n in free if free.count(n) > 1)
        raise ParameterError(f"{w}: {dup!r} is listed twice (each parameter once)")
    return tuple(free)


def parse_problem(data: dict, where: str = "", path: str = "") -> Problem:
    """A :class:`Problem` from a parsed targets file (``where`` prefixes error messages)."""
    unknown = sorted(set(data) - set(TOP_KEYS))
    if unknown:
        raise ParameterError(f"{where}{unknown[0]}: unknown table{did_you_mean(unknown[0], TOP_KEYS)} "
                             f"(allowed {', '.join(TOP_KEYS)})")
    cohort = data.get("cohort", {})
    if not isinstance(cohort, dict) or set(cohort) - {"scenario"}:
        raise ParameterError(f"{where}cohort: only `scenario` is allowed")
    scenario = cohort.get("scenario", "baseline")
    if not isinstance(scenario, str) or not scenario.strip():
        raise ParameterError(f"{where}cohort.scenario: {scenario!r} is not a scenario (allowed: a shipped name or a "
                             "path to a .toml file, as text)")
    from bonding.experiments.scenarios import available_scenarios, load_scenario

    if scenario not in available_scenarios() and path:  # a path: relative to the targets file
        scenario = str(relative_to_file(scenario, Path(path)))
    load_scenario(scenario, _field=f"{where}cohort.scenario")
    free = parse_free(data.get("parameters"), where)
    targets_spec = data.get("targets")
    if not isinstance(targets_spec, dict) or not targets_spec:
        raise ParameterError(f"{where}targets: missing (at least one [targets.NAME] table)")
    targets = tuple(parse_target(name, spec, where) for name, spec in targets_spec.items())
    keys = [t.key for t in targets]
    dup = next((k for k in keys if keys.count(k) > 1), None)
    if dup:
        names = [t.name for t in targets if t.key == dup]
        raise ParameterError(f"{where}targets.{names[1]}: compares the same statistic ({dup}) as targets.{names[0]} "
                             "(allowed: each simulated statistic once)")
    return Problem(path, scenario, free, targets)


def load_problem(path: str | Path | None = None) -> Problem:
    """Read and check a targets file (default: the shipped ``calibration/demo_targets.toml``)."""
    p = Path(path) if path is not None else DEFAULT_TARGETS
    if not p.is_file():
        raise ParameterError(f"--targets: {str(p)!r} is not a file (allowed: a TOML targets file, e.g. {DEFAULT_TARGETS.name})")
    data = read_toml(p, "targets file")
    return parse_problem(data, where=f"{p.name}: ", path=str(p.resolve()))


__all__ = ["Target", "Problem", "load_problem", "parse_problem", "DEFAULT_TARGETS", "published_se"]
