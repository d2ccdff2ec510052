"""Media on shared storage, without what could locate a source: uploads, renditions and imported
images go to S3-compatible object storage (a real S3 server of the test's own: moto's server
mode) when configured, and no stored original keeps its EXIF GPS position, camera serial or
maker, XMP or comments."""

import io
import urllib.request

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from articles.models import Article
from tests.utils import article_form, assert_no_identifying_metadata, located_photo, run_import, stored_keys, write


def decoded(content: bytes) -> bytes:
    with Image.open(io.BytesIO(content)) as image:
        return image.convert("RGB").tobytes()


def test_an_uploaded_photo_is_stored_without_location_camera_or_comment_and_its_pixels_untouched(superuser, media_root):
    original = located_photo(orientation=6)
    upload = SimpleUploadedFile("protest.jpg", original, content_type="image/jpeg")
    response = superuser.post(
        reverse("admin:articles_article_add"),
        article_form(title="March", lead_image=upload, lead_image_alt="A photograph"),
    )
    assert response.status_code == 302
    article = Article.objects.get(title="March")
    with default_storage.open(article.lead_image.name) as file:
        stored = file.read()
    assert_no_identifying_metadata(stored, orientation=6)  # still shown the right way up
    assert decoded(stored) == decoded(original)  # not re-encoded: metadata cut out, nothing else
    assert article.lead_renditions["width"] == 600  # renditions are upright


def test_png_and_webp_originals_lose_their_metadata_too(superuser):
    for kind, orientation in (("PNG", 1), ("WEBP", 1), ("PNG", 8), ("WEBP", 3)):
        original = located_photo(kind, orientation=orientation)
        upload = SimpleUploadedFile(f"photo.{kind.lower()}", original)
        title = f"{kind} {orientation}"
        assert (
            superuser.post(
                reverse("admin:articles_article_add"),
                article_form(title=title, lead_image=upload, lead_image_alt="A photograph"),
            ).status_code
            == 302
        )
        with default_storage.open(Article.objects.get(title=title).lead_image.name) as file:
            stored = file.read()
        assert_no_identifying_metadata(stored)
        with Image.open(io.BytesIO(original)) as image:
            from PIL import ImageOps

            assert decoded(stored) == ImageOps.exif_transpose(image).convert("RGB").tobytes()  # upright, lossless


def test_imported_images_are_stored_without_their_metadata(db, tmp_path):
    (tmp_path / "post").mkdir()
    (tmp_path / "post" / "cover.jpg").write_bytes(located_photo())
    write(tmp_path / "post", "index.md", "---\ntitle: Flood walk\ncover: cover.jpg\n---\nThe river rose.\n")
    run_import(tmp_path)
    article = Article.objects.get(title="Flood walk")
    with default_storage.open(article.lead_image.name) as file:
        assert_no_identifying_metadata(file.read())


def test_uploads_and_renditions_live_in_object_storage_and_pages_link_the_renditions_there(
    superuser, client, object_storage, media_root
):
    upload = SimpleUploadedFile("harbour.jpg", located_photo(size=(1600, 1200)), content_type="image/jpeg")
    response = superuser.post(
        reverse("admin:articles_article_add"),
        article_form(title="Harbour at dawn", lead_image=upload, lead_image_alt="A photograph"),
    )
    assert response.status_code == 302
    article = Article.objects.get(title="Harbour at dawn")
    keys = stored_keys(object_storage)
    assert article.lead_image.name in keys
    assert {size["name"] for size in article.lead_renditions["sizes"]} <= set(keys)
    assert {crop["name"] for crop in article.lead_renditions["crops"].values()} <= set(keys)
    assert not media_root.exists() or not any(media_root.rglob("*.*"))  # nothing on this server's disk

    page = client.get(article.get_absolute_url()).content.decode()
    wide = article.lead_renditions["crops"]["16x9"]  # what sharing cards show
    assert f'srcset="{object_storage.url}renditions/' in page
    assert f'<meta property="og:image" content="{object_storage.url}{wide["name"]}">' in page
    assert f"{object_storage.url}{article.lead_image.name}" not in page  # the original is not linked
    with urllib.request.urlopen(object_storage.url + wide["name"]) as answer:
        assert answer.headers["Content-Type"] == "image/webp"
        assert_no_identifying_metadata(answer.read())


def test_what_follows_a_jpeg_and_its_later_scans_are_handled(superuser):
    """A progressive JPEG (several scans, tables between them) keeps every scan; a second
    JPEG appended after the end of the image (as phones do for previews and motion photos),
    with its own EXIF, is dropped."""
    buffer = io.BytesIO()
    Image.linear_gradient("L").convert("RGB").resize((640, 480)).save(buffer, "JPEG", progressive=True)
    progressive = buffer.getvalue()
    upload = SimpleUploadedFile("layers.jpg", progressive + located_photo(), content_type="image/jpeg")
    assert (
        superuser.post(
            reverse("admin:articles_article_add"),
            article_form(title="Layers", lead_image=upload, lead_image_alt="A photograph"),
        ).status_code
        == 302
    )
    with default_storage.open(Article.objects.get(title="Layers").lead_image.name) as file:
        stored = file.read()
    assert_no_identifying_metadata(stored)
    assert decoded(stored) == decoded(progressive) and stored.endswith(b"\xff\xd9") and len(stored) <= len(progressive)
