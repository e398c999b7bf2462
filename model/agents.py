"""Mesa agents: every caregiver and infant is a ``mesa.Agent`` whose attributes read live state.

Agents hold no copies of state: each attribute is a property that indexes the simulation's
arrays, so ``model.agents``, ``model.agents_by_type`` and Mesa's ``DataCollector`` see exactly
what the vectorised engine computes. Agents have no ``step``: the model advances all
households together (see :mod:`model.simulation`).
"""

from __future__ import annotations

import mesa
from bonding.model.learning import expected_responsiveness
from bonding.model.state import AAI_NAMES, ROLES


def _cg_field(name: str, doc: str):
    return property(lambda self: self.model.sim.cg.__dict__[name][self.household, self.slot], doc=doc)


def _inf_field(name: str, doc: str):
    return property(lambda self: self.model.sim.inf.__dict__[name][self.household], doc=doc)


class Caregiver(mesa.Agent):
    """A caregiver in slot ``slot`` of household ``household``."""

    def __init__(self, model, household: int, slot: int):
        super().__init__(model)
        self.household = int(household)
        self.slot = int(slot)

    @property
    def role(self) -> str:
        return ROLES[self.slot]

    @property
    def attachment_state(self) -> str:
        return AAI_NAMES[self.model.sim.cg.aai[self.household, self.slot]]

    oxytocin = _cg_field("ot_plasma", "plasma oxytocin, hour mean (pg/ml)")
    oxytocin_central = _cg_field("ot_central", "central oxytocin (index, tone 1 = adult mean)")
    oxytocin_tone = _cg_field("ot_tone", "slow central oxytocin tone (index)")
    cortisol = _cg_field("cortisol", "plasma cortisol (nmol/l)")
    dopamine = _cg_field("dopamine", "last phasic dopamine reward-prediction error")
    dopamine_tonic = _cg_field("tonic_da", "tonic dopamine: running mean of social reward")
    estradiol = _cg_field("estradiol", "estradiol (pg/ml)")
    progesterone = _cg_field("progesterone", "progesterone (ng/ml)")
    prolactin = _cg_field("prolactin", "prolactin (ng/ml)")
    testosterone = _cg_field("testosterone", "testosterone (nmol/l)")
    bond = _cg_field("bond", "bond to the infant (learned expected social reward, 0-1)")
    depressed = _cg_field("depressed", "currently in a depressive episode")
    fatigue = _cg_field("fatigue", "fatigue (index)")
    present = _cg_field("present", "in the household (not absent or lost)")


class Mother(Caregiver):
    """The birthing mother (slot 0)."""


class Father(Caregiver):
    """The co-resident father (slot 1)."""


class Alloparent(Caregiver):
    """A grandparent, older sibling or daycare carer (slots 2-4); ``role`` says which."""


class Infant(mesa.Agent):
    """The household's infant."""

    def __init__(self, model, household: int):
        super().__init__(model)
        self.household = int(household)

    hunger = _inf_field("hunger", "hunger (0 fed, 1 urgent)")
    distress = _inf_field("distress", "distress (0-1)")
    cortisol = _inf_field("cortisol", "salivary cortisol (nmol/l)")
    oxytocin = _inf_field("ot", "oxytocin (index)")
    asleep = _inf_field("asleep", "asleep this hour")

    def working_model(self) -> dict[str, float]:
        """Expected responsiveness of each existing caregiver, by role."""
        sim = self.model.sim
        h = self.household
        prior = sim.p.iwm_prior_strength[h]
        return {ROLES[k]: float(expected_responsiveness(sim.inf.iwm_good[h, k], sim.inf.iwm_bad[h, k], prior))
                for k in range(len(ROLES)) if sim.cg.exists[h, k]}
