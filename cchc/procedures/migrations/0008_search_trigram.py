"""Catalog search at the size of a province's whole catalog (issue 21): on PostgreSQL, a
trigram index on the folded search text serves the `LIKE '%word%'` every search word becomes.
pg_trgm is a trusted extension (PostgreSQL 13+): the database owner may create it. SQLite has
no such index; it scans, which is fine at its sizes."""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS procedures_version_search_trgm "
        "ON procedures_procedureversion USING gin (search_text gin_trgm_ops)"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS procedures_version_search_trgm")


class Migration(migrations.Migration):
    dependencies = [("procedures", "0007_announcement_announcementitem")]
    operations = [migrations.RunPython(forwards, backwards)]
