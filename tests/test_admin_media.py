"""Lead images and author photos through the admin, their renditions on reader pages, and the body editor."""

import io
import random
import re
import struct
import zlib
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from PIL import Image

from articles import images, renditions
from articles.models import Article, Author
from articles.sanitizing import ALLOWED_TAGS
from tests.factories import ArticleFactory
from tests.utils import article_form, huge_png, make_image, run_import, write

pytestmark = pytest.mark.django_db


def image_bytes(size=(1600, 1200), kind="JPEG", orientation=None, noisy=False) -> bytes:
    image = Image.new("RGB", size, (30, 120, 200))
    if noisy:  # incompressible, so a cut-off file really lacks most of its picture
        rng = random.Random(1)
        image = Image.frombytes("RGB", size, bytes(rng.getrandbits(8) for _ in range(size[0] * size[1] * 3)))
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    exif[0x010F] = "Secret Camera Co"  # Make: must not reach readers
    buffer = io.BytesIO()
    image.save(buffer, kind, **({"exif": exif.tobytes()} if kind in ("JPEG", "WEBP") else {}))
    return buffer.getvalue()


def bomb_png(width=100_000, height=100_000) -> bytes:
    """A PNG of a few dozen bytes whose header claims `width`×`height` pixels."""
    real = image_bytes(size=(1, 1), kind="PNG")
    header = struct.pack(">II", width, height) + real[24:29]
    chunk = b"IHDR" + header
    return real[:12] + chunk + struct.pack(">I", zlib.crc32(chunk)) + real[33:]


def add_article(superuser, **fields):
    fields.setdefault("lead_image_alt", "Boats moored in the harbour")  # published: alt text is required
    return superuser.post(reverse("admin:articles_article_add"), article_form(title="With a picture", **fields))


def media_files(media_root):
    return sorted(p.relative_to(media_root).as_posix() for p in media_root.rglob("*") if p.is_file())


def form_errors(response):
    return [str(e) for errors in response.context["adminform"].form.errors.values() for e in errors]


# Uploads checked by the image policy


def test_editor_uploads_a_jpeg_and_readers_get_responsive_renditions(superuser, client):
    upload = SimpleUploadedFile("harbour.jpeg", image_bytes(), content_type="image/jpeg")
    response = add_article(superuser, lead_image=upload, lead_image_caption="The harbour")
    assert response.status_code == 302, form_errors(response)
    article = Article.objects.get(title="With a picture")
    assert article.lead_image.name.startswith("lead/") and article.lead_image.name.endswith("/harbour.jpg")
    sizes = article.lead_renditions["sizes"]
    assert [(s["width"], s["height"]) for s in sizes] == [(320, 240), (640, 480), (1024, 768)]
    assert article.lead_renditions["thumbnail"]["width"] == 120
    for size in sizes:
        with default_storage.open(size["name"]) as file, Image.open(file) as copy:
            assert (copy.format, copy.size) == ("WEBP", (size["width"], size["height"]))

    html = client.get(article.get_absolute_url()).content.decode()
    url = default_storage.url
    srcset = f"{url(sizes[0]['name'])} 320w, {url(sizes[1]['name'])} 640w, {url(sizes[2]['name'])} 1024w"
    assert f'srcset="{srcset}"' in html
    assert f'src="{url(sizes[1]["name"])}"' in html and 'width="640" height="480"' in html
    assert 'alt="Boats moored in the harbour"' in html  # the alt text, not the caption


def test_a_png_named_jpg_is_stored_as_png(superuser):
    upload = SimpleUploadedFile("chart.jpg", image_bytes(size=(300, 200), kind="PNG"), content_type="image/jpeg")
    assert add_article(superuser, lead_image=upload).status_code == 302
    assert Article.objects.get().lead_image.name.endswith("/chart.png")


