"""``BondingModel``: the Mesa model around the vectorised engine.

One Mesa step is one simulated hour for every household at once. The model owns a
:class:`model.simulation.Simulation` (the pure engine) and one Mesa agent per caregiver and
infant, whose attributes read the engine's arrays. Data are collected once per simulated day.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import mesa
import numpy as np
from bonding.model.agents import Alloparent, Father, Infant, Mother
from bonding.model.params import ParamSet
from bonding.model.simulation import Simulation
from bonding.model.state import FATHER, MOTHER, ROLES


def role_mean(var: str, slot: int):
    """A model reporter: the mean of caregiver variable ``var`` over existing members of ``slot``."""

    def reporter(model: BondingModel) -> float:
        cg = model.sim.cg
        m = cg.exists[:, slot]
        return float(np.mean(getattr(cg, var)[m, slot])) if m.any() else float("nan")

    reporter.__name__ = f"mean_{var}_{ROLES[slot]}"
    return reporter


def infant_mean(var: str):
    def reporter(model: BondingModel) -> float:
        return float(np.mean(getattr(model.sim.inf, var)))

    reporter.__name__ = f"mean_infant_{var}"
    return reporter


class BondingModel(mesa.Model):
    """Households of mothers, fathers, alloparents and infants, from pregnancy to toddlerhood.

    Parameters
    ----------
    households : int
        Number of households (one infant each).
    months : float
        Months after birth to simulate (pregnancy from gestational week 10 comes first).
    params : mapping of overrides, or a ParamSet (one value per household)
    interventions : sequence of intervention objects (see :mod:`model.interventions`)
    rng : int
        Seed. The same seed gives bit-identical results.
    agents : bool
        Create Mesa agent views (default True). Large sweeps may switch them off.
    threads : int
        Threads sharing each day's household blocks on the block path (:meth:`step_day`);
        1 by default. Results do not depend on it (``Simulation``).
    """

    def __init__(self, households: int = 100, months: float = 18, params: Mapping | ParamSet | None = None,
                 interventions: Sequence = (), rng: int | None = 0, agents: bool = True,
                 threads: int = 1):
        rng = int(rng) if rng is not None else None  # SolaraViz text inputs arrive as str
        super().__init__(rng=rng)
        seed = rng if rng is not None else int(self.rng.integers(2**63))
        pset = params if isinstance(params, ParamSet) else ParamSet.uniform(int(households), params or {})
        self.sim = Simulation(pset, months, seed, interventions, threads=threads)
        if agents:
            self._create_agents()
        self.datacollector = mesa.DataCollector(model_reporters={
            **{f"bond_{ROLES[k]}": role_mean("bond", k) for k in (MOTHER, FATHER)},
            **{f"oxytocin_{ROLES[k]}": role_mean("ot_plasma", k) for k in (MOTHER, FATHER)},
            **{f"cortisol_{ROLES[k]}": role_mean("cortisol", k) for k in (MOTHER, FATHER)},
            "testosterone_father": role_mean("testosterone", FATHER),
            "prolactin_mother": role_mean("prolactin", MOTHER),
            "infant_cortisol": infant_mean("cortisol"),
            "infant_distress": infant_mean("distress"),
        })
        self.datacollector.collect(self)

    def _create_agents(self):
        cg = self.sim.cg
        for cls, slots in ((Mother, [MOTHER]), (Father, [FATHER]), (Alloparent, [2, 3, 4])):
            for k in slots:
                for h in np.flatnonzero(cg.exists[:, k]):
                    cls(self, h, k)
        for h in range(self.sim.H):
            Infant(self, h)

    def step(self):
        """Advance every household one hour; collect data at each day's end."""
        self.sim.step()
        if self.sim.hod == 0:
            self.datacollector.collect(self)
        if self.sim.done:
            self.running = False

    def step_day(self):
        """Advance every household one whole day by the day-major block path; collect the day's data.

        The same results as 24 calls of :meth:`step` (``Simulation.step_day``,
        tests/model/test_day_blocks.py), at the block path's speed; what ``bonding run`` and the
        workflows built on it use. Mesa's step counter is not advanced: where one step must be
        one hour (the dashboard), use :meth:`step`. A day begun with :meth:`step` is finished hour by hour.
        """
        if self.sim.hod != 0:
            while self.sim.hod != 0 and not self.sim.done:
                self.step()
            return
        self.sim.step_day()
        self.datacollector.collect(self)
        if self.sim.done:
            self.running = False
