"""PostgreSQL refuses UPDATE and DELETE of audit events (issue 15): append-only is enforced by
the database, not only by the model. SQLite (development) relies on the model. TRUNCATE is
left to privileges (the application's role should not own the table, docs/security.md): the
test runner empties tables with it."""

from django.db import migrations

# `%%` because the statement goes through the driver's placeholder parsing (it becomes `%`).
FORWARD = """
CREATE OR REPLACE FUNCTION cchc_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only (%%)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER core_auditevent_append_only
    BEFORE UPDATE OR DELETE ON core_auditevent
    FOR EACH ROW EXECUTE FUNCTION cchc_audit_append_only();
"""
BACKWARD = """
DROP TRIGGER IF EXISTS core_auditevent_append_only ON core_auditevent;
DROP FUNCTION IF EXISTS cchc_audit_append_only();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("core", "0003_audit_key_id")]
    operations = [migrations.RunPython(forward, backward)]
