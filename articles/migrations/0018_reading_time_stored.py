from django.db import migrations, models

BATCH = 2000


def count_reading_minutes(apps, schema_editor):
    """Every story's reading time, from its rendered body, as a save now derives it."""
    from articles.text import plain_text, reading_minutes

    Article = apps.get_model("articles", "Article")
    pending = []
    for article in Article.objects.only("pk", "body").iterator(chunk_size=BATCH):
        article.reading_minutes = reading_minutes(plain_text(article.body))
        pending.append(article)
        if len(pending) >= BATCH:
            Article.objects.bulk_update(pending, ["reading_minutes"])
            pending.clear()
    Article.objects.bulk_update(pending, ["reading_minutes"])


class Migration(migrations.Migration):
    dependencies = [("articles", "0017_translations")]

    operations = [
        migrations.AddField(
            model_name="article",
            name="reading_minutes",
            field=models.PositiveSmallIntegerField(default=1, editable=False),
        ),
        migrations.RunPython(count_reading_minutes, migrations.RunPython.noop),
    ]
