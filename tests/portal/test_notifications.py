from __future__ import annotations

from datetime import timedelta
from smtplib import SMTPException

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from portal import tasks
from portal.models import Notification
from portal.notifications import services as notifications
from portal.notifications.services import notification_email_deliver, notify
from tests.portal.factories import NotificationFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_notify_writes_row_now_and_sends_email_only_after_commit(django_capture_on_commit_callbacks):
    user = UserFactory(english=True)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notification = notify(recipient=user, kind="welcome", url="/en/", context={"full_name": "Sara"})
    assert Notification.objects.get() == notification
    assert notification.email_status == Notification.EmailStatus.PENDING
    assert mail.outbox == []  # nothing sent before commit
    assert len(callbacks) == 1
    callbacks[0]()
    notification.refresh_from_db()
    assert notification.email_status == Notification.EmailStatus.SENT
    assert len(mail.outbox) == 1


def test_notification_row_rolls_back_with_the_callers_transaction(django_capture_on_commit_callbacks):
    user = UserFactory()

    def failing_event() -> None:
        with transaction.atomic():
            notify(recipient=user, kind="welcome", context={"full_name": "x"})
            raise RuntimeError("the event failed")

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        failing_event()
    assert not Notification.objects.exists()
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("language", "subject", "html_dir"),
    [("en", "Welcome to the Export Support Portal", 'dir="ltr"'), ("fa", "درگاه", 'dir="rtl"')],
)
def test_email_is_rendered_in_the_recipients_language(
    django_capture_on_commit_callbacks, language, subject, html_dir
):
    user = UserFactory(preferred_language=language)
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipient=user, kind="welcome", url="/x/", context={"full_name": "Sara"})
    message = mail.outbox[0]
    assert subject in message.subject
    assert "https://portal.test/x/" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert html_dir in html
    assert message.extra_headers["Content-Language"] == language


def test_users_who_turned_email_off_get_only_the_in_app_row(django_capture_on_commit_callbacks):
    user = UserFactory(email_notifications=False)
    with django_capture_on_commit_callbacks(execute=True):
        notification = notify(recipient=user, kind="welcome", context={"full_name": "x"})
    assert notification.email_status == Notification.EmailStatus.SKIPPED
    assert mail.outbox == []


def test_a_redelivered_task_sends_no_second_email(django_capture_on_commit_callbacks):
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        notification = notify(recipient=user, kind="welcome", context={"full_name": "x"})
    assert tasks.notification_email_send(notification.pk) is False
    assert notification_email_deliver(notification_id=notification.pk) is False
    assert len(mail.outbox) == 1


