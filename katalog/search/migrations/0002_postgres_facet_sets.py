"""PostgreSQL only: intern the facet columns into `search_facet_set` and drop the stored texts
(see schema.py for why). SQLite's tables are unchanged."""

from django.db import migrations

from katalog.search.schema import downgrade_0002_statements, upgrade_0002_statements


def upgrade(apps, schema_editor):
    for sql in upgrade_0002_statements(schema_editor.connection.vendor):
        schema_editor.execute(sql)


def downgrade(apps, schema_editor):
    for sql in downgrade_0002_statements(schema_editor.connection.vendor):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [migrations.RunPython(upgrade, downgrade)]
