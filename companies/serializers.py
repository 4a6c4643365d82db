"""Company output serializers: a public profile, plus private details for the company's own members."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from portal.rest.plumbing import OptionalURLField

from .models import Company
from .permissions import is_member


class CompanyPrivateSerializer(serializers.ModelSerializer):
    """What only members of the company may read: identity, contact and certificate scan."""

    class Meta:
        model = Company
        fields = ["national_id", "certificate_number", "phone", "address", "certificate_file"]
        read_only_fields = fields


class CompanySerializer(serializers.ModelSerializer):
    """A company's public profile. Members of the company itself also receive national_id,
    certificate_number, phone, address and certificate_file."""

    name = serializers.CharField(read_only=True)
    website = OptionalURLField(read_only=True)
    certificate_expired = serializers.BooleanField(read_only=True)

    class Meta:
        model = Company
        fields = [
            "id", "name", "name_fa", "name_en", "name_ar", "name_ru", "company_type", "province", "city",
            "website", "profile_fa", "profile_en", "profile_ar", "profile_ru", "logo", "status",
            "certificate_expiry", "certificate_expired",
        ]  # fmt: skip
        read_only_fields = fields

    def to_representation(self, instance: Company) -> dict[str, Any]:
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is not None and is_member(request.user, instance):
            data.update(CompanyPrivateSerializer(instance, context=self.context).data)
        return data


class CompanyBriefSerializer(serializers.ModelSerializer):
    """The few words about a company that travel with its products."""

    name = serializers.CharField(read_only=True)

    class Meta:
        model = Company
        fields = ["id", "name"]
        read_only_fields = fields
