"""The catalog's part of the API: categories, certifications, products.

Included under /api/v1/ by config/urls.py."""

from __future__ import annotations

from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("categories", api.CategoryViewSet, basename="category")
router.register("certifications", api.CertificationViewSet, basename="certification")
router.register("products", api.ProductViewSet, basename="product")

urlpatterns = router.urls
