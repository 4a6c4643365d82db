"""Buyer inquiries as a shared inbox: the reference and the buyer's e-mails, claim and release, replies,
conversion and closing, who sees what (pages and API), the header's count and the list's cost."""

from __future__ import annotations

from datetime import timedelta
from importlib import import_module

import pytest
from django.apps import apps
from django.contrib.messages import get_messages
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from brokers import services
from brokers.models import BuyerInquiry, InquiryReply
from brokers.permissions import inquiry_inbox_actions
from brokers.tasks import inquiry_acknowledge, inquiry_emails_sweep, inquiry_reply_send
from portal.permissions import Role
from tests.brokers.factories import BrokerFactory, BrokerMembershipFactory
from tests.portal.factories import TargetCountryFactory, UserFactory
from tests.products.factories import ProductFactory

pytestmark = pytest.mark.django_db

Status = BuyerInquiry.Status
Reason = BuyerInquiry.CloseReason


def submit(client, *, language: str = "en", query: str = "", **overrides: object) -> BuyerInquiry:
    data = {
        "name": "Ali Hassan",
        "organisation": "Basra Medical",
        "country": TargetCountryFactory(iso_code="IQ").pk,
        "email": "ali@buyer.example",
        "message": "Please quote 10,000 masks.",
        **overrides,
    }
    response = client.post(f"/{language}/inquiries/new/{query}", data)
    assert response.status_code == 302, response.content.decode()[:500]
    return BuyerInquiry.objects.latest("pk")


def routed(**fields: object) -> BuyerInquiry:
    """An inquiry from Iraq, in the inbox of the brokerages covering Iraq."""
    inquiry = services.inquiry_submit(
        source_ip=None,
        language=fields.pop("language", "en"),
        name="Ali Hassan",
        organisation=fields.pop("organisation", "Basra Medical"),
        country=TargetCountryFactory(iso_code="IQ"),
        email="ali@buyer.example",
        message="Please quote 10,000 masks.",
        **fields,
    )
    services.inquiry_route(inquiry=inquiry)
    inquiry.refresh_from_db()
    return inquiry


@pytest.fixture
def far_broker_member(db):
    """Works for a brokerage covering Oman only: Iraqi inquiries are not in its inbox."""
    user = UserFactory(email="far@oman.example", full_name="Far Away")
    BrokerMembershipFactory(broker=BrokerFactory(countries=[TargetCountryFactory(iso_code="OM")]), user=user)
    return user


def messages_of(response) -> list[str]:
    return [message.message for message in get_messages(response.wsgi_request)]


