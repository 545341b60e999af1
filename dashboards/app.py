"""The talentsim dashboard: ``solara run dashboards/app.py`` (``talentsim dashboard`` does this).

Pages: the live city, scenario comparison and the sweep explorer, in 中文 or English
(``?lang=zh`` in the URL, kept when moving between pages). Results roots come from the
``TALENTSIM_RESULTS_ROOTS`` environment variable (see :mod:`dashboards.roots`).
"""

from __future__ import annotations

import solara
import solara.lab

from dashboards.components.common import PlotResizer, use_lang, with_query
from dashboards.components.explorer import ExplorerPage
from dashboards.components.live import LivePage
from dashboards.components.scenarios import ScenarioPage
from dashboards.server import harden_server
from talentsim.analysis.catalogue import LANGS, M, Text

harden_server()  # before the first request: see dashboards/server.py

LANGUAGE_NAMES = {"en": "English", "zh": "中文"}
"""Each language under its own name (the switch reads the same in either language)."""
LANGUAGE_CODES = {name: code for code, name in LANGUAGE_NAMES.items()}
PAGE_TITLES: dict[str, Text] = {
    "/": M.page_live,
    "scenarios": M.page_scenarios,
    "sweeps": M.page_sweeps,
}
STYLE = """
.talentsim-levers .v-input__slot { flex-wrap: wrap; }
.talentsim-levers .v-input__slot > .v-label {
    flex: 0 0 100%; white-space: normal; height: auto; margin-bottom: 2px; font-size: 14px;
}
.talentsim-downloads .v-btn { min-width: 0; font-size: 12px; height: 26px; }
/* Solara's "This website runs on Solara" banner covers labels at the bottom right */
div:has(> b > a[href="https://solara.dev"]) { display: none !important; }
"""


@solara.component
def Layout(children: list | None = None) -> None:
    """App bar with the title, a tab per page and the language switch."""
    route, routes = solara.use_route()
    router = solara.use_router()
    lang = use_lang()
    index = routes.index(route) if route in routes else 0
    paths = [solara.resolve_path(each) for each in routes]  # only possible while rendering

    def go(path: str, **changes: str | None) -> None:
        search = with_query(router.search, **changes)
        router.push(path + (f"?{search}" if search else ""))

    solara.Style(STYLE)
    PlotResizer()
    solara.Title(f"{M.app_title(lang)} · {PAGE_TITLES[routes[index].path](lang)}")
    with (
        solara.AppLayout(children=children or [], title=M.app_title(lang), navigation=True),
        solara.AppBar(),
    ):
        solara.AppBarTitle(children=[M.app_title(lang)])
        with solara.lab.Tabs(
            value=index,
            on_value=lambda i: go(paths[i]),
            align="center",
        ):
            for each in routes:
                solara.lab.Tab(PAGE_TITLES[each.path](lang))
        solara.ToggleButtonsSingle(
            value=LANGUAGE_NAMES[lang],
            values=[LANGUAGE_NAMES[code] for code in LANGS],
            on_value=lambda name: go(paths[index], lang=LANGUAGE_CODES[name]),
            classes=["talentsim-language"],
        )


routes = [
    solara.Route(path="/", component=LivePage, label="Live city", layout=Layout),
    solara.Route(path="scenarios", component=ScenarioPage, label="Scenarios"),
    solara.Route(path="sweeps", component=ExplorerPage, label="Sweep explorer"),
]
