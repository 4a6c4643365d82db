"""The company directory's order (verified companies by name) read from one index."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("companies", "0002_role_permissions"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="company",
            index=models.Index(fields=["status", "name_en", "id"], name="company_status_name_idx"),
        ),
    ]
