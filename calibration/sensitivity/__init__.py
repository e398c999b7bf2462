"""Global sensitivity analysis of the model with SALib (``bonding sensitivity``).

``design``    problem from the parameter declaration, sample, sample-size checks, seeds, config
``evaluate``  per-point outputs; chunks of design points run as stacked populations; resume;
              local process pool or Dask
``analysis``  Sobol' / Morris indices with bootstrap intervals, noise floor, dummy factor
``report``    ``sensitivity.md`` and the bar charts
``cli``       the subcommand (``add_subcommands``)
"""

from bonding.calibration.sensitivity.analysis import analyze_morris, analyze_outputs, analyze_sobol
from bonding.calibration.sensitivity.cli import add_subcommands

__all__ = ["add_subcommands", "analyze_sobol", "analyze_morris", "analyze_outputs"]
