"""Deals opened with a brokerage before credits were recorded (0003) credit it with the whole: the
results by brokerage and its profile count a deal through its credits, so without one it would
count as the company's own buyer's."""

from django.db import migrations


def credit_earlier_deals(apps, schema_editor):
    Deal = apps.get_model("deals", "Deal")
    DealCredit = apps.get_model("deals", "DealCredit")
    uncredited = Deal.objects.filter(broker__isnull=False, credits__isnull=True).only("pk", "broker_id")
    DealCredit.objects.bulk_create(
        DealCredit(deal_id=deal.pk, broker_id=deal.broker_id, role="introduced", share_percent=100)
        for deal in uncredited.iterator()
    )


class Migration(migrations.Migration):
    dependencies = [
        ("deals", "0008_references_counted_in_portal"),
    ]

    operations = [
        migrations.RunPython(credit_earlier_deals, migrations.RunPython.noop),
    ]
