"""Bad config input gives one ConfigError naming the file and the field; ``base:`` merges."""

from __future__ import annotations

import os
import re
import warnings
from pathlib import Path

import pytest

from talentsim.config import ConfigError, ConfigWarning, load_config, resolve_config
from talentsim.config.loading import config_hash, load_yaml, merge

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "configs" / "zibo_baseline.yaml"


def scenario(tmp_path: Path, body: str, name: str = "scenario.yaml") -> Path:
    path = tmp_path / name
    path.write_text(f"base: {BASELINE}\n{body}", encoding="utf-8")
    return path


def test_baseline_and_every_scenario_validate():
    for path in [BASELINE, *sorted((ROOT / "configs" / "scenarios").glob("*.yaml"))]:
        assert load_config(path).fields, path


def test_unknown_key_names_file_and_field(tmp_path):
    path = scenario(tmp_path, "firms:\n  poching: 0.3\n")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert str(path) in str(err.value)
    assert "firms.poching: unknown field" in str(err.value)


def test_wrong_type_names_file_and_field(tmp_path):
    path = scenario(tmp_path, "labour_market:\n  rounds: many\n")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert str(path) in str(err.value)
    assert "labour_market.rounds" in str(err.value)
    assert "'many'" in str(err.value)


def test_out_of_range_value_names_file_and_field(tmp_path):
    path = scenario(tmp_path, "migration:\n  employed_attachment: 50\n")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert "migration.employed_attachment" in str(err.value)
    assert "50" in str(err.value)


def test_out_of_range_lever_names_the_lever(tmp_path):
    path = scenario(tmp_path, "policy:\n  coordination: {value: 1.7}\n")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert str(path) in str(err.value)
    assert "policy.coordination.value" in str(err.value)


def test_out_of_range_override_names_the_field():
    with pytest.raises(ConfigError, match=r"scale"):
        resolve_config(BASELINE, {"scale": 0})
    with pytest.raises(ConfigError, match=r"policy\.apprenticeship_subsidy\.value"):
        resolve_config(BASELINE, {"policy.apprenticeship_subsidy.value": -5})


def test_missing_file_is_named(tmp_path):
    missing = tmp_path / "nowhere.yaml"
    with pytest.raises(ConfigError, match=r"nowhere\.yaml: file not found"):
        load_config(missing)


