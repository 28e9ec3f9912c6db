"""Stories loaded from seed documents and deleted in the newsroom, remembered by source slug.

Editors see the list and may delete an entry (the seed then loads its document again);
Reporters, who cannot delete stories, do not see it.
"""

from importlib import import_module

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def let_editors_see_and_forget(apps, schema_editor):
    using = schema_editor.connection.alias
    roles = import_module("coverage.migrations.0005_newsroom_roles")
    codenames = ["view_deletedseedstory", "delete_deletedseedstory"]
    Group = apps.get_model("auth", "Group")
    editors, _ = Group.objects.using(using).get_or_create(name="Editors")
    editors.permissions.add(*roles.permissions(apps, using, "coverage", "deletedseedstory", codenames))


class Migration(migrations.Migration):

    dependencies = [
        ('coverage', '0012_author_photo_renditions'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='DeletedSeedStory',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('source_slug', models.CharField(max_length=300, unique=True)),
                ('title', models.CharField(help_text="The story's title when it was deleted.", max_length=300)),
                ('deleted_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('deleted_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'deleted seeded story',
                'verbose_name_plural': 'deleted seeded stories',
                'ordering': ['-deleted_at', '-pk'],
            },
        ),
        migrations.RunPython(let_editors_see_and_forget, migrations.RunPython.noop),
    ]
