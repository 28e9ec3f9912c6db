"""Date the changes readers see apart from the newsroom's work on unpublished updates.

Existing rows that were ever given a publication time take their last change as
their last public change: readers with an older cursor are told about them
once more, as before; nothing new is revealed.
"""

from django.conf import settings
from django.db import migrations, models
from django.db.models import F


def date_public_changes(apps, schema_editor):
    Update = apps.get_model("coverage", "Update")
    Update.objects.filter(published_at__isnull=False).update(public_changed_at=F("changed_at"))


class Migration(migrations.Migration):

    dependencies = [
        ('coverage', '0005_newsroom_roles'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='update',
            name='public_changed_at',
            field=models.DateTimeField(blank=True, editable=False, help_text='When readers last saw this update change: published, edited, or taken down. Work on a draft or a scheduled update not yet due leaves it alone.', null=True),
        ),
        migrations.AddIndex(
            model_name='update',
            index=models.Index(fields=['story', 'public_changed_at'], name='update_story_public_change'),
        ),
        migrations.RunPython(date_public_changes, migrations.RunPython.noop),
    ]
