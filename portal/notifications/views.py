"""The notification pages: the list, opening one, marking all read."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from portal.i18n.paths import path_in_language
from portal.models import Notification
from portal.notifications.services import notifications_mark_read


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    notifications = Notification.objects.filter(recipient=request.user).select_related("recipient")
    if request.GET.get("unread") == "1":
        notifications = notifications.unread()
    page = Paginator(notifications, 20).get_page(request.GET.get("page"))
    return render(request, "portal/notification_list.html", {"page_obj": page})


@login_required
@require_POST
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    notifications_mark_read(user=request.user, notification_ids=[notification.pk])
    target = notification.url
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return redirect(path_in_language(target, translation.get_language()))
    return redirect("notification_list")


@login_required
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    count = notifications_mark_read(user=request.user)
    messages.success(request, _("%(count)d notifications marked as read.") % {"count": count})
    return redirect("notification_list")
