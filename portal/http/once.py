"""Creation forms that create once, however often they are sent.

Each creation form carries a one-time token in a hidden field (`{% form_token %}`, from
portal_tags). The view creates the object inside `create_once()`, which inserts the token's
`FormSubmission` row in the same transaction as the object and records the object's page. A second
POST with the same token (a double click, the back button and "save" again, a browser re-sending)
finds the row and is sent to what the first one created instead of making another. Two copies
sent at the same moment queue on the row's primary key: the second waits for the first to commit,
then sees it. A form that failed validation used nothing up: its token stays valid.

A POST without a token (the JSON API, an old page) is served as before.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from portal.models import FormSubmission

FIELD = "form_token"
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


def new_token() -> str:
    return secrets.token_urlsafe(24)


def posted_token(request: HttpRequest) -> str:
    token = request.POST.get(FIELD, "") if request.method == "POST" else ""
    return token if _TOKEN.match(token) else ""


class AlreadySubmitted(Exception):  # noqa: N818 - not an error: the work is done
    """This form was sent before; `url` is the page of what it created."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.url = url


@contextmanager
def create_once(request: HttpRequest) -> Iterator[Callable[[str], None]]:
    """Run the creation in the block; call the yielded function with the new object's URL.

    Raises AlreadySubmitted when the token was used already (by the same person)."""
    token = posted_token(request)
    user = request.user if request.user.is_authenticated else None
    with transaction.atomic():
        if not token:
            yield lambda url: None
            return
        try:
            with transaction.atomic():
                submission = FormSubmission.objects.create(token=token, user=user)
        except IntegrityError:
            done = FormSubmission.objects.filter(token=token).first()
            if done is not None and done.user_id == (user.pk if user else None):
                raise AlreadySubmitted(done.url) from None
            raise ValidationError(_("This form has expired. Please send it again."), code="stale") from None

        def record(url: str) -> None:
            submission.url = url[:500]
            submission.save(update_fields=["url"])

        yield record


def already_submitted(request: HttpRequest, done: AlreadySubmitted) -> HttpResponseRedirect:
    """Where a repeated form goes: to what its first sending created, with a word about it."""
    messages.info(request, _("This form had already been sent; here is what it created."))
    return redirect(done.url or "/")


def form_tokens_prune(*, before: datetime) -> int:
    """Forget used form tokens older than `before`; return how many."""
    deleted, _ = FormSubmission.objects.filter(created_at__lt=before).delete()
    return deleted
