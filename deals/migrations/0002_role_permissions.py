from django.db import migrations

from portal.accounts.roles import grant_permissions

# Programme managers read the deals (the export results come from them); nobody edits them in
# the admin: the parties change them through the services.
GRANTS = {
    "programme_manager": ["view_deal", "view_dealline", "view_shipment", "view_payment", "view_dealevent"],
}


def grant(apps, schema_editor):
    grant_permissions(apps, "deals", GRANTS)


class Migration(migrations.Migration):
    dependencies = [("deals", "0001_initial"), ("portal", "0002_role_groups")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
