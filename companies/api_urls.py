"""The companies' part of the API.

Included under /api/v1/ by config/urls.py."""

from __future__ import annotations

from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("companies", api.CompanyViewSet, basename="company")

urlpatterns = router.urls
