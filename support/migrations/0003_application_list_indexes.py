"""Indexes for the reviewers' admin list: its order (-created_at, -id), plain and by status,
programme and reviewer."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("support", "0002_role_permissions"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="application",
            index=models.Index(fields=["-created_at", "-id"], name="application_newest_idx"),
        ),
        migrations.AddIndex(
            model_name="application",
            index=models.Index(fields=["status", "-created_at", "-id"], name="application_status_new_idx"),
        ),
        migrations.AddIndex(
            model_name="application",
            index=models.Index(fields=["program", "-created_at", "-id"], name="application_program_new_idx"),
        ),
        migrations.AddIndex(
            model_name="application",
            index=models.Index(
                fields=["assigned_reviewer", "-created_at", "-id"], name="application_reviewer_new_idx"
            ),
        ),
    ]
