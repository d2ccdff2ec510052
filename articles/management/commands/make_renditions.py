from django.core.management.base import BaseCommand, CommandError

from articles import renditions
from articles.after_write import after_write
from articles.models import Article


class Command(BaseCommand):
    help = (
        "Make the reader-size copies and crops of lead images that do not have them yet "
        "(articles saved before renditions, or before crops)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count the articles that need them; write nothing.")

    def handle(self, *args, dry_run, verbosity, **options):
        # Saving the article would also do it, but would stamp it as edited and re-index it.
        pending = [
            article
            for article in Article.objects.exclude(lead_image="").only(
                "id", "lead_image", "lead_renditions", "lead_image_focus_x", "lead_image_focus_y"
            )
            if not renditions.describe(article.lead_renditions, article.lead_image.name, article.lead_image_focus)
        ]
        made, failed = [], 0
        for article in [] if dry_run else pending:
            try:
                result = renditions.make(
                    article.lead_image.name, storage=article.lead_image.storage, focus=article.lead_image_focus
                )
            except renditions.UNUSABLE as exc:
                failed += 1
                self.stderr.write(f"article {article.pk}: {article.lead_image.name}: {renditions.reason(exc)}")
                continue
            Article.objects.filter(pk=article.pk).update(lead_renditions=result)
            made.append(article.pk)
            if verbosity > 1:
                self.stdout.write(f"article {article.pk}: {article.lead_image.name}")
        if made:
            after_write(made, text_changed=False)  # a queryset update: no signal, no save
        if verbosity > 0:
            verb = "need" if dry_run else "got"
            self.stdout.write(
                f"{len(pending) if dry_run else len(made)} lead images {verb} renditions, {failed} failed"
            )
        if failed:
            raise CommandError(f"{failed} lead images could not be read")
