"""Reading a sweep's manifest and tables (shared by ``talentsim analyze`` and the dashboard)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from talentsim.analysis.dataset import DatasetError, read_manifest, read_table


def write_manifest(folder: Path, manifest: object) -> Path:
    path = folder / "manifest.json"
    path.write_text(json.dumps(manifest), encoding="utf-8")
    return path


def test_a_plain_run_manifest_is_accepted_only_when_no_design_is_required(tmp_path: Path):
    path = write_manifest(tmp_path, {"config_hash": "abc"})
    assert read_manifest(path, require_design=False) == {"config_hash": "abc"}
    with pytest.raises(DatasetError, match=r"manifest.json: field 'design' missing"):
        read_manifest(path)


@pytest.mark.parametrize("require_design", [True, False])
def test_a_present_design_is_checked_either_way(tmp_path: Path, require_design: bool):
    path = write_manifest(tmp_path, {"design": {"kind": "guess"}})
    with pytest.raises(DatasetError, match=r"field 'design.kind' is 'guess'"):
        read_manifest(path, require_design=require_design)


def test_broken_json_and_a_non_object_name_the_file(tmp_path: Path):
    path = tmp_path / "manifest.json"
    path.write_text("{oops", encoding="utf-8")
    with pytest.raises(DatasetError, match=r"manifest.json: cannot read JSON"):
        read_manifest(path, require_design=False)
    write_manifest(tmp_path, [1, 2])
    with pytest.raises(DatasetError, match="expected a JSON object"):
        read_manifest(path, require_design=False)


def test_a_table_is_checked_for_its_required_columns(tmp_path: Path):
    path = tmp_path / "runs.parquet"
    pd.DataFrame({"run_id": [0]}).to_parquet(path)
    assert list(read_table(path)["run_id"]) == [0]
    with pytest.raises(DatasetError, match=r"runs.parquet: missing column\(s\) status"):
        read_table(path, ("run_id", "status"))
    path.write_bytes(b"PAR1garbage")
    with pytest.raises(DatasetError, match=r"runs.parquet: cannot read Parquet \("):
        read_table(path)
