from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResultsConfig(AppConfig):
    name = "results"
    verbose_name = _("Export results")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from brokers.models import Offer, OfferResponse
        from deals.models import Deal, DealLine, DealPartner, Payment, Shipment, Status
        from portal.http.page_cache import register_public_models, register_staff_models, status_shown

        from .figures import RESULTS

        # The cached figures (results/figures.py) go stale with any row they count; a co-broker
        # joining a deal re-splits its credits (written in bulk, without signals of their own).
        for model in (Deal, DealLine, DealPartner, Payment, Shipment, Offer, OfferResponse):
            uid = f"results_figures_{model._meta.label_lower}"
            post_save.connect(RESULTS.changed, sender=model, weak=False, dispatch_uid=uid)
            post_delete.connect(RESULTS.changed, sender=model, weak=False, dispatch_uid=f"{uid}_delete")

        # The public results page counts shipped and paid deals and sums the payments: a deal
        # reaching (or leaving) those states, a shipment or a payment makes the cached pages stale.
        register_public_models(Payment, Shipment)
        register_public_models(Deal, shown=status_shown(Status.SHIPPED, Status.PAID, Status.CLOSED))
        # A brokerage's public results are its credited shares: a co-broker joining re-splits them.
        register_public_models(DealPartner)
        # The staff dashboard's funnel reads offers and responses too (applications and grants are
        # registered by support).
        register_staff_models(Deal, DealPartner, Payment, Shipment, Offer, OfferResponse)
