"""A GIN index for the forum's full-text search on PostgreSQL (SQLite searches without one).

The expression must match what `selectors.topic_search` asks for, SearchVector("body",
config="english"), or PostgreSQL will not use it.
"""
from django.db import migrations

CREATE = (
    "CREATE INDEX IF NOT EXISTS post_body_search ON support_groups_post "
    "USING gin (to_tsvector('english'::regconfig, COALESCE(body, '')))"
)
DROP = "DROP INDEX IF EXISTS post_body_search"


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("support_groups", "0001_initial")]

    operations = [migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP))]
