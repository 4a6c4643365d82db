from django.db import migrations

from portal.accounts.roles import grant_permissions

GRANTS = {
    "reviewer": ["view_broker", "view_offer", "view_offerresponse"],
    "programme_manager": [
        "view_broker",
        "change_broker",
        "view_brokermembership",
        "view_brokerinvitation",
        "view_servicetype",
        "add_servicetype",
        "change_servicetype",
        "view_offer",
        "change_offer",
        "view_offerresponse",
        "view_buyerinquiry",
        "change_buyerinquiry",
    ],
}


def grant(apps, schema_editor):
    grant_permissions(apps, "brokers", GRANTS)


class Migration(migrations.Migration):
    dependencies = [("brokers", "0001_initial"), ("portal", "0002_role_groups")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