# --- the reference and the buyer's acknowledgement ---------------------------------------------------
def test_the_buyer_gets_a_reference_on_the_thanks_page_and_by_e_mail_in_the_pages_language(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        inquiry = submit(client, language="fa")
    assert inquiry.reference == f"INQ-1405-{inquiry.pk:06d}"  # the Jalali year of 2026-11-30
    assert inquiry.language == "fa"
    thanks = client.get(f"/fa/inquiries/thanks/?ref={inquiry.reference}")
    assert inquiry.reference in thanks.content.decode()
    [acknowledgement] = [m for m in mail.outbox if m.to == ["ali@buyer.example"]]
    assert inquiry.reference in acknowledgement.subject
    assert "استعلام" in acknowledgement.subject  # Persian, as the page the buyer wrote from
    assert "Please quote 10,000 masks." in acknowledgement.body
    assert acknowledgement.extra_headers["Message-ID"].startswith(f"<{inquiry.reference}@")
    assert inquiry_acknowledge(inquiry.pk) is False  # once
    assert len([m for m in mail.outbox if m.to == ["ali@buyer.example"]]) == 1


def test_the_thanks_page_shows_only_a_reference_shaped_value(client):
    page = client.get("/en/inquiries/thanks/?ref=<script>alert(1)</script>").content.decode()
    assert 'data-testid="reference"' not in page


def test_an_english_buyer_gets_the_acknowledgement_in_english(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        inquiry = submit(client, language="en")
    [acknowledgement] = [m for m in mail.outbox if m.to == ["ali@buyer.example"]]
    assert (
        acknowledgement.subject == f"Your inquiry {inquiry.reference} has reached the Export Support Portal"
    )


def test_references_are_backfilled_for_inquiries_received_before(db):
    inquiry = routed()
    BuyerInquiry.objects.filter(pk=inquiry.pk).update(reference=None, acknowledged_at=None)
    import_module("brokers.migrations.0008_inquiry_inbox").backfill(apps, None)
    inquiry.refresh_from_db()
    assert inquiry.reference == f"INQ-1405-{inquiry.pk:06d}"
    assert inquiry.acknowledged_at == inquiry.created_at  # no acknowledgement weeks late
    assert inquiry_acknowledge(inquiry.pk) is False


def test_a_lost_acknowledgement_is_sent_by_the_sweep(db):
    inquiry = routed()  # submitted outside a committed transaction: its e-mail never left
    BuyerInquiry.objects.filter(pk=inquiry.pk).update(created_at=inquiry.created_at - timedelta(minutes=10))
    assert inquiry_emails_sweep() == 1
    assert [m.to for m in mail.outbox] == [["ali@buyer.example"]]
    assert inquiry_emails_sweep() == 0


# --- claim and release -------------------------------------------------------------------------------
def test_one_broker_claims_and_the_other_covering_brokers_see_who(
    client_for, broker_member, other_broker_member
):
    inquiry = routed()
    response = client_for(broker_member).post(f"/en/inbox/{inquiry.pk}/claim/")
    assert response.status_code == 302
    inquiry.refresh_from_db()
    assert (inquiry.status, inquiry.holder) == (Status.CLAIMED, broker_member)
    rival = client_for(other_broker_member)
    listing = rival.get("/en/inbox/").content.decode()
    assert "claimed by Reza Moradi (Pars Export Brokers)" in listing
    assert f"/inbox/{inquiry.pk}/claim/" not in listing
    response = rival.post(f"/en/inbox/{inquiry.pk}/claim/")
    assert messages_of(response) == ["Reza Moradi (Pars Export Brokers) has already claimed this inquiry."]
    inquiry.refresh_from_db()
    assert inquiry.holder == broker_member


def test_a_released_inquiry_may_be_claimed_by_another(client_for, broker_member, other_broker_member):
    inquiry = routed()
    services.inquiry_claim(inquiry=inquiry, by=broker_member)
    assert inquiry_inbox_actions(broker_member, BuyerInquiry.objects.get(pk=inquiry.pk)) == [
        "release", "reply", "convert", "close",
    ]  # fmt: skip
    client_for(broker_member).post(f"/en/inbox/{inquiry.pk}/release/")
    inquiry.refresh_from_db()
    assert (inquiry.status, inquiry.holder) == (Status.ROUTED, None)
    services.inquiry_claim(inquiry=inquiry, by=other_broker_member)
    inquiry.refresh_from_db()
    assert inquiry.holder == other_broker_member


def test_claiming_twice_is_harmless_and_a_closed_inquiry_cannot_be_claimed(
    client_for, broker_member, other_broker_member
):
    inquiry = routed()
    services.inquiry_claim(inquiry=inquiry, by=broker_member)
    services.inquiry_claim(inquiry=inquiry, by=broker_member)  # a double click
    services.inquiry_close(inquiry=inquiry, by=broker_member, reason=Reason.DUPLICATE)
    response = client_for(other_broker_member).post(f"/fa/inbox/{inquiry.pk}/claim/")
    assert messages_of(response) == ["این استعلام «بسته» است: دیگر نمی‌توان آن را برداشت."]
    inquiry.refresh_from_db()
    assert (inquiry.status, inquiry.holder) == (Status.CLOSED, broker_member)


# --- replies -----------------------------------------------------------------------------------------
def test_the_holder_replies_and_the_buyer_gets_it_in_their_language_on_the_thread(
    client_for, broker_member, django_capture_on_commit_callbacks
):
    inquiry = routed(language="fa")
    services.inquiry_claim(inquiry=inquiry, by=broker_member)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(broker_member).post(
            f"/en/inbox/{inquiry.pk}/reply/", {"body": "We can ship 10,000 masks in May."}
        )
    assert response.status_code == 302
    inquiry.refresh_from_db()
    assert inquiry.status == Status.ANSWERED
    assert inquiry.answered_at is not None
    [reply] = inquiry.replies.all()
    assert reply.emailed_at is not None
    [email] = mail.outbox
    assert email.to == ["ali@buyer.example"]
    assert email.reply_to == ["reza@broker.example"]  # the buyer's answer reaches the one who replied
    assert inquiry.reference in email.subject
    assert "پاسخ" in email.subject  # the buyer wrote from the Persian page
    assert "We can ship 10,000 masks in May." in email.body
    assert "کارگزاری پارس" in email.body  # the brokerage's name in the buyer's language
    assert email.extra_headers["In-Reply-To"].startswith(f"<{inquiry.reference}@")
    assert inquiry_reply_send(reply.pk) is False  # once
    # A second reply joins the thread, shown oldest first.
    services.inquiry_reply(inquiry=inquiry, by=broker_member, body="The price is 0.12 USD each.")
    page = client_for(broker_member).get(f"/en/inbox/{inquiry.pk}/").content.decode()
    assert page.index("We can ship 10,000 masks") < page.index("The price is 0.12 USD each.")


def test_an_empty_reply_is_refused_in_the_users_language(client_for, broker_member):
    inquiry = routed()
    services.inquiry_claim(inquiry=inquiry, by=broker_member)
    response = client_for(broker_member).post(f"/fa/inbox/{inquiry.pk}/reply/", {"body": "   "})
    assert response.status_code == 400
    assert "پاسخ خود را به خریدار بنویسید." in response.content.decode()
    assert not InquiryReply.objects.exists()
    assert mail.outbox == [] or all(m.to != ["ali@buyer.example"] for m in mail.outbox)


def test_a_reply_to_an_inquiry_someone_else_holds_is_refused_and_kept(
    client_for, broker_member, other_broker_member
):
    inquiry = routed()
    services.inquiry_claim(inquiry=inquiry, by=broker_member)
    typed = "We have masks too, cheaper."
    response = client_for(other_broker_member).post(f"/en/inbox/{inquiry.pk}/reply/", {"body": typed})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Reza Moradi (Pars Export Brokers) holds this inquiry: only they can act on it now." in page
    assert typed in page  # nothing the user typed is lost
    assert not InquiryReply.objects.exists()
    with pytest.raises(ValidationError):
        services.inquiry_reply(inquiry=inquiry, by=other_broker_member, body=typed)


def test_nobody_replies_before_claiming(broker_member):
    inquiry = routed()
    with pytest.raises(ValidationError, match="نخست این استعلام را بردارید"):  # Persian first
        services.inquiry_reply(inquiry=inquiry, by=broker_member, body="Hello")


# --- converted and closed ----------------------------------------------------------------------------
def test_the_holder_marks_the_inquiry_converted(client_for, broker_member):
    inquiry = routed()
    services.inquiry_claim(inquiry=inquiry, by=broker_member)
    services.inquiry_reply(inquiry=inquiry, by=broker_member, body="Offer attached.")
    client_for(broker_member).post(f"/en/inbox/{inquiry.pk}/convert/")
    inquiry.refresh_from_db()
    assert inquiry.status == Status.CONVERTED
    assert inquiry_inbox_actions(broker_member, inquiry) == []


@pytest.mark.parametrize("reason", Reason.values)
def test_an_inquiry_is_closed_with_a_reason_from_the_list(client_for, broker_member, reason):
    inquiry = routed()
    response = client_for(broker_member).post(
        f"/en/inbox/{inquiry.pk}/close/", {"reason": reason, "note": "Asked twice."}
    )
    assert response.status_code == 302
    inquiry.refresh_from_db()
    assert (inquiry.status, inquiry.close_reason, inquiry.close_note) == (
        Status.CLOSED,
        reason,
        "Asked twice.",
    )
    assert inquiry.holder == broker_member  # who closed it stays recorded


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"reason": "", "note": "x"}, "reason", "یک دلیل را از فهرست انتخاب کنید."),
        ({"reason": "bribe", "note": "x"}, "reason", None),
        ({"reason": "other", "note": ""}, "note", "در چند کلمه بگویید چرا استعلام بسته می‌شود."),
    ],
)
def test_closing_without_a_usable_reason_keeps_what_was_typed(
    client_for, broker_member, data, field, message
):
    inquiry = routed()
    response = client_for(broker_member).post(f"/fa/inbox/{inquiry.pk}/close/", data)
    assert response.status_code == 400
    assert field in response.context["close_form"].errors
    if message:
        assert message in response.content.decode()
    inquiry.refresh_from_db()
    assert inquiry.status == Status.ROUTED


