from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResultsConfig(AppConfig):
    name = "results"
    verbose_name = _("Export results")

    def ready(self) -> None:
        from brokers.models import Offer, OfferResponse
        from deals.models import Deal, Payment, Shipment, Status
        from portal.http.page_cache import register_public_models, register_staff_models, status_shown

        # The public results page counts shipped and paid deals and sums the payments: a deal
        # reaching (or leaving) those states, a shipment or a payment makes the cached pages stale.
        register_public_models(Payment, Shipment)
        register_public_models(Deal, shown=status_shown(Status.SHIPPED, Status.PAID, Status.CLOSED))
        # The staff dashboard's funnel reads offers and responses too (applications and grants are
        # registered by support).
        register_staff_models(Deal, Payment, Shipment, Offer, OfferResponse)
