"""A brokerage renews its licence without losing its publishing: its members send the renewed
licence (scan and new end) from the licence page, the current licence counts while the centre
checks it, and a programme manager approves it in the admin (the new licence replaces the old one,
an "expired" pause ends at once, the warnings start afresh) or refuses it with a reason the members
read in their language. Brokerages registered before the expiry date was asked record it there."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from brokers import services
from brokers.models import Broker, LicenceRenewal
from brokers.tasks import brokers_licence_check
from portal.models import Notification
from tests.brokers.factories import (
    BrokerFactory,
    BrokerMembershipFactory,
    BrokerServiceFactory,
    EngagementFactory,
    LicenceRenewalFactory,
    OfferFactory,
    OfferResponseFactory,
)
from tests.companies.factories import PDF_BYTES
from tests.portal.factories import UserFactory

pytestmark = pytest.mark.django_db

TEHRAN = ZoneInfo("Asia/Tehran")
EXPIRY = dt.date(2027, 1, 30)
RENEWED = dt.date(2028, 1, 30)  # 1406/11/10
PAGE = "/brokers/mine/licence/"


def day(date: dt.date) -> dt.datetime:
    return dt.datetime.combine(date, dt.time(8, 10), tzinfo=TEHRAN)


@pytest.fixture
def licensed(brokerage, broker_member):
    brokerage.licence_expires_on = EXPIRY
    brokerage.save()
    return brokerage


@pytest.fixture
def persian_member(licensed):
    """Nasrin works for the same brokerage and reads Persian."""
    user = UserFactory(email="nasrin@broker.example", full_name="نسرین")
    BrokerMembershipFactory(broker=licensed, user=user, role="member")
    return user


def new_licence(name: str = "licence-2028.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def kinds(user) -> list[str]:  # noqa: ANN001
    return list(Notification.objects.filter(recipient=user).order_by("pk").values_list("kind", flat=True))


def approve_in_admin(client, renewal: LicenceRenewal):  # noqa: ANN001
    return client.post(
        "/admin/brokers/licencerenewal/",
        {"action": "approve", "_selected_action": [renewal.pk], "index": "0", "note": ""},
    )


# --- early renewal -------------------------------------------------------------------------------
def test_an_early_renewal_keeps_the_brokerage_publishing_until_the_centre_approves_it(
    client, client_for, licensed, broker_member, manager
):
    offer = OfferFactory(broker=licensed, title_en="Basra needs masks", deadline=dt.date(2027, 6, 1))
    old_file = licensed.licence_file.name
    with time_machine.travel(day(dt.date(2027, 1, 10)), tick=False):
        member = client_for(broker_member)
        page = member.get(f"/fa{PAGE}")
        assert page.status_code == 200
        assert "۳۰ دی ۱۴۰۶" not in page.content.decode()  # nothing waiting yet
        # Persian digits and a Jalali date, as in every date field of the forms.
        response = member.post(f"/fa{PAGE}", {"licence_file": new_licence(), "expires_on": "۱۴۰۶/۱۱/۱۰"})
        assert response.status_code == 302
        licensed.refresh_from_db()
        # Not an identity change: still approved, the current licence still counts.
        assert licensed.status == Broker.Status.APPROVED
        assert (licensed.licence_expires_on, licensed.licence_file.name) == (EXPIRY, old_file)
        assert "Basra needs masks" in client.get("/en/offers/").content.decode()
        renewal = LicenceRenewal.objects.get()
        assert (renewal.status, renewal.expires_on, renewal.submitted_by) == (
            "pending",
            RENEWED,
            broker_member,
        )
        asked = Notification.objects.get(recipient=manager)
        assert asked.kind == "broker_licence_renewal_submitted"
        # To the list of renewals waiting, where the approve and refuse actions are.
        assert asked.url == "/admin/brokers/licencerenewal/?status__exact=pending"
        text = member.get(f"/en{PAGE}").content.decode()
        assert 'data-testid="renewal-pending"' in text
        assert "Jan. 30, 2028" in text

        # The manager checks it in the admin (in Persian, with Jalali dates) and approves it.
        admin = client_for(manager)
        listing = admin.get("/admin/brokers/licencerenewal/").content.decode()
        assert "۱۰ بهمن ۱۴۰۶" in listing  # the new date
        assert "۱۰ بهمن ۱۴۰۵" in listing  # the current one, beside it
        assert approve_in_admin(admin, renewal).status_code == 302
        licensed.refresh_from_db()
        renewal.refresh_from_db()
        assert (renewal.status, renewal.decided_by) == ("approved", manager)
        assert licensed.licence_expires_on == RENEWED
        assert licensed.licence_file.name == renewal.licence_file.name != old_file
        assert licensed.status == Broker.Status.APPROVED
        assert kinds(broker_member)[-1] == "broker_licence_renewal_approved"
        # The brokerage's history records the swap.
        assert licensed.history.first().licence_expires_on == RENEWED
        # Approving it again changes nothing and says so.
        again = admin.post(
            "/admin/brokers/licencerenewal/",
            {"action": "approve", "_selected_action": [renewal.pk], "index": "0"},
            follow=True,
        )
        assert "پیش‌تر تصمیم گرفته شده است" in again.content.decode()  # "it has already been decided"
    assert offer.pk in licensed.offers.public().values_list("pk", flat=True)


def test_approval_ends_an_expired_pause_at_once_and_the_warnings_start_afresh(
    client, client_for, licensed, broker_member, company_member, manager
):
    offer = OfferFactory(broker=licensed, title_en="Basra needs masks", deadline=dt.date(2027, 6, 1))
    service = BrokerServiceFactory(broker=licensed)
    with time_machine.travel(day(EXPIRY + dt.timedelta(days=3)), tick=False):
        assert brokers_licence_check() == 1
        assert "Basra needs masks" not in client.get("/en/offers/").content.decode()
        member = client_for(broker_member)
        assert member.get("/en/offers/new/").status_code == 403
        member.post(f"/en{PAGE}", {"licence_file": new_licence(), "expires_on": RENEWED.isoformat()})
        assert member.get("/en/offers/new/").status_code == 403  # waiting for the centre
        services.licence_renewal_approve(renewal=LicenceRenewal.objects.get(), by=manager)
        # At once: the board, the offer, the services, bookings and publishing.
        assert "Basra needs masks" in client.get("/en/offers/").content.decode()
        assert client.get(f"/en/offers/{offer.pk}/").status_code == 200
        assert client_for(company_member).get(f"/en/services/{service.pk}/book/").status_code == 200
        assert member.get("/en/offers/new/").status_code == 200
        assert licensed in Broker.objects.publishing()  # buyer inquiries are routed to it again
        assert 'data-testid="licence-expired"' not in member.get("/en/brokers/mine/").content.decode()
    with time_machine.travel(day(RENEWED - dt.timedelta(days=30)), tick=False):
        assert brokers_licence_check() == 1  # a new date: its warnings are told again
    assert kinds(broker_member) == [
        "broker_licence_expired", "broker_licence_renewal_approved", "broker_licence_expiring",
    ]  # fmt: skip


def test_a_refused_renewal_tells_each_member_why_in_their_language_and_the_licence_stands(
    client_for, licensed, broker_member, persian_member, manager
):
    renewal = LicenceRenewalFactory(broker=licensed, expires_on=RENEWED)
    admin = client_for(manager)
    # Without the reason nothing is refused: the members are told why.
    admin.post(
        "/admin/brokers/licencerenewal/",
        {"action": "reject", "_selected_action": [renewal.pk], "index": "0", "note": ""},
    )
    renewal.refresh_from_db()
    assert renewal.status == "pending"
    admin.post(
        "/admin/brokers/licencerenewal/",
        {"action": "reject", "_selected_action": [renewal.pk], "index": "0", "note": "اسکن خوانا نیست"},
    )
    renewal.refresh_from_db()
    licensed.refresh_from_db()
    assert (renewal.status, renewal.note, renewal.decided_by) == ("rejected", "اسکن خوانا نیست", manager)
    assert licensed.licence_expires_on == EXPIRY
    english = Notification.objects.get(recipient=broker_member, kind="broker_licence_renewal_rejected")
    persian = Notification.objects.get(recipient=persian_member, kind="broker_licence_renewal_rejected")
    assert english.title == "The renewed licence of Pars Export Brokers was not approved"
    assert "اسکن خوانا نیست" in english.body
    assert "کارگزاری پارس" in persian.title
    assert "تأیید نشد" in persian.title
    assert english.url.endswith(PAGE)
    # The licence page keeps the history, with the reason, and the form to send it again.
    page = client_for(broker_member).get(f"/en{PAGE}").content.decode()
    assert "اسکن خوانا نیست" in page
    assert "Refused" in page
    assert 'name="expires_on"' in page


@pytest.mark.parametrize(
    ("data", "field", "error"),
    [
        (
            {"expires_on": "2020-01-01"},
            "expires_on",
            "This date has passed: enter the end of a valid licence.",
        ),
        ({"expires_on": "2027-01-30"}, "expires_on", "The renewed licence must end after the current one"),
        ({"expires_on": "1406/13/40"}, "expires_on", "Enter a valid date."),
        ({"expires_on": "2028-01-30", "licence_file": None}, "licence_file", "This field is required."),
    ],
)
def test_a_wrong_renewal_is_a_field_error_and_keeps_what_was_typed(
    client_for, licensed, broker_member, data, field, error
):
    data = {"licence_file": new_licence(), **data}
    if data["licence_file"] is None:
        del data["licence_file"]
    with time_machine.travel(day(dt.date(2026, 12, 20)), tick=False):
        response = client_for(broker_member).post(f"/en{PAGE}", data)
    assert response.status_code == 400
    assert response.context["form"].errors[field][0].startswith(error)
    assert f'value="{data["expires_on"]}"' in response.content.decode()
    assert not LicenceRenewal.objects.exists()


def test_a_renewal_sent_again_supersedes_the_one_waiting_which_can_no_longer_be_approved(
    client_for, licensed, broker_member, manager
):
    member = client_for(broker_member)
    member.post(f"/en{PAGE}", {"licence_file": new_licence("wrong.pdf"), "expires_on": "2027-12-30"})
    first = LicenceRenewal.objects.get()
    member.post(f"/en{PAGE}", {"licence_file": new_licence(), "expires_on": RENEWED.isoformat()})
    first.refresh_from_db()
    second = LicenceRenewal.objects.exclude(pk=first.pk).get()
    assert (second.status, second.expires_on) == ("pending", RENEWED)
    # The first keeps its scan and date in the history, set aside, not overwritten.
    assert (first.status, first.expires_on) == ("superseded", dt.date(2027, 12, 30))
    assert first.licence_file.name != second.licence_file.name
    assert first.licence_file.storage.exists(first.licence_file.name)
    page = member.get(f"/en{PAGE}").content.decode()
    assert 'status-superseded tone-neutral">Replaced by a later submission</span>' in page
    # A manager who opened the list before the resend cannot approve what they saw.
    with translation.override("en"), pytest.raises(ValidationError, match="already been decided"):
        services.licence_renewal_approve(renewal=first, by=manager)
    licensed.refresh_from_db()
    assert licensed.licence_expires_on == EXPIRY
    response = client_for(manager).post(
        "/admin/brokers/licencerenewal/",
        {"action": "approve", "_selected_action": [first.pk], "index": "0"},
        follow=True,
    )
    # The admin is in Persian: "left as it was … already decided: replaced by a later submission".
    assert "دست‌نخورده ماند" in response.content.decode()
    assert "پیش‌تر تصمیم گرفته شده است: جایگزین‌شده با ارسال بعدی" in response.content.decode()
    with pytest.raises(ValidationError):  # the database keeps one waiting renewal per brokerage
        LicenceRenewal(broker=licensed, expires_on=RENEWED).validate_constraints()
    services.licence_renewal_approve(renewal=second, by=manager)
    licensed.refresh_from_db()
    assert (licensed.licence_expires_on, licensed.licence_file.name) == (RENEWED, second.licence_file.name)


@pytest.mark.parametrize(
    ("expires_on", "reason", "persian"),
    [
        (dt.date(2026, 12, 31), "has passed", "(۱۰ دی ۱۴۰۵) گذشته است"),  # ended while it waited
        # The current licence already ends then.
        (EXPIRY, "does not end after the current licence", "پس از پایان مجوز فعلی (۱۰ بهمن ۱۴۰۵) نیست"),
    ],
)
def test_a_renewal_that_would_not_extend_the_licence_is_not_approved_and_the_admin_says_why(
    client_for, licensed, broker_member, manager, expires_on, reason, persian
):
    renewal = LicenceRenewalFactory(broker=licensed, expires_on=expires_on)
    with time_machine.travel(day(dt.date(2027, 1, 5)), tick=False):
        with translation.override("en"), pytest.raises(ValidationError, match=reason):
            services.licence_renewal_approve(renewal=renewal, by=manager)
        response = client_for(manager).post(
            "/admin/brokers/licencerenewal/",
            {"action": "approve", "_selected_action": [renewal.pk], "index": "0"},
            follow=True,
        )
    text = response.content.decode()
    assert "دست‌نخورده ماند" in text  # "left as it was", with the reason
    assert persian in text
    renewal.refresh_from_db()
    licensed.refresh_from_db()
    assert (renewal.status, licensed.licence_expires_on) == ("pending", EXPIRY)
    assert "broker_licence_renewal_approved" not in kinds(broker_member)


def test_a_renewal_approved_while_the_profile_form_was_open_is_not_undone_by_saving_it(
    client_for, licensed, broker_member, manager
):
    renewal = LicenceRenewalFactory(broker=licensed, expires_on=RENEWED)
    # The member's request read the brokerage (as the edit form's instance) before the approval.
    stale = Broker.objects.get(pk=licensed.pk)
    services.licence_renewal_approve(renewal=renewal, by=manager)
    services.broker_update(broker=stale, by=broker_member, phone="02188776655")
    licensed.refresh_from_db()
    assert licensed.phone == "02188776655"
    assert (licensed.licence_expires_on, licensed.licence_file.name) == (RENEWED, renewal.licence_file.name)
    assert licensed.history.first().licence_expires_on == RENEWED  # the history records it too


def test_the_admin_changes_an_approved_brokerage_licence_only_through_a_renewal(
    client_for, licensed, manager
):
    admin = client_for(manager)
    url = f"/admin/brokers/broker/{licensed.pk}/change/"
    form = admin.get(url)
    assert form.status_code == 200
    assert 'name="licence_expires_on"' not in form.content.decode()
    assert 'name="licence_file"' not in form.content.decode()
    assert "۱۰ بهمن ۱۴۰۵" in form.content.decode()  # shown, Jalali, read-only
    # A pending brokerage's licence is still corrected there.
    pending = BrokerFactory(pending=True)
    page = admin.get(f"/admin/brokers/broker/{pending.pk}/change/").content.decode()
    assert 'name="licence_expires_on"' in page
    assert 'name="licence_file"' in page


# --- deleting a brokerage ----------------------------------------------------------------------------
def test_a_superuser_deletes_a_brokerage_with_its_renewals_and_a_manager_cannot_delete_renewals(
    client_for, licensed, manager
):
    renewal = LicenceRenewalFactory(broker=licensed, expires_on=RENEWED)
    assert client_for(manager).post(f"/admin/brokers/licencerenewal/{renewal.pk}/delete/").status_code == 403
    root = UserFactory(is_staff=True, is_superuser=True)
    admin = client_for(root)
    url = f"/admin/brokers/broker/{licensed.pk}/delete/"
    confirm = admin.get(url)
    assert confirm.status_code == 200
    assert confirm.context["perms_lacking"] == set()  # nothing in the way: the renewals go with it
    assert str(renewal) in confirm.content.decode()
    response = admin.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not Broker.objects.filter(pk=licensed.pk).exists()
    assert not LicenceRenewal.objects.filter(pk=renewal.pk).exists()


# --- brokerages registered before the date was asked ---------------------------------------------
def test_a_brokerage_without_an_expiry_date_is_prompted_and_records_it_without_reuploading(
    client_for, brokerage, broker_member, manager
):
    brokerage.licence_expires_on = None
    brokerage.save()
    scan = brokerage.licence_file.name
    member = client_for(broker_member)
    dashboard = member.get("/en/brokers/mine/").content.decode()
    assert 'data-testid="licence-date-missing"' in dashboard
    assert PAGE in dashboard
    # Its other profile fields are saved without the licence or its date.
    response = member.post("/en/brokers/mine/edit/", profile_data(brokerage, phone="02188776655"))
    assert response.status_code == 302
    brokerage.refresh_from_db()
    assert (brokerage.phone, brokerage.status, brokerage.licence_file.name) == (
        "02188776655",
        "approved",
        scan,
    )
    # The date alone, for the centre to check against the scan it approved.
    assert member.post(f"/fa{PAGE}", {"expires_on": "۱۴۰۶/۱۱/۱۰"}).status_code == 302
    renewal = LicenceRenewal.objects.get()
    assert not renewal.licence_file
    assert 'data-testid="licence-date-missing"' not in member.get("/en/brokers/mine/").content.decode()
    services.licence_renewal_approve(renewal=renewal, by=manager)
    brokerage.refresh_from_db()
    assert (brokerage.licence_expires_on, brokerage.licence_file.name) == (RENEWED, scan)


def profile_data(broker: Broker, **changes: object) -> dict[str, object]:
    return {
        "name_fa": broker.name_fa, "name_en": broker.name_en, "licence_number": broker.licence_number,
        "services": [s.pk for s in broker.services.all()],
        "countries": [c.pk for c in broker.countries.all()],
        "languages": broker.languages, "phone": broker.phone, "email": broker.email, **changes,
    }  # fmt: skip


def test_editing_the_profile_never_touches_the_licence_nor_sends_the_brokerage_back(
    client_for, licensed, broker_member
):
    member = client_for(broker_member)
    form = member.get("/en/brokers/mine/edit/").content.decode()
    assert 'name="licence_file"' not in form
    assert PAGE in form
    # A licence posted anyway is ignored: it is renewed on its page only.
    response = member.post(
        "/en/brokers/mine/edit/",
        {**profile_data(licensed, offices="Tehran, Basra"), "licence_expires_on": "2030-01-01",
         "licence_file": new_licence()},
    )  # fmt: skip
    assert response.status_code == 302
    licensed.refresh_from_db()
    assert (licensed.offices, licensed.licence_expires_on, licensed.status) == (
        "Tehran, Basra",
        EXPIRY,
        "approved",
    )
    with translation.override("en"), pytest.raises(ValidationError, match="licence renewal page"):
        services.broker_update(broker=licensed, licence_expires_on=dt.date(2030, 1, 1))
    # The name is still what the centre checks again.
    member.post("/en/brokers/mine/edit/", profile_data(licensed, name_en="Pars Brokers Group"))
    licensed.refresh_from_db()
    assert licensed.status == Broker.Status.PENDING


# --- warnings and notices --------------------------------------------------------------------------
def test_the_expiry_warnings_lead_to_the_licence_page(licensed, broker_member):
    with time_machine.travel(day(EXPIRY - dt.timedelta(days=7)), tick=False):
        brokers_licence_check()
    with time_machine.travel(day(EXPIRY + dt.timedelta(days=1)), tick=False):
        brokers_licence_check()
    notices = Notification.objects.filter(recipient=broker_member).order_by("pk")
    assert [n.kind for n in notices] == ["broker_licence_expiring", "broker_licence_expired"]
    for notice in notices:
        assert notice.url.endswith(PAGE)
        assert "licence page" in notice.body


def test_a_brokerage_whose_renewal_waits_is_not_asked_to_renew_again_but_is_told_of_the_expiry(
    licensed, broker_member, manager
):
    renewal = LicenceRenewalFactory(broker=licensed, expires_on=RENEWED, submitted_by=broker_member)
    for days in (30, 7):
        with time_machine.travel(day(EXPIRY - dt.timedelta(days=days)), tick=False):
            assert brokers_licence_check() == 0  # the members did what the warning asks
    assert kinds(broker_member) == []
    with time_machine.travel(day(EXPIRY + dt.timedelta(days=1)), tick=False):
        assert brokers_licence_check() == 1
    expired = Notification.objects.get(recipient=broker_member)
    assert expired.kind == "broker_licence_expired"
    assert "waiting for the centre's check" in expired.body
    assert "Submit the renewed licence" not in expired.body
    assert renewal.pk  # still pending: nothing else changed
    renewal.refresh_from_db()
    assert renewal.status == "pending"


def test_a_refused_renewal_brings_back_the_warning_that_is_due(licensed, broker_member, manager):
    renewal = LicenceRenewalFactory(broker=licensed, expires_on=RENEWED)
    with time_machine.travel(day(EXPIRY - dt.timedelta(days=7)), tick=False):
        assert brokers_licence_check() == 0
        services.licence_renewal_reject(renewal=renewal, by=manager, note="Unreadable")
        assert brokers_licence_check() == 1
    expiring = Notification.objects.get(recipient=broker_member, kind="broker_licence_expiring")
    assert "Submit the renewed licence" in expiring.body


def test_a_suspended_brokerage_is_not_told_its_offers_are_shown_again(licensed, broker_member, manager):
    renewal = LicenceRenewalFactory(broker=licensed, expires_on=RENEWED)
    services.broker_suspend(broker=licensed, by=manager, note="Complaint under review")
    services.licence_renewal_approve(renewal=renewal, by=manager)
    approved = Notification.objects.get(recipient=broker_member, kind="broker_licence_renewal_approved")
    assert "still suspended" in approved.body
    assert "shown again" not in approved.body


def test_the_manager_is_led_to_the_renewals_waiting_where_they_decide_them(
    client_for, licensed, broker_member, manager
):
    decided = LicenceRenewalFactory(broker=licensed, expires_on=RENEWED, status="rejected", note="No")
    services.licence_renewal_submit(
        broker=licensed, by=broker_member, expires_on=RENEWED, licence_file=new_licence()
    )
    waiting = LicenceRenewal.objects.get(status="pending")
    asked = Notification.objects.get(recipient=manager, kind="broker_licence_renewal_submitted")
    page = client_for(manager).get(asked.url)
    assert page.status_code == 200
    shown = [renewal.pk for renewal in page.context["cl"].result_list]
    assert shown == [waiting.pk] != [decided.pk]
    assert 'value="approve"' in page.content.decode()
    assert 'value="reject"' in page.content.decode()


@pytest.mark.parametrize("language", ["fa", "en"])
def test_an_expired_brokerage_is_told_why_buttons_are_missing_with_a_way_to_renew(
    client_for, licensed, broker_member, company, language
):
    draft = OfferFactory(broker=licensed, draft=True)
    response = OfferResponseFactory(offer=OfferFactory(broker=licensed))
    engagement = EngagementFactory(service=BrokerServiceFactory(broker=licensed), company=company)
    with time_machine.travel(day(EXPIRY + dt.timedelta(days=2)), tick=False):
        member = client_for(broker_member)  # signed in then: a session from today has expired
        pages = {
            "dashboard": member.get(f"/{language}/brokers/mine/"),
            "draft": member.get(f"/{language}/offers/{draft.pk}/"),
            "offer": member.get(f"/{language}/offers/{response.offer_id}/"),
            "engagement": member.get(f"/{language}/engagements/{engagement.pk}/"),
            "services": member.get(f"/{language}/brokers/mine/services/"),
            "licence": member.get(f"/{language}{PAGE}"),
        }
        for name, page in pages.items():
            text = page.content.decode()
            assert page.status_code == 200, name
            if name != "licence":  # the way to the licence page (where the form is)
                assert f'href="/{language}{PAGE}"' in text, name
        for name in ("dashboard", "draft", "offer", "engagement", "licence"):
            text = pages[name].content.decode()
            assert 'data-testid="licence-expired"' in text, name
            assert ("۱۰ بهمن ۱۴۰۵" if language == "fa" else "Jan. 30, 2027") in text, name
        assert 'data-action="accept"' not in pages["engagement"].content.decode()
        assert "/publish/" not in pages["draft"].content.decode()
    # Before the end, none of it.
    with time_machine.travel(day(EXPIRY - dt.timedelta(days=60)), tick=False):
        for url in (f"/{language}/offers/{draft.pk}/", f"/{language}/engagements/{engagement.pk}/"):
            assert 'data-testid="licence-expired"' not in member.get(url).content.decode()


# --- access ----------------------------------------------------------------------------------------
def test_nobody_else_sees_or_sends_a_brokerage_renewal(
    client, client_for, licensed, broker_member, other_broker_member, company_member
):
    renewal = LicenceRenewalFactory(broker=licensed, expires_on=RENEWED)
    rival = client_for(other_broker_member)
    page = rival.get(f"/en{PAGE}")
    assert page.status_code == 200
    assert page.context["broker"].name_en == "Rival Brokers"  # their own licence, not ours
    assert page.context["renewal"] is None
    assert "Jan. 30, 2028" not in page.content.decode()
    rival.post(f"/en{PAGE}", {"licence_file": new_licence(), "expires_on": "2029-01-01"})
    assert list(licensed.licence_renewals.values_list("pk", flat=True)) == [renewal.pk]
    assert client_for(company_member).get(f"/en{PAGE}").status_code == 404
    assert client_for(company_member).post(f"/en{PAGE}", {"expires_on": "2029-01-01"}).status_code == 404
    assert client.get(f"/en{PAGE}").status_code == 302
    scan = f"/media/{renewal.licence_file.name}"
    assert client_for(broker_member).get(scan).status_code == 200
    for outsider in (rival, client_for(company_member), client):
        assert outsider.get(scan).status_code == 404


def test_a_pending_brokerage_corrects_its_licence_in_the_profile_not_through_a_renewal(client_for):
    broker = BrokerFactory(pending=True)
    user = UserFactory()
    BrokerMembershipFactory(broker=broker, user=user)
    client = client_for(user)
    assert 'name="licence_file"' in client.get("/en/brokers/mine/edit/").content.decode()
    page = client.get(f"/en{PAGE}")
    assert page.context["form"] is None
    assert "not approved yet" in page.content.decode()
    assert (
        client.post(f"/en{PAGE}", {"licence_file": new_licence(), "expires_on": "2029-01-01"}).status_code
        == 403
    )
    assert not LicenceRenewal.objects.exists()


def test_only_staff_allowed_to_change_renewals_decide_them(client_for, licensed, reviewer, manager):
    renewal = LicenceRenewalFactory(broker=licensed, expires_on=RENEWED)
    staff = client_for(reviewer)
    assert staff.get("/admin/brokers/licencerenewal/").status_code == 200  # reviewers read them
    assert staff.get(f"/admin/brokers/licencerenewal/{renewal.pk}/change/").status_code == 200
    approve_in_admin(staff, renewal)
    staff.post(
        "/admin/brokers/licencerenewal/",
        {"action": "reject", "_selected_action": [renewal.pk], "index": "0", "note": "No"},
    )
    renewal.refresh_from_db()
    licensed.refresh_from_db()
    assert (renewal.status, licensed.licence_expires_on) == ("pending", EXPIRY)
    with pytest.raises(PermissionDenied):
        services.licence_renewal_approve(renewal=renewal, by=reviewer)
    with pytest.raises(PermissionDenied):
        services.licence_renewal_reject(renewal=renewal, by=reviewer, note="No")
    # The permission, not the role's name, decides: granted to reviewers, they could.
    from django.contrib.auth.models import Group, Permission

    Group.objects.get(name="reviewer").permissions.add(
        Permission.objects.get(codename="change_licencerenewal")
    )
    reviewer = type(reviewer).objects.get(pk=reviewer.pk)
    services.licence_renewal_approve(renewal=renewal, by=reviewer)
    renewal.refresh_from_db()
    assert renewal.status == "approved"


def test_managers_see_the_renewals_of_a_brokerage_on_its_admin_page(client_for, licensed, manager):
    LicenceRenewalFactory(broker=licensed, expires_on=RENEWED)
    page = client_for(manager).get(f"/admin/brokers/broker/{licensed.pk}/change/").content.decode()
    assert "۱۰ بهمن ۱۴۰۶" in page  # the renewal's date, Jalali
    assert "۱۰ بهمن ۱۴۰۵" in page  # the licence's date, Jalali (read-only: renewals change it)


def test_staff_see_the_licence_dates_in_jalali_in_the_brokerage_list(client_for, manager):
    today = timezone.localdate()
    BrokerFactory(name_en="Lapsed Brokers", licence_expires_on=dt.date(2026, 3, 21))
    BrokerFactory(name_en="Fine Brokers", licence_expires_on=today + dt.timedelta(days=300))
    page = client_for(manager).get("/admin/brokers/broker/").content.decode()
    assert "۱ فروردین ۱۴۰۵ (منقضی شده)" in page
    assert "2026-03-21" not in page


def test_the_licence_page_and_the_admin_list_read_renewals_in_a_constant_number_of_queries(
    client_for, licensed, broker_member, manager, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def add(count: int) -> None:
        for _ in range(count):
            LicenceRenewalFactory(broker=licensed, status="rejected", note="Unreadable", decided_by=manager)

    member, admin = client_for(broker_member), client_for(manager)
    add(2)
    with CaptureQueriesContext(connection) as page:
        assert len(member.get(f"/en{PAGE}").context["history"]) == 2
    with CaptureQueriesContext(connection) as listing:
        assert admin.get("/admin/brokers/licencerenewal/").status_code == 200
    add(8)
    with django_assert_num_queries(len(page.captured_queries)):
        assert len(member.get(f"/en{PAGE}").context["history"]) == 10
    with django_assert_num_queries(len(listing.captured_queries)):
        assert admin.get("/admin/brokers/licencerenewal/").status_code == 200
