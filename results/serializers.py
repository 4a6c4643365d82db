"""The aggregate results in the API: output shapes (the figures are computed in aggregates.py)."""

from __future__ import annotations

from rest_framework import serializers

MONEY = {"max_digits": 20, "decimal_places": 2}


class ValueRowSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="key", allow_null=True, help_text="None: deals without a brokerage")
    name_fa = serializers.CharField(allow_null=True)
    name_en = serializers.CharField(allow_null=True)
    contracted_deals = serializers.IntegerField()
    contracted_usd = serializers.DecimalField(**MONEY)
    paid_deals = serializers.IntegerField()
    paid_usd = serializers.DecimalField(**MONEY)
    companies = serializers.IntegerField()

    def to_representation(self, row: dict) -> dict:
        names = row.get("names") or (None, None)
        return super().to_representation({**row, "name_fa": names[0], "name_en": names[1]})


class MonthRowSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    month = serializers.IntegerField()
    label = serializers.CharField()
    contracted_deals = serializers.IntegerField()
    contracted_usd = serializers.DecimalField(**MONEY)
    paid_deals = serializers.IntegerField()
    paid_usd = serializers.DecimalField(**MONEY)

    def to_representation(self, row: dict) -> dict:
        year, month = row["key"]
        return super().to_representation({**row, "year": year, "month": month})


class FunnelStepSerializer(serializers.Serializer):
    step = serializers.CharField()
    count = serializers.IntegerField()
    rate = serializers.DecimalField(
        max_digits=8, decimal_places=1, allow_null=True, help_text="% of the previous step"
    )


class LostRowSerializer(serializers.Serializer):
    reason = serializers.CharField()
    deals = serializers.IntegerField()
    value_usd = serializers.DecimalField(**MONEY)


class ProgrammeRowSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="program.pk")
    name_fa = serializers.CharField(source="program.name_fa")
    name_en = serializers.CharField(source="program.name_en")
    currency = serializers.CharField()
    companies = serializers.IntegerField()
    granted = serializers.DecimalField(**MONEY, help_text="In the programme's currency")
    exported_usd = serializers.DecimalField(**MONEY)
    export_per_unit = serializers.DecimalField(**MONEY, allow_null=True, help_text="USD per unit of support")


class TotalsSerializer(serializers.Serializer):
    contracted_usd = serializers.DecimalField(**MONEY)
    paid_usd = serializers.DecimalField(**MONEY)
    contracted_deals = serializers.IntegerField()
    paid_deals = serializers.IntegerField()


class ResultsSerializer(serializers.Serializer):
    totals = TotalsSerializer()
    country = ValueRowSerializer(many=True)
    category = ValueRowSerializer(many=True)
    company = ValueRowSerializer(many=True)
    broker = ValueRowSerializer(many=True)
    month = MonthRowSerializer(many=True)
    funnel = FunnelStepSerializer(many=True)
    lost = LostRowSerializer(many=True)
    programmes = ProgrammeRowSerializer(many=True)
