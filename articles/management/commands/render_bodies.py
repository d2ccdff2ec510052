from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from articles import search
from articles.after_write import after_write
from articles.frontmatter.budget import OverBudget, time_limit
from articles.management.commands.import_articles import Progress
from articles.models import Article
from articles.rendering import render_body
from articles.text import plain_text, reading_minutes

BATCH = 500


class Command(BaseCommand):
    help = (
        "Render every article's body again with the current renderer and sanitiser, after an "
        "upgrade changed what they make (footnotes, say). Only bodies that come out different are "
        "written; their pages, lists and search entries are renewed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count the bodies that would change; write nothing.")

    def handle(self, *args, dry_run, verbosity, **options):
        # Saving each article would stamp it as edited and re-check its workflow; this is no edit.
        articles = Article.objects.only("id", "title", "standfirst", "body_source", "body_format", "body")
        progress = Progress(self.stderr, articles.count(), enabled=verbosity > 0)
        changed, failed = 0, 0
        pending = []
        seconds = settings.IMPORT_FILE_SECONDS  # a body gets what an imported file gets
        for article in articles.order_by("pk").iterator(chunk_size=BATCH):
            progress.step()
            try:
                with time_limit(seconds):
                    body = render_body(article.body_source, article.body_format)
            except OverBudget:
                failed += 1
                progress.write(
                    f"article {article.pk}: took more than {seconds:g} s to render (IMPORT_FILE_SECONDS): left as it was"
                )
                continue
            except Exception as error:  # noqa: BLE001 - one article's body never stops the others
                failed += 1
                progress.write(f"article {article.pk}: could not be rendered: {error}")
                continue
            if body == article.body:
                continue
            changed += 1
            if verbosity > 1:
                progress.write(f"article {article.pk}: {article.title}", stdout=self.stdout)
            if not dry_run:
                article.body = body
                article.reading_minutes = reading_minutes(plain_text(body))
                pending.append(article)
            if len(pending) >= BATCH:
                self._write(pending)
        self._write(pending)
        progress.clear()
        verb = "would change" if dry_run else "changed"
        summary = f"{changed} bodies {verb}, {failed} failed"
        if failed:
            raise CommandError(summary)
        if verbosity > 0:
            self.stdout.write(self.style.SUCCESS(summary))

    @staticmethod
    def _write(articles):
        if not articles:
            return
        Article.objects.bulk_update(articles, ["body", "reading_minutes"])
        documents = [(a.pk, search.document(a.title, a.standfirst, a.body)) for a in articles]
        after_write([a.pk for a in articles], documents=documents)
        articles.clear()
