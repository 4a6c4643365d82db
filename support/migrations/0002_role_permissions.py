from django.db import migrations

from portal.accounts.roles import grant_permissions

GRANTS = {
    "reviewer": [
        "view_supportprogram", "view_reviewcriterion", "view_application", "view_applicationdocument",
        "view_review", "add_review", "view_applicationevent", "view_documenttype",
    ],
    "programme_manager": [
        "view_supportprogram", "add_supportprogram", "change_supportprogram",
        "view_reviewcriterion", "add_reviewcriterion", "change_reviewcriterion", "delete_reviewcriterion",
        "view_documenttype", "add_documenttype", "change_documenttype",
        "view_application", "change_application", "view_applicationdocument",
        "view_review", "add_review", "view_applicationevent",
    ],
}  # fmt: skip


def grant(apps, schema_editor):
    grant_permissions(apps, "support", GRANTS)


class Migration(migrations.Migration):
    dependencies = [("support", "0001_initial"), ("portal", "0002_role_groups")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
