from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('coverage', '0015_clips'),
    ]

    operations = [
        migrations.AddField(
            model_name='story',
            name='embeds',
            field=models.JSONField(blank=True, default=dict, editable=False, help_text='What the providers said of the embedded URLs of the summary (URL -> title, author, thumbnail…), fetched once when it was saved.'),
        ),
        migrations.AddField(
            model_name='update',
            name='embeds',
            field=models.JSONField(blank=True, default=dict, editable=False, help_text='What the providers said of the embedded URLs of the body (URL -> title, author, thumbnail…), fetched once when it was saved.'),
        ),
    ]
