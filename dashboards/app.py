"""The talentsim dashboard: ``solara run dashboards/app.py`` (``talentsim dashboard`` does this).

Pages: the live city, scenario comparison and the sweep explorer. Results roots come from the
``TALENTSIM_RESULTS_ROOTS`` environment variable (see :mod:`dashboards.roots`).
"""

from __future__ import annotations

import solara

from dashboards.components.explorer import ExplorerPage
from dashboards.components.live import LivePage
from dashboards.components.scenarios import ScenarioPage

TITLE = "talentsim · Zibo 淄博 talent supply and demand"


@solara.component
def Layout(children: list | None = None) -> None:
    """App bar with a tab per page."""
    solara.AppLayout(children=children or [], title=TITLE, navigation=True)


routes = [
    solara.Route(path="/", component=LivePage, label="Live city"),
    solara.Route(path="scenarios", component=ScenarioPage, label="Scenarios"),
    solara.Route(path="sweeps", component=ExplorerPage, label="Sweep explorer"),
]
