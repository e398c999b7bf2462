"""Scenarios are data: TOML files that override parameters by name and add interventions.

A scenario file::

    name = "paternal_leave"
    description = "Six months of full-time paternal care after birth."
    sources = ["P1 (Gettler et al. 2011)", "P6 (Abraham et al. 2014)"]
    extends = "baseline"            # optional: a scenario name or a path

    [params]
    paternal_leave_months = 6

    [[interventions]]
    type = "caregiver_loss"
    role = "father"
    month = 6

A scenario that ``extends`` another inherits its parameters (its own override them) and its
interventions (its own are appended). Every field is validated: an unknown name or a value out
of bounds fails with one line naming the file, the field and the allowed range.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from model.interventions import Intervention, make_intervention
from model.params import ParameterError, validate_overrides

SCENARIO_DIR = Path(__file__).parent / "scenarios"
TOP_LEVEL_KEYS = {"name", "description", "sources", "extends", "params", "interventions"}


@dataclass
class Scenario:
    """A resolved scenario: parameter overrides and intervention specs, with provenance."""

    name: str
    description: str = ""
    sources: list[str] = field(default_factory=list)
    params: dict[str, float] = field(default_factory=dict)
    interventions: list[dict] = field(default_factory=list)
    chain: list[str] = field(default_factory=list)  # files it was built from, base first

    def build_interventions(self) -> list[Intervention]:
        """Fresh intervention objects (they hold per-run state, so never share them)."""
        return [make_intervention(spec, where=f"{self.name}: interventions[{i}].")
                for i, spec in enumerate(self.interventions)]

    def with_overrides(self, overrides: dict[str, object]) -> Scenario:
        """A copy with extra parameter overrides (e.g. from ``--set``), validated."""
        merged = dict(self.params)
        merged.update(validate_overrides(overrides, where="--set "))
        return Scenario(self.name, self.description, list(self.sources), merged,
                        [dict(s) for s in self.interventions], list(self.chain))

    def to_dict(self) -> dict:
        return {"name": self.name, "description": self.description, "sources": self.sources,
                "params": self.params, "interventions": self.interventions, "chain": self.chain}


def available_scenarios() -> dict[str, Path]:
    """Scenario name -> file, for the shipped library."""
    return {p.stem: p for p in sorted(SCENARIO_DIR.glob("*.toml"))}


def _locate(ref: str) -> Path:
    lib = available_scenarios()
    if ref in lib:
        return lib[ref]
    path = Path(ref)
    if path.suffix == ".toml" and path.is_file():
        return path
    raise ParameterError(f"scenario: {ref!r} is neither a shipped scenario ({', '.join(lib)}) nor a TOML file")


def _read(path: Path) -> dict:
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ParameterError(f"{path.name}: not valid TOML ({exc})") from None
    unknown = set(data) - TOP_LEVEL_KEYS
    if unknown:
        raise ParameterError(f"{path.name}: {sorted(unknown)[0]}: unknown key (allowed: {', '.join(sorted(TOP_LEVEL_KEYS))})")
    if not isinstance(data.get("params", {}), dict):
        raise ParameterError(f"{path.name}: params: must be a table of name = value")
    if not isinstance(data.get("interventions", []), list):
        raise ParameterError(f"{path.name}: interventions: must be an array of tables ([[interventions]])")
    return data


def load_scenario(ref: str, _seen: tuple[str, ...] = ()) -> Scenario:
    """Load and validate a scenario by name or path, resolving ``extends``."""
    path = _locate(ref)
    key = str(path.resolve())
    if key in _seen:
        raise ParameterError(f"{path.name}: extends: circular chain ({' -> '.join(Path(s).stem for s in _seen + (key,))})")
    data = _read(path)
    base = load_scenario(data["extends"], _seen + (key,)) if "extends" in data else Scenario(name="defaults")
    params = dict(base.params)
    params.update(validate_overrides(data.get("params", {}), where=f"{path.name}: params."))
    specs = [dict(s) for s in base.interventions]
    for i, spec in enumerate(data.get("interventions", [])):
        if not isinstance(spec, dict):
            raise ParameterError(f"{path.name}: interventions[{i}]: must be a table")
        make_intervention(spec, where=f"{path.name}: interventions[{i}].")  # validate now
        specs.append(dict(spec))
    return Scenario(name=data.get("name", path.stem), description=data.get("description", ""),
                    sources=list(data.get("sources", [])), params=params, interventions=specs,
                    chain=base.chain + [path.name])
