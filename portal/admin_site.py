"""The admin site: staff enter only with a verified second factor (portal/accounts/two_factor.py);
values are shown in the reader's language (portal/admin_display.py)."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest


class PortalAdminSite(admin.AdminSite):
    login_form = None  # set in ready(): the lockout-aware form lives in portal.forms

    def has_permission(self, request: HttpRequest) -> bool:
        from portal.accounts.two_factor import is_verified

        # The middleware already sends unverified staff to the second-factor step; this refuses
        # them even where it does not run (defence in depth).
        return super().has_permission(request) and is_verified(request.user)


class PortalAdminConfig(AdminConfig):
    default_site = "portal.admin_site.PortalAdminSite"

    def ready(self) -> None:
        from portal.admin_display import install

        install()  # before super() registers the admins, which copy the form field defaults
        super().ready()
        from portal.accounts.forms import AdminLoginForm

        admin.site.login_form = AdminLoginForm
