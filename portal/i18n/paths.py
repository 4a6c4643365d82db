"""Language prefixes in paths (/fa/..., /en/...)."""

from __future__ import annotations

from django.conf import settings


def path_in_language(path: str, language: str) -> str:
    """The same page in `language`: swaps a leading /fa/, /en/, /ar/ or /ru/ (paths without one stay
    as they are).

    Django's translate_url() only resolves paths in the active language; notifications store paths
    written in their recipient's language and are opened or e-mailed in another.
    """
    for code, _name in settings.LANGUAGES:
        prefix = f"/{code}/"
        if path.startswith(prefix):
            return f"/{language}/{path[len(prefix) :]}"
    return path
