"""``DashboardModel``: the Mesa ``BondingModel`` as the dashboard runs it.

It is built from a shipped scenario's name plus parameter overrides (what the page's controls
hold), so that Reset can rebuild it from the settings alone. Its DataCollector reports, once per
simulated day, the day's *means* by role as the engine's recorder computed them (hormones vary
over the day; a midnight snapshot would show the circadian trough of cortisol, not its level),
pooled over the alloparents, plus the cumulative quality of caregivers' responses since birth
(sensitive share; frightening responses per 1,000, the behaviour that precedes disorganised
attachment, Main & Hesse 1990). The model core is not changed: this is a subclass.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import mesa
import numpy as np
from bonding.experiments.scenarios import load_scenario
from bonding.experiments.viz.controls import Settings
from bonding.model.bonding_model import BondingModel
from bonding.model.params import ParameterError, validate_overrides
from bonding.model.recorder import CAREGIVER_SERIES, INFANT_SERIES
from bonding.model.state import ALLOPARENT_SLOTS, FATHER, MOTHER, PRENATAL_DAYS, ROLES

SSP_AGE_MONTHS = 12.0  # the Strange Situation is run once, when the infants reach this age
ATTACHMENT_CLASSES = ("A", "B", "C", "D")
SSP_DAY = 365  # the infant age (days) at which it runs: a 12-month run ends there

#: Role groups the plots show: mothers, fathers, and every alloparent pooled (grandparent,
#: older sibling, daycare carer).
ROLE_GROUPS: dict[str, tuple[int, ...]] = {"mother": (MOTHER,), "father": (FATHER,),
                                           "alloparent": tuple(ALLOPARENT_SLOTS)}
CAREGIVER_VARIABLES = ("ot_plasma", "ot_central_tone", "cortisol", "testosterone", "prolactin",
                       "bond", "sensitivity", "depressed")
INFANT_VARIABLES = ("infant_cortisol", "infant_distress", "infant_cry_hours", "infant_ot",
                    "infant_expected_responsiveness_mother")


def _finished_day(model: BondingModel) -> int | None:
    """Index of the day the engine has just recorded (collection runs at each day's end)."""
    sim = model.sim
    return sim.day - 1 if sim.hour > 0 and sim.hod == 0 else None


def caregiver_daily_mean(variable: str, group: str):
    """A model reporter: yesterday's mean of ``variable`` over the existing members of ``group``.

    The recorder keeps one mean per role slot; slots are pooled weighted by their head counts.
    """
    index = CAREGIVER_SERIES.index(variable)
    slots = list(ROLE_GROUPS[group])

    def reporter(model: BondingModel) -> float:
        day = _finished_day(model)
        if day is None:
            return float("nan")
        means = model.sim.recorder.caregiver[day, index, slots]
        counts = model.sim.cg.exists[:, slots].sum(axis=0)
        ok = (counts > 0) & ~np.isnan(means)
        return float(np.sum(means[ok] * counts[ok]) / np.sum(counts[ok])) if ok.any() else float("nan")

    reporter.__name__ = f"{variable}_{group}"
    return reporter


def infant_daily_mean(variable: str):
    """A model reporter: yesterday's mean of an infant series (NaN before birth)."""
    index = INFANT_SERIES.index(variable)

    def reporter(model: BondingModel) -> float:
        day = _finished_day(model)
        return float("nan") if day is None else float(model.sim.recorder.infant[day, index])

    reporter.__name__ = variable
    return reporter


def age_days(model: BondingModel) -> float:
    """Infant age (days) of the day just recorded; negative during pregnancy."""
    day = _finished_day(model)
    return float("nan") if day is None else float(day - PRENATAL_DAYS)


def response_share(kind: str, per: float = 1.0):
    """A model reporter: responses of ``kind`` per ``per`` responses, all dyads, since birth."""

    def reporter(model: BondingModel) -> float:
        c = model.sim.counters
        n = float(np.sum(c["n_responses"]))
        return float(np.sum(c[f"n_{kind}"])) / n * per if n > 0 else float("nan")

    reporter.__name__ = f"{kind}_per_{per:g}"
    return reporter


def breastfeeding_share(model: BondingModel) -> float:
    return float(np.mean(model.sim.hh.breastfeeding))


def dashboard_reporters() -> dict[str, object]:
    """Every series the dashboard plots, keyed as the DataCollector's columns."""
    reporters: dict[str, object] = {"age_days": age_days}
    for var in CAREGIVER_VARIABLES:
        for group in ROLE_GROUPS:
            reporters[f"{var}_{group}"] = caregiver_daily_mean(var, group)
    for var in INFANT_VARIABLES:
        reporters[var] = infant_daily_mean(var)
    reporters["sensitive_share"] = response_share("sensitive")
    reporters["frightening_per_1000"] = response_share("frightening", 1000.0)
    reporters["breastfeeding_share"] = breastfeeding_share
    return reporters


def monitor_values(sim) -> dict[str, float]:
    """Now: mean bond by role group, % of responses that were sensitive since birth, mean infant
    cortisol (nmol/l, saliva), % of mothers and of fathers depressed."""
    cg = sim.cg
    out: dict[str, float] = {}
    for group, slots in ROLE_GROUPS.items():
        values = cg.bond[:, list(slots)][cg.exists[:, list(slots)]]
        out[f"bond_{group}"] = float(values.mean()) if values.size else float("nan")
    n = float(np.sum(sim.counters["n_responses"]))
    out["sensitive_pct"] = 100.0 * float(np.sum(sim.counters["n_sensitive"])) / n if n > 0 else float("nan")
    out["infant_cortisol"] = float(np.mean(sim.inf.cortisol))
    for group, slot in (("mother", MOTHER), ("father", FATHER)):
        exists = cg.exists[:, slot]
        out[f"depressed_pct_{group}"] = 100.0 * float(np.mean(cg.depressed[exists, slot])) if exists.any() else float("nan")
    return out


def strange_situation_shares(sim) -> dict[str, dict[str, float]]:
    """The lab's Strange Situation (``experiments.lab.ssp``, with the seed its run hook uses) on every
    infant-caregiver dyad now: role -> share of A, B, C, D and the number of dyads ``n``."""
    from bonding.experiments.lab.ssp import ssp_hook  # noqa: PLC0415 - the lab is loaded only at 12 months

    coded = ssp_hook(SSP_AGE_MONTHS)[1](sim)
    roles = np.array(ROLES, dtype=object)[np.nonzero(sim.cg.exists)[1]]  # the lab's dyad row order
    attachment = np.asarray(coded["ssp_attachment"], dtype=object)
    shares: dict[str, dict[str, float]] = {}
    for role in ROLES:
        mine = attachment[roles == role]
        if mine.size:
            shares[role] = {c: float(np.mean(mine == c)) for c in ATTACHMENT_CLASSES} | {"n": float(mine.size)}
    return shares


class DashboardModel(BondingModel):
    """``BondingModel`` built from a scenario name and overrides, with the dashboard's reporters.

    Parameters
    ----------
    households : int
        Number of households (one infant each).
    months : float
        Months after birth to simulate.
    scenario : str
        A shipped scenario (``bonding scenarios``); its parameters and interventions apply.
    overrides : mapping
        Parameter values on top of the scenario's (validated against the declaration).
    rng : int or str
        Seed (a text box delivers a string; it is cast). The same seed gives the same run.
    start_at_birth : bool
        Run the pregnancy (210 days) at once, so that the class starts at birth; its days are
        still collected and plotted.
    """

    def __init__(self, households: int = 100, months: float = 18, scenario: str = "baseline",
                 overrides: Mapping[str, object] | None = None, rng: int | str = 1,
                 start_at_birth: bool = False):
        spec = load_scenario(scenario)
        params = {**spec.params, **validate_overrides(overrides or {})}
        if int(households) < 1:
            raise ParameterError(f"households: {households} must be at least 1")
        self.interventions = spec.build_interventions()
        super().__init__(households=int(households), months=float(months), params=params,
                         interventions=self.interventions, rng=int(rng), agents=True)
        self.ssp: dict[str, dict[str, float]] | None = None  # A/B/C/D shares by role at 12 months
        self.scenario_name = spec.name
        self.scenario_description = " ".join(spec.description.split())
        self.datacollector = mesa.DataCollector(model_reporters=dashboard_reporters())
        self.members = self._index_members()
        # One lock for stepping and reading: the page's Play thread steps while the page (another
        # thread) reads; a read between two appends of a DataCollector collection would see
        # columns of different lengths ("All arrays must be of the same length").
        self.lock = threading.RLock()
        if start_at_birth:
            self.run_until_birth()

    @classmethod
    def from_settings(cls, settings: Settings) -> DashboardModel:
        """The model a validated dashboard form describes (what Reset builds)."""
        return cls(households=settings.households, months=settings.months, scenario=settings.scenario,
                   overrides=settings.overrides(), rng=settings.seed, start_at_birth=settings.start_at_birth)

    def _index_members(self) -> dict[int, list[mesa.Agent]]:
        """Household -> its Mesa agents (caregivers by slot, then the infant)."""
        members: dict[int, list[mesa.Agent]] = defaultdict(list)
        for agent in self.agents:
            members[agent.household].append(agent)
        for agents in members.values():
            agents.sort(key=lambda a: getattr(a, "slot", 99))
        return dict(members)

    def run_until_birth(self) -> None:
        """Step through the pregnancy (no-op after birth)."""
        with self.lock:
            while self.running and not self.sim.born:
                self.step()

    def advance(self, hours: int) -> int:
        """Step up to ``hours`` simulated hours (fewer if the run ends); return how many.

        Holds :attr:`lock` throughout, so that a reader never sees a half-made step.
        """
        done = 0
        with self.lock:
            while done < hours and self.running:
                self.step()
                done += 1
                if self.ssp is None and self.sim.born and self.sim.age_days >= SSP_DAY - 1e-6:
                    self.ssp = strange_situation_shares(self.sim)
        return done

    def monitors(self) -> dict[str, float]:
        """The numbers a lesson is about, now (see :func:`monitor_values`)."""
        with self.lock:
            return monitor_values(self.sim)

    def events(self) -> list[tuple[float, str]]:
        """Infant ages (months) at which something happens to the households: leave ends, daycare
        starts, interventions begin, the Strange Situation runs (the plots mark them)."""
        p, out = self.sim.p, []
        out.append((float(np.median(p.paternal_leave_months)), "father's leave ends"))
        out.append((float(np.median(p.maternal_leave_months)), "mother's leave ends"))
        if float(np.max(p.p_daycare)) > 0:
            out.append((float(np.median(p.daycare_start_month)), "daycare starts"))
        for intervention in self.interventions:
            month = getattr(intervention, "month", None)
            if month is not None:
                name = type(intervention).__name__
                role = getattr(intervention, "role", "")
                out.append((float(month), f"{name} {role}".strip()))
        out.append((SSP_AGE_MONTHS, "Strange Situation"))
        return [(m, label) for m, label in out if 0 < m <= self.sim.months]

    @contextmanager
    def reading(self) -> Iterator[DashboardModel]:
        """``with model.reading():`` hold the model still while reading several of its arrays."""
        with self.lock:
            yield self

    def days_recorded(self) -> int:
        """How many days the DataCollector holds (the trend figures change only with this)."""
        with self.lock:
            return len(self.datacollector.model_vars["age_days"])

    def series(self, columns) -> dict[str, np.ndarray]:
        """Some of the DataCollector's columns as arrays, one value per finished day: a snapshot
        taken under the lock, without building the whole table (what a step's redraw reads)."""
        with self.lock:
            collected = self.datacollector.model_vars
            return {name: np.array(collected[name], dtype=float) for name in columns}

    def history(self):
        """The DataCollector's table, one row per finished day: a snapshot taken under the lock."""
        with self.lock:
            return self.datacollector.get_model_vars_dataframe()
