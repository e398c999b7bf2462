"""Sensitivity analysis and calibration around the model (imports ``model``, never the reverse)."""
