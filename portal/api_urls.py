"""The shared core's part of the API: target countries and the caller's notifications.

Included under /api/v1/ by config/urls.py."""

from __future__ import annotations

from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("countries", api.TargetCountryViewSet, basename="country")
router.register("notifications", api.NotificationViewSet, basename="notification")

urlpatterns = router.urls
