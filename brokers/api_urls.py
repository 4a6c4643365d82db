"""The brokers' part of the API: brokerages, offers and the responses to them, the inquiry inbox.

Included under /api/v1/ by config/urls.py."""

from __future__ import annotations

from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()

router.register("brokers", api.BrokerViewSet, basename="broker")

router.register("offers", api.OfferViewSet, basename="offer")

router.register(
    r"offers/(?P<offer_pk>[0-9]+)/responses",
    api.OfferResponsesOfOfferViewSet,
    basename="offer-responses-of-offer",
)

router.register("offer-responses", api.OfferResponseViewSet, basename="offer-response")

router.register("engagements", api.EngagementViewSet, basename="engagement")

router.register("inquiries", api.InquiryViewSet, basename="inquiry")

router.register("mandates", api.MandateViewSet, basename="mandate")

router.register("referrals", api.ReferralViewSet, basename="referral")

router.register("offer-partners", api.OfferPartnerViewSet, basename="offer-partner")

urlpatterns = router.urls
