"""One input layer: every scenario file, targets file and command-line value is checked here.

Each check either returns a clean value or raises :class:`model.params.ParameterError` with one
line naming the file, field or flag and what is allowed; the command line turns it into exit
status 2 before anything is written. The rules:

* types are strict: a number is a TOML integer or float (not the string ``"0.5"``, not
  ``true``); a name is a string (not a list); a list is a TOML array (``sources = "x"`` is not);
* numbers typed on the command line (``--set x=2.5``) are decimal literals: Python's
  ``float()`` also reads ``2_50``, ``nan`` and ``infinity``, which are refused;
* unknown names get the closest declared names as a suggestion (:func:`did_you_mean`);
* names that become folder names (a scenario's ``name``) cannot leave the output root;
* text files must be UTF-8 TOML;
* population sizes are checked against the memory the machine has (:func:`check_memory`).
"""

from __future__ import annotations

import difflib
import math
import os
import re
import tomllib
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path

from bonding.experiments.cliutil import DECIMAL, SCHEDULER, WHOLE, scheduler_address  # noqa: F401 - one home each
from bonding.model.params import PARAMS, ParameterError

SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,79}")
SAFE_NAME_RULE = "letters, digits, _ . - (starting with a letter or digit, at most 80)"
SUGGESTION_CUTOFF = 0.6  # difflib ratio: 'ot_stres_buffering' -> 'ot_stress_buffering' (0.97)


# ------------------------------------------------------------------ names and suggestions
def did_you_mean(name: object, choices: Iterable[str], n: int = 3) -> str:
    """`` (did you mean A, B?)`` for the closest ``choices`` to ``name``, or ``""``."""
    close = difflib.get_close_matches(str(name), list(choices), n=n, cutoff=SUGGESTION_CUTOFF)
    return f" (did you mean {', '.join(close)}?)" if close else ""


def known_name(value: object, field: str, choices: Mapping | Iterable[str], noun: str, listing: str) -> str:
    """``value`` if it is a string among ``choices``; else one line with the closest names."""
    choices = list(choices)
    if not isinstance(value, str):
        raise ParameterError(f"{field}: {value!r} is not one {noun} name written as text ({listing})")
    if value not in choices:
        named = f"{field}:" if field.endswith((value, repr(value))) else f"{field}: {value!r}:"  # the name once
        raise ParameterError(f"{named} unknown {noun}{did_you_mean(value, choices)}; {listing}")
    return value


def parameter_name(value: object, field: str) -> str:
    return known_name(value, field, PARAMS, "parameter", "`bonding params` lists them")


def safe_name(value: object, field: str) -> str:
    """A name that is also a folder name: it cannot hold a path separator or start with a dot."""
    if not isinstance(value, str) or not SAFE_NAME.fullmatch(value):
        raise ParameterError(f"{field}: {value!r} is not allowed (allowed: {SAFE_NAME_RULE})")
    return value


def sanitised_name(text: str) -> str:
    """A safe name made from ``text`` (e.g. a file's stem)."""
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", text).lstrip("._-")[:80]
    return name or "scenario"


# ------------------------------------------------------------------ values
def text(value: object, field: str, allowed: str = "text") -> str:
    if not isinstance(value, str):
        raise ParameterError(f"{field}: {value!r} is not text (allowed: {allowed})")
    return value


def text_list(value: object, field: str) -> list[str]:
    """A TOML array of strings (a bare string is refused, not split into characters)."""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ParameterError(f"{field}: {value!r} is not a list of text (allowed: [\"...\", \"...\"])")
    return list(value)


def strict_number(value: object, field: str, allowed: str = "a number") -> float:
    """A TOML integer or float (``true`` and ``"0.5"`` are refused), finite."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ParameterError(f"{field}: {value!r} is not a number (allowed: {allowed}, written without quotes)")
    if not math.isfinite(float(value)):
        raise ParameterError(f"{field}: {value!r} is not a finite number (allowed: {allowed})")
    return float(value)


def number_text(text_value: str, field: str, allowed: str = "a decimal number such as 2.5 or 1e-3") -> float:
    """A number typed on the command line: a plain decimal literal only."""
    t = text_value.strip()
    if not DECIMAL.fullmatch(t):
        raise ParameterError(f"{field}: {text_value!r} is not a number (allowed: {allowed})")
    return float(t)


def parameter_overrides(values: object, where: str) -> dict[str, float]:
    """``[params]`` of a scenario: known names, strict numbers, declared bounds."""
    from bonding.model.params import validate_overrides

    if not isinstance(values, dict):
        raise ParameterError(f"{where}params: must be a table of name = number")
    checked = {}
    for name, value in values.items():
        parameter_name(name, f"{where}params.{name}")
        p = PARAMS[name]
        checked[name] = strict_number(value, f"{where}params.{name}", f"{p.lo:g} to {p.hi:g} {p.unit}")
    return validate_overrides(checked, where=f"{where}params.")


def parse_sets(items: list[str] | None, flag: str = "--set", names: Mapping | None = PARAMS) -> dict[str, float]:
    """``["a=1", "b=2.5"]`` -> ``{"a": 1.0, "b": 2.5}``: NAME=VALUE pairs with decimal values.

    ``names``: the declared names (suggestions for a typo); ``None`` leaves names to the caller.
    """
    out: dict[str, float] = {}
    for item in items or []:
        if "=" not in item:
            raise ParameterError(f"{flag}: {item!r} must look like NAME=VALUE")
        name, value = (s.strip() for s in item.split("=", 1))
        if not name:
            raise ParameterError(f"{flag}: {item!r} has no NAME (must look like NAME=VALUE)")
        label = f"{flag} {name}" if name.isprintable() else f"{flag} {name!r}"  # a message stays one line
        if names is not None:
            known_name(name, label, names, "parameter", "`bonding params` lists them")
        if name in out:
            raise ParameterError(f"{label}: given twice (each name once)")
        out[name] = number_text(value, label)
    return out


def name_list(text_value: str | None, flag: str, choices: Mapping | Iterable[str], noun: str = "parameter",
              listing: str = "`bonding params` lists them") -> list[str] | None:
    """``a,b,c``: known names, at least one, each once (``None`` stays ``None``)."""
    if text_value is None:
        return None
    names = [t.strip() for t in text_value.split(",")]
    if not any(names):
        raise ParameterError(f"{flag}: {text_value!r} names nothing (allowed: comma-separated names; {listing})")
    if not all(names):
        raise ParameterError(f"{flag}: {text_value!r} has an empty name between commas")
    choices = list(choices)
    for n in names:
        known_name(n, f"{flag} {n}", choices, noun, listing)
    dup = next((n for n in names if names.count(n) > 1), None)
    if dup:
        raise ParameterError(f"{flag}: {dup!r} is given twice (each name once)")
    return names


# ------------------------------------------------------------------ files
def read_toml(path: Path, what: str = "file") -> dict:
    """A UTF-8 TOML file as a dict; every failure is one line naming the file."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except IsADirectoryError:
        raise ParameterError(f"{path}: is a folder (allowed: a TOML {what})") from None
    except OSError as exc:
        raise ParameterError(f"{path}: cannot be read ({exc.strerror or exc.__class__.__name__})") from None
    try:
        body = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ParameterError(f"{path.name}: not UTF-8 text (byte {exc.start}; allowed: a UTF-8 TOML {what})") from None
    try:
        return tomllib.loads(body)
    except tomllib.TOMLDecodeError as exc:
        raise ParameterError(f"{path.name}: not valid TOML ({' '.join(str(exc).split())})") from None


