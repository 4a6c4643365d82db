from django.db import migrations

from portal.accounts.roles import grant_permissions

GRANTS = {
    "reviewer": ["view_stafftie", "add_stafftie", "view_reviewassignment"],
    "programme_manager": [
        "view_stafftie", "add_stafftie", "change_stafftie", "view_reviewassignment",
        "view_reviewer", "change_reviewer",
    ],
}  # fmt: skip


def grant(apps, schema_editor):
    grant_permissions(apps, "support", GRANTS)


def seat_assigned_reviewers(apps, schema_editor):
    """Every application with an assigned reviewer gets that reviewer's seat for its round."""
    Application = apps.get_model("support", "Application")
    ReviewAssignment = apps.get_model("support", "ReviewAssignment")
    rows = Application.objects.filter(assigned_reviewer__isnull=False).values_list(
        "pk", "assigned_reviewer_id", "review_round", "review_started_at", "created_at"
    )
    batch = []
    for pk, reviewer_id, review_round, started, created in rows.iterator(chunk_size=2000):
        batch.append(
            ReviewAssignment(
                application_id=pk, reviewer_id=reviewer_id, review_round=max(review_round, 1),
                created_at=started or created,
            )
        )  # fmt: skip
        if len(batch) >= 2000:
            ReviewAssignment.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    ReviewAssignment.objects.bulk_create(batch, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [("support", "0008_review_panels_and_conflicts"), ("portal", "0005_staff_away_until")]

    operations = [
        migrations.RunPython(grant, migrations.RunPython.noop),
        migrations.RunPython(seat_assigned_reviewers, migrations.RunPython.noop),
    ]
