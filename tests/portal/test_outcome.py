"""portal.http.outcome.redirect_after: a one-click step's outcome, said as messages, then back."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory

from portal.http.outcome import redirect_after


@pytest.fixture
def request_():
    request = RequestFactory().post("/en/somewhere/")
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def told(request) -> list[tuple[str, str]]:
    return [(message.level_tag, message.message) for message in get_messages(request)]


def test_a_step_done_says_so_and_goes_to_its_page(request_):
    calls = []
    response = redirect_after(request_, lambda: calls.append(1), done="The offer is open.", to="/en/offer/")
    assert calls == [1]
    assert response.status_code == 302
    assert response.url == "/en/offer/"
    assert told(request_) == [("success", "The offer is open.")]


def test_a_refused_step_says_each_reason_and_goes_where_refusals_go(request_):
    def refuse():
        raise ValidationError({"broker": "Not that one.", "share_percent": "Too much."})

    response = redirect_after(
        request_, refuse, done="Sent.", to="/en/offers/7/", refused_to="/en/deals/co-brokering/"
    )
    assert response.url == "/en/deals/co-brokering/"
    assert told(request_) == [("error", "Not that one."), ("error", "Too much.")]


def test_a_refused_step_goes_to_the_same_page_when_no_other_is_named(request_):
    def refuse():
        raise ValidationError("This offer is closed.")

    assert redirect_after(request_, refuse, done="Sent.", to="/en/offers/7/").url == "/en/offers/7/"
    assert told(request_) == [("error", "This offer is closed.")]


def test_a_permission_refusal_is_not_swallowed(request_):
    def forbidden():
        raise PermissionDenied("Not yours.")

    with pytest.raises(PermissionDenied):
        redirect_after(request_, forbidden, done="Sent.", to="/en/offers/7/")
    assert told(request_) == []
