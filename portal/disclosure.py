"""What the public may read of export figures, so that no company's own sales can be read there.

A value (money received) is shown publicly only when at least MIN_COMPANIES companies stand behind
it and no one of them makes up more than MAX_SHARE_OF_ONE of it (else a figure of three companies,
one of them nearly all of it, would tell that one's sales), and then rounded to ROUND_TO US dollars;
otherwise only counts are shown. The public results
page (results/) and the brokerages' public results (brokers/results.py) both follow this rule, so
it lives here, below both."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

MIN_COMPANIES = 3  # a public figure with fewer companies behind it is not shown
MAX_SHARE_OF_ONE = Decimal("0.6")  # nor one of which a single company makes up more than this
ROUND_TO = Decimal(1000)  # public values are rounded to the thousand dollars


def rounded(value: Decimal | None) -> int | None:
    """`value` rounded to ROUND_TO (halves up); None stays None."""
    if value is None:
        return None
    return int((value / ROUND_TO).quantize(Decimal(1), rounding=ROUND_HALF_UP) * ROUND_TO)


def may_show(value: Decimal | None, companies: int | None, largest: Decimal | None) -> bool:
    """Whether a value that `companies` companies make up, the largest of them `largest`, may be
    shown: enough companies, and none dominating it."""
    if value is None or (companies or 0) < MIN_COMPANIES:
        return False
    return value <= 0 or (largest or Decimal(0)) <= value * MAX_SHARE_OF_ONE


def disclosed_value(value: Decimal | None, companies: int | None, largest: Decimal | None) -> int | None:
    """The public form of `value`: rounded when it may be shown (`may_show`), None otherwise."""
    return rounded(value) if may_show(value, companies, largest) else None
