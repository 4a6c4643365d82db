from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from .db import save_unique
from .models import Language, StatusDecision, User, bilingual
from .notifications import notify, notify_members


@transaction.atomic
def user_register(
    *,
    email: str,
    password: str,
    full_name: str,
    phone: str = "",
    preferred_language: str = Language.PERSIAN,
) -> User:
    """Create an account and greet it with a welcome notification."""
    user = User(email=email.lower(), full_name=full_name, phone=phone, preferred_language=preferred_language)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    save_unique(user)  # two sign-ups with one address at once: the second gets the field error
    notify(recipient=user, kind="welcome", url="/", context={"full_name": full_name})
    return user


def user_update_profile(*, user: User, **fields: object) -> User:
    """Change the profile fields a user may edit themselves."""
    allowed = {"full_name", "phone", "preferred_language", "email_notifications"}
    for name, value in fields.items():
        if name not in allowed:
            raise TypeError(f"unexpected field {name}")
        setattr(user, name, value)
    user.full_clean(exclude=["password"])
    user.save(update_fields=list(fields))
    return user


def organisation_status_set(
    *, organisation: StatusDecision, status: str, by: User, note: str, kind: str
) -> StatusDecision:
    """Lock the row, record the decision and tell every member (`kind` names the e-mail).

    A decision that changes nothing records nothing and notifies no one, so running an admin
    action twice is harmless. Call inside a transaction.
    """
    model = type(organisation)
    organisation = model.objects.select_for_update().get(pk=organisation.pk)
    if organisation.status == status:
        return organisation
    organisation.status = status
    organisation.status_note = note
    organisation.status_changed_at = timezone.now()
    organisation.status_changed_by = by
    organisation.save(
        update_fields=["status", "status_note", "status_changed_at", "status_changed_by", "updated_at"]
    )
    notify_members(
        organisation,
        kind=kind,
        url=organisation.get_absolute_url(),
        context={model._meta.model_name: bilingual(organisation, "name"), "note": note},
    )
    return organisation
