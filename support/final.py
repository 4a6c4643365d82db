"""Records that are final once written: decisions, submitted reviews and their scores, payments.

Nobody edits or deletes them, superusers included. Three layers say so: the admin (no change or
delete permission, read-only pages), the ORM (the mixins below raise `FinalRecordError`), and on
PostgreSQL the database itself (triggers of migration 0011 refuse UPDATE and DELETE). A mistake is
corrected by a new record (a note, a new review round, a correcting entry), never by rewriting one.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext_lazy as _


class FinalRecordError(PermissionDenied):
    """A final record was about to be changed or deleted (a 403 if it ever reaches a view)."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or _("This record is final: it cannot be changed or deleted."))


class FinalQuerySet(models.QuerySet):
    """Bulk writes over final rows: inserts only."""

    def update(self, **kwargs: Any) -> int:
        raise FinalRecordError()

    def delete(self) -> tuple[int, dict[str, int]]:
        raise FinalRecordError()


class FinalRecord(models.Model):
    """A row written once: `save()` inserts, and never updates; `delete()` refuses."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise FinalRecordError()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise FinalRecordError()
