"""Experiments: designs over levers and uncertainties, seeded replications, sweeps into datasets.

One module per concept: :mod:`~talentsim.experiment.spec` (the experiment file),
:mod:`~talentsim.experiment.design` (design points), :mod:`~talentsim.experiment.seeds`
(replication seeds), :mod:`~talentsim.experiment.executors` (where runs execute),
:mod:`~talentsim.experiment.store` (the on-disk dataset) and
:mod:`~talentsim.experiment.runner` (the sweep loop).
"""

from __future__ import annotations
