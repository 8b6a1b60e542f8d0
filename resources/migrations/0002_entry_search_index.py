"""A GIN index on the library's stored search document, on PostgreSQL (SQLite searches without it)."""
from django.db import migrations

CREATE = "CREATE INDEX IF NOT EXISTS resources_entry_search ON resources_entry USING gin (search_document)"
DROP = "DROP INDEX IF EXISTS resources_entry_search"


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("resources", "0001_initial")]

    operations = [migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP))]
