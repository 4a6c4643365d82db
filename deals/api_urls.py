"""The deals' part of the API. Included under /api/v1/ by config/urls.py."""

from __future__ import annotations

from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("deals", api.DealViewSet, basename="deal")
router.register("deal-partners", api.DealPartnerViewSet, basename="deal-partner")

urlpatterns = router.urls
