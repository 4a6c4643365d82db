"""The Content-Security-Policy header, built once per policy instead of twice per response.

django-csp's middleware rebuilds the policy string from the settings for every response, once for
the enforced header and once for the report-only one (copying and sorting every directive): about a
quarter of the cost of the cheapest page. The string only changes with the settings, a view's own
policy (`@csp_update`, `@csp_replace`, `@csp_override`) or a nonce. Responses with a policy or a
nonce of their own go through django-csp unchanged; every other response gets the strings built
the first time, under the same rules (exempt views, excluded prefixes, a view's own header, debug
pages).
"""

from __future__ import annotations

import http.client
from typing import TYPE_CHECKING

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as DjangoCSPMiddleware
from csp.utils import build_policy
from django.conf import settings

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponseBase

_VIEW_POLICY = (
    "_csp_config", "_csp_update", "_csp_replace", "_csp_config_ro", "_csp_update_ro", "_csp_replace_ro",
)  # fmt: skip
_DEBUG_CODES = (http.client.INTERNAL_SERVER_ERROR, http.client.NOT_FOUND)


class CSPMiddleware(DjangoCSPMiddleware):
    """django-csp's middleware, keeping the site's policy strings between responses."""

    _built_for: tuple[object, object] | None = None
    _built: tuple[str, str] = ("", "")

    def site_policy(self) -> tuple[str, str]:
        """The enforced and report-only headers of the settings, rebuilt when the settings change.

        The setting objects are compared by identity: they are kept here, so their ids cannot be
        reused, and `override_settings` swaps in new objects."""
        source = (
            getattr(settings, "CONTENT_SECURITY_POLICY", None),
            getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None),
        )
        built_for = self._built_for
        if built_for is None or built_for[0] is not source[0] or built_for[1] is not source[1]:
            self._built = (build_policy(), build_policy(report_only=True))
            self._built_for = source
        return self._built

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        if getattr(request, "_csp_nonce", None) is not None or any(
            getattr(response, name, None) is not None for name in _VIEW_POLICY
        ):
            return super().process_response(request, response)
        if response.status_code in _DEBUG_CODES and settings.DEBUG:
            return response
        enforced, report_only = self.site_policy()
        self._set(request, response, HEADER, enforced, "_csp_exempt", "CONTENT_SECURITY_POLICY")
        self._set(
            request, response, HEADER_REPORT_ONLY, report_only, "_csp_exempt_ro",
            "CONTENT_SECURITY_POLICY_REPORT_ONLY",
        )  # fmt: skip
        # As django-csp does: a nonce asked for after the header is written is an error.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response

    @staticmethod
    def _set(
        request: HttpRequest, response: HttpResponseBase, header: str, value: str, exempt: str, setting: str
    ) -> None:
        if not value or header in response or getattr(response, exempt, False):
            return
        prefixes = (getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES") or ()
        if not request.path_info.startswith(tuple(prefixes)):
            response[header] = value
