"""The support programmes' part of the API: programmes and applications.

Included under /api/v1/ by config/urls.py."""

from __future__ import annotations

from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("programmes", api.SupportProgramViewSet, basename="programme")
router.register("applications", api.ApplicationViewSet, basename="application")

urlpatterns = router.urls
