from django.db import migrations, models

from katalog.search.schema import create_statements, drop_statements


def create_engine_tables(apps, schema_editor):
    """The document table and its full-text index depend on the engine (FTS5 or tsvector+GIN)."""
    for sql in create_statements(schema_editor.connection.vendor):
        schema_editor.execute(sql)


def drop_engine_tables(apps, schema_editor):
    for sql in drop_statements(schema_editor.connection.vendor):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    initial = True
    dependencies = []

    operations = [
        migrations.CreateModel(
            name="Synonym",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("tenant_id", models.IntegerField(db_index=True)),
                ("term", models.CharField(max_length=100)),
                ("expansion", models.CharField(max_length=200)),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("tenant_id", "term", "expansion"), name="search_synonym_unique")
                ]
            },
        ),
        migrations.CreateModel(
            name="SearchTerm",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("tenant_id", models.IntegerField()),
                ("word", models.CharField(max_length=40)),
                ("stem", models.CharField(max_length=40)),
            ],
            options={"constraints": [models.UniqueConstraint(fields=("tenant_id", "word"), name="search_term_unique")]},
        ),
        migrations.CreateModel(
            name="SearchOutbox",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("tenant_id", models.IntegerField()),
                ("product_id", models.BigIntegerField()),
                ("created_at", models.DateTimeField(auto_now_add=True)),
            ],
        ),
        migrations.RunPython(create_engine_tables, drop_engine_tables),
    ]
