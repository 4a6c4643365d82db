"""Product serializers: output shapes for categories, certifications and products, and the one
input serializer for creating and changing a product."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone
from rest_framework import serializers

from companies.serializers import CompanyBriefSerializer
from portal.models import TargetCountry
from portal.rest.plumbing import DigitsInputMixin, LocalizedDecimalField

from .models import Certification, Product, ProductCategory, ProductCertification


class CategorySerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)

    class Meta:
        model = ProductCategory
        fields = [
            "id",
            "slug",
            "name",
            "name_fa",
            "name_en",
            "name_ar",
            "name_ru",
            "description_fa",
            "description_en",
            "icon",
        ]
        read_only_fields = fields


class CertificationSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)

    class Meta:
        model = Certification
        fields = ["id", "code", "name", "name_fa", "name_en", "name_ar", "name_ru", "issuer"]
        read_only_fields = fields


class ProductCertificateSerializer(serializers.ModelSerializer):
    """A certificate the product holds; `valid` means the centre verified it and it has not
    expired today; `verification` is pending, verified or rejected."""

    code = serializers.CharField(source="certification.code", read_only=True)
    name = serializers.CharField(source="certification.name", read_only=True)
    valid = serializers.SerializerMethodField()
    verification = serializers.CharField(source="status", read_only=True)

    class Meta:
        model = ProductCertification
        fields = ["code", "name", "number", "issuer", "expiry_date", "verification", "valid"]
        read_only_fields = fields

    def get_valid(self, certificate: ProductCertification) -> bool:
        return certificate.counts_on(timezone.localdate())


class ProductSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)
    category = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    company = CompanyBriefSerializer(read_only=True)
    registered_countries = serializers.SlugRelatedField(slug_field="iso_code", many=True, read_only=True)
    certifications = ProductCertificateSerializer(many=True, read_only=True)

    class Meta:
        model = Product
        fields = [
            "id", "name", "name_fa", "name_en", "name_ar", "name_ru", "description_fa", "description_en",
            "description_ar", "description_ru", "specifications_fa", "specifications_en", "category",
            "company", "hs_code", "monthly_capacity", "capacity_unit",
            "minimum_order", "fob_price", "currency", "lead_time_days", "image", "thumbnail", "datasheet",
            "registered_countries", "certifications", "status", "published_at",
        ]  # fmt: skip
        read_only_fields = fields


class ProductInputSerializer(DigitsInputMixin, serializers.ModelSerializer):
    """What a company member may send; the company and the status are never taken from input."""

    # Fields where people type Persian or Arabic-Indic digits.
    digit_fields = ("hs_code", "monthly_capacity", "minimum_order", "fob_price", "lead_time_days")

    category = serializers.SlugRelatedField(slug_field="slug", queryset=ProductCategory.objects.all())
    registered_countries = serializers.SlugRelatedField(
        slug_field="iso_code", many=True, required=False, queryset=TargetCountry.objects.active()
    )
    # Declared so the minimum is a Decimal (the model's validator uses a float).
    fob_price = LocalizedDecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0.01"))

    class Meta:
        model = Product
        fields = [
            "category", "name_fa", "name_en", "description_fa", "description_en", "specifications_fa",
            "specifications_en", "hs_code", "monthly_capacity", "capacity_unit", "minimum_order",
            "fob_price", "currency", "lead_time_days", "registered_countries", "name_ar", "name_ru",
            "description_ar", "description_ru",
        ]  # fmt: skip
