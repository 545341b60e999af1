"""Solara pages and widgets of the dashboard."""