def test_only_the_holder_closes_a_claimed_inquiry(broker_member, other_broker_member):
    inquiry = routed()
    services.inquiry_claim(inquiry=inquiry, by=broker_member)
    with pytest.raises(ValidationError):
        services.inquiry_close(inquiry=inquiry, by=other_broker_member, reason=Reason.SPAM)
    with pytest.raises(ValidationError):
        services.inquiry_convert(inquiry=inquiry, by=other_broker_member)
    with pytest.raises(ValidationError):
        services.inquiry_release(inquiry=inquiry, by=other_broker_member)


def test_staff_mark_spam_in_the_admin_through_the_service(client_for, manager, broker_member):
    inquiry = routed()
    services.inquiry_claim(inquiry=inquiry, by=broker_member)
    client_for(manager).post(
        "/admin/brokers/buyerinquiry/",
        {"action": "mark_spam", "_selected_action": [inquiry.pk], "index": "0"},
    )
    inquiry.refresh_from_db()
    assert (inquiry.status, inquiry.holder) == (Status.SPAM, broker_member)
    assert inquiry_inbox_actions(broker_member, inquiry) == []
    change = client_for(manager).get(f"/admin/brokers/buyerinquiry/{inquiry.pk}/change/").content.decode()
    assert inquiry.reference in change
    assert "Reza Moradi" in change


