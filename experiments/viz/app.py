"""What ``solara run`` serves: the classroom dashboard's page.

``bonding dashboard`` runs ``solara run experiments.viz.app``; so can you, directly, with any of
Solara's own options (``solara run experiments.viz.app --host 0.0.0.0 --port 8765``).
"""

from experiments.viz.page import Page

__all__ = ["Page"]
