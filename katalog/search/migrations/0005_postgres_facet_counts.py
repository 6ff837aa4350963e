"""PostgreSQL only: `search_facet_count`, the entries of each tenant counted by facet set and price
band, kept exact by triggers, for the empty query's count and facets (see schema.py). SQLite's
tables are unchanged."""

from django.db import migrations

from katalog.search.schema import downgrade_0005_statements, upgrade_0005_statements


def upgrade(apps, schema_editor):
    for sql in upgrade_0005_statements(schema_editor.connection.vendor):
        schema_editor.execute(sql)


def downgrade(apps, schema_editor):
    for sql in downgrade_0005_statements(schema_editor.connection.vendor):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("search", "0004_zero_results_and_suggestions")]

    operations = [migrations.RunPython(upgrade, downgrade)]
