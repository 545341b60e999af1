"""The repository can be reused and cited, and points readers only to sources they can reach."""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
OUTSIDE_POINTERS = re.compile(r"shared/|DESIGN\.md|TOOLCHAIN\.md|seed paper")


def test_license_is_the_full_apache_2_text_and_matches_the_metadata():
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert "Apache License" in text and "Version 2.0, January 2004" in text
    for clause in ("1. Definitions.", "4. Redistribution.", "9. Accepting Warranty"):
        assert clause in text
    assert "END OF TERMS AND CONDITIONS" in text
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["license"] == "Apache-2.0"
    assert project["license-files"] == ["LICENSE"]


def test_citation_file_is_cff_1_2_0_and_cites_the_zibo_policy_paper():
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff["cff-version"] == "1.2.0"
    for key in ("message", "title", "authors"):  # required by CFF 1.2.0
        assert cff[key], key
    assert all(set(author) & {"name", "family-names"} for author in cff["authors"])
    assert cff["license"] == "Apache-2.0"
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert cff["version"] == project["version"]
    (paper,) = cff["references"]
    assert paper["year"] == 2023
    for subject in ("Zibo", "产教融合", "科教融汇"):
        assert subject in paper["title"]
    assert paper["authors"] and paper["type"] in {"report", "generic", "article"}


def test_no_tracked_file_outside_tests_points_to_files_outside_the_repository():
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    listed = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    offending = []
    for name in listed:
        path = ROOT / name
        if name.startswith("tests/") or not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        offending += [
            f"{name}:{number}: {line.strip()}"
            for number, line in enumerate(text.splitlines(), 1)
            if OUTSIDE_POINTERS.search(line)
        ]
    assert not offending, "\n".join(offending)
