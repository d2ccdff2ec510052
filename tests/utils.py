import contextlib
from io import StringIO
from pathlib import Path

from django.core.management import call_command


def run_import(*paths, **options):
    """Run import_articles; return (stdout, stderr). Raises CommandError when a file failed."""
    out, err = StringIO(), StringIO()
    call_command("import_articles", *map(str, paths), stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def make_image(path: Path, size=(40, 30), color=(200, 30, 30), kind="PNG") -> Path:
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, color).save(path, kind)
    return path


def article_form(**overrides):
    """The article add form as the admin posts it, with `overrides`."""
    data = {
        "title": "海港市新渡轮下水",
        "slug": "",
        "standfirst": "",
        "body_source": "First *paragraph*.\n\n<script>alert(1)</script>",
        "body_format": "markdown",
        "status": "published",
        "published_at_0": "",
        "published_at_1": "",
        "category": "",
        "tags": [],
        "language": "zh-hans",
        "lead_image_url": "",
        "lead_image_caption": "",
        "lead_image_credit": "",
        "extra": "{}",
        "bylines-TOTAL_FORMS": "0",
        "bylines-INITIAL_FORMS": "0",
        "bylines-MIN_NUM_FORMS": "0",
        "bylines-MAX_NUM_FORMS": "1000",
        "old_addresses-TOTAL_FORMS": "0",
        "old_addresses-INITIAL_FORMS": "0",
        "old_addresses-MIN_NUM_FORMS": "0",
        "old_addresses-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


SCREENSHOTS = Path(__file__).resolve().parents[1] / "test-results" / "screenshots"
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}
# Flags the machine needs: no sandbox as root, and no background calls to a network that is closed.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]


@contextlib.contextmanager
def open_page(browser, viewport):
    """A page in a fresh context that records console errors and uncaught exceptions."""
    context = browser.new_context(viewport=VIEWPORTS[viewport])
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda msg: msg.type == "error" and page.console_errors.append(msg.text))
    page.on("pageerror", lambda exc: page.console_errors.append(str(exc)))
    page.viewport_name = viewport
    try:
        yield page
    finally:
        context.close()


def shot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}-{page.viewport_name}.png", full_page=True)


def logged_in(user):
    """A test client signed in as `user`."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def only():
    """The one article in the database (fails when there are none or several)."""
    from articles.models import Article

    return Article.objects.get()
