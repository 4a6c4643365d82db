from __future__ import annotations

from functools import cache
from typing import Any

from django.http import HttpRequest

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
        return BuyerInquiry.objects.unanswered().filter(in_inbox_of(user)).count()

    return {"inquiry_inbox": {"unanswered": unanswered}}
