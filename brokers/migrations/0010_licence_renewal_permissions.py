from django.db import migrations

from portal.accounts.roles import grant_permissions

# Programme managers decide renewals (change); reviewers, who read brokerages, read them too.
GRANTS = {
    "reviewer": ["view_licencerenewal"],
    "programme_manager": ["view_licencerenewal", "change_licencerenewal"],
}


def grant(apps, schema_editor):
    grant_permissions(apps, "brokers", GRANTS)


class Migration(migrations.Migration):
    dependencies = [("brokers", "0009_licence_renewal"), ("portal", "0002_role_groups")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
