"""What deleting a user, a brokerage or a company does to the final records, and an audit trail
that cannot be rewritten.

- A brokerage named on an application, and the people, companies and brokerages of declared ties,
  are protected from deletion (a decided grant keeps its broker, a declaration stays).
- On PostgreSQL the timeline (application events) refuses every UPDATE but the one deleting a
  user makes (its actor becoming NULL), and every DELETE but of a draft application's rows; this
  replaces the triggers of 0011 that let the rows of reviews and conflict skips be deleted and
  refused the user's deletion.
- The history rows of reviews, their scores and applications refuse UPDATE and DELETE, but for
  the account that made the change becoming NULL when that user is deleted (history_user is
  SET_NULL). simple-history only inserts them.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

FORWARD_SQL = [
    # A final row whose only change may be one column (a user's account) becoming NULL.
    """CREATE OR REPLACE FUNCTION support_final_but_user_may_go() RETURNS trigger
        LANGUAGE plpgsql AS $$
        DECLARE
            v_column text := TG_ARGV[0];
        BEGIN
            IF TG_OP = 'UPDATE' AND (to_jsonb(NEW) ->> v_column) IS NULL
                    AND (to_jsonb(NEW) - v_column) = (to_jsonb(OLD) - v_column) THEN
                RETURN NEW;
            END IF;
            RAISE EXCEPTION '% of a final % row refused', TG_OP, TG_TABLE_NAME
                USING ERRCODE = 'restrict_violation';
        END $$""",
    # A timeline row goes only with a draft application (which has no submitted steps).
    """CREATE OR REPLACE FUNCTION support_event_kept() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            IF EXISTS (SELECT 1 FROM support_application a
                       WHERE a.id = OLD.application_id AND a.status = 'draft') THEN
                RETURN OLD;
            END IF;
            RAISE EXCEPTION '% of a final % row refused', TG_OP, TG_TABLE_NAME
                USING ERRCODE = 'restrict_violation';
        END $$""",
    "DROP TRIGGER IF EXISTS application_event_append_only ON support_applicationevent",
    "DROP TRIGGER IF EXISTS application_event_decision_kept ON support_applicationevent",
    """CREATE TRIGGER application_event_append_only BEFORE UPDATE ON support_applicationevent
        FOR EACH ROW EXECUTE FUNCTION support_final_but_user_may_go('actor_id')""",
    """CREATE TRIGGER application_event_kept BEFORE DELETE ON support_applicationevent
        FOR EACH ROW EXECUTE FUNCTION support_event_kept()""",
    *(
        f"""CREATE TRIGGER {table}_is_final BEFORE UPDATE OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION support_final_but_user_may_go('history_user_id')"""
        for table in (
            "support_historicalreview",
            "support_historicalreviewscore",
            "support_historicalapplication",
        )
    ),
]
BACKWARD_SQL = [
    *(
        f"DROP TRIGGER IF EXISTS {table}_is_final ON {table}"
        for table in (
            "support_historicalreview",
            "support_historicalreviewscore",
            "support_historicalapplication",
        )
    ),
    "DROP TRIGGER IF EXISTS application_event_kept ON support_applicationevent",
    "DROP TRIGGER IF EXISTS application_event_append_only ON support_applicationevent",
    # As 0011 left them.
    """CREATE TRIGGER application_event_append_only BEFORE UPDATE ON support_applicationevent
        FOR EACH ROW EXECUTE FUNCTION support_refuse_final_change()""",
    """CREATE TRIGGER application_event_decision_kept BEFORE DELETE ON support_applicationevent
        FOR EACH ROW WHEN (OLD.action IN ('approve', 'reject', 'record_payment', 'mark_paid'))
        EXECUTE FUNCTION support_refuse_final_change()""",
    "DROP FUNCTION IF EXISTS support_event_kept()",
    "DROP FUNCTION IF EXISTS support_final_but_user_may_go()",
]


def _run_on_postgresql(statements: list[str]):  # noqa: ANN202
    def run(apps, schema_editor) -> None:  # noqa: ANN001
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement, params=None)  # the RAISE formats hold % signs

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("brokers", "0005_brokerage_offer_history"),
        ("companies", "0004_company_history"),
        ("support", "0012_review_history_no_conflict"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="application",
            name="broker",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="applications",
                to="brokers.broker",
                verbose_name="broker",
            ),
        ),
        migrations.AlterField(
            model_name="stafftie",
            name="broker",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="staff_ties",
                to="brokers.broker",
                verbose_name="broker",
            ),
        ),
        migrations.AlterField(
            model_name="stafftie",
            name="company",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="staff_ties",
                to="companies.company",
                verbose_name="company",
            ),
        ),
        migrations.AlterField(
            model_name="stafftie",
            name="user",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="declared_ties",
                to=settings.AUTH_USER_MODEL,
                verbose_name="staff member",
            ),
        ),
        migrations.RunPython(_run_on_postgresql(FORWARD_SQL), _run_on_postgresql(BACKWARD_SQL)),
    ]
