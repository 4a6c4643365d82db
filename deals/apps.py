from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DealsConfig(AppConfig):
    name = "deals"
    verbose_name = _("Deals")

    def ready(self) -> None:
        from portal.uploads import media

        from .permissions import can_see_shipment_file

        # A shipment's invoice and bill of lading are the deal's parties' and the centre's only.
        media.register_private("deals/invoices", can_see_shipment_file)
        media.register_private("deals/transport", can_see_shipment_file)

        from brokers.results import register_results

        from .selectors import broker_results

        # The brokers' pages show a brokerage's verified results, computed here from its credits.
        register_results(broker_results)

        from brokers.mandates import register_revoke_hook

        from .services import mandate_invitations_withdraw

        # A revoked mandate withdraws the co-broker invitations sent on the deals opened under it.
        register_revoke_hook(mandate_invitations_withdraw)
