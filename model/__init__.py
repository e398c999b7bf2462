"""bonding: caregiver-infant bonding driven by hormonal states (the pure model core).

This package never imports from ``experiments`` or ``calibration``; it does no file I/O.
"""

from model.params import PARAMS, Param, ParameterError, ParamSet, validate_overrides
from model.simulation import Simulation

__all__ = ["PARAMS", "Param", "ParamSet", "ParameterError", "Simulation", "validate_overrides"]