def test_the_admin_shows_the_replies(client_for, manager, broker_member):
    inquiry = routed()
    services.inquiry_claim(inquiry=inquiry, by=broker_member)
    services.inquiry_reply(inquiry=inquiry, by=broker_member, body="Our catalogue is attached.")
    page = client_for(manager).get(f"/admin/brokers/buyerinquiry/{inquiry.pk}/change/").content.decode()
    assert "Our catalogue is attached." in page
    assert 'name="status"' not in page


# --- who sees what -----------------------------------------------------------------------------------
def test_another_broker_cannot_read_claim_or_reply_by_page(client_for, broker_member, far_broker_member):
    inquiry = routed()
    client = client_for(far_broker_member)
    assert inquiry.reference not in client.get("/en/inbox/").content.decode()
    assert client.get(f"/en/inbox/{inquiry.pk}/").status_code == 404
    for action, data in [("claim", {}), ("release", {}), ("reply", {"body": "Hi"}), ("convert", {}),
                         ("close", {"reason": "spam"})]:  # fmt: skip
        assert client.post(f"/en/inbox/{inquiry.pk}/{action}/", data).status_code == 404
    inquiry.refresh_from_db()
    assert (inquiry.status, inquiry.holder) == (Status.ROUTED, None)
    with pytest.raises(PermissionDenied):
        services.inquiry_claim(inquiry=inquiry, by=far_broker_member)


def test_another_broker_cannot_read_claim_or_reply_by_api(client_for, far_broker_member):
    inquiry = routed()
    client = client_for(far_broker_member)
    assert client.get("/api/v1/inquiries/").json()["results"] == []
    assert client.get(f"/api/v1/inquiries/{inquiry.pk}/").status_code == 404
    assert client.post(f"/api/v1/inquiries/{inquiry.pk}/claim/").status_code == 404
    assert client.post(f"/api/v1/inquiries/{inquiry.pk}/reply/", {"body": "Hi"}).status_code == 404
    inquiry.refresh_from_db()
    assert inquiry.status == Status.ROUTED