def test_broker_outage_loses_nothing_the_sweep_sends_it_later(
    monkeypatch, django_capture_on_commit_callbacks
):
    def broker_down(*args, **kwargs):
        raise ConnectionRefusedError("broker unreachable")

    monkeypatch.setattr(tasks.notification_email_send, "delay", broker_down)
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        notification = notify(recipient=user, kind="welcome", context={"full_name": "x"})
    notification.refresh_from_db()
    assert notification.email_status == Notification.EmailStatus.PENDING
    assert mail.outbox == []

    monkeypatch.undo()  # the broker is back
    Notification.objects.filter(pk=notification.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    assert tasks.notification_emails_sweep() == 1
    notification.refresh_from_db()
    assert notification.email_status == Notification.EmailStatus.SENT
    assert len(mail.outbox) == 1
    assert tasks.notification_emails_sweep() == 0  # nothing due any more


def test_sweep_leaves_fresh_rows_to_their_own_task():
    NotificationFactory(email_status=Notification.EmailStatus.PENDING)
    assert tasks.notification_emails_sweep() == 0


def test_sweep_resends_an_email_whose_worker_was_lost(settings):
    stale = timezone.now() - settings.NOTIFICATION_EMAIL_STALE_AFTER - timedelta(minutes=1)
    lost = NotificationFactory(
        email_status=Notification.EmailStatus.SENDING, email_claimed_at=stale, created_at=stale
    )
    busy = NotificationFactory(
        email_status=Notification.EmailStatus.SENDING, email_claimed_at=timezone.now(), created_at=stale
    )
    assert tasks.notification_emails_sweep() == 1
    lost.refresh_from_db()
    busy.refresh_from_db()
    assert lost.email_status == Notification.EmailStatus.SENT
    assert busy.email_status == Notification.EmailStatus.SENDING
    assert len(mail.outbox) == 1


def test_smtp_failure_keeps_the_email_pending_then_gives_up(monkeypatch, settings):
    settings.NOTIFICATION_EMAIL_MAX_ATTEMPTS = 2

    def smtp_down(notification):
        raise SMTPException("421 try later")

    monkeypatch.setattr(notifications, "_send", smtp_down)
    notification = NotificationFactory(email_status=Notification.EmailStatus.PENDING)
    with pytest.raises(SMTPException):
        notification_email_deliver(notification_id=notification.pk)
    notification.refresh_from_db()
    assert notification.email_status == Notification.EmailStatus.PENDING
    assert "421" in notification.email_error
    with pytest.raises(SMTPException):
        notification_email_deliver(notification_id=notification.pk)
    notification.refresh_from_db()
    assert notification.email_status == Notification.EmailStatus.FAILED
    assert notification.email_attempts == 2


def test_prune_deletes_only_old_read_notifications():
    old = timezone.now() - timedelta(days=400)
    NotificationFactory(read=True, created_at=old)
    kept_unread = NotificationFactory(created_at=old)
    kept_recent = NotificationFactory(read=True)
    assert tasks.notifications_prune() == 1
    assert set(Notification.objects.all()) == {kept_unread, kept_recent}


# --- pages ----------------------------------------------------------------------------------------
def test_notification_page_lists_only_my_notifications_with_unread_badge(client_for, company_member):
    NotificationFactory.create_batch(3, recipient=company_member, title="sara-notice")
    NotificationFactory(title="someone else's")
    response = client_for(company_member).get("/fa/notifications/")
    content = response.content.decode()
    assert content.count("sara-notice") == 3
    assert "someone else" not in content
    assert 'data-testid="unread-count">۳<' in content


def test_unread_badge_uses_persian_digits_in_persian(client_for, company_member):
    NotificationFactory.create_batch(2, recipient=company_member)
    content = client_for(company_member).get("/fa/").content.decode()
    assert 'data-testid="unread-count">۲<' in content


def test_notification_page_query_count_does_not_grow_with_length(
    client_for, company_member, django_assert_max_num_queries
):
    client = client_for(company_member)
    NotificationFactory.create_batch(2, recipient=company_member)
    with django_assert_max_num_queries(8) as few:
        client.get("/en/notifications/")
    NotificationFactory.create_batch(15, recipient=company_member)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/en/notifications/")


def test_opening_a_notification_marks_it_read_and_follows_its_link(client_for, company_member):
    notification = NotificationFactory(recipient=company_member, url="/en/countries/")
    response = client_for(company_member).post(f"/en/notifications/{notification.pk}/open/")
    assert response.status_code == 302
    assert response["Location"] == "/en/countries/"
    notification.refresh_from_db()
    assert notification.is_read


def test_notification_link_to_another_site_is_not_followed(client_for, company_member):
    notification = NotificationFactory(recipient=company_member, url="https://evil.example/")
    response = client_for(company_member).post(f"/en/notifications/{notification.pk}/open/")
    assert response["Location"] == "/en/notifications/"


def test_someone_elses_notification_is_a_404(client_for, company_member, other_company_member):
    notification = NotificationFactory(recipient=other_company_member)
    response = client_for(company_member).post(f"/en/notifications/{notification.pk}/open/")
    assert response.status_code == 404
    notification.refresh_from_db()
    assert not notification.is_read


def test_notification_actions_need_post_and_login(client, client_for, company_member):
    notification = NotificationFactory(recipient=company_member)
    assert client_for(company_member).get(f"/en/notifications/{notification.pk}/open/").status_code == 405
    assert client_for(company_member).get("/en/notifications/read-all/").status_code == 405
    assert client.get("/en/notifications/")["Location"].startswith("/en/accounts/login/")
    assert client.post("/en/notifications/read-all/").status_code == 302
    notification.refresh_from_db()
    assert not notification.is_read


def test_mark_all_read_touches_only_my_notifications(client_for, company_member):
    mine = NotificationFactory.create_batch(2, recipient=company_member)
    other = NotificationFactory()
    client_for(company_member).post("/en/notifications/read-all/")
    assert all(n.is_read for n in Notification.objects.filter(pk__in=[m.pk for m in mine]))
    other.refresh_from_db()
    assert not other.is_read


# --- API ------------------------------------------------------------------------------------------
def test_api_lists_only_the_callers_notifications(client_for, company_member):
    NotificationFactory.create_batch(2, recipient=company_member)
    NotificationFactory()
    body = client_for(company_member).get("/api/v1/notifications/").json()
    assert body["count"] == 2
    assert {"id", "title", "is_read", "created_at"} <= set(body["results"][0])


def test_api_filters_unread_and_marks_read(client_for, company_member):
    client = client_for(company_member)
    first, second = NotificationFactory.create_batch(2, recipient=company_member)
    NotificationFactory(recipient=company_member, read=True)
    assert client.get("/api/v1/notifications/?unread=true").json()["count"] == 2
    response = client.post(
        "/api/v1/notifications/mark-read/", {"ids": [first.pk]}, content_type="application/json"
    )
    assert response.json() == {"marked": 1}
    assert client.get("/api/v1/notifications/?unread=true").json()["count"] == 1


def test_api_hides_other_peoples_notifications(client, client_for, company_member):
    other = NotificationFactory()
    assert client_for(company_member).get(f"/api/v1/notifications/{other.pk}/").status_code == 404
    assert client.get("/api/v1/notifications/").status_code == 403
    response = client_for(company_member).post(
        "/api/v1/notifications/mark-read/", {"ids": [other.pk]}, content_type="application/json"
    )
    assert response.json() == {"marked": 0}


def test_notification_page_shows_titles_in_the_readers_language(client_for, company_member):
    notify(recipient=company_member, kind="welcome", context={"full_name": "Sara"})
    assert (
        "به درگاه حمایت از صادرات خوش آمدید"
        in client_for(company_member).get("/fa/notifications/").content.decode()
    )
    assert (
        "Welcome to the Export Support Portal"
        in client_for(company_member).get("/en/notifications/").content.decode()
    )


def test_a_link_written_in_english_opens_in_the_readers_language(client_for, company_member):
    notification = NotificationFactory(recipient=company_member, url="/en/countries/")
    response = client_for(company_member).post(f"/fa/notifications/{notification.pk}/open/")
    assert response["Location"] == "/fa/countries/"


def test_resend_skips_people_who_turned_email_off(client_for, manager):
    from django.contrib.auth.models import Permission

    manager.user_permissions.add(*Permission.objects.filter(codename="change_notification"))
    skipped = NotificationFactory(email_status=Notification.EmailStatus.SKIPPED)
    failed = NotificationFactory(email_status=Notification.EmailStatus.FAILED, email_attempts=3)
    response = client_for(manager).post(
        "/admin/portal/notification/",
        {"action": "resend_email", "_selected_action": [skipped.pk, failed.pk], "index": 0},
        follow=True,
        headers={"accept-language": "en"},
    )
    assert "1 e-mail queued." in response.content.decode()  # the action ran, for one of the two
    skipped.refresh_from_db()
    assert skipped.email_status == Notification.EmailStatus.SKIPPED
    failed.refresh_from_db()
    assert failed.email_status == Notification.EmailStatus.SENT  # queued again, and sent


def test_the_notification_list_offers_the_link_as_a_button_not_the_emails_raw_address(
    client_for, company_member, settings
):
    """The e-mail ends with the page's absolute address; in the list that line would be a raw,
    right-to-left-garbled URL of whatever host the e-mail was written for."""
    settings.SITE_URL = "http://127.0.0.1:8000"
    company_member.preferred_language = "fa"
    company_member.save()
    notify(
        recipient=company_member, kind="application_status", url="/fa/countries/", context={"program": "P"}
    )
    stored = Notification.objects.get(recipient=company_member)
    assert "http://127.0.0.1:8000/fa/countries/" in stored.body  # the e-mail keeps its link
    for language in ("fa", "en"):
        page = client_for(company_member).get(f"/{language}/notifications/").content.decode()
        assert "127.0.0.1:8000" not in page
        assert f'action="/{language}/notifications/{stored.pk}/open/"' in page
    mail.outbox.clear()
    notification_email_deliver(notification_id=stored.pk)
    assert "http://127.0.0.1:8000/fa/countries/" in mail.outbox[0].body
