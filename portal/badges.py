"""Status badges: the tone (colour) and icon of every status value, in one table per model.

`{% status_badge obj %}` (portal_tags) renders includes/_status_badge.html with an object's status,
its label and the tone found here; the stylesheet colours tones (`.tone-success` ...), never values,
so one value may look different on two models: a closed offer is grey (over), a closed application
green (paid out). A value missing from its model's table shows as neutral;
tests/portal/test_status_badges.py fails when a model gains a status the table does not name.
"""

from __future__ import annotations

SUCCESS, WARNING, DANGER, NEUTRAL = "success", "warning", "danger", "neutral"
PRIMARY, INFO = "primary", "info"  # blue for "sent", cyan for "being worked on"

INVITATION_TONES = {"pending": PRIMARY, "accepted": SUCCESS, "declined": NEUTRAL, "withdrawn": NEUTRAL}

# model label -> status value -> tone
TONES: dict[str, dict[str, str]] = {
    "companies.company": {"pending": WARNING, "verified": SUCCESS, "suspended": DANGER},
    "brokers.broker": {"pending": WARNING, "approved": SUCCESS, "rejected": NEUTRAL, "suspended": DANGER},
    "brokers.offer": {"draft": WARNING, "open": SUCCESS, "closed": NEUTRAL},
    "brokers.offerresponse": {
        "submitted": PRIMARY, "shortlisted": WARNING, "accepted": SUCCESS, "declined": NEUTRAL,
    },
    "brokers.engagement": {
        "requested": PRIMARY, "accepted": INFO, "declined": NEUTRAL, "delivered": SUCCESS, "closed": NEUTRAL,
    },
    # A mandate's `current_status`: its stored status, or "expired" past its date.
    "brokers.mandate": {"active": SUCCESS, "revoked": NEUTRAL, "expired": DANGER},
    "brokers.licencerenewal": {
        "pending": WARNING, "approved": SUCCESS, "rejected": DANGER, "superseded": NEUTRAL,
    },  # fmt: skip
    "brokers.buyerinquiry": {
        "new": NEUTRAL, "routed": PRIMARY, "claimed": INFO, "answered": SUCCESS, "converted": SUCCESS,
        "closed": NEUTRAL, "spam": DANGER,
    },
    # A referral's and a co-brokering invitation's answer.
    "brokers.referral": INVITATION_TONES,
    "brokers.offerpartner": INVITATION_TONES,
    "deals.dealpartner": INVITATION_TONES,
    "products.product": {"draft": WARNING, "published": SUCCESS, "archived": NEUTRAL},
    # A certificate's `state` (its stored status, or "expired") as its company sees it ...
    "products.productcertification": {
        "verified": SUCCESS, "pending": NEUTRAL, "rejected": DANGER, "expired": DANGER,
    },
    "support.application": {
        "draft": NEUTRAL, "submitted": PRIMARY, "screening": PRIMARY, "under_review": INFO,
        "revision_requested": WARNING, "approved": SUCCESS, "rejected": DANGER, "paid": SUCCESS,
        "closed": SUCCESS, "withdrawn": NEUTRAL,
    },
    "deals.deal": {
        "negotiating": INFO, "contracted": PRIMARY, "shipped": WARNING, "paid": SUCCESS, "closed": SUCCESS,
        "lost": NEUTRAL,
    },
    "portal.targetcountry": {"confirmed": SUCCESS, "prospective": NEUTRAL},
}  # fmt: skip

# ... and its `validity` as a buyer sees it on the product page.
VALIDITY_TONES = {"valid": SUCCESS, "expires_soon": WARNING, "unverified": NEUTRAL, "expired": DANGER}

# model label -> status value -> Bootstrap Icons name, where the badge carries one
ICONS: dict[str, dict[str, str]] = {
    "products.productcertification": {
        "verified": "patch-check", "pending": "hourglass-split",
        "rejected": "x-octagon", "expired": "clock-history",
    },
}  # fmt: skip


def tone(model_label: str, value: str, field: str = "status") -> str:
    """The tone of `value` of `field` on the model `model_label` (`app_label.modelname`)."""
    table = VALIDITY_TONES if field == "validity" else TONES.get(model_label, {})
    return table.get(value, NEUTRAL)


def icon(model_label: str, value: str, field: str = "status") -> str:
    return "" if field == "validity" else ICONS.get(model_label, {}).get(value, "")
