from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupportConfig(AppConfig):
    name = "support"
    verbose_name = _("Support")

    def ready(self) -> None:
        from portal.uploads import media

        from .permissions import can_see_document_file

        media.register_private("support/documents", can_see_document_file)

        # A shipment's papers: besides deals' own rule, the reviewers of the applications citing it.
        from .evidence import can_see_cited_file

        media.register_private("deals/invoices", can_see_cited_file)
        media.register_private("deals/transport", can_see_cited_file)

        from portal.home import register_figure
        from portal.http.page_cache import register_public_models, register_staff_models

        from .models import (
            Application,
            ApplicationEvidence,
            DocumentType,
            Payment,
            Review,
            ReviewAssignment,
            ReviewCriterion,
            SupportProgram,
        )

        register_public_models(SupportProgram, ReviewCriterion, DocumentType)
        register_staff_models(
            Application, ApplicationEvidence, ReviewAssignment, Review, Payment, SupportProgram
        )

        # The dashboard's cached figures go stale with any saved or deleted application.
        from django.db.models.signals import post_delete, post_save

        from .admin_views import FIGURES
        from .models import Application

        post_save.connect(FIGURES.changed, sender=Application, weak=False, dispatch_uid="dashboard_saved")
        post_delete.connect(FIGURES.changed, sender=Application, weak=False, dispatch_uid="dashboard_deleted")

        # An application's products are part of what was applied for (and granted): a product
        # named on one is archived by its company, not deleted (products.admin says so first).
        from django.db.models.signals import pre_delete

        from products.models import Product

        pre_delete.connect(_product_kept, sender=Product, weak=False, dispatch_uid="product_kept")

        register_figure(
            "programs", _("support programmes open now"),
            lambda: SupportProgram.objects.open_on().count(), "support:program_list",
        )  # fmt: skip


def _product_kept(sender: type, instance: object, **kwargs: object) -> None:
    from django.db.models import ProtectedError

    from .models import Application

    named = list(Application.objects.filter(products=instance)[:10])
    if named:
        raise ProtectedError(
            _("A product named on an application cannot be deleted: archive it instead."), set(named)
        )
