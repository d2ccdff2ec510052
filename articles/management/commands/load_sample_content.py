from pathlib import Path

import yaml
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from articles.models import Author
from articles.slugs import slug_from_text

SAMPLE_DIR = Path(__file__).resolve().parents[2] / "sample_content"
LOCAL_ADMIN = ("admin", "admin")


class Command(BaseCommand):
    help = "Load Newsroom's sample articles and authors (safe to run again), and a local admin account."

    def add_arguments(self, parser):
        parser.add_argument("--no-admin", action="store_true", help="Do not create the local admin/admin account.")

    def handle(self, *args, no_admin, verbosity, **options):
        if not no_admin and not settings.DEBUG:
            raise CommandError("Refusing to create the admin/admin account with DEBUG off; use --no-admin.")
        articles = sorted(p for p in SAMPLE_DIR.iterdir() if p.suffix in (".md", ".txt") and p.name[0].isdigit())
        call_command(
            "import_articles", *map(str, articles), verbosity=verbosity, stdout=self.stdout, stderr=self.stderr
        )

        for entry in yaml.safe_load((SAMPLE_DIR / "authors.yaml").read_text(encoding="utf-8")):
            Author.objects.update_or_create(
                slug=slug_from_text(entry["name"]),
                defaults={key: entry.get(key, "") for key in ("name", "bio", "website", "email")},
            )

        if no_admin:
            return
        username, password = LOCAL_ADMIN
        User = get_user_model()
        user = User.objects.filter(username=username).first() or User.objects.create_superuser(
            username, f"{username}@localhost", password
        )
        if verbosity > 0:
            credentials = f"{username} / {password}" if user.check_password(password) else f"{username} (your password)"
            self.stdout.write(self.style.SUCCESS(f"Sign in to the admin at /admin/ as {credentials} (local use only)."))
