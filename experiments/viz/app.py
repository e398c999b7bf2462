"""What ``solara run`` serves: the classroom dashboard's page.

``bonding dashboard`` runs ``solara run experiments.viz.app``; so can you, directly, with any of
Solara's own options (``solara run experiments.viz.app --host 0.0.0.0 --port 8765``). Importing it
starts compiling the model's kernel in the background; the page says "Preparing" until it is done.
"""

import warnings

from bonding.experiments.viz.cli import COOKIE_WARNING
from bonding.experiments.viz.page import Page, start_preparing

warnings.filterwarnings("ignore", message=COOKIE_WARNING, category=UserWarning)

start_preparing()

__all__ = ["Page"]
