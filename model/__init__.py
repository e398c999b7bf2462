"""bonding: caregiver-infant bonding driven by hormonal states (the pure model core).

This package never imports from ``experiments`` or ``calibration``. Its only file I/O is numba's
on-disk cache of the compiled rules and the source-digest stamp files that :mod:`model.compiled`
writes next to it (so an edited rule is recompiled); a simulation itself reads and writes no files.
"""

from model.params import PARAMS, Param, ParameterError, ParamSet, validate_overrides
from model.simulation import Simulation

__all__ = ["PARAMS", "Param", "ParamSet", "ParameterError", "Simulation", "validate_overrides"]
