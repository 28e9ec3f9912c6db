from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('coverage', '0009_seeded_stories_named_by_source_slug'),
    ]

    operations = [
        migrations.AddConstraint(
            model_name='story',
            constraint=models.UniqueConstraint(condition=models.Q(('source_slug', ''), _negated=True), fields=('source_slug',), name='story_unique_source_slug'),
        ),
    ]
