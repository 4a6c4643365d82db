"""The database refuses a programme budget below what it has granted, and a grant beyond the
budget: PostgreSQL triggers behind the form's check and the workflow's lock (support.workflow
application_approve). Granted means approved, paid or closed (support.models.GRANTED_STATES as of
this migration). On SQLite only the form and the workflow check."""

from django.db import migrations

FORWARD_SQL = [
    # Volatile (the default), so that it reads what committed while the caller waited for a lock.
    """CREATE OR REPLACE FUNCTION support_program_granted(program bigint) RETURNS numeric
        LANGUAGE sql AS $$
            SELECT coalesce(sum(granted_amount), 0) FROM support_application
            WHERE program_id = program AND status IN ('approved', 'paid', 'closed')
        $$""",
    """CREATE OR REPLACE FUNCTION support_budget_covers_grants() RETURNS trigger
        LANGUAGE plpgsql AS $$
        DECLARE
            v_program bigint;
            v_budget numeric;
            v_granted numeric;
        BEGIN
            IF TG_TABLE_NAME = 'support_supportprogram' THEN
                v_program := NEW.id;
                v_budget := NEW.budget;
            ELSE
                v_program := NEW.program_id;
                SELECT p.budget INTO v_budget FROM support_supportprogram p WHERE p.id = v_program;
            END IF;
            v_granted := support_program_granted(v_program);
            IF v_granted > v_budget THEN
                RAISE EXCEPTION 'programme % would grant % over a budget of %', v_program, v_granted, v_budget
                    USING ERRCODE = 'check_violation', CONSTRAINT = 'program_budget_covers_grants';
            END IF;
            RETURN NULL;
        END $$""",
    """CREATE CONSTRAINT TRIGGER program_budget_covers_grants
        AFTER UPDATE OF budget ON support_supportprogram
        FOR EACH ROW EXECUTE FUNCTION support_budget_covers_grants()""",
    """CREATE CONSTRAINT TRIGGER application_grant_within_budget
        AFTER INSERT OR UPDATE OF status, granted_amount ON support_application
        FOR EACH ROW WHEN (NEW.status IN ('approved', 'paid', 'closed'))
        EXECUTE FUNCTION support_budget_covers_grants()""",
]
BACKWARD_SQL = [
    "DROP TRIGGER IF EXISTS application_grant_within_budget ON support_application",
    "DROP TRIGGER IF EXISTS program_budget_covers_grants ON support_supportprogram",
    "DROP FUNCTION IF EXISTS support_budget_covers_grants()",
    "DROP FUNCTION IF EXISTS support_program_granted(bigint)",
]


def _run_on_postgresql(statements: list[str]):  # noqa: ANN202
    def run(apps, schema_editor) -> None:  # noqa: ANN001
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement, params=None)  # the RAISE format holds % signs

    return run


class Migration(migrations.Migration):
    dependencies = [("support", "0004_reviews_before_a_decision")]

    operations = [migrations.RunPython(_run_on_postgresql(FORWARD_SQL), _run_on_postgresql(BACKWARD_SQL))]
