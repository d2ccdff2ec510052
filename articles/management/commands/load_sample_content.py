import datetime as dt
from pathlib import Path

import yaml
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from articles.after_write import after_write, listings
from articles.models import Article, Author
from newsroom.security import DEVELOPMENT_ADMIN

SAMPLE_DIR = Path(__file__).resolve().parents[2] / "sample_content"
# The sample's scheduled story is due this long after it is first loaded, so the demo always has
# one story waiting to go live (a fixed date would pass and make it an ordinary story).
SCHEDULED_SAMPLE, SCHEDULED_AHEAD = "09-winter-book-festival.md", dt.timedelta(days=7)


class Command(BaseCommand):
    help = "Load Newsroom's sample articles and authors (safe to run again), and a local admin account."

    def add_arguments(self, parser):
        parser.add_argument("--no-admin", action="store_true", help="Do not create the local admin/admin account.")

    def handle(self, *args, no_admin, verbosity, **options):
        if not no_admin and not settings.DEBUG:
            raise CommandError("Refusing to create the admin/admin account with DEBUG off; use --no-admin.")
        articles = sorted(p for p in SAMPLE_DIR.iterdir() if p.suffix in (".md", ".txt") and p.name[0].isdigit())
        started = timezone.now()
        call_command(
            "import_articles", *map(str, articles), verbosity=verbosity, stdout=self.stdout, stderr=self.stderr
        )
        self.schedule_ahead(started)

        for entry in yaml.safe_load((SAMPLE_DIR / "authors.yaml").read_text(encoding="utf-8")):
            author = Author.objects.for_byline(entry["name"], entry.get("email", ""))
            for key in ("bio", "website", "email"):
                setattr(author, key, entry.get(key, ""))
            author.save()

        if no_admin:
            return
        username, password = DEVELOPMENT_ADMIN
        User = get_user_model()
        user = User.objects.filter(username=username).first() or User.objects.create_superuser(
            username, f"{username}@localhost", password
        )
        if verbosity > 0:
            credentials = f"{username} / {password}" if user.check_password(password) else f"{username} (your password)"
            self.stdout.write(self.style.SUCCESS(f"Sign in to the admin at /admin/ as {credentials} (local use only)."))

    def schedule_ahead(self, started):
        """The scheduled sample story, when this run imported it, is due SCHEDULED_AHEAD from now.
        A later run finds its file unchanged and leaves it alone."""
        just_imported = Article.objects.filter(
            source_path=str((SAMPLE_DIR / SCHEDULED_SAMPLE).resolve()), imported_at__gte=started
        ).values_list("pk", flat=True)
        if ids := list(just_imported):
            # Not a save: the story must still count as untouched since its import.
            before = listings(ids)
            Article.objects.filter(pk__in=ids).update(published_at=(started + SCHEDULED_AHEAD).replace(microsecond=0))
            after_write(ids, before=before, text_changed=False)
