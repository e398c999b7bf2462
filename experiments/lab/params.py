"""Declared lab parameters: every number the lab uses, with unit, bounds, default and source.

Each module keeps its own table (``SSP_PARAMS``, ``CODING_PARAMS``, ``MEASURE_PARAMS``) built
from :class:`LabParam`; :func:`lab_table` renders them for docs/ODD.md (section 8.7).
"""

from __future__ import annotations

from types import MappingProxyType

from bonding.model.params import Param


def LabParam(name: str, default: float, lo: float, hi: float, unit: str, source: str, meaning: str) -> Param:  # noqa: N802
    """A lab parameter: the model's :class:`~model.params.Param` in group ``"lab"`` (same checks)."""
    return Param(name, float(default), float(lo), float(hi), unit, source, meaning, "lab")


def table(*params: LabParam) -> MappingProxyType:
    """An immutable name -> LabParam mapping."""
    return MappingProxyType({p.name: p for p in params})


def resolve(table_: MappingProxyType, overrides: dict | None = None) -> dict[str, float]:
    """Defaults updated by validated overrides, as a plain dict of floats."""
    out = {k: p.default for k, p in table_.items()}
    for k, v in (overrides or {}).items():
        if k not in table_:
            raise ValueError(f"{k}: unknown lab parameter (allowed: {', '.join(table_)})")
        out[k] = table_[k].check(v)
    return out


def lab_table(table_: MappingProxyType) -> str:
    """Markdown table of one parameter table."""
    lines = ["| name | default | bounds | unit | source | meaning |", "|---|---|---|---|---|---|"]
    for p in table_.values():
        lines.append(f"| {p.name} | {p.default:g} | {p.lo:g} to {p.hi:g} | {p.unit} | {p.source} | {p.meaning} |")
    return "\n".join(lines)
