import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from talentsim.cli import app, plural

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "configs" / "zibo_baseline.yaml"


def test_run_writes_outcomes_flows_and_manifest(tmp_path):
    out = tmp_path / "run"
    result = CliRunner().invoke(
        app, ["run", str(BASELINE), "--out", str(out), "--scale", "0.02", "--years", "3"]
    )
    assert result.exit_code == 0, result.output
    outcomes = pd.read_parquet(out / "outcomes.parquet")
    assert list(outcomes["year"]) == [2024, 2025, 2026]
    assert (out / "flows.parquet").exists()
    assert (out / "manifest.json").exists()


def test_bad_config_exits_2_and_writes_nothing(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"base: {BASELINE}\nbogus_key: 1\n")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", str(bad), "--out", str(out)])
    assert result.exit_code == 2
    assert "bogus_key" in result.output
    assert not out.exists()


def test_run_summary_has_units_separators_and_says_one_run_is_one_draw(tmp_path):
    result = CliRunner().invoke(
        app, ["run", str(BASELINE), "--out", str(tmp_path), "--scale", "0.02", "--years", "1"]
    )
    assert result.exit_code == 0, result.output
    graduates = next(line for line in result.output.splitlines() if "graduates " in line)
    assert "persons/yr" in graduates
    assert re.search(r"\d{1,3}(,\d{3})+", graduates)  # thousands separators
    assert re.search(r"\d+\.\d%", result.output)  # rates as percentages
    assert "M RMB/yr" in result.output
    assert "1 year at scale 0.02" in result.output
    assert "One run is one draw" in result.output


def test_counts_agree_with_their_nouns():
    assert plural(1, "run") == "1 run"
    assert plural(2, "CSV table") == "2 CSV tables"
    assert plural(12_000, "replication") == "12,000 replications"


TYPE_LABELS = re.compile(r"<\w+[\w\[\] ]*>|\{\w+\}|list\[")


@pytest.mark.parametrize(
    "command", [[], ["run"], ["validate"], ["sweep"], ["analyze"], ["dashboard"], ["calibrate"]]
)
def test_help_shows_an_example_and_no_type_labels(command):
    result = CliRunner().invoke(app, [*command, "--help"], prog_name="talentsim")
    assert result.exit_code == 0, result.output
    assert "Example: talentsim " + (command[0] if command else "run") in result.output
    assert not TYPE_LABELS.findall(result.output), result.output


def test_help_names_arguments_by_metavar():
    result = CliRunner().invoke(app, ["run", "--help"], prog_name="talentsim")
    assert "Usage: talentsim run [OPTIONS] CONFIG" in result.output
    assert re.search(r"--out\s+DIR", result.output)


def fake_sweep(folder: Path) -> str:
    """A folder holding a sweep's manifest and parts (enough for `run` to recognise it)."""
    (folder / "parts").mkdir(parents=True)
    (folder / "parts" / "p0-r0.run.json").write_text("{}")
    text = json.dumps({"format": "talentsim-sweep/1", "experiment_hash": "abc",
                       "experiment_file": "experiments/x.yaml"})  # fmt: skip
    (folder / "manifest.json").write_text(text)
    (folder / "outcomes.parquet").write_text("sweep rows")
    return text


RUN = ["--scale", "0.01", "--years", "1"]


def test_run_refuses_a_sweep_folder_even_with_overwrite(tmp_path):
    text = fake_sweep(tmp_path / "sweep")
    for extra in ([], ["--overwrite"]):
        result = CliRunner().invoke(
            app, ["run", str(BASELINE), "--out", str(tmp_path / "sweep"), *RUN, *extra]
        )
        assert result.exit_code == 2
        assert "sweep dataset of experiments/x.yaml" in result.output
    assert (tmp_path / "sweep" / "manifest.json").read_text() == text
    assert (tmp_path / "sweep" / "outcomes.parquet").read_text() == "sweep rows"


def test_run_replaces_an_earlier_run_only_with_overwrite(tmp_path):
    out = tmp_path / "run"
    args = ["run", str(BASELINE), "--out", str(out), *RUN]
    assert CliRunner().invoke(app, args).exit_code == 0
    before = (out / "manifest.json").read_text()
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert "output of `talentsim run`" in result.output and "--overwrite" in result.output
    assert (out / "manifest.json").read_text() == before
    assert CliRunner().invoke(app, [*args, "--overwrite"]).exit_code == 0
    assert json.loads((out / "manifest.json").read_text())["format"] == "talentsim-run/1"


def test_run_refuses_a_folder_with_other_files(tmp_path):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("mine")
    result = CliRunner().invoke(
        app, ["run", str(BASELINE), "--out", str(tmp_path / "mine"), *RUN, "--overwrite"]
    )
    assert result.exit_code == 2
    assert "not a talentsim dataset" in result.output
    assert sorted(p.name for p in (tmp_path / "mine").iterdir()) == ["notes.txt"]


def test_sweep_refuses_a_run_folder(tmp_path):
    out = tmp_path / "run"
    assert CliRunner().invoke(app, ["run", str(BASELINE), "--out", str(out), *RUN]).exit_code == 0
    experiment = ROOT / "experiments" / "subsidy_grid.yaml"
    result = CliRunner().invoke(app, ["sweep", str(experiment), "--out", str(out)])
    assert result.exit_code == 2
    assert "output of `talentsim run`" in result.output and "not a sweep" in result.output


def test_run_on_a_full_disk_exits_2_and_writes_nothing(tmp_path):
    import resource

    out = tmp_path / "run"
    done = subprocess.run(
        [Path(sys.executable).parent / "talentsim", "run", BASELINE, "--out", out, *RUN],
        capture_output=True,
        text=True,
        preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (10_000, 10_000)),
        timeout=120,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert f"--out {out}: cannot write the results" in done.stderr
    assert not out.exists()


def test_a_failing_last_file_leaves_no_half_written_run(tmp_path, monkeypatch):
    import talentsim.cli

    def full(path, data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(talentsim.cli, "write_json", full)  # the manifest, written last
    out = tmp_path / "run"
    result = CliRunner().invoke(app, ["run", str(BASELINE), "--out", str(out), *RUN])
    assert result.exit_code == 2
    assert "No space left on device" in result.output
    assert not out.exists()


def test_run_and_sweep_into_an_unwritable_place_exit_2(tmp_path):
    unwritable = Path("/proc/talentsim-test/run")  # not creatable, even by root
    result = CliRunner().invoke(app, ["run", str(BASELINE), "--out", str(unwritable), *RUN])
    assert result.exit_code == 2
    assert f"--out {unwritable}: cannot write the results" in result.output
    experiment = ROOT / "experiments" / "subsidy_grid.yaml"
    result = CliRunner().invoke(app, ["sweep", str(experiment), "--out", str(unwritable)])
    assert result.exit_code == 2
    assert "cannot create the dataset folder" in result.output
