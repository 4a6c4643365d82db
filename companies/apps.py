from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CompaniesConfig(AppConfig):
    name = "companies"
    verbose_name = _("Companies")

    def ready(self) -> None:
        from portal import media

        from .permissions import can_see_certificate_file

        media.register_public("companies/logos")
        media.register_private("companies/certificates", can_see_certificate_file)
