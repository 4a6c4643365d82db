from __future__ import annotations

from django.db import transaction

from .models import Language, User
from .notifications import notify


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
    user.save()
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
