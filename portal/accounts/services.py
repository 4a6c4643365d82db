from __future__ import annotations

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from portal.db import save_unique
from portal.enqueue import enqueue_on_commit
from portal.models import Language, User
from portal.notifications.services import notify


class SignupTokenGenerator(PasswordResetTokenGenerator):
    """One-use links that confirm a new account's e-mail address (void once the account is active)."""

    key_salt = "portal.accounts.services.SignupTokenGenerator"

    def _make_hash_value(self, user: User, timestamp: int) -> str:
        return f"{user.pk}{user.password}{user.is_active}{user.email}{timestamp}"


signup_token_generator = SignupTokenGenerator()


def _email_queue(*, template: str, language: str, to: str, context: dict[str, object]) -> None:
    from portal.tasks import email_send

    with translation.override(language):
        subject = " ".join(render_to_string(f"emails/{template}_subject.txt", context).split())
        body = render_to_string(f"emails/{template}_body.txt", context)
    enqueue_on_commit(email_send, subject=subject, body=body, to=[to])


@transaction.atomic
def user_signup(
    *,
    email: str,
    password: str,
    full_name: str,
    phone: str = "",
    preferred_language: str = Language.PERSIAN,
) -> None:
    """Sign-up that never tells whether an address has an account: the answer is the same either way.

    A new address gets an inactive account and a link that confirms it; the owner of an address that
    already has an account gets a note instead (a fresh link, if that account was never confirmed).
    """
    email = email.lower()
    existing = User.objects.filter(email__iexact=email).first()
    if existing is None:
        user = User(
            email=email,
            full_name=full_name,
            phone=phone,
            preferred_language=preferred_language,
            is_active=False,
        )
        user.set_password(password)
        user.full_clean(exclude=["password"])
        try:
            save_unique(user)
        except ValidationError:
            # The same address signed up a moment ago, in another request: that one sends the
            # link, and this one answers the same as ever.
            return
        signup_confirmation_send(user=user)
    elif not existing.is_active and existing.last_login is None:
        signup_confirmation_send(user=existing)
    else:
        _email_queue(
            template="signup_existing",
            language=existing.preferred_language,
            to=existing.email,
            context={
                "full_name": existing.full_name,
                "login_url": settings.SITE_URL + _in_language(existing.preferred_language, "login"),
                "reset_url": settings.SITE_URL + _in_language(existing.preferred_language, "password_reset"),
            },
        )


def _in_language(language: str, name: str, **kwargs: object) -> str:
    with translation.override(language):
        return reverse(name, kwargs=kwargs or None)


def signup_confirmation_send(*, user: User) -> None:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = signup_token_generator.make_token(user)
    url = settings.SITE_URL + _in_language(user.preferred_language, "signup_confirm", uidb64=uid, token=token)
    _email_queue(
        template="signup_confirm",
        language=user.preferred_language,
        to=user.email,
        context={"full_name": user.full_name, "url": url},
    )


@transaction.atomic
def user_activate(*, user: User) -> User:
    """Confirm a new account's address: it may log in from now on, and is greeted."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
        notify(recipient=user, kind="welcome", url="/", context={"full_name": user.full_name})
    return user


def user_update_profile(*, user: User, **fields: object) -> User:
    """Change the profile fields a user may edit themselves."""
    allowed = {"full_name", "phone", "preferred_language", "email_notifications"}
    if user.is_staff:
        allowed.add("away_until")  # staff say when they are away, so no work is routed to them
    for name, value in fields.items():
        if name not in allowed:
            raise TypeError(f"unexpected field {name}")
        setattr(user, name, value)
    user.full_clean(exclude=["password"])
    user.save(update_fields=list(fields))
    return user
