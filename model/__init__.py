"""bonding: caregiver-infant bonding driven by hormonal states (the pure model core).

This package never imports from ``experiments`` or ``calibration``. Its only file I/O is numba's
on-disk cache of the compiled rules and the source-digest stamp files that :mod:`model.compiled`
writes next to it (so an edited rule is recompiled); a simulation itself reads and writes no files.
"""

from bonding.model.params import PARAMS, Param, ParameterError, ParamSet, validate_overrides


def __getattr__(name: str):
    """``model.Simulation`` on first use: importing ``model.params`` (the CLI's ``--help`` and
    ``params``) must not load numba and compile the kernel."""
    if name == "Simulation":
        from bonding.model.simulation import Simulation

        return Simulation
    raise AttributeError(f"module 'bonding.model' has no attribute {name!r}")


__all__ = ["PARAMS", "Param", "ParamSet", "ParameterError", "Simulation", "validate_overrides"]
