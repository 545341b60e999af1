"""Small shared widgets: the language of the page, charts with downloads, CSV downloads."""

from __future__ import annotations

import html
from collections.abc import Callable
from urllib.parse import parse_qs, urlencode

import ipyvuetify as v
import pandas as pd
import plotly.graph_objects as go
import solara
from plotly.graph_objs import FigureWidget

from talentsim.analysis.catalogue import DEFAULT_LANG, Lang, M, parse_lang
from talentsim.analysis.figures import IMAGE_WIDTH

PLOT_CONFIG = {"responsive": True, "displaylogo": False}


IN_PLACE_FIELDS = ("x", "y")


def _signature(figure: go.Figure) -> tuple | None:
    """What must match for an in-place update: the traces' types and names.

    Only line charts are updated in place: a restyle of a heatmap's 2-D ``z`` or a Sankey's
    nodes does not reach the browser, so other figures are replaced (None never matches).
    """
    if any(trace.type != "scatter" for trace in figure.data):
        return None
    return tuple((trace.type, trace.name) for trace in figure.data)


class Plot:
    """A figure compared by identity.

    Plotly's ``==`` serialises both figures, which made a re-render of the live page cost
    more than a simulated year.
    """

    __slots__ = ("figure",)

    def __init__(self, figure: go.Figure) -> None:
        """Wrap ``figure``."""
        self.figure = figure


def Chart(figure: go.Figure, download: str | None = None, lang: Lang = DEFAULT_LANG):
    """A Plotly figure that follows its container's width (height set by the figure).

    Like ``solara.FigurePlotly``, but with Plotly's ``responsive`` config, and when only the
    data changed (same traces) it updates the arrays in place instead of replacing every
    trace, which keeps the live page fast. With ``download`` (a file stem) it has PNG and SVG
    buttons; the image is made by kaleido only when a button is pressed.
    """
    if download is None:
        return ChartView(Plot(figure))
    with solara.Column(gap="0px") as column:
        ChartView(Plot(figure))
        ImageDownloads(Plot(figure), download, lang)
    return column


def image_bytes(figure: go.Figure, image_format: str) -> bytes:
    """``figure`` as a PNG or SVG (kaleido with the system's Chromium)."""
    height = figure.layout.height or 500
    return figure.to_image(format=image_format, width=IMAGE_WIDTH, height=height)


@solara.component
def ImageDownloads(plot: Plot, stem: str, lang: Lang = DEFAULT_LANG) -> None:
    """PNG and SVG buttons for one chart (images made lazily, on click)."""
    with solara.Row(justify="end", classes=["talentsim-downloads"]):
        for image_format, label in (("png", M.download_png), ("svg", M.download_svg)):
            solara.FileDownload(
                _lazy(plot.figure, image_format),
                filename=f"{stem}.{image_format}",
                label=label(lang),
                mime_type="image/png" if image_format == "png" else "image/svg+xml",
            )


def _lazy(figure: go.Figure, image_format: str) -> Callable[[], bytes]:
    return lambda: image_bytes(figure, image_format)


@solara.component
def CsvDownload(table: pd.DataFrame, stem: str, lang: Lang = DEFAULT_LANG) -> None:
    """A CSV download of ``table`` (written when the button is pressed)."""
    solara.FileDownload(
        lambda: table.to_csv(index=False).encode("utf-8"),
        filename=f"{stem}.csv",
        label=M.download_csv(lang),
        mime_type="text/csv",
    )


def query(search: str | None) -> dict[str, str]:
    """The URL's query parameters (the last value of each)."""
    return {key: values[-1] for key, values in parse_qs(search or "").items()}


def with_query(search: str | None, **changes: str | None) -> str:
    """The query string ``search`` with ``changes`` set (None removes a key)."""
    params = query(search)
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value
    return urlencode(params)


def use_lang() -> Lang:
    """The page's language, from ``?lang=zh`` in the URL (English by default)."""
    router = solara.use_router()
    return parse_lang(query(router.search).get("lang"))


@solara.component
def ChartView(plot: Plot) -> solara.Element:
    """The widget behind :func:`Chart`."""
    figure = plot.figure
    figure.update_layout(autosize=True)
    element = FigureWidget.element()
    shown = solara.use_ref(None)  # (signature, layout json) of the figure on screen

    def update() -> None:
        widget: FigureWidget = solara.get_widget(element)
        if widget._config != PLOT_CONFIG:
            widget._config = PLOT_CONFIG
        signature, layout = _signature(figure), figure.layout.to_plotly_json()
        before = shown.current[1] if shown.current is not None else {}
        if signature is not None and shown.current is not None and shown.current[0] == signature:
            with widget.batch_update():
                for old, new in zip(widget.data, figure.data, strict=True):
                    for key in IN_PLACE_FIELDS:
                        setattr(old, key, getattr(new, key))
        else:
            old = len(widget.data)
            widget.add_traces(figure.data)
            widget.data = list(widget.data)[old:]
        # whole top-level layout entries are replaced (not merged), and dropped ones cleared,
        # so nothing of an earlier figure (a message's hidden axes, say) lingers on screen
        with widget.batch_update():
            for key in set(before) - set(layout):
                widget.layout[key] = None
            for key, value in layout.items():
                if before.get(key) != value:
                    widget.layout[key] = value
        shown.current = (signature, layout)

    solara.use_effect(update, [plot])
    return element


@solara.component
def PageTitle(title: str, subtitle: str = "") -> None:
    """Page heading with a one-line explanation (``subtitle`` is trusted HTML from this app).

    Plain HTML rather than ``solara.Markdown``, which fetches KaTeX from a CDN path that the
    offline assets do not include.
    """
    solara.HTML(tag="h2", unsafe_innerHTML=html.escape(title), style={"margin": "8px 0"})
    if subtitle:
        solara.HTML(tag="p", unsafe_innerHTML=subtitle)


RESIZE_TEMPLATE = """
<template><span style="display: none"></span></template>
<script>
module.exports = {
  mounted() {
    if (window.__talentsimPlotResize) return;
    window.__talentsimPlotResize = true;
    let pending = null;
    document.addEventListener("plotlywidget-after-render", () => {
      clearTimeout(pending);
      pending = setTimeout(() => window.dispatchEvent(new Event("resize")), 50);
    });
  },
};
</script>
"""


@solara.component
def PlotResizer() -> None:
    """Fit every Plotly plot to its container once drawn (page-wide, mounted once per page).

    Plotly widgets are drawn before Vue has laid out their container and so keep Plotly's
    700 px default; a window ``resize`` after each first draw lets ``responsive`` plots refit.
    """
    v.VuetifyTemplate.element(template=RESIZE_TEMPLATE)
