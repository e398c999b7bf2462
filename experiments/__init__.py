"""Experiments around the model: scenarios, runs, comparisons, the virtual lab, plots, the CLI.

Imports ``model``; ``model`` never imports this package.
"""
