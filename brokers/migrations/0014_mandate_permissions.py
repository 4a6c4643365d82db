from django.db import migrations

from portal.accounts.roles import grant_permissions

# Programme managers read the mandates in the admin; nobody changes them there (the company grants
# and revokes them on its pages).
GRANTS = {"programme_manager": ["view_mandate", "view_mandateevent"]}


def grant(apps, schema_editor):
    grant_permissions(apps, "brokers", GRANTS)


class Migration(migrations.Migration):
    dependencies = [("brokers", "0013_mandates"), ("portal", "0002_role_groups")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
