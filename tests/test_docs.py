"""The README and the guide: their commands work as written, from a fresh clone."""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from talentsim.cli import app

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", ROOT / "docs" / "guide.md"]
DEV_ONLY = ("pytest", "playwright", "hypothesis", "ruff")


def shell_lines(path: Path) -> list[str]:
    """The command lines of a Markdown file's ```bash and ```console blocks."""
    blocks = re.findall(r"```(?:bash|console)\n(.*?)```", path.read_text(encoding="utf-8"), re.S)
    return [line.strip() for block in blocks for line in block.splitlines() if line.strip()]


@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.name)
def test_documented_commands_run_through_uv(path):
    commands = [line for line in shell_lines(path) if re.search(r"\btalentsim\b", line)]
    assert commands
    for line in commands:
        assert line.startswith("uv run "), line


@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.name)
def test_documented_talentsim_commands_do_not_need_the_dev_group(path):
    for line in shell_lines(path):
        if re.search(r"\btalentsim\b", line):
            assert line.startswith("uv run --no-dev talentsim "), line
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    for requirement in project["dependencies"]:
        assert not requirement.startswith(DEV_ONLY), requirement


def test_readme_links_the_guide():
    assert "(docs/guide.md)" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_guide_scenario_and_studies_validate_as_written(tmp_path):
    blocks = re.findall(r"```yaml\n(.*?)```", (ROOT / "docs" / "guide.md").read_text(), re.S)
    scenario, study, grid = blocks
    shutil.copytree(ROOT / "configs", tmp_path / "configs")
    (tmp_path / "experiments").mkdir()
    files = {
        "configs/scenarios/talent_package.yaml": scenario,
        "experiments/talent_package.yaml": study,
        "experiments/subsidy_by_trainee_gain.yaml": grid,
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    for name in files:
        result = CliRunner().invoke(app, ["validate", str(tmp_path / name)])
        assert result.exit_code == 0, result.output
        assert "warning" not in result.output, result.output


@pytest.mark.skipif(sys.platform == "win32", reason="bash script")
def test_ci_script_passes_uv_the_interpreter_not_a_pyenv_shim(tmp_path):
    real = Path(sys.executable).resolve()  # the interpreter behind the test's venv
    shim = tmp_path / "python3.12"
    shim.write_text(f'#!/bin/sh\nexec "{real}" "$@"\n', encoding="utf-8")
    shim.chmod(shim.stat().st_mode | stat.S_IEXEC)
    env = {**os.environ, "PATH": f"{tmp_path}{os.pathsep}/usr/bin{os.pathsep}/bin"}
    done = subprocess.run(
        ["bash", str(ROOT / ".ci" / "run"), "--print-python"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == str(real)
