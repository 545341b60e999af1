"""The catalogue: every label in both languages, from one place."""

from __future__ import annotations

import pytest

from talentsim.analysis import catalogue
from talentsim.analysis.catalogue import (
    HEADERS,
    LEVERS,
    NODES,
    OUTCOMES,
    M,
    N,
    Note,
    Text,
    lever_label,
    node_label,
    outcome_label,
    parse_lang,
)
from talentsim.analysis.measures import KEY_OUTCOMES, LOWER_IS_BETTER


def _texts() -> list[Text]:
    texts = [o.label for o in OUTCOMES.values()]
    texts += [*LEVERS.values(), *NODES.values(), *HEADERS.values()]
    for space in (M, N):
        texts += [v for v in vars(space).values() if isinstance(v, Text)]
    return texts


def test_every_text_has_an_english_and_a_chinese_wording():
    for text in _texts():
        assert text.en.strip() and text.zh.strip(), text


def test_chinese_and_english_wordings_take_the_same_placeholders():
    import string

    for text in _texts():
        fields = [
            {f for _, f, _, _ in string.Formatter().parse(t) if f} for t in (text.en, text.zh)
        ]
        assert fields[0] == fields[1], text


def test_every_key_outcome_and_lower_is_better_outcome_has_a_chinese_label():
    for name in (*KEY_OUTCOMES, *LOWER_IS_BETTER):
        assert outcome_label(name, "zh") != name.replace("_", " "), name


def test_policy_terms_read_as_the_paper_uses_them():
    assert lever_label("policy.park.enabled", "zh") == "产教融合先行区"
    assert node_label("zhongzhi", "zh") == "中职" and node_label("gaozhi", "zh") == "高职"
    assert node_label("job_in_field", "zh") == "对口就业"
    assert outcome_label("in_field_rate", "zh") == "对口就业率"
    assert lever_label("policy.apprenticeship_subsidy.value", "en") == "Apprenticeship subsidy"


def test_unknown_columns_get_a_readable_label_in_both_languages():
    assert outcome_label("fiscal_cost_land_grant", "zh") == "财政支出：产教融合用地"
    assert outcome_label("graduates_benke", "zh") == "本科毕业生"
    assert node_label("benke_elsewhere", "zh") == "外地本科"


@pytest.mark.parametrize(("given", "lang"), [("zh", "zh"), ("zh-CN", "zh"), ("en", "en"),
                                             (None, "en"), ("fr", "en")])  # fmt: skip
def test_language_codes_fall_back_to_english(given, lang):
    assert parse_lang(given) == lang


def test_a_note_is_english_text_that_also_answers_in_chinese():
    note = Note(N.failed, failed=1, total=24)
    assert "1 of 24 runs failed" in note
    assert note("zh").startswith("24 次运行中 1 次失败")


def test_catalogue_module_has_no_dashboard_import():
    source = catalogue.__file__
    with open(source, encoding="utf-8") as handle:
        assert "dashboards" not in handle.read().split('"""', 2)[2]


def test_every_gain_unit_of_the_cost_table_has_a_chinese_wording():
    from talentsim.analysis.catalogue import GAIN_UNITS
    from talentsim.analysis.cost import gain_unit

    for name in ("retained_skilled", "retention_rate", "value_added", "mismatch_jrl", "firms"):
        assert gain_unit(name) in GAIN_UNITS
