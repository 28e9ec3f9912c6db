"""Reader pages that cost the same however long the story: indexes read newest first, each
byline's story and time (filled in from its update) for the story page's author filter and
the author page, and each story's count of approved comments (counted here once)."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce


def fill_byline_stories(apps, schema_editor):
    Byline = apps.get_model("coverage", "Byline")
    Update = apps.get_model("coverage", "Update")
    update = Update.objects.filter(pk=OuterRef("update_id"))
    Byline.objects.using(schema_editor.connection.alias).update(
        story_id=Subquery(update.values("story_id")[:1]),
        published_at=Subquery(update.values("published_at")[:1]),
    )


def count_shown_comments(apps, schema_editor):
    Story = apps.get_model("coverage", "Story")
    Comment = apps.get_model("coverage", "Comment")
    approved = Comment.objects.filter(story=OuterRef("pk"), status="approved").order_by()
    counted = approved.values("story").annotate(count=Count("pk")).values("count")
    Story.objects.using(schema_editor.connection.alias).update(comments_shown=Coalesce(Subquery(counted), 0))


class Migration(migrations.Migration):

    dependencies = [
        ('coverage', '0013_deleted_seed_stories'),
    ]

    operations = [
        migrations.AddField(
            model_name='byline',
            name='story',
            field=models.ForeignKey(db_index=False, editable=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='coverage.story'),
        ),
        migrations.AddField(
            model_name='byline',
            name='published_at',
            field=models.DateTimeField(editable=False, null=True),
        ),
        migrations.RunPython(fill_byline_stories, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name='byline',
            name='story',
            field=models.ForeignKey(db_index=False, editable=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='coverage.story'),
        ),
        migrations.AddField(
            model_name='story',
            name='comments_shown',
            field=models.PositiveIntegerField(default=0, editable=False, help_text='How many of its comments are approved, kept by the comment services: the page counts and pages its comments without a COUNT over them.'),
        ),
        migrations.RunPython(count_shown_comments, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name='byline',
            name='author',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='bylines', to='coverage.author'),
        ),
        migrations.AddIndex(
            model_name='byline',
            index=models.Index(fields=['story', 'author'], name='byline_story_author'),
        ),
        migrations.AddIndex(
            model_name='byline',
            index=models.Index(fields=['author', 'published_at', 'update'], name='byline_author_time'),
        ),
        migrations.AddIndex(
            model_name='comment',
            index=models.Index(fields=['story', 'status', 'created_at', 'id'], name='comment_story_shown'),
        ),
        migrations.AddIndex(
            model_name='tombstone',
            index=models.Index(fields=['story', 'deleted_at'], name='tombstone_story_time'),
        ),
        migrations.AddIndex(
            model_name='update',
            index=models.Index(fields=['story', 'published_at', 'id'], name='update_story_time'),
        ),
        migrations.AddIndex(
            model_name='update',
            index=models.Index(condition=models.Q(('key_event', True)), fields=['story', 'published_at', 'id'], name='update_story_key'),
        ),
        migrations.AddIndex(
            model_name='update',
            index=models.Index(fields=['story', 'edited_at'], name='update_story_edited'),
        ),
    ]
