"""API plumbing shared by every app: pagination with a count, and one error shape."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .digits import NumberFormatError, parse_number, to_ascii_digits
from .pagination import LargeTablePaginator


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 100


class LargeListPagination(Pagination):
    """For collections of 100,000 rows: counts stop at a cap or become the planner's estimate."""

    django_paginator_class = LargeTablePaginator


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
    (portal.digits.parse_number): "1,25" is 1.25, "۱۲٬۵۰۰" is 12500, "1,2,3" a clear error."""

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
