"""PostgreSQL only: a TRUNCATE of the search entries empties their counts too (see schema.py)."""

from django.db import migrations

from katalog.search.schema import downgrade_0006_statements, upgrade_0006_statements


def upgrade(apps, schema_editor):
    for sql in upgrade_0006_statements(schema_editor.connection.vendor):
        schema_editor.execute(sql)


def downgrade(apps, schema_editor):
    for sql in downgrade_0006_statements(schema_editor.connection.vendor):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("search", "0005_postgres_facet_counts")]

    operations = [migrations.RunPython(upgrade, downgrade)]
