from django.db import migrations

from portal.accounts.roles import grant_permissions

GRANTS = {
    "reviewer": ["view_company", "view_companymembership"],
    "programme_manager": [
        "view_company",
        "change_company",
        "view_companymembership",
        "view_companyinvitation",
    ],
}


def grant(apps, schema_editor):
    grant_permissions(apps, "companies", GRANTS)


class Migration(migrations.Migration):
    dependencies = [("companies", "0001_initial"), ("portal", "0002_role_groups")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
