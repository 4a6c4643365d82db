from __future__ import annotations

from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")
    default = True

    def ready(self) -> None:
        from axes.signals import user_locked_out
        from django.contrib.auth.models import Group
        from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

        from portal.accounts import security_log, two_factor
        from portal.http.page_cache import register_public_models, register_staff_models
        from portal.models import TargetCountry, User

        register_public_models(TargetCountry)
        # Staff pages name people and countries, and show what the user's groups permit.
        register_staff_models(TargetCountry, User, Group)
        user_logged_in.connect(security_log.on_logged_in, dispatch_uid="portal.security.login")
        user_logged_in.connect(
            two_factor.mark_pending_on_login, dispatch_uid="portal.accounts.two_factor.pending"
        )
        user_logged_out.connect(security_log.on_logged_out, dispatch_uid="portal.security.logout")
        user_login_failed.connect(security_log.on_login_failed, dispatch_uid="portal.security.failed")
        user_locked_out.connect(security_log.on_locked_out, dispatch_uid="portal.security.locked_out")
        connection_created.connect(_fold_sqlite_like, dispatch_uid="portal.i18n.fold.sqlite_like")


def _fold_sqlite_like(sender, connection, **kwargs) -> None:  # noqa: ANN001 - a signal receiver
    """On SQLite, LIKE folds both sides as searches do on PostgreSQL (portal.i18n.fold)."""
    if connection.vendor == "sqlite":
        from portal.i18n.fold import sqlite_like

        for arguments in (2, 3):  # LIKE, and LIKE ... ESCAPE
            connection.connection.create_function("like", arguments, sqlite_like, deterministic=True)
