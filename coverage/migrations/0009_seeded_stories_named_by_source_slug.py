"""Stories loaded before: named by their source slug, with how far the seed got.

Data only, in its own migration: on PostgreSQL the unique index that follows
cannot be built in the transaction that changed the rows.
"""

from django.db import migrations
from django.db.models import F, Max


def record_seed_state(apps, schema_editor):
    """Stories loaded before now: name them by their source slug, and remember how far the seed got.

    The seed stored a source slug only when it differed from the slug; a story with seeded
    updates and none stored came from a document whose source slug is its slug. Two stories
    could share a source slug before it named one story: the newest keeps it (it was the one
    its old links redirected to).
    """
    Story = apps.get_model("coverage", "Story")
    Update = apps.get_model("coverage", "Update")
    seeded = Update.objects.filter(source_position__isnull=False)
    Story.objects.filter(source_slug="", pk__in=seeded.values("story")).update(source_slug=F("slug"))
    seen = set()
    for pk, source_slug in Story.objects.exclude(source_slug="").order_by("-created_at", "-pk").values_list(
        "pk", "source_slug"
    ):
        if source_slug in seen:
            Story.objects.filter(pk=pk).update(source_slug="")
        seen.add(source_slug)
    reached = seeded.order_by().values("story").annotate(top=Max("source_position"))
    for row in reached:
        Story.objects.filter(pk=row["story"]).update(seed_positions=row["top"] + 1)


class Migration(migrations.Migration):

    dependencies = [
        ('coverage', '0008_seed_digests_and_revision_writer'),
    ]

    operations = [
        migrations.RunPython(record_seed_state, migrations.RunPython.noop),
    ]
