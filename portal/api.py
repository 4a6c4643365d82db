"""The portal's own endpoints: target countries and the caller's notifications."""

from __future__ import annotations

from django.db.models import QuerySet
from django_filters import rest_framework as filters
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from portal.models import Notification, TargetCountry
from portal.notifications.services import notifications_mark_read
from portal.serializers import NotificationSerializer, TargetCountrySerializer


class TargetCountryFilter(filters.FilterSet):
    class Meta:
        model = TargetCountry
        fields = ["buyer_status", "iso_code"]


class TargetCountryViewSet(viewsets.ReadOnlyModelViewSet):
    """Active target countries of the programme."""

    queryset = TargetCountry.objects.active()
    serializer_class = TargetCountrySerializer
    filterset_class = TargetCountryFilter
    search_fields = ["name_fa", "name_en", "iso_code"]
    ordering_fields = ["name_en", "iso_code"]
    lookup_field = "iso_code"
    lookup_value_regex = "[A-Za-z]{2}"

    def get_object(self) -> TargetCountry:
        self.kwargs["iso_code"] = self.kwargs["iso_code"].upper()
        return super().get_object()


class MarkReadSerializer(serializers.Serializer):
    ids = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False)


class NotificationFilter(filters.FilterSet):
    unread = filters.BooleanFilter(field_name="read_at", lookup_expr="isnull", label="unread")

    class Meta:
        model = Notification
        fields = ["kind", "unread"]


class NotificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The caller's own notifications; nobody sees anyone else's."""

    queryset = Notification.objects.none()  # for the schema; requests use get_queryset()
    serializer_class = NotificationSerializer
    permission_classes = [permissions.IsAuthenticated]
    filterset_class = NotificationFilter
    search_fields = ["title", "body"]
    ordering_fields = ["created_at"]

    def get_queryset(self) -> QuerySet[Notification]:
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        return Notification.objects.filter(recipient=self.request.user)

    @action(detail=False, methods=["post"], url_path="mark-read", serializer_class=MarkReadSerializer)
    def mark_read(self, request: Request) -> Response:
        """Mark the given notifications (or all unread ones) as read."""
        data = MarkReadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        count = notifications_mark_read(user=request.user, notification_ids=data.validated_data.get("ids"))
        return Response({"marked": count})
