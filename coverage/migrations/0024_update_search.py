import django.contrib.postgres.search
from django.db import migrations, models

# On PostgreSQL only, and outside the models' state: SQLite has no GIN, and it remakes a table
# with every index of its state when a later migration alters a column.
CREATE_INDEX = "CREATE INDEX IF NOT EXISTS update_search_vector ON coverage_update USING gin (search_vector)"
DROP_INDEX = "DROP INDEX IF EXISTS update_search_vector"
BATCH = 500


def stamp_existing(apps, schema_editor):
    """Fill the search columns of the updates written before them, as ``search.stamp`` does."""
    from coverage import search  # today's words and vector: the ones new writes use

    Update = apps.get_model("coverage", "Update")
    rows = Update.objects.using(schema_editor.connection.alias).only("headline", "body").order_by("pk")
    batch = []
    for update in rows.iterator(chunk_size=BATCH):
        search.stamp(update)
        batch.append(update)
        if len(batch) == BATCH:
            Update.objects.bulk_update(batch, search.COLUMNS)
            batch = []
    if batch:
        Update.objects.bulk_update(batch, search.COLUMNS)


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE_INDEX)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_INDEX)


class Migration(migrations.Migration):

    dependencies = [
        ('coverage', '0023_translatable_labels'),
    ]

    operations = [
        migrations.AddField(
            model_name='update',
            name='search_text',
            field=models.TextField(blank=True, editable=False, help_text="The headline's and body's words, casefolded, for search.", verbose_name="search text"),
        ),
        migrations.AddField(
            model_name='update',
            name='search_vector',
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True, verbose_name="search vector"),
        ),
        migrations.RunPython(stamp_existing, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(create_index, drop_index),
    ]
