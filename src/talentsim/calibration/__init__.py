"""Calibration and validation of a baseline against known facts.

:mod:`~talentsim.calibration.targets` reads the targets file (configs/calibration/targets.yaml:
fitted targets, checks and held-out validation patterns),
:mod:`~talentsim.calibration.evaluate` runs replications and measures every fact,
:mod:`~talentsim.calibration.facts` checks the stylized facts,
:mod:`~talentsim.calibration.smc` fits the free parameters by ABC-SMC (pyabc),
:mod:`~talentsim.calibration.fit` writes the posterior sample and the point estimate,
:mod:`~talentsim.calibration.tables` summarises identification and the posterior predictive, and
:mod:`~talentsim.calibration.report` writes docs/calibration.md.
"""

from __future__ import annotations
