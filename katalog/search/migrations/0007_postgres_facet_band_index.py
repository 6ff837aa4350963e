"""PostgreSQL only: the index by facet set gains the price band (see schema.py). SQLite's tables are
unchanged."""

from django.db import migrations

from katalog.search.schema import downgrade_0007_statements, upgrade_0007_statements


def upgrade(apps, schema_editor):
    for sql in upgrade_0007_statements(schema_editor.connection.vendor):
        schema_editor.execute(sql)


def downgrade(apps, schema_editor):
    for sql in downgrade_0007_statements(schema_editor.connection.vendor):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("search", "0006_postgres_counts_truncate")]

    operations = [migrations.RunPython(upgrade, downgrade)]
