"""The classroom dashboard: the Mesa model live in a browser (Solara), ``bonding dashboard``.

Teachers demonstrate the model in class and researchers poke at it. The pieces, from the
bottom up (only ``page`` and ``app`` import Solara; the model core imports none of this):

- :mod:`experiments.viz.controls`: which parameters the page shows, each control derived from
  the parameter declaration (:data:`model.params.PARAMS`), and the validation of what a user
  typed into one :class:`~experiments.viz.controls.Settings` (pure Python, no Solara).
- :mod:`experiments.viz.dashboard_model`: :class:`DashboardModel`, the Mesa ``BondingModel``
  built from a scenario name and overrides, with the DataCollector reporters the plots need.
- :mod:`experiments.viz.figures`: the matplotlib figures (pure functions of a model).
- :mod:`experiments.viz.page`: the Solara page (controls, Reset/Play/Step, plots).
- :mod:`experiments.viz.app`: what ``solara run`` serves.
- :mod:`experiments.viz.cli`: ``bonding dashboard [--port P] [--host H]``.
- :mod:`experiments.viz.demonstrations`: the classroom demonstrations of the docs, run headless.

See ``docs/dashboard.md`` for installation, launching and classroom demonstrations.
"""

#: The command that installs what the dashboard needs (the ``dashboard`` extra, pyproject.toml).
INSTALL_HINT = "pip install -e '.[dashboard]' (run in the bonding checkout)"
