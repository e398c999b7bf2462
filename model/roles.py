"""Role composition: how caregiving differs by role, as (H, K) matrices built in one place.

A household's five caregiver slots have fixed roles (:mod:`model.state`). Every role-specific
number the hourly rules read comes from :func:`role_matrices`, which the engine
(``Simulation``) and the virtual lab (``experiments.lab``) both call: nothing else composes a
role matrix.

=============  ===========================  ===========================  ===================
slot           division-of-labour weight    stimulatory share of play    typical touch style
=============  ===========================  ===========================  ===================
mother         ``mother_role_weight``       ``mother_stimulatory_share`` affectionate
father         1 (the reference)            ``father_stimulatory_share`` stimulatory
grandparent    ``grandparent_role_weight``  ``mother_stimulatory_share`` neither (half match)
sibling        ``sibling_role_weight``      ``sibling_stimulatory_share`` neither (half match)
daycare        1 (never competes)           ``daycare_stimulatory_share`` neither (half match)
=============  ===========================  ===========================  ===================

Only fathers carry a sensitivity offset (``father_sensitivity_offset``, logit); the others 0.

The module is pure: it reads a :class:`model.params.ParamSet` and returns new arrays.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from bonding.model.state import DAYCARE, FATHER, GRANDPARENT, MOTHER, SIBLING, K

# The division-of-labour weights are relative (only their ratios choose a responder), so one
# role is the unit: the father (assumption; ``mother_role_weight`` is declared "relative to 1
# for other caregivers").
REFERENCE_ROLE_WEIGHT = 1.0
# The daycare carer's weight never competes: while the infant is at daycare the carer is the only
# caregiver available (model.daily.availability_table), so it is a constant, not a parameter
# (declared, it would change no output). Kept at the reference.
DAYCARE_ROLE_WEIGHT = REFERENCE_ROLE_WEIGHT

# Share of the touch-style penalty an alloparent pays: mothers' OT responds to affectionate
# touch and fathers' to stimulatory touch (M8); for grandparents, siblings and daycare carers
# no style is role-typical, so each style releases OT with half the mismatch penalty
# (assumption, between the two parents).
ALLOPARENT_STYLE_MISMATCH = 0.5


@dataclass(frozen=True)
class RoleMatrices:
    """Role-specific terms of the hourly rules, each shape (H, K) (slots in :data:`model.state.ROLES` order).

    ``weight``: division-of-labour weight (:func:`model.behaviour.choose_responder`), ratio;
    ``sensitivity_offset``: role offset of attunement (:func:`model.behaviour.attunement_static`), logit;
    ``stimulatory_share``: probability that social play is stimulatory (:func:`model.behaviour.touch_kind`);
    ``affectionate_match`` / ``stimulatory_match``: fraction of touch-evoked OT release that
    affectionate / stimulatory touch gives in this role (``touch_style_match``, M8).
    """

    weight: np.ndarray
    sensitivity_offset: np.ndarray
    stimulatory_share: np.ndarray
    affectionate_match: np.ndarray
    stimulatory_match: np.ndarray


def role_weights(p) -> np.ndarray:
    """Division-of-labour weight of each slot, (H, K), ratio to the father's (:data:`REFERENCE_ROLE_WEIGHT`)."""
    w = np.empty((p.n, K))
    w[:, MOTHER] = p.mother_role_weight
    w[:, FATHER] = REFERENCE_ROLE_WEIGHT
    w[:, GRANDPARENT] = p.grandparent_role_weight
    w[:, SIBLING] = p.sibling_role_weight
    w[:, DAYCARE] = DAYCARE_ROLE_WEIGHT
    return w


def role_sensitivity_offsets(p) -> np.ndarray:
    """Attunement offset of each slot (logit), (H, K): ``father_sensitivity_offset`` for fathers, else 0."""
    s = np.zeros((p.n, K))
    s[:, FATHER] = p.father_sensitivity_offset
    return s


def stimulatory_shares(p) -> np.ndarray:
    """Probability that a slot's social play is stimulatory touch, (H, K) (M8, M9; alloparents: assumption).

    Grandparents play in the mother's style (assumption: the co-resident grandparent is
    usually the maternal grandmother).
    """
    return np.column_stack([p.mother_stimulatory_share, p.father_stimulatory_share, p.mother_stimulatory_share,
                            p.sibling_stimulatory_share, p.daycare_stimulatory_share])


def touch_style_matches(p) -> tuple[np.ndarray, np.ndarray]:
    """Fraction of touch-evoked OT release that each touch style gives in each slot, two (H, K) arrays.

    With ``m = touch_style_match`` (M8: OT rose only in affectionate mothers and stimulatory
    fathers): affectionate touch gives mothers 1, fathers ``1 - m``; stimulatory touch gives
    fathers 1, mothers ``1 - m``; alloparents get ``1 - ALLOPARENT_STYLE_MISMATCH * m`` for both.
    Returns ``(affectionate_match, stimulatory_match)``.
    """
    m = p.touch_style_match
    one = np.ones(p.n)
    allo = 1 - m * ALLOPARENT_STYLE_MISMATCH
    affectionate = np.column_stack([one, 1 - m, allo, allo, allo])
    stimulatory = np.column_stack([1 - m, one, allo, allo, allo])
    return affectionate, stimulatory


def role_matrices(p) -> RoleMatrices:
    """All role-specific terms for the households of ``p`` (a :class:`model.params.ParamSet`)."""
    affectionate, stimulatory = touch_style_matches(p)
    return RoleMatrices(weight=role_weights(p), sensitivity_offset=role_sensitivity_offsets(p),
                        stimulatory_share=stimulatory_shares(p), affectionate_match=affectionate,
                        stimulatory_match=stimulatory)


__all__ = ["RoleMatrices", "role_matrices", "role_weights", "role_sensitivity_offsets", "stimulatory_shares",
           "touch_style_matches", "REFERENCE_ROLE_WEIGHT", "DAYCARE_ROLE_WEIGHT", "ALLOPARENT_STYLE_MISMATCH"]
