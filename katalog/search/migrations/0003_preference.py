"""Both engines: the `preference` column of search_entry (micro/small vendor and TKDN tier, 0..7),
filled for the rows already indexed. See schema.py and docs/search.md ("Ranking")."""

from django.conf import settings
from django.db import migrations

from katalog.search.schema import downgrade_0003_statements, upgrade_0003_statements


def upgrade(apps, schema_editor):
    prefer_local = getattr(settings, "KATALOG_SEARCH_PREFER_LOCAL", True)
    for sql in upgrade_0003_statements(schema_editor.connection.vendor, prefer_local):
        schema_editor.execute(sql)


def downgrade(apps, schema_editor):
    for sql in downgrade_0003_statements(schema_editor.connection.vendor):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("search", "0002_postgres_facet_sets")]

    operations = [migrations.RunPython(upgrade, downgrade)]
