"""Support in the API: published programmes for everyone, and a company's own applications.

Company members draft, change, submit and withdraw their applications here through the same
services and workflow functions as the HTML pages; the workflow decides who may do what, and its
refusals come back in the API's single error shape (403 for who, 400 for when)."""

from __future__ import annotations

import django_filters as filters
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from companies.permissions import can_act_for_own_company, company_of
from portal.access import ALLOWED, Access, WriteAccess
from portal.models import User

from . import services, workflow
from .models import Application, ApplicationDocument, ApplicationEvidence, SupportProgram
from .serializers import (
    ApplicationCreateSerializer,
    ApplicationEventSerializer,
    ApplicationSerializer,
    ApplicationUpdateSerializer,
    ApplicationWithdrawSerializer,
    SupportProgramSerializer,
)

DRAFT_ACTIONS = {"create", "update", "partial_update"}


# ---------------------------------------------------------------------------
# Programmes
# ---------------------------------------------------------------------------
class SupportProgramFilter(filters.FilterSet):
    open = filters.BooleanFilter(label=_("Open today"), method="filter_open")

    class Meta:
        model = SupportProgram
        fields = ["support_type", "open"]

    def filter_open(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        open_today = queryset.open_on()
        return open_today if value else queryset.exclude(pk__in=open_today.values("pk"))


class SupportProgramViewSet(viewsets.ReadOnlyModelViewSet):
    """Published support programmes; `?open=true` keeps those accepting applications today."""

    queryset = SupportProgram.objects.published().prefetch_related(
        "eligible_categories", "eligible_countries", "required_documents", "criteria"
    )
    serializer_class = SupportProgramSerializer
    filterset_class = SupportProgramFilter
    search_fields = ["name_fa", "name_en"]
    ordering_fields = ["opens_on", "closes_on", "name_en"]


# ---------------------------------------------------------------------------
# Applications
# ---------------------------------------------------------------------------
class ApplicationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The applications of the caller's own company; anyone else's are 404s. There is no DELETE:
    withdrawing takes an application back and keeps its history."""

    queryset = Application.objects.none()  # for the schema; requests use get_queryset()
    serializer_class = ApplicationSerializer
    permission_classes = [permissions.IsAuthenticated, WriteAccess]
    filterset_fields = ["status", "program"]
    search_fields = ["reference", "justification"]
    ordering_fields = ["created_at", "submitted_at", "requested_amount"]

    def write_access(self, user: User) -> Access:
        """Drafting needs an active company; submitting and withdrawing are the workflow's call."""
        return can_act_for_own_company(user) if self.action in DRAFT_ACTIONS else ALLOWED

    def get_queryset(self) -> QuerySet[Application]:
        if getattr(self, "swagger_fake_view", False):
            return Application.objects.none()
        return (
            Application.objects.of_company(company_of(self.request.user))
            .select_related("program")
            .prefetch_related(
                "products",
                "countries",
                Prefetch("documents", queryset=ApplicationDocument.objects.select_related("document_type")),
                "payments",
                Prefetch("evidence", queryset=ApplicationEvidence.objects.select_related("deal", "shipment")),
            )
        )

    def filter_queryset(self, queryset: QuerySet[Application]) -> QuerySet[Application]:
        # Filters narrow the list; a write's query string must not hide the application.
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)

    def _respond(self, application: Application, status_code: int = status.HTTP_200_OK) -> Response:
        # Fetch again so the answer shows the saved state with its relations prefetched.
        application = self.get_queryset().get(pk=application.pk)
        return Response(
            ApplicationSerializer(application, context=self.get_serializer_context()).data, status=status_code
        )

    @extend_schema(request=ApplicationCreateSerializer, responses={201: ApplicationSerializer})
    def create(self, request: Request) -> Response:
        """Start a draft application of the caller's company to an open programme."""
        company = company_of(request.user)
        data = ApplicationCreateSerializer(data=request.data, company=company)
        data.is_valid(raise_exception=True)
        application = services.application_create_draft(
            company=company, by=request.user, **data.validated_data
        )
        return self._respond(application, status.HTTP_201_CREATED)

    @extend_schema(request=ApplicationUpdateSerializer, responses=ApplicationSerializer)
    def update(self, request: Request, pk: str | None = None, *, partial: bool = False) -> Response:
        """Change a draft, or an application sent back for revision (PATCH sends only some fields)."""
        application = self.get_object()
        data = ApplicationUpdateSerializer(
            data=request.data, partial=partial, company=company_of(request.user)
        )
        data.is_valid(raise_exception=True)
        application = services.application_update_draft(application=application, **data.validated_data)
        return self._respond(application)

    @extend_schema(request=ApplicationUpdateSerializer, responses=ApplicationSerializer)
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        """Change some fields of a draft or of an application sent back for revision."""
        return self.update(request, pk, partial=True)

    @extend_schema(request=None, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        """Send the application to screening; it gets its reference number the first time."""
        application = workflow.application_submit(application=self.get_object(), by=request.user)
        return self._respond(application)

    @extend_schema(request=ApplicationWithdrawSerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str | None = None) -> Response:
        """Take the application back before a decision, with an optional note."""
        data = ApplicationWithdrawSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        application = workflow.application_withdraw(
            application=self.get_object(), by=request.user, note=data.validated_data["note"]
        )
        return self._respond(application)

    @extend_schema(responses=ApplicationEventSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def timeline(self, request: Request, pk: str | None = None) -> Response:
        """The application's status changes and reviewer assignments, oldest first."""
        events = self.get_object().events.for_applicant().order_by("created_at", "pk")
        return Response(ApplicationEventSerializer(events, many=True).data)
