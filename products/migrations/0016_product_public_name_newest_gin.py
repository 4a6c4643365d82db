"""A GIN index on (name_vector, published_at) of published products, for search's name tiers
read newest first (products.search.newest_window): the index finds the matches among the newest
products itself, where the plain name index gave every match to be read from the table and
sorted. btree_gin lets GIN index the timestamp; like pg_trgm (0004) it ships with PostgreSQL.
PostgreSQL only, as 0004 and 0005."""

from django.db import migrations

FORWARD_SQL = [
    "CREATE EXTENSION IF NOT EXISTS btree_gin",
    """CREATE INDEX IF NOT EXISTS product_public_name_newest_gin ON products_product
        USING gin (name_vector, published_at) WHERE status = 'published'""",
]
BACKWARD_SQL = ["DROP INDEX IF EXISTS product_public_name_newest_gin"]


def _run_on_postgresql(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("products", "0015_newest_order_id_tiebreak"),
    ]

    operations = [
        migrations.RunPython(_run_on_postgresql(FORWARD_SQL), _run_on_postgresql(BACKWARD_SQL)),
    ]
