"""Status badges: one partial, one table of tones (portal/badges.py) that names every status."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.template import Context, Template
from django.utils import timezone, translation

from brokers.models import Offer
from portal.badges import ICONS, TONES
from portal.models import TargetCountry
from products.models import ProductCertification
from support.models import Application

STATUS_FIELD = {"portal.targetcountry": "buyer_status"}


def badge(obj, field: str = "") -> str:
    source = "{% load portal_tags %}{% status_badge obj " + (f'"{field}"' if field else "") + " %}"
    return Template(source).render(Context({"obj": obj})).strip()


@pytest.mark.parametrize("label", sorted(TONES))
def test_the_table_names_every_status_of_its_model(label):
    """A status added to a model without a tone would show as neutral: this fails first."""
    model = apps.get_model(label)
    values = {value for value, _ in model._meta.get_field(STATUS_FIELD.get(label, "status")).choices}
    if model is ProductCertification:
        values.add(ProductCertification.EXPIRED)
    assert set(TONES[label]) == values


def test_a_badge_carries_the_status_its_label_and_the_tone_of_its_model():
    with translation.override("en"):
        html = badge(Application(status="under_review"))
    assert html == '<span class="badge status-badge status-under_review tone-info">Under review</span>'
    # One value, two models, two tones: a closed offer is over, a closed application was paid out.
    assert "tone-neutral" in badge(Offer(status="closed"))
    assert "tone-success" in badge(Application(status="closed"))


def test_a_certificates_state_and_validity_come_from_the_same_table():
    today = timezone.localdate()
    expired = ProductCertification(status="verified", expiry_date=today - dt.timedelta(days=1))
    with translation.override("en"):
        state = badge(expired, "state")
        validity = badge(expired, "validity")
        pending = badge(ProductCertification(status="pending", expiry_date=today + dt.timedelta(days=400)))
    icon = ICONS["products.productcertification"]["expired"]
    assert state == (
        '<span class="badge status-badge status-expired tone-danger">'
        f'<i class="bi bi-{icon}" aria-hidden="true"></i> Expired</span>'
    )
    assert validity == '<span class="badge status-badge status-expired tone-danger">expired</span>'
    assert "tone-neutral" in pending
    assert "Awaiting verification" in pending
    soon = ProductCertification(status="verified", expiry_date=today + dt.timedelta(days=3))
    with translation.override("en"):
        assert badge(soon, "validity").endswith('tone-warning">expires soon</span>')


def test_a_countrys_buyer_status_is_a_badge_in_persian():
    with translation.override("fa"):
        html = badge(TargetCountry(buyer_status="confirmed"), "buyer_status")
    assert 'class="badge status-badge status-confirmed tone-success"' in html
    assert "Confirmed" not in html


def test_the_stylesheet_colours_every_tone_and_no_status_value():
    css = (Path(settings.BASE_DIR) / "portal/static/portal/portal.css").read_text(encoding="utf-8")
    tones = {tone for table in TONES.values() for tone in table.values()}
    for tone in tones:
        assert f".tone-{tone} {{" in css
    assert not re.search(r"\.(status|application)-(?!badge)[a-z_]+\s*[,{]", css)


def test_no_template_picks_a_badge_colour_itself():
    """The old way: `{% if x.status == "..." %}<span class="badge text-bg-...">` chains per template."""
    chain = re.compile(
        r"\{% (el)?if [\w.]*(status|state|expired|verified)\b[^%]*%\}\s*<span class=\"badge[^>]*>.*?"
        r"\{% (elif|else)[^%]*%\}\s*<span class=\"badge",
        re.DOTALL,
    )
    inline = re.compile(r"class=\"badge[^\"]*\{% if [\w.]*(status|state)")
    chains = [
        path.name
        for path in (Path(settings.BASE_DIR) / "templates").rglob("*.html")
        if chain.search(text := path.read_text(encoding="utf-8")) or inline.search(text)
    ]
    assert chains == []
