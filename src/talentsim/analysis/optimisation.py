"""Analysis of a policy-search dataset (``talentsim optimize``): front, levers, convergence.

An optimisation dataset is a sweep dataset (design kind ``optimize``) with ``trials.parquet``
beside it: one row per trial with its generation, levers, objectives and constrained values
(mean, standard error, 95 % interval), feasibility and whether it is on the front. This module
reads that table, checks it once, and draws the front (every evaluated candidate, the front
with its intervals), the levers of the front as parallel coordinates, and the convergence of the
best feasible value of each objective generation by generation.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from talentsim.analysis.dataset import DatasetError, SweepDataset, read_table, short_name
from talentsim.analysis.study import fmt

TRIAL_COLUMNS = ("trial", "generation", "state", "feasible", "on_front", "replications")


@dataclass
class OptimisationResult:
    """The trials of a search and what the report shows of them.

    Attributes:
        trials: One row per trial (``trials.parquet``).
        levers: The decision levers (config paths).
        objectives: Each objective's ``name``, ``outcome``, ``sense`` and ``statistic``.
        constraints: Each constraint's column and its threshold in words.
        robustness: The robustness metric over the uncertainty scenarios, in words.
        convergence: Per generation: trials so far, feasible so far, best feasible value of
            each objective so far.

    """

    trials: pd.DataFrame
    levers: list[str]
    objectives: list[dict]
    constraints: list[tuple[str, str]]
    robustness: str
    convergence: pd.DataFrame

    @property
    def front(self) -> pd.DataFrame:
        """The final front, cheapest (first objective best) first."""
        first = self.objectives[0]
        front = self.trials[self.trials["on_front"]]
        return front.sort_values(first["name"], ascending=first["sense"] == "minimize")


def optimisation(ds: SweepDataset) -> OptimisationResult:
    """Read and check the trials of an optimisation dataset.

    Raises:
        DatasetError: the manifest has no ``optimization`` block or the trials table is
            missing, unreadable or lacks a column.

    """
    block = ds.manifest.get("optimization")
    if not isinstance(block, dict) or not block.get("objectives"):
        raise DatasetError(
            f"{ds.path / 'manifest.json'}: field 'optimization.objectives' missing "
            "(not an optimisation dataset?)"
        )
    objectives = [dict(o) for o in block["objectives"]]
    constraints = [
        (
            f"{c['name']}_{'max' if c.get('max') is not None else 'min'}",
            f"{c['name']} ≤ {fmt(c['max'])}"
            if c.get("max") is not None
            else f"{c['name']} ≥ {fmt(c['min'])}",
        )
        for c in block.get("constraints", [])
    ]
    levers = [p["path"] for p in ds.design.get("parameters", []) if p.get("role") == "lever"]
    needed = (*TRIAL_COLUMNS, *levers, *(o["name"] for o in objectives))
    trials = read_table(ds.path / str(block.get("trials_table", "trials.parquet")), needed)
    robust = block.get("robustness") or {}
    scenarios = len(block.get("uncertainty_scenarios") or [{}])
    if scenarios <= 1:
        robustness = "no uncertainty scenarios"
    elif robust.get("metric") == "percentile":
        robustness = (
            f"{scenarios} uncertainty scenarios, the {robust.get('percentile')}th percentile "
            "on the bad side"
        )
    else:
        robustness = f"mean over {scenarios} uncertainty scenarios"
    return OptimisationResult(
        trials=trials,
        levers=levers,
        objectives=objectives,
        constraints=constraints,
        robustness=robustness,
        convergence=convergence(trials, objectives),
    )


def convergence(trials: pd.DataFrame, objectives: list[dict]) -> pd.DataFrame:
    """Per generation: trials and feasible trials so far, best feasible objective so far."""
    rows = []
    told = trials[trials["state"].isin(["complete", "duplicate"])]
    for generation in sorted(int(g) for g in trials["generation"].unique() if g >= 0):
        upto = told[told["generation"] <= generation]
        feasible = upto[upto["feasible"]]
        row: dict[str, float] = {
            "generation": generation,
            "trials": int((trials["generation"] <= generation).sum()),
            "feasible": len(feasible),
        }
        for o in objectives:
            values = feasible[o["name"]].dropna()
            best = values.min() if o["sense"] == "minimize" else values.max()
            row[f"best_{o['name']}"] = float(best) if len(values) else float("nan")
        rows.append(row)
    return pd.DataFrame(rows)


def tables(result: OptimisationResult) -> dict[str, pd.DataFrame]:
    """The CSV tables of the report: the front, every trial, the convergence."""
    return {
        "front": result.front.reset_index(drop=True),
        "trials": result.trials,
        "convergence": result.convergence,
    }


def findings(result: OptimisationResult) -> list[str]:
    """Terminal lines: front size and the cheapest (first-objective best) front candidate."""
    front = result.front
    trials = result.trials
    evaluated = trials[trials["state"] == "complete"]
    lines = [
        f"optimisation: {len(trials)} trials ({len(evaluated)} evaluated, "
        f"{int(evaluated['feasible'].sum())} feasible), {len(front)} on the front"
    ]
    if len(front):
        best = front.iloc[0]
        levers = ", ".join(f"{short_name(p)} = {fmt(float(best[p]))}" for p in result.levers)
        values = ", ".join(_with_interval(best, o["name"]) for o in result.objectives)
        lines.append(f"best {result.objectives[0]['name']} on the front: {levers}; {values}")
        differences = [
            f"{o['name']} {fmt(best[c], True)} [{fmt(best[f'{c}_low'], True)}, "
            f"{fmt(best[f'{c}_high'], True)}]"
            for o in result.objectives
            if (c := f"{o['name']}_vs_status_quo") in front.columns and pd.notna(best[c])
        ]
        if differences:
            lines.append("  vs the status quo (paired): " + ", ".join(differences))
    return lines


def _with_interval(row: pd.Series, column: str) -> str:
    low, high = row.get(f"{column}_low"), row.get(f"{column}_high")
    interval = f" [{fmt(low)}, {fmt(high)}]" if low is not None and pd.notna(low) else ""
    return f"{column} {fmt(row[column])}{interval}"


def front_figure(result: OptimisationResult) -> go.Figure:
    """Every evaluated candidate and the front with 95 % intervals, first two objectives."""
    trials = result.trials[result.trials["state"] == "complete"]
    x_name = result.objectives[0]["name"]
    y_name = result.objectives[1]["name"] if len(result.objectives) > 1 else "trial"
    fig = go.Figure()
    for feasible, label, symbol in ((True, "feasible", "circle"), (False, "infeasible", "x")):
        part = trials[trials["feasible"] == feasible]
        if len(part):
            fig.add_trace(
                go.Scatter(
                    x=part[x_name], y=part[y_name], mode="markers", name=label,
                    marker={"color": "#bbbbbb", "symbol": symbol, "size": 7},
                    text=[f"trial {t}" for t in part["trial"]],
                )
            )  # fmt: skip
    front = result.front.sort_values(x_name)
    error_x = _error(front, x_name)
    error_y = _error(front, y_name) if y_name != "trial" else None
    fig.add_trace(
        go.Scatter(
            x=front[x_name], y=front[y_name], mode="markers+lines", name="front",
            marker={"color": "#d62728", "size": 10}, line={"dash": "dot"},
            error_x=error_x, error_y=error_y,
            text=[f"trial {t}" for t in front["trial"]],
        )
    )  # fmt: skip
    fig.update_layout(
        title="Pareto front (not dominated beyond noise; bars: 95 % intervals)",
        xaxis_title=x_name,
        yaxis_title=y_name,
        height=480,
    )
    return fig


def _error(front: pd.DataFrame, column: str) -> dict | None:
    if f"{column}_high" not in front.columns:
        return None
    return {
        "type": "data",
        "symmetric": False,
        "array": front[f"{column}_high"] - front[column],
        "arrayminus": front[column] - front[f"{column}_low"],
    }


def levers_figure(result: OptimisationResult) -> go.Figure:
    """Parallel coordinates of the front: each lever, then each objective, coloured by cost."""
    front = result.front
    first = result.objectives[0]["name"]
    dimensions = [
        {"label": short_name(p), "values": front[p].astype(float)} for p in result.levers
    ] + [{"label": o["name"], "values": front[o["name"]]} for o in result.objectives]
    fig = go.Figure(
        go.Parcoords(
            line={"color": front[first], "colorscale": "Viridis", "showscale": True},
            dimensions=dimensions,
        )
    )
    fig.update_layout(title="Levers of the front candidates (colour: first objective)", height=480)
    return fig


def convergence_figure(result: OptimisationResult) -> go.Figure:
    """Best feasible value of each objective so far, generation by generation."""
    table = result.convergence
    fig = make_subplots(
        rows=1, cols=len(result.objectives), subplot_titles=[o["name"] for o in result.objectives]
    )
    for k, o in enumerate(result.objectives, start=1):
        fig.add_trace(
            go.Scatter(
                x=table["generation"], y=table[f"best_{o['name']}"], mode="lines+markers",
                name=f"best {o['name']}", showlegend=False,
            ),
            row=1, col=k,
        )  # fmt: skip
        fig.update_xaxes(title_text="generation", row=1, col=k)
    fig.update_layout(title="Convergence: best feasible value so far per generation", height=380)
    return fig


def section(result: OptimisationResult, embed: Callable[[go.Figure], str]) -> str:
    """The report's optimisation section (HTML)."""
    objectives = "; ".join(f"{o['sense']} {html.escape(o['name'])}" for o in result.objectives)
    constraints = "; ".join(html.escape(text) for _, text in result.constraints) or "none"
    parts = [
        "<h2>Policy search</h2>",
        f"<p>Objectives: {objectives}. Constraints (at the candidate's mean): {constraints}. "
        f"Robustness: {html.escape(result.robustness)}. A candidate is on the front when no "
        "feasible candidate is at least as good on every objective and better on one by more "
        "than the 95 % half-width of the paired difference (common random numbers); the "
        "front was re-evaluated with more replications. The intervals in the table are those "
        "of each candidate's level; the differences between candidates, paired by "
        "replication, are much narrower (Δ vs status quo: the status quo re-evaluated on the "
        "same seeds, where the search included it).</p>",
        _front_table(result),
    ]
    if len(result.front):
        parts.append(embed(front_figure(result)))
        parts.append(embed(levers_figure(result)))
    else:
        parts.append('<p class="note">No feasible candidate: the front is empty.</p>')
    parts.append(embed(convergence_figure(result)))
    return "\n".join(parts)


