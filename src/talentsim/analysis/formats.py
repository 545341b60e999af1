"""Numbers as an official reads them: rates in %, money in RMB (万元 / 亿元 in 中文), 3 digits.

Every number the report and the dashboard print goes through :func:`value` (a level),
:func:`difference` (a change, in percentage points for rates) or :func:`interval`; axes take
their factor and unit from :func:`axis_scale`. All use :data:`DIGITS` significant digits, and
intervals of rates are clipped to what a share can be, [0, 1].
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from talentsim.analysis.catalogue import DEFAULT_LANG, Lang, M, Text, outcome

DIGITS = 3
"""Significant digits of every printed number."""

YUAN = Text("RMB {x}", "{x} 元")
WAN = Text("RMB {x}0 thousand", "{x} 万元")
YI = Text("RMB {x}00 million", "{x} 亿元")
MILLION = Text("RMB {x} m", "{x} 百万元")
BILLION = Text("RMB {x} bn", "{x} 十亿元")
"""Money units; 中文 uses 元 / 万元 / 亿元 and English RMB / m / bn (see :func:`_money`)."""


def sig(x: float, digits: int = DIGITS, signed: bool = False) -> str:
    """``x`` to ``digits`` significant digits, thousands separated, never in e-notation.

    >>> sig(0.50912), sig(297345.2), sig(-1.936e-05, signed=True)
    ('0.509', '297,000', '-0.0000194')
    """
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    if math.isinf(x):
        return "∞" if x > 0 else "-∞"
    sign = "+" if signed and x > 0 else ""
    if x == 0:
        return "0"
    decimals = digits - 1 - math.floor(math.log10(abs(x)))
    rounded = round(x, decimals)
    if rounded == 0:
        return "0"
    decimals = digits - 1 - math.floor(math.log10(abs(rounded)))  # 9.996 → 10.0, one fewer
    return f"{sign}{round(rounded, decimals):,.{max(decimals, 0)}f}"


def short(x: float) -> str:
    """A lever value in a label, as the design wrote it: 12,500 / 0.25 / 0.05."""
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.3g}"


def _money(x: float, lang: Lang, signed: bool) -> str:
    """RMB with a unit that keeps three digits: 万元 / 亿元 in 中文, m / bn in English."""
    size = abs(x)
    if lang == "zh":
        if size >= 1e8:
            return YI(lang, x=sig(x / 1e8, signed=signed))
        if size >= 1e4:
            return WAN(lang, x=sig(x / 1e4, signed=signed))
        return YUAN(lang, x=sig(x, signed=signed))
    if size >= 1e9:
        return BILLION(lang, x=sig(x / 1e9, signed=signed))
    if size >= 1e6:
        return MILLION(lang, x=sig(x / 1e6, signed=signed))
    return YUAN(lang, x=sig(x, signed=signed))


def value(name: str, x: float, lang: Lang = DEFAULT_LANG, signed: bool = False) -> str:
    """A level of outcome ``name``: a rate as %, money in RMB, people with their unit."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    info = outcome(name)
    if info.kind == "rate":
        return f"{sig(100 * x, signed=signed)} %"
    if info.kind == "money":
        return _money(x, lang, signed)
    unit = info.unit(lang) if info.unit is not None else ""
    return f"{sig(x, signed=signed)} {unit}".strip()


def difference(name: str, x: float, lang: Lang = DEFAULT_LANG) -> str:
    """A change of outcome ``name``, signed: percentage points for a rate."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    if outcome(name).kind == "rate":
        return f"{sig(100 * x, signed=True)} {M.pp(lang)}"
    return value(name, x, lang, signed=True)


def clip(name: str, low: float, high: float) -> tuple[float, float]:
    """An interval of a level clipped to what the outcome can be (a share lies in [0, 1])."""
    kind = outcome(name).kind
    if kind in ("rate", "index"):
        return _clip(low, 0.0, 1.0), _clip(high, 0.0, 1.0)
    if kind in ("people", "count", "money") and name != "fiscal_cost":
        return _clip(low, 0.0, math.inf), _clip(high, 0.0, math.inf)
    return low, high


def _clip(x: float, low: float, high: float) -> float:
    return x if math.isnan(x) else min(max(x, low), high)


def interval(
    name: str, low: float, high: float, lang: Lang = DEFAULT_LANG, diff: bool = False
) -> str:
    """``[low, high]`` of a level (clipped to the outcome's bounds) or of a difference."""
    if diff:
        return f"[{difference(name, low, lang)}, {difference(name, high, lang)}]"
    low, high = clip(name, low, high)
    return f"[{value(name, low, lang)}, {value(name, high, lang)}]"


def within_noise(low: float, high: float) -> bool:
    """Whether a difference's interval includes zero (seed noise could explain it)."""
    return not (low > 0 or high < 0)


def axis_scale(
    name: str, values: Iterable[float], lang: Lang = DEFAULT_LANG, diff: bool = False
) -> tuple[float, str]:
    """The factor to multiply values by and the unit for an axis of outcome ``name``.

    Rates are drawn in % (differences in percentage points), money in the RMB unit that suits
    the largest value (万元 / 亿元 in 中文, million / billion in English).
    """
    info = outcome(name)
    if info.kind == "rate":
        return 100.0, (M.pp(lang) if diff else M.percent(lang))
    per_year = M.per_year(lang) if info.per_year else ""
    if info.kind == "money":
        finite = [abs(v) for v in values if v is not None and not math.isnan(v)]
        size = max(finite, default=0.0)
        if lang == "zh":
            if size >= 1e8:
                return 1e-8, f"亿元{per_year}"
            return (1e-4, f"万元{per_year}") if size >= 1e4 else (1.0, f"元{per_year}")
        if size >= 1e9:
            return 1e-9, f"RMB bn{per_year}"
        return (1e-6, f"RMB m{per_year}") if size >= 1e6 else (1.0, f"RMB{per_year}")
    if info.kind == "index":
        return 1.0, ""  # its label says the range
    unit = info.unit(lang) if info.unit is not None else ""
    return 1.0, f"{unit}{per_year}" if unit else per_year.lstrip("/")


def axis_title(name: str, unit: str, lang: Lang = DEFAULT_LANG) -> str:
    """``label (unit)`` for an axis."""
    label = outcome(name).label(lang)
    return f"{label} ({unit})" if unit and lang == "en" else f"{label}（{unit}）" if unit else label
