"""Numbers as officials read them: %, RMB with 万元/亿元, 3 significant digits, clipped bounds."""

from __future__ import annotations

from talentsim.analysis import formats


def test_three_significant_digits_and_never_e_notation():
    assert formats.sig(0.50912) == "0.509"
    assert formats.sig(297_345.2) == "297,000"
    assert formats.sig(-1.936e-05, signed=True) == "-0.0000194"
    assert formats.sig(9.996) == "10.0"
    assert formats.sig(float("nan")) == "–" and formats.sig(float("inf")) == "∞"


def test_rates_print_as_percent_and_their_changes_in_points():
    assert formats.value("retention_rate", 0.50912) == "50.9 %"
    assert formats.difference("retention_rate", -0.0123) == "-1.23 pp"
    assert formats.difference("retention_rate", 0.0123, "zh") == "+1.23 个百分点"


def test_money_prints_in_rmb_with_wan_and_yi_yuan_in_chinese():
    assert formats.value("fiscal_cost", 297_345e6) == "RMB 297 bn"
    assert formats.value("fiscal_cost", 2.5e6) == "RMB 2.50 m"
    assert formats.value("fiscal_cost", 297_345e6, "zh") == "2,970 亿元"
    assert formats.value("fiscal_cost", 45_678, "zh") == "4.57 万元"
    assert formats.value("fiscal_cost", 950, "zh") == "950 元"


def test_intervals_of_rates_are_clipped_to_zero_and_one():
    assert formats.interval("retention_rate", -0.1, 1.2) == "[0 %, 100 %]"
    # a difference may be negative: not clipped
    assert formats.interval("retention_rate", -0.1, 0.2, diff=True) == "[-10.0 pp, +20.0 pp]"


def test_a_difference_whose_interval_includes_zero_is_within_noise():
    assert formats.within_noise(-0.1, 0.2)
    assert not formats.within_noise(0.01, 0.2) and not formats.within_noise(-0.3, -0.01)


def test_axes_take_a_unit_that_fits_the_values():
    assert formats.axis_scale("retention_rate", [0.5]) == (100.0, "%")
    assert formats.axis_scale("retention_rate", [0.01], diff=True) == (100.0, "pp")
    assert formats.axis_scale("fiscal_cost", [3e8], "zh") == (1e-8, "亿元/年")
    assert formats.axis_scale("fiscal_cost", [3e8], "en") == (1e-6, "RMB m/yr")
    assert formats.axis_title("retained_skilled", "persons/yr") == (
        "Skilled graduates retained (persons/yr)"
    )