def _front_table(result: OptimisationResult) -> str:
    front = result.front
    columns = [*(o["name"] for o in result.objectives), *(c for c, _ in result.constraints)]
    columns += [
        f"{o['name']}_vs_status_quo"
        for o in result.objectives
        if f"{o['name']}_vs_status_quo" in front.columns
    ]
    head = "".join(f"<th>{html.escape(short_name(p))}</th>" for p in result.levers)
    head += "".join(f"<th>{html.escape(c)} [95 % CI]</th>" for c in columns)
    rows = [f"<table><thead><tr><th>trial</th>{head}<th>replications</th></tr></thead><tbody>"]
    for _, row in front.iterrows():
        cells = "".join(f"<td>{fmt(float(row[p]))}</td>" for p in result.levers)
        for column in columns:
            low, high = row.get(f"{column}_low"), row.get(f"{column}_high")
            interval = f" [{fmt(low)}, {fmt(high)}]" if pd.notna(low) else ""
            signed = column.endswith("_vs_status_quo")
            cells += f"<td>{fmt(row[column], signed)}{interval}</td>"
        rows.append(
            f"<tr><td>{int(row['trial'])}</td>{cells}<td>{int(row['replications'])}</td></tr>"
        )
    rows.append("</tbody></table>")
    return "\n".join(rows)
