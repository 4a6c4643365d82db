from django.db import migrations

from portal.accounts.roles import grant_permissions

# Programme managers verify companies and approve brokerages; they check certificates too.
GRANTS = {"programme_manager": ["verify_productcertification"]}


def grant(apps, schema_editor):
    grant_permissions(apps, "products", GRANTS)


class Migration(migrations.Migration):
    dependencies = [("products", "0008_existing_certificates_pending")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
