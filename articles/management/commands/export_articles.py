from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from articles.frontmatter import export_article
from articles.models import Article


class Command(BaseCommand):
    help = "Write every article as a front-matter file (YAML + body) that import_articles reads back as it was."

    def add_arguments(self, parser):
        parser.add_argument("folder", help="Where to write the files (created if missing).")

    def handle(self, *args, folder, verbosity, **options):
        target = Path(folder)
        try:
            target.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CommandError(f"{folder}: {exc.strerror}") from exc
        articles = (
            Article.objects.select_related("category", "retraction__retracted_by")
            .prefetch_related("bylines__author", "tags")
            .order_by("pk")
        )
        count = 0
        for article in articles.prefetch_related("old_addresses").iterator(chunk_size=500):
            export_article(article, target, [a.path for a in article.old_addresses.all()])
            count += 1
        if verbosity > 0:
            self.stdout.write(self.style.SUCCESS(f"Exported {count} articles to {target}"))