def test_missing_base_file_is_named(tmp_path):
    path = tmp_path / "child.yaml"
    path.write_text("base: parent.yaml\nname: x\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"parent\.yaml: file not found"):
        load_config(path)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file_is_named(tmp_path):
    path = scenario(tmp_path, "name: x\n")
    path.chmod(0)
    try:
        with pytest.raises(ConfigError, match="cannot read file"):
            load_config(path)
    finally:
        path.chmod(0o644)


def test_binary_file_is_named_as_unreadable(tmp_path):
    path = tmp_path / "binary.yaml"
    path.write_bytes(b"\xff\xfe\x00\x81garbage")
    with pytest.raises(ConfigError, match=r"binary.yaml: cannot read file"):
        load_config(path)


def test_a_folder_is_named_as_unreadable(tmp_path):
    with pytest.raises(ConfigError, match="cannot read file"):
        load_config(tmp_path)


def test_malformed_yaml_names_file_and_line(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("name: x\nfirms: [1, 2\nseed: 3\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert "broken.yaml: malformed YAML at line" in str(err.value)


def test_python_object_tag_is_refused(tmp_path):
    path = tmp_path / "evil.yaml"
    path.write_text("name: !!python/object/apply:os.system ['echo pwned']\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert "evil.yaml" in str(err.value)
    assert "python/object" in str(err.value)


def test_top_level_list_is_refused(tmp_path):
    path = tmp_path / "list.yaml"
    path.write_text("- 1\n- 2\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="expected a mapping"):
        load_config(path)


def test_base_cycle_is_refused(tmp_path):
    (tmp_path / "a.yaml").write_text("base: b.yaml\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text("base: a.yaml\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="cycle"):
        load_config(tmp_path / "a.yaml")


def test_base_inheritance_merges_nested_mappings(tmp_path):
    path = scenario(tmp_path, "name: child\nfirms:\n  poaching: 0.1\n")
    child, base = load_config(path), load_config(BASELINE)
    assert child.name == "child"
    assert child.firms.poaching == 0.1
    # siblings of the overridden key keep the base's values
    assert child.firms.transaction_cost == base.firms.transaction_cost
    assert child.fields == base.fields
    assert child.policy.talent_subsidy == base.policy.talent_subsidy


def test_base_chain_of_two_levels(tmp_path):
    scenario(tmp_path, "name: middle\nfirms:\n  poaching: 0.1\n", "middle.yaml")
    leaf = tmp_path / "leaf.yaml"
    leaf.write_text("base: middle.yaml\nname: leaf\nfirms:\n  horizon: 5\n", encoding="utf-8")
    config = load_config(leaf)
    assert (config.name, config.firms.poaching, config.firms.horizon) == ("leaf", 0.1, 5)


def test_merge_replaces_lists_and_merges_mappings():
    merged = merge({"a": {"x": 1, "y": 2}, "l": [1, 2]}, {"a": {"y": 3}, "l": [9]})
    assert merged == {"a": {"x": 1, "y": 3}, "l": [9]}


def test_cross_reference_error_names_the_school(tmp_path):
    path = scenario(
        tmp_path,
        "schools:\n  - {name: a, kind: zhongzhi, district: 99}\n  - {name: b, kind: gaozhi}\n",
    )
    with pytest.raises(ConfigError, match=r"schools\.0\.district = 99"):
        load_config(path)


def test_config_hash_changes_with_any_value():
    base = load_config(BASELINE)
    assert config_hash(base) == config_hash(load_config(BASELINE))
    changed = base.model_copy(update={"seed": base.seed + 1})
    assert config_hash(changed) != config_hash(base)


def test_unknown_key_suggests_the_closest_field(tmp_path):
    path = scenario(tmp_path, "firms:\n  poching: 0.3\n")
    with pytest.raises(
        ConfigError, match=r"firms\.poching: unknown field \(did you mean 'poaching'\?\)"
    ):
        load_config(path)


def test_unknown_key_in_a_list_item_suggests_from_the_item_schema(tmp_path):
    path = scenario(tmp_path, "fields:\n  - {name: a, wage_premum: 1.2}\n  - {name: b}\n")
    with pytest.raises(
        ConfigError, match=r"fields\.0\.wage_premum: unknown field \(did you mean .wage_premium."
    ):
        load_config(path)


def test_unknown_key_without_a_close_match_lists_the_allowed_fields(tmp_path):
    path = scenario(tmp_path, "labour_market:\n  xyzzy: 1\n")
    with pytest.raises(
        ConfigError, match=r"labour_market\.xyzzy: unknown field \(allowed here: .*rounds"
    ):
        load_config(path)


def test_scenario_without_base_or_required_sections_says_to_name_a_base(tmp_path):
    path = tmp_path / "fragment.yaml"
    path.write_text("firms:\n  poaching: 0.2\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"or names a `base:` file"):
        load_config(path)


def test_lever_starting_after_the_last_year_warns_with_the_field(tmp_path):
    path = scenario(tmp_path, "years: 5\npolicy:\n  coordination: {value: 0.5, start_year: 2030}\n")
    with pytest.warns(ConfigWarning, match=r"policy\.coordination\.start_year = 2030 .* 2028"):
        config = load_config(path)
    assert config.policy.coordination.start_year == 2030  # a warning, not an error


def test_park_after_the_last_year_warns_only_when_enabled(tmp_path):
    body = "years: 2\npolicy:\n  park: {{enabled: {}, start_year: 2030}}\n"
    with pytest.warns(ConfigWarning, match=r"policy\.park\.start_year"):
        load_config(scenario(tmp_path, body.format("true")))
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConfigWarning)
        load_config(scenario(tmp_path, body.format("false")))


def test_shipped_scenarios_start_their_levers_within_the_run():
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConfigWarning)
        for path in [BASELINE, *sorted((ROOT / "configs" / "scenarios").glob("*.yaml"))]:
            load_config(path)


def test_a_duplicate_key_is_refused_naming_both_lines(tmp_path):
    path = tmp_path / "twice.yaml"
    path.write_text(f"base: {BASELINE}\nname: a\nbase: {BASELINE}\n", encoding="utf-8")
    with pytest.raises(
        ConfigError, match=r"twice.yaml.*duplicate key 'base' at line 3 \(first at line 1\)"
    ):
        load_config(path)
    nested = scenario(tmp_path, "city:\n  cohort_size: 1000\ncity:\n  retirement_age: 62\n")
    with pytest.raises(ConfigError, match="duplicate key 'city' at line 4"):
        load_config(nested)


def test_an_alias_bomb_spread_over_base_files_is_refused_at_once(tmp_path):
    import time

    layers = "".join(f"x{k}: &x{k} [" + ", ".join([f"*x{k - 1}"] * 9) + "]\n" for k in range(1, 9))
    (tmp_path / "bomb.yaml").write_text(f"x0: &x0 [1, 2, 3, 4, 5, 6, 7, 8, 9]\n{layers}")
    path = tmp_path / "top.yaml"
    path.write_text("base: bomb.yaml\nname: x\n")
    started = time.monotonic()
    with pytest.raises(ConfigError, match=r"bomb.yaml.*(aliases|expands)"):
        load_config(path)
    assert time.monotonic() - started < 2


def test_a_self_referring_alias_is_refused(tmp_path):
    path = tmp_path / "loop.yaml"
    path.write_text("a: &a [*a]\n")
    with pytest.raises(ConfigError, match=r"loop\.yaml"):
        load_config(path)


def test_deep_nesting_is_refused_without_a_recursion_error(tmp_path):
    path = tmp_path / "deep.yaml"
    path.write_text("a: " + "[" * 5000 + "]" * 5000 + "\n")
    with pytest.raises(ConfigError, match=r"deep.yaml.*nested"):
        load_config(path)


@pytest.mark.parametrize("kind", ["device", "fifo"])
def test_base_must_be_a_regular_file(tmp_path, kind):
    if kind == "fifo":
        os.mkfifo(tmp_path / "pipe")  # opening it would wait for a writer forever
        base = tmp_path / "pipe"
    else:
        base = Path("/dev/zero")  # reading it would never end
    path = tmp_path / "scenario.yaml"
    path.write_text(f"base: {base}\n")
    with pytest.raises(ConfigError, match=f"{base}: cannot read file .not a regular file"):
        load_config(path)


def test_a_huge_file_is_refused_unread(tmp_path):
    import time

    path = tmp_path / "huge.yaml"
    path.write_text("name: " + "x" * 30_000_000 + "\n")
    started = time.monotonic()
    with pytest.raises(ConfigError, match=r"huge.yaml: file too large \(30,000,007 bytes"):
        load_config(path)
    assert time.monotonic() - started < 1


def test_a_long_value_is_shortened_in_the_message(tmp_path):
    path = scenario(tmp_path, "labour_market:\n  rounds: " + "9" * 500_000 + "x\n")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert "labour_market.rounds" in str(err.value)
    assert len(str(err.value)) < 1_000
    assert "500,003 characters" in str(err.value)


def test_an_option_value_is_blamed_on_the_option(tmp_path):
    with pytest.raises(ConfigError) as err:
        resolve_config(BASELINE, {"scale": -1.0}, {"scale": "--scale"})
    assert str(err.value).startswith("invalid option")
    assert "--scale: Input should be greater than 0 (got -1.0)" in str(err.value)
    assert "zibo_baseline.yaml" not in str(err.value)


def test_a_text_parsed_again_gives_a_fresh_mapping_and_its_own_file_in_errors(tmp_path):
    one, other = tmp_path / "one.yaml", tmp_path / "other.yaml"
    for path in (one, other):
        path.write_text("a:\n  b: 1\n")
    first = load_yaml(one)
    first["a"]["b"] = 2  # a caller's change does not reach the next load
    assert load_yaml(other) == {"a": {"b": 1}}
    for path in (one, other):
        path.write_text("a: [1\n")
        with pytest.raises(ConfigError, match=f"^{re.escape(str(path))}: malformed YAML"):
            load_yaml(path)
