"""API plumbing shared by every app: pagination with a count, and one error shape."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import JSONParser as DRFJSONParser
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from portal.http.pagination import LargeTablePaginator
from portal.i18n.digits import NumberFormatError, parse_number, to_ascii_digits


class JSONParser(DRFJSONParser):
    """DRF's JSON parser, refusing as malformed what would otherwise end as a server error.

    A body nested past Python's recursion limit, and a NUL character in any string: PostgreSQL
    refuses NUL in text, and a value that reaches a lookup (a slug, a country code) unvalidated
    would raise there.
    """

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError("JSON parse error - nested too deeply") from None
        if _contains_nul(data):
            raise exceptions.ParseError("JSON parse error - NUL character in a string")
        return data


def _contains_nul(data: Any) -> bool:
    pending = [data]
    while pending:  # a loop, not recursion: the body may be nested as deep as the parser allowed
        item = pending.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


@extend_schema_field({"type": "string", "anyOf": [{"format": "uri"}, {"maxLength": 0}]})
class OptionalURLField(serializers.CharField):
    """A read-only URL, or "" when none was given: the schema says so ("" is not a valid "uri")."""


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 100


class LargeListPagination(Pagination):
    """For collections of 100,000 rows: counts stop at a cap or become the planner's estimate.

    `count_kind` says which: "exact", "estimate" (the planner's, past the cap) or "at_least" (a
    search counted only up to its cap: more follow, and the count grows as the pages are read)."""

    django_paginator_class = LargeTablePaginator

    def get_paginated_response(self, data: Any) -> Response:
        paginator = self.page.paginator
        kind = "at_least" if paginator.at_least else "estimate" if paginator.estimated else "exact"
        return Response(
            {
                "count": paginator.count,
                "count_kind": kind,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,  # last: the products list writes its cached entries here as they are
            }
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        paginated = super().get_paginated_response_schema(schema)
        properties = paginated["properties"]
        kind = {
            "type": "string",
            "enum": ["exact", "estimate", "at_least"],
            "description": "Whether `count` is exact, the database's estimate, or a lower bound.",
        }
        paginated["properties"] = {"count": properties["count"], "count_kind": kind, **properties}
        paginated["required"] = [*paginated.get("required", []), "count_kind"]
        return paginated


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Give every error one shape: {"error": {"code", "message", "fields"}}."""
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        # Keep the service's own explanation ("Only approved brokerages can publish offers.").
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = response.data if isinstance(response.data, dict) else {"non_field_errors": response.data}
        message = str(exceptions.ValidationError.default_detail)
        code = "invalid"
    else:
        fields = {}
        message = str(getattr(exc, "detail", exc))
        code = getattr(exc, "default_code", "error")
    response.data = {"error": {"code": code, "message": message, "fields": fields}}
    return response


class DigitsInputMixin:
    """Turn Persian and Arabic-Indic digits in `digit_fields` into ASCII before validation."""

    digit_fields: tuple[str, ...] = ()

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        if isinstance(data, dict):  # a JSON object or a QueryDict
            data = data.copy()
            for key in self.digit_fields:
                if isinstance(data.get(key), str):
                    data[key] = to_ascii_digits(data[key])
        return super().to_internal_value(data)


class LocalizedDecimalField(serializers.DecimalField):
    """A decimal typed in any digits and separators, read as the forms read it
    (portal.i18n.digits.parse_number): "1,25" is 1.25, "۱۲٬۵۰۰" is 12500, "1,2,3" a clear error."""

    default_error_messages = {
        "number_format": _(
            "Write decimals with a point (1.25 or ۱٫۲۵) and group thousands in threes (12,500 or ۱۲٬۵۰۰)."
        )
    }

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, str) and data.strip():
            try:
                data = parse_number(data)
            except NumberFormatError:
                self.fail("number_format")
        return super().to_internal_value(data)
