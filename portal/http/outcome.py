"""A one-click action's outcome, said as messages: the pattern of every button that posts a step
(publish, accept, revoke...) and returns to the page it came from."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import redirect


def redirect_after(
    request: HttpRequest, act: Callable[[], object], *, done: str, to: Any, refused_to: Any = None
) -> HttpResponseRedirect:
    """Run `act()` and redirect to `to`: with `done` as the success message, or, when it raises a
    ValidationError, with each of its messages as an error (and to `refused_to`, when given)."""
    try:
        act()
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(to if refused_to is None else refused_to)
    messages.success(request, done)
    return redirect(to)
