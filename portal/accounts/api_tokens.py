"""API tokens for integrations (django-rest-knox, with our `ApiToken` model swapped in).

A token acts with exactly its user's permissions, can be given an expiry, is revocable, is shown
once and stored only as a SHA-512 digest. Requests carry it as `Authorization: Token exp_…`.
Wrong tokens count against the caller's address in the shared lockout policy (portal/accounts/lockout.py).
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from knox.auth import TokenAuthentication
from rest_framework import exceptions

from portal.accounts.lockout import ADDRESS, door_failed, door_is_open, lockout_message
from portal.accounts.security_log import security_event_record
from portal.models import ApiToken, SecurityEvent, User

LAST_USED_PRECISION = timedelta(minutes=5)  # at most one write per token in this time


def api_token_create(*, request, user: User, name: str, expires_in_days: int | None) -> tuple[ApiToken, str]:
    """Create a named token for `user`; return it and the raw token (never stored, shown once)."""
    expiry = timedelta(days=expires_in_days) if expires_in_days else None
    token, raw = ApiToken.objects.create(user=user, expiry=expiry, name=name.strip())
    security_event_record(request, SecurityEvent.Kind.TOKEN_CREATED, user=user, detail=token.name)
    return token, raw


def api_token_revoke(*, request, user: User, token_key: str) -> bool:
    """Revoke the user's token with this key; False when the user has no such token."""
    token = ApiToken.objects.filter(user=user, token_key=token_key).first()
    if token is None:
        return False
    token.delete()
    security_event_record(request, SecurityEvent.Kind.TOKEN_REVOKED, user=user, detail=token.name)
    return True


class ApiTokenAuthentication(TokenAuthentication):
    """knox's token authentication, behind the lockout policy, recording when a token was last used."""

    def authenticate(self, request):
        django_request = request._request
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header.lower().startswith(self.authenticate_header(request).lower() + " "):
            return super().authenticate(request)  # no token (or a malformed header): knox decides
        if not door_is_open(django_request, counters=(ADDRESS,)):
            raise exceptions.Throttled(detail=lockout_message())
        try:
            user, token = super().authenticate(request)
        except exceptions.AuthenticationFailed:
            door_failed(django_request, door="api_token", counters=(ADDRESS,))
            security_event_record(django_request, SecurityEvent.Kind.LOGIN_FAILED, detail="API token")
            raise
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_PRECISION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return user, token

    def authenticate_credentials(self, token):
        try:
            return super().authenticate_credentials(token)
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """Documents the token in the OpenAPI schema as a security scheme."""

    target_class = "portal.accounts.api_tokens.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                "A personal API token, created on the website under My profile → API tokens. "
                'Send it as `Authorization: Token <token>` (the token starts with "exp_"). '
                "It acts with the permissions of the person who created it and can be revoked there."
            ),
        }
