"""Policy-search front: pick a candidate on the front and get its scenario YAML.

For a dataset written by ``talentsim optimize`` (``trials.parquet`` beside the sweep tables):
the front as a table, a selector of its candidates, and the chosen candidate's scenario config
(the search's base config with the candidate's levers), shown and offered for download, ready
for ``talentsim run``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import solara
import yaml

from talentsim.analysis.catalogue import DEFAULT_LANG, Lang, M
from talentsim.analysis.dataset import short_name
from talentsim.analysis.study import fmt
from talentsim.experiment.optimize import TRIALS, candidate_scenario


def is_search_dataset(folder: Path) -> bool:
    """Whether ``folder`` holds a policy search (its trials table and manifest)."""
    return (folder / TRIALS).is_file() and (folder / "manifest.json").is_file()


def load_front(folder: Path) -> tuple[dict, pd.DataFrame]:
    """The manifest and the front rows (best first objective first) of a search dataset."""
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    trials = pd.read_parquet(folder / TRIALS)
    first = manifest["optimization"]["objectives"][0]
    front = trials[trials["on_front"]].sort_values(
        first["name"], ascending=first["sense"] == "minimize"
    )
    return manifest, front.reset_index(drop=True)


def candidate_label(manifest: dict, row: pd.Series) -> str:
    """``trial 10: sum_fiscal_cost 21,536 M, mean_retention_rate 0.5328``."""
    values = ", ".join(
        f"{o['name']} {fmt(float(row[o['name']]))}" for o in manifest["optimization"]["objectives"]
    )
    return f"trial {int(row['trial'])}: {values}"


def scenario_yaml(manifest: dict, row: pd.Series) -> str:
    """The candidate's scenario config as YAML text."""
    config = candidate_scenario(manifest, row)
    return yaml.safe_dump(config, allow_unicode=True, sort_keys=False)


@solara.component
def FrontPanel(folder: Path, lang: Lang = DEFAULT_LANG) -> None:
    """The front of the search in ``folder``; the chosen candidate's scenario YAML."""
    loaded = solara.use_memo(lambda: load_front(folder), [str(folder)])
    manifest, front = loaded
    labels = [candidate_label(manifest, row) for _, row in front.iterrows()]
    chosen, set_chosen = solara.use_state(labels[0] if labels else "")
    if not labels:
        solara.Info(M.front_empty(lang))
        return
    levers = [p["path"] for p in manifest["design"]["parameters"] if p["role"] == "lever"]
    shown = front[["trial", *levers, *(o["name"] for o in manifest["optimization"]["objectives"])]]
    solara.DataFrame(shown.rename(columns=short_name), items_per_page=10)
    solara.Select(M.front_candidate(lang), values=labels, value=chosen, on_value=set_chosen)
    row = front.iloc[labels.index(chosen) if chosen in labels else 0]
    text = scenario_yaml(manifest, row)
    name = f"{manifest.get('experiment_name', 'search')}-trial-{int(row['trial'])}.yaml"
    solara.FileDownload(
        text.encode("utf-8"), filename=name, label=M.front_download(lang, name=name)
    )
    solara.Markdown(f"```yaml\n{text}```")
