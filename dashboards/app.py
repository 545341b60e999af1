"""The talentsim dashboard: ``solara run dashboards/app.py`` (``talentsim dashboard`` does this).

Pages: the live city, scenario comparison and the sweep explorer. Results roots come from the
``TALENTSIM_RESULTS_ROOTS`` environment variable (see :mod:`dashboards.roots`).
"""

from __future__ import annotations

import solara
import solara.lab

from dashboards.components.common import PlotResizer
from dashboards.components.explorer import ExplorerPage
from dashboards.components.live import LivePage
from dashboards.components.scenarios import ScenarioPage
from dashboards.server import harden_server

harden_server()  # before the first request: see dashboards/server.py

TITLE = "talentsim · Zibo 淄博 talent supply and demand"
STYLE = """
.talentsim-levers .v-input__slot { flex-wrap: wrap; }
.talentsim-levers .v-input__slot > .v-label {
    flex: 0 0 100%; white-space: normal; height: auto; margin-bottom: 2px; font-size: 14px;
}
"""


@solara.component
def Layout(children: list | None = None) -> None:
    """App bar with the title and a tab per page (named by the route's label)."""
    route, routes = solara.use_route()
    router = solara.use_router()
    index = routes.index(route) if route in routes else 0
    solara.Style(STYLE)
    PlotResizer()
    solara.Title(f"talentsim · Zibo 淄博 · {routes[index].label}")
    with (
        solara.AppLayout(children=children or [], title=TITLE, navigation=True),
        solara.AppBar(),
        solara.lab.Tabs(
            value=index,
            on_value=lambda i: router.push(solara.resolve_path(routes[i])),
            align="center",
        ),
    ):
        for each in routes:
            solara.lab.Tab(each.label)


routes = [
    solara.Route(path="/", component=LivePage, label="Live city", layout=Layout),
    solara.Route(path="scenarios", component=ScenarioPage, label="Scenarios"),
    solara.Route(path="sweeps", component=ExplorerPage, label="Sweep explorer"),
]