def truncated_jpeg():
    data = image_bytes(size=(300, 300), noisy=True)
    return data[: len(data) * 2 // 3]


REFUSED = {
    "text named .jpg": ("notes.jpg", lambda: b"Meeting notes, not a photo\n", "Not an image Newsroom can read"),
    "truncated jpeg": ("cut.jpg", truncated_jpeg, "Image is damaged or incomplete"),
    "svg": (
        "logo.svg",
        lambda: b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        "Not an image Newsroom can read",
    ),
    "html": ("page.jpg", lambda: b"<!doctype html><script>alert(1)</script>", "Not an image Newsroom can read"),
    "decompression bomb": ("tiny.png", bomb_png, "Image is a decompression bomb"),
    "bmp": ("old.bmp", lambda: image_bytes(size=(20, 20), kind="BMP"), "BMP images are not accepted"),
}


@pytest.mark.parametrize("case", REFUSED)
def test_refused_uploads_show_the_reason_and_save_nothing(superuser, media_root, case):
    name, make, reason = REFUSED[case]
    response = add_article(superuser, lead_image=SimpleUploadedFile(name, make()))
    assert response.status_code == 200
    assert any(error.startswith(reason) for error in form_errors(response)), form_errors(response)
    assert reason in response.content.decode()
    assert not Article.objects.exists()
    assert not media_root.exists() or media_files(media_root) == []


def test_an_image_over_the_pixel_limit_is_refused_with_its_size(superuser, settings):
    settings.IMAGE_MAX_PIXELS = 100_000
    response = add_article(superuser, lead_image=SimpleUploadedFile("wide.png", image_bytes((500, 201), "PNG")))
    assert form_errors(response) == ["Image is 500×201 pixels; the limit is 100,000 pixels."]
    assert not Article.objects.exists()


def test_a_few_kilobytes_claiming_7000_by_7000_pixels_are_refused_without_being_decoded(
    superuser, media_root, decoded_sizes
):
    upload = SimpleUploadedFile("tiny.png", huge_png(7_000, 7_000), content_type="image/png")
    assert upload.size < 10_000
    response = add_article(superuser, lead_image=upload)
    assert form_errors(response) == ["Image is 7000×7000 pixels; the limit is 40,000,000 pixels."]
    assert decoded_sizes == []
    assert not Article.objects.exists()
    assert not media_root.exists() or media_files(media_root) == []


def test_a_stored_image_over_the_pixel_limit_gets_no_renditions_and_is_never_decoded(decoded_sizes):
    name = default_storage.save("lead/2019/old-huge.png", ContentFile(huge_png(7_000, 7_000)))
    article = ArticleFactory()
    Article.objects.filter(pk=article.pk).update(lead_image=name)  # stored before the limit existed
    err = StringIO()
    with pytest.raises(CommandError, match="1 lead images could not be read"):
        call_command("make_renditions", stdout=StringIO(), stderr=err)
    assert (
        err.getvalue() == f"article {article.pk}: {name}: image is 7000×7000 pixels; the limit is 40,000,000 pixels\n"
    )
    assert decoded_sizes == []
    assert Article.objects.get(pk=article.pk).lead_renditions == {}


def test_an_image_over_the_byte_limit_is_refused(superuser, monkeypatch):
    monkeypatch.setattr(images, "MAX_BYTES", 1024 * 1024)
    big = SimpleUploadedFile("noise.png", image_bytes((700, 700), "PNG", noisy=True))
    assert big.size > 1024 * 1024
    response = add_article(superuser, lead_image=big)
    assert form_errors(response) == [f"Image is {big.size / 1_048_576:.1f} MB; the limit is 1 MB."]


def test_author_photo_goes_through_the_same_policy(superuser):
    data = {"name": "Ann Lee", "slug": "", "bio": "", "email": "", "website": "", "user": ""}
    svg = SimpleUploadedFile("ann.svg", b'<svg xmlns="http://www.w3.org/2000/svg"/>')
    response = superuser.post(reverse("admin:articles_author_add"), {**data, "photo": svg})
    assert "Not an image Newsroom can read" in response.content.decode()
    assert not Author.objects.exists()
    photo = SimpleUploadedFile("ann.gif", image_bytes((90, 90), "PNG"))
    assert superuser.post(reverse("admin:articles_author_add"), {**data, "photo": photo}).status_code == 302
    assert Author.objects.get().photo.name == "authors/ann.png"


# Renditions


def article_with_image(content: bytes, name="photo.jpg", **fields) -> Article:
    """As saved, with the renditions its job made (jobs run at once in tests)."""
    return Article.objects.get(pk=ArticleFactory(lead_image=SimpleUploadedFile(name, content), **fields).pk)


def test_renditions_are_upright_never_upscaled_and_carry_no_exif():
    article = article_with_image(image_bytes(size=(400, 200), orientation=6))  # shot with the camera turned
    assert article.lead_renditions["width"] == 200 and article.lead_renditions["height"] == 400
    sizes = [(s["width"], s["height"]) for s in article.lead_renditions["sizes"]]
    assert sizes == [(200, 400)]  # narrower than the smallest width: one copy, its own size
    name = article.lead_renditions["sizes"][0]["name"]
    with default_storage.open(name) as file, Image.open(file) as copy:
        assert copy.size == (200, 400)
        assert not copy.getexif()
    with default_storage.open(name) as file:
        assert b"Secret Camera" not in file.read()


def test_renditions_keep_transparency():
    buffer = io.BytesIO()
    Image.new("RGBA", (500, 300), (0, 0, 0, 0)).save(buffer, "PNG")
    article = article_with_image(buffer.getvalue(), name="logo.png")
    with default_storage.open(article.lead_renditions["sizes"][0]["name"]) as file, Image.open(file) as copy:
        assert copy.mode == "RGBA" and copy.getpixel((5, 5))[3] == 0


def test_renditions_are_made_once_and_remade_when_the_image_changes(monkeypatch):
    article = article_with_image(image_bytes(size=(800, 600)))
    first = article.lead_renditions
    monkeypatch.setattr(renditions, "make", lambda *a, **k: pytest.fail("renditions made again"))
    article.title = "New headline"
    article.save()
    Article.objects.get(pk=article.pk).save()
    assert Article.objects.get(pk=article.pk).lead_renditions == first
    monkeypatch.undo()

    article.lead_image = SimpleUploadedFile("other.png", image_bytes(size=(700, 350), kind="PNG"))
    article.save()
    article = Article.objects.get(pk=article.pk)
    assert article.lead_renditions["source"].endswith("other.png")
    assert [s["width"] for s in article.lead_renditions["sizes"]] == [320, 640, 700]
    article.lead_image = None
    article.save()
    assert Article.objects.get(pk=article.pk).lead_renditions == {}


def test_reader_pages_do_not_open_image_files(client, media_root):
    """Sizes come from the article row: with every file gone, pages still carry the srcset."""
    article = article_with_image(image_bytes(size=(1200, 800)), featured=True)
    for path in media_root.rglob("*.*"):
        path.unlink()
    detail = client.get(article.get_absolute_url()).content.decode()
    home = client.get(reverse("articles:home")).content.decode()
    for html in (detail, home):
        assert "-640w.webp 640w" in html and 'width="640" height="427"' in html


def test_remote_lead_images_stay_as_they_are(client):
    article = ArticleFactory(lead_image_url="https://img.example/a.jpg", featured=True)
    detail = client.get(article.get_absolute_url()).content.decode()
    home = client.get(reverse("articles:home")).content.decode()
    for html in (detail, home):
        assert 'src="https://img.example/a.jpg"' in html and 'referrerpolicy="no-referrer"' in html
        assert "srcset" not in html


def test_a_replaced_image_reaches_cached_pages(superuser, client):
    """The detail page and cards are cached fragments; a new image renews them."""
    article = article_with_image(image_bytes(size=(800, 600)), name="before.jpg", featured=True)
    assert "before-640w.webp" in client.get(article.get_absolute_url()).content.decode()
    assert "before-640w.webp" in client.get(reverse("articles:home")).content.decode()
    data = article_form(
        title=article.title,
        slug=article.slug,
        status="published",
        published_at_0=article.published_at.strftime("%Y-%m-%d"),
        published_at_1=article.published_at.strftime("%H:%M:%S"),
        featured="on",
        lead_image=SimpleUploadedFile("after.jpg", image_bytes(size=(800, 600))),
        lead_image_alt="The new picture",
        opened_version=str(Article.objects.get(pk=article.pk).edit_version),
    )
    response = superuser.post(reverse("admin:articles_article_change", args=[article.pk]), data)
    assert response.status_code == 302, form_errors(response)
    for url in (article.get_absolute_url(), reverse("articles:home")):
        html = client.get(url).content.decode()
        assert "after-640w.webp" in html and "before-640w.webp" not in html


def test_imported_lead_images_get_renditions(tmp_path):
    bundle = tmp_path / "content" / "survey"
    make_image(bundle / "cover.jpg", size=(900, 600), kind="JPEG")
    write(bundle, "index.md", "---\ntitle: Survey\ncover: cover.jpg\n---\nBody")
    run_import(tmp_path)
    article = Article.objects.get(title="Survey")
    assert [s["width"] for s in article.lead_renditions["sizes"]] == [320, 640, 900]
    assert article.lead_renditions["source"] == article.lead_image.name
    assert all(default_storage.exists(s["name"]) for s in article.lead_renditions["sizes"])


# The admin form: previews and the body editor


def test_change_form_shows_the_current_image_thumbnail(superuser):
    article = article_with_image(image_bytes(size=(800, 600)), name="pier.jpg")
    html = superuser.get(reverse("admin:articles_article_change", args=[article.pk])).content.decode()
    thumbnail = default_storage.url(article.lead_renditions["thumbnail"]["name"])
    assert f'<img class="image-preview__current" src="{thumbnail}"' in html
    assert "data-new-image" in html  # where the chosen file is previewed


def test_change_form_loads_the_editor_assets_from_this_site(superuser, client):
    html = superuser.get(reverse("admin:articles_article_add")).content.decode()
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', html)
    for name in ("vendor/trix-2.1.19/trix.min.js", "vendor/trix-2.1.19/trix.css", "js/admin-body-editor.js"):
        assert f"/static/{name}" in assets
        assert finders.find(name), name
    for name in ("js/admin-image-preview.js", "css/admin-media.css"):
        assert f"/static/{name}" in assets
    assert re.findall(r'<(?:script|link)[^>]+(?:src|href)="((?:https?:)?//[^"]+)"', html) == []  # no CDN
    assert re.search(r'<textarea name="body_source"[^>]*data-body-editor[^>]*data-format-field="id_body_format"', html)


def test_everything_the_editor_writes_survives_the_sanitiser():
    """The tags the editor script offers (TRIX_KEEPS) are all on the sanitiser's allowlist."""
    script = (Path(settings.BASE_DIR) / "static/js/admin-body-editor.js").read_text()
    offered = re.search(r"TRIX_KEEPS = new Set\(\[(.*?)\]\)", script, re.DOTALL).group(1)
    tags = {tag.lower() for tag in re.findall(r'"([A-Z0-9]+)"', offered)}
    assert tags and tags <= ALLOWED_TAGS


def test_a_hostile_rich_body_is_sanitised_on_save(superuser, client):
    payload = (
        '<h2 onclick="steal()">Plan</h2><p style="position:fixed">Read <a href="javascript:alert(1)">this</a>'
        ' and <a href="https://example.org/" onmouseover="x()">that</a>.</p>'
        '<img src="/media/x.png" onerror="alert(1)"><script>alert(document.cookie)</script>'
        '<iframe src="https://evil"></iframe><ul><li><strong>one</strong></li></ul><blockquote>quoted</blockquote>'
    )
    response = add_article(superuser, body_source=payload, body_format="html")
    assert response.status_code == 302, form_errors(response)
    article = Article.objects.get()
    assert article.body == (
        '<h2>Plan</h2><p>Read <a>this</a> and <a href="https://example.org/">that</a>.</p><img src="/media/x.png">'
        "<ul><li><strong>one</strong></li></ul><blockquote>quoted</blockquote>"
    )
    assert article.body_source == payload  # the source stays as written; readers get the sanitised body
    html = client.get(article.get_absolute_url()).content.decode()
    assert "alert" not in html and "onerror" not in html and "steal" not in html


def test_make_renditions_fills_in_older_articles(tmp_path):
    article = article_with_image(image_bytes(size=(700, 500)), name="old.jpg")
    broken = ArticleFactory(lead_image="lead/gone.jpg")
    Article.objects.filter(pk=article.pk).update(lead_renditions={})  # as saved before renditions existed
    out, err = StringIO(), StringIO()
    call_command("make_renditions", "--dry-run", stdout=out, stderr=err)
    assert out.getvalue() == "2 lead images need renditions, 0 failed\n"
    assert Article.objects.get(pk=article.pk).lead_renditions == {}
    with pytest.raises(CommandError, match="1 lead images could not be read"):
        call_command("make_renditions", stdout=out, stderr=err)
    assert f"article {broken.pk}: lead/gone.jpg: file not found" in err.getvalue()
    assert [s["width"] for s in Article.objects.get(pk=article.pk).lead_renditions["sizes"]] == [320, 640, 700]
