"""products_plan_rows(query): the planner's estimate of the rows a query returns (EXPLAIN, nothing
executed), for a search to read with its first count in one statement (products.search,
RankedResults._count_with_first_page), where a separate EXPLAIN would cost a round trip.
The query is the ORM's own SQL with its values quoted by the driver, never text from a visitor.
PostgreSQL only, as 0004."""

from django.db import migrations

FORWARD_SQL = [
    """CREATE OR REPLACE FUNCTION products_plan_rows(query text) RETURNS bigint
    LANGUAGE plpgsql AS $$
    DECLARE
        plan json;
    BEGIN
        EXECUTE 'EXPLAIN (FORMAT JSON) ' || query INTO plan;
        RETURN (plan -> 0 -> 'Plan' ->> 'Plan Rows')::numeric::bigint;
    END
    $$""",
]
BACKWARD_SQL = ["DROP FUNCTION IF EXISTS products_plan_rows(text)"]


def _run_on_postgresql(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("products", "0020_public_id_category_index"),
    ]

    operations = [
        migrations.RunPython(_run_on_postgresql(FORWARD_SQL), _run_on_postgresql(BACKWARD_SQL)),
    ]