def test_the_api_claims_and_replies_like_the_pages(client_for, broker_member, other_broker_member):
    inquiry = routed()
    client = client_for(broker_member)
    listed = client.get("/api/v1/inquiries/?status=new").json()["results"]
    assert [(row["reference"], row["email"], row["allowed_actions"]) for row in listed] == [
        (inquiry.reference, None, ["claim", "close"])
    ]
    claimed = client.post(f"/api/v1/inquiries/{inquiry.pk}/claim/").json()
    assert (claimed["status"], claimed["email"]) == ("claimed", "ali@buyer.example")
    empty = client.post(f"/api/v1/inquiries/{inquiry.pk}/reply/", {"body": ""})
    assert empty.status_code == 400
    sent = client.post(f"/api/v1/inquiries/{inquiry.pk}/reply/", {"body": "Price list attached."})
    assert sent.status_code == 201
    assert [reply["body"] for reply in sent.json()["replies"]] == ["Price list attached."]
    rival = client_for(other_broker_member)
    seen = rival.get(f"/api/v1/inquiries/{inquiry.pk}/").json()
    assert (seen["email"], seen["holder"]) == (None, "Reza Moradi (کارگزاری پارس)")  # Persian first
    refused = rival.post(f"/api/v1/inquiries/{inquiry.pk}/reply/", {"body": "Me too"})
    assert refused.status_code == 400
    assert InquiryReply.objects.count() == 1


def test_the_buyers_address_is_shown_only_to_whoever_may_reply(
    client_for, broker_member, other_broker_member
):
    inquiry = routed()
    assert (
        "ali@buyer.example" not in client_for(broker_member).get(f"/en/inbox/{inquiry.pk}/").content.decode()
    )
    services.inquiry_claim(inquiry=inquiry, by=broker_member)
    assert "ali@buyer.example" in client_for(broker_member).get(f"/en/inbox/{inquiry.pk}/").content.decode()
    rival_page = client_for(other_broker_member).get(f"/en/inbox/{inquiry.pk}/").content.decode()
    assert "ali@buyer.example" not in rival_page
    # Nor is it in the notification every covering broker received.
    assert all("ali@buyer.example" not in m.body for m in mail.outbox if m.to != ["ali@buyer.example"])


def test_the_company_sees_inquiries_about_its_products_and_another_company_does_not(
    client_for, company, company_member, other_company_member
):
    inquiry = routed(product=ProductFactory(company=company))
    assert inquiry.reference in client_for(company_member).get("/en/inbox/").content.decode()
    services.inquiry_claim(inquiry=inquiry, by=company_member)
    assert client_for(other_company_member).get(f"/en/inbox/{inquiry.pk}/").status_code == 404
    assert inquiry.reference not in client_for(other_company_member).get("/en/inbox/").content.decode()


def test_an_unapproved_brokerage_has_no_inbox(client_for):
    user = UserFactory(roles=[Role.BROKER_MEMBER])
    BrokerMembershipFactory(broker=BrokerFactory(pending=True), user=user)  # covers Iraq
    inquiry = routed()
    client = client_for(user)
    assert client.get(f"/en/inbox/{inquiry.pk}/").status_code == 404
    page = client.get("/en/inbox/").content.decode()
    assert inquiry.reference not in page
    assert "Your inbox opens once you work for one." in page
    assert 'data-testid="inbox-unanswered"' not in page


def test_an_inquiry_not_yet_routed_is_in_no_inbox(client_for, broker_member):
    inquiry = services.inquiry_submit(
        source_ip=None, language="en", name="A", organisation="B",
        country=TargetCountryFactory(iso_code="IQ"), email="a@b.example", message="Hello",
    )  # fmt: skip
    assert client_for(broker_member).get(f"/en/inbox/{inquiry.pk}/").status_code == 404


# --- the inbox page ----------------------------------------------------------------------------------
def test_the_header_counts_unanswered_inquiries(client_for, broker_member):
    _unclaimed, second, third = routed(), routed(), routed()
    services.inquiry_claim(inquiry=second, by=broker_member)
    services.inquiry_claim(inquiry=third, by=broker_member)
    services.inquiry_reply(inquiry=third, by=broker_member, body="Answered.")
    page = client_for(broker_member).get("/en/brokers/mine/").content.decode()
    assert 'data-testid="inbox-unanswered"' in page
    assert '<span class="visually-hidden">(</span>2<span class="visually-hidden"> unanswered)</span>' in page


