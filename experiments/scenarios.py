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

from dataclasses import dataclass, field
from pathlib import Path

from bonding.experiments import inputs
from bonding.model.interventions import REGISTRY, Intervention, make_intervention
from bonding.model.params import ParameterError, validate_overrides
from bonding.model.state import ROLES

SCENARIO_DIR = Path(__file__).parent / "scenarios"
TOP_LEVEL_KEYS = ("name", "description", "sources", "extends", "params", "interventions")


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


def _locate(ref: object, field: str = "scenario", named_in: Path | None = None) -> Path:
    """A shipped scenario's file, or a TOML path: relative to ``named_in``'s folder when the
    reference is written in a file (``extends``), else to the working directory."""
    lib = available_scenarios()
    if not isinstance(ref, str) or not ref.strip():
        raise ParameterError(f"{field}: {ref!r} is not a scenario (allowed: a shipped name ({', '.join(lib)}) "
                             "or a path to a .toml file, as text)")
    if ref in lib:
        return lib[ref]
    path = inputs.relative_to_file(ref, named_in) if named_in is not None else Path(ref).expanduser()
    if path.suffix == ".toml" and path.is_file():
        return path
    where = f" (looked for {path})" if path.suffix == ".toml" else ""
    raise ParameterError(f"{field}: {ref!r} is neither a shipped scenario{inputs.did_you_mean(ref, lib)} "
                         f"nor a TOML file{where}; shipped: {', '.join(lib)}")


def _read(path: Path) -> dict:
    """The scenario file's table with every top-level field type-checked."""
    data = inputs.read_toml(path, "scenario file")
    w = f"{path.name}: "
    for key in data:
        if key not in TOP_LEVEL_KEYS:
            raise ParameterError(f"{w}{key}: unknown key{inputs.did_you_mean(key, TOP_LEVEL_KEYS)} "
                                 f"(allowed: {', '.join(TOP_LEVEL_KEYS)})")
    if "name" in data:
        inputs.safe_name(data["name"], f"{w}name")
    if "description" in data:
        inputs.text(data["description"], f"{w}description")
    if "sources" in data:
        inputs.text_list(data["sources"], f"{w}sources")
    if "extends" in data:
        inputs.text(data["extends"], f"{w}extends", "a shipped scenario name or a path to a .toml file")
    if not isinstance(data.get("params", {}), dict):
        raise ParameterError(f"{w}params: must be a table of name = number ([params])")
    if not isinstance(data.get("interventions", []), list):
        raise ParameterError(f"{w}interventions: must be an array of tables ([[interventions]])")
    return data


def _intervention(spec: object, where: str) -> dict:
    """One ``[[interventions]]`` table: a known type, a role as text, numbers for the rest."""
    if not isinstance(spec, dict):
        raise ParameterError(f"{where}: must be a table")
    kind = inputs.known_name(spec.get("type"), f"{where}.type", sorted(REGISTRY), "intervention",
                             f"allowed: {', '.join(sorted(REGISTRY))}")
    cls = REGISTRY[kind]
    for key, value in spec.items():
        if key == "type":
            continue
        if key == "role" and cls.ROLE_FIELD:
            inputs.known_name(value, f"{where}.role", ROLES, "role", f"allowed: {', '.join(ROLES)}")
        elif key in cls.FIELDS:
            f = cls.FIELDS[key]
            inputs.strict_number(value, f"{where}.{key}", f"{f.lo:g} to {f.hi:g} {f.unit}")
        else:
            allowed = ", ".join((["role"] if cls.ROLE_FIELD else []) + list(cls.FIELDS)) or "none"
            raise ParameterError(f"{where}.{key}: unknown field of {kind}{inputs.did_you_mean(key, cls.FIELDS)} "
                                 f"(allowed: {allowed})")
    make_intervention(spec, where=f"{where}.")  # bounds and required fields
    return dict(spec)


def load_scenario(ref: str, _seen: tuple[str, ...] = (), _field: str = "scenario",
                  _named_in: Path | None = None) -> Scenario:
    """Load and validate a scenario by name or path, resolving ``extends`` (a path there is
    read relative to the file that names it)."""
    path = _locate(ref, _field, _named_in)
    key = str(path.resolve())
    if key in _seen:
        raise ParameterError(f"{path.name}: extends: circular chain ({' -> '.join(Path(s).stem for s in _seen + (key,))})")
    data = _read(path)
    if "extends" in data:
        base = load_scenario(data["extends"], _seen + (key,), f"{path.name}: extends", path)
    else:
        base = Scenario(name="defaults")
    params = dict(base.params)
    params.update(inputs.parameter_overrides(data.get("params", {}), f"{path.name}: "))
    specs = [dict(s) for s in base.interventions]
    for i, spec in enumerate(data.get("interventions", [])):
        specs.append(_intervention(spec, f"{path.name}: interventions[{i}]"))
    return Scenario(name=data.get("name", inputs.sanitised_name(path.stem)), description=data.get("description", ""),
                    sources=list(data.get("sources", [])), params=params, interventions=specs,
                    chain=base.chain + [path.name])
