"""Results roots (nothing outside can be opened), dataset loading errors, summaries, sensitivity."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from synthetic_sweeps import LEVER_A, LEVER_B, grid_points, write_sweep

from dashboards.datasets import DatasetError, load_sweep
from dashboards.roots import (
    OutsideRootsError,
    find_datasets,
    resolve_under_roots,
    results_roots,
)
from dashboards.scenario_runs import run_scenarios
from dashboards.stats import (
    NotAvailableError,
    band_table,
    difference_table,
    fan_table,
    heatmap_table,
    sensitivity_table,
)


def test_roots_come_from_the_environment(tmp_path: Path):
    a, b = tmp_path / "a", tmp_path / "b"
    roots = results_roots({"TALENTSIM_RESULTS_ROOTS": f"{a}:{b}"})
    assert roots == [a.resolve(), b.resolve()]
    assert results_roots({}) == []


def test_paths_inside_roots_resolve(results_root: Path):
    roots = [results_root.resolve()]
    assert resolve_under_roots("grid", roots) == (results_root / "grid").resolve()
    assert resolve_under_roots(results_root / "sobol", roots) == (results_root / "sobol").resolve()


@pytest.mark.parametrize("path", ["/etc", "../", "grid/../../", "/etc/passwd", "~"])
def test_paths_outside_roots_are_refused(results_root: Path, path: str):
    with pytest.raises(OutsideRootsError, match="outside the results roots"):
        resolve_under_roots(path, [results_root.resolve()])


def test_a_symlink_leading_outside_is_refused(results_root: Path, tmp_path: Path):
    outside = tmp_path / "secret"
    write_sweep(outside, grid_points(), "grid")
    (results_root / "link").symlink_to(outside)
    with pytest.raises(OutsideRootsError):
        resolve_under_roots("link", [results_root.resolve()])
    found = find_datasets([results_root.resolve()])
    assert all(p.is_relative_to(results_root.resolve()) for p in found)
    assert {p.name for p in found} == {"grid", "sobol", "broken"}


def test_without_roots_nothing_opens(results_root: Path):
    with pytest.raises(OutsideRootsError, match="no results roots"):
        resolve_under_roots(results_root / "grid", [])


def test_a_grid_sweep_loads_with_levers_outcomes_and_failures(results_root: Path):
    data = load_sweep(results_root / "grid")
    assert data.kind == "grid"
    assert data.levers == [LEVER_A, LEVER_B]
    assert {"retention_3y", "employment_rate", "fiscal_cost"} <= set(data.outcome_columns)
    assert "run_id" not in data.outcome_columns
    assert list(data.failed["run_id"]) == [3]


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda d: (d / "manifest.json").unlink(), "manifest.json: missing"),
        (lambda d: (d / "manifest.json").write_text("{oops"), "manifest.json: cannot read JSON"),
        (lambda d: (d / "manifest.json").write_text('{"design": {"kind": "x"}}'), "design.kind"),
        (lambda d: (d / "outcomes.parquet").unlink(), "outcomes.parquet: missing"),
        (lambda d: (d / "outcomes.parquet").write_bytes(b"PAR1garbage"), "cannot read Parquet"),
        (
            lambda d: pd.DataFrame({"year": [1]}).to_parquet(d / "outcomes.parquet"),
            "column 'run_id' is missing",
        ),
    ],
)
def test_a_broken_dataset_gives_one_message_naming_the_file(results_root: Path, damage, message):
    folder = results_root / "grid"
    damage(folder)
    with pytest.raises(DatasetError, match=message.replace("(", r"\(")):
        load_sweep(folder)


def test_a_missing_folder_is_a_dataset_error(tmp_path: Path):
    with pytest.raises(DatasetError, match="no such folder"):
        load_sweep(tmp_path / "nope")


def test_fan_quantiles_are_ordered_per_year(results_root: Path):
    table = fan_table(load_sweep(results_root / "grid").outcomes, "retention_3y")
    assert list(table["year"]) == [2024, 2025, 2026, 2027]
    values = table[["q05", "q25", "q50", "q75", "q95"]].to_numpy()
    assert (np.diff(values, axis=1) >= 0).all()


def test_heatmap_has_one_cell_per_lever_pair(results_root: Path):
    table = heatmap_table(
        load_sweep(results_root / "grid").outcomes, "retention_3y", LEVER_A, LEVER_B
    )
    assert table.shape == (3, 3)
    assert table.loc[0.0, 10_000] > table.loc[0.0, 0]  # retention rises with the subsidy
    with pytest.raises(NotAvailableError):
        heatmap_table(load_sweep(results_root / "grid").outcomes, "retention_3y", LEVER_A, LEVER_A)


def test_sobol_indices_rank_the_lever_that_matters_first(results_root: Path):
    table = sensitivity_table(load_sweep(results_root / "sobol"), "retention_3y")
    total = table[table["index"] == "ST"].set_index("variable")["value"]
    assert total[LEVER_A] > 0.5 > total[LEVER_B]


def test_sensitivity_is_refused_for_a_grid_and_for_missing_points(results_root: Path):
    with pytest.raises(NotAvailableError, match="sobol or morris"):
        sensitivity_table(load_sweep(results_root / "grid"), "retention_3y")
    data = load_sweep(results_root / "sobol")
    data.outcomes = data.outcomes[data.outcomes["point_id"] != 5]
    with pytest.raises(NotAvailableError, match="need every point"):
        sensitivity_table(data, "retention_3y")


def test_morris_indices(tmp_path: Path):
    from SALib.sample import morris

    problem = {"num_vars": 2, "names": [LEVER_A, LEVER_B], "bounds": [[0, 20_000], [0, 1]]}
    points = morris.sample(problem, 6, num_levels=4, seed=2)
    data = load_sweep(write_sweep(tmp_path / "m", points, "morris", 1, problem=problem))
    table = sensitivity_table(data, "retention_3y").set_index("variable")
    assert table.loc[LEVER_A, "value"] > table.loc[LEVER_B, "value"]


def scenario_frame() -> pd.DataFrame:
    rows = []
    for scenario, shift in (("baseline", 0.0), ("park", 0.1)):
        for replication in range(3):
            for year in (2024, 2025):
                value = 0.5 + shift + 0.01 * replication
                rows.append(
                    {"scenario": scenario, "replication": replication, "year": year, "y": value}
                )
    return pd.DataFrame(rows)


def test_bands_span_the_replications():
    table = band_table(scenario_frame(), "y").set_index(["scenario", "year"])
    assert table.loc[("park", 2024), "mean"] == pytest.approx(0.61)
    assert table.loc[("park", 2024), "low"] < table.loc[("park", 2024), "high"]


def test_differences_are_paired_by_replication():
    table = difference_table(scenario_frame(), "y", "baseline")
    assert set(table["scenario"]) == {"park"}
    # the replication effect cancels in the paired difference: the band has zero width
    assert np.allclose(table["mean"], 0.1) and np.allclose(table["high"] - table["low"], 0)
    with pytest.raises(NotAvailableError):
        difference_table(scenario_frame(), "y", "nope")


def test_scenario_runs_use_common_seeds_and_stop_when_cancelled():
    folder = Path("configs/scenarios")
    scenarios = {"baseline": folder / "baseline.yaml", "baseline_again": folder / "baseline.yaml"}
    seen = []
    frame = run_scenarios(
        scenarios, 2, scale=0.01, years=2, on_progress=lambda d, t: seen.append((d, t))
    )
    assert seen[-1] == (4, 4)
    a = frame[frame["scenario"] == "baseline"].drop(columns="scenario").reset_index(drop=True)
    b = frame[frame["scenario"] == "baseline_again"].drop(columns="scenario").reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)  # same replication seed in every scenario
    r0, r1 = (a[a["replication"] == r]["retention_3y"].to_numpy() for r in (0, 1))
    assert not np.array_equal(r0, r1)  # replications differ
    progress = []
    stopped = run_scenarios(
        scenarios,
        2,
        scale=0.01,
        years=2,
        on_progress=lambda d, t: progress.append(d),
        cancelled=lambda: len(progress) >= 1,
    )
    assert progress == [1]  # cancelled after the first run: its outcomes are kept
    assert len(stopped) == 2 and set(stopped["scenario"]) == {"baseline"}


def test_dataset_files_symlinked_outside_the_roots_are_neither_listed_nor_opened(
    results_root: Path, tmp_path: Path
):
    outside = tmp_path / "secret"
    write_sweep(outside, grid_points(), "grid")
    inside = results_root / "looks_fine"
    inside.mkdir()
    for name in ("manifest.json", "outcomes.parquet", "runs.parquet"):
        (inside / name).symlink_to(outside / name)
    roots = [results_root.resolve()]
    assert inside.resolve() not in find_datasets(roots)
    folder = resolve_under_roots("looks_fine", roots)  # the folder itself is inside
    with pytest.raises(DatasetError, match="leads outside the results roots"):
        load_sweep(folder, roots)


@pytest.mark.parametrize(
    ("typed", "words"),
    [("grid\x00/etc/passwd", "NUL character"), ("a" * 5000, "5,000 characters long")],
)
def test_a_nul_byte_or_an_over_long_path_is_refused_clearly(results_root: Path, typed, words):
    with pytest.raises(OutsideRootsError, match=words):
        resolve_under_roots(typed, [results_root.resolve()])


def test_runs_without_status_or_years_as_text_are_dataset_errors(results_root: Path):
    grid = results_root / "grid"
    runs = pd.read_parquet(grid / "runs.parquet")
    runs.drop(columns="status").to_parquet(grid / "runs.parquet")
    with pytest.raises(DatasetError, match=r"runs\.parquet: column 'status' is missing"):
        load_sweep(grid, [])
    runs.to_parquet(grid / "runs.parquet")
    outcomes = pd.read_parquet(grid / "outcomes.parquet")
    outcomes.assign(year=outcomes["year"].astype(str)).to_parquet(grid / "outcomes.parquet")
    with pytest.raises(DatasetError, match="'year' must hold whole numbers"):
        load_sweep(grid, [])
