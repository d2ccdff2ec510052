from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from articles import search
from articles.after_write import after_write
from articles.frontmatter.budget import OverBudget, time_limit
from articles.frontmatter.images import lacking
from articles.management.commands.import_articles import Progress
from articles.models import Article
from articles.rendering import render_body

BATCH = 500


class Command(BaseCommand):
    help = (
        "Render every article's body again with the current renderer and sanitiser, after an "
        "upgrade changed what they make (footnotes, say). Only bodies that come out different are "
        "written; their pages, lists and search entries are renewed. Imported articles get the list "
        "of images their file refers to that were never found, so an import that finds one puts it back."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count the bodies that would change; write nothing.")

    def handle(self, *args, dry_run, verbosity, **options):
        # Saving each article would stamp it as edited and re-check its workflow; this is no edit.
        articles = Article.objects.only(
            "id", "title", "standfirst", "body_source", "body_format", "body", "source_path", "extra", "lead_image",
            "lead_image_url", "missing_images",
        )  # fmt: skip
        progress = Progress(self.stderr, articles.count(), enabled=verbosity > 0)
        changed, failed, listed = 0, 0, 0
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
            # Imported before `missing_images` existed, its images never found were never listed.
            missing = lacking(article)
            if body == article.body and missing == article.missing_images:
                continue
            if missing != article.missing_images:
                listed += 1
            if body != article.body:
                changed += 1
                if verbosity > 1:
                    progress.write(f"article {article.pk}: {article.title}", stdout=self.stdout)
            if not dry_run:
                pending.append((article, body != article.body))
                article.derive_body(body)  # its hash and reading time too
                article.missing_images = missing
            if len(pending) >= BATCH:
                self._write(pending)
        self._write(pending)
        progress.clear()
        verb = "would change" if dry_run else "changed"
        summary = f"{changed} bodies {verb}, {failed} failed"
        if listed:
            summary += f"; images to look for {'would be ' if dry_run else ''}listed on {listed} articles"
        if failed:
            raise CommandError(summary)
        if verbosity > 0:
            self.stdout.write(self.style.SUCCESS(summary))

    @staticmethod
    def _write(pending):
        """(article, whether its body changed) pairs; a list of images to find is nothing readers see."""
        if not pending:
            return
        Article.objects.bulk_update([a for a, _ in pending], ["body", "body_hash", "reading_minutes", "missing_images"])
        rendered = [a for a, body_changed in pending if body_changed]
        if rendered:
            documents = [(a.pk, search.document(a.title, a.standfirst, a.body)) for a in rendered]
            after_write([a.pk for a in rendered], documents=documents)
        pending.clear()
