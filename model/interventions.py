"""Interventions and events: programmes plug in through one small interface.

An intervention is an object with ``initialize(sim)`` (called once, before the first hour)
and ``apply(sim)`` (called at the start of every hour, before the infant's needs grow). It acts
only through the simulation's state arrays and intervention channels
(``sim.cg.exogenous_ot``, ``sim.cg.sensitivity_boost``, ``sim.cg.present``,
``sim.inf.with_family``, ``sim.cg.loneliness``, ``sim.hh.available``...), so a new programme
never edits the model. Each class declares its fields with bounds and units (``FIELDS``) so
that scenario files are validated exactly like model parameters.

Applies to a fraction ``coverage`` of households (by a threshold on a uniform from the
``interventions`` stream), so a scenario can treat a subgroup.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from model.params import Param, ParameterError
from model.state import DAYS_PER_MONTH, PRENATAL_DAYS, ROLES

ROLE_INDEX = {name: i for i, name in enumerate(ROLES)}


def _f(name, default, lo, hi, unit, meaning) -> Param:
    return Param(name, float(default), float(lo), float(hi), unit, "scenario", meaning, "intervention")


class Intervention:
    """Base class: subclasses set ``TYPE`` and ``FIELDS`` and override the two hooks."""

    TYPE = "intervention"
    FIELDS: dict[str, Param] = {}
    ROLE_FIELD = False  # whether the intervention takes a ``role`` (mother/father/...)

    def __init__(self, **kwargs):
        self.role = None
        for name, spec in self.FIELDS.items():
            setattr(self, name, spec.default)
        for key, value in kwargs.items():
            setattr(self, key, value)
        self.targets = None

    def initialize(self, sim) -> None:
        """Pick the treated households (``self.targets``, boolean (H,))."""
        u = sim.rng["interventions"].random(sim.H)
        self.targets = u < getattr(self, "coverage", 1.0)

    def apply(self, sim) -> None:  # pragma: no cover - overridden
        """Act on the state at the start of an hour."""

    @staticmethod
    def hour_of(month: float) -> int:
        """Simulation hour at which an infant age in months is reached."""
        return int(round((PRENATAL_DAYS + month * DAYS_PER_MONTH) * 24))

    def describe(self) -> dict:
        d = {"type": self.TYPE}
        if self.ROLE_FIELD:
            d["role"] = self.role
        d.update({k: getattr(self, k) for k in self.FIELDS})
        return d


COVERAGE = _f("coverage", 1.0, 0, 1, "fraction", "share of households that receive it")


class CaregiverLoss(Intervention):
    """Permanent loss of a caregiver at a given infant age, with grief in those left.

    The lost caregiver leaves the household; each remaining adult caregiver's loneliness jumps
    by ``grief_loneliness`` (a model parameter), which raises their cortisol and lowers their OT
    tone (Patin et al. 2018: loneliness in grief).
    """

    TYPE = "caregiver_loss"
    ROLE_FIELD = True
    FIELDS = {"month": _f("month", 6, 0, 36, "month", "infant age at the loss"), "coverage": COVERAGE}

    def apply(self, sim):
        if sim.hour != self.hour_of(self.month):
            return
        k = ROLE_INDEX[self.role]
        hit = self.targets & sim.cg.exists[:, k]
        sim.cg.present[hit, k] = False
        sim.cg.exists[hit, k] = False  # gone for good: no longer part of the household
        others = sim.cg.exists & hit[:, None]
        sim.cg.loneliness += others * sim.p.grief_loneliness[:, None]
        sim.refresh_availability()


class Absence(Intervention):
    """A caregiver is away (work travel, hospital, deployment) for a number of days."""

    TYPE = "absence"
    ROLE_FIELD = True
    FIELDS = {"month": _f("month", 3, 0, 36, "month", "infant age when the absence starts"),
              "days": _f("days", 14, 1, 365, "day", "length of the absence"), "coverage": COVERAGE}

    def apply(self, sim):
        start = self.hour_of(self.month)
        if sim.hour not in (start, start + int(self.days * 24)):
            return
        k = ROLE_INDEX[self.role]
        away = sim.hour == start
        sim.cg.present[self.targets & sim.cg.exists[:, k], k] = not away
        sim.refresh_availability()


class ExternalStressor(Intervention):
    """An external stressor (job loss, illness, conflict) raising caregivers' chronic cortisol."""

    TYPE = "external_stressor"
    FIELDS = {"month": _f("month", 4, -6, 36, "month", "infant age when it starts"),
              "days": _f("days", 60, 1, 720, "day", "duration"),
              "intensity": _f("intensity", 0.5, 0, 2, "fraction of mean cortisol", "added chronic excess"),
              "coverage": COVERAGE}

    def apply(self, sim):
        start = self.hour_of(self.month)
        end = start + int(self.days * 24)
        if start <= sim.hour < end and sim.hod == 0:
            sim.cortisol_target = sim.cortisol_target + self.intensity * (self.targets[:, None] & sim.cg.exists)


REGISTRY: dict[str, type[Intervention]] = {}


def register(cls: type[Intervention]) -> type[Intervention]:
    """Add an intervention class to the registry (usable as a decorator)."""
    REGISTRY[cls.TYPE] = cls
    return cls


for _cls in (CaregiverLoss, Absence, ExternalStressor):
    register(_cls)


def make_intervention(spec: Mapping[str, object], where: str = "") -> Intervention:
    """Build an intervention from a mapping ``{"type": ..., field: value, ...}``, validated.

    Errors are one line naming the field and the allowed range or values.
    """
    spec = dict(spec)
    kind = spec.pop("type", None)
    if kind not in REGISTRY:
        raise ParameterError(f"{where}type: {kind!r} is not an intervention (allowed: {', '.join(sorted(REGISTRY))})")
    cls = REGISTRY[kind]
    kwargs = {}
    if cls.ROLE_FIELD:
        role = spec.pop("role", None)
        if role not in ROLE_INDEX:
            raise ParameterError(f"{where}role: {role!r} is not a role (allowed: {', '.join(ROLES)})")
        kwargs["role"] = role
    for key, value in spec.items():
        if key not in cls.FIELDS:
            allowed = ", ".join(cls.FIELDS) or "none"
            raise ParameterError(f"{where}{key}: unknown field of {kind} (allowed: {allowed})")
        kwargs[key] = cls.FIELDS[key].check(value, f"{where}{key}")
    return cls(**kwargs)


__all__ = ["Intervention", "REGISTRY", "register", "make_intervention", "CaregiverLoss", "Absence",
           "ExternalStressor", "np"]
