"""The talentsim dashboard (Solara + Plotly): live city, scenario comparison, sweep explorer.

The package ``talentsim`` never imports this folder; ``talentsim dashboard`` starts
``dashboards/app.py`` with ``solara run`` in a subprocess.
"""
