"""The one door for notifications.

`notify()` writes the in-app `Notification` row inside the caller's transaction and, only once that
transaction commits, asks Celery to send the e-mail. The row doubles as the e-mail outbox: its
`email_status` moves pending -> sending -> sent (or failed), and the claim is a conditional UPDATE,
so a redelivered task or a second worker never sends twice. If the broker is down when we enqueue,
the row simply stays pending and the beat-driven sweep sends it later: nothing is lost.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import F
from django.template.loader import render_to_string, select_template
from django.utils import timezone, translation

from portal.enqueue import enqueue_on_commit
from portal.i18n.paths import path_in_language
from portal.models import Notification, User

logger = logging.getLogger(__name__)


# Kinds e-mailed even to users who turned notification e-mails off: they answer the user's own request.
ESSENTIAL_KINDS = frozenset({"password_reset"})


def _password_reset_link(notification: Notification) -> dict[str, Any]:
    """The reset link, made when the e-mail is sent: no usable token is ever stored in a row."""
    from django.contrib.auth.tokens import default_token_generator
    from django.urls import reverse
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    user = notification.recipient
    path = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    context = notification.context
    return {"reset_url": f"{context.get('protocol', 'https')}://{context.get('domain', '')}{path}"}


# Context that only the e-mail gets, computed as it is sent (never stored, never shown in-app).
EMAIL_ONLY_CONTEXT = {"password_reset": _password_reset_link}


def _render(kind: str, part: str, context: dict[str, Any]) -> str:
    return render_to_string(f"emails/{kind}_{part}", context)


def _template_context(*, recipient: User, url: str, context: dict[str, Any]) -> dict[str, Any]:
    # Links point at the page in the language being rendered (/fa/... or /en/...).
    url = path_in_language(url, translation.get_language() or settings.LANGUAGE_CODE)
    absolute = f"{settings.SITE_URL}{url}" if url.startswith("/") else url
    return {**context, "recipient": recipient, "url": absolute, "site_url": settings.SITE_URL}


def notify(
    *, recipient: User, kind: str, url: str = "", context: dict[str, Any] | None = None
) -> Notification:
    """Record a notification for `recipient` now and e-mail it after the transaction commits.

    `kind` names the templates `emails/<kind>_subject.txt` and `_body.txt` (and optionally
    `_body.html`); they are rendered in the recipient's preferred language. `context` must be
    JSON-serialisable: it is stored so the e-mail can be rendered again later by a worker.
    """
    context = context or {}
    language = recipient.preferred_language or settings.LANGUAGE_CODE
    notification = Notification(recipient=recipient, kind=kind, language=language, url=url, context=context)
    title, body = render_text(notification, language)
    wants_email = _wants_email(recipient, kind)
    notification.title = title[:255]
    notification.body = body
    notification.email_status = (
        Notification.EmailStatus.PENDING if wants_email else Notification.EmailStatus.SKIPPED
    )
    notification.save()
    if wants_email:
        from portal.tasks import notification_email_send as notification_email_send_task

        # A broker outage leaves the row pending; notification_emails_sweep sends it later.
        enqueue_on_commit(notification_email_send_task, notification.pk)
    return notification


def notify_members(
    organisation: Any, *, kind: str, url: str = "", context: dict[str, Any] | None = None
) -> list[Notification]:
    """notify() every member of a company or brokerage (anything with `memberships`)."""
    return [
        notify(recipient=membership.user, kind=kind, url=url, context=context)
        for membership in organisation.memberships.select_related("user")
    ]


def _wants_email(user: User, kind: str) -> bool:
    return bool(user.email and user.is_active and (user.email_notifications or kind in ESSENTIAL_KINDS))


def render_text(
    notification: Notification, language: str, *, extra: dict[str, Any] | None = None
) -> tuple[str, str]:
    """Render a notification's title and plain body in `language` (`extra`: e-mail-only context)."""
    with translation.override(language):
        ctx = _template_context(
            recipient=notification.recipient, url=notification.url, context=notification.context
        )
        ctx.update(extra or {})
        title = " ".join(_render(notification.kind, "subject.txt", ctx).split())
        body = _render(notification.kind, "body.txt", ctx).strip()
    return title, body


def notification_email_deliver(*, notification_id: int) -> bool:
    """Send one notification e-mail if it is still due; return whether this call sent it.

    Deliberately not atomic: the claim is committed before the (slow) SMTP call, so other workers
    see the row as taken while we talk to the mail server.
    """
    now = timezone.now()
    claimed = (
        Notification.objects.email_due(now=now)
        .filter(pk=notification_id)
        .update(
            email_status=Notification.EmailStatus.SENDING,
            email_claimed_at=now,
            email_attempts=F("email_attempts") + 1,
        )
    )
    if not claimed:
        return False
    notification = Notification.objects.select_related("recipient").get(pk=notification_id)
    if not _wants_email(notification.recipient, notification.kind):
        # The preference changed since the event: respect it now.
        Notification.objects.filter(pk=notification_id).update(email_status=Notification.EmailStatus.SKIPPED)
        return False
    try:
        _send(notification)
    except Exception as exc:
        gave_up = notification.email_attempts >= settings.NOTIFICATION_EMAIL_MAX_ATTEMPTS
        Notification.objects.filter(pk=notification_id).update(
            email_status=(Notification.EmailStatus.FAILED if gave_up else Notification.EmailStatus.PENDING),
            email_error=f"{type(exc).__name__}: {exc}"[:2000],
        )
        raise
    Notification.objects.filter(pk=notification_id).update(
        email_status=Notification.EmailStatus.SENT, email_sent_at=timezone.now(), email_error=""
    )
    return True


def _send(notification: Notification) -> None:
    recipient = notification.recipient
    with translation.override(notification.language):
        make_extra = EMAIL_ONLY_CONTEXT.get(notification.kind)
        extra = make_extra(notification) if make_extra else {}
    subject, text = render_text(notification, notification.language, extra=extra)
    with translation.override(notification.language):
        ctx = _template_context(recipient=recipient, url=notification.url, context=notification.context)
        ctx.update(extra)
        # A kind may have its own HTML body; otherwise the plain body goes into the common layout.
        html_template = select_template(
            [f"emails/{notification.kind}_body.html", "emails/_generic_body.html"]
        )
        html = html_template.render({**ctx, "body_text": text.replace(ctx["url"], "").strip()})
    message = EmailMultiAlternatives(subject=subject, body=text, to=[recipient.email])
    message.attach_alternative(html, "text/html")
    message.extra_headers["Content-Language"] = notification.language
    message.send()


def notifications_mark_read(*, user: User, notification_ids: list[int] | None = None) -> int:
    """Mark the user's notifications read (all unread ones when no ids are given)."""
    qs = Notification.objects.filter(recipient=user).unread()
    if notification_ids is not None:
        qs = qs.filter(pk__in=notification_ids)
    return qs.update(read_at=timezone.now())


def notifications_read_delete(*, before: datetime) -> int:
    """Delete notifications read and created before `before`; return how many."""
    deleted, _ = Notification.objects.filter(read_at__isnull=False, created_at__lt=before).delete()
    return deleted
