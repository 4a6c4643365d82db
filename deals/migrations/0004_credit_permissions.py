from django.db import migrations

from portal.accounts.roles import grant_permissions

# Programme managers read who is credited with each deal and its co-brokers (read-only).
GRANTS = {"programme_manager": ["view_dealcredit", "view_dealpartner"]}


def grant(apps, schema_editor):
    grant_permissions(apps, "deals", GRANTS)


class Migration(migrations.Migration):
    dependencies = [("deals", "0003_credits_and_co_brokers"), ("portal", "0002_role_groups")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
