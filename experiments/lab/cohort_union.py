"""Shared cohorts: virtual studies of one population simulated once, with the union of their visits.

``run_study`` simulates each study's own population. Studies that sample the same population
(the same parameter overrides) differ only in their visits and sample sizes, so one simulation
can serve them all: :func:`run_shared` groups the studies by their overrides, simulates each group
ONCE with as many households as its largest study needs and the union of the group's visits,
and lets every study sample its units and compute its statistic from that one run exactly as
``run_study`` does (:func:`experiments.lab.studies.replicate_rows`).

Why a study's numbers do not depend on the company it keeps:

* the visit procedures only read the simulation (:mod:`experiments.lab.procedures`,
  :mod:`experiments.lab.stress`, :mod:`experiments.lab.ssp`; tested for every procedure), so
  another study's visit at some hour leaves the state the next visit sees unchanged; stepping
  stops at more hours but the block and hourly paths give identical states;
* a visit's random stream is that of its identity in its own study, its rank in that study's
  time order (:func:`experiments.lab.studies.visit_rng`), never its position in the union;
* enrolment is taken at each study's own first visit, and the caregivers' plasma cortisol an
  hour before a visit is the model's value an hour before that visit's hour.

So a study's visit data from a union equal, bit for bit, those of the study simulated alone
with the same seed and households (``experiments.lab.studies.simulate``), and with its own
households ``run_shared`` returns ``run_study``'s rows. Visits that are the same in two studies
(hour, procedure and rank) are run once and shared, e.g. the Strange Situation of A1 and A7.

With different studies in a group the households are the largest study's block; a smaller
study samples the first households of that population, so its numbers differ from
``run_study``'s (a different population draw of the same model), not its design.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from bonding.experiments.lab.studies import (
    Study,
    _block,
    _enrolment,
    advance_to,
    months_to,
    replicate_rows,
    run_study,
    visit_output,
    visit_rng,
    visit_schedule,
)
from bonding.model.params import ParamSet
from bonding.model.simulation import Simulation


@dataclass(frozen=True, order=True)
class VisitKey:
    """What makes a visit's data: its hour, its rank in its own study (which seeds its random
    stream) and its procedure. Two studies' visits with equal keys get identical data."""

    hour: int
    rank: int
    procedure: str


def study_visit_keys(study: Study) -> dict[str, VisitKey]:
    """Each visit of ``study`` by name -> its :class:`VisitKey`."""
    return {vname: VisitKey(hour, rank, proc) for rank, (vname, hour, proc) in enumerate(visit_schedule(study))}


def population_key(study: Study) -> str:
    """Studies with equal keys sample the same population (the same parameter overrides)."""
    return json.dumps(study.spec.get("overrides", {}), sort_keys=True)


def group_by_population(studies) -> dict[str, list[Study]]:
    """The studies grouped by :func:`population_key`, in the order given."""
    groups: dict[str, list[Study]] = {}
    for s in studies:
        groups.setdefault(population_key(s), []).append(s)
    return groups


def households_needed(studies, replicates: int, n: int | None = None) -> int:
    """Households of a shared simulation: the largest of the studies' ``block x replicates``."""
    return max(_block(s, n)[0] * int(replicates) for s in studies)


def simulate_union(studies, households: int, seed: int, threads: int = 1, hourly: bool = False):
    """Simulate the studies' common population once and collect every study's visit data.

    The studies must share their overrides (:func:`population_key`). Returns
    ``(sim, {study name: data})`` where ``data`` is what ``experiments.lab.studies.simulate``
    returns for that study alone with the same ``households`` and ``seed``: ``{visit: output}``
    and ``"_enrolment"`` at the study's first visit. Identical visits are run once and shared
    (the same dict object).
    """
    studies = list(studies)
    if len({population_key(s) for s in studies}) != 1:
        raise ValueError("simulate_union: the studies must share their overrides (group_by_population)")
    keys = {s.name: study_visit_keys(s) for s in studies}
    schedule = sorted({k for ks in keys.values() for k in ks.values()})
    enrol_hours = {min(ks.values()).hour for ks in keys.values()}
    params = ParamSet.uniform(households, studies[0].spec.get("overrides", {}))
    sim = Simulation(params, months_to(schedule[-1].hour), seed, threads=threads)
    outputs, enrolments = {}, {}
    cortisol_before = sim.cg.cortisol.copy()
    for key in schedule:
        if sim.hour < key.hour:  # later visits at this hour keep its hour-before value
            advance_to(sim, key.hour - 1, hourly)
            cortisol_before = sim.cg.cortisol.copy()
            advance_to(sim, key.hour, hourly)
        if key.hour in enrol_hours and key.hour not in enrolments:
            enrolments[key.hour] = _enrolment(sim)
        outputs[key] = visit_output(sim, key.procedure, visit_rng(seed, key.rank), cortisol_before)
    data = {name: {"_enrolment": enrolments[min(ks.values()).hour],
                   **{vname: outputs[k] for vname, k in ks.items()}} for name, ks in keys.items()}
    return sim, data


def run_shared(studies, replicates: int, seed: int, n: int | None = None, threads: int = 1) -> dict[str, list[dict]]:
    """``run_study``'s rows of every study, one simulation per population (:func:`simulate_union`).

    A ``vote`` study (sub-studies with their own seeds) runs through ``run_study``.
    """
    studies = list(studies)
    rows: dict[str, list[dict]] = {}
    plain = [s for s in studies if s.stat_kind != "vote"]
    for group in group_by_population(plain).values():
        _, data = simulate_union(group, households_needed(group, replicates, n), seed, threads=threads)
        for s in group:
            rows[s.name] = replicate_rows(s, data[s.name], replicates, seed, n)
    cache: dict = {}
    for s in studies:
        if s.stat_kind == "vote":
            rows[s.name] = run_study(s, replicates, seed, n, cache=cache, threads=threads)
    return {s.name: rows[s.name] for s in studies}


__all__ = ["VisitKey", "study_visit_keys", "population_key", "group_by_population", "households_needed",
           "simulate_union", "run_shared"]
