"""Rounding, the same in every place a figure appears (page, sentence, chart, export, API).

Half up, never to even: 62.5% is 63%. Shares under 10% keep one decimal place (0.4%, not 0%);
the rest are whole percents. Money is rounded half up to the penny.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

ONE_DECIMAL_BELOW = Decimal("0.1")  # 10%, as a fraction
WHOLE_PERCENT, TENTH_PERCENT = Decimal("0.01"), Decimal("0.001")


def share(part: int | Decimal, whole: int | Decimal) -> Decimal | None:
    """part ÷ whole as a fraction rounded as it is shown (0.004 for 0.4%, 0.63 for 62.5%)."""
    if not whole:
        return None
    exact = Decimal(part) / Decimal(whole)
    tenths = exact.quantize(TENTH_PERCENT, rounding=ROUND_HALF_UP)
    if tenths < ONE_DECIMAL_BELOW:
        return tenths
    return exact.quantize(WHOLE_PERCENT, rounding=ROUND_HALF_UP)


def percent_text(fraction: Decimal | None) -> str:
    """0.004 → "0.4%", 0.63 → "63%", None → "–" (no denominator)."""
    if fraction is None:
        return "–"
    percent = fraction * 100
    places = 1 if 0 < fraction < ONE_DECIMAL_BELOW else 0
    return f"{percent:.{places}f}%"


def whole(value: Decimal | float | int) -> int:
    return int(Decimal(value).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def tenths(value: Decimal) -> Decimal:
    """An average shown to one decimal place, half up (0.25 → 0.3)."""
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def pence(value: Decimal) -> int:
    """An amount of pence worked out by division, to the nearest penny."""
    return whole(value)


def money_text(pence_value: int) -> str:
    return f"£{Decimal(pence_value) / 100:,.2f}"
