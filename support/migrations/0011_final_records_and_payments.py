"""Decisions, reviews and payments are final, and payments never exceed the grant, in the database.

On PostgreSQL (support.final describes the three layers):
- reviews, their scores and payments refuse every UPDATE and DELETE;
- the timeline (application events) refuses UPDATE, and DELETE of a decision's or a payment's row;
- an application's decision fields (granted amount, decided at/by, note) cannot change once
  `decided_at` is set, except the decider's account becoming NULL when the user is deleted, and a
  decided application cannot be deleted;
- a constraint trigger refuses payments adding up to more than the application's grant (the
  workflow checks it first, under the application's lock).
On SQLite only the ORM and the workflow check. Programme managers get the payment permissions.
"""

from django.db import migrations

from portal.accounts.roles import grant_permissions

FORWARD_SQL = [
    """CREATE OR REPLACE FUNCTION support_refuse_final_change() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '% of a final % row refused', TG_OP, TG_TABLE_NAME
                USING ERRCODE = 'restrict_violation';
        END $$""",
    """CREATE TRIGGER review_is_final BEFORE UPDATE OR DELETE ON support_review
        FOR EACH ROW EXECUTE FUNCTION support_refuse_final_change()""",
    """CREATE TRIGGER review_score_is_final BEFORE UPDATE OR DELETE ON support_reviewscore
        FOR EACH ROW EXECUTE FUNCTION support_refuse_final_change()""",
    """CREATE TRIGGER payment_is_final BEFORE UPDATE OR DELETE ON support_payment
        FOR EACH ROW EXECUTE FUNCTION support_refuse_final_change()""",
    """CREATE TRIGGER application_event_append_only BEFORE UPDATE ON support_applicationevent
        FOR EACH ROW EXECUTE FUNCTION support_refuse_final_change()""",
    """CREATE TRIGGER application_event_decision_kept BEFORE DELETE ON support_applicationevent
        FOR EACH ROW WHEN (OLD.action IN ('approve', 'reject', 'record_payment', 'mark_paid'))
        EXECUTE FUNCTION support_refuse_final_change()""",
    """CREATE TRIGGER application_decision_is_final BEFORE UPDATE ON support_application
        FOR EACH ROW WHEN (
            OLD.decided_at IS NOT NULL AND (
                NEW.granted_amount IS DISTINCT FROM OLD.granted_amount
                OR NEW.decided_at IS DISTINCT FROM OLD.decided_at
                OR NEW.decision_note IS DISTINCT FROM OLD.decision_note
                OR (NEW.decided_by_id IS DISTINCT FROM OLD.decided_by_id AND NEW.decided_by_id IS NOT NULL)
            )
        )
        EXECUTE FUNCTION support_refuse_final_change()""",
    """CREATE TRIGGER application_decided_kept BEFORE DELETE ON support_application
        FOR EACH ROW WHEN (OLD.decided_at IS NOT NULL)
        EXECUTE FUNCTION support_refuse_final_change()""",
    # Volatile, like support_program_granted: it reads what committed while the caller waited.
    """CREATE OR REPLACE FUNCTION support_payments_within_grant() RETURNS trigger
        LANGUAGE plpgsql AS $$
        DECLARE
            v_granted numeric;
            v_paid numeric;
        BEGIN
            SELECT a.granted_amount INTO v_granted FROM support_application a
                WHERE a.id = NEW.application_id AND a.status IN ('approved', 'paid', 'closed');
            SELECT coalesce(sum(p.amount), 0) INTO v_paid FROM support_payment p
                WHERE p.application_id = NEW.application_id;
            IF v_granted IS NULL OR v_paid > v_granted THEN
                RAISE EXCEPTION 'application % would be paid % of a grant of %',
                    NEW.application_id, v_paid, coalesce(v_granted, 0)
                    USING ERRCODE = 'check_violation', CONSTRAINT = 'payments_within_grant';
            END IF;
            RETURN NULL;
        END $$""",
    """CREATE CONSTRAINT TRIGGER payments_within_grant AFTER INSERT ON support_payment
        FOR EACH ROW EXECUTE FUNCTION support_payments_within_grant()""",
]
BACKWARD_SQL = [
    "DROP TRIGGER IF EXISTS payments_within_grant ON support_payment",
    "DROP FUNCTION IF EXISTS support_payments_within_grant()",
    "DROP TRIGGER IF EXISTS application_decided_kept ON support_application",
    "DROP TRIGGER IF EXISTS application_decision_is_final ON support_application",
    "DROP TRIGGER IF EXISTS application_event_decision_kept ON support_applicationevent",
    "DROP TRIGGER IF EXISTS application_event_append_only ON support_applicationevent",
    "DROP TRIGGER IF EXISTS payment_is_final ON support_payment",
    "DROP TRIGGER IF EXISTS review_score_is_final ON support_reviewscore",
    "DROP TRIGGER IF EXISTS review_is_final ON support_review",
    "DROP FUNCTION IF EXISTS support_refuse_final_change()",
]
GRANTS = {"programme_manager": ["view_payment", "add_payment"], "reviewer": ["view_payment"]}


def _run_on_postgresql(statements: list[str]):  # noqa: ANN202
    def run(apps, schema_editor) -> None:  # noqa: ANN001
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement, params=None)  # the RAISE formats hold % signs

    return run


def grant(apps, schema_editor) -> None:  # noqa: ANN001
    grant_permissions(apps, "support", GRANTS)


class Migration(migrations.Migration):
    dependencies = [("support", "0010_payments_escalation_history")]

    operations = [
        migrations.RunPython(_run_on_postgresql(FORWARD_SQL), _run_on_postgresql(BACKWARD_SQL)),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
