from django.db import migrations

from portal.accounts.roles import grant_permissions

GRANTS = {
    "reviewer": ["view_brokerservice"],
    "programme_manager": ["view_brokerservice", "view_engagement", "view_engagementrating"],
}


def grant(apps, schema_editor):
    grant_permissions(apps, "brokers", GRANTS)


class Migration(migrations.Migration):
    dependencies = [("brokers", "0006_licence_expiry_and_services"), ("portal", "0002_role_groups")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
