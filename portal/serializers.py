from __future__ import annotations

from rest_framework import serializers

from portal.models import Notification, TargetCountry


class TargetCountrySerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)

    class Meta:
        model = TargetCountry
        fields = [
            "iso_code",
            "name",
            "name_fa",
            "name_en",
            "buyer_status",
            "regulatory_notes_fa",
            "regulatory_notes_en",
            "logistics_notes_fa",
            "logistics_notes_en",
        ]


class NotificationSerializer(serializers.ModelSerializer):
    is_read = serializers.BooleanField(read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "url", "created_at", "read_at", "is_read"]
