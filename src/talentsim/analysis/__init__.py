"""Analysis of sweep datasets: scenario comparison, sensitivity, discovery, cost, reports."""

from __future__ import annotations

from talentsim.analysis.dataset import DatasetError, SweepDataset, load_dataset
from talentsim.analysis.study import Study, headline, run_study

__all__ = ["DatasetError", "Study", "SweepDataset", "headline", "load_dataset", "run_study"]
