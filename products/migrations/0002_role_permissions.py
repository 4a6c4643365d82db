from django.db import migrations

from portal.accounts.roles import grant_permissions

GRANTS = {
    "reviewer": ["view_product", "view_productcertification", "view_countryrequirement"],
    "programme_manager": [
        "view_product",
        "change_product",
        "view_productcertification",
        "view_productcategory",
        "add_productcategory",
        "change_productcategory",
        "view_certification",
        "add_certification",
        "change_certification",
        "view_countryrequirement",
        "add_countryrequirement",
        "change_countryrequirement",
        "delete_countryrequirement",
    ],
}


def grant(apps, schema_editor):
    grant_permissions(apps, "products", GRANTS)


class Migration(migrations.Migration):
    dependencies = [("products", "0001_initial"), ("portal", "0002_role_groups")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
