"""Session fixtures: the tiny experiment and its serial (reference) dataset."""

from __future__ import annotations

from pathlib import Path

import pytest
from sweep_helpers import tiny_experiment


@pytest.fixture(scope="session")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny experiment file."""
    return tiny_experiment(tmp_path_factory.mktemp("experiment"))


@pytest.fixture(scope="session")
def serial_dataset(tiny: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny experiment swept serially: the reference dataset."""
    from talentsim.experiment.runner import run_sweep

    out = tmp_path_factory.mktemp("serial") / "data"
    summary = run_sweep(tiny, out, executor="serial")
    assert summary.failed == 0
    return out
