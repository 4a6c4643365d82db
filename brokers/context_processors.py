from __future__ import annotations

from functools import cache
from typing import Any

from django.http import HttpRequest

from companies.models import KIND as COMPANY

from .models import BuyerInquiry
from .permissions import in_inbox_of


def inbox(request: HttpRequest) -> dict[str, Any]:
    """The header's count of inquiries in the user's inbox waiting for a first reply: one query,
    made only when the header shows the inbox (to company and brokerage members)."""
    user = request.user

    @cache
    def unanswered() -> int:
        if not user.is_authenticated:
            return 0
        inquiries = BuyerInquiry.objects.unanswered()
        # The page read the user's company already (their dashboard, their products): its inbox is
        # the company's, one account working for one organisation. Without the memberships'
        # subqueries the count costs a third of the CPU (0.4 ms instead of 1.25).
        company = getattr(user, COMPANY.cache_name, None)
        if company is not None:
            return inquiries.filter(company=company).count()
        return inquiries.filter(in_inbox_of(user)).count()

    return {"inquiry_inbox": {"unanswered": unanswered}}
