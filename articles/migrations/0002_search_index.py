from django.db import migrations


def create(apps, schema_editor):
    from articles import search

    search.create_index_table(schema_editor)
    Article = apps.get_model("articles", "Article")
    batch = []
    for article in Article.objects.only("pk", "title", "standfirst", "body").iterator(chunk_size=1000):
        batch.append(article)
        if len(batch) == 1000:
            search.index(batch)
            batch = []
    search.index(batch)


def drop(apps, schema_editor):
    from articles import search

    schema_editor.execute(f"DROP TABLE {search.TABLE}")


class Migration(migrations.Migration):
    dependencies = [("articles", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
