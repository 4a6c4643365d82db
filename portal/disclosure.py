"""What the public may read of export figures, so that no company's own sales can be read there.

A value (money received) is shown publicly only when at least MIN_COMPANIES companies stand behind
it, and then rounded to ROUND_TO US dollars; below that only counts are shown. The public results
page (results/) and the brokerages' public results (brokers/results.py) both follow this rule, so
it lives here, below both."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

MIN_COMPANIES = 3  # a public figure with fewer companies behind it is not shown
ROUND_TO = Decimal(1000)  # public values are rounded to the thousand dollars


def rounded(value: Decimal | None) -> int | None:
    """`value` rounded to ROUND_TO (halves up); None stays None."""
    if value is None:
        return None
    return int((value / ROUND_TO).quantize(Decimal(1), rounding=ROUND_HALF_UP) * ROUND_TO)


def disclosed_value(value: Decimal | None, companies: int | None) -> int | None:
    """The public form of `value`: rounded when MIN_COMPANIES companies or more stand behind it,
    None (not shown) otherwise."""
    if value is None or (companies or 0) < MIN_COMPANIES:
        return None
    return rounded(value)
