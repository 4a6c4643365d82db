from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BrokersConfig(AppConfig):
    name = "brokers"
    verbose_name = _("Brokers")

    def ready(self) -> None:
        from portal.uploads import media

        from .permissions import can_see_attachment, can_see_licence_file

        media.register_public("brokers/logos")
        media.register_private("brokers/licences", can_see_licence_file)
        media.register_private("offers/attachments", can_see_attachment)

        from portal.home import register_figure
        from portal.http.page_cache import (
            parent_shown,
            register_public_models,
            register_staff_models,
            status_shown,
        )

        from .models import Broker, BrokerService, Offer, OfferAttachment, ServiceType

        # Draft offers and brokerages awaiting approval show nowhere public.
        offer_shown = status_shown(Offer.Status.OPEN)
        register_public_models(Broker, shown=status_shown(Broker.Status.APPROVED))
        register_public_models(Offer, shown=offer_shown)
        register_public_models(OfferAttachment, shown=parent_shown("offer", offer_shown))
        register_public_models(ServiceType, BrokerService)
        register_staff_models(Broker)

        register_figure(
            "brokers",
            _("licensed export brokers"),
            lambda: Broker.objects.publishing().count(),
            "brokers:directory",
        )
        register_figure(
            "offers", _("open offers"), lambda: Offer.objects.public().count(), "brokers:offer_board"
        )
