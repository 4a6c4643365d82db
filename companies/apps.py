from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CompaniesConfig(AppConfig):
    name = "companies"
    verbose_name = _("Companies")

    def ready(self) -> None:
        from portal.uploads import media

        from .permissions import can_see_certificate_file

        media.register_public("companies/logos")

        from portal.home import register_figure
        from portal.http.page_cache import register_public_models, register_staff_models, status_shown

        from .models import Company

        register_public_models(Company, shown=status_shown(Company.Status.VERIFIED))  # not pending ones
        register_staff_models(Company)

        register_figure(
            "companies", _("verified knowledge-based companies"),
            lambda: Company.objects.verified().count(), "companies:directory",
        )  # fmt: skip
        media.register_private("companies/certificates", can_see_certificate_file)