def relative_to_file(ref: str, named_in: Path) -> Path:
    """A path named inside a file, read relative to that file's folder (absolute stays)."""
    p = Path(ref).expanduser()
    return p if p.is_absolute() else Path(named_in).resolve().parent / p


# ------------------------------------------------------------------ memory
# peak memory / the engine's arrays: measured 1.1 for a 0.5-month run and 2.3 for 12.5 months
# (maximum RSS of 11,000 vs 1,000 households: 12.4 kB more per household, arrays 5.4 kB), the
# difference being outcome tables, the lab's Strange Situation columns and working copies
MEMORY_FACTOR = 2.5


@lru_cache(maxsize=1)
def bytes_per_household() -> float:
    """Bytes of engine state per household, measured on two small populations (so fixed costs
    cancel): every numpy array reachable from a fresh :class:`model.simulation.Simulation`."""
    from bonding.model.params import ParamSet
    from bonding.model.simulation import Simulation

    def state_bytes(h: int) -> int:
        sim = Simulation(ParamSet.uniform(h), months=1.0, seed=0)
        return _array_bytes(sim, set())

    small, large = 64, 192
    return (state_bytes(large) - state_bytes(small)) / (large - small)


def _array_bytes(obj, seen: set) -> int:
    import numpy as np

    if id(obj) in seen:
        return 0
    seen.add(id(obj))
    if isinstance(obj, np.ndarray):
        return int(obj.nbytes)
    if isinstance(obj, dict):
        return sum(_array_bytes(v, seen) for v in obj.values())
    if isinstance(obj, list | tuple):
        return sum(_array_bytes(v, seen) for v in obj)
    if hasattr(obj, "__dict__") and not isinstance(obj, type) and type(obj).__module__.startswith("bonding.model"):
        return sum(_array_bytes(v, seen) for v in vars(obj).values())
    return 0


def available_memory() -> int | None:
    """Bytes this process may still use: MemAvailable, capped by a cgroup limit; None if unknown."""
    avail = None
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    avail = int(line.split()[1]) * 1024
    except (OSError, ValueError):
        try:
            avail = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        except (ValueError, OSError, AttributeError):
            avail = None
    try:
        limit = Path("/sys/fs/cgroup/memory.max").read_text().strip()
        used = int(Path("/sys/fs/cgroup/memory.current").read_text().strip())
        if limit != "max":
            room = int(limit) - used
            avail = room if avail is None else min(avail, room)
    except (OSError, ValueError):
        pass
    return avail


def memory_needed(households: int, at_once: int = 1) -> int:
    """Bytes ``at_once`` simultaneous populations of ``households`` need (estimate)."""
    return int(households * at_once * bytes_per_household() * MEMORY_FACTOR)


def check_memory(households: int, flag: str = "--households", at_once: int = 1) -> None:
    """Refuse a population the machine cannot hold, saying how much it would need."""
    need = memory_needed(households, at_once)
    avail = available_memory()
    if avail is not None and need > avail:
        also = f" x {at_once} at once" if at_once > 1 else ""
        raise ParameterError(f"{flag}: {households}{also} households would need about {_gb(need)} of memory; "
                             f"this machine has {_gb(avail)} available (allowed: at most about "
                             f"{int(avail / (bytes_per_household() * MEMORY_FACTOR * at_once))})")


def _gb(n: float) -> str:
    return f"{n / 1e9:.1f} GB"


__all__ = ["did_you_mean", "known_name", "parameter_name", "safe_name", "sanitised_name", "text", "text_list",
           "strict_number", "number_text", "parameter_overrides", "parse_sets", "name_list", "scheduler_address",
           "read_toml", "relative_to_file", "bytes_per_household", "available_memory", "memory_needed",
           "check_memory"]
