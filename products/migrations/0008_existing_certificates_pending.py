"""Existing certificates were declared by companies and never checked: they are pending, which is
the truthful state (the new field's default). They wait in the queue in upload order, and until
staff verify them no product is ready for any country, so the stored readiness is emptied."""

from django.db import migrations
from django.db.models import F


def certificates_to_queue(apps, schema_editor):
    ProductCertification = apps.get_model("products", "ProductCertification")
    ProductReadiness = apps.get_model("products", "ProductReadiness")
    ProductCertification.objects.update(submitted_at=F("created_at"))
    # Readiness counts verified certificates only, and none is verified yet.
    ProductReadiness.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("products", "0007_certificate_verification")]

    # Backwards there is nothing to undo in the rows; rebuild readiness by hand with the
    # readiness_refresh() of the code rolled back to.
    operations = [migrations.RunPython(certificates_to_queue, migrations.RunPython.noop)]
