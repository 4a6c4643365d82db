from django.db import migrations

from portal.accounts.roles import grant_permissions

# Programme managers read referrals (who passed which inquiry or company to whom) and the
# offers' co-brokers in the admin.
GRANTS = {"programme_manager": ["view_referral", "view_offerpartner"]}


def grant(apps, schema_editor):
    grant_permissions(apps, "brokers", GRANTS)


class Migration(migrations.Migration):
    dependencies = [("brokers", "0011_referrals_and_results_public"), ("portal", "0002_role_groups")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
