"""The catalog in the API: categories, certifications and products. Company members create and
change their own company's products here through the same services as the HTML pages."""

from __future__ import annotations

from functools import partial

import django_filters as filters
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from companies.permissions import can_act_for_own_company, company_of
from portal.access import Access, WriteAccess
from portal.http.page_cache import CachedPublicListMixin
from portal.http.pagination import LargeTablePaginator
from portal.models import User
from portal.rest.entries import IdPageListMixin, entries_renderers
from portal.rest.plumbing import LargeListPagination

from . import services
from .filters import ProductFilter
from .models import Certification, Product, ProductCategory, ProductCertification
from .serializers import (
    CategorySerializer,
    CertificationSerializer,
    ProductInputSerializer,
    ProductSerializer,
)
from .views import CATALOG_COUNT_CAP

READ_ACTIONS = {"list", "retrieve"}


class CategoryViewSet(viewsets.ReadOnlyModelViewSet):
    """Product categories, in catalog order."""

    queryset = ProductCategory.objects.all()
    serializer_class = CategorySerializer
    lookup_field = "slug"
    search_fields = ["name_fa", "name_en"]
    ordering_fields = ["position", "name_en"]


class CertificationViewSet(viewsets.ReadOnlyModelViewSet):
    """Kinds of certificate a product can hold (CE, FDA EUA, ISO 13485...)."""

    queryset = Certification.objects.all()
    serializer_class = CertificationSerializer
    lookup_field = "code"
    search_fields = ["code", "name_fa", "name_en"]
    ordering_fields = ["name_en", "code"]


class ProductApiFilter(ProductFilter):
    """The catalog's FilterSet, with `search` as the API's name for the text search."""

    search = filters.CharFilter(label=_("Search"), method="filter_search")


class CatalogPagination(LargeListPagination):
    """Counted as the catalog counts: exactly up to CATALOG_COUNT_CAP products, beyond that the
    planner's estimate (a ranked search counts its own way: products.search.RankedResults)."""

    django_paginator_class = partial(LargeTablePaginator, cap=CATALOG_COUNT_CAP)


class ProductViewSet(
    CachedPublicListMixin, IdPageListMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Public products of verified companies, plus every product of the caller's own company.

    Writes reach only the caller's company's products (anything else is a 404). There is no
    DELETE: archiving takes a product out of the catalog instead."""

    queryset = Product.objects.none()  # for the schema; requests use get_queryset()
    serializer_class = ProductSerializer
    permission_classes = [WriteAccess]  # anyone reads; members of an active company write
    filter_backends = [DjangoFilterBackend]  # ProductFilter brings its own search and ordering
    filterset_class = ProductApiFilter
    pagination_class = CatalogPagination
    # JSON answers write the list's cached entries as they are (portal/rest/entries.py).
    renderer_classes = entries_renderers()
    entries_kind = "product"

    def write_access(self, user: User) -> Access:
        return can_act_for_own_company(user)

    def get_queryset(self) -> QuerySet[Product]:
        if getattr(self, "swagger_fake_view", False):
            return Product.objects.none()
        if self.action == "list":
            # The ids of a page, filtered and ordered (or ranked) as the list asks: one narrow
            # query, no model instances; the entries come from the cache (IdPageListMixin).
            return self._allowed().values_list("pk", flat=True)
        return self.readable()

    def readable(self) -> QuerySet[Product]:
        """The products the caller may read (or write), with what the serializer shows."""
        certificates = ProductCertification.objects.select_related("certification")
        return (
            self._allowed()
            .for_listing()
            .prefetch_related(Prefetch("certifications", queryset=certificates), "registered_countries")
        )

    def _allowed(self) -> QuerySet[Product]:
        user = self.request.user
        if self.action in READ_ACTIONS:
            return Product.objects.visible_to(user)
        return Product.objects.of_company(company_of(user))

    def filter_queryset(self, queryset: QuerySet[Product]) -> QuerySet[Product]:
        # Catalog filters narrow the list; a query string must not hide the product of a detail
        # or a write (and a ranked search is a list, not a queryset to get() from).
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)

    def _respond(self, product: Product, status_code: int = status.HTTP_200_OK) -> Response:
        # Fetch again so the answer shows the saved state with its relations prefetched.
        product = self.readable().get(pk=product.pk)
        return Response(self.get_serializer(product).data, status=status_code)

    @extend_schema(request=ProductInputSerializer, responses={201: ProductSerializer})
    def create(self, request: Request) -> Response:
        """Create a draft product for the caller's company."""
        data = ProductInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        product = services.product_create(company=company_of(request.user), **data.validated_data)
        return self._respond(product, status.HTTP_201_CREATED)

    @extend_schema(request=ProductInputSerializer, responses=ProductSerializer)
    def update(self, request: Request, pk: str | None = None, *, partial: bool = False) -> Response:
        """Change a product of the caller's company (PATCH sends only the fields to change)."""
        product = self.get_object()
        data = ProductInputSerializer(product, data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        product = services.product_update(product=product, **data.validated_data)
        return self._respond(product)

    @extend_schema(request=ProductInputSerializer, responses=ProductSerializer)
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        """Change some fields of a product of the caller's company."""
        return self.update(request, pk, partial=True)

    @extend_schema(request=None, responses=ProductSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str | None = None) -> Response:
        """Publish a product; it is public once its company is verified."""
        return self._respond(services.product_publish(product=self.get_object()))

    @extend_schema(request=None, responses=ProductSerializer)
    @action(detail=True, methods=["post"])
    def archive(self, request: Request, pk: str | None = None) -> Response:
        """Take a product out of the catalog without deleting it."""
        return self._respond(services.product_archive(product=self.get_object()))
