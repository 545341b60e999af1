"""Small shared widgets."""

from __future__ import annotations

import plotly.graph_objects as go
import solara


@solara.component
def Chart(figure: go.Figure) -> None:
    """A Plotly figure (its height set by the figure)."""
    solara.FigurePlotly(figure)


@solara.component
def PageTitle(title: str, subtitle: str = "") -> None:
    """Page heading with a one-line explanation."""
    solara.Markdown(f"## {title}")
    if subtitle:
        solara.Markdown(subtitle)
