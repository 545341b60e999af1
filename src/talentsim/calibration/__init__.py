"""Calibration and validation of a baseline against known facts.

:mod:`~talentsim.calibration.targets` reads the targets file (configs/calibration/targets.yaml),
:mod:`~talentsim.calibration.evaluate` runs replications and measures every target,
:mod:`~talentsim.calibration.facts` checks the stylized facts,
:mod:`~talentsim.calibration.fit` fits the free parameters (LHS, then Nelder–Mead), and
:mod:`~talentsim.calibration.report` writes docs/calibration.md.
"""

from __future__ import annotations
