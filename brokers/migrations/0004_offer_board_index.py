"""The offer board's order (open offers by deadline, then newest) read from one index."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("brokers", "0003_remove_offer_fanout_started_at"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="offer",
            name="offer_status_deadline_idx",
        ),
        migrations.AddIndex(
            model_name="offer",
            index=models.Index(fields=["status", "deadline", "-id"], name="offer_status_deadline_id_idx"),
        ),
    ]