@pytest.mark.parametrize("path", ["/en/companies/mine/", "/en/products/"])
def test_the_header_counts_a_companys_unanswered_inquiries(
    client_for, company, company_member, other_company_member, path
):
    """The same count on a page that read the member's company first (the dashboard) and on one
    that did not: the company's inquiries only, answered ones not."""
    waiting, answered = (
        routed(product=ProductFactory(company=company)),
        routed(product=ProductFactory(company=company)),
    )
    routed(product=ProductFactory(company=other_company_member.company_membership.company))
    services.inquiry_claim(inquiry=answered, by=company_member)
    services.inquiry_reply(inquiry=answered, by=company_member, body="Answered.")
    services.inquiry_claim(inquiry=waiting, by=company_member)
    page = client_for(company_member).get(path).content.decode()
    assert '<span class="visually-hidden">(</span>1<span class="visually-hidden"> unanswered)</span>' in page


@pytest.mark.parametrize(
    ("tab", "expected"),
    [("new", {"routed"}), ("claimed", {"claimed"}), ("answered", {"answered"}), ("converted", set()),
     ("closed", {"closed"})],
)  # fmt: skip
def test_the_inbox_tabs_list_each_status(client_for, broker_member, tab, expected):
    organisations = {"routed": "Routed Ltd", "claimed": "Claimed Ltd", "answered": "Answered Ltd",
                     "closed": "Closed Ltd"}  # fmt: skip
    made = {status: routed(organisation=name) for status, name in organisations.items()}
    services.inquiry_claim(inquiry=made["claimed"], by=broker_member)
    services.inquiry_claim(inquiry=made["answered"], by=broker_member)
    services.inquiry_reply(inquiry=made["answered"], by=broker_member, body="Yes.")
    services.inquiry_close(inquiry=made["closed"], by=broker_member, reason=Reason.SPAM)
    page = client_for(broker_member).get(f"/en/inbox/?status={tab}").content.decode()
    listed = {status for status, name in organisations.items() if name in page}
    assert listed == expected


def test_the_inbox_filters_by_held_by_me_and_by_reference(client_for, broker_member, other_broker_member):
    mine, theirs, free = routed(organisation="Mine Ltd"), routed(organisation="Theirs Ltd"), routed()
    services.inquiry_claim(inquiry=mine, by=broker_member)
    services.inquiry_claim(inquiry=theirs, by=other_broker_member)
    client = client_for(broker_member)
    page = client.get("/en/inbox/?mine=on").content.decode()
    assert "Mine Ltd" in page
    assert "Theirs Ltd" not in page
    page = client.get(f"/en/inbox/?q={free.reference}").content.decode()
    assert free.reference in page
    assert mine.reference not in page
    assert client.get("/en/inbox/?status=nonsense&page=abc").status_code == 200


def test_the_inbox_costs_the_same_for_five_or_twenty_inquiries(
    client_for, broker_member, other_broker_member, django_assert_max_num_queries
):
    def make(n: int) -> None:
        for index in range(n):
            inquiry = routed(product=ProductFactory())
            if index % 2:
                services.inquiry_claim(inquiry=inquiry, by=other_broker_member)

    client = client_for(broker_member)
    make(5)
    client.get("/en/inbox/")
    with django_assert_max_num_queries(14) as few:
        assert client.get("/en/inbox/").status_code == 200
    make(15)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/en/inbox/")
    assert len(response.context["page_obj"]) == 20
    with django_assert_max_num_queries(len(few.captured_queries)):
        api = client.get("/api/v1/inquiries/")
    assert api.status_code == 200


def test_the_inbox_page_is_persian_first_and_right_to_left(client_for, broker_member):
    routed()
    page = client_for(broker_member).get("/fa/inbox/").content.decode()
    assert 'dir="rtl"' in page
    assert "صندوق استعلام‌ها" in page
    assert 'name="viewport"' in page
