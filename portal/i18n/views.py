"""The language switch."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from portal.accounts.services import user_update_profile
from portal.i18n.languages import STAFF_LANGUAGES


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch, which also remembers the choice on the user's profile (Persian or
    English: Arabic and Russian are for the public pages, the account keeps its own)."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    if (
        language in dict(settings.LANGUAGES)
        and language in STAFF_LANGUAGES
        and request.user.is_authenticated
        and request.user.preferred_language != language
    ):
        user_update_profile(user=request.user, preferred_language=language)
    return response
