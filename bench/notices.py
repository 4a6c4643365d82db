"""In-app notifications the workflow would have written: one per status change the company sees.

Titles and bodies are rendered by portal.notifications.services.render_text once per (language, status,
programme, note) with placeholders, then filled in per row: rendering 60,000 templates one by
one would cost more than the rest of the support data. Every e-mail is marked sent, so a worker
started against a bench database sends nothing.
"""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import translation

from portal.models import Notification, User, bilingual
from portal.notifications.services import render_text

from .applications import Walk
from .context import BATCH, Build

REFERENCE, PK = "@@REFERENCE@@", 987654321  # placeholders replaced per row


def create_notifications(build: Build, walks: list[Walk]) -> int:
    """Notify each applicant's owner of every status change but screen_start (as the workflow does)."""
    rng, rendered = build.rng, {}
    rows = []
    for walk in walks:
        app = walk.application
        language = walk.plan.language
        for event in walk.events:
            if event.action == "screen_start":
                continue
            key = (language, event.to_status, app.program_id, event.note)
            if key not in rendered:
                rendered[key] = _render(language, app, event.to_status, event.note)
            title, body, url = (
                part.replace(REFERENCE, app.reference or "").replace(str(PK), str(app.pk))
                for part in rendered[key]
            )
            age = build.now - event.created_at
            read = rng.random() < (0.85 if age > timedelta(days=7) else 0.4)
            rows.append(
                Notification(
                    recipient_id=walk.plan.owner_id,
                    kind="application_status",
                    language=language,
                    title=title[:255],
                    body=body,
                    url=url,
                    context={
                        "reference": app.reference or "",
                        "program": bilingual(app.program, "name"),
                        "status": event.to_status,
                        "note": event.note,
                    },
                    created_at=event.created_at,
                    read_at=event.created_at + timedelta(hours=5) if read else None,
                    email_status=Notification.EmailStatus.SENT,
                    email_attempts=1,
                    email_sent_at=event.created_at,
                )  # fmt: skip
            )
    Notification.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


def _render(language: str, app, status: str, note: str) -> tuple[str, str, str]:  # noqa: ANN001 - Application
    """Title, body and link of an application_status notification with placeholders."""
    with translation.override(language):
        url = reverse("support:application_detail", kwargs={"pk": PK})
    context = {
        "reference": REFERENCE,
        "program": bilingual(app.program, "name"),
        "status": status,
        "note": note,
    }
    probe = Notification(
        recipient=User(email="bench@bench.example"),
        kind="application_status",
        language=language,
        url=url,
        context=context,
    )
    title, body = render_text(probe, language)
    return title, body, url
